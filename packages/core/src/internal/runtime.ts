/**
 * The public Runtime: one Erlang node incarnation's processes, seen from outside any process.
 * Its engine (the kernel) sits in a private field; the runtime's own layers reach it with
 * `kernelOf`, which the package does not export.
 */
import type { Atom, Pid, Ref } from '@beamline/etf';
import { kill, killed, shutdown } from './basics/atoms.ts';
import { RealClock, type Clock } from './basics/clock.ts';
import { BadArg } from './basics/errors.ts';
import { pidEquals } from './basics/refs.ts';
import type { Dest, Logger, ProcessCode, ProcessInfo, SpawnOptions, TimerRef, TreeNode } from './basics/types.ts';
import { RuntimeKernel, type RuntimeOptions } from './kernel.ts';
import { DEAD, type Proc } from './process/process.ts';
import { processInfo, processTree } from './services/introspection.ts';
import type { RemoteInbound } from './services/remote.ts';
import type { RemoteRouter } from './services/remote_router.ts';

/** How long `stop()` waits for one supervision tree to shut down before killing it (ms). */
const DEFAULT_STOP_TIMEOUT = 30_000;

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// Set by Runtime's static block.
let kernelOfRuntime: (rt: Runtime) => RuntimeKernel;

export class Runtime {
  readonly #k: RuntimeKernel;
  #stopping = false;

  constructor(opts: RuntimeOptions = {}) {
    this.#k = new RuntimeKernel(opts);
  }

  static {
    kernelOfRuntime = (rt) => rt.#k;
  }

  // ---------------------------------------------------------------- identity

  get node(): Atom {
    return this.#k.node;
  }

  get creation(): number {
    return this.#k.creation;
  }

  /** The pseudo-process `<0.0.0>` (Erlang's init): parent of root processes, sender of stop's shutdown. */
  get initPid(): Pid {
    return this.#k.initPid;
  }

  /** The clock every timer of this runtime runs on. */
  get clock(): Clock {
    return this.#k.clock;
  }

  /** Where reports go (the logger given at construction, plus added handlers). */
  get logger(): Logger {
    return this.#k.logger;
  }

  /** Adds a report sink beside the runtime's logger (a node adds its own); returns its removal. */
  addReportHandler(handler: Partial<Logger>): () => void {
    return this.#k.addReportHandler(handler);
  }

  // ---------------------------------------------------------------- the distribution hook

  /** Names this runtime (the distribution layer does, after registering with EPMD); only while no process is alive. */
  setNodeIdentity(node: string | Atom, creation: number): void {
    this.#k.setNodeIdentity(node, creation);
  }

  /** Installs (or removes) where signals to other nodes go. */
  setRemoteRouter(router: RemoteRouter | undefined): void {
    this.#k.router = router;
  }

  get remoteRouter(): RemoteRouter | undefined {
    return this.#k.router;
  }

  /** Where the distribution layer delivers what arrives from the wire. */
  get fromRemote(): RemoteInbound {
    return this.#k.fromRemote;
  }

  // ---------------------------------------------------------------- processes

  /** Spawn a root process (no parent process). */
  spawn(code: ProcessCode, opts?: SpawnOptions): Pid {
    return this.#k.spawnFrom(undefined, code, opts, false, false)[0].self;
  }

  /** Send from outside any process. */
  send(dest: Dest, msg: unknown): void {
    this.#k.route(undefined, dest, msg);
  }

  /** exit/2 from outside any process (the sender is the init pid). */
  exit(pid: Pid, reason: unknown): void {
    this.#k.exit2(this.#k.initPid, pid, reason);
  }

  register(name: string, pid: Pid): void {
    const p = this.#k.lookup(pid);
    if (p === undefined) throw new BadArg(`register: ${pid} is not alive`);
    this.#k.registry.register(name, p);
  }

  unregister(name: string): void {
    this.#k.registry.unregister(name);
  }

  whereis(name: string): Pid | undefined {
    return this.#k.whereis(name);
  }

  registered(): string[] {
    return this.#k.registry.registered();
  }

  isAlive(pid: Pid): boolean {
    return this.#k.lookup(pid) !== undefined;
  }

  sendAfter(ms: number, dest: Dest, msg: unknown): TimerRef {
    return this.#k.sendAfter(undefined, ms, dest, msg, false);
  }

  startTimer(ms: number, dest: Dest, msg: unknown): TimerRef {
    return this.#k.sendAfter(undefined, ms, dest, msg, true);
  }

