/**
 * GenServer (OTP's gen_server) on the callback-process fast path.
 *
 *   caller                                  server process (GenServerLoop)
 *   GenServer.call(w, S, Req) --{'$gen_call', {Pid, Tag}, Req}--> handleCall(Req, From, State)
 *        waits for {Tag, Reply} or 'DOWN' <---------- {Tag, Reply} ---  { tag: 'reply', reply, state }
 *   GenServer.cast(w, S, Msg) --{'$gen_cast', Msg}----------------> handleCast(Msg, State)
 *   {system, From, Req} ------------------------------------------> answered by the loop (sys.ts)
 *   any other message --------------------------------------------> handleInfo(Msg, State)
 *
 * `start` is acknowledged (proc_lib): it resolves with the pid once `init` has returned, and
 * rejects with StartError when init stops, throws or returns ignore. Handlers may be async: the
 * server takes no other message until the promise settles, but can `await` calls meanwhile.
 *
 * Results are tagged:
 *   init       -> { tag: 'ok', state, timeout?, continue? } | { tag: 'stop', reason } | { tag: 'ignore' }
 *   handleCall -> { tag: 'reply', reply, state, timeout?, continue? } | { tag: 'noreply', state, ... }
 *                 | { tag: 'stop', reason, state, reply? }
 *   handleCast / handleInfo / handleContinue -> { tag: 'noreply', state, timeout?, continue? } | { tag: 'stop', reason, state }
 * `timeout` (ms): if no message arrives in time, handleInfo gets the atom `timeout`. `continue`:
 * handleContinue runs before any other message. The parent's exit signal (`{'EXIT', Parent, R}`
 * while trapping exits; the parent is the starter of `startLink`, the runtime for a start from the
 * runtime, nobody for an unlinked `start` from a process) stops the server with R.
 */
import { Pid, Tuple, atom, charlist, t, type Ref } from '@beamline/etf';
import { EXIT, GEN_CALL, GEN_CAST, normal, timeout as TIMEOUT_ATOM } from './internal/basics/atoms.ts';
import { BadArg, ExitError } from './internal/basics/errors.ts';
import { pidEquals } from './internal/basics/refs.ts';
import type { Dest, ProcessBehaviour, ProcessContext, SpawnOptions } from './internal/basics/types.ts';
import { From, call, isContext, whereGlobal, type Timeout, type Where } from './internal/gen.ts';
import { initAck, initFail, start, type Starter } from './internal/proc_lib.ts';
import { handleSystemMessage, isSystemMessage, stopProcess, type SystemHooks } from './internal/sys.ts';
import { SysDebug } from './internal/sys_debug.ts';

export { From };

type MaybePromise<T> = T | Promise<T>;

interface Idle {
  /** ms without a message before handleInfo gets `timeout`. */
  timeout?: number;
}

export type InitResult<S> =
  | ({ tag: 'ok'; state: S; continue?: unknown } & Idle)
  | { tag: 'stop'; reason: unknown }
  | { tag: 'ignore' }
  /** OTP 26+'s `{error, Reason}`: the start fails with Reason, the process exits normal. */
  | { tag: 'error'; reason: unknown };
export type CallResult<S, R> =
  | ({ tag: 'reply'; reply: R; state: S; continue?: unknown } & Idle)
  | ({ tag: 'noreply'; state: S; continue?: unknown } & Idle)
  | { tag: 'stop'; reason: unknown; state: S; reply?: R };
export type NoReplyResult<S> = ({ tag: 'noreply'; state: S; continue?: unknown } & Idle) | { tag: 'stop'; reason: unknown; state: S };

/** What format_status/1 gets and returns (OTP's status map): `message` only for a crash report. */
export interface FormatStatus<S> {
  state: S;
  log: unknown[];
  message?: unknown;
}

/** Options of a result: an idle timeout, or a continue handled before any other message. */
export interface ResultOptions {
  timeout?: number;
  continue?: unknown;
}

/** init's `{ok, State}` (with `{continue, C}` or a timeout through `opts`). */
export function ok<S>(state: S, opts?: ResultOptions): { tag: 'ok'; state: S } & ResultOptions {
  return { tag: 'ok', state, ...opts };
}

/** handleCall's `{reply, Reply, State}`. */
export function reply<R, S>(value: R, state: S, opts?: ResultOptions): { tag: 'reply'; reply: R; state: S } & ResultOptions {
  return { tag: 'reply', reply: value, state, ...opts };
}

