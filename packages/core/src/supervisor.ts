/**
 * Supervisor: a GenServer that starts children in order, watches them (it traps exits) and
 * restarts them by a strategy; OTP's supervisor.erl semantics.
 *
 *   parent ── Supervisor.start ──▶ supervisor (GenServer, trap_exit)
 *                                     │ spec.start(ctx) in order, each child linked
 *                                     ▼
 *   child dies ── {'EXIT', Pid, R} ──▶ handleInfo → restart policy (permanent/transient/temporary)
 *                                     → intensity window (too many: terminate all, exit shutdown)
 *                                     → restart(strategy): terminate the affected running children
 *                                       in reverse order, start them again in order
 *   Supervisor.startChild / terminateChild / deleteChild / restartChild / whichChildren /
 *   countChildren ── GenServer.call ──▶ handleCall (requests and replies are OTP's terms, so an erl
 *   node can `supervisor:which_children({Name, Node})`)
 *   parent's 'EXIT' or Supervisor.stop ──▶ terminate all children (reverse order), then exit
 *
 * Terminating a child waits for its 'DOWN' without blocking (see supervisor_shutdown.ts); while
 * such a job runs, other requests and 'EXIT's are deferred and handled in arrival order after it.
 * Restart intensity is measured on the runtime's clock (a TestClock in tests).
 */
import { Atom, Pid, Tuple, atom, t, type Term } from '@beamline/etf';
import { isContext } from './gen.ts';
import { GenServer, GenServerProcess, type CallResult, type CastResult, type From, type InitResult } from './gen_server.ts';
import type { Runtime } from './runtime.ts';
import type { Proc } from './process.ts';
import { pidEquals, pidKey, refEquals } from './refs.ts';
import { BadArg } from './errors.ts';
import type { Dest, Logger, ProcessContext } from './types.ts';
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
} from './supervisor_policy.ts';
import { ShutdownJob, ShutdownTimeout } from './supervisor_shutdown.ts';
import { InitAck, PendingStart } from './supervisor_start.ts';

export type { ChildSpec, ChildType, RestartType, Shutdown, StartFn, Strategy, SupFlags } from './supervisor_policy.ts';
export { isCleanExit, shouldRestart, RestartWindow } from './supervisor_policy.ts';
export { supervisionTree, formatSupervisionTree, type SupervisionNode } from './supervisor_tree.ts';
export { startAcked, startGenServerAcked, PendingStart, InitAck, type AckResult } from './supervisor_start.ts';

// ---------------------------------------------------------------------------------------------
// Terms

const OK = atom('ok');
const ERROR = atom('error');
const UNDEFINED = atom('undefined');
const RESTARTING = atom('restarting');
const SHUTDOWN = atom('shutdown');
const EXIT = atom('EXIT');
const DOWN = atom('DOWN');
const DYNAMIC = atom('dynamic');
const SOFO = atom('simple_one_for_one');

const A = {
  start_child: atom('start_child'),
  terminate_child: atom('terminate_child'),
  delete_child: atom('delete_child'),
  restart_child: atom('restart_child'),
  which_children: atom('which_children'),
  count_children: atom('count_children'),
  get_childspec: atom('get_childspec'),
};

// ---------------------------------------------------------------------------------------------
// State

type SupCtx = ProcessContext;

interface Child {
  spec: NormalizedSpec;
  pid: Pid | undefined;
  /** Its restart failed; a retry is queued (`{try_again_restart, Id}` in OTP). */
  restarting: boolean;
  /** simple_one_for_one: the extra arguments it was started with. */
  args: unknown[];
}

type Deferred = { call: Term; from: From } | { info: unknown };

/** The one thing the supervisor is waiting for; everything else is deferred meanwhile. */
type Job =
  | { kind: 'stop'; shutdown: ShutdownJob<Child>; then: () => Outcome }
  | { kind: 'start'; pid: Pid; resume: (r: StartResult) => Outcome };

/** A child start: its pid (undefined = ignore), or the reason it failed. */
type StartResult = { ok: Pid | undefined } | { error: unknown };

