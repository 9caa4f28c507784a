/**
 * A TS supervisor's state in the shape of OTP 27's supervisor `#state{}` record, for callers on
 * another node (`sys:get_state`, `sys:get_status` from erl): the JS state holds each child's
 * start function, which has no Erlang form.
 *
 *   {state, Name, Strategy, {Ids, #{Id => #child{}}}, Dynamics, Intensity, Period,
 *    Restarts, DynamicRestarts, AutoShutdown, Module, Args}
 *   #child{} = {child, Pid, Id, {M, F, A}, Restart, Significant, Shutdown, Type, Modules}
 *
 * As supervisor.erl keeps them: Ids newest first (reverse start order, which_children's order);
 * a simple_one_for_one supervisor's children map holds only the template (pid `undefined`) and its
 * running children are in Dynamics, `{maps, #{Pid => Args}}` (`{mapsets, #{Pid => []}}` for
 * temporary ones); Restarts are whole seconds, newest first. A TS child has no `{M, F, A}`: it is
 * named `{beamline, ts_start, [Id]}` (as get_childspec's `start`), the callback module is
 * `beamline` and the init argument `undefined`.
 */
import { ErlMap, type Pid, type Tuple, atom, t, type Term } from '@beamline/etf';
import type { AutoShutdown, NormalizedSpec, Strategy } from './policy.ts';

/** The callback module a TS supervisor reports (it has none; no node exports `beamline:ts_start`). */
export const TS_MODULE = atom('beamline');
const TS_START = atom('ts_start');
const UNDEFINED = atom('undefined');
const RESTARTING = atom('restarting');
const DYNAMIC = atom('dynamic');

/** What the record needs of one child. */
export interface ChildView {
  spec: NormalizedSpec;
  pid: Pid | undefined;
  restarting: boolean;
  /** While it waits for a retry: the pid it died with. */
  deadPid: Pid | undefined;
  /** simple_one_for_one: the extra arguments it was started with. */
  args: unknown[];
  modules: string[] | 'dynamic';
}

/** What the record needs of the supervisor. */
export interface SupervisorView {
  /** The registered name, if any. */
  name: string | undefined;
  self: Pid;
  strategy: Strategy;
  intensity: number;
  period: number;
  autoShutdown: AutoShutdown;
  /** In start order. */
  children: readonly ChildView[];
  /** simple_one_for_one's template. */
  template: NormalizedSpec | undefined;
  /** The counted restarts' stamps in whole seconds of the runtime clock, oldest first. */
  restarts: readonly number[];
}

/** A child's `{M, F, A}` as the wire shows it: one a node cannot run, so a copy fails with undef. */
export function startMfa(id: string): Tuple {
  return t(TS_MODULE, TS_START, [atom(id)]);
}

export function modulesTerm(m: string[] | 'dynamic'): Term {
  return m === 'dynamic' ? DYNAMIC : m.map((x) => atom(x));
}

function shutdownTerm(s: NormalizedSpec['shutdown']): Term {
  return typeof s === 'number' ? s : atom(s);
}

/** `#child{}`; `pid` as supervisor.erl keeps it (`{restarting, OldPid}` while a retry waits). */
function childRecord(spec: NormalizedSpec, pid: Term, modules: string[] | 'dynamic'): Tuple {
  return t(
    atom('child'),
    pid,
    atom(spec.id),
    startMfa(spec.id),
    atom(spec.restart),
    atom(String(spec.significant)),
    shutdownTerm(spec.shutdown),
    atom(spec.type),
    modulesTerm(modules),
  );
}

const restartingPid = (c: ChildView): Tuple => t(RESTARTING, c.deadPid ?? UNDEFINED);

function childrenTerm(v: SupervisorView): Tuple {
  if (v.template !== undefined) {
    const tpl = v.template;
    // the default modules are the callback module a child shows once it runs (all run the same start)
    const modules = tpl.modules ?? v.children.find((c) => c.pid !== undefined)?.modules ?? [];
    return t([atom(tpl.id)], new ErlMap([[atom(tpl.id), childRecord(tpl, UNDEFINED, modules)]]));
  }
  const newestFirst = [...v.children].reverse();
  const db = new ErlMap(
    newestFirst.map((c) => [atom(c.spec.id), childRecord(c.spec, c.pid ?? (c.restarting ? restartingPid(c) : UNDEFINED), c.modules)]),
  );
  return t(
    newestFirst.map((c) => atom(c.spec.id)),
    db,
  );
}

function dynamicsTerm(v: SupervisorView): Term {
  if (v.template === undefined) return UNDEFINED;
  const temporary = v.template.restart === 'temporary';
  const entries = v.children.map((c): [Term, Term] => [c.pid ?? restartingPid(c), temporary ? [] : (c.args as Term[])]);
  return t(atom(temporary ? 'mapsets' : 'maps'), new ErlMap(entries));
}

/** The supervisor's `#state{}` as OTP 27 (and 24-26, whose record is the same) keeps it. */
export function supervisorRecord(v: SupervisorView): Tuple {
  const name = v.name !== undefined ? t(atom('local'), atom(v.name)) : t(v.self, TS_MODULE);
  const restarts = [...v.restarts].reverse();
  const dynamicRestarts = v.template === undefined ? 0 : v.children.filter((c) => c.pid === undefined && c.restarting).length;
  return t(
    atom('state'),
    name,
    atom(v.strategy),
    childrenTerm(v),
    dynamicsTerm(v),
    v.intensity,
    v.period,
    restarts,
    dynamicRestarts,
    atom(v.autoShutdown),
    TS_MODULE,
    UNDEFINED,
  );
}
