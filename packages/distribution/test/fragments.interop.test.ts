/**
 * Large messages against a real erl (spec §3.2, §3.4, §9 items 15, 16, 18): erl → TS reassembly
 * of OTP's 64 KiB fragments, TS → erl fragmenting, the same in pass-through mode, 1 MB and
 * 64 MB, and the wrong-format negative test.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from '../src/connection.ts';
import type { EpmdServer } from '../src/epmd_server.ts';
import { DFLAG } from '../src/flags.ts';
import type { PeerConnection } from '../src/transport.ts';
import type { DistTransport } from '../src/transport_impl.ts';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { A, COOKIE, etf, privateEpmd, regSend, T, transport, until } from './helpers/transport_kit.ts';

let epmd: EpmdServer;
let erl: ErlNode;
const ERL = 'frag_erl@localhost';

beforeAll(async () => {
  epmd = await privateEpmd();
  erl = await startErl({ name: ERL, cookie: COOKIE, epmdPort: epmd.port });
  await erl.eval('register(sink, self()), ok');
});
afterAll(async () => {
  await erl?.stop();
  await epmd?.stop();
});

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex').toUpperCase();

/** The bytes of a binary payload term `131 109 len data`. */
const binaryOf = (payload: Uint8Array) => {
  expect(payload[0]).toBe(131);
  expect(payload[1]).toBe(109);
  const n = new DataView(payload.buffer, payload.byteOffset).getUint32(2);
  expect(payload.length).toBe(6 + n);
  return payload.subarray(6);
};

for (const mode of ['fragments', 'pass-through'] as const) {
  describe(`${mode} mode`, () => {
    let tr: DistTransport;
    let c: PeerConnection;
    const got: Uint8Array[] = [];
    beforeAll(async () => {
      const name = mode === 'fragments' ? 'frag_f@localhost' : 'frag_p@localhost';
      ({ tr } = await transport(name, epmd.port, mode === 'fragments' ? {} : { removeFlags: DFLAG.FRAGMENTS | DFLAG.DIST_HDR_ATOM_CACHE }));
      tr.onMessage = (_c, _control, payload) => {
        if (payload) got.push(payload.slice());
      };
      c = await tr.connect(ERL);
      expect((c.flags & DFLAG.FRAGMENTS) !== 0n).toBe(mode === 'fragments');
    });
    afterAll(async () => {
      await tr?.close();
    });

    for (const [label, expr, size] of [
      ['549,293 bytes', 'binary:copy(<<7>>, 549293)', 549293],
      ['1 MB', 'binary:copy(<<1,2,3,4>>, 262144)', 1 << 20],
      ['64 MB', 'binary:copy(<<1,2,3,4>>, 16777216)', 64 << 20],
    ] as const) {
      it(`erl → TS: ${label}`, async () => {
        got.length = 0;
        const before = c.stats().fragmentsIn;
        const name = mode === 'fragments' ? 'frag_f@localhost' : 'frag_p@localhost';
        const digest = await erl.eval(`(fun() -> B = ${expr}, {sink, '${name}'} ! B, binary:encode_hex(erlang:md5(B)) end)()`, 60_000);
        await until(() => got.length === 1, 30_000, 'the big message');
        const bin = binaryOf(got[0]!);
        expect(bin.length).toBe(size);
        expect(`<<"${md5(bin)}">>`).toBe(digest);
        const frags = c.stats().fragmentsIn - before;
        if (mode === 'fragments')
          expect(frags).toBe(Math.ceil((size + 6 + 40) / 65536)); // OTP: 64 KiB fragments
        else expect(frags).toBe(0);
      }, 60_000);

      it(`TS → erl: ${label}`, async () => {
        const data = new Uint8Array(size);
        for (let i = 0; i < size; i += 997) data[i] = i & 255;
        const [control, payload] = regSend(tr, 'sink', data);
        const before = c.stats().fragmentsOut;
        c.send(control, payload);
        const r = await erl.eval(
          '(fun() -> receive B when is_binary(B) -> {byte_size(B), binary:encode_hex(erlang:md5(B))} after 30000 -> timeout end end)()',
          60_000,
        );
        expect(r).toBe(`{${size},<<"${md5(data)}">>}`);
        const frags = c.stats().fragmentsOut - before;
        if (mode === 'fragments') expect(frags).toBe(Math.ceil((control.length - 1 + payload.length - 1) / 65536));
        else expect(frags).toBe(0);
      }, 60_000);
    }

    it('many small messages keep their order', async () => {
      for (let i = 0; i < 500; i++) {
        const [control, payload] = regSend(tr, 'sink', T(A('seq'), i));
        c.send(control, payload);
      }
      const r = await erl.eval(
        '(fun() -> Collect = fun Collect(N, Acc) when N =:= 500 -> lists:reverse(Acc); Collect(N, Acc) -> receive {seq, I} -> Collect(N + 1, [I | Acc]) after 5000 -> timeout end end, Collect(0, []) =:= lists:seq(0, 499) end)()',
      );
      expect(r).toBe('true');
    });
  });
}

describe('wrong body format', () => {
  it('erl drops a connection that gets a pass-through frame on a FRAGMENTS link', async () => {
    const { tr } = await transport('frag_w@localhost', epmd.port);
    try {
      const c = (await tr.connect(ERL)) as Connection;
      expect(c.flags & DFLAG.FRAGMENTS).toBe(DFLAG.FRAGMENTS);
      const [control, payload] = regSend(tr, 'sink', A('wrong'));
      const body = new Uint8Array([112, ...control, ...payload]);
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, body.length);
      c.writeRaw(new Uint8Array([...len, ...body]));
      expect((await c.down).kind).toBe('closed');
      expect(await erl.eval('receive wrong -> delivered after 300 -> not_delivered end')).toBe('not_delivered');
      // a correct frame on a fresh connection is delivered
      const c2 = await tr.connect(ERL);
      const [ctl2, pl2] = regSend(tr, 'sink', A('right'));
      c2.send(ctl2, pl2);
      expect(await erl.eval('receive right -> delivered after 3000 -> not_delivered end')).toBe('delivered');
      void etf;
    } finally {
      await tr.close();
    }
  });
});
