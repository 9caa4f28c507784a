/**
 * The input decoders of spec §0.4–§0.5: `SB` (string-or-binary), `LStr` (list string only), atom
 * lists and `{Key, Value}` header lists. Pure; a decoder returns `undefined` for "does not decode".
 */
import { Atom, type Term, Tuple } from '@beamline/etf';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A list of integers 0..255 (STRING_EXT decodes to one; so does a LIST_EXT of bytes). */
function isByteList(x: Term): x is number[] {
  if (!Array.isArray(x)) return false;
  for (const b of x) if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) return false;
  return true;
}

function bytesText(bytes: ArrayLike<number>): string {
  return utf8.decode(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
}

/**
 * `SB(max)`: an Erlang string of bytes or a binary → its text; `[]` and the "size 0" terms
 * (integers of 32 bits, floats, pids, refs, `''`, `{}`, `<<>>`, `#{}`) → '' (the original's quirk:
 * `{api, status, 42}` runs `status` with no argument); anything else (a bignum too), or longer than
 * `max` bytes → undefined.
 */
export function decodeSB(x: Term, max = Number.POSITIVE_INFINITY): string | undefined {
  if (x instanceof Uint8Array) return x.length > max ? undefined : bytesText(x);
  if (Array.isArray(x)) {
    if (x.length === 0) return '';
    if (!isByteList(x) || x.length > 65535 || x.length > max) return undefined;
    return bytesText(x);
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
  return isByteList(x) ? bytesText(x) : undefined;
}

/**
 * The atoms after the tag (§0.5): decoding stops at the first element that is not an atom (it and
 * every element after it are ignored).
 */
export function leadingAtoms(elements: readonly Term[]): Atom[] {
  const out: Atom[] = [];
  for (const e of elements) {
    if (!(e instanceof Atom)) break;
    out.push(e);
  }
  return out;
}

/**
 * A header list (§1.12): a proper list of `{Key, Value}` with both `LStr`, key ≤ 1023 bytes.
 * Any other element → undefined (nothing is fired).
 */
export function decodeHeaders(x: Term): [string, string][] | undefined {
  if (!Array.isArray(x)) return undefined;
  const out: [string, string][] = [];
  for (const e of x) {
    if (!(e instanceof Tuple) || e.elements.length !== 2) return undefined;
    const k = decodeLStr(e.elements[0]);
    const v = decodeLStr(e.elements[1]);
    if (k === undefined || v === undefined || Buffer.byteLength(k) > 1023) return undefined;
    out.push([k, v]);
  }
  return out;
}
