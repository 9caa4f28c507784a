import { type Pid, type Tuple, atom } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT, type ErlangError, ExitError, type Runtime, kill, normal, type ProcessContext } from '../src/index.ts';
import { setup, view } from './helpers.ts';

let rt: Runtime;
afterEach(async () => {
  await rt?.stop();
});

const idle = async (ctx: ProcessContext): Promise<void> => {
  for (;;) await ctx.receive((m) => m === 'never');
};

/** A trapping process that collects every message into `log`. */
function collector(log: unknown[]) {
  return async (ctx: ProcessContext): Promise<void> => {
    ctx.trapExit(true);
    for (;;) log.push(await ctx.receive());
  };
}

describe('links and exit signals', () => {
  it('links are bidirectional: the other side dies with the same reason', async () => {
    ({ rt } = setup({ logger: null }));
    let b!: Pid;
    const a = rt.spawn(async (ctx) => {
      b = ctx.spawnLink(idle);
      await idle(ctx);
    });
    await rt.settle();
    expect(rt.processInfo(a)!.links).toEqual([b]);
    expect(rt.processInfo(b)!.links).toEqual([a]);
    rt.exit(b, atom('boom'));
    await rt.settle();
    expect(rt.isAlive(a)).toBe(false);
    expect(rt.isAlive(b)).toBe(false);
  });

  it('reason normal does not kill a non-trapping linked process', async () => {
    ({ rt } = setup());
    let child!: Pid;
    const parent = rt.spawn(async (ctx) => {
      child = ctx.spawnLink(async () => undefined); // exits normal at once
      await idle(ctx);
    });
    await rt.settle();
    expect(rt.isAlive(child)).toBe(false);
    expect(rt.isAlive(parent)).toBe(true);
    rt.exit(parent, normal); // exit/2 normal from another process: ignored
    await rt.settle();
    expect(rt.isAlive(parent)).toBe(true);
  });

  it('trapExit turns link exits (also normal) into {EXIT, From, Reason} messages', async () => {
    ({ rt } = setup());
    const log: unknown[] = [];
    let c1!: Pid;
    let c2!: Pid;
    rt.spawn(async (ctx) => {
      ctx.trapExit(true);
      c1 = ctx.spawnLink(async () => undefined);
      c2 = ctx.spawnLink(async () => {
        throw new ExitError(atom('bad'));
      });
      for (;;) log.push(await ctx.receive());
    });
    await rt.settle();
    expect(log.map(view)).toEqual([
      ['EXIT', String(c1), 'normal'],
      ['EXIT', String(c2), 'bad'],
    ]);
    expect((log[0] as Tuple).elements[0]).toBe(EXIT);
  });

  it('kill is untrappable and linked processes see killed', async () => {
    ({ rt } = setup());
    const log: unknown[] = [];
    let victim!: Pid;
    const watcher = rt.spawn(async (ctx) => {
      ctx.trapExit(true);
      victim = ctx.spawnLink(async (c) => {
        c.trapExit(true); // trapping does not help against kill
        await idle(c);
      });
      for (;;) log.push(await ctx.receive());
    });
    await rt.settle();
    rt.exit(victim, kill);
    await rt.settle();
    expect(rt.isAlive(victim)).toBe(false);
    expect(rt.isAlive(watcher)).toBe(true);
    expect(log.map(view)).toEqual([['EXIT', String(victim), 'killed']]);
  });

  it('killed propagating over a link is an ordinary reason: a trapping process survives it', async () => {
    ({ rt } = setup());
    const log: unknown[] = [];
    let middle!: Pid;
    const top = rt.spawn(async (ctx) => {
      ctx.trapExit(true);
      middle = ctx.spawnLink(idle);
      for (;;) log.push(await ctx.receive());
    });
    await rt.settle();
    rt.exit(middle, kill);
    await rt.settle();
    expect(rt.isAlive(top)).toBe(true);
    expect(log.map(view)).toEqual([['EXIT', String(middle), 'killed']]);
  });

  it('exit/2 to a trapping process is a message, even with reason normal', async () => {
    ({ rt } = setup());
    const log: unknown[] = [];
    const p = rt.spawn(collector(log));
    await rt.settle();
    rt.exit(p, normal);
    rt.exit(p, atom('custom'));
    await rt.settle();
    expect(log.map(view)).toEqual([
      ['EXIT', String(rt.initPid), 'normal'],
      ['EXIT', String(rt.initPid), 'custom'],
    ]);
  });

  it('exit(self(), normal) kills a non-trapping process', async () => {
    ({ rt } = setup());
    const p = rt.spawn(async (ctx) => {
      ctx.exit(ctx.self, normal);
      await idle(ctx);
    });
    await rt.settle();
    expect(rt.isAlive(p)).toBe(false);
  });

  it('an exception becomes the exit reason seen over a link', async () => {
    ({ rt } = setup());
    const log: unknown[] = [];
    const err = new TypeError('oops');
    rt.spawn(async (ctx) => {
      ctx.trapExit(true);
      ctx.spawnLink(async () => {
        throw err;
      });
      log.push(await ctx.receive());
    });
    await rt.settle();
    expect((log[0] as Tuple).elements[2]).toBe(err);
  });

  it('linking to a dead pid: an EXIT noproc message when trapping; a catchable noproc error otherwise', async () => {
    ({ rt } = setup());
    const dead = rt.spawn(async () => undefined);
    await rt.settle();
    const log: unknown[] = [];
    rt.spawn(async (ctx) => {
      ctx.trapExit(true);
      ctx.link(dead);
      log.push(await ctx.receive());
    });
    const plain = rt.spawn(async (ctx) => {
      try {
        ctx.link(dead);
        log.push('no error');
      } catch (e) {
        log.push(['caught', (e as ErlangError).reason]);
      }
      log.push('carried on');
      await idle(ctx);
    });
    await rt.settle();
    expect(log.map(view)).toHaveLength(3);
    expect(log.map(view)).toEqual(expect.arrayContaining([['EXIT', String(dead), 'noproc'], ['caught', 'noproc'], 'carried on']));
    expect(log.indexOf('carried on')).toBeGreaterThan(log.findIndex((m) => Array.isArray(m) && m[0] === 'caught'));
    expect(rt.isAlive(plain)).toBe(true); // as in erl: the caller survives the error it caught
  });

  it('unlink removes both sides: the exit no longer propagates', async () => {
    ({ rt } = setup());
    let child!: Pid;
    const parent = rt.spawn(async (ctx) => {
      child = ctx.spawnLink(idle);
      ctx.unlink(child);
      await idle(ctx);
    });
    await rt.settle();
    expect(rt.processInfo(parent)!.links).toEqual([]);
    rt.exit(child, atom('boom'));
    await rt.settle();
    expect(rt.isAlive(parent)).toBe(true);
  });

  it('a chain of 100,000 linked processes dies without stack overflow', async () => {
    ({ rt } = setup());
    const n = 100_000;
    const first = rt.spawn({ handleMessage() {} });
    let prev = first;
    for (let i = 1; i < n; i++) {
      const link = prev;
      prev = rt.spawn({
        init(ctx) {
          ctx.link(link);
        },
        handleMessage() {},
      });
    }
    await rt.settle();
    expect(rt.processCount).toBe(n);
    rt.exit(first, atom('cascade'));
    await rt.settle();
    expect(rt.processCount).toBe(0);
  });

  it('messages sent before an exit arrive before the EXIT message', async () => {
    ({ rt } = setup());
    const log: unknown[] = [];
    rt.spawn(async (ctx) => {
      ctx.trapExit(true);
      const self = ctx.self;
      ctx.spawnLink(async (c) => {
        c.send(self, 'm1');
        c.send(self, 'm2');
        throw new ExitError(atom('done'));
      });
      for (let i = 0; i < 3; i++) log.push(await ctx.receive());
    });
    await rt.settle();
    expect(log.map(view)).toEqual(['m1', 'm2', ['EXIT', expect.any(String), 'done']]);
  });
});
