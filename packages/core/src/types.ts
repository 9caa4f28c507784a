/** The public shapes shared by the runtime modules (see API.md). */
import type { Atom, Pid, Ref, Tuple } from '@beamline/etf';
import type { AliasMode, AliasOptions } from './aliases.ts';

/**
 * Where a message can go: a pid, a registered name, a name on a node (`{Name, Node}`), or a
 * process alias (a Ref; dropped unless the alias is active).
 */
export type Dest = Pid | string | Atom | [name: string | Atom, node: string | Atom] | Tuple | Ref;

/** What `monitor` accepts: a pid, a local registered name, or `[name, node]`. */
export type MonitorTarget = Pid | string | Atom | [name: string | Atom, node: string | Atom];

/** Returned by `sendAfter`; pass it to `cancelTimer`. It is an Erlang reference. */
export type TimerRef = Ref;

/** The handle a process gets to act as itself (Erlang BIFs called from inside the process). */
export interface ProcessContext {
  readonly self: Pid;
  /** Enqueue `msg` for `dest`; never runs the receiver. Throws BadArg for an unknown local name. */
  send(dest: Dest, msg: unknown): void;
  /**
   * Selective receive: resolves with the first message (oldest first) for which `match` is true;
   * the others stay in order. With `after` (ms, 0 allowed) resolves to `TIMEOUT` when nothing
   * matches in time. Only one receive may be pending per process.
   */
  receive<T = unknown>(match?: (msg: unknown) => boolean, after?: number): Promise<T | typeof TIMEOUT>;
  spawn(code: ProcessCode, opts?: SpawnOptions): Pid;
  spawnLink(code: ProcessCode, opts?: SpawnOptions): Pid;
  spawnMonitor(code: ProcessCode, opts?: SpawnOptions): [Pid, Ref];
  link(pid: Pid): void;
  unlink(pid: Pid): void;
  /**
   * With `alias`, the monitor's ref is also an alias of this process (OTP's `{alias, Mode}`):
   * `demonitor` deactivates it when the monitor goes (demonitor or 'DOWN'), `reply_demonitor`
   * also after the first message through it (which removes the monitor too),
   * `explicit_unalias` only by `unalias`.
   */
  monitor(target: MonitorTarget, opts?: { alias?: AliasMode }): Ref;
  /** Returns whether the monitor was still active. `flush` removes its 'DOWN' from the mailbox. */
  demonitor(ref: Ref, opts?: { flush?: boolean }): boolean;
  /** alias/1: a ref that delivers to this process until `unalias` (or once, with `reply`) or exit. */
  alias(opts?: AliasOptions): Ref;
  /** unalias/1: returns whether the alias was active. */
  unalias(ref: Ref): boolean;
  /** exit/2. To exit yourself with a reason (exit/1), `throw new ExitError(reason)`. */
  exit(pid: Pid, reason: unknown): void;
  /** process_flag(trap_exit, Flag); returns the old value. */
  trapExit(flag: boolean): boolean;
  register(name: string): void;
  unregister(name: string): void;
  whereis(name: string): Pid | undefined;
  sendAfter(ms: number, dest: Dest, msg: unknown): TimerRef;
  /** Milliseconds that were left, or false if the timer already fired or was cancelled. */
  cancelTimer(ref: TimerRef): number | false;
  makeRef(): Ref;
}

/** Resolved by `receive` when `after` expires. */
export const TIMEOUT: unique symbol = Symbol('TIMEOUT');

/**
 * A callback process: the scheduler calls `handleMessage` once per message, synchronously. It
 * may return a promise (an async handler): until it settles the process takes no other message,
 * but a `ctx.receive` made inside it is served (this is how a behaviour waits for a reply).
 */
export interface ProcessBehaviour {
  init?(ctx: ProcessContext): void | Promise<void>;
  handleMessage(ctx: ProcessContext, msg: unknown): void | Promise<void>;
  /**
   * Called when the process exits by its own doing (a handler threw, or threw ExitError), not
   * when an exit signal kills it (as in Erlang, a killed process runs no more code).
   */
  terminate?(ctx: ProcessContext, reason: unknown): void;
  /** Optional name for introspection (defaults to the constructor name). */
  readonly behaviourName?: string;
  /** Optional extra data for introspection / the process tree (e.g. a supervisor's children). */
  describe?(): Record<string, unknown>;
  /** sys protocol hooks (GenServer implements them). */
  systemGetState?(): unknown;
  systemReplaceState?(fn: (state: unknown) => unknown): unknown;
}

export type AsyncProcess = (ctx: ProcessContext) => Promise<unknown> | unknown;
export type ProcessCode = AsyncProcess | ProcessBehaviour;

export interface SpawnOptions {
  /** Register the new process under this name (atomically with the spawn; throws if taken). */
  name?: string;
  /** Start with trap_exit set. */
  trapExit?: boolean;
}

export type ProcessStatus = 'runnable' | 'running' | 'waiting' | 'suspended' | 'exiting';

export interface MonitorInfo {
  ref: Ref;
  /** The monitored pid, or `[name, node]` for a monitor by name. */
  target: Pid | [string, string];
}

export interface ProcessInfo {
  pid: Pid;
  registeredName: string | undefined;
  status: ProcessStatus;
  messageQueueLen: number;
  links: Pid[];
  /** Monitors this process holds. */
  monitors: MonitorInfo[];
  /** Processes monitoring this one. */
  monitoredBy: Pid[];
  trapExit: boolean;
  /** 'async' for async-function processes, else the behaviour's name (class name). */
  behaviour: string;
  parent: Pid | undefined;
  /** Parent, grandparent, ... (as far as they are alive; a dead ancestor ends the chain). */
  ancestors: Pid[];
  messagesIn: number;
  messagesOut: number;
  details: Record<string, unknown> | undefined;
}

export interface TreeNode {
  pid: Pid;
  name: string | undefined;
  behaviour: string;
  status: ProcessStatus;
  details: Record<string, unknown> | undefined;
  children: TreeNode[];
}

/** Crash reports (Erlang's error_logger). */
export interface CrashReport {
  pid: Pid;
  name: string | undefined;
  behaviour: string;
  reason: unknown;
  /** The thrown value, when the exit came from an exception. */
  error: unknown;
}

export interface Logger {
  crash(report: CrashReport): void;
}
