/**
 * Supervisor: a GenServer that starts children in order, watches them (it traps exits) and
 * restarts them by a strategy; OTP's supervisor.erl semantics.
 *
 *   Supervisor.start ──▶ init: spec.start(ctx) in order, each awaited (acknowledged starts)
 *   child dies ── {'EXIT', Pid, R} ──▶ handleInfo → restart policy (permanent/transient/temporary)
 *                                     → intensity window (too many: stop with `shutdown`)
 *                                     → strategy: terminate the affected running children in
 *                                       reverse order, start them again in order
 *   Supervisor.startChild / terminateChild / deleteChild / restartChild / whichChildren /
 *   countChildren ── GenServer.call ──▶ handleCall (requests and replies are OTP's terms, so an
 *   erl node can `supervisor:which_children({Name, Node})`)
 *   parent's 'EXIT', Supervisor.stop, a stop result ──▶ terminate: children down in reverse order
 *   (started from the runtime, the runtime's init pid is the parent: rt.stop's shutdown stops the tree)
 *
 * Every wait (a child's start, a child's shutdown) is an `await` on a selective receive inside
 * the handler, as supervisor.erl blocks in receive: other requests and 'EXIT's stay in the
 * mailbox, in order, until the handler is done. Restart intensity runs on the runtime's clock.
 */
import { Atom, ErlMap, Pid, Tuple, atom, compare, t, type Term } from '@beamline/etf';
import { BadArg, ExitError, StartError } from '../internal/basics/errors.ts';
import type { Dest, ProcessContext, SupervisorReport } from '../internal/basics/types.ts';
import { inProcess, isContext, type Where } from '../internal/gen.ts';
import { internalsOf } from '../internal/process/context.ts';
import { start } from '../internal/proc_lib.ts';
import { pidEquals } from '../internal/basics/refs.ts';
import { GenServer, GenServerLoop, type CallResult, type From, type InitResult, type NoReplyResult } from '../gen_server.ts';
import {
  RestartWindow,
  isCleanExit,
  normalizeFlags,
  normalizeSpec,
  restartSet,
  shouldRestart,
  type ChildSpec,
  type ChildType,
  type NormalizedFlags,
  type NormalizedSpec,
  type SupFlags,
} from './policy.ts';
import { shutdownChildren } from './shutdown.ts';
import { TS_MODULE, modulesTerm, startMfa, supervisorRecord } from './otp_state.ts';

const OK = atom('ok');
const ERROR = atom('error');
const UNDEFINED = atom('undefined');
const RESTARTING = atom('restarting');
const SHUTDOWN = atom('shutdown');
const REACHED_MAX_RESTART_INTENSITY = atom('reached_max_restart_intensity');
const EXIT = atom('EXIT');
const DYNAMIC = atom('dynamic');
const SOFO = atom('simple_one_for_one');
const GEN_CAST = atom('$gen_cast');

const A = {
  start_child: atom('start_child'),
  terminate_child: atom('terminate_child'),
  delete_child: atom('delete_child'),
  restart_child: atom('restart_child'),
  which_children: atom('which_children'),
  count_children: atom('count_children'),
  get_childspec: atom('get_childspec'),
};

interface Child {
  spec: NormalizedSpec;
  pid: Pid | undefined;
  /** Its restart failed; a retry is queued (`{try_again_restart, Id}` in OTP). */
  restarting: boolean;
  /** The pid it had when it died, kept while it waits for a retry (OTP's `{restarting, OldPid}`). */
  deadPid: Pid | undefined;
  /** How many times a restart (of it or, by the strategy, of a sibling) started it again. */
  restarts: number;
  /** simple_one_for_one: the extra arguments it was started with. */
  args: unknown[];
  /** What which_children reports: the spec's, else the callback module seen at its last start. */
  modules: string[] | 'dynamic';
}

interface SupervisorState {
  flags: NormalizedFlags;
  /** In start order. */
  children: Child[];
  /** simple_one_for_one's template. */
  template: NormalizedSpec | undefined;
  window: RestartWindow;
}

