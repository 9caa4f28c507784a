/**
 * sys: the system-message protocol (OTP's sys.erl). A request is `{system, {FromPid, Tag}, Req}`,
 * the reply `{Tag, Reply}` (the shape of a call reply), so the CLI, tests and remote nodes use one
 * path. As in OTP, the behaviour's own loop answers (`handleSystemMessage`); the process core
 * knows nothing of it.
 *
 *   get_state              -> State, or {ok, State} to a remote caller whose sys wants it (OTP 26.1+);
 *                             a remote caller gets the behaviour's `remoteState` when it has one
 *   {replace_state, Fun}   -> NewState            (Fun is a JS function: local callers only)
 *   get_status             -> {status, Pid, {module, gen_server}, [PDict, running|suspended, Parent, [], Formatted]} (OTP 27's shape)
 *   suspend / resume       -> ok                  (suspended, the loop receives only system messages)
 *   statistics             -> [{messages_in, N}, {messages_out, N}, {message_queue_len, N}]
 *   {debug, Cmd}           -> sys:log / statistics / trace / no_debug (sys_debug.ts); unknown_debug
 *   {terminate, Reason}    -> ok, then the process runs its terminate and exits with Reason
 */
import { Atom, Pid, Tuple, atom, charlist, t, text } from '@beamline/etf';
import { EXIT, SYSTEM, error, noproc, ok } from './basics/atoms.ts';
import { ErlangError, ExitError, formatTerm } from './basics/errors.ts';
import { isDownOf } from './basics/signals.ts';
import { TIMEOUT, type Dest, type ProcessContext, type SysStateForm } from './basics/types.ts';
import { From, call, inProcess, monitorTarget, type Timeout, type Where } from './gen.ts';
import { internalsOf, type Kernel } from './process/context.ts';
import { PROC_LIB, type Proc } from './process/process.ts';
import { type SysDebug, serverName } from './sys_debug.ts';

const GET_STATE = atom('get_state');
const REPLACE_STATE = atom('replace_state');
const GET_STATUS = atom('get_status');
const SUSPEND = atom('suspend');
const RESUME = atom('resume');
const STATISTICS = atom('statistics');
const TERMINATE = atom('terminate');
const NOT_SUPPORTED = atom('not_supported');
const CALLBACK_FAILED = atom('callback_failed');
const GLOBAL = atom('global');
const DEBUG = atom('debug');

/** What a behaviour loop lends the protocol. */
export interface SystemHooks {
  /** The module name get_status reports. */
  readonly behaviourName: string;
  /** The loop's parent (the process it was started linked to, else itself). */
  readonly parent: Pid;
  /** Whether `pid` is the parent (its 'EXIT' ends a suspended process too). */
  isParent(pid: Pid): boolean;
  getState(): unknown;
  replaceState(fn: (state: unknown) => unknown): unknown;
  /**
   * Optional: the state as a caller on another node reads it (get_state, get_status), for a
   * behaviour whose JS state cannot cross the wire (a Supervisor's holds start functions) but has
   * an OTP form. Without it every caller gets `getState()`.
   */
  remoteState?(ctx: ProcessContext): unknown;
  /** Optional: `'$initial_call'` (default `{behaviourName, init, 1}`; OTP's supervisor: `{supervisor, Mod, 1}`). */
  readonly initialCall?: Tuple;
  /** Optional: the loop's debug options (`{debug, Cmd}`); without it every Cmd is `unknown_debug`. */
  readonly sysDebug?: SysDebug;
  /** Optional: gen_server's format_status/1, for what get_status shows (the state, the logged events). */
  formatStatus?(status: { state: unknown; log: unknown[] }): { state: unknown; log: unknown[] };
}

/** The state `hooks` shows a caller on `node`. */
function stateFor(ctx: ProcessContext, hooks: SystemHooks, node: Atom): unknown {
  return node !== ctx.self.node && hooks.remoteState !== undefined ? hooks.remoteState(ctx) : hooks.getState();
}

/**
 * sys:get_status's reply as OTP 27's gen_server gives it:
 * `{status, Pid, {module, gen_server}, [PDict, running|suspended, Parent, [], Formatted]}` with
 * `'$ancestors'` and `'$initial_call'` in PDict and `[{header, ...}, {data, [...]}, {data, [{"State", S}]}]`.
 */
