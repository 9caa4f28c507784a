/**
 * The distribution header's atom cache (spec §3.3; DFLAG_DIST_HDR_ATOM_CACHE), one per connection
 * and direction: 2048 slots (8 segments of 256). A frame's header lists the atoms its terms refer
 * to as `ATOM_CACHE_REF` (82, index): each one either new (its text, stored in its slot) or old
 * (just the slot, stored by an earlier frame). Receiving OTP then resolves those atoms by slot
 * instead of by text.
 *
 * Sending (`OutAtomCache`): the node half hands the transport finished terms (the byte contract in
 * transport.ts), so the atoms are found in the bytes (etf_skip.ts `scanAtoms`) and replaced while
 * the terms are copied into the frame. An atom goes to the slot its text hashes to, as OTP puts an
 * atom in the slot of its index; when two atoms of one frame want one slot, or a frame has more
 * than 255 distinct atoms, or an atom's text is over 255 bytes, the rest stay as text (always
 * allowed). The slot table changes only when a frame is written, and every frame that is built is
 * written, in order: the receiver's table follows ours exactly.
 */
import { type Atom, type AtomRefs, weakAtom } from '@beamline/etf';
import { AtomSpans, scanAtoms } from './etf_skip.ts';

export const ATOM_CACHE_SLOTS = 2048;
/** Refs one header can hold (NumberOfAtomCacheRefs is a byte). */
const MAX_REFS = 255;

export class AtomCacheError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'AtomCacheError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The receiving side: reads a header, updates the slots, and returns the atoms its refs name, in
 * order (the decoder's `atomCache` option). Throws AtomCacheError on a malformed header or a ref
 * to a slot no frame has filled.
 */
export class InAtomCache {
  private readonly slots: (Atom | undefined)[] = new Array(ATOM_CACHE_SLOTS).fill(undefined);
  /** Refs read: to a slot filled by an earlier frame (`old`), or with their text (`new`). */
  readonly counters = { old: 0, new: 0 };

  /** The header at `body[off]` (NumberOfAtomCacheRefs). Sets `refs` (undefined when N = 0); returns the offset after it. */
  read(body: Uint8Array, off: number): number {
    const end = body.length;
    if (off >= end) throw new AtomCacheError('truncated dist header');
    const n = body[off]!;
    let p = off + 1;
    if (n === 0) {
      this.refs = undefined;
      return p;
    }
    const flagBytes = (n >> 1) + 1;
    if (p + flagBytes > end) throw new AtomCacheError('truncated atom cache flags');
    const flags = p;
    p += flagBytes;
    const longAtoms = (nibble(body, flags, n) & 1) === 1;
    const refs: Atom[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const f = nibble(body, flags, i);
      if (p >= end) throw new AtomCacheError('truncated atom cache ref');
      const slot = ((f & 7) << 8) | body[p++]!;
      if ((f & 8) !== 0) {
        let len: number;
        if (longAtoms) {
          if (p + 2 > end) throw new AtomCacheError('truncated atom cache entry');
          len = (body[p]! << 8) | body[p + 1]!;
          p += 2;
        } else {
          if (p >= end) throw new AtomCacheError('truncated atom cache entry');
          len = body[p++]!;
        }
        if (p + len > end) throw new AtomCacheError('truncated atom cache entry text');
        let name: string;
        try {
          name = utf8.decode(body.subarray(p, p + len));
        } catch {
          throw new AtomCacheError(`atom cache entry ${i} is not UTF-8`);
        }
        if ([...name].length > 255) throw new AtomCacheError(`atom cache entry ${i} is over 255 characters`);
        p += len;
        const a = weakAtom(name);
        this.slots[slot] = a;
        refs[i] = a;
        this.counters.new++;
      } else {
        const a = this.slots[slot];
        if (a === undefined) throw new AtomCacheError(`atom cache ref ${i} names slot ${slot}, which no frame has filled`);
        refs[i] = a;
        this.counters.old++;
      }
    }
    this.refs = refs;
    return p;
  }

  /** The atoms of the last header read (index = ATOM_CACHE_REF index). */
  refs: Atom[] | undefined = undefined;
}

/** Nibble `i` of the flag bytes at `flags`: the low half of byte i/2 for even i, the high half for odd. */
function nibble(b: Uint8Array, flags: number, i: number): number {
  const byte = b[flags + (i >> 1)]!;
  return (i & 1) === 0 ? byte & 0xf : byte >> 4;
}

/** The slot an atom's text goes to (FNV-1a of its UTF-8 bytes). */
export function atomSlot(b: Uint8Array, start: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ b[start + i]!, 0x01000193);
  return (h ^ (h >>> 11) ^ (h >>> 22)) & (ATOM_CACHE_SLOTS - 1);
}

