import { Pid, atom, format } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import { type CrashReport, ExitError, consoleLogger, type Runtime, normal, type ProcessBehaviour, type ProcessContext } from '../src/index.ts';
import { setup } from './helpers.ts';

let rt: Runtime;
afterEach(async () => {
  await rt?.stop();
});

describe('spawn and pids', () => {
  it('gives unique pids with an Erlang printable form carrying node and creation', async () => {
    ({ rt } = setup({ node: 'a@localhost', creation: 7 }));
    const pids = Array.from({ length: 100 }, () => rt.spawn(async (ctx) => void (await ctx.receive())));
    expect(new Set(pids.map(String)).size).toBe(100);
    for (const p of pids) {
      expect(p).toBeInstanceOf(Pid);
      expect(p.node).toBe(atom('a@localhost'));
      expect(p.creation).toBe(7);
      expect(String(p)).toMatch(/^<a@localhost\.\d+\.0>$/);
      expect(format(p, { localNode: rt.node })).toMatch(/^<0\.\d+\.0>$/);
    }
    await rt.settle();
    expect(rt.processes()).toHaveLength(100);
  });

  it('spawn does not run the child on the caller stack', async () => {
    ({ rt } = setup());
    const order: string[] = [];
    rt.spawn(async () => {
      order.push('child');
    });
    order.push('parent');
    await rt.settle();
    expect(order).toEqual(['parent', 'child']);
  });

  it('an async process that returns exits normal and leaves the table', async () => {
    let crashes: CrashReport[];
    ({ rt, crashes } = setup());
    const pid = rt.spawn(async () => 42);
    await rt.settle();
    expect(rt.isAlive(pid)).toBe(false);
    expect(rt.processInfo(pid)).toBeUndefined();
    expect(crashes).toHaveLength(0);
  });

  it('a thrown exception becomes the exit reason and is logged (no links) with the Error', async () => {
    let crashes: CrashReport[];
    ({ rt, crashes } = setup());
    const err = new Error('boom');
    const [pid, reasons] = await watch(rt, async () => {
      throw err;
    });
    expect(reasons).toEqual([err]);
    expect(crashes).toHaveLength(1);
    expect(crashes[0].pid).toBe(pid);
    expect(crashes[0].reason).toBe(err);
    expect(crashes[0].error).toBe(err);
  });

  it('throw new ExitError(reason) is exit/1: the reason is the term, not the Error', async () => {
    ({ rt } = setup());
    const [, reasons] = await watch(rt, async () => {
      throw new ExitError(atom('bye'));
    });
    expect(reasons).toEqual([atom('bye')]);
  });

  it('a plain process: an error is logged even when linked (erl: "Error in process"); exit/1 is not', async () => {
    let crashes: CrashReport[];
    ({ rt, crashes } = setup());
    let linked!: Pid;
    rt.spawn(async (ctx) => {
      ctx.trapExit(true);
      linked = ctx.spawnLink(async () => {
        throw new Error('linked crash');
      });
      await ctx.receive();
    });
    rt.spawn(async () => {
      throw new ExitError(normal);
    });
    rt.spawn(async () => {
      throw new ExitError(atom('abnormal_but_exit'));
    });
    await rt.settle();
    expect(crashes.map((c) => c.pid)).toEqual([linked]);
  });

  it('callback processes: init once, handleMessage once per message, in order', async () => {
    ({ rt } = setup());
    const seen: unknown[] = [];
    let inits = 0;
    const beh: ProcessBehaviour = {
      init() {
        inits++;
      },
      handleMessage(_ctx, msg) {
        seen.push(msg);
      },
    };
    const pid = rt.spawn(beh);
    for (let i = 0; i < 200; i++) rt.send(pid, i);
    await rt.settle();
    expect(inits).toBe(1);
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('a callback process that throws exits with the thrown value and terminate sees the reason', async () => {
    ({ rt } = setup({ logger: null }));
    const terminated: unknown[] = [];
    const err = new Error('bad message');
    const [pid, reasons] = await watch(
      rt,
      {
        handleMessage() {
          throw err;
        },
        terminate(_ctx: ProcessContext, reason: unknown) {
          terminated.push(reason);
        },
      },
      'go',
    );
    expect(rt.isAlive(pid)).toBe(false);
    expect(reasons).toEqual([err]);
    expect(terminated).toEqual([err]);
  });

  it('rejects spawning something that is not a process', () => {
    ({ rt } = setup());
    expect(() => rt.spawn({} as never)).toThrow(/handleMessage/);
  });
});

/** Spawn `code` under a monitor held by a watcher process; resolve with [pid, DOWN reasons]. */
async function watch(rt: Runtime, code: Parameters<Runtime['spawn']>[0], first?: unknown): Promise<[Pid, unknown[]]> {
  const reasons: unknown[] = [];
  let child!: Pid;
  rt.spawn(async (ctx) => {
    const [pid] = ctx.spawnMonitor(code);
    child = pid;
    if (first !== undefined) ctx.send(pid, first);
    const down = (await ctx.receive()) as { elements: unknown[] };
    reasons.push(down.elements[4]);
  });
  await rt.settle();
  return [child, reasons];
}

describe('pid reuse', () => {
  it('a stale pid never reaches the process that later gets its id (serial bumped)', async () => {
    ({ rt } = setup());
    const first = rt.spawn({ handleMessage() {} });
    rt.exit(first, atom('kill'));
    await rt.settle();
    // churn enough processes that freed ids get reused
    const got: unknown[] = [];
    let reused: Pid | undefined;
    for (let i = 0; i < 10_000 && reused === undefined; i++) {
      const p = rt.spawn({ handleMessage: (_c: ProcessContext, m: unknown) => void got.push(m) });
      if (p.id === first.id) reused = p;
      else {
        rt.exit(p, atom('kill'));
        await rt.settle();
      }
    }
    expect(reused).toBeDefined();
    expect(reused!.serial).toBe(first.serial + 1);
    expect(String(reused)).not.toBe(String(first));
    rt.send(first, 'stale');
    rt.send(reused!, 'fresh');
    await rt.settle();
    expect(got).toEqual(['fresh']);
    expect(rt.isAlive(first)).toBe(false);
    expect(rt.processInfo(first)).toBeUndefined();
  });

  it('a crashing callback process without links is logged with its name and behaviour', async () => {
    let crashes: CrashReport[];
    ({ rt, crashes } = setup());
    class Fragile implements ProcessBehaviour {
      handleMessage(): void {
        throw new RangeError('fragile');
      }
    }
    const pid = rt.spawn(new Fragile(), { name: 'fragile' });
    rt.send(pid, 'x');
    await rt.settle();
    expect(crashes).toHaveLength(1);
    expect(crashes[0]).toMatchObject({ pid, name: 'fragile', behaviour: 'Fragile' });
    expect((crashes[0].reason as Error).message).toBe('fragile');
  });
});

describe('the default report sink', () => {
  it('prints a crash as erl shows a local pid, <0.N.S>, not node-qualified', async () => {
    const lines: string[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => lines.push(a.join(' '));
    try {
      const { rt } = setup({ logger: consoleLogger });
      const pid = rt.spawn(() => {
        throw new Error('boom');
      });
      await rt.settle();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^=CRASH REPORT==== process <0\\.${pid.id}\\.${pid.serial}> \\[`));
    } finally {
      console.error = original;
    }
  });
});