  cancelTimer(ref: TimerRef): number | false {
    return this.#k.cancelTimer(ref);
  }

  readTimer(ref: TimerRef): number | false {
    return this.#k.readTimer(ref);
  }

  makeRef(): Ref {
    return this.#k.makeRef();
  }

  // ---------------------------------------------------------------- introspection

  processes(): Pid[] {
    const out: Pid[] = [];
    for (const p of this.#k.procs.values()) out.push(p.self);
    return out;
  }

  get processCount(): number {
    return this.#k.procs.size;
  }

  processInfo(pid: Pid): ProcessInfo | undefined {
    const p = this.#k.lookup(pid);
    return p === undefined ? undefined : processInfo(this.#k, p);
  }

  /** The live processes whose parent is `pid` (O(processes)). */
  children(pid: Pid): Pid[] {
    const out: Pid[] = [];
    for (const p of this.#k.procs.values()) if (p.parent !== undefined && pidEquals(p.parent, pid)) out.push(p.self);
    return out;
  }

  /** Every process as a forest: roots (no live parent) with their children, in spawn order. */
  tree(): TreeNode[] {
    return processTree(this.#k);
  }

  // ---------------------------------------------------------------- settling and stopping

  /**
   * Wait until the scheduler has nothing left to run (processes waiting on timers or I/O do not
   * count), or until `maxTicks` event-loop turns have passed (processes that never stop sending
   * cannot hang it). Mainly for tests and `stop`.
   */
  async settle(maxTicks = 100_000): Promise<void> {
    const scheduler = this.#k.scheduler;
    for (let i = 0; i < maxTicks; i++) {
      await tick();
      if (scheduler.idle) {
        await tick(); // async continuations may still enqueue work
        if (scheduler.idle) return;
      }
    }
  }

  get isStopped(): boolean {
    return this.#k.stopped;
  }

  /**
   * Stop: shut every supervision tree down (roots with children one at a time, newest first, with
   * exit reason `shutdown` from the init pid, as an application stop would), then kill whatever is
   * left, cancel every timer and leave no handle open.
   */
  async stop(options: { timeout?: number } = {}): Promise<void> {
    const k = this.#k;
    if (this.#stopping) {
      await this.settle();
      return;
    }
    this.#stopping = true;
    const parents = new Set<number>();
    for (const p of k.procs.values()) {
      const parent = p.parent !== undefined ? k.lookup(p.parent) : undefined;
      if (parent !== undefined) parents.add(parent.self.id);
    }
    const deadline = performance.now() + (options.timeout ?? DEFAULT_STOP_TIMEOUT);
    const roots: Proc[] = [];
    for (const p of k.procs.values()) if (p.parent === undefined || k.lookup(p.parent) === undefined) roots.push(p);
    // newest first: (serial, id) orders spawns (reused ids carry a higher serial)
    roots.sort((a, b) => b.self.serial - a.self.serial || b.self.id - a.self.id);
    for (const root of roots) {
      if (!parents.has(root.self.id) || root.flags & DEAD) continue;
      k.links.signal(root, k.initPid, shutdown, false);
      await this.#awaitExit(root, deadline);
      if (!(root.flags & DEAD)) k.links.signal(root, k.initPid, kill, false);
      await this.settle(200);
    }
    for (const root of roots) if (!(root.flags & DEAD)) k.links.signal(root, k.initPid, shutdown, false);
    await this.settle(200);
    for (const p of [...k.procs.values()]) k.exitProcess(p, killed, undefined, false);
    await this.settle(50);
    for (const p of [...k.procs.values()]) k.exitProcess(p, killed, undefined, false);
    k.timers.cancelAll();
    k.stopped = true;
    k.scheduler.stop();
  }

  /**
   * Wait for a shutting-down root to exit. A supervisor may be waiting out a child's shutdown
   * time, so with the real clock this keeps waiting until `deadline`; a TestClock only moves on
   * `advance()`, so there waiting longer than a settle cannot help.
   */
  async #awaitExit(p: Proc, deadline: number): Promise<void> {
    await this.settle(200);
    while (!(p.flags & DEAD) && this.#k.clock instanceof RealClock && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await this.settle(200);
    }
  }
}

/** The engine behind a Runtime, for the runtime's own layers (never exported from the package). */
export function kernelOf(rt: Runtime): RuntimeKernel {
  return kernelOfRuntime(rt);
}

export type { RuntimeOptions };