/** A start's outcome: the pid (undefined = ignore), or the reason it failed. */
type StartResult = { ok: Pid | undefined } | { error: unknown };

/** A queued retry of a failed restart. */
class TryAgain {
  constructor(readonly child: Child) {}
}

function report(ctx: ProcessContext, kind: SupervisorReport['kind'], childId: string | undefined, childPid: Pid | undefined, reason: unknown): void {
  ctx.logger.supervisor({ kind, supervisor: ctx.self, supervisorName: ctx.registeredName, childId, childPid, reason });
}

const noreply = (state: SupervisorState): NoReplyResult<SupervisorState> => ({ tag: 'noreply', state });

class SupervisorServer extends GenServer<SupervisorState, Term, unknown, Term, SupFlags> {
  override async init(supFlags: SupFlags, ctx: ProcessContext): Promise<InitResult<SupervisorState>> {
    ctx.trapExit(true);
    const flags = normalizeFlags(supFlags);
    if ('error' in flags) return { tag: 'stop', reason: flags.error };
    const state: SupervisorState = { flags, children: [], template: undefined, window: new RestartWindow(flags.intensity, flags.period) };
    const specs = supFlags.children ?? [];
    if (flags.strategy === 'simple_one_for_one') {
      if (specs.length !== 1) return { tag: 'stop', reason: t(atom('bad_start_spec'), t(SOFO, specs.length)) };
      const tpl = normalizeSpec(specs[0], flags.autoShutdown);
      if ('error' in tpl) return { tag: 'stop', reason: t(atom('start_spec'), tpl.error as Term) };
      state.template = tpl;
      return { tag: 'ok', state };
    }
    const normalized: NormalizedSpec[] = [];
    for (const s of specs) {
      const n = normalizeSpec(s, flags.autoShutdown);
      if ('error' in n) return { tag: 'stop', reason: t(atom('start_spec'), n.error as Term) };
      if (normalized.some((o) => o.id === n.id)) return { tag: 'stop', reason: t(atom('start_spec'), t(atom('duplicate_child_name'), atom(n.id))) };
      normalized.push(n);
    }
    for (const spec of normalized) {
      const child: Child = { spec, pid: undefined, restarting: false, deadPid: undefined, restarts: 0, args: [], modules: spec.modules ?? [] };
      const r = await startChild(ctx, child);
      if ('error' in r) {
        report(ctx, 'start_error', spec.id, undefined, r.error);
        await this.terminateAll(ctx, state);
        return { tag: 'stop', reason: t(SHUTDOWN, t(atom('failed_to_start_child'), atom(spec.id), r.error as Term)) };
      }
      if (r.ok !== undefined || spec.restart !== 'temporary') state.children.push(child);
    }
    return { tag: 'ok', state };
  }

  override async handleCall(req: Term, _from: From, state: SupervisorState, ctx: ProcessContext): Promise<CallResult<SupervisorState, Term>> {
    return { tag: 'reply', reply: await this.request(state, ctx, req), state };
  }

  /**
   * No cast is a supervisor's: OTP's crashes on one (function_clause). This one logs it as an
   * unexpected message and goes on, so that a single message from a peer
   * (`{Sup, Node} ! {'$gen_cast', x}`) cannot end a node's tree, yet does not pass unseen.
   */
  override handleCast(msg: unknown, state: SupervisorState, ctx: ProcessContext): NoReplyResult<SupervisorState> {
    report(ctx, 'unexpected_message', undefined, undefined, t(GEN_CAST, msg as Term));
    return noreply(state);
  }

  override async handleInfo(msg: unknown, state: SupervisorState, ctx: ProcessContext): Promise<NoReplyResult<SupervisorState>> {
    if (msg instanceof TryAgain) {
      const child = msg.child;
      if (!child.restarting || !state.children.includes(child)) return noreply(state);
      return this.restart(state, ctx, child);
    }
    if (msg instanceof Tuple && msg.size === 3 && msg.get(0) === EXIT && msg.get(1) instanceof Pid) {
      return this.childExited(state, ctx, msg.get(1) as Pid, msg.get(2));
    }
    // supervisor:handle_info/2's last clause: logged as an error, and ignored
    report(ctx, 'unexpected_message', undefined, undefined, msg);
    return noreply(state);
  }