/** Where a frame goes: the connection's coalescing buffer (out_buffer.ts) is one. */
export interface FrameSink {
  reserve(n: number): Uint8Array;
  readonly pos: number;
  advance(n: number): void;
}

/**
 * The sending side. `write` puts one whole `len | 131 68 header | control | payload` frame into a
 * sink; counters say how it went.
 */
export class OutAtomCache implements AtomRefs {
  /** The text (UTF-8 bytes) in each slot, as the peer has it ... */
  private readonly texts: (Uint8Array | undefined)[] = new Array(ATOM_CACHE_SLOTS).fill(undefined);
  /** ... and the atom it was last written for by `ref` (a faster match than the text). */
  private readonly atoms: (Atom | undefined)[] = new Array(ATOM_CACHE_SLOTS).fill(undefined);
  // The refs `ref` gave out for the frame being encoded (see begin / ref / commit).
  private readonly refAtom: (Atom | undefined)[] = new Array(MAX_REFS).fill(undefined);
  private refs = 0;
  // Per frame: which slots it uses (a slot is in use when stamp[slot] === gen), by which ref.
  private readonly stamp = new Uint32Array(ATOM_CACHE_SLOTS);
  private readonly refOfSlot = new Uint8Array(ATOM_CACHE_SLOTS);
  private gen = 0;
  // The refs of the frame being built.
  private readonly refSlot = new Int32Array(MAX_REFS);
  private readonly refNew = new Uint8Array(MAX_REFS);
  private readonly refText: (Uint8Array | undefined)[] = new Array(MAX_REFS).fill(undefined);
  // Atom positions in the control term, then the payload; the ref each became (-1: left as text).
  private readonly spans = new AtomSpans();
  private spanRef = new Int16Array(64);

  /** Atoms written as refs to a slot the peer had (old), or with their text (new); atoms left as text. */
  readonly counters = { old: 0, new: 0, inline: 0 };

  /**
   * The one-pass way (connection.sendTerms): `begin`, encode the frame's terms with this object
   * as the writer's `atomRefs` hook, then `commit` writes the frame head (length and header) and
   * updates the slots; or `begin` again to drop an attempt (nothing of it is kept).
   */
  begin(): void {
    for (let i = 0; i < this.refs; i++) {
      this.refAtom[i] = undefined;
      this.refText[i] = undefined;
    }
    this.refs = 0;
    if (++this.gen === 0xffffffff) {
      this.stamp.fill(0);
      this.gen = 1;
    }
  }

  /** The writer's hook: the ref index for `a` in this frame, or -1 (written as text). */
  ref(a: Atom): number {
    let slot = a.refSlot;
    if (slot === -1) slot = a.refSlot = slotOfAtom(a);
    if (slot < 0) {
      this.counters.inline++;
      return -1;
    }
    if (this.stamp[slot] === this.gen) {
      const r = this.refOfSlot[slot]!;
      if (this.refAtom[r] === a) return r;
      this.counters.inline++; // another atom of this frame has the slot
      return -1;
    }
    if (this.refs >= MAX_REFS) {
      this.counters.inline++;
      return -1;
    }
    const r = this.refs++;
    this.stamp[slot] = this.gen;
    this.refOfSlot[slot] = r;
    this.refSlot[r] = slot;
    this.refAtom[r] = a;
    if (this.atoms[slot] === a) {
      this.refNew[r] = 0;
    } else {
      const known = this.texts[slot];
      const text = utf8Text(a);
      this.refNew[r] = known !== undefined && sameBytes(known, text, 0, text.length) ? 0 : 1;
      this.refText[r] = text;
    }
    return r;
  }

