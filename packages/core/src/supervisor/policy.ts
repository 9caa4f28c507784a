/**
 * The pure parts of the supervisor: child spec types and validation, the restart decision
 * (permanent / transient / temporary), the restart-intensity window, and which children a
 * strategy touches when one of them dies. No processes here; `supervisor.ts` does the effects.
 */
import { Tuple, atom, t, type Pid, type Term } from '@beamline/etf';
import type { ProcessContext } from '../internal/basics/types.ts';

export type RestartType = 'permanent' | 'transient' | 'temporary';
export type Shutdown = 'brutal_kill' | number | 'infinity';
export type ChildType = 'worker' | 'supervisor';
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one' | 'simple_one_for_one';

/**
 * What a supervisor needs to (re)start one child. `start` runs inside the supervisor process, must
 * start a process linked to it (`GenServer.startLink(ctx, ...)`, `Supervisor.start(ctx, ...)`,
 * `StateMachine.start(ctx, ...)`, or `ctx.spawnLink`) and return (or resolve with) its pid. The
 * behaviours' starts are acknowledged: they resolve once the child's init is done, so children
 * start strictly one after the other. `undefined` (or a StartError for init's ignore) means
 * `ignore`: the child is kept, not running; any other rejection or throw fails the start (a
 * StartError's reason, else the thrown value). For `simple_one_for_one` the extra arguments given
 * to `startChild` are appended to `start`'s.
 */
export type StartFn<Ctx = ProcessContext> = (ctx: Ctx, ...extraArgs: any[]) => Pid | undefined | Promise<Pid | undefined>;

export interface ChildSpec<Ctx = ProcessContext> {
  id: string;
  start: StartFn<Ctx>;
  /** Default `permanent`. */
  restart?: RestartType;
  /** Default 5000 for workers, `infinity` for supervisors. */
  shutdown?: Shutdown;
  /** Default `worker`. */
  type?: ChildType;
  /**
   * Reported by `whichChildren` (OTP's Modules). Default: the callback module, as OTP's rule of
   * thumb has it: for a GenServer, Supervisor or StateMachine child, the behaviour name its
   * `sys.getStatus` names in `'$initial_call'` (a GenServer's class name, `supervisor`,
   * `state_machine`), read when it starts; `[]` for other processes.
   */
  modules?: string[] | 'dynamic';
  /**
   * A significant child's own exit can shut the supervisor down (see `autoShutdown`). Only for
   * transient and temporary children.
   */
  significant?: boolean;
}

export interface NormalizedSpec<Ctx = ProcessContext> {
  id: string;
  start: StartFn<Ctx>;
  restart: RestartType;
  shutdown: Shutdown;
  type: ChildType;
  /** As given; undefined: the default (the child's callback module, known once it runs). */
  modules: string[] | 'dynamic' | undefined;
  significant: boolean;
}

/** OTP's auto_shutdown: when the exit of significant children shuts the supervisor down. */
export type AutoShutdown = 'never' | 'any_significant' | 'all_significant';

export interface SupFlags<Ctx = ProcessContext> {
  strategy?: Strategy;
  /** Maximum restarts within `period`; default 1. */
  intensity?: number;
  /** Seconds; default 5. */
  period?: number;
  /** Default `never`. */
  autoShutdown?: AutoShutdown;
  children?: ChildSpec<Ctx>[];
}

const RESTARTS: readonly string[] = ['permanent', 'transient', 'temporary'];
const TYPES: readonly string[] = ['worker', 'supervisor'];
const STRATEGIES: readonly string[] = ['one_for_one', 'one_for_all', 'rest_for_one', 'simple_one_for_one'];

/**
 * The offending value in an error term: a term (what an Erlang caller sent: a map, a tuple, a
 * list, a binary, ...) as it came, as OTP's errors carry it; a JS-only value (a plain object, a
 * function, `undefined`, a boolean) by its text.
 */
function describe(v: unknown): Term {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || Array.isArray(v)) return v as Term;
  if (v === null || typeof v !== 'object') return String(v);
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null ? String(v) : (v as Term);
}

/** `{Tag, Value}`: one of OTP 27's child spec / flags errors; a string value is an atom in Erlang's terms. */
function invalid(tag: string, value: unknown): Tuple {
  return t(atom(tag), typeof value === 'string' ? atom(value) : describe(value));
}

function badCombination(a: [string, unknown], b: [string, unknown]): Tuple {
  return t(atom('bad_combination'), [t(atom(a[0]), describe(a[1])), t(atom(b[0]), describe(b[1]))]);
}

/**
 * Checks a spec and fills in the defaults. The error is the bare term OTP 27's supervisor gives
 * (`start_child` replies `{error, E}`; at init it is wrapped as `{start_spec, E}`).
 */
