/**
 * GenServer (OTP's gen_server) on top of the callback-process fast path.
 *
 *   caller                                  server process (GenServerProcess)
 *   GenServer.call(ctx, S, Req) --{'$gen_call', {Pid, Mref}, Req}--> handleCall(Req, From, State)
 *        waits for {Mref, Reply} or 'DOWN' <--------- {Mref, Reply} ----  { reply, state }
 *   GenServer.cast(ctx, S, Msg) --{'$gen_cast', Msg}----------------> handleCast(Msg, State)
 *   any other message ----------------------------------------------> handleInfo(Msg, State)
 *   {system, From, Req} -- answered by the runtime (sys.ts) through systemGetState/ReplaceState
 *
 * The user class owns init, handleCall/Cast/Info and terminate; this module owns the verbs (start, call, cast,
 * reply, stop) and the loop. Handlers may be async (return a promise): the server takes no other
 * message until it settles, but can `await` calls/receives meanwhile.
 *
 * Contract of results:
 *   init   -> State | { ok: true, state, timeout? } | { stop: reason } | ignore (the atom)
 *   call   -> { reply, state, timeout? } | { noreply: true, state, timeout? } | { stop: reason, reply?, state }
 *   cast/info -> { noreply: true, state, timeout? } | { stop: reason, state }
 * `timeout` (ms): if no message arrives in time, handleInfo gets the atom `timeout`.
 * A parent's exit signal ({'EXIT', Parent, R} while trapping exits) stops the server with R.
 */
import { Pid, Tuple, atom, t, type Atom, type Ref } from '@beamline/etf';
import { EXIT, GEN_CALL, GEN_CAST, ignore, normal, timeout as TIMEOUT_ATOM } from './atoms.ts';
import { BadArg, ExitError } from './errors.ts';
import { call, isContext, reply as genReply, type Caller, type Timeout } from './gen.ts';
import type { Proc } from './process.ts';
import { pidEquals } from './refs.ts';
import type { Runtime } from './runtime.ts';
import { sys } from './sys.ts';
import type { Dest, ProcessBehaviour, ProcessContext } from './types.ts';

/** The caller of a `call`: `{Pid, Tag}`. Pass it to `GenServer.reply` for a deferred reply. */
export class From {
  constructor(
    readonly pid: Pid,
    readonly tag: unknown,
    /** @internal */ readonly rt: Runtime,
    /** @internal the server process (the sender of the reply on the wire) */ readonly server?: Proc,
  ) {}
  /** The Erlang term `{Pid, Tag}`. */
  toTerm(): Tuple {
    return t(this.pid, this.tag as never);
  }
}

export type InitResult<S> = { ok: true; state: S; timeout?: number } | { stop: unknown } | Atom;
export type CallResult<S, R> =
  | { reply: R; state: S; timeout?: number }
  | { noreply: true; state: S; timeout?: number }
  | { stop: unknown; reply?: R; state: S };
export type CastResult<S> = { noreply: true; state: S; timeout?: number } | { stop: unknown; state: S };

type MaybePromise<T> = T | Promise<T>;

export abstract class GenServer<State = unknown, Call = unknown, Cast = unknown, Reply = unknown> {
  abstract init(args: unknown, ctx: ProcessContext): MaybePromise<State | InitResult<State>>;
  handleCall?(req: Call, from: From, state: State, ctx: ProcessContext): MaybePromise<CallResult<State, Reply>>;
  handleCast?(msg: Cast, state: State, ctx: ProcessContext): MaybePromise<CastResult<State>>;
  handleInfo?(msg: unknown, state: State, ctx: ProcessContext): MaybePromise<CastResult<State>>;
  terminate?(reason: unknown, state: State, ctx: ProcessContext): void;
  /** Extra data for introspection / the process tree (e.g. a supervisor's children). */
  describe?(state: State): Record<string, unknown>;