/** `undefined` = keep running; `{ stop }` = exit with that reason. */
type Outcome = undefined | { stop: unknown };

export interface SupervisorState {
  flags: NormalizedFlags;
  /** In start order. */
  children: Child[];
  /** simple_one_for_one's template. */
  template: NormalizedSpec | undefined;
  window: RestartWindow;
  job: Job | undefined;
  deferred: Deferred[];
  parent: Pid | undefined;
  /** Who gets our InitAck once the initial children are up (or their start failed). */
  ackTo: Pid | undefined;
  /** The initial children are up. */
  started: boolean;
}

/** Sent by Supervisor.stop; handled like the parent's exit signal. */
class StopRequest {
  constructor(readonly reason: unknown) {}
}

/** A queued retry of a failed restart. */
class TryAgain {
  constructor(readonly child: Child) {}
}

function idOf(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  if (x instanceof Atom) return x.name;
  if (x instanceof Uint8Array) return new TextDecoder().decode(x);
  return undefined;
}

/** The runtime clock's now (a TestClock in tests). */
function nowOf(ctx: SupCtx): number {
  return (ctx as unknown as Proc).rt.clock.now();
}

/** The parent's exit signal, handed to the supervisor as an info message (see SupervisorProcess). */
class ParentExit {
  constructor(readonly reason: unknown) {}
}

/**
 * The GenServer loop, with one difference: the generic loop stops at once on the parent's
 * 'EXIT' (running terminate), but a supervisor must first terminate its children in order, and
 * waiting for them takes messages. So the parent's exit is handed to the supervisor as ParentExit
 * and the supervisor stops itself once its children are down.
 */
class SupervisorProcess extends GenServerProcess<SupervisorState> {
  override get behaviourName(): string {
    return 'supervisor';
  }

  override handleMessage(ctx: ProcessContext, msg: unknown): void | Promise<void> {
    if (msg instanceof Tuple && msg.size === 3 && msg.get(0) === EXIT && msg.get(1) instanceof Pid) {
      const proc = ctx as unknown as Proc;
      if (pidEquals(msg.get(1), proc.parent ?? proc.rt.initPid)) return super.handleMessage(ctx, new ParentExit(msg.get(2)));
    }
    return super.handleMessage(ctx, msg);
  }
}

// ---------------------------------------------------------------------------------------------
// The GenServer

class SupervisorServer extends GenServer<SupervisorState, Term, unknown, Term> {
  constructor(private readonly supFlags: SupFlags) {
    super();
  }

  override init(_args: unknown, ctx: ProcessContext): InitResult<SupervisorState> {
    ctx.trapExit(true);
    const proc = ctx as unknown as Proc;
    const flags = normalizeFlags(this.supFlags);
    if ('error' in flags) return { stop: flags.error };
    const state: SupervisorState = {
      flags,
      children: [],
      template: undefined,
      window: new RestartWindow(flags.intensity, flags.period * 1000),
      job: undefined,
      deferred: [],
      parent: proc.parent ?? proc.rt.initPid,
      ackTo: undefined,
      started: false,
    };
    const specs = this.supFlags.children ?? [];
    if (flags.strategy === 'simple_one_for_one') {
      if (specs.length !== 1) return { stop: t(atom('bad_start_spec'), t(atom('simple_one_for_one'), specs.length)) };
      const tpl = normalizeSpec(specs[0]);
      if ('error' in tpl) return { stop: tpl.error };
      state.template = tpl;
      ackStarted(ctx, state);
      return { ok: true, state };
    }
    const normalized: NormalizedSpec[] = [];
    for (const s of specs) {
      const n = normalizeSpec(s);
      if ('error' in n) return { stop: n.error };
      if (normalized.some((o) => o.id === n.id)) return { stop: t(atom('duplicate_child_name'), n.id) };
      normalized.push(n);
    }
    const list = normalized.map((spec): Child => ({ spec, pid: undefined, restarting: false, args: [] }));
    const out = this.startInitial(state, ctx, list, 0);
    if (out !== undefined) return { stop: out.stop };
    return { ok: true, state };
  }