export function normalizeSpec<Ctx>(spec: ChildSpec<Ctx>, autoShutdown: AutoShutdown = 'never'): NormalizedSpec<Ctx> | { error: Term } {
  const proto = spec !== null && typeof spec === 'object' ? Object.getPrototypeOf(spec) : undefined;
  if (proto !== Object.prototype && proto !== null) return { error: invalid('invalid_child_spec', spec) };
  if (spec.id === undefined) return { error: atom('missing_id') };
  if (typeof spec.id !== 'string' || spec.id === '') return { error: invalid('invalid_child_spec', spec.id) };
  if (spec.start === undefined) return { error: atom('missing_start') };
  if (typeof spec.start !== 'function') return { error: invalid('invalid_mfa', spec.start) };
  const restart = spec.restart ?? 'permanent';
  if (!RESTARTS.includes(restart)) return { error: invalid('invalid_restart_type', restart) };
  const significant = spec.significant ?? false;
  if (typeof significant !== 'boolean') return { error: invalid('invalid_significant', significant) };
  const type = spec.type ?? 'worker';
  if (!TYPES.includes(type)) return { error: invalid('invalid_child_type', type) };
  const shutdown = spec.shutdown ?? (type === 'supervisor' ? 'infinity' : 5000);
  if (!(shutdown === 'brutal_kill' || shutdown === 'infinity' || (typeof shutdown === 'number' && Number.isInteger(shutdown) && shutdown >= 0))) {
    return { error: invalid('invalid_shutdown', shutdown) };
  }
  const modules = spec.modules;
  if (!(modules === undefined || modules === 'dynamic' || (Array.isArray(modules) && modules.every((m) => typeof m === 'string')))) {
    return { error: invalid('invalid_modules', String(modules)) };
  }
  if (significant && restart === 'permanent') return { error: badCombination(['restart', atom('permanent')], ['significant', atom('true')]) };
  if (significant && autoShutdown === 'never') return { error: badCombination(['auto_shutdown', atom('never')], ['significant', atom('true')]) };
  return { id: spec.id, start: spec.start, restart, shutdown, type, modules, significant };
}

export interface NormalizedFlags {
  strategy: Strategy;
  intensity: number;
  period: number;
  autoShutdown: AutoShutdown;
}

const AUTO_SHUTDOWNS: readonly string[] = ['never', 'any_significant', 'all_significant'];

/** Checks the flags; the error is OTP 27's `{supervisor_data, E}`. */
export function normalizeFlags(flags: SupFlags): NormalizedFlags | { error: Tuple } {
  const data = (e: Tuple) => ({ error: t(atom('supervisor_data'), e) });
  const strategy = flags.strategy ?? 'one_for_one';
  if (!STRATEGIES.includes(strategy)) return data(invalid('invalid_strategy', strategy));
  const intensity = flags.intensity ?? 1;
  if (!Number.isInteger(intensity) || intensity < 0) return data(invalid('invalid_intensity', intensity));
  const period = flags.period ?? 5;
  if (!(Number.isInteger(period) && period > 0)) return data(invalid('invalid_period', period));
  const autoShutdown = flags.autoShutdown ?? 'never';
  if (!AUTO_SHUTDOWNS.includes(autoShutdown)) return data(invalid('invalid_auto_shutdown', autoShutdown));
  if (strategy === 'simple_one_for_one' && autoShutdown !== 'never') {
    return data(badCombination(['auto_shutdown', atom(autoShutdown)], ['strategy', atom(strategy)]));
  }
  return { strategy, intensity, period, autoShutdown };
}

/** `normal`, `shutdown` and `{shutdown, _}`: the exits a transient child is not restarted for. */
export function isCleanExit(reason: unknown): boolean {
  if (reason === atom('normal') || reason === atom('shutdown')) return true;
  return reason instanceof Tuple && reason.size === 2 && reason.get(0) === atom('shutdown');
}

/** Whether a child that exited with `reason` is restarted. */
export function shouldRestart(restart: RestartType, reason: unknown): boolean {
  switch (restart) {
    case 'permanent':
      return true;
    case 'transient':
      return !isCleanExit(reason);
    case 'temporary':
      return false;
  }
}

/**
 * OTP's MaxR/MaxT: more than `intensity` restarts within `period` seconds and the supervisor gives
 * up. As in supervisor.erl, restarts are stamped in whole seconds of the clock and the window is
 * inclusive: a restart counts the earlier ones stamped at most `period` seconds before its own, so
 * two restarts between `period` and `period + 1` seconds apart may still count together.
 */
export class RestartWindow {
  private stamps: number[] = [];
  constructor(
    readonly intensity: number,
    readonly period: number,
  ) {}

  /** Records a restart at `nowMs` on the runtime clock; false when that exceeds the intensity. */
  add(nowMs: number): boolean {
    const now = Math.floor(nowMs / 1000);
    this.stamps = this.stamps.filter((s) => s >= now - this.period);
    this.stamps.push(now);
    return this.stamps.length <= this.intensity;
  }

  /** The counted restarts' stamps, in whole seconds, oldest first. */
  get recent(): readonly number[] {
    return this.stamps;
  }
}

/**
 * The indexes (in start order) of the `count` children to bring back when the child at `dead`
 * died (or its restart is retried), per strategy: one clause per strategy. As supervisor.erl's
 * start_children, a child that was not running (stopped by terminateChild, ended normally, or
 * ignored its start) is started again with the others.
 */
export function restartSet(strategy: Strategy, count: number, dead: number): number[] {
  switch (strategy) {
    case 'one_for_one':
    case 'simple_one_for_one':
      return [dead];
    case 'one_for_all':
      return Array.from({ length: count }, (_, i) => i);
    case 'rest_for_one':
      return Array.from({ length: count - dead }, (_, i) => dead + i);
  }
}
