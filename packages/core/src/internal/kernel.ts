/**
 * The runtime's engine: owns the process table, the scheduler, the registry, timers, links,
 * monitors, aliases and the remote hook, and implements what processes (Kernel) and services
 * (ServiceHost) need. One engine is one (Erlang) node incarnation. User code reaches it only
 * through the public `Runtime` (runtime.ts) and the sealed process contexts.
 */
import { Atom, Pid, Ref, Tuple, atom } from '@beamline/etf';
import { killed, normal, shutdown } from './basics/atoms.ts';
import { RealClock, type Clock } from './basics/clock.ts';
import { BadArg, ExitError } from './basics/errors.ts';
import { completeLogger, consoleLogger } from './basics/logger.ts';
import { RefMaker } from './basics/refs.ts';
import type { AliasMode, CrashReport, Dest, Logger, MonitorTarget, ProcessCode, SpawnOptions, SysStateForm, TimerRef } from './basics/types.ts';
import { Context, type Kernel, type SpawnHow } from './process/context.ts';
import { ASYNC, DEAD, PROC_LIB, Proc, SelfExited, TRAP_EXIT } from './process/process.ts';
import { Aliases } from './services/aliases.ts';
import type { ServiceHost } from './services/host.ts';
import { ancestors, type ProcessTable } from './services/introspection.ts';
import { Links } from './services/links.ts';
import { Monitors } from './services/monitors.ts';
import { ProcTable } from './services/proc_table.ts';
import { Registry } from './services/registry.ts';
import { RemoteInbound } from './services/remote.ts';
import type { RemoteRouter } from './services/remote_router.ts';
import { DEFAULT_BUDGET, Scheduler } from './services/scheduler.ts';
import { Timers } from './services/timers.ts';

export interface RuntimeOptions {
  /** Node name (default `nonode@nohost`). */
  node?: string;
  /** Node creation (default 0). */
  creation?: number;
  /** Clock for every timer (default: the real clock). */
  clock?: Clock;
  /** Where reports go; missing methods are silent; `null` silences all. Default: stderr. */
  logger?: Partial<Logger> | null;
  /** Reductions between yields to the event loop. */
  budget?: number;
}

function isAbnormal(reason: unknown): boolean {
  if (reason === normal || reason === shutdown) return false;
  if (reason instanceof Tuple && reason.elements.length === 2 && reason.elements[0] === shutdown) return false;
  return true;
}

export class RuntimeKernel implements Kernel, ServiceHost, ProcessTable {
  node: Atom;
  creation: number;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly registry = new Registry();
  readonly links: Links;
  readonly monitors: Monitors;
  readonly aliases: Aliases;
  readonly timers: Timers;
  readonly fromRemote: RemoteInbound;
  router: RemoteRouter | undefined;
  /** Reports go to the base logger and to every added handler. */
  readonly logger: Logger;
  /** The pseudo-process `<0.0.0>` (Erlang's init): parent of root processes, sender of stop's shutdown. */
  initPid: Pid;
  readonly procs = new ProcTable();
  stopped = false;

  private readonly sinks: Logger[];
  private readonly serialOut = [0];
  private readonly refs: RefMaker;
  private readonly remote = new Set<Proc>();
  /** SpawnOptions.expectedExit of the (few) processes that have one. */
  private readonly expectedExits = new Map<Proc, (reason: unknown) => boolean>();

  constructor(opts: RuntimeOptions = {}) {
    this.node = atom(opts.node ?? 'nonode@nohost');
    this.creation = opts.creation ?? 0;
    this.clock = opts.clock ?? new RealClock();
    this.sinks = [opts.logger === undefined ? consoleLogger : completeLogger(opts.logger)];
    const sinks = this.sinks;
    this.logger = {
      crash: (r) => {
        for (const s of sinks) s.crash(r);
      },
      supervisor: (r) => {
        for (const s of sinks) s.supervisor(r);
      },
      progress: (r) => {
        for (const s of sinks) s.progress(r);
      },
      warning: (r) => {
        for (const s of sinks) s.warning?.(r);
      },
    };
    this.scheduler = new Scheduler((p, reason) => this.exitProcess(p, reason, undefined, false), opts.budget ?? DEFAULT_BUDGET);
    this.aliases = new Aliases(
      () => this.creation,
      (owner, ref) => this.monitors.demonitor(owner, ref, false),
    );
    this.monitors = new Monitors(this, this.aliases, this.registry);
    this.links = new Links(this);
    this.timers = new Timers(this);
    this.fromRemote = new RemoteInbound(this, this.links, this.aliases, this.registry, () => this.remote);
    this.refs = new RefMaker(this.node, this.creation);
    this.initPid = new Pid(this.node, 0, 0, this.creation);
  }

  /** Adds a report sink next to the ones already there; returns its removal. */
  addReportHandler(handler: Partial<Logger>): () => void {
    const sink = completeLogger(handler);
    this.sinks.push(sink);
    return () => {
      const i = this.sinks.indexOf(sink);
      if (i >= 0) this.sinks.splice(i, 1);
    };
  }