  /**
   * Start a server process. From a process context the new process is its child (`link: true`
   * links them, as start_link); from the runtime it is a root. `name` registers it (throws BadArg
   * if taken). Returns at once; `init` runs in the new process.
   */
  static start<S>(
    where: Runtime | ProcessContext,
    server: GenServer<S, any, any, any> | (new () => GenServer<S, any, any, any>),
    args?: unknown,
    opts?: { name?: string; link?: boolean; trapExit?: boolean },
  ): Pid {
    const impl = typeof server === 'function' ? new server() : server;
    const proc = new GenServerProcess<S>(impl, args);
    const spawnOpts = opts !== undefined && (opts.name !== undefined || opts.trapExit) ? opts : undefined;
    if (isContext(where)) return opts?.link ? where.spawnLink(proc, spawnOpts) : where.spawn(proc, spawnOpts);
    if (opts?.link) throw new BadArg('GenServer.start: link needs a process context');
    return where.spawn(proc, spawnOpts);
  }

  /** start with `link: true`. */
  static startLink<S>(
    ctx: ProcessContext,
    server: GenServer<S, any, any, any> | (new () => GenServer<S, any, any, any>),
    args?: unknown,
    opts: { name?: string; trapExit?: boolean } = {},
  ): Pid {
    return GenServer.start(ctx, server, args, { ...opts, link: true });
  }

  /** gen_server:call. Rejects with CallError (server down / noproc) or CallTimeout. */
  static call<R = unknown>(where: ProcessContext | Runtime, server: Dest, req: unknown, timeout: Timeout = 5000): Promise<R> {
    return call(where as ProcessContext | Caller, server, GEN_CALL, req, timeout) as Promise<R>;
  }

  /** gen_server:cast. Never fails (an unknown name is ignored). */
  static cast(where: ProcessContext | Runtime, server: Dest, msg: unknown): void {
    try {
      where.send(server, t(GEN_CAST, msg as never));
    } catch (e) {
      if (!(e instanceof BadArg)) throw e;
    }
  }

  /** gen_server:reply, for handlers that returned `{ noreply }`. */
  static reply(from: From, reply: unknown): void {
    const server = from.server;
    if (server !== undefined) server.nOut++;
    genReply(from.rt, server, from.pid, from.tag, reply);
  }

  /** gen_server:stop: the server runs terminate(reason) and exits. */
  static stop(where: ProcessContext | Runtime, server: Dest, reason: unknown = normal, timeout: Timeout = 'infinity'): Promise<void> {
    return sys.terminate(where as ProcessContext | Caller, server, reason, timeout);
  }
}

const BAD_RETURN = atom('bad_return_value');

/** Marker message for a result `timeout` (only honoured if its generation is current). */
class IdleTimeout {
  constructor(readonly gen: number) {}
}

function isThenable(x: unknown): x is Promise<unknown> {
  return x !== null && typeof x === 'object' && typeof (x as Promise<unknown>).then === 'function';
}

/** The generic server loop: a ProcessBehaviour driving a user GenServer. */
export class GenServerProcess<S> implements ProcessBehaviour {
  state: S = undefined as S;
  private initialized = false;
  private idleGen = 0;
  private idleTimer: Ref | null = null;

  constructor(
    readonly impl: GenServer<S, any, any, any>,
    private args: unknown,
  ) {}

  get behaviourName(): string {
    return this.impl.constructor.name;
  }

  init(ctx: ProcessContext): void | Promise<void> {
    const args = this.args;
    this.args = undefined; // not kept alive for the life of the server
    const r = this.impl.init(args, ctx);
    if (isThenable(r)) return r.then((v) => this.afterInit(ctx, v));
    this.afterInit(ctx, r);
  }

  private afterInit(ctx: ProcessContext, r: unknown): void {
    if (r === ignore) throw new ExitError(normal);
    if (r !== null && typeof r === 'object' && !Array.isArray(r)) {
      const o = r as Record<string, unknown>;
      if (o.ok === true && 'state' in o) {
        this.state = o.state as S;
        this.initialized = true;
        this.armIdle(ctx, o.timeout);
        return;
      }
      if ('stop' in o && Object.keys(o).length === 1) throw new ExitError(o.stop);
    }
    this.state = r as S;
    this.initialized = true;
  }