  /** Whatever stops the supervisor (its parent, Supervisor.stop, too many restarts): children down first. */
  override async terminate(_reason: unknown, state: SupervisorState, ctx: ProcessContext): Promise<void> {
    await this.terminateAll(ctx, state);
  }

  override describe(state: SupervisorState): Record<string, unknown> {
    return {
      strategy: state.flags.strategy,
      intensity: state.flags.intensity,
      period: state.flags.period,
      children: state.children.map((c) => ({
        id: state.template !== undefined ? undefined : c.spec.id,
        pid: c.pid ?? (c.restarting ? 'restarting' : undefined),
        restart: c.spec.restart,
        shutdown: c.spec.shutdown,
        type: c.spec.type,
        restarts: c.restarts,
      })),
    };
  }

  // -- exits and restarts ---------------------------------------------------------------------

  private async childExited(state: SupervisorState, ctx: ProcessContext, pid: Pid, reason: unknown): Promise<NoReplyResult<SupervisorState>> {
    const child = state.children.find((c) => c.pid !== undefined && pidEquals(c.pid, pid));
    if (child === undefined) return noreply(state); // a child we terminated, or not ours
    child.pid = undefined;
    child.deadPid = pid;
    if (child.spec.restart === 'permanent' || !isCleanExit(reason)) report(ctx, 'child_terminated', child.spec.id, pid, reason);
    if (shouldRestart(child.spec.restart, reason)) return this.restart(state, ctx, child);
    if (child.spec.restart === 'temporary' || state.template !== undefined) remove(state, child);
    if (child.spec.significant && this.autoShutdown(state)) return { tag: 'stop', reason: SHUTDOWN, state };
    return noreply(state);
  }

  /** auto_shutdown after a significant child ended by itself. */
  private autoShutdown(state: SupervisorState): boolean {
    switch (state.flags.autoShutdown) {
      case 'never':
        return false;
      case 'any_significant':
        return true;
      case 'all_significant':
        return !state.children.some((c) => c.spec.significant && c.pid !== undefined);
    }
  }

  /** One restart of `child` (dead or waiting for a retry), per strategy. */
  private async restart(state: SupervisorState, ctx: ProcessContext, child: Child): Promise<NoReplyResult<SupervisorState>> {
    if (!state.window.add(ctx.now())) {
      report(ctx, 'shutdown', child.spec.id, undefined, REACHED_MAX_RESTART_INTENSITY);
      child.restarting = false;
      return { tag: 'stop', reason: SHUTDOWN, state };
    }
    const set = restartSet(state.flags.strategy, state.children.length, state.children.indexOf(child)).map((i) => state.children[i]);
    for (const c of set.filter((x) => x.pid !== undefined).reverse()) await this.terminate1(state, ctx, [c]);
    for (let i = 0; i < set.length; i++) {
      const c = set[i];
      if (!state.children.includes(c)) continue; // a temporary one was removed
      c.restarts++;
      const r = await startChild(ctx, c);
      if ('error' in r) {
        report(ctx, 'start_error', c.spec.id, undefined, r.error);
        c.restarting = true; // the ones after it stay not running until the retry starts them all
        ctx.send(ctx.self, new TryAgain(c));
        break;
      }
      if (r.ok === undefined && (state.template !== undefined || c.spec.restart === 'temporary')) remove(state, c);
    }
    return noreply(state);
  }

  /** Terminates one batch of running children and waits for them. */
  private async terminate1(state: SupervisorState, ctx: ProcessContext, batch: Child[]): Promise<void> {
    const running = batch.filter((c) => c.pid !== undefined);
    const stopped = await shutdownChildren(
      ctx,
      running.map((c) => ({ pid: c.pid as Pid, shutdown: c.spec.shutdown, permanent: c.spec.restart === 'permanent' })),
    );
    running.forEach((c, i) => {
      const pid = c.pid as Pid;
      c.pid = undefined;
      if (!stopped[i].expected) report(ctx, 'shutdown_error', c.spec.id, pid, stopped[i].reason);
      if (c.spec.restart === 'temporary' || state.template !== undefined) remove(state, c);
    });
  }