  /** Bytes `commit` writes before `dataLen` bytes of terms. */
  headLength(dataLen: number): number {
    return 4 + 3 + this.headerLength() + dataLen;
  }

  private headerLength(): number {
    const refs = this.refs;
    if (refs === 0) return 0;
    let n = (refs >> 1) + 1;
    for (let i = 0; i < refs; i++) n += this.refNew[i] === 1 ? 2 + this.refText[i]!.length : 1;
    return n;
  }

  /** Write `len | 131 68 header` for `dataLen` bytes of terms at `sink.pos` (room reserved by the caller); returns where the terms go. */
  commit(out: Uint8Array, at: number, dataLen: number): number {
    const refs = this.refs;
    const frameLen = 3 + this.headerLength() + dataLen;
    const p = this.writeHead(out, at, frameLen, refs);
    for (let i = 0; i < refs; i++) {
      const slot = this.refSlot[i]!;
      this.atoms[slot] = this.refAtom[i]!;
    }
    return p;
  }

  /**
   * Write `control` and `payload` (each with its 131 version byte, which the frame drops) as one
   * dist-header frame. Throws TermSkipError (before changing anything) when a term is malformed.
   */
  write(sink: FrameSink, control: Uint8Array, payload: Uint8Array | undefined): void {
    const spans = this.spans;
    spans.n = 0;
    scanAtoms(control, 1, control.length, spans);
    const nControl = spans.n;
    if (payload !== undefined) scanAtoms(payload, 1, payload.length, spans);
    if (++this.gen === 0xffffffff) {
      this.stamp.fill(0);
      this.gen = 1;
    }
    const gen = this.gen;
    if (this.spanRef.length < spans.n) this.spanRef = new Int16Array(spans.n * 2);
    const spanRef = this.spanRef;
    let refs = 0;
    let headerLen = 0;
    let saved = 0;
    for (let k = 0; k < spans.n; k++) {
      const b = k < nControl ? control : (payload as Uint8Array);
      const at = spans.pos[k]!;
      const tag = b[at]!;
      let start: number;
      let len: number;
      if (tag === 119) {
        len = b[at + 1]!;
        start = at + 2;
      } else if (tag === 118 && b[at + 1] === 0) {
        len = b[at + 2]!;
        start = at + 3;
      } else {
        spanRef[k] = -1; // latin-1 forms, long atoms, refs: as they are
        this.counters.inline++;
        continue;
      }
      const slot = atomSlot(b, start, len);
      let r: number;
      if (this.stamp[slot] === gen) {
        r = this.refOfSlot[slot]!;
        if (!sameBytes(this.refText[r]!, b, start, len)) r = -1; // another atom of this frame has the slot
      } else if (refs < MAX_REFS) {
        r = refs++;
        this.stamp[slot] = gen;
        this.refOfSlot[slot] = r;
        this.refSlot[r] = slot;
        const known = this.texts[slot];
        if (known !== undefined && sameBytes(known, b, start, len)) {
          this.refNew[r] = 0;
          this.refText[r] = known;
          headerLen += 1;
        } else {
          const text = b.slice(start, start + len);
          this.refNew[r] = 1;
          this.refText[r] = text;
          this.atoms[slot] = undefined;
          headerLen += 2 + len;
        }
      } else r = -1;
      spanRef[k] = r;
      if (r < 0) this.counters.inline++;
      else saved += start - at + len - 2;
    }
    if (refs > 0) headerLen += (refs >> 1) + 1;
    const dataLen = control.length - 1 + (payload === undefined ? 0 : payload.length - 1) - saved;
    const frameLen = 3 + headerLen + dataLen;
    const out = sink.reserve(4 + frameLen);
    let p = this.writeHead(out, sink.pos, frameLen, refs);
    for (let i = 0; i < refs; i++) this.refText[i] = undefined;
    p = copyTerm(out, p, control, spanRef, spans.pos, 0, nControl);
    if (payload !== undefined) p = copyTerm(out, p, payload, spanRef, spans.pos, nControl, spans.n);
    sink.advance(4 + frameLen);
  }