/** `{noreply, State}`. */
export function noreply<S>(state: S, opts?: ResultOptions): { tag: 'noreply'; state: S } & ResultOptions {
  return { tag: 'noreply', state, ...opts };
}

/** `{stop, Reason, State}` (init: `{stop, Reason}`; handleCall may also reply before stopping). */
export function stop<S, R = never>(reason: unknown, state?: S, replyWith?: { reply: R }): { tag: 'stop'; reason: unknown; state: S; reply?: R } {
  return replyWith === undefined ? { tag: 'stop', reason, state: state as S } : { tag: 'stop', reason, state: state as S, reply: replyWith.reply };
}

/** init's `ignore`. */
export function ignore(): { tag: 'ignore' } {
  return { tag: 'ignore' };
}

declare const types: unique symbol;

/** A pid that remembers what its server speaks, so `call` and `cast` are typed (a phantom brand). */
export type ServerPid<Call = unknown, Cast = unknown, Reply = unknown> = Pid & {
  readonly [types]: { call: Call; cast: Cast; reply: Reply };
};

/** Any destination but a typed server pid (those take the typed overloads only). */
type UntypedDest = Exclude<Dest, Pid> | (Pid & { readonly [types]?: undefined });

type AnyServer = GenServer<any, any, any, any, any>;
type PidOf<G extends AnyServer> = ServerPid<
  NonNullable<G[typeof types]>['call'],
  NonNullable<G[typeof types]>['cast'],
  NonNullable<G[typeof types]>['reply']
>;
type ArgsOf<G extends AnyServer> = NonNullable<G[typeof types]>['args'];

export interface GenServerStartOptions {
  /** Registered name (a taken one fails the start with StartError({already_started, Pid})). */
  name?: string;
  /** start_link: link to the starter, which becomes the server's parent. */
  link?: boolean;
  /** Start with trap_exit set. */
  trapExit?: boolean;
  /** How long init may take (default `infinity`). */
  timeout?: Timeout;
}

export abstract class GenServer<State = unknown, Call = unknown, Cast = unknown, Reply = unknown, Args = unknown> {
  declare readonly [types]?: { state: State; call: Call; cast: Cast; reply: Reply; args: Args };

  abstract init(args: Args, ctx: ProcessContext): MaybePromise<InitResult<State>>;
  handleCall?(req: Call, from: From, state: State, ctx: ProcessContext): MaybePromise<CallResult<State, Reply>>;
  handleCast?(msg: Cast, state: State, ctx: ProcessContext): MaybePromise<NoReplyResult<State>>;
  handleInfo?(msg: unknown, state: State, ctx: ProcessContext): MaybePromise<NoReplyResult<State>>;
  handleContinue?(cont: unknown, state: State, ctx: ProcessContext): MaybePromise<NoReplyResult<State>>;
  /** May be async: the process stays alive (and can receive) until it settles. */
  terminate?(reason: unknown, state: State, ctx: ProcessContext): MaybePromise<void>;
  /** Extra data for introspection / the process tree (e.g. a supervisor's children). */
  describe?(state: State): Record<string, unknown>;
  /**
   * OTP 25+'s format_status/1: what `sys:get_status` shows of the state and the logged events, and
   * what a crash report shows of the state and the last message (e.g. secrets hidden). It gets
   * `message` only for a crash report. `sys:get_state` still returns the state itself.
   */
  formatStatus?(status: FormatStatus<State>): FormatStatus<unknown>;

  /**
   * Starts a server and waits for its `init` (gen_server:start / start_link). From a process
   * context the new process is its child; from the runtime it is a root (and cannot be linked).
   * Resolves with the pid; rejects with StartError (`reason`; `ignored` for init's ignore).
   */
  static start<G extends AnyServer>(where: Where, server: G | (new () => G), args?: ArgsOf<G>, opts: GenServerStartOptions = {}): Promise<PidOf<G>> {
    if (opts.link === true && !isContext(where)) return Promise.reject(new BadArg('GenServer.start: link needs a process context'));
    const impl = typeof server === 'function' ? new server() : server;
    const spawnOpts: SpawnOptions & { link?: boolean; timeout?: Timeout } = {
      name: opts.name,
      trapExit: opts.trapExit,
      link: opts.link,
      timeout: opts.timeout,
    };
    return start(where, (starter) => new GenServerLoop(impl, args, starter), spawnOpts) as Promise<PidOf<G>>;
  }

  /** `start` with `link: true`. */
  static startLink<G extends AnyServer>(
    ctx: ProcessContext,
    server: G | (new () => G),
    args?: ArgsOf<G>,
    opts: Omit<GenServerStartOptions, 'link'> = {},
  ): Promise<PidOf<G>> {
    return GenServer.start(ctx, server, args, { ...opts, link: true });
  }

