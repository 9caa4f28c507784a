/**
 * The handler pump (src/internal/pump.ts) on a local runtime: items reach the destination in the
 * order pushed, across the ring's growth and wrap-around; a full queue drops and reports the
 * overflow at the next push that fits; purge empties it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ProcessContext, Runtime, TIMEOUT, inProcess } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { Pump } from '../src/internal/pump.ts';

let rt: Runtime;
afterEach(async () => {
  await rt?.stop();
});

/** A process keeping what it receives. */
function collector(): { pid: Pid; got: unknown[] } {
  const got: unknown[] = [];
  const pid = rt.spawn(async (ctx: ProcessContext) => {
    for (;;) {
      const m = await ctx.receive();
      if (m !== TIMEOUT) got.push(m);
    }
  });
  return { pid, got };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('Pump', () => {
  it('delivers in push order across growth and wrap-around', async () => {
    rt = new Runtime({ logger: null });
    const dest = collector();
    const lost: number[] = [];
    const sent: number[] = [];
    await inProcess(rt, async (ctx) => {
      const pump = new Pump<number>(ctx, dest.pid, {
        capacity: 100_000,
        bulk: 1,
        encode: (n) => n,
        drained: async () => {},
        onLost: (n) => lost.push(n),
      });
      let next = 0;
      // bursts of different sizes, each partly drained before the next: the ring wraps and grows
      for (const burst of [10, 70, 3, 200, 1, 5000, 64, 65]) {
        for (let i = 0; i < burst; i++) expect(pump.push(next++)).toBe(true);
        await new Promise((r) => setImmediate(r));
      }
      for (let i = 0; i < next; i++) sent.push(i);
      await until(() => dest.got.length === next);
      expect(pump.queued).toBe(0);
    });
    expect(dest.got).toEqual(sent);
    expect(lost).toEqual([]);
  });

  it('a full queue drops and counts; the loss is reported at the next push that fits; purge empties it', async () => {
    rt = new Runtime({ logger: null });
    const dest = collector();
    const lost: number[] = [];
    await inProcess(rt, async (ctx) => {
      let open!: () => void;
      let gate = new Promise<void>((r) => (open = r));
      const pump = new Pump<number>(ctx, dest.pid, { capacity: 100, bulk: 1, encode: (n) => n, drained: () => gate, onLost: (n) => lost.push(n) });
      for (let i = 0; i < 150; i++) pump.push(i);
      expect(pump.queued).toBe(100);
      expect(pump.lost).toBe(50);
      gate = Promise.resolve();
      open();
      await until(() => dest.got.length === 100);
      expect(dest.got).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(lost).toEqual([]);
      expect(pump.push(1000)).toBe(true);
      await until(() => lost.length === 1);
      expect(lost).toEqual([50]);
      gate = new Promise<void>((r) => (open = r));
      await until(() => dest.got.length === 101);
      for (let i = 0; i < 10; i++) pump.push(2000 + i);
      pump.purge();
      expect(pump.queued).toBe(0);
      pump.push(3000);
      open();
      await until(() => dest.got.includes(3000));
    });
    expect(dest.got.slice(100)).toEqual([1000, 3000]);
  });
});