function statusOf(ctx: ProcessContext, hooks: SystemHooks, suspended: boolean, caller: Atom): Tuple {
  const internals = internalsOf(ctx);
  const pdictAncestors = internals === undefined ? [] : procLibAncestors(internals.kernel, internals.proc);
  const status = atom(suspended ? 'suspended' : 'running');
  const name = serverName(ctx);
  const pdict = [
    t(atom('$ancestors'), pdictAncestors as never),
    t(atom('$initial_call'), hooks.initialCall ?? t(atom(hooks.behaviourName), atom('init'), 1)),
  ];
  const raw = { state: stateFor(ctx, hooks, caller), log: hooks.sysDebug?.events() ?? [] };
  const shown = hooks.formatStatus?.(raw) ?? raw;
  const formatted = [
    t(atom('header'), charlist(`Status for generic server ${name}`)),
    t(atom('data'), [t(charlist('Status'), status), t(charlist('Parent'), hooks.parent), t(charlist('Logged events'), shown.log as never)] as never),
    t(atom('data'), [t(charlist('State'), shown.state as never)] as never),
  ];
  return t(atom('status'), ctx.self, t(atom('module'), atom('gen_server')), [pdict, status, hooks.parent, [], formatted] as never);
}

/**
 * `'$ancestors'` as proc_lib keeps it: the starter, and its own ancestors when it was a proc_lib
 * process too; each by its registered name when it has one.
 */
function procLibAncestors(kernel: Kernel, proc: Proc): unknown[] {
  const out: unknown[] = [];
  let parent = proc.parent;
  while (parent !== undefined && out.length < 100) {
    const p = kernel.lookup(parent);
    out.push(p?.name !== undefined ? atom(p.name) : parent);
    if (p === undefined || !(p.flags & PROC_LIB)) break;
    parent = p.parent;
  }
  return out;
}

/** `{system, From, Request}`? */
export function isSystemMessage(msg: unknown): msg is Tuple {
  return msg instanceof Tuple && msg.elements.length === 3 && msg.elements[0] === SYSTEM;
}

/**
 * Answers one system message in the behaviour's loop. Returns a promise while the process is
 * suspended (the loop then takes only system messages until resumed); throws ExitError for
 * `{terminate, Reason}` after replying, so the behaviour's terminate runs.
 */
export function handleSystemMessage(ctx: ProcessContext, msg: Tuple, hooks: SystemHooks): void | Promise<void> {
  const suspended = answer(ctx, msg, hooks, false);
  if (suspended instanceof Promise) return suspended.then((s) => (s ? suspendedLoop(ctx, hooks) : undefined));
  if (suspended) return suspendedLoop(ctx, hooks);
}

/** Suspended: only system messages and the parent's 'EXIT' are received; the rest wait in order. */
async function suspendedLoop(ctx: ProcessContext, hooks: SystemHooks): Promise<void> {
  const isParentExit = (m: unknown): m is Tuple =>
    m instanceof Tuple && m.elements.length === 3 && m.elements[0] === EXIT && m.elements[1] instanceof Pid && hooks.isParent(m.elements[1]);
  for (;;) {
    const msg = (await ctx.receive((m) => isSystemMessage(m) || isParentExit(m))) as Tuple;
    if (isParentExit(msg)) throw new ExitError(msg.elements[2]);
    if (!(await answer(ctx, msg, hooks, true))) return;
  }
}

/**
 * The form the caller of a get_state reads (RemoteRouter.sysStateForm): a local caller and older
 * OTP want the state itself, OTP 26.1+ `{ok, State}`. A promise while the router finds out.
 */
function stateFormOf(ctx: ProcessContext, node: Atom): SysStateForm | Promise<SysStateForm> {
  return internalsOf(ctx)?.kernel.sysStateForm(node) ?? 'bare';
}

/**
 * Replies to one request; returns whether the process is suspended afterwards (a promise when a
 * get_state reply waits to learn the remote caller's form; the loop waits with it).
 */
