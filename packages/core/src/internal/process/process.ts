/**
 * One process: the runtime's record of it (flags, mailbox, pending receive, links, monitors).
 * Links, monitors and the mailbox are allocated on first use so an idle process stays small. The
 * code running in the process never sees this record: it gets a sealed `Context` (context.ts).
 *
 * Two kinds of code run in a process:
 *  - a ProcessBehaviour: the scheduler calls `handleMessage` once per message (the fast path);
 *  - an async function: it runs until it awaits `receive`, which parks it; the promise is resolved
 *    when a matching message arrives (by the scheduler, or at once when it is idle: `arrive`), and
 *    the function continues in a microtask.
 */
import type { Pid, Ref } from '@beamline/etf';
import { normal } from '../basics/atoms.ts';
import type { Clock } from '../basics/clock.ts';
import { ExitError } from '../basics/errors.ts';
import { EMPTY, Mailbox } from '../basics/mailbox.ts';
import { TIMEOUT, type AsyncProcess, type ProcessBehaviour, type ProcessCode, type ProcessContext } from '../basics/types.ts';

// Process flags (one small integer per process).
export const STARTED = 1;
export const DEAD = 2;
export const TRAP_EXIT = 4;
export const IN_RUNQ = 8;
export const ASYNC = 16;
/** A callback process whose handler returned a promise that has not settled yet. */
export const BUSY = 32;
/** A kill is queued for this process. */
export const EXITING = 128;
/** Its terminate is running (an exit already decided). */
export const TERMINATING = 256;
/** Started by proc_lib: every abnormal exit of its own is a crash report (else only errors are). */
export const PROC_LIB = 512;

/** Messages a callback process handles per scheduling before others get a turn. */
const SLICE = 64;

/** What a process needs from the scheduler. */
export interface RunQueue {
  enqueue(p: Proc): void;
  hasBudget(): boolean;
  reductions: number;
  /** Nothing queued, nothing draining. */
  readonly idle: boolean;
}

/** What a process needs from the runtime that hosts it. */
export interface ProcHost {
  readonly scheduler: RunQueue;
  readonly clock: Clock;
  /** `p` exits with `reason`; `own` when its code decided it (returned, threw), not a signal. */
  exitProcess(p: Proc, reason: unknown, error: unknown, own: boolean): void;
}

/** An entry of a monitor, shared by the watcher's and the target's `mons` maps when both are local. */
export interface Mon {
  readonly ref: Ref;
  readonly key: string;
  /** The process holding the monitor (local Proc or remote Pid). */
  readonly watcher: Proc | Pid;
  /** The monitored process (local Proc, remote Pid, or [name, node] for a remote name). */
  readonly target: Proc | Pid | [name: string, node: string];
  /** What the 'DOWN' message names: the pid, or `{Name, Node}` for a monitor by name. */
  readonly item: unknown;
  /** The ref is also the watcher's alias, deactivated when the monitor goes (demonitor modes). */
  alias?: boolean;
}

/**
 * Thrown out of a process's code after `exit(self(), Reason)` killed it, so that nothing after the
 * call runs. The process is already dead when it propagates; the runtime ignores it.
 */
export class SelfExited extends Error {
  constructor() {
    super('the process exited (exit/2 to self)');
    this.name = 'SelfExited';
  }
}

const never = (): Promise<never> => new Promise<never>(() => {});

// One shared executor (no closure per receive): it hands the resolver out through `captured`.
let captured: ((msg: unknown) => void) | null = null;
const capture = (resolve: (msg: unknown) => void): void => {
  captured = resolve;
};

export class Proc {
  flags: number;
  mb: Mailbox | null = null;
  /** Pending receive: resolver, matcher, timer, and how far the mailbox was already scanned. */
  wr: ((msg: unknown) => void) | null = null;
  wm: ((msg: unknown) => boolean) | null = null;
  wt: unknown = null;
  wp = 0;
  /** Links: local Proc -> Proc, remote pidKey -> Pid. */
  links: Map<Proc | string, Proc | Pid> | null = null;
  /** Monitors held and monitors on this process, by ref key. */
  mons: Map<string, Mon> | null = null;
  /** Keys of the aliases this process owns (for its exit). */
  aliases: Set<string> | null = null;
  name: string | undefined = undefined;
  nIn = 0;
  nOut = 0;
  /** The sealed handle its code gets (set by the runtime right after construction). */
  ctx!: ProcessContext;

  constructor(
    readonly host: ProcHost,
    readonly self: Pid,
    readonly code: ProcessCode,
    readonly parent: Pid | undefined,
    flags: number,
  ) {
    this.flags = flags;
  }

  /** Drops a monitor entry; an empty table is freed (an idle process stays small). */
  dropMon(key: string): boolean {
    const mons = this.mons;
    if (mons === null || !mons.delete(key)) return false;
    if (mons.size === 0) this.mons = null;
    return true;
  }

  /** Drops a link entry; an empty table is freed. */
  dropLink(key: Proc | string): boolean {
    const links = this.links;
    if (links === null || !links.delete(key)) return false;
    if (links.size === 0) this.links = null;
    return true;
  }

