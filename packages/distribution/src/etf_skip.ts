/**
 * Find where one ETF term ends without decoding it (the transport only needs to split the
 * control term from the payload term in a frame; decoding is the node half's job).
 * Iterative (no recursion), so hostile nesting cannot overflow the stack.
 */
export class TermSkipError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'TermSkipError';
  }
}

/** Offset just past the term starting at `off` (no version byte at `off`). Throws on malformed input. */
export function skipTerm(b: Uint8Array, off: number): number {
  return scanAtoms(b, off, b.length);
}

/** Where the atom terms of a term are (see scanAtoms): `pos[0..n)` offsets of their tags. */
export class AtomSpans {
  pos = new Int32Array(64);
  n = 0;

  push(p: number): void {
    if (this.n === this.pos.length) {
      const next = new Int32Array(this.pos.length * 2);
      next.set(this.pos);
      this.pos = next;
    }
    this.pos[this.n++] = p;
  }
}

/**
 * Skips the term at `off` (ending by `end`), recording in `out`, if given, the offset of every atom
 * written in place of a term or a pid's, port's or reference's node: the atoms a distribution
 * header may replace by cache references. A NEW_FUN is skipped whole (its size field counts its
 * bytes, so its atoms stay). Returns the offset just past the term; throws TermSkipError on
 * malformed input.
 */
export function scanAtoms(b: Uint8Array, off: number, end: number, out?: AtomSpans): number {
  // no closures here: this runs once per message sent, and each closure made per call shows
  let pending = 1;
  let p = off;
  while (pending > 0) {
    pending--;
    if (p + 1 > end) truncated(p, 1);
    const at = p;
    const tag = b[p++]!;
    // biome-ignore format: one line per tag keeps the ETF tag table readable
    switch (tag) {
      case 119: case 115: // SMALL_ATOM_UTF8, SMALL_ATOM
        if (p + 1 > end) truncated(p, 1); p += 1 + b[p]!; out?.push(at); break;
      case 118: case 100: // ATOM_UTF8, ATOM
        if (p + 2 > end) truncated(p, 2); p += 2 + u16(b, p); out?.push(at); break;
      case 82: // ATOM_CACHE_REF
        if (p + 1 > end) truncated(p, 1); p += 1; out?.push(at); break;
      case 97: if (p + 1 > end) truncated(p, 1); p += 1; break; // SMALL_INTEGER
      case 98: if (p + 4 > end) truncated(p, 4); p += 4; break; // INTEGER
      case 70: if (p + 8 > end) truncated(p, 8); p += 8; break; // NEW_FLOAT
      case 99: if (p + 31 > end) truncated(p, 31); p += 31; break; // FLOAT (old)
      case 106: break; // NIL
      case 104: if (p + 1 > end) truncated(p, 1); pending += b[p]!; p += 1; break; // SMALL_TUPLE
      case 105: if (p + 4 > end) truncated(p, 4); pending += u32(b, p); p += 4; break; // LARGE_TUPLE
      case 116: if (p + 4 > end) truncated(p, 4); pending += 2 * u32(b, p); p += 4; break; // MAP
      case 108: if (p + 4 > end) truncated(p, 4); pending += u32(b, p) + 1; p += 4; break; // LIST: elements + tail
      case 107: if (p + 2 > end) truncated(p, 2); p += 2 + u16(b, p); break; // STRING
      case 109: if (p + 4 > end) truncated(p, 4); p += 4 + u32(b, p); break; // BINARY
      case 77: if (p + 5 > end) truncated(p, 5); p += 5 + u32(b, p); break; // BIT_BINARY
      case 110: if (p + 1 > end) truncated(p, 1); p += 2 + b[p]!; break; // SMALL_BIG
      case 111: if (p + 4 > end) truncated(p, 4); p += 5 + u32(b, p); break; // LARGE_BIG
      case 103: p = nodeThen(b, p, end, 9, out); break; // PID
      case 88: p = nodeThen(b, p, end, 12, out); break; // NEW_PID
      case 102: p = nodeThen(b, p, end, 5, out); break; // PORT
      case 89: p = nodeThen(b, p, end, 8, out); break; // NEW_PORT
      case 120: p = nodeThen(b, p, end, 12, out); break; // V4_PORT
      case 101: p = nodeThen(b, p, end, 5, out); break; // REFERENCE
      case 114: case 90: { // NEW_REFERENCE, NEWER_REFERENCE
        if (p + 2 > end) truncated(p, 2); const len = u16(b, p); p += 2;
        p = nodeThen(b, p, end, (tag === 114 ? 1 : 4) + 4 * len, out); break;
      }
      case 113: pending += 3; break; // EXPORT: module, function, arity
      case 112: { // NEW_FUN, skipped by its size
        if (p + 4 > end) truncated(p, 4); const size = u32(b, p); if (size < 4) throw new TermSkipError('bad NEW_FUN size'); if (p + size > end) truncated(p, size); p += size; break;
      }
      case 117: if (p + 4 > end) truncated(p, 4); pending += 4 + u32(b, p); p += 4; break; // FUN (old)
      default:
        throw new TermSkipError(`unsupported or invalid ETF tag ${tag} at ${at}`);
    }
    if (p > end) throw new TermSkipError(`truncated term (ends at ${p} > ${end})`);
  }
  return p;
}

function u16(b: Uint8Array, q: number): number {
  return (b[q]! << 8) | b[q + 1]!;
}

function u32(b: Uint8Array, q: number): number {
  return ((b[q]! << 24) | (b[q + 1]! << 16) | (b[q + 2]! << 8) | b[q + 3]!) >>> 0;
}

function truncated(p: number, n: number): never {
  throw new TermSkipError(`truncated term at ${p} (need ${n} bytes)`);
}

// pid/port/ref: a node atom (recorded) followed by `rest` fixed bytes.
function nodeThen(b: Uint8Array, p: number, end: number, rest: number, out: AtomSpans | undefined): number {
  if (p >= end) throw new TermSkipError(`truncated node atom at ${p}`);
  const tag = b[p]!;
  let q: number;
  if (tag === 100 || tag === 118) {
    if (p + 3 > end) throw new TermSkipError('truncated node atom');
    q = p + 3 + ((b[p + 1]! << 8) | b[p + 2]!);
  } else if (tag === 115 || tag === 119) {
    if (p + 2 > end) throw new TermSkipError('truncated node atom');
    q = p + 2 + b[p + 1]!;
  } else if (tag === 82) {
    q = p + 2;
  } else {
    throw new TermSkipError(`expected node atom at ${p}, got tag ${tag}`);
  }
  out?.push(p);
  q += rest;
  if (q > end) throw new TermSkipError('truncated pid/port/ref');
  return q;
}