  /** Starts the initial children in order, each after the previous one is up. */
  private startInitial(state: SupervisorState, ctx: SupCtx, list: Child[], i: number): Outcome {
    if (i >= list.length) {
      ackStarted(ctx, state);
      return undefined;
    }
    const child = list[i];
    return this.startThen(state, ctx, child, (r) => {
      if ('error' in r) {
        report(ctx, { kind: 'start_error', childId: child.spec.id, childPid: undefined, reason: r.error });
        // Terminate the ones started so far, in reverse order, then fail the start.
        const reason = t(SHUTDOWN, t(atom('failed_to_start_child'), child.spec.id, r.error as Term));
        return this.runJob(state, ctx, [...state.children].reverse().map((x) => [x]), () => {
          if (state.ackTo !== undefined) ctx.send(state.ackTo, new InitAck(ctx.self, { error: reason }));
          state.ackTo = undefined;
          return { stop: reason };
        });
      }
      if (r.ok !== undefined || child.spec.restart !== 'temporary') state.children.push(child);
      return this.startInitial(state, ctx, list, i + 1);
    });
  }

  /**
   * Starts one child and continues with `k`: at once for a plain start, or when the child
   * acknowledges (or dies) for a PendingStart. The child's pid is set before `k` runs.
   */
  private startThen(state: SupervisorState, ctx: SupCtx, child: Child, k: (r: StartResult) => Outcome): Outcome {
    const r = callStart(ctx, child);
    if (!(r instanceof PendingStart)) return k(applyStart(ctx, child, r));
    state.job = {
      kind: 'start',
      pid: r.pid,
      resume: (res) => k(applyStart(ctx, child, res)),
    };
    return undefined;
  }

  override handleCall(req: Term, from: From, state: SupervisorState, ctx: ProcessContext): CallResult<SupervisorState, Term> {
    if (state.job !== undefined) {
      state.deferred.push({ call: req, from });
      return { noreply: true, state };
    }
    // A request answers now (reply called during `request`) or when its job finishes.
    let sync = true;
    let reply: Term | typeof NOREPLY = NOREPLY;
    const out = this.request(state, ctx, req, (r) => {
      if (sync) reply = r;
      else GenServer.reply(from, r);
    });
    sync = false;
    if (out !== undefined) return reply !== NOREPLY ? { stop: out.stop, reply, state } : { stop: out.stop, state };
    return reply !== NOREPLY ? { reply, state } : { noreply: true, state };
  }

  override handleInfo(msg: unknown, state: SupervisorState, ctx: ProcessContext): CastResult<SupervisorState> {
    const out = this.info(state, ctx, msg);
    if (out !== undefined) return { stop: out.stop, state };
    return { noreply: true, state };
  }