  /** gen_server:call. Rejects with CallError (server down, noproc, calling_self) or CallTimeout. */
  // NoInfer: the message types come from the pid alone (a literal argument would widen them)
  static call<C, K, R>(where: Where, server: ServerPid<C, K, R>, req: NoInfer<C>, timeout?: Timeout): Promise<R>;
  static call<R = unknown>(where: Where, server: UntypedDest, req: unknown, timeout?: Timeout): Promise<R>;
  static call(where: Where, server: Dest, req: unknown, timeout?: Timeout): Promise<unknown> {
    return call(where, server, GEN_CALL, req, timeout);
  }

  /** gen_server:cast. Never fails (an unknown name is ignored). */
  static cast<C, K, R>(where: Where, server: ServerPid<C, K, R>, msg: NoInfer<K>): void;
  static cast(where: Where, server: UntypedDest, msg: unknown): void;
  static cast(where: Where, server: Dest, msg: unknown): void {
    const global = whereGlobal(where, server);
    if (global === null) return; // gen_server:cast to an unregistered {global, Name} is dropped
    try {
      where.send(global ?? server, t(GEN_CAST, msg as never));
    } catch (e) {
      if (!(e instanceof BadArg)) throw e;
    }
  }

  /** gen_server:reply, for handlers that returned `noreply`. */
  static reply(from: From, reply: unknown): void {
    from.reply(reply);
  }

  /**
   * gen_server:stop: the server runs terminate(reason) and exits; resolves once it is gone.
   * Rejects with ExitError(noproc) when there is no such server.
   */
  static stop(where: Where, server: Dest, reason: unknown = normal, timeout: Timeout = 'infinity'): Promise<void> {
    return stopProcess(where, server, reason, timeout);
  }
}

const BAD_RETURN = atom('bad_return_value');
// gen_server's sys debug events
const IN = atom('in');
const OUT = atom('out');
const NOREPLY = atom('noreply');
const CONTINUE = atom('continue');

/** Marker message for a result `timeout` (only honoured if its generation is current). */
class IdleTimeout {
  constructor(readonly gen: number) {}
}

function isThenable(x: unknown): x is Promise<unknown> {
  return x !== null && typeof x === 'object' && typeof (x as Promise<unknown>).then === 'function';
}

type Tagged = { tag?: unknown; state?: unknown; reason?: unknown; reply?: unknown; timeout?: unknown; continue?: unknown };

function tagOf(r: unknown): string | undefined {
  return r !== null && typeof r === 'object' && typeof (r as Tagged).tag === 'string' ? ((r as Tagged).tag as string) : undefined;
}

/**
 * The generic server loop: a ProcessBehaviour driving a user GenServer. Exported for behaviours
 * built on it (Supervisor, StateMachine), not from the package.
 */
export class GenServerLoop<S> implements ProcessBehaviour, SystemHooks {
  state: S = undefined as S;
  private initialized = false;
  private idleGen = 0;
  private idleTimer: Ref | null = null;
  /** The armed idle timeout's length: a system message starts it again from its full length. */
  private idleMs = 0;
  /** What the handler being run got: gen_server's "Last message in" of a crash report. */
  private lastMessage: unknown = undefined;
  /** A `{stop, Reason, Reply, State}` reply: sent once terminate has run, as gen_server does. */
  private replyAfterTerminate: (() => void) | undefined;
  /** sys's debug options (sys:log, sys:statistics, sys:trace), made at the first `{debug, _}`. */
  private debug: SysDebug | undefined;
  private parentPid: Pid | undefined;

  constructor(
    readonly impl: GenServer<S, any, any, any, any>,
    private args: unknown,
    private readonly starter: Starter | undefined,
    /** What introspection calls it (default: the GenServer's class name). */
    private readonly name?: string,
  ) {}

  get behaviourName(): string {
    return this.name ?? this.impl.constructor.name;
  }

  /** OTP's gen Parent: the process it was started linked to (or the runtime's init pid), else itself. */
  get parent(): Pid {
    return this.parentPid as Pid;
  }

  init(ctx: ProcessContext): void | Promise<void> {
    this.parentPid = this.starter?.parent ?? ctx.self;
    const args = this.args;
    this.args = undefined; // not kept alive for the life of the server
    // A throw is an exit like `{stop, Reason}`: the starter sees the 'DOWN' (and, linked, the exit signal).
    const r = this.impl.init(args, ctx);
    return isThenable(r) ? r.then((v) => this.afterInit(ctx, v)) : this.afterInit(ctx, r);
  }