  /**
   * The frame's length, `131 68`, the number of refs, the flag nibbles (NewCacheEntry (8) |
   * segment, then one more nibble: LongAtoms = 0) and each of the first `refs` refs' slot (and text
   * when new); a new text is remembered for its slot. Returns where the terms go.
   */
  private writeHead(out: Uint8Array, at: number, frameLen: number, refs: number): number {
    let p = distHeaderStart(out, at, frameLen, refs);
    if (refs === 0) return p;
    const flagBytes = (refs >> 1) + 1;
    for (let i = 0; i < flagBytes; i++) out[p + i] = 0;
    for (let i = 0; i < refs; i++) {
      const f = (this.refNew[i] === 1 ? 8 : 0) | (this.refSlot[i]! >> 8);
      out[p + (i >> 1)] |= (i & 1) === 0 ? f : f << 4;
    }
    p += flagBytes;
    for (let i = 0; i < refs; i++) {
      const slot = this.refSlot[i]!;
      out[p++] = slot & 0xff;
      if (this.refNew[i] === 1) {
        const text = this.refText[i]!;
        out[p++] = text.length;
        for (let j = 0; j < text.length; j++) out[p + j] = text[j]!;
        p += text.length;
        this.texts[slot] = text;
        this.counters.new++;
      } else this.counters.old++;
    }
    return p;
  }
}

/** A dist-header frame's first 7 bytes: its length, `131 68` and the number of atom cache refs; returns what follows. */
export function distHeaderStart(out: Uint8Array, p: number, frameLen: number, refs: number): number {
  out[p] = frameLen >>> 24;
  out[p + 1] = frameLen >>> 16;
  out[p + 2] = frameLen >>> 8;
  out[p + 3] = frameLen;
  out[p + 4] = 131;
  out[p + 5] = 68;
  out[p + 6] = refs;
  return p + 7;
}

/** The UTF-8 text of `a`, from the encoder's cached encoding (tag, length, text) when it has one. */
function utf8Text(a: Atom): Uint8Array {
  const enc = a.encoded;
  if (enc !== undefined && enc[0] === 119) return enc.subarray(2);
  return textEncoder.encode(a.name);
}

const textEncoder = new TextEncoder();

/** The slot of `a` (as `atomSlot` of its text); -2 when its text is over 255 bytes (never cached). */
function slotOfAtom(a: Atom): number {
  const text = utf8Text(a);
  return text.length > 255 ? -2 : atomSlot(text, 0, text.length);
}

function sameBytes(a: Uint8Array, b: Uint8Array, start: number, len: number): boolean {
  if (a.length !== len) return false;
  for (let i = 0; i < len; i++) if (a[i] !== b[start + i]) return false;
  return true;
}

/** Copy `src[1..]` to `out` at `p`, atoms k in [from, to) that became refs written as `82, ref`. */
function copyTerm(out: Uint8Array, p: number, src: Uint8Array, spanRef: Int16Array, pos: Int32Array, from: number, to: number): number {
  let s = 1;
  for (let k = from; k < to; k++) {
    const r = spanRef[k]!;
    if (r < 0) continue;
    const at = pos[k]!;
    p = copyRange(out, p, src, s, at);
    out[p] = 82; // ATOM_CACHE_REF
    out[p + 1] = r;
    p += 2;
    s = src[at] === 119 ? at + 2 + src[at + 1]! : at + 3 + src[at + 2]!;
  }
  return copyRange(out, p, src, s, src.length);
}

/** Copy `src[from..to)` to `out` at `p` (a loop for a few bytes, where `set` costs more); returns the offset after it. */
export function copyRange(out: Uint8Array, p: number, src: Uint8Array, from: number, to: number): number {
  const n = to - from;
  if (n <= 16) for (let i = 0; i < n; i++) out[p + i] = src[from + i]!;
  else out.set(src.subarray(from, to), p);
  return p + n;
}
