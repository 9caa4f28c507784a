/**
 * One process. `Proc` is both the runtime's record of the process and the `ProcessContext` the
 * process code receives (no per-process closures). Links, monitors and the mailbox are allocated
 * on first use so an idle process stays small.
 *
 * Two kinds of code run in a process:
 *  - a ProcessBehaviour: the scheduler calls `handleMessage` once per message (the fast path);
 *  - an async function: it runs until it awaits `receive`, which parks it; the scheduler resolves
 *    the promise when a matching message arrives, and the function continues in a microtask.
 */
import { Pid, Tuple, type Ref } from '@beamline/etf';
import type { AliasMode, AliasOptions } from './aliases.ts';
import { SYSTEM, normal } from './atoms.ts';
import { ExitError } from './errors.ts';
import { EMPTY, Mailbox } from './mailbox.ts';
import type { Runtime } from './runtime.ts';
import { handleSystemMessage } from './sys.ts';
import {
  TIMEOUT,
  type AsyncProcess,
  type Dest,
  type MonitorTarget,
  type ProcessBehaviour,
  type ProcessCode,
  type ProcessContext,
  type SpawnOptions,
  type TimerRef,
} from './types.ts';

// Process flags (one small integer per process).
export const STARTED = 1;
export const DEAD = 2;
export const TRAP_EXIT = 4;
export const IN_RUNQ = 8;
export const ASYNC = 16;
/** A callback process whose handler returned a promise that has not settled yet. */
export const BUSY = 32;
export const SUSPENDED = 64;
/** A kill is queued for this process. */
export const EXITING = 128;

/** Messages a callback process handles per scheduling before others get a turn. */
const SLICE = 64;

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

const never = (): Promise<never> => new Promise<never>(() => {});

// One shared executor (no closure per receive): it hands the resolver out through `captured`.
let captured: ((msg: unknown) => void) | null = null;
const capture = (resolve: (msg: unknown) => void): void => {
  captured = resolve;
};

export class Proc implements ProcessContext {
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

  constructor(
    readonly rt: Runtime,
    readonly self: Pid,
    readonly code: ProcessCode,
    readonly parent: Pid | undefined,
    flags: number,
  ) {
    this.flags = flags;
  }

  // ---------------------------------------------------------------- ProcessContext

  send(dest: Dest, msg: unknown): void {
    if (this.flags & DEAD) return;
    this.nOut++;
    this.rt.route(this, dest, msg);
  }