function answer(ctx: ProcessContext, msg: Tuple, hooks: SystemHooks, suspended: boolean): boolean | Promise<boolean> {
  const req = msg.elements[2];
  const from = From.fromTerm(ctx, msg.elements[1]);
  if (req === GET_STATE && from !== undefined) {
    let state: unknown;
    try {
      state = stateFor(ctx, hooks, from.pid.node);
    } catch (e) {
      from.reply(t(error, String(e) as never));
      return suspended;
    }
    const form = stateFormOf(ctx, from.pid.node);
    const send = (f: SysStateForm): boolean => {
      from.reply(f === 'ok' ? t(ok, state as never) : state);
      return suspended;
    };
    return form instanceof Promise ? form.then(send, () => send('bare')) : send(form);
  }
  let reply: unknown;
  let exitWith: { reason: unknown } | undefined;
  try {
    if (req === GET_STATUS) {
      reply = statusOf(ctx, hooks, suspended, from?.pid.node ?? ctx.self.node);
    } else if (req === SUSPEND) {
      suspended = true;
      reply = ok;
    } else if (req === RESUME) {
      suspended = false;
      reply = ok;
    } else if (req === STATISTICS) {
      const proc = internalsOf(ctx)?.proc;
      reply = [t(atom('messages_in'), proc?.nIn ?? 0), t(atom('messages_out'), proc?.nOut ?? 0), t(atom('message_queue_len'), proc?.mb?.size ?? 0)];
    } else if (req instanceof Tuple && req.elements.length === 2 && req.elements[0] === REPLACE_STATE) {
      const fn = req.elements[1] as unknown;
      reply = typeof fn === 'function' ? replaceState(hooks, fn as (s: unknown) => unknown) : t(error, NOT_SUPPORTED);
    } else if (req instanceof Tuple && req.elements.length === 2 && req.elements[0] === DEBUG) {
      reply = hooks.sysDebug?.command(req.elements[1], ctx) ?? atom('unknown_debug');
    } else if (req instanceof Tuple && req.elements.length === 2 && req.elements[0] === TERMINATE) {
      reply = ok;
      exitWith = { reason: req.elements[1] };
    } else {
      reply = t(error, t(atom('unknown_system_msg'), req as never));
    }
  } catch (e) {
    reply = t(error, String(e) as never);
  }
  from?.reply(reply);
  if (exitWith !== undefined) throw new ExitError(exitWith.reason);
  return suspended;
}

/**
 * OTP 26.1+'s reply to `{replace_state, Fun}` (only a local caller can send a JS function):
 * `{ok, NewState}`, or, when the function throws, `{error, {callback_failed,
 * {gen_server, system_replace_state}, {Class, Reason}}}` with the state unchanged.
 */
function replaceState(hooks: SystemHooks, fn: (s: unknown) => unknown): Tuple {
  try {
    return t(ok, hooks.replaceState(fn) as never);
  } catch (e) {
    const [cls, reason] = e instanceof ExitError ? ['exit', e.reason] : e instanceof ErlangError ? ['error', e.reason] : ['error', e];
    return t(error, t(CALLBACK_FAILED, t(atom('gen_server'), atom('system_replace_state')), t(atom(cls), reason as never)));
  }
}

/**
 * A get_state / replace_state reply: `{ok, S}` (OTP 26.1+'s form) gives S; `{error, R}` raises R,
 * as OTP's sys does with `error(R)` (in the bare form of older releases, an {error, R} state too).
 */
function stateReply(reply: unknown, form: SysStateForm, fn: string): unknown {
  if (reply instanceof Tuple && reply.elements.length === 2) {
    if (form === 'ok' && reply.elements[0] === ok) return reply.elements[1];
    if (reply.elements[0] === error) throw new ErlangError(reply.elements[1], `sys.${fn}: ${formatTerm(reply.elements[1])}`);
  }
  return reply;
}

/**
 * A sys request as OTP's sys module makes it: the exit reason of a failed one names
 * `{sys, Fn, [Name | Args]}` with the timeout only when the caller gave one.
 */
