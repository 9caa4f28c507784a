/**
 * Post-handshake frame bodies (spec §3.2, §3.4): pure encoding into socket writes and decoding:
 * fragment reassembly, then either the unsplit terms (the node's onFrame path, no extra parse) or
 * (control, payload) pairs split by etf_skip.ts (the onMessage path). No I/O, no timers.
 *
 * Both directions use the same mode, fixed by the negotiated flags:
 *   pass-through : 112 | 131 Control | [131 Payload]
 *   dist header  : 131 68 0 | Control | [Payload]            (terms without 131)
 *                  131 69 Seq FragId 0 | part   (first fragment, FragId = total count)
 *                  131 70 Seq FragId   | part   (next fragments, FragId counts down to 1)
 */
import type { Atom } from '@beamline/etf';
import { AtomCacheError, InAtomCache } from './atom_cache.ts';
import { AtomSpans, scanAtoms, skipTerm, TermSkipError } from './etf_skip.ts';

export class FrameError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'FrameError';
  }
}

/** The list of buffers making one or more complete 4-byte-length frames (written in order). */
export type Writes = Uint8Array[];

function u32be(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}

/** Pass-through: one frame. */
export function encodePassThrough(control: Uint8Array, payload?: Uint8Array): Writes {
  const len = 1 + control.length + (payload ? payload.length : 0);
  const hdr = new Uint8Array(5);
  new DataView(hdr.buffer).setUint32(0, len);
  hdr[4] = 112;
  return payload ? [hdr, control, payload] : [hdr, control];
}

/**
 * Dist-header mode. Bodies larger than `fragmentSize` data bytes are split into fragments of
 * `fragmentSize` bytes (OTP uses 64 KiB); `seq` identifies the sequence.
 */
export function encodeDistHeader(control: Uint8Array, payload: Uint8Array | undefined, fragmentSize: number, seq: bigint): Writes {
  const c = control.subarray(1);
  const p = payload ? payload.subarray(1) : undefined;
  const dataLen = c.length + (p ? p.length : 0);
  if (dataLen <= fragmentSize) {
    const hdr = new Uint8Array(7);
    new DataView(hdr.buffer).setUint32(0, 3 + dataLen);
    hdr[4] = 131;
    hdr[5] = 68;
    hdr[6] = 0;
    return p ? [hdr, c, p] : [hdr, c];
  }
  const segs: Uint8Array[] = p ? [c, p] : [c];
  const count = Math.ceil(dataLen / fragmentSize);
  const out: Writes = [];
  let segIdx = 0;
  let segOff = 0;
  for (let fragId = count; fragId >= 1; fragId--) {
    const first = fragId === count;
    const partLen = Math.min(fragmentSize, dataLen - (count - fragId) * fragmentSize);
    const hlen = first ? 2 + 16 + 1 : 2 + 16;
    const hdr = new Uint8Array(4 + hlen);
    const dv = new DataView(hdr.buffer);
    dv.setUint32(0, hlen + partLen);
    hdr[4] = 131;
    hdr[5] = first ? 69 : 70;
    dv.setBigUint64(6, seq);
    dv.setBigUint64(14, BigInt(fragId));
    if (first) hdr[22] = 0;
    out.push(hdr);
    let left = partLen;
    while (left > 0) {
      const s = segs[segIdx]!;
      const k = Math.min(left, s.length - segOff);
      out.push(s.subarray(segOff, segOff + k));
      left -= k;
      segOff += k;
      if (segOff === s.length) {
        segIdx++;
        segOff = 0;
      }
    }
  }
  return out;
}

export const TICK: Uint8Array = u32be(0);

// ---- decoding -------------------------------------------------------------------------------

export interface Decoded {
  control: Uint8Array; // with 131
  payload: Uint8Array | undefined; // with 131
}

interface Reassembly {
  parts: Uint8Array[];
  /** The atoms of the first fragment's header. */
  atoms: Atom[] | undefined;
  bytes: number;
  nextId: bigint;
  lastSeen: number;
}

/**
 * Inbound decoder for one connection: `reassemble(body)` (the node's path: terms left for the
 * decoder) or `decode(body)` (split into the onMessage pair). Throws FrameError on malformed input.
 */
export class FrameDecoder {
  private readonly seqs = new Map<bigint, Reassembly>();
  private reassemblyBytes = 0;
  fragmentsIn = 0;

  /** The header's atom cache, when DIST_HDR_ATOM_CACHE was negotiated (else every header has N = 0). */
  private readonly atomCache: InAtomCache | undefined;