  setNodeIdentity(node: string | Atom, creation: number): void {
    if (this.procs.size > 0) throw new BadArg('setNodeIdentity: processes are alive; name the runtime before spawning');
    this.node = typeof node === 'string' ? atom(node) : node;
    this.creation = creation;
    this.refs.node = this.node;
    this.refs.creation = creation;
    this.initPid = new Pid(this.node, 0, 0, creation);
  }

  isLocal(pid: Pid): boolean {
    return pid.node === this.node;
  }

  lookup(pid: Pid): Proc | undefined {
    if (pid.node !== this.node || pid.creation !== this.creation) return undefined;
    const p = this.procs.get(pid.id);
    return p !== undefined && p.self.serial === pid.serial ? p : undefined;
  }

  all(): Iterable<Proc> {
    return this.procs.values();
  }

  trackRemote(p: Proc): void {
    this.remote.add(p);
  }

  makeRef(): Ref {
    return this.refs.make();
  }

  canAlias(node: Atom): boolean {
    const router = this.router;
    return node === this.node || router?.canAlias === undefined || router.canAlias(node);
  }

  whereisGlobal(name: unknown): Pid | undefined {
    return this.router?.whereisGlobal?.(name);
  }

  sysStateForm(node: Atom): SysStateForm | Promise<SysStateForm> {
    const router = this.router;
    // our own processes answer as OTP 26.1+ does, so a state that is an {error, R} tuple reads back
    if (node === this.node) return 'ok';
    return router?.sysStateForm === undefined ? 'bare' : router.sysStateForm(node);
  }

  // ---------------------------------------------------------------- processes

  spawnFrom(
    parent: Proc | undefined,
    code: ProcessCode,
    opts: SpawnOptions | undefined,
    link: boolean,
    monitor: boolean,
    how?: SpawnHow,
  ): [Proc, Ref | undefined] {
    if (this.stopped) throw new BadArg('spawn: the runtime is stopped');
    // code of a process that was killed meanwhile may still be running: it must not spawn
    if (parent !== undefined && parent.flags & DEAD) throw new ExitError(killed, `spawn: ${parent.self} is not alive`);
    const t = typeof code;
    if (t !== 'function' && (code === null || t !== 'object' || typeof (code as { handleMessage?: unknown }).handleMessage !== 'function')) {
      throw new BadArg('spawn: expected an async function or a behaviour with handleMessage');
    }
    let flags = t === 'function' ? ASYNC : 0;
    if (opts?.trapExit) flags |= TRAP_EXIT;
    const id = this.procs.alloc(this.serialOut);
    const serial = this.serialOut[0];
    const p = new Proc(this, new Pid(this.node, id, serial, this.creation), code, how?.root ? undefined : parent?.self, flags);
    p.ctx = new Context(p);
    if (how?.procLib) p.flags |= PROC_LIB;
    if (opts?.expectedExit !== undefined) this.expectedExits.set(p, opts.expectedExit);
    if (opts?.name !== undefined) {
      try {
        this.registry.register(opts.name, p);
      } catch (e) {
        this.procs.release(id, serial);
        throw e;
      }
    }
    this.procs.set(id, p);
    if (link && parent !== undefined) {
      (parent.links ??= new Map()).set(p, p);
      (p.links = new Map()).set(parent, parent);
    }
    // spawn_monitor: the monitor exists before the child's code runs
    const ref = monitor && parent !== undefined ? this.monitors.monitor(parent, p.self) : undefined;
    // An async body starts from the scheduler (never on the spawner's stack). A behaviour's init
    // runs now, inside spawn (proc_lib's acknowledged start builds on this).
    if (flags & ASYNC) this.scheduler.enqueue(p);
    else p.start();
    return [p, ref];
  }

  route(from: Proc | undefined, dest: Dest, msg: unknown): void {
    if (dest instanceof Pid) {
      if (dest.node === this.node) {
        if (dest.creation !== this.creation) return;
        const p = this.procs.get(dest.id);
        if (p !== undefined && p.self.serial === dest.serial) p.deliver(msg, from);
        return;
      }
      this.router?.send(from?.self, dest, msg);
      return;
    }
    if (dest instanceof Ref) {
      this.aliasSend(from?.self, dest, msg);
      return;
    }
    let name: string;
    let node: Atom | undefined;
    if (typeof dest === 'string') name = dest;
    else if (dest instanceof Atom) name = dest.name;
    else {
      if (!isNamePair(dest)) throw new BadArg(`send: ${described(dest)} is not a pid, a name, [name, node] or an alias`);
      const pair: unknown[] = dest instanceof Tuple ? dest.elements : dest;
      const n = pair[0];
      const nd = pair[1];
      name = typeof n === 'string' ? n : (n as Atom).name;
      node = typeof nd === 'string' ? atom(nd) : (nd as Atom);
      if (node !== this.node) {
        this.router?.send(from?.self, [atom(name), node], msg);
        return;
      }
    }
    const p = this.registry.lookup(name);
    if (p === undefined) {
      if (node !== undefined) return; // {Name, Node} sends never fail
      throw new BadArg(`send: no process registered as "${name}"`);
    }
    p.deliver(msg, from);
  }

