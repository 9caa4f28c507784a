/**
 * The Runtime: owns the process table, the scheduler, the registry, timers, links, monitors and
 * the remote hook. One Runtime is one (Erlang) node incarnation.
 */
import { Atom, Pid, Tuple, atom, Ref } from '@beamline/etf';
import { kill, killed, normal, shutdown } from './atoms.ts';
import { RealClock, type Clock } from './clock.ts';
import { BadArg, ExitError, formatTerm } from './errors.ts';
import { processInfo, processTree } from './introspection.ts';
import { Links } from './links.ts';
import { Monitors } from './monitors.ts';
import { Aliases } from './aliases.ts';
import { ASYNC, DEAD, Proc, TRAP_EXIT } from './process.ts';
import { ProcTable } from './proc_table.ts';
import { RefMaker, pidEquals } from './refs.ts';
import { Registry } from './registry.ts';
import { RemoteInbound, type RemoteRouter } from './remote.ts';
import { DEFAULT_BUDGET, Scheduler } from './scheduler.ts';
import { Timers } from './timers.ts';
import type { CrashReport, Dest, Logger, ProcessCode, ProcessInfo, SpawnOptions, TimerRef, TreeNode } from './types.ts';

export interface RuntimeOptions {
  /** Node name (default `nonode@nohost`). */
  node?: string;
  /** Node creation (default 0). */
  creation?: number;
  /** Clock for every timer (default: the real clock). */
  clock?: Clock;
  /** Crash reports; `null` silences them. Default: console.error. */
  logger?: Logger | null;
  /** Reductions between yields to the event loop. */
  budget?: number;
}

export const consoleLogger: Logger = {
  crash(r: CrashReport): void {
    const who = r.name !== undefined ? `${r.pid} (${r.name})` : String(r.pid);
    const detail = r.error instanceof Error && r.error.stack ? `\n${r.error.stack}` : '';
    console.error(`=CRASH REPORT==== process ${who} [${r.behaviour}] exited: ${formatTerm(r.reason)}${detail}`);
  },
};

function isAbnormal(reason: unknown): boolean {
  if (reason === normal || reason === shutdown) return false;
  if (reason instanceof Tuple && reason.elements.length === 2 && reason.elements[0] === shutdown) return false;
  return true;
}

