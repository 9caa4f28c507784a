/**
 * The unsplit inbound path: `onFrame` (frames cut out of socket chunks in place, including frames
 * split across chunks at every byte) and the node half's one-pass decode of control + payload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Binary, atom, decode, encode, t, type Term } from '@beamline/etf';
import type { Connection } from '../src/connection.ts';
import type { EpmdServer } from '../src/epmd_server.ts';
import { DFLAG } from '../src/flags.ts';
import { encodeDistHeader, encodePassThrough } from '../src/frame.ts';
import { decodeFrameTerms } from '../src/node_frame.ts';
import { privateEpmd, sleep, transport, until } from './helpers/transport_kit.ts';

const control = encode(t(6, atom('x'), atom(''), atom('sink')));
const payload = encode(t(atom('event'), [new Uint8Array([1, 2, 3]), t('Event-Name', 'CHANNEL_PARK')]));

describe('decodeFrameTerms', () => {
  it('decodes control and payload of both body formats, and control-only frames', () => {
    const dh = Buffer.concat(encodeDistHeader(control, payload, 1 << 16, 1n)).subarray(4);
    const [c1, p1] = decodeFrameTerms(dh, 3, false);
    expect(encode(c1)).toEqual(control);
    expect(encode(p1!)).toEqual(payload);
    const pt = Buffer.concat(encodePassThrough(control, payload)).subarray(4);
    const [c2, p2] = decodeFrameTerms(pt, 1, true);
    expect(encode(c2)).toEqual(control);
    expect(encode(p2!)).toEqual(payload);
    const only = Buffer.concat(encodePassThrough(control)).subarray(4);
    expect(decodeFrameTerms(only, 1, true)[1]).toBeUndefined();
  });
  it('rejects trailing bytes, missing version bytes, truncated and missing terms', () => {
    const pt = Buffer.concat([Uint8Array.of(112), control, payload]);
    expect(() => decodeFrameTerms(Buffer.concat([pt, Uint8Array.of(106)]), 1, true)).toThrow(/trailing/);
    expect(() => decodeFrameTerms(Buffer.concat([Uint8Array.of(112), control, payload.subarray(1)]), 1, true)).toThrow(/131/);
    expect(() => decodeFrameTerms(pt.subarray(0, pt.length - 1), 1, true)).toThrow();
    expect(() => decodeFrameTerms(Uint8Array.of(131, 68, 0), 3, false)).toThrow();
    expect(() => decodeFrameTerms(Uint8Array.of(112), 1, true)).toThrow();
  });
});

describe('onFrame over a socket', () => {
  let epmd: EpmdServer;
  beforeAll(async () => {
    epmd = await privateEpmd();
  });
  afterAll(async () => {
    await epmd.stop();
  });

  for (const mode of ['fragments', 'pass-through'] as const) {
    it(`frames split across chunks at any byte arrive whole (${mode})`, async () => {
      const opts = mode === 'fragments' ? {} : { removeFlags: DFLAG.FRAGMENTS | DFLAG.DIST_HDR_ATOM_CACHE };
      const { tr: a } = await transport(`nf_${mode === 'fragments' ? 'f' : 'p'}a@localhost`, epmd.port, opts);
      const { tr: b } = await transport(`nf_${mode === 'fragments' ? 'f' : 'p'}b@localhost`, epmd.port, opts);
      try {
        const got: [Term, Term | undefined][] = [];
        let viaMessage = 0;
        b.onMessage = () => viaMessage++;
        b.onFrame = (_c, bytes, start, versioned) => got.push(decodeFrameTerms(bytes, start, versioned));
        const c = (await a.connect(b.nodeName)) as Connection;
        const frames: Uint8Array[] = [];
        for (let i = 0; i < 3; i++) {
          const msg = encode(t(atom('n'), i, new Uint8Array(40 + i)));
          const w = mode === 'fragments' ? encodeDistHeader(control, msg, 1 << 16, BigInt(i + 1)) : encodePassThrough(control, msg);
          frames.push(Buffer.concat(w));
        }
        frames.push(new Uint8Array(4)); // a tick between messages
        frames.push(Buffer.concat(mode === 'fragments' ? encodeDistHeader(control, undefined, 1 << 16, 9n) : encodePassThrough(control)));
        const all = Buffer.concat(frames);
        // odd piece sizes: the 4-byte length and the bodies both straddle chunk boundaries
        for (let o = 0, k = 1; o < all.length; o += k, k = (k % 7) + 1) {
          c.writeRaw(all.subarray(o, Math.min(all.length, o + k)));
          await sleep(2);
        }
        await until(() => got.length === 4, 5000, 'four messages');
        expect(viaMessage).toBe(0);
        for (let i = 0; i < 3; i++) {
          expect(encode(got[i]![0])).toEqual(control);
          expect(decode(encode(got[i]![1]!))).toEqual(t(atom('n'), i, new Binary(new Uint8Array(40 + i))));
        }
        expect(got[3]![1]).toBeUndefined();
        expect(c.state).toBe('up');
      } finally {
        await a.close();
        await b.close();
      }
    });
  }
});
