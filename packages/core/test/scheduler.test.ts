import { type Pid, atom } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import { GenServer, type Runtime, type TestClock, noreply, ok, type ProcessBehaviour, type ProcessContext } from '../src/index.ts';
import { kernelOf } from '../src/internal/runtime.ts';
import { deferred, setup } from './helpers.ts';

let rt: Runtime;
afterEach(async () => {
  await rt?.stop();
});

class RingNode implements ProcessBehaviour {
  next: Pid | undefined;
  constructor(private readonly onLap?: (hops: number) => void) {}
  handleMessage(ctx: ProcessContext, msg: unknown): void {
    const hops = msg as number;
    if (this.onLap !== undefined && hops <= 0) return this.onLap(hops);
    ctx.send(this.next!, hops - 1);
  }
}

describe('scheduler', () => {
  it('send only enqueues: the receiver never runs on the sender stack', async () => {
    ({ rt } = setup());
    const order: string[] = [];
    const b = rt.spawn({ handleMessage: () => void order.push('b handles') });
    rt.spawn({
      init(ctx) {
        ctx.send(b, 'x');
        order.push('a sent');
      },
      handleMessage() {},
    });
    order.push('spawned');
    await rt.settle();
    expect(order).toEqual(['a sent', 'spawned', 'b handles']);
  });

  it('a ring of 100,000 behaviour processes passes a token around twice without loss or overflow', async () => {
    ({ rt } = setup());
    const n = 100_000;
    const done = deferred<number>();
    const first = new RingNode((h) => done.resolve(h));
    const nodes: RingNode[] = [first];
    const pids: Pid[] = [rt.spawn(first)];
    for (let i = 1; i < n; i++) {
      const node = new RingNode();
      nodes.push(node);
      pids.push(rt.spawn(node));
    }
    for (let i = 0; i < n; i++) nodes[i].next = pids[(i + 1) % n];
    rt.send(pids[0], 2 * n);
    expect(await done.promise).toBe(0);
    const info = rt.processInfo(pids[1])!;
    expect(info.messagesIn).toBe(2);
    expect(info.messagesOut).toBe(2);
  });

  it('a ring of 100,000 async processes with selective receive, many tokens, loses nothing', async () => {
    ({ rt } = setup());
    const n = 100_000;
    const tokens = 10;
    const laps = 2;
    const collected: number[] = [];
    const finished = deferred<void>();
    const pids: Pid[] = [];
    const nexts: Pid[] = [];
    for (let i = 0; i < n; i++) {
      const idx = i;
      pids.push(
        rt.spawn(async (ctx) => {
          for (;;) {
            const m = (await ctx.receive((x) => Array.isArray(x))) as [number, number];
            if (idx === 0 && m[1] === laps * n) {
              collected.push(m[0]);
              if (collected.length === tokens) finished.resolve();
              continue;
            }
            ctx.send(nexts[idx], [m[0], m[1] + 1]);
          }
        }),
      );
    }
    for (let i = 0; i < n; i++) nexts.push(pids[(i + 1) % n]);
    for (let k = 0; k < tokens; k++) rt.send(pids[0], [k, 0]);
    await finished.promise;
    expect(collected.sort((a, b) => a - b)).toEqual(Array.from({ length: tokens }, (_, i) => i));
  });

  it('yields to the event loop during long runs (I/O and timers keep being served)', async () => {
    ({ rt } = setup({ budget: 1000 }));
    const n = 300_000;
    let immediates = 0;
    let stop = false;
    const spin = (): void => {
      if (stop) return;
      immediates++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const done = deferred<void>();
    const a = rt.spawn({
      handleMessage(ctx, msg) {
        const k = msg as [Pid, number];
        if (k[1] >= n) return done.resolve();
        ctx.send(k[0], [ctx.self, k[1] + 1]);
      },
    });
    const b = rt.spawn({
      handleMessage(ctx, msg) {
        const k = msg as [Pid, number];
        ctx.send(k[0], [ctx.self, k[1] + 1]);
      },
    });
    rt.send(a, [b, 0]);
    await done.promise;
    stop = true;
    // 300k messages with a budget of 1000 reductions: the loop got ~300 turns
    expect(immediates).toBeGreaterThan(100);
  });

  it('GenServer ring: 1,000 servers forwarding through handleInfo', async () => {
    ({ rt } = setup());
    const done = deferred<number>();
    class Fwd extends GenServer<{ next: Pid | undefined; last: boolean }> {
      init(args: unknown) {
        return ok({ next: undefined, last: args === 'last' });
      }
      override handleCast(next: unknown, s: { next: Pid | undefined; last: boolean }) {
        return noreply({ ...s, next: next as Pid });
      }
      override handleInfo(m: unknown, s: { next: Pid | undefined; last: boolean }, ctx: ProcessContext) {
        const hops = m as number;
        if (hops === 0) done.resolve(hops);
        else ctx.send(s.next!, hops - 1);
        return noreply(s);
      }
    }
    const pids = await Promise.all(Array.from({ length: 1000 }, () => GenServer.start(rt, Fwd)));
    pids.forEach((p, i) => {
      GenServer.cast(rt, p, pids[(i + 1) % pids.length]);
    });
    rt.send(pids[0], 10_000);
    expect(await done.promise).toBe(0);
  });
});

describe('runtime stop', () => {
  it('shuts trees down newest first (shutdown from the init pid), kills the rest, leaves nothing', async () => {
    let clock: TestClock;
    ({ rt, clock } = setup());
    const log: string[] = [];
    const tree = (name: string) => async (ctx: ProcessContext) => {
      ctx.trapExit(true);
      const child = ctx.spawnLink(async (c) => {
        c.trapExit(true);
        const m = (await c.receive()) as { elements: unknown[] };
        log.push(`${name}.child got ${String(m.elements[2])}`);
        throw m.elements[2];
      });
      const m = (await ctx.receive()) as { elements: unknown[] };
      log.push(`${name} got ${String(m.elements[2])} from ${String(m.elements[1])}`);
      ctx.exit(child, atom('shutdown'));
      await ctx.receive();
      log.push(`${name} done`);
      throw m.elements[2];
    };
    rt.spawn(tree('t1'));
    rt.spawn(tree('t2'));
    const stubborn = rt.spawn(async (ctx) => {
      ctx.trapExit(true);
      for (;;) await ctx.receive();
    });
    rt.sendAfter(1000, stubborn, 'x');
    await rt.settle();
    await rt.stop();
    expect(log).toEqual([
      't2 got shutdown from <nonode@nohost.0.0>',
      't2.child got shutdown',
      't2 done',
      't1 got shutdown from <nonode@nohost.0.0>',
      't1.child got shutdown',
      't1 done',
    ]);
    expect(rt.processCount).toBe(0);
    expect(clock.pending).toBe(0);
    expect(() => rt.spawn(async () => undefined)).toThrow(/stopped/);
  });
});

describe('run queue', () => {
  it('a process is queued at most once however many messages arrive (self-sends included)', async () => {
    ({ rt } = setup());
    const seen: number[] = [];
    const pid = rt.spawn({
      handleMessage(ctx, msg) {
        seen.push(msg as number);
        if ((msg as number) < 1000) ctx.send(ctx.self, (msg as number) + 1000);
      },
    });
    const proc = kernelOf(rt).lookup(pid)!;
    let runs = 0;
    const run = proc.run.bind(proc);
    proc.run = () => {
      runs++;
      return run();
    };
    // 64 = one scheduling slice: the first run stops with the 64 self-sends still queued
    for (let i = 0; i < 64; i++) rt.send(pid, i);
    await rt.settle();
    expect(seen).toEqual([...Array.from({ length: 64 }, (_, i) => i), ...Array.from({ length: 64 }, (_, i) => i + 1000)]);
    expect(runs).toBe(2);
  });
});

describe('stop with busy processes', () => {
  it('stop() finishes even when processes never stop messaging each other', async () => {
    ({ rt } = setup());
    const pong = rt.spawn({ handleMessage: (ctx, m) => ctx.send(m as Pid, ctx.self) });
    rt.spawn({
      init: (ctx) => ctx.send(pong, ctx.self),
      handleMessage: (ctx, m) => ctx.send(m as Pid, ctx.self),
    });
    await rt.settle(20); // bounded: returns although the pair is never idle
    expect(rt.processCount).toBe(2);
    await rt.stop();
    expect(rt.processCount).toBe(0);
  });
});