async function sysCall(
  where: Where,
  dest: Dest,
  req: unknown,
  timeout: Timeout | undefined,
  fn: string,
  args: unknown[] = [],
  errorRejects = true,
): Promise<unknown> {
  const given = timeout === undefined ? args : [...args, timeout === 'infinity' ? atom('infinity') : timeout];
  const reply = await call(where, dest, SYSTEM, req, timeout, { mod: 'sys', fn, args: given });
  if (errorRejects && reply instanceof Tuple && reply.elements.length === 2 && reply.elements[0] === error) {
    throw new ExitError(reply, `sys.${fn}: ${formatTerm(reply.elements[1])}`);
  }
  return reply;
}

export interface SysStatus {
  pid: Pid;
  /** The callback module OTP names in `'$initial_call'` (the GenServer's class name, `supervisor`, ...). */
  behaviour: string;
  status: 'running' | 'suspended';
  parent: Pid;
  state: unknown;
}

export interface SysStatistics {
  messagesIn: number;
  messagesOut: number;
  messageQueueLen: number;
}

/**
 * proc_lib:stop: asks the process to terminate with `reason` (its terminate runs) and waits until
 * it is gone. Rejects with ExitError(noproc) when there is no such process, ExitError(timeout)
 * when it takes longer than `timeout`, ExitError(Other) when its exit reason was another (a crash
 * in terminate), or the CallError of the sys request when it died before answering it.
 */
export function stopProcess(where: Where, dest: Dest, reason: unknown, timeout: Timeout): Promise<void> {
  return inProcess(where, async (ctx) => {
    const mref = ctx.monitor(monitorTarget(dest));
    const started = ctx.now();
    try {
      await sysCall(ctx, dest, t(TERMINATE, reason as never), timeout, 'terminate', [reason]);
    } catch (e) {
      ctx.demonitor(mref, { flush: true });
      const cause = e instanceof ExitError ? ((e as { cause?: unknown }).cause ?? e.reason) : e;
      // as gen:stop / proc_lib:stop: the bare reason for a missing process, an unreachable node, a timeout
      if (cause === noproc || cause === atom('timeout') || (cause instanceof Tuple && cause.elements[0] === atom('nodedown')))
        throw new ExitError(cause);
      throw e;
    }
    const left = timeout === 'infinity' ? undefined : Math.max(0, timeout - (ctx.now() - started));
    const down = await ctx.receive((m) => isDownOf(m, mref), left);
    if (down === TIMEOUT) {
      ctx.demonitor(mref, { flush: true });
      throw new ExitError(atom('timeout'));
    }
    const died = (down as Tuple).elements[4];
    if (died !== reason) throw new ExitError(died);
  });
}

/** The node `dest` is on, when it names one (a pid, `{Name, Node}`, `{global, Name}`); a bare name is local. */
function destNode(ctx: ProcessContext, dest: Dest): Atom | undefined {
  if (dest instanceof Pid) return dest.node;
  const pair: unknown = dest instanceof Tuple ? dest.elements : dest;
  if (!Array.isArray(pair) || pair.length !== 2) return undefined;
  if (pair[0] === GLOBAL) return internalsOf(ctx)?.kernel.whereisGlobal(pair[1])?.node;
  const n: unknown = pair[1];
  return typeof n === 'string' ? atom(n) : n instanceof Atom ? n : undefined;
}

function proplist(list: unknown, key: string): unknown {
  if (!Array.isArray(list)) return undefined;
  const k = atom(key);
  for (const e of list)
    if (e instanceof Tuple && e.elements.length === 2 && (e.elements[0] === k || text(e.elements[0]) === key)) return e.elements[1];
  return undefined;
}

/**
 * sys:log: `true` (10 events) or a size turns the event log on (one already on is kept as it is),
 * `false` off; `'get'` gives the logged events, oldest first (`{in, Msg}`, `{out, Reply, From,
 * State}`, `{noreply, State}`, `{continue, C}`), `[]` when the log is off.
 */
function log(where: Where, dest: Dest, flag: 'get', timeout?: Timeout): Promise<unknown[]>;
function log(where: Where, dest: Dest, flag: boolean | number, timeout?: Timeout): Promise<undefined>;
async function log(where: Where, dest: Dest, flag: boolean | number | 'get', timeout?: Timeout): Promise<unknown[] | undefined> {
  const arg = flag === 'get' ? atom('get') : typeof flag === 'number' ? t(atom('true'), flag) : atom(String(flag));
  const reply = await sysCall(where, dest, t(DEBUG, t(atom('log'), arg)), timeout, 'log', [arg]);
  if (flag !== 'get') return undefined;
  return reply instanceof Tuple && reply.elements[0] === ok ? (reply.elements[1] as unknown[]) : [];
}

