/**
 * Ticks and net_ticktime against a real erl (spec §3.1, §9 items 19-21), with
 * `-kernel net_ticktime 4` on erl and `ticktime: 4` on our side.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpmdServer } from '../src/epmd_server.ts';
import { portPlease } from '../src/epmd_client.ts';
import { DEFAULT_FLAGS } from '../src/flags.ts';
import { runInitiator } from '../src/handshake_steps.ts';
import { MemoryLogger } from '../src/log.ts';
import { PacketChannel } from '../src/packet_channel.ts';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { COOKIE, privateEpmd, sleep, transport } from './helpers/transport_kit.ts';

let epmd: EpmdServer;
let erl: ErlNode;
const ERL = 'tick_erl@localhost';

beforeAll(async () => {
  epmd = await privateEpmd();
  erl = await startErl({ name: ERL, cookie: COOKIE, epmdPort: epmd.port, ticktime: 4 });
});
afterAll(async () => {
  await erl?.stop();
  await epmd?.stop();
});

describe('net_ticktime 4 s', () => {
  it('an idle connection survives 10 s; both sides tick', async () => {
    const { tr } = await transport('tick_a@localhost', epmd.port, { ticktime: 4 });
    try {
      const c = await tr.connect(ERL);
      await sleep(10_000);
      expect(c.state).toBe('up');
      expect(c.stats().ticksIn).toBeGreaterThanOrEqual(5); // erl ticks every ~1 s when idle
      expect(c.stats().ticksOut).toBeGreaterThanOrEqual(5);
      expect(await erl.eval("lists:member('tick_a@localhost', nodes(hidden))")).toBe('true');
    } finally {
      await tr.close();
    }
  }, 30_000);

  it('a SIGSTOPped erl is declared down within net_ticktime (+ one tick period)', async () => {
    const { tr, log } = await transport('tick_b@localhost', epmd.port, { ticktime: 4 });
    try {
      const c = await tr.connect(ERL);
      erl.suspend();
      const t0 = Date.now();
      const reason = await c.down;
      const dt = Date.now() - t0;
      erl.resume();
      expect(reason.kind).toBe('tick_timeout');
      expect(dt).toBeGreaterThan(2500);
      expect(dt).toBeLessThan(5500);
      expect(log.has(/not responding/)).toBe(true);
    } finally {
      erl.resume();
      await tr.close();
    }
  }, 30_000);

  it('erl drops a TS peer that stops ticking after about net_ticktime', async () => {
    const info = (await portPlease('tick_erl', { epmdPort: epmd.port }))!;
    const s = connect({ host: '127.0.0.1', port: info.port });
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    const ch = new PacketChannel(s);
    await runInitiator(
      ch,
      {
        ourName: 'mute@localhost',
        ourFlags: DEFAULT_FLAGS,
        creation: 5,
        cookie: COOKIE,
        setupTimeMs: 3000,
        requiredFlags: 0n,
        logger: new MemoryLogger(),
      },
      ERL,
    );
    ch.detach();
    s.on('data', () => {}); // read, never write
    const t0 = Date.now();
    await new Promise((r) => s.on('close', r));
    const dt = Date.now() - t0;
    expect(dt).toBeGreaterThan(2500);
    expect(dt).toBeLessThan(7000);
    await erl.waitForOutput(/mute@localhost.*not responding|not responding[^\n]*mute@localhost/s);
  }, 30_000);
});