  override terminate(_reason: unknown, state: SupervisorState, ctx: ProcessContext): void {
    // Normally every child is already down here: the supervisor stops itself only after a shutdown
    // job. This is the fallback for a stop it did not choose (sys terminate / GenServer.stop, or a
    // bug): it cannot wait any more, so it signals whatever still runs, in reverse order, without
    // waiting (its links then deliver its own exit reason too).
    const job = state.job;
    if (job?.kind === 'stop') for (const pid of job.shutdown.waiting()) ctx.exit(pid, atom('kill'));
    if (job?.kind === 'start') ctx.exit(job.pid, atom('kill'));
    for (const child of [...state.children].reverse()) {
      if (child.pid !== undefined) ctx.exit(child.pid, child.spec.shutdown === 'brutal_kill' ? atom('kill') : SHUTDOWN);
    }
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
      })),
    };
  }

  // -- messages -------------------------------------------------------------------------------

  private info(state: SupervisorState, ctx: SupCtx, msg: unknown): Outcome {
    const job = state.job;
    if (job !== undefined) {
      if (job.kind === 'stop' && job.shutdown.handle(ctx, msg)) return this.finishJobIfDone(state, ctx);
      if (job.kind === 'start') {
        let res: StartResult | undefined;
        if (msg instanceof InitAck && pidEquals(msg.pid, job.pid)) {
          const a = msg.result;
          res = 'ok' in a ? { ok: job.pid } : 'ignore' in a ? { ok: undefined } : { error: a.error };
        } else if (msg instanceof Tuple && msg.size === 3 && msg.get(0) === EXIT && pidEquals(msg.get(1), job.pid)) {
          // died before acknowledging: a failed start (exit normal = init said ignore)
          res = msg.get(2) === atom('normal') ? { ok: undefined } : { error: msg.get(2) };
        }
        if (res !== undefined) {
          state.job = undefined;
          return this.afterJob(state, ctx, job.resume(res));
        }
      }
      if (msg instanceof ShutdownTimeout || msg instanceof InitAck) return undefined;
      state.deferred.push({ info: msg });
      return undefined;
    }
    if (msg instanceof ShutdownTimeout || msg instanceof InitAck) return undefined; // stale
    if (msg instanceof StopRequest) return this.shutdownAll(state, ctx, msg.reason);
    if (msg instanceof ParentExit) return this.shutdownAll(state, ctx, msg.reason);
    if (msg instanceof TryAgain) {
      const child = msg.child;
      if (!child.restarting || !state.children.includes(child)) return undefined;
      return this.restart(state, ctx, child);
    }
    if (msg instanceof Tuple && msg.size === 3 && msg.get(0) === EXIT) {
      const from = msg.get(1);
      if (!(from instanceof Pid)) return undefined;
      return this.childExited(state, ctx, from, msg.get(2));
    }
    // Anything else is unexpected for a supervisor; OTP logs and ignores it.
    return undefined;
  }

  private childExited(state: SupervisorState, ctx: SupCtx, pid: Pid, reason: unknown): Outcome {
    const child = state.children.find((c) => c.pid !== undefined && pidEquals(c.pid, pid));
    if (child === undefined) return undefined; // a child we terminated, or not ours
    child.pid = undefined;
    if (child.spec.restart === 'permanent' || !isCleanExit(reason)) {
      report(ctx, { kind: 'child_terminated', childId: child.spec.id, childPid: pid, reason });
    }
    if (!shouldRestart(child.spec.restart, reason)) {
      if (child.spec.restart === 'temporary' || state.template !== undefined) remove(state, child);
      return undefined;
    }
    return this.restart(state, ctx, child);
  }

  /** One restart of `child` (dead or waiting for a retry), per strategy. */
  private restart(state: SupervisorState, ctx: SupCtx, child: Child): Outcome {
    if (!state.window.add(nowOf(ctx))) {
      report(ctx, { kind: 'reached_max_restart_intensity', childId: child.spec.id, childPid: undefined, reason: SHUTDOWN });
      child.restarting = false;
      return this.shutdownAll(state, ctx, SHUTDOWN);
    }
    const view = state.children.map((c) => ({ running: c.pid !== undefined, restarting: c.restarting }));
    const set = restartSet(state.flags.strategy, view, state.children.indexOf(child)).map((i) => state.children[i]);
    const toStop = set.filter((c) => c.pid !== undefined).reverse();
    return this.runJob(
      state,
      ctx,
      toStop.map((c) => [c]),
      () => this.startFrom(state, ctx, set, 0),
    );
  }

  /** Starts `list` from `i` in order; on a failure marks it and the rest `restarting` and queues a retry. */
  private startFrom(state: SupervisorState, ctx: SupCtx, list: Child[], i: number): Outcome {
    while (i < list.length && !state.children.includes(list[i])) i++; // temporary ones were removed
    if (i >= list.length) return undefined;
    const child = list[i];
    return this.startThen(state, ctx, child, (r) => {
      if ('error' in r) {
        report(ctx, { kind: 'start_error', childId: child.spec.id, childPid: undefined, reason: r.error });
        for (const rest of list.slice(i)) if (state.children.includes(rest)) rest.restarting = true;
        ctx.send(ctx.self, new TryAgain(child));
        return undefined;
      }
      if (r.ok === undefined && (state.template !== undefined || child.spec.restart === 'temporary')) remove(state, child);
      return this.startFrom(state, ctx, list, i + 1);
    });
  }

  /** Terminates every child (reverse order; simple_one_for_one: all at once) and exits with `reason`. */
  private shutdownAll(state: SupervisorState, ctx: SupCtx, reason: unknown): Outcome {
    for (const c of state.children) c.restarting = false;
    const batches = state.template !== undefined ? [[...state.children]] : [...state.children].reverse().map((c) => [c]);
    return this.runJob(state, ctx, batches, () => ({ stop: reason }));
  }

  private runJob(state: SupervisorState, ctx: SupCtx, batches: Child[][], then: () => Outcome): Outcome {
    const shutdown = new ShutdownJob<Child>(batches, (child, pid, reason, expected) => {
      if (!expected) report(ctx, { kind: 'shutdown_error', childId: child.spec.id, childPid: pid, reason });
      if (child.spec.restart === 'temporary' || state.template !== undefined) remove(state, child);
    });
    state.job = { kind: 'stop', shutdown, then };
    shutdown.advance(ctx);
    return this.finishJobIfDone(state, ctx);
  }

  private finishJobIfDone(state: SupervisorState, ctx: SupCtx): Outcome {
    const job = state.job;
    if (job === undefined || job.kind !== 'stop' || !job.shutdown.done) return undefined;
    state.job = undefined;
    return this.afterJob(state, ctx, job.then());
  }

  /** After a job's continuation: stop, wait for the next job, or handle what was deferred. */
  private afterJob(state: SupervisorState, ctx: SupCtx, out: Outcome): Outcome {
    if (out !== undefined) return out;
    return state.job === undefined ? this.drain(state, ctx) : undefined;
  }

  /** Handles what arrived while a job ran, in order, until one of them starts another job. */
  private drain(state: SupervisorState, ctx: SupCtx): Outcome {
    while (state.job === undefined && state.deferred.length > 0) {
      const d = state.deferred.shift() as Deferred;
      let out: Outcome;
      if ('call' in d) out = this.request(state, ctx, d.call, (r) => GenServer.reply(d.from, r));
      else out = this.info(state, ctx, d.info);
      if (out !== undefined) return out;
    }
    return undefined;
  }

  // -- requests -------------------------------------------------------------------------------

  /** Handles one call; `reply` may be called now or when a job finishes. */
  private request(state: SupervisorState, ctx: SupCtx, req: Term, reply: (r: Term) => void): Outcome {
    const sofo = state.template !== undefined;
    if (req === A.which_children) {
      reply(state.children.map((c) => whichEntry(c, sofo)));
      return undefined;
    }
    if (req === A.count_children) {
      reply(countChildren(state));
      return undefined;
    }
    if (!(req instanceof Tuple) || req.size !== 2) {
      reply(t(ERROR, t(atom('bad_request'), req)));
      return undefined;
    }
    const [tag, arg] = req.elements;
    switch (tag) {
      case A.start_child:
        return this.startChild(state, ctx, arg, reply);
      case A.terminate_child: {
        const child = sofo ? findByPid(state, arg) : findById(state, arg);
        if (child === undefined) {
          reply(t(ERROR, atom('not_found')));
          return undefined;
        }
        child.restarting = false;
        return this.runJob(state, ctx, [[child]], () => {
          if (child.spec.restart === 'temporary') remove(state, child);
          reply(OK);
          return undefined;
        });
      }
      case A.delete_child: {
        const child = stoppedChild(state, sofo, arg);
        if (child instanceof Tuple) reply(child);
        else {
          remove(state, child);
          reply(OK);
        }
        return undefined;
      }
      case A.restart_child: {
        const child = stoppedChild(state, sofo, arg);
        if (child instanceof Tuple) {
          reply(child);
          return undefined;
        }
        return this.startThen(state, ctx, child, (r) => {
          reply('error' in r ? t(ERROR, r.error as Term) : t(OK, r.ok ?? UNDEFINED));
          return undefined;
        });
      }
      case A.get_childspec: {
        const child = sofo ? findByPid(state, arg) : findById(state, arg);
        reply(child === undefined ? t(ERROR, atom('not_found')) : t(OK, specTerm(child.spec)));
        return undefined;
      }
      default:
        reply(t(ERROR, t(atom('bad_request'), req)));
        return undefined;
    }
  }

  private startChild(state: SupervisorState, ctx: SupCtx, arg: unknown, reply: (r: Term) => void): Outcome {
    let child: Child;
    if (state.template !== undefined) {
      child = { spec: state.template, pid: undefined, restarting: false, args: Array.isArray(arg) ? arg : [arg] };
    } else {
      const spec = normalizeSpec(arg as ChildSpec);
      if ('error' in spec) {
        reply(t(ERROR, spec.error));
        return undefined;
      }
      const existing = state.children.find((c) => c.spec.id === spec.id);
      if (existing !== undefined) {
        reply(existing.pid !== undefined ? t(ERROR, t(atom('already_started'), existing.pid)) : t(ERROR, atom('already_present')));
        return undefined;
      }
      child = { spec, pid: undefined, restarting: false, args: [] };
    }
    return this.startThen(state, ctx, child, (r) => {
      if ('error' in r) reply(t(ERROR, r.error as Term));
      else {
        // ignored children of a simple_one_for_one supervisor (and temporary ones) are not kept
        if (r.ok !== undefined || (state.template === undefined && child.spec.restart !== 'temporary')) state.children.push(child);
        reply(t(OK, r.ok ?? UNDEFINED));
      }
      return undefined;
    });
  }
}

