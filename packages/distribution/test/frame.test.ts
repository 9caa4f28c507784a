/** Frame bodies (spec §3.2, §3.4): pass-through, dist header, fragments; term skipping. */
import { describe, expect, it } from 'vitest';
import { skipTerm, TermSkipError } from '../src/etf_skip.ts';
import { encodeDistHeader, encodePassThrough, FrameDecoder, FrameError } from '../src/frame.ts';
import { A, etf, hex, T } from './helpers/transport_kit.ts';

/** Split the writes of encode* into frame bodies (drop the 4-byte length prefixes). */
function bodies(writes: Uint8Array[]): Uint8Array[] {
  const all = Buffer.concat(writes);
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < all.length) {
    const len = new DataView(all.buffer, all.byteOffset + o).getUint32(0);
    out.push(all.slice(o + 4, o + 4 + len));
    o += 4 + len;
  }
  return out;
}

const pid = { pid: { node: 'ts@localhost', id: 1, serial: 0, creation: 7 } };
const control = etf(T(6, pid, A(''), A('rex')));

describe('skipTerm', () => {
  it('finds the end of every tag family', () => {
    const samples: Uint8Array[] = [
      etf(T(1, 300, A('a'), [1, 2, 3], new Uint8Array([9, 9]), pid, [])),
      Uint8Array.from([131, 116, 0, 0, 0, 1, 97, 1, 97, 2]), // #{1 => 2}
      Uint8Array.from([131, 110, 2, 0, 1, 1]), // small big
      Uint8Array.from([131, 111, 0, 0, 0, 1, 1, 5]), // large big
      Uint8Array.from([131, 70, 0, 0, 0, 0, 0, 0, 0, 0]), // new float
      Uint8Array.from([131, 107, 0, 2, 104, 105]), // "hi"
      Uint8Array.from([131, 77, 0, 0, 0, 1, 3, 0xe0]), // <<7:3>>
      Uint8Array.from([131, 113, 119, 1, 109, 119, 1, 102, 97, 0]), // fun m:f/0
      Uint8Array.from([131, 90, 0, 1, 119, 1, 110, 0, 0, 0, 1, 0, 0, 0, 5]), // newer ref
      Uint8Array.from([131, 120, 119, 1, 110, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]), // v4 port
      Uint8Array.from([131, 108, 0, 0, 0, 1, 97, 1, 97, 2]), // [1|2]
      Uint8Array.from([131, 112, 0, 0, 0, 8, 1, 2, 3, 4]), // NEW_FUN (opaque, size counts itself)
    ];
    for (const s of samples) expect(skipTerm(s, 1)).toBe(s.length);
  });
  it('throws on truncation and unknown tags', () => {
    const s = etf(T(1, 2, 3));
    expect(() => skipTerm(s.subarray(0, s.length - 1), 1)).toThrow(TermSkipError);
    expect(() => skipTerm(Uint8Array.from([131, 200]), 1)).toThrow(/unsupported/);
    expect(() => skipTerm(Uint8Array.from([131, 109, 255, 255, 255, 255]), 1)).toThrow(TermSkipError);
  });
  it('survives hostile nesting without recursion', () => {
    const depth = 200_000;
    const b = new Uint8Array(1 + depth * 2 + 1);
    b[0] = 131;
    for (let i = 0; i < depth; i++) b.set([104, 1], 1 + i * 2);
    b[b.length - 1] = 106;
    expect(skipTerm(b, 1)).toBe(b.length);
  });
});

describe('pass-through', () => {
  it('encodes len | 112 | control | payload and decodes it back with the 131 bytes', () => {
    const payload = etf(T(A('hello'), new Uint8Array([1, 2, 3])));
    const [body] = bodies(encodePassThrough(control, payload));
    expect(body![0]).toBe(112);
    const d = new FrameDecoder(false, 1 << 20).decode(body!)!;
    expect(hex(d.control)).toBe(hex(control));
    expect(hex(d.payload)).toBe(hex(payload));
  });
  it('control-only frames have no payload', () => {
    const [body] = bodies(encodePassThrough(control));
    expect(new FrameDecoder(false, 1 << 20).decode(body!)!.payload).toBeUndefined();
  });
  it('rejects a dist-header frame, trailing garbage and a payload without 131', () => {
    const dec = new FrameDecoder(false, 1 << 20);
    expect(() => dec.decode(Uint8Array.from([131, 68, 0, 106]))).toThrow(/dist header on a pass-through/);
    expect(() => dec.decode(Buffer.concat([Uint8Array.of(112), control, Uint8Array.of(131, 106, 1)]))).toThrow(/trailing/);
    expect(() => dec.decode(Buffer.concat([Uint8Array.of(112), control, Uint8Array.of(106)]))).toThrow(FrameError);
    expect(() => dec.decode(Uint8Array.of(112, 131, 104, 5))).toThrow(/malformed term/);
  });
});

