/**
 * proc_lib: the acknowledged start every behaviour uses (start / start_link / init_ack /
 * init_fail). The starter spawns the process and waits, in a selective receive, until the new
 * process says its init is done (ack), that it failed (nack), or it dies first.
 *
 *   starter                                  new process
 *   start(where, build, opts) ─ spawn(Link) ─▶ init ...
 *       receive ack | nack | 'DOWN'   ◀─ initAck(ctx, starter)          → resolves with the pid
 *                                     ◀─ initFail(ctx, starter, reason) → rejects StartError(reason)
 *
 * As in OTP 26+, a failed start leaves no 'EXIT' message in a starter that traps exits: on a nack
 * or the 'DOWN' the starter unlinks and drops it. A starter that does not trap exits is killed by
 * the link when init fails with an abnormal reason, as in erl. A start that times out kills the
 * new process and rejects with StartError(timeout).
 */
import { type Tuple, atom, t, type Pid } from '@beamline/etf';
import { kill } from './basics/atoms.ts';
import { StartError } from './basics/errors.ts';
import { pidEquals } from './basics/refs.ts';
import { isDownOf, isExitFrom } from './basics/signals.ts';
import { TIMEOUT, type ProcessBehaviour, type ProcessContext, type SpawnOptions } from './basics/types.ts';
import { inProcess, type Timeout, type Where } from './gen.ts';
import { internalsOf } from './process/context.ts';
import { Runtime } from './runtime.ts';

/** The start handshake's message (local only: starter and child share a runtime). */
class InitAck {
  constructor(
    readonly pid: Pid,
    readonly ok: boolean,
    /** On failure: the reason the start fails with (`ignore` for init's ignore). */
    readonly reason: unknown,
  ) {}
}

export interface StartOptions extends SpawnOptions {
  /** start_link: link the new process to the starter (its parent). */
  link?: boolean;
  /** How long init may take (default `infinity`). */
  timeout?: Timeout;
}

/** Who started a process, and its parent: what a behaviour loop needs to ack and to stop with its parent. */
export interface Starter {
  readonly pid: Pid;
  readonly linked: boolean;
  /**
   * OTP's gen Parent: the starter when linked; the runtime's init pid for a start from the
   * runtime (which plays the application master, so `rt.stop()` stops it as a parent would);
   * otherwise none (the process is its own parent).
   */
  readonly parent: Pid | undefined;
}

/**
 * Starts the behaviour `build(starter)` returns and waits for its init. `build` gets the starter
 * so the behaviour can ack to it (and knows its parent: the starter when linked, else itself).
 */
export function start(where: Where, build: (starter: Starter) => ProcessBehaviour, opts: StartOptions = {}): Promise<Pid> {
  const root = where instanceof Runtime ? where.initPid : undefined;
  return inProcess(where, async (ctx) => {
    const link = opts.link === true;
    // gen's register_name: a taken name fails the start with {already_started, Pid}, not badarg
    const holder = opts.name === undefined ? undefined : ctx.whereis(opts.name);
    if (holder !== undefined) throw new StartError(t(atom('already_started'), holder));
    const code = build({ pid: ctx.self, linked: link, parent: link ? ctx.self : root });
    const spawnOpts: SpawnOptions = { name: opts.name, trapExit: opts.trapExit, expectedExit: opts.expectedExit };
    const { proc, kernel } = internalsOf(ctx)!;
    // what is in the starter's mailbox now cannot be about the new process: the waits below scan
    // only what arrives later (a supervisor with thousands of queued start_child calls)
    const mark = proc.mb?.size ?? 0;
    // linked and monitored before its init runs (a synchronous init runs inside spawn)
    const [child, ref] = kernel.spawnFrom(proc, code, spawnOpts, link, true, { procLib: true, root: root !== undefined });
    const pid = child.self;
    const mref = ref!;
    const timeout = opts.timeout === undefined || opts.timeout === 'infinity' ? undefined : opts.timeout;
    const msg = await proc.receive((m) => (m instanceof InitAck && pidEquals(m.pid, pid)) || isDownOf(m, mref), timeout, mark);
    if (msg === TIMEOUT) {
      if (link) ctx.unlink(pid);
      ctx.exit(pid, kill);
      await ctx.receive((m) => isDownOf(m, mref));
      if (link) await flushExit(ctx, pid);
      throw new StartError(atom('timeout'));
    }
    if (msg instanceof InitAck) {
      if (msg.ok) {
        ctx.demonitor(mref);
        await proc.receive((m) => isDownOf(m, mref), 0, mark);
        return pid;
      }
      if (link) ctx.unlink(pid);
      // wait until it is gone, so that a restart cannot race its name or resources
      await ctx.receive((m) => isDownOf(m, mref));
      if (link) await flushExit(ctx, pid);
      throw new StartError(msg.reason);
    }
    // died before acknowledging: init stopped, threw, or was killed
    if (link) {
      ctx.unlink(pid);
      await flushExit(ctx, pid);
    }
    throw new StartError((msg as Tuple).elements[4]);
  });
}

/** Drops a queued `{'EXIT', Pid, _}`. */
async function flushExit(ctx: ProcessContext, pid: Pid): Promise<void> {
  await ctx.receive((m) => isExitFrom(m, pid), 0);
}

/** init_ack: init is done, the starter's start resolves. */
export function initAck(ctx: ProcessContext, starter: Starter | undefined): void {
  if (starter !== undefined) ctx.send(starter.pid, new InitAck(ctx.self, true, undefined));
}

/** init_fail: the start fails with `reason` (`ignore` for init's ignore); the caller exits right after. */
export function initFail(ctx: ProcessContext, starter: Starter | undefined, reason: unknown): void {
  if (starter !== undefined) ctx.send(starter.pid, new InitAck(ctx.self, false, reason));
}
