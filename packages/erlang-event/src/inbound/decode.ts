/**
 * The input decoders of spec §0.4–§0.5: `SB` (string-or-binary), `LStr` (list string only), atom
 * lists and `{Key, Value}` header lists. Pure; a decoder returns `undefined` for "does not decode".
 * Bytes become text by byte_text.ts (bytes that are no UTF-8 are kept, not replaced), atoms by
 * their Latin-1 bytes, as ei_decode_atom gives them.
 */
import { Atom, Binary, ImproperList, type Term, Tuple, atom } from '@beamline/etf';
import { bytesText as textOfBytes } from '@beamline/switch';
import { atomText } from '../byte_text.ts';

/** A list of integers 0..255 (STRING_EXT decodes to one; so does a LIST_EXT of bytes). */
function isByteList(x: Term): x is number[] {
  if (!Array.isArray(x)) return false;
  for (const b of x) if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) return false;
  return true;
}

/** The bytes up to the first NUL, as text: the module reads what it decodes as a C string. */
export function cStringText(bytes: ArrayLike<number>): string {
  const array = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
  const nul = array.indexOf(0);
  return textOfBytes(nul < 0 ? array : array.subarray(0, nul));
}

/**
 * `SB(max)`: an Erlang string of bytes or a binary → its text; `[]` and the "size 0" terms
 * (integers of 32 bits, floats, pids, refs, `''`, `{}`, `<<>>`, `#{}`) → '' (the original's quirk:
 * `{api, status, 42}` runs `status` with no argument); anything else (a bignum too), or longer than
 * `max` bytes → undefined.
 */
export function decodeSB(x: Term, max = Number.POSITIVE_INFINITY): string | undefined {
  if (x instanceof Binary || x instanceof Uint8Array) return x.length > max ? undefined : cStringText(x instanceof Binary ? x.bytes : x);
  if (Array.isArray(x)) {
    if (x.length === 0) return '';
    if (!isByteList(x) || x.length > 65535 || x.length > max) return undefined;
    return cStringText(x);
  }
  // ei_get_type gives INTEGER_EXT's size as 0, but a bignum's as its byte count (not a string)
  if (typeof x === 'number') return x >= -0x80000000 && x <= 0x7fffffff ? '' : undefined;
  if (x instanceof Atom) return x.name === '' ? '' : undefined;
  if (x instanceof Tuple) return x.elements.length === 0 ? '' : undefined;
  if (typeof x === 'object' && x !== null) {
    const name = x.constructor?.name;
    if (name === 'Pid' || name === 'Ref' || name === 'Port' || name === 'ErlFloat') return '';
    if (name === 'ErlMap' && (x as { size?: number }).size === 0) return '';
  }
  return undefined;
}

/** `LStr`: a string / list of bytes / `[]` → its text; binaries and atoms are refused. */
export function decodeLStr(x: Term): string | undefined {
  if (!Array.isArray(x)) return undefined;
  if (x.length === 0) return '';
  return isByteList(x) ? cStringText(x) : undefined;
}

/**
 * The atoms after the tag (§0.5), each as its Latin-1 text (`atomText`): decoding stops at the
 * first element that is not an atom, or is one with a character past U+00FF (it and every element
 * after it are ignored).
 */
export function leadingAtoms(elements: readonly Term[]): Atom[] {
  const out: Atom[] = [];
  for (const e of elements) {
    const name = e instanceof Atom ? atomText(e.name) : undefined;
    if (name === undefined) break;
    out.push(name === (e as Atom).name ? (e as Atom) : atom(name));
  }
  return out;
}

/**
 * What ei_decode_list_header reads: a LIST_EXT (proper or not, its tail unread) or `[]`. A
 * non-empty list of bytes comes as a STRING_EXT, which it refuses.
 */
export function isListHeader(x: Term): boolean {
  if (x instanceof ImproperList) return true;
  return Array.isArray(x) && (x.length === 0 || !isByteList(x));
}

/**
 * A header list (§1.12): a list of `{Key, Value}` with both `LStr`, key ≤ 1023 bytes. Any other
 * element → undefined (nothing is fired). An improper list's tail is not looked at: the module
 * decodes as many tuples as the list header counts.
 */
export function decodeHeaders(x: Term): [string, string][] | undefined {
  const elements = x instanceof ImproperList ? x.elements : x;
  if (!Array.isArray(elements)) return undefined;
  const out: [string, string][] = [];
  for (const e of elements) {
    if (!(e instanceof Tuple) || e.elements.length !== 2) return undefined;
    const [key, value] = e.elements;
    if (Array.isArray(key) && key.length > 1023) return undefined;
    const k = decodeLStr(key as Term);
    const v = decodeLStr(value as Term);
    if (k === undefined || v === undefined) return undefined;
    out.push([k, v]);
  }
  return out;
}