  constructor(
    private readonly distHeader: boolean,
    private readonly maxMessageBytes: number,
    atomCache = false,
  ) {
    this.versioned = !distHeader;
    this.atomCache = atomCache ? new InAtomCache() : undefined;
  }

  /** Atom cache refs read so far (undefined without the atom cache). */
  get atomCacheCounters(): { old: number; new: number } | undefined {
    const c = this.atomCache?.counters;
    return c ? { ...c } : undefined;
  }

  /** After `reassemble()` returned true: the atoms its ATOM_CACHE_REFs name (undefined: none). */
  atoms: Atom[] | undefined = undefined;

  /** After `reassemble()` returned true: the buffer holding the message's terms ... */
  bytes: Uint8Array = new Uint8Array(0);
  /** ... the offset of the control term in it, and whether each term carries its 131 byte. */
  start = 0;
  readonly versioned: boolean;

  /**
   * Take one frame body. True when it completes a message, which is then `bytes[start..]`: the
   * control term and the optional payload term, back to back, split and validated by nobody yet
   * (the node half decodes them in one pass). False for a non-final fragment. Throws FrameError
   * on a malformed header or fragment.
   */
  reassemble(body: Uint8Array, now = Date.now()): boolean {
    if (body.length === 0) throw new FrameError('empty body');
    if (!this.distHeader) {
      if (body[0] !== 112)
        throw new FrameError(
          `expected pass-through frame (112), got ${body[0]}${body[0] === 131 ? ' (dist header on a pass-through connection)' : ''}`,
        );
      return this.complete(body, 1, undefined);
    }
    if (body[0] !== 131 || body.length < 3)
      throw new FrameError(`expected dist header (131), got ${body[0]}${body[0] === 112 ? ' (pass-through frame on a dist-header connection)' : ''}`);
    const kind = body[1];
    if (kind === 68) {
      const start = this.header(body, 2);
      return this.complete(body, start, this.atomCache?.refs);
    }
    if (kind === 69 || kind === 70) {
      if (body.length < 18) throw new FrameError('truncated fragment header');
      this.fragmentsIn++;
      const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
      const seq = dv.getBigUint64(2);
      const fragId = dv.getBigUint64(10);
      if (fragId === 0n) throw new FrameError('fragment id 0');
      if (kind === 69) {
        if (this.seqs.has(seq)) throw new FrameError(`fragment sequence ${seq} started twice`);
        const dataStart = this.header(body, 18);
        const atoms = this.atomCache?.refs;
        const part = body.subarray(dataStart);
        if (fragId === 1n) return this.complete(body, dataStart, atoms);
        this.account(part.length);
        // copy: the socket chunk may be reused
        this.seqs.set(seq, { parts: [part.slice()], atoms, bytes: part.length, nextId: fragId - 1n, lastSeen: now });
        return false;
      }
      const r = this.seqs.get(seq);
      if (!r) throw new FrameError(`fragment for unknown sequence ${seq}`);
      if (fragId !== r.nextId) throw new FrameError(`fragment ${fragId} out of order in sequence ${seq} (expected ${r.nextId})`);
      const part = body.subarray(18);
      this.account(part.length);
      r.bytes += part.length;
      r.lastSeen = now;
      if (fragId > 1n) {
        r.parts.push(part.slice());
        r.nextId = fragId - 1n;
        return false;
      }
      this.seqs.delete(seq);
      this.reassemblyBytes -= r.bytes;
      const whole = new Uint8Array(r.bytes);
      let o = 0;
      for (const pp of r.parts) {
        whole.set(pp, o);
        o += pp.length;
      }
      whole.set(part, o);
      return this.complete(whole, 0, r.atoms);
    }
    throw new FrameError(`unknown dist header kind ${kind}`);
  }

  private complete(bytes: Uint8Array, start: number, atoms: Atom[] | undefined): true {
    this.bytes = bytes;
    this.start = start;
    this.atoms = atoms;
    return true;
  }

  /** The atom cache part of a header at `body[nOff]` (its atoms: `atomCache.refs`); returns where the terms start. */
  private header(body: Uint8Array, nOff: number): number {
    if (nOff >= body.length) throw new FrameError('truncated dist header');
    const cache = this.atomCache;
    if (cache === undefined) {
      const n = body[nOff]!;
      if (n !== 0) throw new FrameError(`atom cache refs (${n}) in a dist header, but DIST_HDR_ATOM_CACHE was not negotiated`);
      return nOff + 1;
    }
    try {
      return cache.read(body, nOff);
    } catch (e) {
      if (e instanceof AtomCacheError) throw new FrameError(e.message);
      throw e;
    }
  }

