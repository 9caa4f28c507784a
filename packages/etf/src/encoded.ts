import type { Atom } from './atoms.ts';

/** Where an atom's own encoding (any of the four atom tags) starts in an `EncodedTerm`'s bytes. */
export interface EncodedAtom {
  readonly offset: number;
  readonly atom: Atom;
}

/**
 * A term already in the external format: exactly one complete term's bytes, without the 131
 * version byte (what `encodeNoVersion` gives). Wherever the encoder meets one, as a whole message
 * or inside a term (a tuple element, a list's tail), it copies the bytes as they are, without
 * reading them; so they must be one well-formed term.
 *
 * Atoms in the bytes are copied as text, unless `atoms` lists them: those the encoder writes
 * itself when it rewrites atoms (the distribution's atom-cache refs, `minorVersion: 1`), so an
 * atom in pre-encoded bytes still goes out as a cache ref. A plain encode copies them as they are.
 *
 * Not a `Term`: decode never makes one, and compare, format and match do not take one. It is for
 * a producer that writes the same kind of term many times faster than a walk of it would (the
 * Erlang module's events); it is meant for the wire: a local process should be given the term.
 */
export class EncodedTerm {
  constructor(
    readonly bytes: Uint8Array,
    readonly atoms?: readonly EncodedAtom[],
  ) {}
}