  receive<T = unknown>(match?: (msg: unknown) => boolean, after?: number): Promise<T | typeof TIMEOUT> {
    if (this.flags & DEAD) return never();
    if (this.wr !== null) throw new Error(`receive: ${this.self} already has a pending receive (missing await?)`);
    const mb = this.mb;
    const sched = this.rt.scheduler;
    let scanned = 0;
    if (mb !== null && mb.size > 0 && (after === 0 || sched.hasBudget())) {
      const size = mb.size;
      for (let i = 0; i < size; i++) {
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
      this.wt = this.rt.clock.setTimer(after, () => this.receiveTimedOut());
    }
    if (mb !== null && mb.size > scanned) sched.enqueue(this);
    return promise;
  }

  spawn(code: ProcessCode, opts?: SpawnOptions): Pid {
    return this.rt.spawnFrom(this, code, opts, false).self;
  }

  spawnLink(code: ProcessCode, opts?: SpawnOptions): Pid {
    return this.rt.spawnFrom(this, code, opts, true).self;
  }

  spawnMonitor(code: ProcessCode, opts?: SpawnOptions): [Pid, Ref] {
    let ref!: Ref;
    const child = this.rt.spawnFrom(this, code, opts, false, (c) => {
      ref = this.rt.monitors.monitor(this, c.self);
    });
    return [child.self, ref];
  }

  link(pid: Pid): void {
    if (!(this.flags & DEAD)) this.rt.links.link(this, pid);
  }

  unlink(pid: Pid): void {
    if (!(this.flags & DEAD)) this.rt.links.unlink(this, pid);
  }

  monitor(target: MonitorTarget, opts?: { alias?: AliasMode }): Ref {
    return this.rt.monitors.monitor(this, target, opts?.alias);
  }

  alias(opts?: AliasOptions): Ref {
    const ref = this.rt.makeRef();
    this.rt.aliases.create(this, ref, opts?.reply === true, false);
    return ref;
  }

  unalias(ref: Ref): boolean {
    return this.rt.aliases.unalias(this, ref);
  }

  demonitor(ref: Ref, opts?: { flush?: boolean }): boolean {
    return this.rt.monitors.demonitor(this, ref, opts?.flush === true);
  }

  exit(pid: Pid, reason: unknown): void {
    if (!(this.flags & DEAD)) this.rt.links.exit2(this.self, pid, reason);
  }

  trapExit(flag: boolean): boolean {
    const old = (this.flags & TRAP_EXIT) !== 0;
    if (flag) this.flags |= TRAP_EXIT;
    else this.flags &= ~TRAP_EXIT;
    return old;
  }

  register(name: string): void {
    this.rt.registry.register(name, this);
  }

  unregister(name: string): void {
    this.rt.registry.unregister(name);
  }

  whereis(name: string): Pid | undefined {
    return this.rt.whereis(name);
  }

  sendAfter(ms: number, dest: Dest, msg: unknown): TimerRef {
    return this.rt.timers.sendAfter(ms, dest, msg, this);
  }

  cancelTimer(ref: TimerRef): number | false {
    return this.rt.timers.cancel(ref);
  }

  makeRef(): Ref {
    return this.rt.makeRef();
  }

  // ---------------------------------------------------------------- runtime side

  get isAsync(): boolean {
    return (this.flags & ASYNC) !== 0;
  }

  get behaviourName(): string {
    if (this.flags & ASYNC) return 'async';
    const code = this.code as ProcessBehaviour;
    return code.behaviourName ?? code.constructor?.name ?? 'behaviour';
  }

  /** Enqueue a message (the only way messages enter a mailbox). */
  deliver(msg: unknown): void {
    const flags = this.flags;
    if (flags & DEAD) return;
    let mb = this.mb;
    if (mb === null) mb = this.mb = new Mailbox();
    mb.push(msg);
    if ((flags & IN_RUNQ) === 0 && (this.wr !== null || (flags & (ASYNC | BUSY)) === 0)) {
      this.rt.scheduler.enqueue(this);
    }
  }

  /** Called by the scheduler. Returns the reductions used. */
  run(): number {
    const flags = this.flags;
    if (flags & DEAD) return 0;
    if ((flags & STARTED) === 0) return this.start();
    if (this.wr !== null) return this.scanPending();
    if (flags & (ASYNC | BUSY)) return 0;
    if (flags & SUSPENDED) return this.runSuspended();
    const mb = this.mb;
    if (mb === null) return 0;
    const code = this.code as ProcessBehaviour;
    let n = 0;
    while (n < SLICE) {
      const msg = mb.shift();
      if (msg === EMPTY) return n;
      n++;
      this.nIn++;
      if (msg instanceof Tuple && msg.elements[0] === SYSTEM && msg.elements.length === 3) {
        handleSystemMessage(this, msg.elements[1], msg.elements[2]);
        if (this.flags & (SUSPENDED | DEAD)) return n;
        continue;
      }
      let r: unknown;
      try {
        r = code.handleMessage(this, msg);
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
    if (mb.size > 0) this.rt.scheduler.enqueue(this);
    return n;
  }

  /** @internal first run: async bodies start from the scheduler, behaviours' init runs in spawn. */
  start(): number {
    this.flags |= STARTED;
    if (this.flags & ASYNC) {
      let r: unknown;
      try {
        r = (this.code as AsyncProcess)(this);
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
        r = code.init(this);
      } catch (e) {
        this.crash(e);
        return 1;
      }
      if (r !== undefined && r !== null && typeof (r as Promise<void>).then === 'function') {
        this.awaitHandler(r as Promise<void>);
        return 1;
      }
    }
    if (this.mb !== null && this.mb.size > 0 && !(this.flags & DEAD)) this.rt.scheduler.enqueue(this);
    return 1;
  }

  private awaitHandler(p: Promise<void>): void {
    this.flags |= BUSY;
    p.then(
      () => {
        if (this.flags & DEAD) return;
        this.flags &= ~BUSY;
        if (this.mb !== null && this.mb.size > 0) this.rt.scheduler.enqueue(this);
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
        const resolve = this.wr!;
        this.wr = null;
        this.wm = null;
        if (this.wt !== null) {
          this.rt.clock.clearTimer(this.wt);
          this.wt = null;
        }
        this.nIn++;
        resolve(msg);
        return i - this.wp + 1;
      }
    }
    const n = size - this.wp;
    this.wp = size;
    return n;
  }

  private receiveTimedOut(): void {
    this.wt = null;
    const resolve = this.wr;
    if (resolve === null) return;
    this.wr = null;
    this.wm = null;
    resolve(TIMEOUT);
  }

  /** While suspended only system messages are handled; the rest wait in order. */
  private runSuspended(): number {
    const mb = this.mb;
    if (mb === null) return 0;
    let n = 0;
    for (let i = 0; i < mb.size; ) {
      const msg = mb.at(i);
      if (msg instanceof Tuple && msg.elements[0] === SYSTEM && msg.elements.length === 3) {
        mb.removeAt(i);
        n++;
        this.nIn++;
        handleSystemMessage(this, msg.elements[1], msg.elements[2]);
        if (this.flags & DEAD) return n;
        if (!(this.flags & SUSPENDED)) {
          if (mb.size > 0) this.rt.scheduler.enqueue(this);
          return n;
        }
      } else i++;
    }
    return n;
  }

  /** The async body returned: exit normal. */
  private bodyReturned(): void {
    this.rt.exitProcess(this, normal, undefined, false);
  }

  /** The process's own code threw (or threw ExitError = exit/1). */
  crash(e: unknown): void {
    if (this.flags & DEAD) return;
    const reason = e instanceof ExitError ? e.reason : e;
    const code = this.code as ProcessBehaviour;
    if (!(this.flags & ASYNC) && code.terminate !== undefined) {
      try {
        code.terminate(this, reason);
      } catch (te) {
        this.rt.exitProcess(this, te, te, true);
        return;
      }
    }
    this.rt.exitProcess(this, reason, e, true);
  }

  /** Resume after sys resume. */
  resume(): void {
    this.flags &= ~SUSPENDED;
    if (this.mb !== null && this.mb.size > 0) this.rt.scheduler.enqueue(this);
  }

  /** Drop the pending receive and its timer (on exit). */
  clearWait(): void {
    if (this.wt !== null) {
      this.rt.clock.clearTimer(this.wt);
      this.wt = null;
    }
    this.wr = null;
    this.wm = null;
  }
}