  get isAsync(): boolean {
    return (this.flags & ASYNC) !== 0;
  }

  get behaviourName(): string {
    if (this.flags & ASYNC) return 'async';
    const code = this.code as ProcessBehaviour;
    return code.behaviourName ?? code.constructor?.name ?? 'behaviour';
  }

  /**
   * Selective receive (ProcessContext.receive). `from`: the mailbox index where the scan starts —
   * BEAM's receive mark: a caller that made a fresh ref or pid when the mailbox held `from`
   * messages knows none of those can match (proc_lib's start under a busy supervisor).
   */
  receive<T = unknown>(match?: (msg: unknown) => boolean, after?: number, from = 0): Promise<T | typeof TIMEOUT> {
    if (this.flags & DEAD) return never();
    if (this.wr !== null) throw new Error(`receive: ${this.self} already has a pending receive (missing await?)`);
    const mb = this.mb;
    const sched = this.host.scheduler;
    let scanned = mb === null ? 0 : Math.min(from, mb.size);
    if (mb !== null && mb.size > scanned && (after === 0 || sched.hasBudget())) {
      const size = mb.size;
      for (let i = scanned; i < size; i++) {
        const msg = mb.at(i);
        if (match === undefined || match(msg)) {
          mb.removeAt(i);
          this.nIn++;
          sched.reductions++;
          return Promise.resolve(msg as T);
        }
      }
      scanned = size;
    }
    if (after === 0) return Promise.resolve(TIMEOUT);
    this.wm = match ?? null;
    this.wp = scanned;
    const promise = new Promise<unknown>(capture) as Promise<T | typeof TIMEOUT>;
    this.wr = captured;
    captured = null;
    if (after !== undefined && after !== Infinity) {
      this.wt = this.host.clock.setTimer(after, () => this.receiveTimedOut());
    }
    if (mb !== null && mb.size > scanned) sched.enqueue(this);
    return promise;
  }

  /**
   * A message arrives (the only way messages enter a process). `from`: the local process that
   * sent it, if any. A parked receive may take a message from a process at once (see `arrive`);
   * otherwise it goes to the mailbox.
   */
  deliver(msg: unknown, from?: Proc): void {
    const flags = this.flags;
    if (flags & DEAD) return;
    if (this.wr !== null && from !== undefined && this.arrive(msg, from)) return;
    let mb = this.mb;
    if (mb === null) mb = this.mb = new Mailbox();
    mb.push(msg);
    if ((flags & IN_RUNQ) === 0 && (this.wr !== null || (flags & (ASYNC | BUSY)) === 0)) {
      this.host.scheduler.enqueue(this);
    }
  }

  /** Called by the scheduler. Returns the reductions used. */
  run(): number {
    const flags = this.flags;
    if (flags & DEAD) return 0;
    if ((flags & STARTED) === 0) return this.start();
    if (this.wr !== null) return this.scanPending();
    if (flags & (ASYNC | BUSY)) return 0;
    const mb = this.mb;
    if (mb === null) return 0;
    const code = this.code as ProcessBehaviour;
    const ctx = this.ctx;
    let n = 0;
    while (n < SLICE) {
      const msg = mb.shift();
      if (msg === EMPTY) return n;
      n++;
      this.nIn++;
      let r: unknown;
      try {
        r = code.handleMessage(ctx, msg);
      } catch (e) {
        this.crash(e);
        return n;
      }
      if (r !== undefined && r !== null && typeof (r as Promise<void>).then === 'function') {
        this.awaitHandler(r as Promise<void>);
        return n;
      }
      if (this.flags & DEAD || this.wr !== null) return n;
    }
    if (mb.size > 0) this.host.scheduler.enqueue(this);
    return n;
  }