  /** Every child down: one at a time in reverse start order; simple_one_for_one all at once. */
  private async terminateAll(ctx: ProcessContext, state: SupervisorState): Promise<void> {
    for (const c of state.children) c.restarting = false;
    if (state.template !== undefined) {
      await this.terminate1(state, ctx, [...state.children]);
      return;
    }
    for (const c of [...state.children].reverse()) if (c.pid !== undefined) await this.terminate1(state, ctx, [c]);
  }

  // -- requests -------------------------------------------------------------------------------

  private async request(state: SupervisorState, ctx: ProcessContext, req: Term): Promise<Term> {
    const sofo = state.template !== undefined;
    // newest first, as OTP (a simple_one_for_one supervisor's children: in its dynamics map's order)
    if (req === A.which_children) return (sofo ? byDynamicsKey(state.children) : [...state.children].reverse()).map((c) => whichEntry(c, sofo));
    if (req === A.count_children) return countChildren(state);
    if (!(req instanceof Tuple) || req.size !== 2) return t(ERROR, t(atom('bad_request'), req));
    const [tag, arg] = req.elements;
    switch (tag) {
      case A.start_child:
        return this.startNew(state, ctx, arg);
      case A.terminate_child: {
        // by id is meaningless here: OTP answers so for anything but a pid
        if (sofo && !(arg instanceof Pid)) return t(ERROR, SOFO);
        const child = sofo ? findByPid(state, arg) : findById(state, arg);
        // a pid that is no child and no longer alive counts as terminated already (supervisor.erl find_child)
        if (child === undefined) return sofo && isDeadLocalPid(ctx, arg as Pid) ? OK : t(ERROR, atom('not_found'));
        child.restarting = false; // a retry still queued finds nothing to do
        await this.terminate1(state, ctx, [child]);
        if (sofo || child.spec.restart === 'temporary') remove(state, child);
        return OK;
      }
      case A.delete_child: {
        const child = stoppedChild(state, sofo, arg);
        if (child instanceof Tuple) return child;
        remove(state, child);
        return OK;
      }
      case A.restart_child: {
        const child = stoppedChild(state, sofo, arg);
        if (child instanceof Tuple) return child;
        const r = await startChild(ctx, child);
        return 'error' in r ? t(ERROR, r.error as Term) : t(OK, r.ok ?? UNDEFINED);
      }
      case A.get_childspec: {
        if (sofo) return templateSpec(ctx, state, arg);
        const child = findById(state, arg);
        return child === undefined ? t(ERROR, atom('not_found')) : t(OK, specTerm(child.spec, child.modules));
      }
      default:
        return t(ERROR, t(atom('bad_request'), req));
    }
  }

  private async startNew(state: SupervisorState, ctx: ProcessContext, arg: unknown): Promise<Term> {
    let child: Child;
    if (state.template !== undefined) {
      const tpl = state.template;
      // the extra arguments must be a list: OTP's `apply(M, F, A ++ ExtraArgs)` raises badarg
      // inside the start's catch otherwise (a spec given by mistake is not an argument)
      if (!Array.isArray(arg))
        return t(ERROR, t(EXIT, t(atom('badarg'), [t(atom('erlang'), atom('apply'), [TS_MODULE, atom('ts_start'), arg as Term], [])])));
      child = { spec: tpl, pid: undefined, restarting: false, deadPid: undefined, restarts: 0, args: arg, modules: tpl.modules ?? [] };
    } else {
      const spec = normalizeSpec(arg as ChildSpec, state.flags.autoShutdown);
      if ('error' in spec) return t(ERROR, spec.error as Term);
      const existing = state.children.find((c) => c.spec.id === spec.id);
      if (existing !== undefined)
        return existing.pid !== undefined ? t(ERROR, t(atom('already_started'), existing.pid)) : t(ERROR, atom('already_present'));
      child = { spec, pid: undefined, restarting: false, deadPid: undefined, restarts: 0, args: [], modules: spec.modules ?? [] };
    }
    const r = await startChild(ctx, child);
    if ('error' in r) return t(ERROR, r.error as Term);
    // ignored children of a simple_one_for_one supervisor (and temporary ones) are not kept
    if (r.ok !== undefined || (state.template === undefined && child.spec.restart !== 'temporary')) state.children.push(child);
    return t(OK, r.ok ?? UNDEFINED);
  }
}

