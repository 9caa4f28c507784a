import { type Pid, type Ref, Tuple, atom } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import { DOWN, ExitError, type Runtime, TIMEOUT, kill, type ProcessContext } from '../src/index.ts';
import { setup, view } from './helpers.ts';

let rt: Runtime;
afterEach(async () => {
  await rt?.stop();
});

const idle = async (ctx: ProcessContext): Promise<void> => {
  for (;;) await ctx.receive((m) => m === 'never');
};

describe('monitors', () => {
  it("'DOWN' carries the ref, process, the pid and the reason", async () => {
    ({ rt } = setup());
    const target = rt.spawn(idle);
    let ref!: Ref;
    let down!: Tuple;
    rt.spawn(async (ctx) => {
      ref = ctx.monitor(target);
      down = (await ctx.receive()) as Tuple;
    });
    await rt.settle();
    expect(rt.processInfo(target)!.monitoredBy).toHaveLength(1);
    rt.exit(target, atom('gone'));
    await rt.settle();
    expect(down.elements[0]).toBe(DOWN);
    expect(down.elements[1]).toBe(ref);
    expect(down.elements[2]).toBe(atom('process'));
    expect(down.elements[3]).toBe(target);
    expect(down.elements[4]).toBe(atom('gone'));
  });

  it('a process monitoring itself, by pid or by its name, gets a ref and no monitor (demonitor says false, as erlang:demonitor(R, [info]) does)', async () => {
    ({ rt } = setup());
    let seen: unknown[] = [];
    const self = rt.spawn(async (ctx) => {
      ctx.register('me');
      const byPid = ctx.monitor(ctx.self);
      const byName = ctx.monitor('me');
      const monitors = rt.processInfo(ctx.self)!.monitors.length;
      seen = [monitors, ctx.demonitor(byPid), ctx.demonitor(byName), await ctx.receive(undefined, 0)];
    });
    await rt.settle();
    expect(seen).toEqual([0, false, false, TIMEOUT]);
    expect(rt.isAlive(self)).toBe(false);
  });

  it('monitoring a dead pid yields DOWN noproc at once', async () => {
    ({ rt } = setup());
    const dead = rt.spawn(async () => undefined);
    await rt.settle();
    let got: unknown;
    rt.spawn(async (ctx) => {
      const ref = ctx.monitor(dead);
      got = await ctx.receive(undefined, 0); // already in the mailbox: no waiting
      expect((got as Tuple).elements[1]).toBe(ref);
    });
    await rt.settle();
    expect(view(got)).toEqual(['DOWN', expect.any(String), 'process', String(dead), 'noproc']);
  });

  it('monitoring an unregistered name yields DOWN noproc naming {Name, Node}', async () => {
    ({ rt } = setup());
    let got: unknown;
    rt.spawn(async (ctx) => {
      ctx.monitor('nobody');
      got = await ctx.receive(undefined, 0);
    });
    await rt.settle();
    expect(view(got)).toEqual(['DOWN', expect.any(String), 'process', ['nobody', 'nonode@nohost'], 'noproc']);
  });

  it('a monitor by name fires with {Name, Node} when the process dies', async () => {
    ({ rt } = setup());
    const target = rt.spawn(idle, { name: 'svc' });
    let got: unknown;
    rt.spawn(async (ctx) => {
      ctx.monitor('svc');
      got = await ctx.receive();
    });
    await rt.settle();
    rt.exit(target, kill);
    await rt.settle();
    expect(view(got)).toEqual(['DOWN', expect.any(String), 'process', ['svc', 'nonode@nohost'], 'killed']);
  });

  it('demonitor stops the DOWN; with flush it also removes one already delivered', async () => {
    ({ rt } = setup());
    const results: unknown[] = [];
    const p = rt.spawn(async (ctx) => {
      const t1 = ctx.spawn(idle);
      const r1 = ctx.monitor(t1);
      results.push(ctx.demonitor(r1)); // true: it was active
      ctx.exit(t1, kill);
      const t3 = ctx.spawn(async () => undefined);
      const r3 = ctx.monitor(t3);
      await ctx.receive((m) => m === 'continue'); // by now the DOWN for r3 sits in the mailbox
      results.push(ctx.demonitor(r3, { flush: true })); // false: it had already fired
      results.push(await ctx.receive(undefined, 0)); // t1's DOWN never came, t3's was flushed
    });
    await rt.settle();
    expect(rt.processInfo(p)!.messageQueueLen).toBe(1);
    rt.send(p, 'continue');
    await rt.settle();
    expect(results).toEqual([true, false, TIMEOUT]);
  });

  it('a watcher that exits drops its monitors from the target', async () => {
    ({ rt } = setup());
    const target = rt.spawn(idle);
    const watcher = rt.spawn(async (ctx) => {
      ctx.monitor(target);
      await idle(ctx);
    });
    await rt.settle();
    expect(rt.processInfo(target)!.monitoredBy).toEqual([watcher]);
    rt.exit(watcher, kill);
    await rt.settle();
    expect(rt.processInfo(target)!.monitoredBy).toEqual([]);
  });

  it('spawnMonitor: the DOWN carries an exception reason', async () => {
    ({ rt } = setup({ logger: null }));
    let got: Tuple | undefined;
    let child!: Pid;
    rt.spawn(async (ctx) => {
      const [pid, ref] = ctx.spawnMonitor(async () => {
        throw new ExitError(atom('crashed'));
      });
      child = pid;
      got = (await ctx.receive((m) => m instanceof Tuple && m.elements[1] === ref)) as Tuple;
    });
    await rt.settle();
    expect(got!.elements[3]).toBe(child);
    expect(got!.elements[4]).toBe(atom('crashed'));
  });
});

describe('spawnMonitor atomicity', () => {
  it('a behaviour whose init fails inside spawn still reports its real reason, not noproc', async () => {
    ({ rt } = setup({ logger: null }));
    let got: Tuple | undefined;
    rt.spawn(async (ctx) => {
      const [, ref] = ctx.spawnMonitor({
        init() {
          throw new ExitError(atom('init_failed'));
        },
        handleMessage() {},
      });
      got = (await ctx.receive((m) => m instanceof Tuple && m.elements[1] === ref)) as Tuple;
    });
    await rt.settle();
    expect(got!.elements[4]).toBe(atom('init_failed'));
  });
});