const NOREPLY = Symbol('noreply');

/** What a supervisor reports (OTP's supervisor reports). */
export interface SupervisorReport {
  kind: 'child_terminated' | 'start_error' | 'shutdown_error' | 'reached_max_restart_intensity';
  supervisor: Pid;
  supervisorName: string | undefined;
  childId: string;
  childPid: Pid | undefined;
  reason: unknown;
}

/**
 * Sends a supervisor report to the runtime's logger: to `logger.supervisor(report)` when the logger
 * has it, else as a crash report whose behaviour names the supervisor context.
 */
function report(ctx: SupCtx, r: Omit<SupervisorReport, 'supervisor' | 'supervisorName'>): void {
  const proc = ctx as unknown as Proc;
  const logger = proc.rt.logger as (Logger & { supervisor?: (r: SupervisorReport) => void }) | null;
  if (logger === null) return;
  const full: SupervisorReport = { ...r, supervisor: proc.self, supervisorName: proc.name };
  try {
    if (typeof logger.supervisor === 'function') logger.supervisor(full);
    else {
      logger.crash({
        pid: r.childPid ?? proc.self,
        name: undefined,
        behaviour: `supervisor ${proc.name ?? String(proc.self)}: ${r.kind} ${r.childId}`,
        reason: r.reason,
        error: r.reason instanceof Error ? r.reason : undefined,
      });
    }
  } catch {
    // a failing logger must not take the supervisor down
  }
}

