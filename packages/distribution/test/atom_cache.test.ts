/**
 * atom_cache.ts without a peer: our sending half read back by our receiving half frame after frame
 * (new entries, old entries, slot reuse, mixed), the exact header bytes of a small frame, and
 * malformed headers as FrameErrors. The interop suite checks the same against real erl.
 */
import { describe, expect, it } from 'vitest';
import { type Atom, DecodeError, Tuple, atom, decodeAt, encode, equals, type Term } from '@beamline/etf';
import { OutAtomCache, atomSlot } from '../src/atom_cache.ts';
import { FrameDecoder, FrameError } from '../src/frame.ts';
import { OutBuffer } from '../src/out_buffer.ts';

/** One frame written by `out`, as the body the receiving side gets (no length prefix). */
function frame(out: OutAtomCache, control: Term, payload?: Term): Uint8Array {
  const buf = new OutBuffer();
  out.write(buf, encode(control), payload === undefined ? undefined : encode(payload));
  const all = buf.take();
  const len = all.readUInt32BE(0);
  expect(all.length).toBe(4 + len);
  return new Uint8Array(all.subarray(4));
}

function read(dec: FrameDecoder, body: Uint8Array): Term[] {
  expect(dec.reassemble(body)).toBe(true);
  const opts = { atomCache: dec.atoms as Atom[] | undefined };
  const terms: Term[] = [];
  let p = dec.start;
  while (p < dec.bytes.length) {
    const r = decodeAt(dec.bytes, p, opts);
    terms.push(r.term);
    p = r.next;
  }
  return terms;
}

function colliding(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const b = Buffer.from(`c${i}`);
    const s = atomSlot(b, 0, b.length);
    const other = seen.get(s);
    if (other !== undefined) return [other, `c${i}`];
    seen.set(s, `c${i}`);
  }
}

describe('atom cache, our two halves', () => {
  it('frames decode to the terms sent, across new entries, old entries, reuse and mixed frames', () => {
    const out = new OutAtomCache();
    const dec = new FrameDecoder(true, 1 << 24, true);
    const [a, b] = colliding();
    const many = Array.from({ length: 300 }, (_, i) => atom(`m${i}`));
    const frames: [Term, Term | undefined][] = [
      [new Tuple([6, atom(''), atom('rex')]), new Tuple([atom('ok'), atom('ok'), 'bin'])],
      [new Tuple([6, atom(''), atom('rex')]), new Tuple([atom('ok'), atom('error')])],
      [new Tuple([atom(a)]), undefined],
      [new Tuple([atom(b)]), undefined],
      [new Tuple([atom(a), atom(b), atom(a)]), many],
      [new Tuple([atom('é'.repeat(200)), atom('ünï')]), [atom('ünï'), atom('ok')]],
    ];
    for (const [c, p] of frames) {
      const got = read(dec, frame(out, c, p));
      expect(got.length).toBe(p === undefined ? 1 : 2);
      expect(equals(got[0]!, c)).toBe(true);
      if (p !== undefined) expect(equals(got[1]!, p)).toBe(true);
    }
    expect(out.counters.old).toBeGreaterThan(0);
    expect(dec.atomCacheCounters).toEqual({ old: out.counters.old, new: out.counters.new });
    // m255.. of the 300, one of a/b in frame 5, and the 400-byte atom are left as text
    expect(out.counters.inline).toBeGreaterThanOrEqual(300 - 255 + 1 + 1);
  });

  it('writes the header of spec §3.3: count, flag nibbles, then each entry', () => {
    const out = new OutAtomCache();
    const body = frame(out, atom('x'), atom('x'));
    const slot = atomSlot(Buffer.from('x'), 0, 1);
    // 131 68 N=1 | flags: new (8) | segment in the low nibble, LongAtoms = 0 | slot & 255, len, "x" | 82 0 | 82 0
    expect([...body]).toEqual([131, 68, 1, 8 | (slot >> 8), slot & 255, 1, 120, 82, 0, 82, 0]);
    const again = frame(out, atom('x'));
    expect([...again]).toEqual([131, 68, 1, slot >> 8, slot & 255, 82, 0]);
  });

  it('malformed headers are FrameErrors', () => {
    const bad: number[][] = [
      [131, 68, 1], // flags missing
      [131, 68, 1, 8], // entry missing
      [131, 68, 1, 8, 5, 3, 120], // text shorter than its length
      [131, 68, 1, 0, 5, 82, 0], // an old entry for a slot no frame filled
      [131, 68, 1, 8, 5, 2, 0xc3, 0x28, 82, 0], // not UTF-8
    ];
    for (const b of bad) expect(() => new FrameDecoder(true, 1 << 24, true).reassemble(Uint8Array.from(b)), String(b)).toThrow(FrameError);
  });

  it('mutated frames with headers decode or fail with a FrameError / DecodeError, nothing else (20,000 cases)', () => {
    const out = new OutAtomCache();
    const seeds = [
      frame(out, new Tuple([6, atom(''), atom('rex')]), new Tuple([atom('ok'), atom('é'.repeat(3)), 'x'])),
      frame(out, new Tuple([atom('a'), atom('b'), atom('c')]), [atom('a'), atom('d')]),
    ];
    let rnd = 12345;
    const next = () => {
      rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0;
      return rnd;
    };
    let decoded = 0;
    for (let i = 0; i < 20000; i++) {
      const body = Uint8Array.from(seeds[i % seeds.length]!);
      for (let k = 1 + (next() % 3); k > 0; k--) body[2 + (next() % (body.length - 2))] = next() & 255;
      const dec = new FrameDecoder(true, 1 << 24, true);
      try {
        read(dec, body);
        decoded++;
      } catch (e) {
        if (!(e instanceof FrameError) && !(e instanceof DecodeError)) throw e;
      }
    }
    expect(decoded).toBeGreaterThan(0);
  });
});
