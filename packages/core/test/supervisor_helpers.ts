/** Test helpers for the supervisor tests: recording workers, DOWN watchers, start failures. */
import { Pid, Tuple, atom } from '@beamline/etf';
import { expect } from 'vitest';
import { ExitError, Runtime, StartError, TIMEOUT, TestClock, refEquals, type ProcessContext } from '../src/index.ts';

export const A = (s: string) => atom(s);

export function newRuntime(): { rt: Runtime; clock: TestClock } {
  const clock = new TestClock();
  const rt = new Runtime({ clock, logger: null });
  return { rt, clock };
}

/** Runs `fn` inside a fresh process of `rt` and resolves with its result. */
export function run<T>(rt: Runtime, fn: (ctx: ProcessContext) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    rt.spawn(async (ctx) => {
      try {
        resolve(await fn(ctx));
      } catch (e) {
        reject(e);
      }
    });
  });
}

export function isExit(m: unknown): m is Tuple {
  return m instanceof Tuple && m.size === 3 && m.get(0) === atom('EXIT');
}

export function isDown(m: unknown): m is Tuple {
  return m instanceof Tuple && m.size === 5 && m.get(0) === atom('DOWN');
}

export interface WorkerOpts {
  /** Trap exits (so the supervisor's shutdown arrives as a message, and is logged). */
  trap?: boolean;
  /** When trapping: ignore the shutdown signal (only `kill` ends it). */
  ignoreShutdown?: boolean;
  /** Extra args from simple_one_for_one are logged. */
  logArgs?: boolean;
  /** When trapping: end `normal` on the shutdown signal (a child that was finishing anyway). */
  normalOnShutdown?: boolean;
}

/**
 * A child start function: spawns a linked worker that logs `start <name>` and, when it traps
 * exits, `stop <name> <reason>`. It exits on the messages 'crash' (reason boom), 'normal',
 * 'shutdown', or ['exit', reason].
 */
export function worker(log: string[], name: string, opts: WorkerOpts = {}) {
  return (ctx: ProcessContext, ...args: unknown[]): Pid =>
    ctx.spawnLink(
      async (c) => {
        log.push(opts.logArgs ? `start ${name} ${args.join(',')}` : `start ${name}`);
        for (;;) {
          const m = await c.receive();
          if (isExit(m)) {
            log.push(`stop ${name} ${String(m.get(2))}`);
            if (opts.ignoreShutdown) continue;
            if (opts.normalOnShutdown) return;
            throw new ExitError(m.get(2));
          }
          if (m === 'crash') throw new ExitError(atom('boom'));
          if (m === 'normal') return;
          if (m === 'shutdown') throw new ExitError(atom('shutdown'));
          if (Array.isArray(m) && m[0] === 'exit') throw new ExitError(m[1]);
          if (Array.isArray(m) && m[0] === 'ping') c.send(m[1], ['pong', c.self]);
        }
      },
      { trapExit: opts.trap === true },
    );
}

/** Resolves with the exit reason of `pid` (a monitor set up before this returns, once settled). */
export async function watch(rt: Runtime, pid: Pid): Promise<() => Promise<unknown>> {
  let ready!: () => void;
  const armed = new Promise<void>((r) => (ready = r));
  const reason = run(rt, async (ctx) => {
    const ref = ctx.monitor(pid);
    ready();
    const m = (await ctx.receive((x: unknown) => isDown(x) && refEquals(x.get(1), ref))) as Tuple;
    return m.get(4) as unknown;
  });
  await armed;
  return () => reason;
}

export function pidOf(children: { id: string | undefined; pid: unknown }[], id: string): Pid {
  const c = children.find((x) => x.id === id);
  if (!c || !(c.pid instanceof Pid)) throw new Error(`child ${id} is not running: ${String(c?.pid)}`);
  return c.pid;
}

/**
 * Runs an acknowledged start (`Supervisor.start(ctx, ...)`, `StateMachine.start(ctx, ...)`) from a
 * process that traps exits, expects it to be rejected with StartError and resolves with the
 * reason. As OTP 26's proc_lib, a failed start leaves nothing behind: the starter is sent no
 * 'EXIT' for the process that failed (checked here).
 */
export function startFailure(rt: Runtime, start: (ctx: ProcessContext) => Promise<Pid>): Promise<unknown> {
  return run(rt, async (ctx) => {
    ctx.trapExit(true);
    let reason: unknown;
    try {
      const pid = await start(ctx);
      throw new Error(`start did not fail: ${String(pid)}`);
    } catch (e) {
      if (!(e instanceof StartError)) throw e;
      reason = e.reason;
    }
    const stray = await ctx.receive(isExit, 0);
    expect(stray).toBe(TIMEOUT);
    return reason;
  });
}