/** Runs the child's start function: a result now, or a PendingStart to wait for. */
function callStart(ctx: SupCtx, child: Child): StartResult | PendingStart {
  let pid: unknown;
  const saved = startingFor;
  startingFor = ctx.self;
  try {
    pid = child.spec.start(ctx, ...child.args);
  } catch (e) {
    return { error: e };
  } finally {
    startingFor = saved;
  }
  if (pid instanceof PendingStart) return pid;
  if (pid instanceof Pid && awaitingAck.delete(pidKey(pid))) return new PendingStart(pid);
  if (pid === undefined || pid === null || pid === atom('ignore')) return { ok: undefined };
  if (!(pid instanceof Pid)) return { error: t(atom('bad_return_value'), String(pid)) };
  // A behaviour's init runs inside spawn: if the child is already dead its init failed (or said
  // ignore). Its 'EXIT' (from the link, or noproc from linking now) says why: wait for it.
  const rt = (ctx as unknown as Proc).rt;
  if (rt.isLocal(pid) && !rt.isAlive(pid)) {
    ctx.link(pid);
    return new PendingStart(pid);
  }
  return { ok: pid };
}

/** Records a start's outcome on the child. */
function applyStart(ctx: SupCtx, child: Child, r: StartResult): StartResult {
  child.pid = undefined;
  if ('error' in r) return r;
  child.restarting = false;
  if (r.ok !== undefined) {
    ctx.link(r.ok); // a start function that only spawned is still supervised
    child.pid = r.ok;
  }
  return r;
}

