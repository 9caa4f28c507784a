/** The public shapes shared by the runtime's layers (see API.md). */
import type { Atom, Pid, Ref, Tuple } from '@beamline/etf';

/**
 * Where a message can go: a pid, a registered name, a name on a node (`{Name, Node}`), or a
 * process alias (a Ref; dropped unless the alias is active).
 */
export type Dest = Pid | string | Atom | [name: string | Atom, node: string | Atom] | Tuple | Ref;

/** What `monitor` accepts: a pid, a local registered name, or `[name, node]`. */
export type MonitorTarget = Pid | string | Atom | [name: string | Atom, node: string | Atom];

/** Returned by `sendAfter` / `startTimer`; pass it to `cancelTimer`. It is an Erlang reference. */
export type TimerRef = Ref;

/** `monitor(..., { alias })`: when the monitor's ref, used as an alias, is deactivated. */
export type AliasMode = 'explicit_unalias' | 'demonitor' | 'reply_demonitor';

/** `alias/1` options: `reply` deactivates the alias after the first message delivered through it. */
export interface AliasOptions {
  reply?: boolean;
}

/** Resolved by `receive` when `after` expires. */
export const TIMEOUT: unique symbol = Symbol('TIMEOUT');

/**
 * The handle a process gets to act as itself (Erlang's BIFs called from inside the process, plus
 * what proc_lib gives a process: its parent, the clock, the logger). It is sealed: the runtime's
 * record of the process is not reachable through it.
 */
export interface ProcessContext {
  readonly self: Pid;
  /** The process that spawned this one (`undefined` for a root: spawned, or started, from the runtime). */
  readonly parent: Pid | undefined;
  /** The registered name, if any (process_info(self(), registered_name)). */
  readonly registeredName: string | undefined;
  /** Where reports of this node go (crash, supervisor, progress). */
  readonly logger: Logger;
  /** Monotonic milliseconds on the runtime's clock (a TestClock in tests). */
  now(): number;
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
  /**
   * link/1. Linking to a process that does not exist raises `ErlangError(noproc)` in the caller
   * when it does not trap exits; a trapping caller gets `{'EXIT', Pid, noproc}` instead.
   */
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
  /**
   * exit/2. Aimed at the caller itself with a reason that kills it, the caller stops at once:
   * the process is dead when the call returns, which it does by throwing, so nothing after it
   * runs (a `catch` around it still runs, but as a dead process whose sends go nowhere). To exit
   * yourself with a reason (exit/1), `throw new ExitError(reason)`.
   */
  exit(pid: Pid, reason: unknown): void;
  /** process_flag(trap_exit, Flag); returns the old value. */
  trapExit(flag: boolean): boolean;
  register(name: string): void;
  unregister(name: string): void;
  whereis(name: string): Pid | undefined;
  /** erlang:send_after/3: `msg` arrives after `ms`. */
  sendAfter(ms: number, dest: Dest, msg: unknown): TimerRef;
  /** erlang:start_timer/3: `{timeout, TimerRef, Msg}` arrives after `ms`. */
  startTimer(ms: number, dest: Dest, msg: unknown): TimerRef;
  /** Whole milliseconds that were left, or false if the timer already fired or was cancelled. */
  cancelTimer(ref: TimerRef): number | false;
  /** Whole milliseconds left, or false. */
  readTimer(ref: TimerRef): number | false;
  makeRef(): Ref;
}

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
   * when an exit signal kills it (as in Erlang, a killed process runs no more code). It may be
   * async: the process takes no other message but can `receive` until it settles, then exits.
   */
  terminate?(ctx: ProcessContext, reason: unknown): void | Promise<void>;
  /** Optional name for introspection (defaults to the constructor name). */
  readonly behaviourName?: string;
  /** Optional extra data for introspection / the process tree (e.g. a supervisor's children). */
  describe?(): Record<string, unknown>;
  /** Optional: what the crash report of this process adds (`CrashReport.lastMessage` / `state`). */
  crashDetails?(): { lastMessage?: unknown; state?: unknown } | undefined;
}

export type AsyncProcess = (ctx: ProcessContext) => Promise<unknown> | unknown;
export type ProcessCode = AsyncProcess | ProcessBehaviour;

export interface SpawnOptions {
  /** Register the new process under this name (atomically with the spawn; throws if taken). */
  name?: string;
  /** Start with trap_exit set. */
  trapExit?: boolean;
  /**
   * Exit reasons this process ends with by design (erpc workers end with `{Ref, return, V}`): the
   * runtime does not report them as crashes.
   */
  expectedExit?: (reason: unknown) => boolean;
}

export type ProcessStatus = 'runnable' | 'running' | 'waiting' | 'exiting';

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

/** A process ended abnormally by its own doing (proc_lib's crash report). */
export interface CrashReport {
  pid: Pid;
  name: string | undefined;
  behaviour: string;
  reason: unknown;
  /** The thrown value, when the exit came from an exception. */
  error: unknown;
  /** Parent, grandparent, ... */
  ancestors: Pid[];
  /**
   * A GenServer-based process (GenServer, Supervisor, StateMachine) that failed after its init:
   * the message it was handling (gen_server's "Last message in was"; an idle timeout is the atom
   * `timeout`) and its state then ("When Server state"), as `crashDetails` gives them.
   */
  lastMessage?: unknown;
  state?: unknown;
}

/**
 * What a supervisor reports (OTP's supervisor reports; `kind` is their errorContext: `shutdown`
 * when it gives up, with the reason `reached_max_restart_intensity`). `unexpected_message` is
 * OTP's error report "Supervisor received unexpected message": `reason` is the message, and
 * there is no child.
 */
export interface SupervisorReport {
  kind: 'child_terminated' | 'start_error' | 'shutdown_error' | 'shutdown' | 'unexpected_message';
  supervisor: Pid;
  supervisorName: string | undefined;
  childId: string | undefined;
  childPid: Pid | undefined;
  reason: unknown;
}

/** A supervisor started a child (OTP's progress report). */
export interface ProgressReport {
  supervisor: Pid;
  supervisorName: string | undefined;
  childId: string;
  childPid: Pid;
}

/**
 * A GenServer without handleInfo was sent a message (OTP 21+'s `{gen_server, no_handle_info}`
 * warning, "Undefined handle_info in Mod / Unhandled message: Msg"); the message is dropped.
 */
export interface WarningReport {
  kind: 'no_handle_info';
  pid: Pid;
  name: string | undefined;
  behaviour: string;
  message: unknown;
}

/**
 * Where the runtime's reports go. A node (or an application) extends the logger it was given by
 * adding a sink with `rt.addReportHandler`; it never replaces it.
 */
export interface Logger {
  crash(report: CrashReport): void;
  supervisor(report: SupervisorReport): void;
  progress(report: ProgressReport): void;
  /** Optional: a logger without it drops warnings. */
  warning?(report: WarningReport): void;
}

/**
 * How a node's `sys:get_state` reads the reply: `'ok'` wants `{ok, State}` (OTP 26.1 and later),
 * `'bare'` the state itself (older OTP, and beamline nodes).
 */
export type SysStateForm = 'ok' | 'bare';