describe('dist header and fragments', () => {
  it('small messages: 131 68 0 | control | payload without version bytes', () => {
    const payload = etf(new Uint8Array([5, 6]));
    const [body] = bodies(encodeDistHeader(control, payload, 65536, 1n));
    expect(Array.from(body!.subarray(0, 4))).toEqual([131, 68, 0, control[1]]);
    const d = new FrameDecoder(true, 1 << 20).decode(body!)!;
    expect(hex(d.control)).toBe(hex(control));
    expect(hex(d.payload)).toBe(hex(payload));
  });
  it('large messages are fragmented (ids count down to 1) and reassembled', () => {
    const big = new Uint8Array(549_293);
    for (let i = 0; i < big.length; i++) big[i] = i * 7;
    const payload = etf(big);
    const bs = bodies(encodeDistHeader(control, payload, 65536, 42n));
    const n = Math.ceil((control.length - 1 + payload.length - 1) / 65536);
    expect(bs.length).toBe(n);
    expect(bs[0]![1]).toBe(69);
    expect(bs[0]!.length).toBe(2 + 16 + 1 + 65536);
    const ids = bs.map((b) => new DataView(b.buffer, b.byteOffset).getBigUint64(10));
    expect(ids).toEqual(Array.from({ length: n }, (_, i) => BigInt(n - i)));
    expect(bs.slice(1).every((b) => b[1] === 70)).toBe(true);
    const dec = new FrameDecoder(true, 1 << 24);
    for (const b of bs.slice(0, -1)) expect(dec.decode(b)).toBeUndefined();
    const d = dec.decode(bs[bs.length - 1]!)!;
    expect(hex(d.control)).toBe(hex(control));
    expect(Buffer.compare(Buffer.from(d.payload!), Buffer.from(payload))).toBe(0);
    expect(dec.pendingSequences).toBe(0);
  });
  it('interleaved sequences reassemble independently', () => {
    const p1 = etf(new Uint8Array(200_000).fill(1));
    const p2 = etf(new Uint8Array(150_000).fill(2));
    const a = bodies(encodeDistHeader(control, p1, 65536, 1n));
    const b = bodies(encodeDistHeader(control, p2, 65536, 2n));
    const dec = new FrameDecoder(true, 1 << 24);
    const got: Uint8Array[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      for (const x of [a[i], b[i]]) {
        if (!x) continue;
        const d = dec.decode(x);
        if (d) got.push(d.payload!);
      }
    }
    expect(got.map((g) => g.length).sort()).toEqual([p1.length, p2.length].sort());
  });
  it('rejects out-of-order fragments, unknown sequences, atom-cache refs, and pass-through frames', () => {
    const bs = bodies(encodeDistHeader(control, etf(new Uint8Array(300_000)), 65536, 9n));
    const dec = new FrameDecoder(true, 1 << 24);
    dec.decode(bs[0]!);
    expect(() => dec.decode(bs[2]!)).toThrow(/out of order/);
    expect(() => new FrameDecoder(true, 1 << 24).decode(bs[1]!)).toThrow(/unknown sequence/);
    expect(() => new FrameDecoder(true, 1 << 24).decode(Uint8Array.of(131, 68, 1, 0, 0))).toThrow(/atom cache/);
    expect(() => new FrameDecoder(true, 1 << 24).decode(Buffer.concat([Uint8Array.of(112), control]))).toThrow(/pass-through frame on a dist-header/);
  });
  it('bounds reassembly memory and expires stale sequences', () => {
    const bs = bodies(encodeDistHeader(control, etf(new Uint8Array(300_000)), 65536, 3n));
    const small = new FrameDecoder(true, 100_000);
    small.decode(bs[0]!);
    expect(() => small.decode(bs[1]!)).toThrow(/exceeds/);
    const dec = new FrameDecoder(true, 1 << 24);
    dec.decode(bs[0]!, 1000);
    expect(dec.expire(20_000, 30_000)).toBe(0);
    expect(dec.expire(40_000, 30_000)).toBe(1);
    expect(dec.pendingSequences).toBe(0);
  });
});