/** Runs the child's start function and records the outcome on the child. */
async function startChild(ctx: ProcessContext, child: Child): Promise<StartResult> {
  child.pid = undefined;
  let pid: unknown;
  try {
    pid = await child.spec.start(ctx, ...child.args);
  } catch (e) {
    if (e instanceof StartError) return e.ignored ? ignored(child) : { error: e.reason };
    // a start that raised: `{'EXIT', Reason}`, as supervisor.erl's catch gives it
    return { error: t(EXIT, (e instanceof ExitError ? e.reason : e) as Term) };
  }
  if (pid === undefined || pid === null || pid === atom('ignore')) return ignored(child);
  if (!(pid instanceof Pid)) return { error: pid }; // anything else it returned is the reason, as in OTP
  ctx.link(pid); // a start function that only spawned is still supervised
  child.restarting = false;
  child.deadPid = undefined;
  child.pid = pid;
  if (child.spec.modules === undefined) child.modules = callbackModules(ctx, pid);
  ctx.logger.progress({ supervisor: ctx.self, supervisorName: ctx.registeredName, childId: child.spec.id, childPid: pid });
  return { ok: pid };
}

/**
 * OTP's default Modules, `[M]` for a child started by `{M, F, A}`, which idiomatic code makes the
 * callback module: here the behaviour name of a GenServer-based child (GenServer, Supervisor,
 * StateMachine), as its `'$initial_call'` names it; `[]` for any other process.
 */
function callbackModules(ctx: ProcessContext, pid: Pid): string[] {
  const proc = internalsOf(ctx)?.kernel.lookup(pid);
  return proc !== undefined && proc.code instanceof GenServerLoop ? [proc.code.behaviourName] : [];
}

function isDeadLocalPid(ctx: ProcessContext, pid: Pid): boolean {
  return pid.node === ctx.self.node && internalsOf(ctx)?.kernel.lookup(pid) === undefined;
}

function ignored(child: Child): StartResult {
  child.restarting = false;
  return { ok: undefined };
}

function remove(state: SupervisorState, child: Child): void {
  const i = state.children.indexOf(child);
  if (i >= 0) state.children.splice(i, 1);
}

/**
 * A child id as a request names it: a TS caller's string, or the atom an Erlang caller sends. Ids
 * compare as terms in OTP, so a binary or a list with the same text names no child.
 */
function idOf(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  if (x instanceof Atom) return x.name;
  return undefined;
}

/** delete_child and restart_child act on a known child that is not running: that child, or the error reply. */
function stoppedChild(state: SupervisorState, sofo: boolean, id: unknown): Child | Tuple {
  if (sofo) return t(ERROR, SOFO);
  const child = findById(state, id);
  if (child === undefined) return t(ERROR, atom('not_found'));
  if (child.pid !== undefined) return t(ERROR, atom('running'));
  if (child.restarting) return t(ERROR, RESTARTING);
  return child;
}

function findById(state: SupervisorState, id: unknown): Child | undefined {
  const key = idOf(id);
  return state.children.find((c) => c.spec.id === key);
}

/** simple_one_for_one: a running child, or one waiting for a restart retry by the pid it died with (supervisor.erl find_child). */
function findByPid(state: SupervisorState, pid: unknown): Child | undefined {
  if (!(pid instanceof Pid)) return undefined;
  const running = state.children.find((c) => c.pid !== undefined && pidEquals(c.pid, pid));
  return running ?? state.children.find((c) => c.restarting && c.deadPid !== undefined && pidEquals(c.deadPid, pid));
}

/**
 * A simple_one_for_one supervisor's children as supervisor.erl lists them: the keys of its
 * dynamics map (pid, or `{restarting, OldPid}`) in term order, so a restarted child, with a newer
 * pid, moves to the end.
 */
