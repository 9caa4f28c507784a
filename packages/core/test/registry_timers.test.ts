import { type Pid, atom } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import { BadArg, Runtime, TestClock, TIMEOUT, kill, type ProcessContext } from '../src/index.ts';
import { setup } from './helpers.ts';

let rt: Runtime;
let clock: TestClock;
afterEach(async () => {
  await rt?.stop();
});

const idle = async (ctx: ProcessContext): Promise<void> => {
  for (;;) await ctx.receive((m) => m === 'never');
};

describe('registry', () => {
  it('register / whereis / send by name / unregister', async () => {
    ({ rt } = setup());
    const got: unknown[] = [];
    const p = rt.spawn(async (ctx) => {
      for (;;) got.push(await ctx.receive());
    });
    rt.register('echo', p);
    expect(rt.whereis('echo')).toBe(p);
    expect(rt.processInfo(p)!.registeredName).toBe('echo');
    rt.send('echo', 1);
    rt.send(atom('echo'), 2);
    rt.send(['echo', 'nonode@nohost'], 3);
    await rt.settle();
    expect(got).toEqual([1, 2, 3]);
    rt.unregister('echo');
    expect(rt.whereis('echo')).toBeUndefined();
    expect(() => rt.send('echo', 4)).toThrow(BadArg);
    rt.send(['echo', 'nonode@nohost'], 5); // {Name, Node} sends never fail
  });

  it('what is not a destination, a pid or a monitor target is BadArg with what was given, in and out of processes', async () => {
    ({ rt } = setup());
    const bad = (fn: () => unknown, text: RegExp) =>
      expect(fn).toThrow(expect.objectContaining({ name: 'BadArg', message: expect.stringMatching(text) }));
    bad(() => rt.send(42 as never, 'x'), /^send: 42 is not a pid, a name/);
    bad(() => rt.send({} as never, 'x'), /^send: an instance of Object is not/);
    bad(() => rt.send(['a'] as never, 'x'), /^send: an array of 1 is not/);
    bad(() => rt.exit(undefined as never, atom('x')), /^exit: undefined is not a pid/);
    const seen: string[] = [];
    rt.spawn(async (ctx) => {
      for (const [what, fn] of [
        ['send', () => ctx.send(undefined as never, 'x')],
        ['monitor', () => ctx.monitor({} as never)],
        ['link', () => ctx.link('abc' as never)],
        ['exit', () => ctx.exit('abc' as never, atom('x'))],
      ] as const) {
        try {
          fn();
          seen.push(`${what}: no error`);
        } catch (e) {
          seen.push(e instanceof BadArg ? (e as Error).message : `${what}: ${String(e)}`);
        }
      }
    });
    await rt.settle();
    expect(seen).toEqual([
      'send: undefined is not a pid, a name, [name, node] or an alias',
      'monitor: an instance of Object is not a pid, a name or [name, node]',
      'link: "abc" is not a pid',
      'exit: "abc" is not a pid',
    ]);
  });

  it('registering a taken name fails clearly; a process has at most one name', async () => {
    ({ rt } = setup());
    const a = rt.spawn(idle, { name: 'svc' });
    const b = rt.spawn(idle);
    expect(() => rt.register('svc', b)).toThrow(/already registered to <nonode@nohost\.\d+\.0>/);
    expect(() => rt.register('other', a)).toThrow(/already registered as "svc"/);
    expect(() => rt.spawn(idle, { name: 'svc' })).toThrow(BadArg);
    expect(rt.processes()).toEqual([a, b]); // the refused spawn left nothing behind
  });

  it('a name is freed when its process exits', async () => {
    ({ rt } = setup());
    const a = rt.spawn(idle, { name: 'svc' });
    await rt.settle();
    rt.exit(a, kill);
    await rt.settle();
    expect(rt.whereis('svc')).toBeUndefined();
    const b = rt.spawn(idle, { name: 'svc' });
    expect(rt.whereis('svc')).toBe(b);
  });

  it('a process registers itself from inside', async () => {
    ({ rt } = setup());
    let self!: Pid;
    rt.spawn(async (ctx) => {
      self = ctx.self;
      ctx.register('me');
      expect(ctx.whereis('me')).toBe(ctx.self);
      await idle(ctx);
    });
    await rt.settle();
    expect(rt.whereis('me')).toBe(self);
    expect(rt.registered()).toEqual(['me']);
  });
});