  /** A message to an alias: a local one delivers while active; a remote one goes to the router. */
  aliasSend(from: Pid | undefined, alias: Ref, msg: unknown): void {
    if (alias.node === this.node) this.aliases.send(alias, msg);
    else this.router?.aliasSend(from, alias, msg);
  }

  link(p: Proc, pid: Pid): boolean {
    if (!(pid instanceof Pid)) throw new BadArg(`link: ${described(pid)} is not a pid`);
    return this.links.link(p, pid);
  }

  unlink(p: Proc, pid: Pid): void {
    this.links.unlink(p, pid);
  }

  exit2(from: Pid, to: Pid, reason: unknown): void {
    if (!(to instanceof Pid)) throw new BadArg(`exit: ${described(to)} is not a pid`);
    this.links.exit2(from, to, reason);
  }

  monitor(p: Proc, target: MonitorTarget, alias: AliasMode | undefined): Ref {
    if (!(target instanceof Pid || typeof target === 'string' || target instanceof Atom || isNamePair(target)))
      throw new BadArg(`monitor: ${described(target)} is not a pid, a name or [name, node]`);
    return this.monitors.monitor(p, target, alias);
  }

  demonitor(p: Proc, ref: Ref, flush: boolean): boolean {
    return this.monitors.demonitor(p, ref, flush);
  }

  alias(p: Proc, reply: boolean): Ref {
    const ref = this.makeRef();
    this.aliases.create(p, ref, reply, false);
    return ref;
  }

  unalias(p: Proc, ref: Ref): boolean {
    return this.aliases.unalias(p, ref);
  }

  register(name: string, p: Proc): void {
    this.registry.register(name, p);
  }

  unregister(name: string): void {
    this.registry.unregister(name);
  }

  whereis(name: string): Pid | undefined {
    return this.registry.lookup(name)?.self;
  }

  sendAfter(from: Proc | undefined, ms: number, dest: Dest, msg: unknown, timeoutTuple: boolean): TimerRef {
    return this.timers.sendAfter(ms, dest, msg, from, timeoutTuple);
  }

  cancelTimer(ref: TimerRef): number | false {
    return this.timers.cancel(ref);
  }

  readTimer(ref: TimerRef): number | false {
    return this.timers.read(ref);
  }

  // ---------------------------------------------------------------- exits

  /**
   * `p` exits with `reason`. `own` is true when the process's code decided it (returned, threw,
   * exit/1), false when a signal killed it. Notifies links and monitors, frees the name, and
   * reports a crash: for a proc_lib process any abnormal exit of its own doing, for a plain one an
   * error it threw (erl's "Error in process"; exit/1 is not logged), unless the exit was expected.
   */
  exitProcess(p: Proc, reason: unknown, error: unknown, own: boolean): void {
    if (p.flags & DEAD) return;
    p.flags |= DEAD;
    p.clearWait();
    const name = p.name;
    this.procs.delete(p);
    this.registry.exiting(p);
    this.links.exiting(p, reason);
    this.monitors.exiting(p, reason);
    if (p.aliases !== null) this.aliases.exiting(p);
    this.timers.exiting(p);
    p.mb = null;
    if (this.remote.size > 0) this.remote.delete(p);
    let expected = false;
    if (this.expectedExits.size > 0) {
      expected = this.expectedExits.get(p)?.(reason) === true;
      this.expectedExits.delete(p);
    }
    if (!own || expected) return;
    if (p.flags & PROC_LIB ? isAbnormal(reason) : error !== undefined && !(error instanceof ExitError) && !(error instanceof SelfExited)) {
      const report: CrashReport = { pid: p.self, name, behaviour: p.behaviourName, reason, error, ancestors: ancestors(this, p) };
      if (typeof p.code === 'object') Object.assign(report, p.code.crashDetails?.());
      this.logger.crash(report);
    }
  }
}

const isName = (v: unknown): boolean => typeof v === 'string' || v instanceof Atom;

/** `[name, node]` (or `{Name, Node}`), each a string or an atom. */
function isNamePair(x: unknown): boolean {
  const pair: unknown = x instanceof Tuple ? x.elements : x;
  return Array.isArray(pair) && pair.length === 2 && isName(pair[0]) && isName(pair[1]);
}

/** A bad argument, for an error message. */
function described(x: unknown): string {
  if (x === null || x === undefined || typeof x !== 'object') return typeof x === 'string' ? JSON.stringify(x) : String(x);
  return Array.isArray(x) ? `an array of ${x.length}` : `an instance of ${x.constructor?.name ?? 'Object'}`;
}
