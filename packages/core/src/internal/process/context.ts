/**
 * The sealed ProcessContext: what a process's code holds to act as itself. The runtime's record
 * of the process (flags, mailbox, links) sits in an ES private field, out of reach of user code
 * and behaviours alike. Each call forwards to the kernel, the runtime's engine.
 */
import { type Pid, t, type Atom, type Ref } from '@beamline/etf';
import { EXIT, kill, killed, noproc } from '../basics/atoms.ts';
import { ErlangError } from '../basics/errors.ts';
import { pidEquals } from '../basics/refs.ts';
import type {
  AliasMode,
  AliasOptions,
  Dest,
  Logger,
  MonitorTarget,
  ProcessCode,
  ProcessContext,
  SpawnOptions,
  SysStateForm,
  TIMEOUT,
  TimerRef,
} from '../basics/types.ts';
import { DEAD, SelfExited, TRAP_EXIT, type Proc, type ProcHost } from './process.ts';

/** How proc_lib spawns: a proc_lib process (crash reports), a root (no parent in the tree: a start made from the runtime). */
export interface SpawnHow {
  procLib?: boolean;
  root?: boolean;
}

/** What a process's context needs from the runtime's engine. */
export interface Kernel extends ProcHost {
  readonly logger: Logger;
  route(from: Proc | undefined, dest: Dest, msg: unknown): void;
  spawnFrom(
    parent: Proc | undefined,
    code: ProcessCode,
    opts: SpawnOptions | undefined,
    link: boolean,
    monitor: boolean,
    how?: SpawnHow,
  ): [Proc, Ref | undefined];
  /** link/1; false when the target does not exist (the caller decides what that means). */
  link(p: Proc, pid: Pid): boolean;
  unlink(p: Proc, pid: Pid): void;
  exit2(from: Pid, to: Pid, reason: unknown): void;
  monitor(p: Proc, target: MonitorTarget, alias: AliasMode | undefined): Ref;
  demonitor(p: Proc, ref: Ref, flush: boolean): boolean;
  alias(p: Proc, reply: boolean): Ref;
  unalias(p: Proc, ref: Ref): boolean;
  register(name: string, p: Proc): void;
  unregister(name: string): void;
  whereis(name: string): Pid | undefined;
  sendAfter(from: Proc | undefined, ms: number, dest: Dest, msg: unknown, timeoutTuple: boolean): TimerRef;
  cancelTimer(ref: TimerRef): number | false;
  readTimer(ref: TimerRef): number | false;
  makeRef(): Ref;
  /** The live local process of `pid`. */
  lookup(pid: Pid): Proc | undefined;
  /** Whether messages to `node` can be sent to an alias (false over a connection without DFLAG_ALIAS). */
  canAlias(node: Atom): boolean;
  /** How `node`'s sys reads a get_state reply (RemoteRouter.sysStateForm; local: `'bare'`). */
  sysStateForm(node: Atom): SysStateForm | Promise<SysStateForm>;
  /** `global:whereis_name(Name)` (RemoteRouter.whereisGlobal; no router: undefined). */
  whereisGlobal(name: unknown): Pid | undefined;
}

// Set by Context's static block: lets internalsOf read the private fields.
let peek: (ctx: Context) => { proc: Proc; kernel: Kernel };

export class Context implements ProcessContext {
  readonly #p: Proc;

  constructor(p: Proc) {
    this.#p = p;
  }

  /** The kernel is the process's host (one field less per process). */
  get #k(): Kernel {
    return this.#p.host as Kernel;
  }

  get self(): Pid {
    return this.#p.self;
  }

  get parent(): Pid | undefined {
    return this.#p.parent;
  }

  get registeredName(): string | undefined {
    return this.#p.name;
  }

  get logger(): Logger {
    return this.#k.logger;
  }

  now(): number {
    return this.#k.clock.now();
  }

  send(dest: Dest, msg: unknown): void {
    const p = this.#p;
    if (p.flags & DEAD) return;
    p.nOut++;
    this.#k.route(p, dest, msg);
  }

  receive<T = unknown>(match?: (msg: unknown) => boolean, after?: number): Promise<T | typeof TIMEOUT> {
    return this.#p.receive<T>(match, after);
  }

  spawn(code: ProcessCode, opts?: SpawnOptions): Pid {
    return this.#k.spawnFrom(this.#p, code, opts, false, false)[0].self;
  }

  spawnLink(code: ProcessCode, opts?: SpawnOptions): Pid {
    return this.#k.spawnFrom(this.#p, code, opts, true, false)[0].self;
  }

  spawnMonitor(code: ProcessCode, opts?: SpawnOptions): [Pid, Ref] {
    const [child, ref] = this.#k.spawnFrom(this.#p, code, opts, false, true);
    return [child.self, ref as Ref];
  }

  link(pid: Pid): void {
    const p = this.#p;
    if (p.flags & DEAD || this.#k.link(p, pid)) return;
    if (!(p.flags & TRAP_EXIT)) throw new ErlangError(noproc, `link: ${pid} is not alive`);
    p.deliver(t(EXIT, pid, noproc));
  }

  unlink(pid: Pid): void {
    if (!(this.#p.flags & DEAD)) this.#k.unlink(this.#p, pid);
  }

  monitor(target: MonitorTarget, opts?: { alias?: AliasMode }): Ref {
    return this.#k.monitor(this.#p, target, opts?.alias);
  }

  demonitor(ref: Ref, opts?: { flush?: boolean }): boolean {
    return this.#k.demonitor(this.#p, ref, opts?.flush === true);
  }

  alias(opts?: AliasOptions): Ref {
    return this.#k.alias(this.#p, opts?.reply === true);
  }

  unalias(ref: Ref): boolean {
    return this.#k.unalias(this.#p, ref);
  }

  exit(pid: Pid, reason: unknown): void {
    const p = this.#p;
    if (p.flags & DEAD) return;
    if (!pidEquals(pid, p.self)) {
      this.#k.exit2(p.self, pid, reason);
      return;
    }
    // A signal to oneself takes effect before the next instruction (as in BEAM).
    if (reason !== kill && p.flags & TRAP_EXIT) {
      p.deliver(t(EXIT, p.self, reason as never));
      return;
    }
    this.#k.exitProcess(p, reason === kill ? killed : reason, undefined, false);
    throw new SelfExited();
  }

  trapExit(flag: boolean): boolean {
    const p = this.#p;
    const old = (p.flags & TRAP_EXIT) !== 0;
    if (flag) p.flags |= TRAP_EXIT;
    else p.flags &= ~TRAP_EXIT;
    return old;
  }

  register(name: string): void {
    this.#k.register(name, this.#p);
  }

  unregister(name: string): void {
    this.#k.unregister(name);
  }

  whereis(name: string): Pid | undefined {
    return this.#k.whereis(name);
  }

  sendAfter(ms: number, dest: Dest, msg: unknown): TimerRef {
    return this.#k.sendAfter(this.#p, ms, dest, msg, false);
  }

  startTimer(ms: number, dest: Dest, msg: unknown): TimerRef {
    return this.#k.sendAfter(this.#p, ms, dest, msg, true);
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

  static {
    peek = (ctx) => ({ proc: ctx.#p, kernel: ctx.#p.host as Kernel });
  }
}

/**
 * For the runtime's own layers (gen, sys, proc_lib): the record and the kernel behind a context.
 * Never exported from the package.
 */
export function internalsOf(ctx: ProcessContext): { proc: Proc; kernel: Kernel } | undefined {
  return ctx instanceof Context ? peek(ctx) : undefined;
}