describe('timers', () => {
  it('sendAfter delivers on the clock; cancelTimer returns the time left or false', async () => {
    ({ rt, clock } = setup());
    const got: unknown[] = [];
    const p = rt.spawn(async (ctx) => {
      for (;;) got.push(await ctx.receive());
    });
    const t1 = rt.sendAfter(100, p, 'a');
    const t2 = rt.sendAfter(50, p, 'b');
    const t3 = rt.sendAfter(200, p, 'c');
    await clock.advance(60);
    expect(got).toEqual(['b']);
    expect(rt.cancelTimer(t3)).toBe(140);
    expect(rt.cancelTimer(t3)).toBe(false);
    expect(rt.cancelTimer(t2)).toBe(false); // already fired
    await clock.advance(1000);
    expect(got).toEqual(['b', 'a']);
    expect(t1).toBeDefined();
  });

  it('sendAfter from a process to a name; a missing name drops silently', async () => {
    ({ rt, clock } = setup());
    const got: unknown[] = [];
    rt.spawn(async (ctx) => {
      ctx.register('me');
      ctx.sendAfter(10, 'me', 'tick');
      ctx.sendAfter(10, 'nobody', 'lost');
      got.push(await ctx.receive());
    });
    await clock.advance(10);
    expect(got).toEqual(['tick']);
  });

  it('timeouts and timers use only the injected clock (no real waiting)', async () => {
    ({ rt, clock } = setup());
    let r: unknown;
    rt.spawn(async (ctx) => {
      r = await ctx.receive(undefined, 3_600_000);
    });
    await clock.advance(3_600_000);
    expect(r).toBe(TIMEOUT);
  });

  it('stop cancels armed timers so nothing keeps Node alive', async () => {
    ({ rt, clock } = setup());
    const p = rt.spawn(async (ctx) => {
      ctx.sendAfter(1000, ctx.self, 'x');
      await ctx.receive(undefined, 5000);
    });
    rt.sendAfter(10_000, p, 'y');
    await rt.settle();
    expect(clock.pending).toBe(3);
    await rt.stop();
    expect(clock.pending).toBe(0);
  });

  it('real clock: stop leaves no active handles', async () => {
    const real = new Runtime({ logger: null });
    const p = real.spawn(async (ctx) => {
      ctx.sendAfter(60_000, ctx.self, 'x');
      await ctx.receive(undefined, 60_000);
    });
    real.sendAfter(60_000, p, 'y');
    await real.settle();
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(before).toBeGreaterThanOrEqual(3);
    await real.stop();
    const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(before - after).toBeGreaterThanOrEqual(3);
    expect(real.processCount).toBe(0);
    rt = real;
  });
});

describe('timers and exits', () => {
  it('a timer addressed to a pid is cancelled when that process exits (a name-addressed one is not)', async () => {
    ({ rt, clock } = setup());
    const p = rt.spawn(async (ctx) => void (await ctx.receive((m) => m === 'never')), { name: 'target' });
    const byPid = rt.sendAfter(1000, p, 'x');
    rt.sendAfter(1000, 'target', 'y');
    await rt.settle();
    expect(clock.pending).toBe(2);
    rt.exit(p, kill);
    await rt.settle();
    expect(clock.pending).toBe(1);
    expect(rt.cancelTimer(byPid)).toBe(false);
    await clock.advance(1000); // the name is gone: dropped silently
    expect(clock.pending).toBe(0);
  });
});

describe('TestClock', () => {
  it('fires due timers in deadline order (ties in creation order) and only on advance', async () => {
    const c = new TestClock(1000);
    const log: string[] = [];
    c.setTimer(20, () => log.push('b'));
    c.setTimer(10, () => log.push('a'));
    c.setTimer(20, () => log.push('c'));
    const h = c.setTimer(15, () => log.push('cancelled'));
    c.clearTimer(h);
    expect(c.now()).toBe(1000);
    await c.advance(19);
    expect(log).toEqual(['a']);
    expect(c.now()).toBe(1019);
    await c.advance(1);
    expect(log).toEqual(['a', 'b', 'c']);
    expect(c.pending).toBe(0);
  });

  it('a timer armed by a process woken inside advance fires within the same advance', async () => {
    ({ rt, clock } = setup());
    const log: unknown[] = [];
    rt.spawn(async (ctx) => {
      log.push(await ctx.receive(undefined, 10));
      log.push(clock.now());
      log.push(await ctx.receive(undefined, 10));
      log.push(clock.now());
    });
    await clock.advance(25);
    expect(log).toEqual([TIMEOUT, 10, TIMEOUT, 20]);
    expect(clock.now()).toBe(25);
  });
});
