/**
 * sys:get_state / sys:get_status from a real erl (OTP 25, and OTP 27 through BEAMLINE_ERL) on a TS
 * Supervisor, side by side with an OTP supervisor given the same children: both must show
 * supervisor.erl's `#state{}` record (record name and arity, name, strategy, {Ids, #{Id =>
 * #child{}}}, dynamics, intensity, period, restarts, auto_shutdown) once normalised (pids, the
 * callback module, start MFAs). Before, the TS one failed with {not_encodable, function, ...}.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenServer, ok, type ProcessContext, Supervisor } from '@beamline/core';
import { ev, freePort, startPair, until, type Pair } from './helpers/node_pair.ts';
import { loadModule } from '../../../tools/erl/erl.ts';

let p: Pair;

class Srv extends GenServer<number> {
  init() {
    return ok(0);
  }
}

const idle = async (ctx: ProcessContext): Promise<void> => {
  for (;;) await ctx.receive((m) => m === 'never');
};

/** The OTP side: the same child sets as the TS supervisors below. */
const ERL_PROBE = `
{module, _} = ${loadModule([
  '-module(sup_state_probe).',
  '-export([init/1, w/0, w/2, sub/0]).',
  'init(static) -> {ok, {#{strategy => rest_for_one, intensity => 4, period => 9}, [#{id => a, start => {sup_state_probe, w, []}}, #{id => b, start => {sup_state_probe, w, []}, restart => transient, shutdown => brutal_kill, modules => [x, y]}, #{id => s, start => {sup_state_probe, sub, []}, type => supervisor, modules => dynamic}]}}; init(sub) -> {ok, {#{}, []}}; init(tmp) -> {ok, {#{strategy => simple_one_for_one}, [#{id => tpl, start => {sup_state_probe, w, []}, restart => temporary}]}}; init(perm) -> {ok, {#{strategy => simple_one_for_one, intensity => 3, period => 7}, [#{id => tpl, start => {sup_state_probe, w, []}, restart => transient}]}}.',
  'w() -> {ok, spawn_link(fun() -> receive stop -> ok end end)}.',
  'w(_, _) -> w().',
  'sub() -> supervisor:start_link(sup_state_probe, sub).',
])},
StartSup = fun(Name, Arg) -> {ok, S} = supervisor:start_link({local, Name}, sup_state_probe, Arg), unlink(S), S end,
StartSup(probe_sup, static), StartSup(tmp_sup, tmp), StartSup(perm_sup, perm),
{ok, _} = supervisor:start_child(tmp_sup, []),
{ok, _} = supervisor:start_child(perm_sup, [x, 7]),
Callback = fun([sup_state_probe]) -> callback; (['Srv']) -> callback; (Ms) -> Ms end,
Norm = fun({state, Name, Strat, {Ids, Db}, Dyn, I, P, R, DR, AS, Mod1, _Args}) ->
  Kids = [begin {child, Pid, Id, {M, F, A}, Rt, Sg, Sd, Ty, Ms} = maps:get(Id, Db),
            {Id, is_pid(Pid) orelse Pid, is_atom(M) andalso is_atom(F) andalso is_list(A), Rt, Sg, Sd, Ty, Callback(Ms)} end
          || Id <- Ids],
  NDyn = case Dyn of undefined -> undefined; {K, DM} -> {K, [{is_pid(DP), DA} || {DP, DA} <- maps:to_list(DM)]} end,
  {state, Name, Strat, Ids, Kids, NDyn, I, P, length(R), lists:all(fun erlang:is_integer/1, R), DR, AS, is_atom(Mod1)};
  (Other) -> {not_a_supervisor_record, Other}
end,
StatusNorm = fun(Sup) ->
  {status, _, {module, M}, [PD, St, _Parent, Dbg, Misc]} = sys:get_status(Sup),
  {IcM, _, IcA} = proplists:get_value('$initial_call', PD),
  [{header, H}, {data, D1}, {data, [{"State", S}]} | _] = Misc,
  {M, IcM, IcA, St, Dbg, H, [K || {K, _} <- D1], Norm(S)}
end,
ok`;

beforeAll(async () => {
  p = await startPair('supst', await freePort());
  const rt = p.node.runtime;
  await Supervisor.start(
    rt,
    {
      strategy: 'rest_for_one',
      intensity: 4,
      period: 9,
      children: [
        { id: 'a', start: (ctx: ProcessContext) => GenServer.startLink(ctx, Srv, undefined) },
        { id: 'b', start: (ctx: ProcessContext) => ctx.spawnLink(idle), restart: 'transient', shutdown: 'brutal_kill', modules: ['x', 'y'] },
        { id: 's', start: (ctx: ProcessContext) => Supervisor.start(ctx, {}), type: 'supervisor', modules: 'dynamic' },
      ],
    },
    { name: 'probe_sup' },
  );
  const tpl = (restart: 'temporary' | 'transient') => ({
    id: 'tpl',
    start: (ctx: ProcessContext) => GenServer.startLink(ctx, Srv, undefined),
    restart,
  });
  await Supervisor.start(rt, { strategy: 'simple_one_for_one', children: [tpl('temporary')] }, { name: 'tmp_sup' });
  await Supervisor.start(rt, { strategy: 'simple_one_for_one', intensity: 3, period: 7, children: [tpl('transient')] }, { name: 'perm_sup' });
  expect(await p.erl.eval(ERL_PROBE)).toBe('ok');
  // TS's simple_one_for_one children are started from erl too: extra args are terms, as in OTP
  expect(
    await ev(
      p.erl,
      `{element(1, supervisor:start_child({tmp_sup, '${p.ts}'}, [])), element(1, supervisor:start_child({perm_sup, '${p.ts}'}, [x, 7]))}`,
    ),
  ).toBe('{ok,ok}');
});
afterAll(async () => {
  await p?.stop();
});