/** Supervisor.startAcked: tell the starter that the initial children are up. */
function ackStarted(ctx: SupCtx, state: SupervisorState): void {
  state.started = true;
  if (state.ackTo === undefined) return;
  ctx.send(state.ackTo, new InitAck(ctx.self, { ok: true }));
  state.ackTo = undefined;
}

/**
 * Nested supervisors. A supervisor's init runs inside spawn, but its initial start may still be
 * waiting (for an acknowledging child, or for started children to stop after a failure). When it
 * was started by a supervisor's child `start`, `Supervisor.start` then makes it acknowledge to that
 * supervisor and records the pid here, so the parent waits for it (as supervisor:start_link waits).
 */
let startingFor: Pid | undefined;
const awaitingAck = new Set<string>();

function remove(state: SupervisorState, child: Child): void {
  const i = state.children.indexOf(child);
  if (i >= 0) state.children.splice(i, 1);
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

function findByPid(state: SupervisorState, pid: unknown): Child | undefined {
  if (!(pid instanceof Pid)) return undefined;
  return state.children.find((c) => c.pid !== undefined && pidEquals(c.pid, pid));
}

function modulesTerm(m: string[] | 'dynamic'): Term {
  return m === 'dynamic' ? DYNAMIC : m.map((x) => atom(x));
}

function whichEntry(c: Child, sofo: boolean): Tuple {
  const who: Term = c.pid ?? (c.restarting ? RESTARTING : UNDEFINED);
  return t(sofo ? UNDEFINED : c.spec.id, who, atom(c.spec.type), modulesTerm(c.spec.modules));
}

function countChildren(state: SupervisorState): Term {
  const active = state.children.filter((c) => c.pid !== undefined).length;
  const sups = state.children.filter((c) => c.spec.type === 'supervisor').length;
  const specs = state.template !== undefined ? 1 : state.children.length;
  return [
    t(atom('specs'), specs),
    t(atom('active'), active),
    t(atom('supervisors'), sups),
    t(atom('workers'), state.children.length - sups),
  ];
}

function specTerm(s: NormalizedSpec): Term {
  return t(
    s.id,
    atom(s.restart),
    typeof s.shutdown === 'number' ? s.shutdown : atom(s.shutdown),
    atom(s.type),
    modulesTerm(s.modules),
  );
}

// ---------------------------------------------------------------------------------------------
// API

/** A process context or the runtime: API calls made from outside a process run in a helper one. */
type CtxOrRt = Runtime | ProcessContext;

export interface SupervisorStartOptions {
  /** Registered name. */
  name?: string;
  /**
   * Link to the starting process (default true when started from a process context, as a child's
   * `start` must). A supervisor started from the runtime has the runtime's init pid as parent.
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

function isCtx(x: CtxOrRt): x is ProcessContext {
  return isContext(x);
}

/** Runs `fn` with a process context: `x` itself, or a short-lived process of runtime `x`. */
function withContext<T>(x: CtxOrRt, fn: (ctx: ProcessContext) => Promise<T>): Promise<T> {
  if (isCtx(x)) return fn(x);
  return new Promise<T>((resolve, reject) => {
    x.spawn(async (ctx) => {
      try {
        resolve(await fn(ctx));
      } catch (e) {
        reject(e);
      }
    });
  });
}

function call(x: CtxOrRt, sup: Dest, req: Term): Promise<Term> {
  return GenServer.call<Term>(x, sup, req, 'infinity');
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
    id: typeof id === 'string' ? id : undefined,
    pid: who instanceof Pid ? who : who === RESTARTING ? 'restarting' : undefined,
    type: (type as Atom).name as ChildType,
    modules: mods === DYNAMIC ? 'dynamic' : (mods as Atom[]).map((m) => m.name),
  };
}

export const Supervisor = {
  /** Starts a supervisor; its children are started (in order) inside it. */
  start(x: CtxOrRt, flags: SupFlags, opts: SupervisorStartOptions = {}): Pid {
    const fromProcess = isCtx(x);
    const link = opts.link ?? fromProcess;
    if (link && !fromProcess) throw new Error('Supervisor.start: link needs a process context');
    const proc = new SupervisorProcess(new SupervisorServer(flags), undefined);
    const spawnOpts = { name: opts.name, trapExit: true };
    if (!fromProcess) return x.spawn(proc, spawnOpts);
    if (!link) return x.spawn(proc, spawnOpts);
    const pid = x.spawnLink(proc, spawnOpts);
    // started from a supervisor's child start, and not up yet: make the parent wait for it
    const state = proc.state as SupervisorState | undefined;
    if (startingFor !== undefined && pidEquals(x.self, startingFor) && state !== undefined && !state.started && (x as unknown as Proc).rt.isAlive(pid)) {
      state.ackTo = x.self;
      awaitingAck.add(pidKey(pid));
    }
    return pid;
  },

  /**
   * Adds and starts a child. For simple_one_for_one pass the extra arguments (an array, appended to
   * the template's start arguments) instead of a spec.
   */
  async startChild(x: CtxOrRt, sup: Dest, specOrArgs: ChildSpec | unknown[]): Promise<StartChildResult> {
    return okPid(await call(x, sup, t(A.start_child, specOrArgs as Term)));
  },

  /** Terminates a child (by id; by pid for simple_one_for_one). The spec is kept (unless temporary). */
  async terminateChild(x: CtxOrRt, sup: Dest, idOrPid: string | Pid): Promise<ChildResult> {
    return okOrError(await call(x, sup, t(A.terminate_child, idOrPid)));
  },

  /** Removes the spec of a terminated child. */
  async deleteChild(x: CtxOrRt, sup: Dest, id: string): Promise<ChildResult> {
    return okOrError(await call(x, sup, t(A.delete_child, id)));
  },

  /** Starts a terminated child again from its spec. */
  async restartChild(x: CtxOrRt, sup: Dest, id: string): Promise<StartChildResult> {
    return okPid(await call(x, sup, t(A.restart_child, id)));
  },

  async whichChildren(x: CtxOrRt, sup: Dest): Promise<ChildInfo[]> {
    return ((await call(x, sup, A.which_children)) as Term[]).map(childInfo);
  },

  async countChildren(x: CtxOrRt, sup: Dest): Promise<ChildCounts> {
    const out: Record<string, number> = {};
    for (const e of (await call(x, sup, A.count_children)) as Tuple[]) out[(e.get(0) as Atom).name] = e.get(1) as number;
    return out as unknown as ChildCounts;
  },

  /**
   * Shuts the supervisor down the way its parent would (children in reverse start order, each by
   * its shutdown), and resolves with its exit reason once it is gone.
   */
  stop(x: CtxOrRt, sup: Pid | string, reason: unknown = SHUTDOWN): Promise<unknown> {
    return withContext(x, async (ctx) => {
      const ref = ctx.monitor(sup);
      try {
        ctx.send(sup, new StopRequest(reason));
      } catch (e) {
        if (!(e instanceof BadArg)) throw e; // an unknown name: the monitor reports noproc
      }
      const down = (await ctx.receive((m: unknown) => m instanceof Tuple && m.size === 5 && m.get(0) === DOWN && refEquals(m.get(1), ref))) as Tuple;
      return down.get(4);
    });
  },
};
