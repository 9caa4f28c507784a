/**
 * Test helpers for the node-half interop suites: a beamline node plus a real erl node on a
 * private EPMD port, and an "inbox" (a registered TS process that keeps what it receives).
 */
import { Runtime, TIMEOUT, refEquals, type ProcessContext } from '@beamline/core';
import { type Pid, Tuple, atom, t, type Term } from '@beamline/etf';
import { startNode, type BeamNode } from '../../src/node.ts';
import { MemoryLogger } from '../../src/log.ts';
import { startErl, type ErlNode } from '../../../../tools/erl/node.ts';
import { freePort } from '../../../../tools/erl/free_port.ts';

export const COOKIE = 'beamline_node_test';

export interface Pair {
  node: BeamNode;
  erl: ErlNode;
  ts: string;
  erlName: string;
  logger: MemoryLogger;
  stop(): Promise<void>;
}

/** Start `ts_<tag>@localhost` (embedded EPMD on `epmdPort`) and `erl_<tag>@localhost`. */
export async function startPair(tag: string, epmdPort: number, opts: { erlArgs?: string[]; ticktime?: number } = {}): Promise<Pair> {
  const logger = new MemoryLogger(process.env.BEAMLINE_TEST_ECHO === '1');
  const runtime = new Runtime({ logger: null });
  const node = await startNode({ name: `ts_${tag}@localhost`, cookie: COOKIE, epmdPort, runtime, logger, ticktime: opts.ticktime });
  let erl: ErlNode;
  try {
    erl = await startErl({
      name: `erl_${tag}@localhost`,
      cookie: COOKIE,
      epmdPort,
      args: opts.erlArgs,
      echo: process.env.BEAMLINE_TEST_ECHO === '1',
    });
  } catch (e) {
    await node.stop();
    await runtime.stop();
    throw e;
  }
  return {
    node,
    erl,
    ts: node.name,
    erlName: erl.name,
    logger,
    async stop() {
      await erl.stop().catch(() => {});
      await node.stop();
      await runtime.stop();
    },
  };
}

/** A registered TS process that keeps its messages; `next` waits for one that matches. */
export class Inbox {
  readonly pid: Pid;
  private readonly got: unknown[] = [];
  private waiters: { match: (m: unknown) => boolean; resolve: (m: unknown) => void }[] = [];

  constructor(rt: Runtime, name?: string, opts: { trapExit?: boolean } = {}) {
    this.pid = rt.spawn(
      async (ctx: ProcessContext) => {
        for (;;) {
          const m = await ctx.receive();
          if (m === TIMEOUT) continue;
          const i = this.waiters.findIndex((w) => w.match(m));
          if (i >= 0) {
            const [w] = this.waiters.splice(i, 1);
            w.resolve(m);
          } else this.got.push(m);
        }
      },
      { name, trapExit: opts.trapExit },
    );
  }

  /** The first message (kept or future) matching `match`; rejects after `timeoutMs`. */
  next<T = Term>(match: (m: unknown) => boolean = () => true, timeoutMs = 5000): Promise<T> {
    const i = this.got.findIndex(match);
    if (i >= 0) return Promise.resolve(this.got.splice(i, 1)[0] as T);
    return new Promise<T>((resolve, reject) => {
      const w = {
        match,
        resolve: (m: unknown) => {
          clearTimeout(timer);
          resolve(m as T);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`inbox: no matching message within ${timeoutMs} ms; kept: ${this.got.length}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Messages kept so far (not taken by `next`). */
  get kept(): unknown[] {
    return [...this.got];
  }
}

/** Wait until `cond()` holds (polling), or throw. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with the exit reason of local `pid` (through a monitor). */
export function exitReasonOf(rt: Runtime, pid: Pid, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    rt.spawn(async (ctx: ProcessContext) => {
      const ref = ctx.monitor(pid);
      const m = await ctx.receive((x) => x instanceof Tuple && x.elements[0] === atom('DOWN') && refEquals(x.elements[1], ref), timeoutMs);
      if (m === TIMEOUT) reject(new Error(`${pid} did not exit within ${timeoutMs} ms`));
      else resolve((m as Tuple).elements[4]);
    });
  });
}

/**
 * Erlang text that defines, in the erl control loop's bindings:
 *  Coll(Name, Trap)  a registered process keeping every message; `Name ! {do, Fun}` runs Fun in it
 *  Msgs(Name)        its messages so far
 *  WaitN(Name, N)    its messages once there are at least N (5 s max)
 */
export const ERL_COLLECTOR = `
Coll = fun(Name, Trap) ->
  Me = self(),
  P = spawn(fun() -> process_flag(trap_exit, Trap), register(Name, self()), Me ! {coll_up, self()},
        (fun L(Acc) -> receive {get, From} -> From ! {msgs, lists:reverse(Acc)}, L(Acc);
                               {do, F} -> F(), L(Acc);
                               M -> L([M | Acc]) end end)([]) end),
  receive {coll_up, P} -> P after 5000 -> timeout end
end,
Msgs = fun(Name) -> Name ! {get, self()}, receive {msgs, L} -> L after 5000 -> timeout end end,
WaitN = fun(Name, N) ->
  (fun W(Left) -> L = Msgs(Name),
     case length(L) >= N orelse Left =< 0 of true -> L; false -> timer:sleep(10), W(Left - 10) end end)(5000)
end,
ok`;

/** Bind `varName` on the erl side to `term` (sent through the erl loop's registered name `tester`). */
export async function bindOnErl(pair: Pair, varName: string, term: Term): Promise<void> {
  pair.node.send(['tester', pair.erlName], t(atom('bind'), atom(varName), term));
  const r = await ev(pair.erl, `${varName} = receive {bind, '${varName}', $X} -> $X after 5000 -> bind_timeout end, ok`);
  if (r !== 'ok') throw new Error(`bindOnErl ${varName}: ${r}`);
}

let freshSeq = 0;
/**
 * Evaluate on the erl control loop, whose bindings persist between calls: every `$Name` in
 * `expr` becomes a variable unique to this call, so patterns never match leftovers.
 */
export function ev(erl: { eval(expr: string, timeoutMs?: number): Promise<string> }, expr: string, timeoutMs?: number): Promise<string> {
  const k = ++freshSeq;
  return erl.eval(expr.replace(/\$([A-Z][A-Za-z0-9_]*)/g, `$1_f${k}`), timeoutMs);
}

/**
 * Wait until local `pid` has a link (or a monitor on it) from another node: a signal erl sent
 * travels over the dist connection, the eval's answer over erl's stdout, so the answer can win.
 */
export async function untilRemoteLinked(rt: Runtime, pid: Pid, what: 'links' | 'monitoredBy' = 'links'): Promise<void> {
  await until(() => (rt.processInfo(pid)?.[what] ?? []).some((p) => p.node !== rt.node), 5000, `remote ${what} on ${pid}`);
}

/** Poll an Erlang boolean expression until it is `true` (5 s max). */
export async function untilErl(erl: { eval(expr: string, timeoutMs?: number): Promise<string> }, expr: string): Promise<void> {
  await until(async () => (await erl.eval(expr)) === 'true', 5000, expr);
}

/**
 * A free TCP port for a suite's private EPMD. Fixed ports collide when two people (or CI jobs)
 * run the same suite at once on one machine; a fresh port per run does not.
 */

export { freePort };