  private afterInit(ctx: ProcessContext, r: unknown): void | Promise<void> {
    const o = r as Tagged;
    switch (tagOf(r)) {
      case 'ok':
        this.state = o.state as S;
        this.initialized = true;
        initAck(ctx, this.starter);
        return this.next(ctx, o);
      case 'stop':
        throw new ExitError(o.reason);
      case 'ignore':
        initFail(ctx, this.starter, atom('ignore'));
        throw new ExitError(normal);
      case 'error':
        initFail(ctx, this.starter, o.reason);
        throw new ExitError(normal);
      default:
        throw new ExitError(t(BAD_RETURN, r as never));
    }
  }

  handleMessage(ctx: ProcessContext, msg: unknown): void | Promise<void> {
    if (msg instanceof IdleTimeout) {
      if (msg.gen !== this.idleGen || this.idleTimer === null) return; // stale
      this.idleTimer = null;
      msg = TIMEOUT_ATOM;
    } else if (isSystemMessage(msg)) return this.systemMessage(ctx, msg);
    else if (this.idleTimer !== null) this.disarmIdle(ctx);
    this.lastMessage = msg;
    const impl = this.impl;
    if (msg instanceof Tuple) {
      const e = msg.elements;
      const tag = e[0];
      if (tag === GEN_CALL && e.length === 3) {
        const from = From.fromTerm(ctx, e[1]);
        if (from !== undefined) {
          if (this.debug?.active) this.debugEvent(ctx, t(IN, msg));
          if (impl.handleCall === undefined) throw new Error(`${this.behaviourName}: unexpected call (no handleCall)`);
          return this.callResult(ctx, from, impl.handleCall(e[2], from, this.state, ctx));
        }
      } else if (tag === GEN_CAST && e.length === 2) {
        if (this.debug?.active) this.debugEvent(ctx, t(IN, msg));
        if (impl.handleCast === undefined) throw new Error(`${this.behaviourName}: unexpected cast (no handleCast)`);
        return this.noreplyResult(ctx, impl.handleCast(e[1], this.state, ctx));
      } else if (tag === EXIT && e.length === 3 && e[1] instanceof Pid && this.isParent(e[1])) {
        throw new ExitError(e[2]);
      }
    }
    if (this.debug?.active) this.debugEvent(ctx, t(IN, msg as never));
    if (impl.handleInfo === undefined) {
      // as gen_server does (no_handle_info): the message is dropped with a warning
      ctx.logger.warning?.({ kind: 'no_handle_info', pid: ctx.self, name: ctx.registeredName, behaviour: this.behaviourName, message: msg });
      return;
    }
    return this.noreplyResult(ctx, impl.handleInfo(msg, this.state, ctx));
  }

  /**
   * gen_server's system_continue enters the loop again with the same timeout, so a sys request
   * (or a suspend, until the resume) starts a pending idle timeout over instead of cancelling it.
   */
  private systemMessage(ctx: ProcessContext, msg: Tuple): void | Promise<void> {
    this.lastMessage = msg;
    const idleMs = this.idleTimer !== null ? this.idleMs : undefined;
    if (idleMs === undefined) return handleSystemMessage(ctx, msg, this);
    this.disarmIdle(ctx);
    const r = handleSystemMessage(ctx, msg, this);
    if (isThenable(r)) return r.then(() => this.armIdle(ctx, idleMs));
    this.armIdle(ctx, idleMs);
  }

  /** Whether `pid` is the parent, whose 'EXIT' stops the server (through terminate). */
  isParent(pid: Pid): boolean {
    const parent = this.parentPid;
    return parent !== undefined && pidEquals(pid, parent);
  }

  private callResult(ctx: ProcessContext, from: From, r: unknown): void | Promise<void> {
    if (isThenable(r)) return r.then((v) => this.callResult(ctx, from, v));
    const o = r as Tagged;
    switch (tagOf(r)) {
      case 'reply':
        this.state = o.state as S;
        from.reply(o.reply);
        if (this.debug?.active) this.debugEvent(ctx, t(OUT, o.reply as never, from.toTerm(), this.debugState(ctx)));
        return this.next(ctx, o);
      case 'noreply':
        this.state = o.state as S;
        if (this.debug?.active) this.debugEvent(ctx, t(NOREPLY, this.debugState(ctx)));
        return this.next(ctx, o);
      case 'stop':
        if ('state' in o) this.state = o.state as S;
        if ('reply' in o) this.replyAfterTerminate = () => from.reply(o.reply);
        throw new ExitError(o.reason);
      default:
        throw new ExitError(t(BAD_RETURN, r as never));
    }
  }