/** The sys API (each function works from a process context or from the runtime; `timeout` defaults to 5 s). */
export const sys = {
  /** The state; from a remote server whose node answers `{ok, State}` (OTP 26.1+), unwrapped. */
  getState<S = unknown>(where: Where, dest: Dest, timeout?: Timeout): Promise<S> {
    return inProcess(where, async (ctx) => {
      const reply = await sysCall(ctx, dest, GET_STATE, timeout, 'get_state', [], false);
      return stateReply(reply, await stateFormOf(ctx, destNode(ctx, dest) ?? ctx.self.node), 'get_state') as S;
    });
  },
  /** Replaces the state with `fn(state)` and gives the new state; a throw in `fn` leaves the state as it was and rejects. */
  async replaceState<S = unknown>(where: Where, dest: Dest, fn: (state: S) => S, timeout?: Timeout): Promise<S> {
    // only a local process can get a JS function, and ours answer in the {ok, S} form
    return stateReply(await sysCall(where, dest, t(REPLACE_STATE, fn as never), timeout, 'replace_state', [fn], false), 'ok', 'replace_state') as S;
  },
  /** sys:get_status, read from OTP's reply shape. */
  async getStatus(where: Where, dest: Dest, timeout?: Timeout): Promise<SysStatus> {
    const r = (await sysCall(where, dest, GET_STATUS, timeout, 'get_status')) as Tuple;
    const [pdict, status, parent, , formatted] = r.elements[3] as unknown[];
    const initial = proplist(pdict, '$initial_call');
    const data = Array.isArray(formatted)
      ? formatted.filter((e) => e instanceof Tuple && e.elements[0] === atom('data')).map((e) => (e as Tuple).elements[1])
      : [];
    return {
      pid: r.elements[1] as Pid,
      behaviour: initial instanceof Tuple ? ((initial.elements[0] as { name: string }).name ?? '') : '',
      status: (status as { name: string }).name as 'running' | 'suspended',
      parent: parent as Pid,
      state: proplist(data[1], 'State'),
    };
  },
  async suspend(where: Where, dest: Dest, timeout?: Timeout): Promise<void> {
    await sysCall(where, dest, SUSPEND, timeout, 'suspend');
  },
  async resume(where: Where, dest: Dest, timeout?: Timeout): Promise<void> {
    await sysCall(where, dest, RESUME, timeout, 'resume');
  },
  /** Messages in/out and the queue length (a beamline request; OTP processes answer an error). */
  async statistics(where: Where, dest: Dest, timeout?: Timeout): Promise<SysStatistics> {
    const list = (await sysCall(where, dest, STATISTICS, timeout, 'statistics')) as Tuple[];
    const get = (k: string): number => (list.find((e) => (e.elements[0] as { name: string }).name === k)?.elements[1] as number) ?? 0;
    return { messagesIn: get('messages_in'), messagesOut: get('messages_out'), messageQueueLen: get('message_queue_len') };
  },
  log,
  /** sys:trace: while on, each debug event is printed (`*DBG* ...`, as gen_server's) to stdout. */
  async trace(where: Where, dest: Dest, on: boolean, timeout?: Timeout): Promise<void> {
    await sysCall(where, dest, t(DEBUG, t(atom('trace'), atom(String(on)))), timeout, 'trace', [atom(String(on))]);
  },
  /** sys:no_debug: every debug option off. */
  async noDebug(where: Where, dest: Dest, timeout?: Timeout): Promise<void> {
    await sysCall(where, dest, t(DEBUG, atom('no_debug')), timeout, 'no_debug');
  },
  /** sys:terminate: the process runs its terminate and exits with `reason` (resolves once it replied). */
  async terminate(where: Where, dest: Dest, reason: unknown = atom('normal'), timeout?: Timeout): Promise<void> {
    await sysCall(where, dest, t(TERMINATE, reason as never), timeout, 'terminate', [reason]);
  },
};