  /** `reassemble()` and split into (control, payload), each with its 131 (the onMessage form). */
  decode(body: Uint8Array, now = Date.now()): Decoded | undefined {
    if (!this.reassemble(body, now)) return undefined;
    return splitTerms(this.bytes, this.start, this.versioned, this.atoms);
  }

  private account(n: number): void {
    this.reassemblyBytes += n;
    if (this.reassemblyBytes > this.maxMessageBytes) throw new FrameError(`fragment reassembly exceeds ${this.maxMessageBytes} bytes`);
  }

  /** Drop sequences with no fragment for `maxAgeMs`; returns how many were dropped. */
  expire(now: number, maxAgeMs: number): number {
    let n = 0;
    for (const [seq, r] of this.seqs) {
      if (now - r.lastSeen > maxAgeMs) {
        this.seqs.delete(seq);
        this.reassemblyBytes -= r.bytes;
        n++;
      }
    }
    return n;
  }

  get pendingSequences(): number {
    return this.seqs.size;
  }
}

/**
 * Split [control][payload] starting at `off`. `versioned`: each term carries its own 131
 * (pass-through). Otherwise terms have none and we produce 131-prefixed views: the control term
 * is copied into a fresh buffer and the byte before the payload (the control's last byte, already
 * copied) is overwritten with 131, so the (possibly huge) payload is not copied.
 */
export function splitTerms(body: Uint8Array, off: number, versioned: boolean, atoms?: readonly Atom[]): Decoded {
  try {
    if (atoms !== undefined) return splitWithRefs(body, off, atoms);
    if (versioned) {
      if (body[off] !== 131) throw new FrameError(`control term lacks the 131 version byte`);
      const end = skipTerm(body, off + 1);
      const control = body.subarray(off, end);
      if (end === body.length) return { control, payload: undefined };
      if (body[end] !== 131) throw new FrameError('payload term lacks the 131 version byte');
      const pend = skipTerm(body, end + 1);
      if (pend !== body.length) throw new FrameError(`${body.length - pend} trailing bytes after the payload term`);
      return { control, payload: body.subarray(end) };
    }
    if (off >= body.length) throw new FrameError('missing control term');
    const end = skipTerm(body, off);
    const control = new Uint8Array(end - off + 1);
    control[0] = 131;
    control.set(body.subarray(off, end), 1);
    if (end === body.length) return { control, payload: undefined };
    const pend = skipTerm(body, end);
    if (pend !== body.length) throw new FrameError(`${body.length - pend} trailing bytes after the payload term`);
    body[end - 1] = 131;
    return { control, payload: body.subarray(end - 1) };
  } catch (e) {
    if (e instanceof TermSkipError) throw new FrameError(`malformed term: ${e.message}`);
    throw e;
  }
}

const utf8 = new TextEncoder();

/**
 * splitTerms for a frame whose terms use ATOM_CACHE_REFs (the onMessage form has no header to
 * resolve them by): each term is copied with its refs written as the atoms' text.
 */
function splitWithRefs(body: Uint8Array, off: number, atoms: readonly Atom[]): Decoded {
  if (off >= body.length) throw new FrameError('missing control term');
  const control = inlineRefs(body, off, atoms);
  if (control.end === body.length) return { control: control.term, payload: undefined };
  const payload = inlineRefs(body, control.end, atoms);
  if (payload.end !== body.length) throw new FrameError(`${body.length - payload.end} trailing bytes after the payload term`);
  return { control: control.term, payload: payload.term };
}

function inlineRefs(b: Uint8Array, off: number, atoms: readonly Atom[]): { term: Uint8Array; end: number } {
  const spans = new AtomSpans();
  const end = scanAtoms(b, off, b.length, spans);
  const parts: Uint8Array[] = [Uint8Array.of(131)];
  let s = off;
  for (let k = 0; k < spans.n; k++) {
    const at = spans.pos[k]!;
    if (b[at] !== 82) continue;
    const a = atoms[b[at + 1]!];
    if (a === undefined) throw new FrameError(`atom cache reference ${b[at + 1]} is not in this frame's header`);
    const text = utf8.encode(a.name);
    parts.push(
      b.subarray(s, at),
      text.length <= 255 ? Uint8Array.of(119, text.length) : Uint8Array.of(118, text.length >> 8, text.length & 255),
      text,
    );
    s = at + 2;
  }
  parts.push(b.subarray(s, end));
  return { term: Buffer.concat(parts), end };
}