function byDynamicsKey(children: Child[]): Child[] {
  const key = (c: Child): Term => c.pid ?? t(RESTARTING, c.deadPid ?? UNDEFINED);
  return [...children].sort((a, b) => compare(key(a), key(b)));
}

/** Child ids go on the wire as atoms, as an Erlang supervisor's do. */
function whichEntry(c: Child, sofo: boolean): Tuple {
  const who: Term = c.pid ?? (c.restarting ? RESTARTING : UNDEFINED);
  return t(sofo ? UNDEFINED : atom(c.spec.id), who, atom(c.spec.type), modulesTerm(c.modules));
}

function countChildren(state: SupervisorState): Term {
  const active = state.children.filter((c) => c.pid !== undefined).length;
  const sups = state.children.filter((c) => c.spec.type === 'supervisor').length;
  const specs = state.template !== undefined ? 1 : state.children.length;
  return [t(atom('specs'), specs), t(atom('active'), active), t(atom('supervisors'), sups), t(atom('workers'), state.children.length - sups)];
}

/**
 * supervisor:get_childspec's map. A TS child has no `{M, F, A}`; `start` names it as
 * `{beamline, ts_start, [Id]}` (startMfa), which no node exports, so copying the spec into an
 * Erlang supervisor fails with undef instead of starting something else.
 */
function specTerm(s: NormalizedSpec, modules: string[] | 'dynamic'): Term {
  return new ErlMap([
    [atom('id'), atom(s.id)],
    [atom('start'), startMfa(s.id)],
    [atom('restart'), atom(s.restart)],
    [atom('significant'), atom(String(s.significant))],
    [atom('shutdown'), typeof s.shutdown === 'number' ? s.shutdown : atom(s.shutdown)],
    [atom('type'), atom(s.type)],
    [atom('modules'), modulesTerm(modules)],
  ]);
}

/**
 * get_childspec on a simple_one_for_one supervisor: the template, found (as supervisor.erl's
 * find_child finds it) by a child's pid, by its own id, or by a pid no longer alive.
 */
function templateSpec(ctx: ProcessContext, state: SupervisorState, arg: unknown): Term {
  const tpl = state.template as NormalizedSpec;
  const child = findByPid(state, arg);
  const found = child !== undefined || (arg instanceof Pid ? isDeadLocalPid(ctx, arg) : idOf(arg) === tpl.id);
  if (!found) return t(ERROR, atom('not_found'));
  const modules = child?.modules ?? tpl.modules ?? state.children.find((c) => c.pid !== undefined)?.modules ?? [];
  return t(OK, specTerm(tpl, modules));
}

/**
 * The supervisor's loop: a GenServerLoop whose state, for a caller on another node, is OTP's
 * `#state{}` record (otp_state.ts); a caller in this runtime gets the JS state.
 */
class SupervisorLoop extends GenServerLoop<SupervisorState> {
  readonly initialCall = t(atom('supervisor'), TS_MODULE, 1);