  private noreplyResult(ctx: ProcessContext, r: unknown): void | Promise<void> {
    if (isThenable(r)) return r.then((v) => this.noreplyResult(ctx, v));
    const o = r as Tagged;
    switch (tagOf(r)) {
      case 'noreply':
        this.state = o.state as S;
        if (this.debug?.active) this.debugEvent(ctx, t(NOREPLY, this.debugState(ctx)));
        return this.next(ctx, o);
      case 'stop':
        if ('state' in o) this.state = o.state as S;
        throw new ExitError(o.reason);
      default:
        throw new ExitError(t(BAD_RETURN, r as never));
    }
  }

  /** After a result: handleContinue first (before any message), else arm the idle timeout. */
  private next(ctx: ProcessContext, o: Tagged): void | Promise<void> {
    if ('continue' in o && o.continue !== undefined) {
      const impl = this.impl;
      if (impl.handleContinue === undefined) throw new Error(`${this.behaviourName}: continue result without handleContinue`);
      const r = impl.handleContinue(o.continue, this.state, ctx);
      if (this.debug?.active) this.debugEvent(ctx, t(CONTINUE, o.continue as never));
      return this.noreplyResult(ctx, r);
    }
    if (typeof o.timeout === 'number') this.armIdle(ctx, o.timeout);
  }

  private armIdle(ctx: ProcessContext, ms: number): void {
    const gen = ++this.idleGen;
    this.idleMs = ms;
    this.idleTimer = ctx.sendAfter(ms, ctx.self, new IdleTimeout(gen));
  }

  private disarmIdle(ctx: ProcessContext): void {
    if (this.idleTimer !== null) ctx.cancelTimer(this.idleTimer);
    this.idleTimer = null;
    this.idleGen++;
  }

  terminate(ctx: ProcessContext, reason: unknown): void | Promise<void> {
    if (this.idleTimer !== null) this.disarmIdle(ctx);
    const reply = this.replyAfterTerminate;
    this.replyAfterTerminate = undefined;
    if (!this.initialized || this.impl.terminate === undefined) return reply?.();
    if (reply === undefined) return this.impl.terminate(reason, this.state, ctx);
    // the reply goes after terminate, whether it returns or throws (gen_server's try ... after)
    let r: MaybePromise<void>;
    try {
      r = this.impl.terminate(reason, this.state, ctx);
    } catch (e) {
      reply();
      throw e;
    }
    if (!isThenable(r)) return reply();
    return r.finally(reply);
  }

  getState(): unknown {
    return this.state;
  }

  replaceState(fn: (state: unknown) => unknown): unknown {
    this.state = fn(this.state) as S;
    return this.state;
  }

  describe(): Record<string, unknown> {
    return this.impl.describe !== undefined ? this.impl.describe(this.state) : {};
  }

  /** sys's debug options of this server (SystemHooks). */
  get sysDebug(): SysDebug {
    this.debug ??= new SysDebug();
    return this.debug;
  }

  private debugEvent(ctx: ProcessContext, e: Tuple): void {
    this.debug?.event(ctx, e);
  }

  /** The state a logged event carries: the form a remote caller reads, where the loop has one. */
  private debugState(ctx: ProcessContext): never {
    return ((this as SystemHooks).remoteState?.(ctx) ?? this.state) as never;
  }

  /**
   * format_status/1 of the GenServer (SystemHooks), or the status as it is. One that throws shows,
   * as gen_server's, the text `Mod:format_status/1 crashed` as the state.
   */
  formatStatus(status: FormatStatus<unknown>): FormatStatus<unknown> {
    if (this.impl.formatStatus === undefined) return status;
    try {
      return this.impl.formatStatus(status as FormatStatus<S>);
    } catch {
      return { ...status, state: charlist(`${this.behaviourName}:format_status/1 crashed`) };
    }
  }

  /** A failure after init names the message being handled and the state (through format_status), as gen_server's error report. */
  crashDetails(): { lastMessage: unknown; state: unknown } | undefined {
    if (!this.initialized) return undefined;
    const shown = this.formatStatus({ state: this.state as unknown, message: this.lastMessage, log: this.debug?.events() ?? [] });
    return { lastMessage: 'message' in shown ? shown.message : this.lastMessage, state: shown.state };
  }
}