  /** First run: async bodies start from the scheduler, behaviours' init runs in spawn. */
  start(): number {
    this.flags |= STARTED;
    if (this.flags & ASYNC) {
      let r: unknown;
      try {
        r = (this.code as AsyncProcess)(this.ctx);
      } catch (e) {
        this.crash(e);
        return 1;
      }
      if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') {
        // bound methods: smaller than two closures over a shared context
        (r as Promise<unknown>).then(this.bodyReturned.bind(this), this.crash.bind(this));
      } else this.bodyReturned();
      return 1;
    }
    const code = this.code as ProcessBehaviour;
    if (code.init !== undefined) {
      let r: unknown;
      try {
        r = code.init(this.ctx);
      } catch (e) {
        this.crash(e);
        return 1;
      }
      if (r !== undefined && r !== null && typeof (r as Promise<void>).then === 'function') {
        this.awaitHandler(r as Promise<void>);
        return 1;
      }
    }
    if (this.mb !== null && this.mb.size > 0 && !(this.flags & DEAD)) this.host.scheduler.enqueue(this);
    return 1;
  }

  private awaitHandler(p: Promise<void>): void {
    this.flags |= BUSY;
    p.then(
      () => {
        if (this.flags & DEAD) return;
        this.flags &= ~BUSY;
        if (this.mb !== null && this.mb.size > 0) this.host.scheduler.enqueue(this);
      },
      (e: unknown) => {
        this.flags &= ~BUSY;
        this.crash(e);
      },
    );
  }

  private scanPending(): number {
    const mb = this.mb;
    if (mb === null) return 0;
    const match = this.wm;
    const size = mb.size;
    for (let i = this.wp; i < size; i++) {
      const msg = mb.at(i);
      if (match === null || match(msg)) {
        mb.removeAt(i);
        const n = i - this.wp + 1;
        this.nIn++;
        this.wake(msg);
        return n;
      }
    }
    const n = size - this.wp;
    this.wp = size;
    return n;
  }

  /*
   * Waking a parked receive without the scheduler round trip.
   *
   * Profile (100,000 async processes, 1 token, `await ctx.receive(match)` per hop): 55-60% of the
   * time is V8's scavenger: the receive promise, its resolving functions and what `await` adds
   * (~350 B) stay alive for ~100,000 hops, so they are copied and promoted (~420 B per hop). That
   * part is how `await` works (a reused thenable makes V8 allocate the same; only a larger young
   * generation at node start helps: core README, "Many parked async processes").
   *
   * What can go is the round trip through the scheduler per wake-up: push to the mailbox, queue the
   * process, a drain job, pop, scan, resolve, and the body resumes one job later (two microtasks
   * per hop). For a message one process sends another, when the run queue is empty and the
   * scheduler is not draining (nobody is overtaken, no kill is pending) and has budget, and the
   * receiver has scanned its whole mailbox (this is the oldest candidate), `arrive` tests the
   * message against the pending match and resolves the receive at once: one microtask per hop. It
   * charges the reductions the scheduler would, so event-loop yields keep their rate. Messages
   * from outside and exit/DOWN messages keep the scheduler path. A sender that still has messages
   * queued is in a burst: its receivers keep the scheduler path too, so the burst piles up in their
   * mailboxes and receive's fast path takes it without parking. Measured (median of 3 interleaved
   * ring runs): 100,000 x 1 async / erl +S 1 0.43 -> 0.53, 1,000 x 1 1.57 -> 2.27; 1,000-token and
   * behaviour rows unchanged.
   */
  private arrive(msg: unknown, from: Proc): boolean {
    let mb = this.mb;
    if (this.flags & (IN_RUNQ | EXITING) || (mb !== null && mb.size !== this.wp)) return false;
    if (from.mb !== null && from.mb.size > 0) return false;
    const sched = this.host.scheduler;
    if (!sched.idle || !sched.hasBudget()) return false;
    const match = this.wm;
    if (match !== null) {
      let ok: boolean;
      try {
        ok = match(msg);
      } catch {
        return false; // the scheduler's scan meets the throw where it always did
      }
      if (!ok) {
        // it waits in the mailbox, already scanned
        sched.reductions++;
        if (mb === null) mb = this.mb = new Mailbox();
        mb.push(msg);
        this.wp = mb.size;
        return true;
      }
    }
    sched.reductions += 2; // as the scan (1) + the scheduler's run (1)
    this.nIn++;
    this.wake(msg);
    return true;
  }

  /** Settle the pending receive with a message or TIMEOUT. */
  private wake(value: unknown): void {
    const resolve = this.wr!;
    this.wr = null;
    this.wm = null;
    if (this.wt !== null) {
      this.host.clock.clearTimer(this.wt);
      this.wt = null;
    }
    resolve(value);
  }

  private receiveTimedOut(): void {
    this.wt = null;
    if (this.wr !== null) this.wake(TIMEOUT);
  }

  /** The async body returned: exit normal. */
  private bodyReturned(): void {
    this.host.exitProcess(this, normal, undefined, false);
  }

  /** The process's own code threw (or threw ExitError = exit/1): terminate, then exit. */
  crash(e: unknown): void {
    if (this.flags & (DEAD | TERMINATING)) return;
    const reason = e instanceof ExitError ? e.reason : e;
    const code = this.code as ProcessBehaviour;
    if (!(this.flags & ASYNC) && code.terminate !== undefined) {
      this.flags |= TERMINATING;
      let r: unknown;
      try {
        r = code.terminate(this.ctx, reason);
      } catch (te) {
        this.terminated(te);
        return;
      }
      if (r !== undefined && r !== null && typeof (r as Promise<void>).then === 'function') {
        // an async terminate: no other message is handled, but its receives are served
        this.flags |= BUSY;
        (r as Promise<void>).then(
          () => this.terminated(e),
          (te: unknown) => this.terminated(te),
        );
        return;
      }
    }
    this.host.exitProcess(this, reason, e, true);
  }

  /** terminate finished: exit with the reason `e` gives (the original one, or what terminate threw). */
  private terminated(e: unknown): void {
    if (this.flags & DEAD) return;
    this.host.exitProcess(this, e instanceof ExitError ? e.reason : e, e, true);
  }

  /** Drop the pending receive and its timer (on exit). */
  clearWait(): void {
    if (this.wt !== null) {
      this.host.clock.clearTimer(this.wt);
      this.wt = null;
    }
    this.wr = null;
    this.wm = null;
  }
}