  remoteState(ctx: ProcessContext): Term {
    const s = this.state;
    return supervisorRecord({
      name: ctx.registeredName,
      self: ctx.self,
      strategy: s.flags.strategy,
      intensity: s.flags.intensity,
      period: s.flags.period,
      autoShutdown: s.flags.autoShutdown,
      children: s.children,
      template: s.template,
      restarts: s.window.recent,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// API

export interface SupervisorStartOptions {
  /** Registered name. */
  name?: string;
  /**
   * Link to the starting process, which becomes the supervisor's parent (default true when
   * started from a process context, as a child's `start` must). From the runtime: no link.
   */
  link?: boolean;
}

export type StartChildResult = { ok: true; pid: Pid | undefined } | { ok: false; error: unknown };
export type ChildResult = { ok: true } | { ok: false; error: unknown };

export interface ChildInfo {
  /** `undefined` for the children of a simple_one_for_one supervisor. */
  id: string | undefined;
  pid: Pid | 'restarting' | undefined;
  type: ChildType;
  modules: string[] | 'dynamic';
}

export interface ChildCounts {
  specs: number;
  active: number;
  supervisors: number;
  workers: number;
}

function call(where: Where, sup: Dest, req: Term): Promise<Term> {
  return GenServer.call<Term>(where, sup, req, 'infinity');
}

function okPid(r: Term): StartChildResult {
  if (r instanceof Tuple && r.get(0) === OK) return { ok: true, pid: r.get(1) instanceof Pid ? (r.get(1) as Pid) : undefined };
  return { ok: false, error: r instanceof Tuple && r.get(0) === ERROR ? r.get(1) : r };
}

function okOrError(r: Term): ChildResult {
  if (r === OK) return { ok: true };
  return { ok: false, error: r instanceof Tuple && r.get(0) === ERROR ? r.get(1) : r };
}

function childInfo(e: Term): ChildInfo {
  const [id, who, type, mods] = (e as Tuple).elements;
  return {
    id: id === UNDEFINED ? undefined : idOf(id),
    pid: who instanceof Pid ? who : who === RESTARTING ? 'restarting' : undefined,
    type: (type as Atom).name as ChildType,
    modules: mods === DYNAMIC ? 'dynamic' : (mods as Atom[]).map((m) => m.name),
  };
}

export const Supervisor = {
  /**
   * Starts a supervisor and waits until its children are started, in order (supervisor:start_link).
   * Rejects with StartError: `{shutdown, {failed_to_start_child, Id, Reason}}` when a child's
   * start failed (the ones already started are terminated first), or the flags/specs error.
   */
  start(where: Where, flags: SupFlags, opts: SupervisorStartOptions = {}): Promise<Pid> {
    const link = opts.link ?? isContext(where);
    if (link && !isContext(where)) return Promise.reject(new BadArg('Supervisor.start: link needs a process context'));
    return start(where, (starter) => new SupervisorLoop(new SupervisorServer(), flags, starter, 'supervisor'), {
      name: opts.name,
      link,
      trapExit: true,
    });
  },

  /**
   * Adds and starts a child. For simple_one_for_one pass the extra arguments (an array, appended to
   * the template's start arguments) instead of a spec.
   */
  async startChild(where: Where, sup: Dest, specOrArgs: ChildSpec | unknown[]): Promise<StartChildResult> {
    return okPid(await call(where, sup, t(A.start_child, specOrArgs as Term)));
  },

  /** Terminates a child (by id; by pid for simple_one_for_one). The spec is kept (unless temporary). */
  async terminateChild(where: Where, sup: Dest, idOrPid: string | Pid): Promise<ChildResult> {
    return okOrError(await call(where, sup, t(A.terminate_child, idOrPid)));
  },

  /** Removes the spec of a terminated child. */
  async deleteChild(where: Where, sup: Dest, id: string): Promise<ChildResult> {
    return okOrError(await call(where, sup, t(A.delete_child, id)));
  },

  /** Starts a terminated child again from its spec. */
  async restartChild(where: Where, sup: Dest, id: string): Promise<StartChildResult> {
    return okPid(await call(where, sup, t(A.restart_child, id)));
  },

  /** Newest first, as OTP lists them. */
  async whichChildren(where: Where, sup: Dest): Promise<ChildInfo[]> {
    return ((await call(where, sup, A.which_children)) as Term[]).map(childInfo);
  },

  async countChildren(where: Where, sup: Dest): Promise<ChildCounts> {
    const out: Record<string, number> = {};
    for (const e of (await call(where, sup, A.count_children)) as Tuple[]) out[(e.get(0) as Atom).name] = e.get(1) as number;
    return out as unknown as ChildCounts;
  },

  /**
   * Shuts the supervisor down (children in reverse start order, each by its shutdown) and
   * resolves with its exit reason once it is gone.
   */
  stop(where: Where, sup: Pid | string, reason: unknown = SHUTDOWN): Promise<unknown> {
    return inProcess(where, async (ctx) => {
      try {
        await GenServer.stop(ctx, sup, reason);
        return reason;
      } catch (e) {
        if (e instanceof ExitError) return e.reason;
        throw e;
      }
    });
  },
};