/** How long `stop()` waits for one supervision tree to shut down before killing it (ms). */
const DEFAULT_STOP_TIMEOUT = 30_000;

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Runtime {
  node: Atom;
  creation: number;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly registry = new Registry();
  readonly links: Links;
  readonly monitors: Monitors;
  readonly aliases: Aliases;
  readonly timers: Timers;
  /** Inbound side of the remote hook: dist delivers what arrives from the wire here. */
  readonly fromRemote: RemoteInbound;
  router: RemoteRouter | undefined;
  logger: Logger | null;
  /** The pseudo-process `<0.0.0>` (Erlang's init): parent of root processes, sender of stop's shutdown. */
  initPid: Pid;

  /** @internal process table by pid id. */
  readonly procs = new ProcTable();
  private readonly serialOut = [0];
  private readonly refs: RefMaker;
  private readonly remote = new Set<Proc>();
  private stopping = false;
  private stopped = false;

  constructor(opts: RuntimeOptions = {}) {
    this.node = atom(opts.node ?? 'nonode@nohost');
    this.creation = opts.creation ?? 0;
    this.clock = opts.clock ?? new RealClock();
    this.logger = opts.logger === undefined ? consoleLogger : opts.logger;
    this.scheduler = new Scheduler((p, reason) => this.exitProcess(p, reason, undefined, false), opts.budget ?? DEFAULT_BUDGET);
    this.links = new Links(this);
    this.monitors = new Monitors(this);
    this.aliases = new Aliases(this);
    this.timers = new Timers(this);
    this.fromRemote = new RemoteInbound(this);
    this.refs = new RefMaker(this.node, this.creation);
    this.initPid = new Pid(this.node, 0, 0, this.creation);
  }

  // ---------------------------------------------------------------- identity and the remote hook

  /** Name this runtime (dist does it after registering with EPMD). Only while no process is alive. */
  setNodeIdentity(node: string | Atom, creation: number): void {
    if (this.procs.size > 0) throw new BadArg('setNodeIdentity: processes are alive; name the runtime before spawning');
    this.node = typeof node === 'string' ? atom(node) : node;
    this.creation = creation;
    this.refs.node = this.node;
    this.refs.creation = creation;
    this.initPid = new Pid(this.node, 0, 0, creation);
  }

  setRemoteRouter(router: RemoteRouter | undefined): void {
    this.router = router;
  }

  /** A pid of this node (alive or not, any creation). */
  isLocal(pid: Pid): boolean {
    return pid.node === this.node;
  }

  /** @internal the live local process of `pid`. */
  lookup(pid: Pid): Proc | undefined {
    if (pid.node !== this.node || pid.creation !== this.creation) return undefined;
    const p = this.procs.get(pid.id);
    return p !== undefined && p.self.serial === pid.serial ? p : undefined;
  }

  /** @internal */
  atom(name: string): Atom {
    return atom(name);
  }

  /** @internal remember a process that has remote links/monitors (for nodeDown). */
  trackRemote(p: Proc): void {
    this.remote.add(p);
  }

  /** @internal */
  remoteParticipants(): Proc[] {
    return [...this.remote];
  }

  makeRef(): Ref {
    return this.refs.make();
  }

  // ---------------------------------------------------------------- processes

  /** Spawn a root process (no parent process). */
  spawn(code: ProcessCode, opts?: SpawnOptions): Pid {
    return this.spawnFrom(undefined, code, opts, false).self;
  }

  /** @internal */
  spawnFrom(
    parent: Proc | undefined,
    code: ProcessCode,
    opts: SpawnOptions | undefined,
    link: boolean,
    beforeStart?: (p: Proc) => void,
  ): Proc {
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
    const p = new Proc(this, new Pid(this.node, id, serial, this.creation), code, parent?.self, flags);
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
    // An async body starts from the scheduler (never on the spawner's stack). A behaviour's init
    // runs now, inside spawn, like proc_lib's init handshake: when spawn returns, init is done
    // (a failing init has already made the process exit and signalled its links).
    if (beforeStart !== undefined) beforeStart(p); // spawn_monitor: the monitor exists before init runs
    if (flags & ASYNC) this.scheduler.enqueue(p);
    else p.start();
    return p;
  }

  /** Send from outside any process. */
  send(dest: Dest, msg: unknown): void {
    this.route(undefined, dest, msg);
  }

  /** @internal every send goes through here. */
  route(from: Proc | undefined, dest: Dest, msg: unknown): void {
    if (dest instanceof Pid) {
      if (dest.node === this.node) {
        if (dest.creation !== this.creation) return;
        const p = this.procs.get(dest.id);
        if (p !== undefined && p.self.serial === dest.serial) p.deliver(msg);
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
    p.deliver(msg);
  }

  /** @internal a message to an alias: a local one delivers while active; a remote one goes to the router. */
  aliasSend(from: Pid | undefined, alias: Ref, msg: unknown): void {
    if (alias.node === this.node) this.aliases.send(alias, msg);
    else this.router?.aliasSend(from, alias, msg);
  }

  /** exit/2 from outside any process (the sender is the runtime's init pid). */
  exit(pid: Pid, reason: unknown): void {
    this.links.exit2(this.initPid, pid, reason);
  }

  register(name: string, pid: Pid): void {
    const p = this.lookup(pid);
    if (p === undefined) throw new BadArg(`register: ${pid} is not alive`);
    this.registry.register(name, p);
  }

  unregister(name: string): void {
    this.registry.unregister(name);
  }

  whereis(name: string): Pid | undefined {
    return this.registry.lookup(name)?.self;
  }

  registered(): string[] {
    return this.registry.registered();
  }

  isAlive(pid: Pid): boolean {
    return this.lookup(pid) !== undefined;
  }

  sendAfter(ms: number, dest: Dest, msg: unknown): TimerRef {
    return this.timers.sendAfter(ms, dest, msg, undefined);
  }

  cancelTimer(ref: TimerRef): number | false {
    return this.timers.cancel(ref);
  }

  // ---------------------------------------------------------------- introspection

  processes(): Pid[] {
    const out: Pid[] = [];
    for (const p of this.procs.values()) out.push(p.self);
    return out;
  }

  get processCount(): number {
    return this.procs.size;
  }

  processInfo(pid: Pid): ProcessInfo | undefined {
    const p = this.lookup(pid);
    return p === undefined ? undefined : processInfo(this, p);
  }

  /** The live processes whose parent is `pid` (O(processes)). */
  children(pid: Pid): Pid[] {
    const out: Pid[] = [];
    for (const p of this.procs.values()) if (p.parent !== undefined && pidEquals(p.parent, pid)) out.push(p.self);
    return out;
  }

  /** Every process as a forest: roots (no live parent) with their children, in spawn order. */
  tree(): TreeNode[] {
    return processTree(this);
  }

  // ---------------------------------------------------------------- exits

  /**
   * @internal `p` exits with `reason`. `own` is true when the process's code decided it (returned,
   * threw, exit/1), false when a signal killed it. Notifies links, monitors, frees the name.
   */
  exitProcess(p: Proc, reason: unknown, error: unknown, own: boolean): void {
    if (p.flags & DEAD) return;
    p.flags |= DEAD;
    p.clearWait();
    const name = p.name;
    this.procs.delete(p);
    this.registry.exiting(p);
    const hadLinks = p.links !== null && p.links.size > 0;
    this.links.exiting(p, reason);
    this.monitors.exiting(p, reason);
    if (p.aliases !== null) this.aliases.exiting(p);
    this.timers.exiting(p);
    p.mb = null;
    if (this.remote.size > 0) this.remote.delete(p);
    if (own && !hadLinks && this.logger !== null && isAbnormal(reason)) {
      try {
        this.logger.crash({ pid: p.self, name, behaviour: p.behaviourName, reason, error });
      } catch {
        // a failing logger must not break the runtime
      }
    }
  }

  /**
   * Wait until the scheduler has nothing left to run (processes waiting on timers or I/O do not
   * count), or until `maxTicks` event-loop turns have passed (processes that never stop sending
   * cannot hang it). Mainly for tests and `stop`.
   */
  async settle(maxTicks = 100_000): Promise<void> {
    for (let i = 0; i < maxTicks; i++) {
      await tick();
      if (this.scheduler.idle) {
        await tick(); // async continuations may still enqueue work
        if (this.scheduler.idle) return;
      }
    }
  }

  /**
   * Wait for a shutting-down root to exit. A supervisor may be waiting out a child's shutdown
   * time, so with the real clock this keeps waiting until `deadline`; a TestClock only moves on
   * `advance()`, so there waiting longer than a settle cannot help.
   */
  private async awaitExit(p: Proc, deadline: number): Promise<void> {
    await this.settle(200);
    while (!(p.flags & DEAD) && this.clock instanceof RealClock && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await this.settle(200);
    }
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Stop: shut every supervision tree down (roots with children one at a time, newest first, with
   * exit reason `shutdown` from the init pid, as an application stop would), then kill whatever is
   * left, cancel every timer and leave no handle open.
   */
  async stop(options: { timeout?: number } = {}): Promise<void> {
    if (this.stopping) {
      await this.settle();
      return;
    }
    this.stopping = true;
    const parents = new Set<number>();
    for (const p of this.procs.values()) {
      const parent = p.parent !== undefined ? this.lookup(p.parent) : undefined;
      if (parent !== undefined) parents.add(parent.self.id);
    }
    const deadline = performance.now() + (options.timeout ?? DEFAULT_STOP_TIMEOUT);
    const roots: Proc[] = [];
    for (const p of this.procs.values()) if (p.parent === undefined || this.lookup(p.parent) === undefined) roots.push(p);
    // newest first: (serial, id) orders spawns (reused ids carry a higher serial)
    roots.sort((a, b) => b.self.serial - a.self.serial || b.self.id - a.self.id);
    for (const root of roots) {
      if (!parents.has(root.self.id) || root.flags & DEAD) continue;
      this.links.signal(root, this.initPid, shutdown, false);
      await this.awaitExit(root, deadline);
      if (!(root.flags & DEAD)) this.links.signal(root, this.initPid, kill, false);
      await this.settle(200);
    }
    for (const root of roots) if (!(root.flags & DEAD)) this.links.signal(root, this.initPid, shutdown, false);
    await this.settle(200);
    for (const p of [...this.procs.values()]) this.exitProcess(p, killed, undefined, false);
    await this.settle(50);
    for (const p of [...this.procs.values()]) this.exitProcess(p, killed, undefined, false);
    this.timers.cancelAll();
    this.stopped = true;
    this.scheduler.stop();
  }
}
