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
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pending = 1; // terms still to skip
  let p = off;
  const need = (n: number) => {
    if (p + n > b.length) throw new TermSkipError(`truncated term at ${p} (need ${n} bytes)`);
  };
  while (pending > 0) {
    pending--;
    need(1);
    const tag = b[p++]!;
    // biome-ignore format: one line per tag keeps the ETF tag table readable
    switch (tag) {
      case 97: // SMALL_INTEGER
        need(1); p += 1; break;
      case 98: // INTEGER
        need(4); p += 4; break;
      case 70: // NEW_FLOAT
        need(8); p += 8; break;
      case 99: // FLOAT (old)
        need(31); p += 31; break;
      case 82: // ATOM_CACHE_REF
        need(1); p += 1; break;
      case 100: // ATOM_EXT
      case 118: { // ATOM_UTF8
        need(2); const n = dv.getUint16(p); p += 2; need(n); p += n; break;
      }
      case 115: // SMALL_ATOM
      case 119: { // SMALL_ATOM_UTF8
        need(1); const n = b[p]!; p += 1; need(n); p += n; break;
      }
      case 106: // NIL
        break;
      case 104: { // SMALL_TUPLE
        need(1); pending += b[p]!; p += 1; break;
      }
      case 105: { // LARGE_TUPLE
        need(4); pending += dv.getUint32(p); p += 4; break;
      }
      case 116: { // MAP
        need(4); pending += 2 * dv.getUint32(p); p += 4; break;
      }
      case 108: { // LIST: n elements + tail
        need(4); pending += dv.getUint32(p) + 1; p += 4; break;
      }
      case 107: { // STRING
        need(2); const n = dv.getUint16(p); p += 2; need(n); p += n; break;
      }
      case 109: { // BINARY
        need(4); const n = dv.getUint32(p); p += 4; need(n); p += n; break;
      }
      case 77: { // BIT_BINARY
        need(5); const n = dv.getUint32(p); p += 5; need(n); p += n; break;
      }
      case 110: { // SMALL_BIG
        need(1); const n = b[p]!; p += 2; need(n); p += n; break;
      }
      case 111: { // LARGE_BIG
        need(4); const n = dv.getUint32(p); p += 5; need(n); p += n; break;
      }
      case 103: // PID: node, u32 id, u32 serial, u8 creation
        p = afterNode(b, dv, p, 9); break;
      case 88: // NEW_PID: node, u32, u32, u32
        p = afterNode(b, dv, p, 12); break;
      case 102: // PORT: node, u32 id, u8 creation
        p = afterNode(b, dv, p, 5); break;
      case 89: // NEW_PORT: node, u32 id, u32 creation
        p = afterNode(b, dv, p, 8); break;
      case 120: // V4_PORT: node, u64 id, u32 creation
        p = afterNode(b, dv, p, 12); break;
      case 101: // REFERENCE: node, u32 id, u8 creation
        p = afterNode(b, dv, p, 5); break;
      case 114: // NEW_REFERENCE: u16 len, node, u8 creation, len*u32
      case 90: { // NEWER_REFERENCE: u16 len, node, u32 creation, len*u32
        need(2); const len = dv.getUint16(p); p += 2;
        p = afterNode(b, dv, p, (tag === 114 ? 1 : 4) + 4 * len); break;
      }
      case 113: // EXPORT: module, function, arity
        pending += 3; break;
      case 112: { // NEW_FUN: u32 Size counts itself and everything after the tag
        need(4); const size = dv.getUint32(p); if (size < 4) throw new TermSkipError('bad NEW_FUN size'); need(size); p += size; break;
      }
      case 117: { // FUN (old): u32 NumFree, Pid, Module, Index, Uniq, FreeVars
        need(4); pending += 4 + dv.getUint32(p); p += 4; break;
      }
      default:
        throw new TermSkipError(`unsupported or invalid ETF tag ${tag} at ${p - 1}`);
    }
    if (p > b.length) throw new TermSkipError(`truncated term (ends at ${p} > ${b.length})`);
  }
  return p;
}

// pid/port/ref: a node atom followed by `rest` fixed bytes.
function afterNode(b: Uint8Array, dv: DataView, p: number, rest: number): number {
  const start = p;
  if (p >= b.length) throw new TermSkipError(`truncated node atom at ${p}`);
  const tag = b[p]!;
  let q: number;
  if (tag === 100 || tag === 118) {
    if (p + 3 > b.length) throw new TermSkipError('truncated node atom');
    q = p + 3 + dv.getUint16(p + 1);
  } else if (tag === 115 || tag === 119) {
    if (p + 2 > b.length) throw new TermSkipError('truncated node atom');
    q = p + 2 + b[p + 1]!;
  } else if (tag === 82) {
    q = p + 2;
  } else {
    throw new TermSkipError(`expected node atom at ${start}, got tag ${tag}`);
  }
  q += rest;
  if (q > b.length) throw new TermSkipError('truncated pid/port/ref');
  return q;
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
 * skipTerm that also records, in `out`, the offset of every atom written in place of a term or a
 * pid's, port's or reference's node: the atoms a distribution header may replace by cache
 * references. A NEW_FUN is skipped whole (its size field counts its bytes, so its atoms stay).
 * Returns the offset just past the term; throws TermSkipError on malformed input.
 */
export function scanAtoms(b: Uint8Array, off: number, end: number, out: AtomSpans): number {
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
        if (p + 1 > end) truncated(p, 1); p += 1 + b[p]!; out.push(at); break;
      case 118: case 100: // ATOM_UTF8, ATOM
        if (p + 2 > end) truncated(p, 2); p += 2 + u16(b, p); out.push(at); break;
      case 82: // ATOM_CACHE_REF
        if (p + 1 > end) truncated(p, 1); p += 1; out.push(at); break;
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
function nodeThen(b: Uint8Array, p: number, end: number, rest: number, out: AtomSpans): number {
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
  out.push(p);
  q += rest;
  if (q > end) throw new TermSkipError('truncated pid/port/ref');
  return q;
}