  handleMessage(ctx: ProcessContext, msg: unknown): void | Promise<void> {
    if (msg instanceof IdleTimeout) {
      if (msg.gen !== this.idleGen || this.idleTimer === null) return; // stale
      this.idleTimer = null;
      msg = TIMEOUT_ATOM;
    } else if (this.idleTimer !== null) this.disarmIdle(ctx);
    const impl = this.impl;
    if (msg instanceof Tuple) {
      const e = msg.elements;
      const tag = e[0];
      if (tag === GEN_CALL && e.length === 3) {
        const f = e[1];
        if (f instanceof Tuple && f.elements.length === 2 && f.elements[0] instanceof Pid) {
          const from = new From(f.elements[0], f.elements[1], (ctx as Proc).rt, ctx as Proc);
          if (impl.handleCall === undefined) throw new Error(`${this.behaviourName}: unexpected call (no handleCall)`);
          return this.callResult(ctx, from, impl.handleCall(e[2], from, this.state, ctx));
        }
      } else if (tag === GEN_CAST && e.length === 2) {
        if (impl.handleCast === undefined) throw new Error(`${this.behaviourName}: unexpected cast (no handleCast)`);
        return this.noreplyResult(ctx, impl.handleCast(e[1], this.state, ctx));
      } else if (tag === EXIT && e.length === 3 && e[1] instanceof Pid) {
        const proc = ctx as Proc;
        if (pidEquals(e[1], proc.parent ?? proc.rt.initPid)) throw new ExitError(e[2]);
      }
    }
    if (impl.handleInfo === undefined) return; // like gen_server: unexpected info is dropped
    return this.noreplyResult(ctx, impl.handleInfo(msg, this.state, ctx));
  }

  private callResult(ctx: ProcessContext, from: From, r: unknown): void | Promise<void> {
    if (isThenable(r)) return r.then((v) => this.callResult(ctx, from, v) as void);
    const o = r as Record<string, unknown> | null;
    if (o === null || typeof o !== 'object') throw new ExitError(t(BAD_RETURN, r as never));
    if ('stop' in o) {
      if ('state' in o) this.state = o.state as S;
      if ('reply' in o) GenServer.reply(from, o.reply);
      throw new ExitError(o.stop);
    }
    if ('reply' in o) {
      this.state = o.state as S;
      GenServer.reply(from, o.reply);
    } else if (o.noreply === true) {
      this.state = o.state as S;
    } else throw new ExitError(t(BAD_RETURN, r as never));
    this.armIdle(ctx, o.timeout);
  }

  private noreplyResult(ctx: ProcessContext, r: unknown): void | Promise<void> {
    if (isThenable(r)) return r.then((v) => this.noreplyResult(ctx, v) as void);
    const o = r as Record<string, unknown> | null;
    if (o === null || typeof o !== 'object') throw new ExitError(t(BAD_RETURN, r as never));
    if ('stop' in o) {
      if ('state' in o) this.state = o.state as S;
      throw new ExitError(o.stop);
    }
    if (o.noreply !== true) throw new ExitError(t(BAD_RETURN, r as never));
    this.state = o.state as S;
    this.armIdle(ctx, o.timeout);
  }

  private armIdle(ctx: ProcessContext, ms: unknown): void {
    if (typeof ms !== 'number' || ms === Infinity) return;
    // a runtime timer (cancelled on stop), carrying its generation
    this.idleTimer = ctx.sendAfter(ms, ctx.self, new IdleTimeout(++this.idleGen));
  }

  private disarmIdle(ctx: ProcessContext): void {
    ctx.cancelTimer(this.idleTimer!);
    this.idleTimer = null;
    this.idleGen++;
  }

  terminate(ctx: ProcessContext, reason: unknown): void {
    if (this.idleTimer !== null) this.disarmIdle(ctx);
    if (this.initialized && this.impl.terminate !== undefined) this.impl.terminate(reason, this.state, ctx);
  }

  systemGetState(): unknown {
    return this.state;
  }

  systemReplaceState(fn: (state: unknown) => unknown): unknown {
    this.state = fn(this.state) as S;
    return this.state;
  }

  describe(): Record<string, unknown> {
    return this.impl.describe !== undefined ? this.impl.describe(this.state) : {};
  }
}