/** erl's ~p text on one line. */
const oneLine = (s: string): string => s.replace(/\n\s*/g, '');

/** Norm(sys:get_state(Sup)) for the OTP supervisor `name` and the TS one of the same name. */
async function bothStates(name: string): Promise<{ theirs: string; ours: string }> {
  const theirs = oneLine(await ev(p.erl, `Norm(sys:get_state(${name}))`));
  const ours = oneLine(await ev(p.erl, `Norm(sys:get_state({${name}, '${p.ts}'}))`));
  return { theirs, ours };
}

describe('sys:get_state from erl on a TS supervisor is an OTP #state{} record', () => {
  it('static children: the same record as an OTP supervisor with the same child specs', async () => {
    const { theirs, ours } = await bothStates('probe_sup');
    expect(theirs).toMatch(/^\{state,\{local,probe_sup\},rest_for_one,\[s,b,a\],/);
    expect(ours).toBe(theirs);
  });

  it('simple_one_for_one: the template and the dynamics (mapsets for temporary children, maps with the start arguments otherwise)', async () => {
    for (const name of ['tmp_sup', 'perm_sup']) {
      const { theirs, ours } = await bothStates(name);
      expect(theirs).toContain('simple_one_for_one');
      expect(ours).toBe(theirs);
    }
  });

  it('after a child is killed: the restart is counted in both, the rest_for_one children have new pids', async () => {
    const killA = (sup: string) => `exit(element(2, lists:keyfind(a, 1, supervisor:which_children(${sup}))), kill), ok`;
    const aPid = (sup: string) => `element(2, lists:keyfind(a, 1, supervisor:which_children(${sup})))`;
    for (const sup of ['probe_sup', `{probe_sup, '${p.ts}'}`]) {
      const before = await ev(p.erl, aPid(sup));
      expect(await ev(p.erl, killA(sup))).toBe('ok');
      await until(async () => {
        const now = await ev(p.erl, aPid(sup));
        return now !== before && now.startsWith('<');
      });
    }
    const { theirs, ours } = await bothStates('probe_sup');
    expect(theirs).toContain(',4,9,1,true,0,never,true}');
    expect(ours).toBe(theirs);
  });

  it("supervisor:get_callback_module reads the record's module (a TS supervisor's is beamline)", async () => {
    expect(await ev(p.erl, `supervisor:get_callback_module(whereis(probe_sup))`)).toBe('sup_state_probe');
    expect(await ev(p.erl, `supervisor:get_callback_module(rpc:call('${p.ts}', beamline, whereis, [probe_sup]))`)).toBe('beamline');
  });
});

describe('sys:get_status from erl on a TS supervisor', () => {
  it("has an OTP supervisor's shape: gen_server, '$initial_call' {supervisor, Mod, 1}, the header, the record as the State", async () => {
    for (const name of ['probe_sup', 'perm_sup']) {
      const theirs = oneLine(await ev(p.erl, `StatusNorm(${name})`));
      const ours = oneLine(await ev(p.erl, `StatusNorm({${name}, '${p.ts}'})`));
      expect(theirs).toContain(`{gen_server,supervisor,1,running,[],"Status for generic server ${name}"`);
      expect(ours).toBe(theirs);
    }
  });
});

describe('rpc:call(TsNode, sys, get_state | get_status, [Sup]) from erl', () => {
  it("answers what sys:get_state({Sup, TsNode}) does (the server is asked on the rpc caller's behalf)", async () => {
    expect(await ev(p.erl, `rpc:call('${p.ts}', sys, get_state, [probe_sup]) =:= sys:get_state({probe_sup, '${p.ts}'})`)).toBe('true');
    expect(await ev(p.erl, `rpc:call('${p.ts}', sys, get_state, [tmp_sup, 2000]) =:= sys:get_state({tmp_sup, '${p.ts}'}, 2000)`)).toBe('true');
    const status = `{status, _, {module, $M}, [_, $S, _, [], [_, _, {data, [{"State", $St}]}]]}`;
    expect(
      await ev(p.erl, `${status} = rpc:call('${p.ts}', sys, get_status, [probe_sup]), {$M, $S, $St =:= sys:get_state({probe_sup, '${p.ts}'})}`),
    ).toBe('{gen_server,running,true}');
  });
});
