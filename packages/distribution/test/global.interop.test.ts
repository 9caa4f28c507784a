/**
 * Visible (published) node mode and OTP's `global` (spec §4.11, §8): a TS node started with
 * `hidden: false` runs a `global_name_server` that finishes OTP's connect session, so that on the
 * erl side `global:sync()` returns, nodeup is seen, locks and `global:trans` work with the TS node
 * in `nodes()`, names registered on erl are learned by the TS node, and a mesh of 3 erl nodes +
 * the TS node forms without "prevent overlapping partitions" disconnects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pid, atom, format, t } from '@beamline/etf';
import { CallError, GenServer, Runtime } from '@beamline/core';
import { startNode, type BeamNode } from '../src/node.ts';
import { MemoryLogger } from '../src/log.ts';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { COOKIE, ev, freePort, sleep, until } from './helpers/node_pair.ts';

let EPMD = 0;
let runtime: Runtime;
let node: BeamNode;
let ts: string;
const erls: ErlNode[] = [];

const echo = process.env.BEAMLINE_TEST_ECHO === '1';
const startE = async (alive: string): Promise<ErlNode> => {
  const e = await startErl({ name: `${alive}@localhost`, cookie: COOKIE, epmdPort: EPMD, echo });
  erls.push(e);
  return e;
};

/** Time an erl expression (ms, value). */
async function timed(e: ErlNode, expr: string): Promise<[number, string]> {
  const r = await ev(e, `{$T, $V} = timer:tc(fun() -> ${expr} end), {$T div 1000, $V}`, 15_000);
  const m = /^\{(\d+),(.*)\}$/s.exec(r);
  if (!m) throw new Error(`unexpected: ${r}`);
  return [Number(m[1]), m[2]!];
}

beforeAll(async () => {
  EPMD = await freePort();
  runtime = new Runtime({ logger: null });
  node = await startNode({ name: 'ts_gl@localhost', cookie: COOKIE, epmdPort: EPMD, runtime, logger: new MemoryLogger(echo), hidden: false });
  ts = node.name;
});
afterAll(async () => {
  for (const e of erls) await e.stop().catch(() => {});
  await node?.stop();
  await runtime?.stop();
});

describe('one erl peer', () => {
  let e1: ErlNode;
  beforeAll(async () => {
    e1 = await startE('erl_gl1');
    // nodeup/nodedown watcher on erl, started before the TS node connects
    await ev(
      e1,
      `Watch = spawn(fun() -> ok = net_kernel:monitor_nodes(true, [{node_type, all}]),
         (fun L(Acc) -> receive {get, F} -> F ! {ups, lists:reverse(Acc)}, L(Acc); M -> L([M | Acc]) end end)([]) end), ok`,
    );
  });

  it('connects as a visible node: nodeup on erl, nodes() on both sides', async () => {
    expect(await node.connect(e1.name)).toBe(true);
    const t0 = Date.now();
    let ups = '';
    await until(
      async () => {
        ups = await ev(e1, `Watch ! {get, self()}, receive {ups, $L} -> $L after 1000 -> timeout end`);
        return ups.includes(ts);
      },
      5000,
      'nodeup on erl',
    );
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(ups).toContain(`{nodeup,${ts},[{node_type,visible}]}`);
    expect(await ev(e1, `lists:member('${ts}', nodes())`)).toBe('true');
    expect(await ev(e1, `lists:member('${ts}', nodes(hidden))`)).toBe('false');
    expect(node.nodes()).toContain(e1.name);
  });

  it('global:sync() on erl returns ok promptly; both sides count each other as synced', async () => {
    const [ms, v] = await timed(e1, 'global:sync()');
    expect(v).toBe('ok');
    expect(ms).toBeLessThan(3000);
    await until(() => node.global!.syncedNodes().includes(e1.name), 3000, 'TS synced with erl');
    expect(node.global!.knownNodes()).toEqual([e1.name]);
    // erl's global knows the TS node (it is in its known list)
    expect(await ev(e1, `lists:member('${ts}', gen_server:call(global_name_server, get_known))`)).toBe('true');
  });

  it('global:register_name / whereis_name on erl; the TS node learns and forgets the name', async () => {
    expect(await ev(e1, `GP1 = spawn(fun() -> receive stop -> ok end end), global:register_name(gl_one, GP1)`)).toBe('yes');
    expect(await ev(e1, `global:whereis_name(gl_one) =:= GP1`)).toBe('true');
    await until(() => node.global!.whereisName('gl_one') instanceof Pid, 3000, 'name on TS');
    expect(node.global!.whereisName('gl_one')!.node.name).toBe(e1.name);
    // and answers global's readers over rpc, as an OTP node does
    expect(await ev(e1, `rpc:call('${ts}', global, whereis_name, [gl_one]) =:= GP1`)).toBe('true');
    expect(await ev(e1, `rpc:call('${ts}', global, registered_names, []) =:= global:registered_names()`)).toBe('true');
    expect(await ev(e1, `rpc:call('${ts}', global, whereis_name, [{any, "term"}])`)).toBe('undefined');
    expect(await ev(e1, `GP1 ! stop, timer:sleep(100), global:whereis_name(gl_one)`)).toBe('undefined');
    await until(() => node.global!.whereisName('gl_one') === undefined, 3000, 'name gone on TS');
    // unregister_name goes through our server as well
    expect(await ev(e1, `GP2 = spawn(fun() -> receive stop -> ok end end), global:register_name(gl_two, GP2)`)).toBe('yes');
    await until(() => node.global!.whereisName('gl_two') !== undefined, 3000, 'gl_two on TS');
    await ev(e1, `global:unregister_name(gl_two)`);
    expect(node.global!.whereisName('gl_two')).toBeUndefined();
  });

  it('sys:get_status / get_state of global_name_server answer as on erl (a gen_server there)', async () => {
    const status = (n: string) =>
      `{status, _, {module, $M}, [$PD, $S, _, [], [{header, $H} | _]]} = sys:get_status({global_name_server, '${n}'}, 2000),
       {$M, $S, $H, proplists:get_value('$initial_call', $PD)}`;
    expect(await ev(e1, status(ts))).toBe(await ev(e1, status(e1.name)));
    const state = (n: string) =>
      `$GS = sys:get_state({global_name_server, '${n}'}, 2000), {element(1, $GS), element(2, $GS), element(7, $GS) =:= '${n}', tuple_size($GS)}`;
    expect(await ev(e1, state(ts))).toBe(await ev(e1, state(e1.name)));
    expect(await ev(e1, `lists:member(node(), element(4, sys:get_state({global_name_server, '${ts}'})))`)).toBe('true');
  });

  it("proc_lib:initial_call / get_label of a process of this (visible) node read its dictionary, as of an erl node's", async () => {
    const rex = `rpc:call('${ts}', erlang, whereis, [rex])`;
    expect(await ev(e1, `proc_lib:initial_call(${rex})`)).toBe("{rpc,init,['Argument__1']}");
    expect(await ev(e1, `proc_lib:translate_initial_call(${rex})`)).toBe('{rpc,init,1}');
  });

  it("a peer's {'EXIT', Pid, R} message to global_name_server is not its locker's or parent's exit: it runs on", async () => {
    const before = node.runtime.whereis('global_name_server');
    await ev(e1, `{global_name_server, '${ts}'} ! {'EXIT', self(), stray}, ok`);
    await new Promise((r) => setTimeout(r, 300));
    expect(node.runtime.whereis('global_name_server')).toBe(before);
    expect(await ev(e1, `GP3 = spawn(fun() -> receive stop -> ok end end), global:register_name(gl_three, GP3)`)).toBe('yes');
    await until(() => node.global!.whereisName('gl_three') !== undefined, 3000, 'gl_three on TS');
    await ev(e1, `GP3 ! stop, ok`);
  });

  it("TS calls and casts reach {global, Name} as gen does; an unregistered name is noproc, as erl's call", async () => {
    await ev(
      e1,
      `GS = spawn(fun L() -> receive {'$gen_call', From, R} -> gen:reply(From, {erl, R}), L(); {'$gen_cast', C} -> put(c, C), L(); {get, F} -> F ! get(c), L() end end), global:register_name(gl_srv, GS)`,
    );
    await until(() => node.global!.whereisName('gl_srv') !== undefined, 3000, 'gl_srv on TS');
    const dest = t(atom('global'), atom('gl_srv'));
    expect(await GenServer.call(runtime, dest, atom('hi'))).toEqual(t(atom('erl'), atom('hi')));
    GenServer.cast(runtime, dest, atom('casted'));
    await until(async () => (await ev(e1, `GS ! {get, self()}, receive $C -> $C end`)) === 'casted', 3000, 'cast on erl');
    const gone = t(atom('global'), atom('gl_none'));
    const erlSays = await ev(e1, `catch gen_server:call({global, gl_none}, hi)`);
    const err = await GenServer.call(runtime, gone, atom('hi')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallError);
    expect(`{'EXIT',${format((err as CallError).reason as never)}}`).toBe(erlSays);
    expect(() => GenServer.cast(runtime, gone, atom('x'))).not.toThrow();
    await ev(e1, `exit(GS, kill)`);
  });

  it('global:set_lock / trans / del_lock from erl include the TS node and do not hang', async () => {
    const [ms, v] = await timed(e1, `global:trans({gl_res, self()}, fun() -> in_trans end)`);
    expect(v).toBe('in_trans');
    expect(ms).toBeLessThan(2000);
    expect(await ev(e1, `global:set_lock({gl_lock, self()})`)).toBe('true');
    expect([...node.global!.locks.keys()]).toContain('gl_lock');
    // a second requester is refused by every node, ours included
    expect(
      await ev(
        e1,
        `$Self = self(), spawn(fun() -> $Self ! {other, global:set_lock({gl_lock, self()}, [node() | nodes()], 0)} end), receive {other, $R} -> $R after 5000 -> timeout end`,
      ),
    ).toBe('false');
    expect(await ev(e1, `global:del_lock({gl_lock, self()})`)).toBe('true');
    expect([...node.global!.locks.keys()]).not.toContain('gl_lock');
    // a lock whose holder dies is released on our node too
    await ev(
      e1,
      `Self2 = self(), GLP = spawn(fun() -> true = global:set_lock({gl_dies, self()}), Self2 ! locked, receive stop -> ok end end), receive locked -> ok end`,
    );
    expect([...node.global!.locks.keys()]).toContain('gl_dies');
    await ev(e1, `exit(GLP, kill)`);
    await until(() => !node.global!.locks.has('gl_dies'), 3000, 'lock released after holder died');
  });
});

describe('a mesh: two more erl nodes (already connected to each other) join through one link', () => {
  let e2: ErlNode;
  let e3: ErlNode;
  beforeAll(async () => {
    e2 = await startE('erl_gl2');
    e3 = await startE('erl_gl3');
    expect(await ev(e2, `net_adm:ping('erl_gl3@localhost')`)).toBe('pong');
    expect(await ev(e2, `global:sync()`)).toBe('ok');
    expect(await ev(e3, `GP3 = spawn(fun() -> receive stop -> ok end end), global:register_name(gl_three, GP3)`)).toBe('yes');
  });

  it('TS connects to erl_gl2 only; the partitions merge into a full mesh', async () => {
    expect(await node.connect(e2.name)).toBe(true);
    const all = [ts, erls[0]!.name, e2.name, e3.name].sort();
    // every node ends up connected to every other one (global's new_nodes / in_sync)
    await until(() => all.filter((n) => n !== ts).every((n) => node.nodes().includes(n)), 10_000, 'TS connected to all');
    for (const e of [erls[0]!, e2, e3]) {
      // erl_gl1 hears of erl_gl2/3 from us (new_nodes) and connects to them itself
      await until(async () => (await ev(e, `lists:sort([node() | nodes()])`)) === `[${all.join(',')}]`, 5000, `${e.name} meshed`);
      const [ms, v] = await timed(e, 'global:sync()');
      expect(v).toBe('ok');
      expect(ms).toBeLessThan(8000);
    }
    await until(
      () => ['erl_gl1', 'erl_gl2', 'erl_gl3'].every((a) => node.global!.syncedNodes().includes(`${a}@localhost`)),
      5000,
      'all synced on TS',
    );
    // names from the other partition reached the TS node and erl_gl1
    expect(node.global!.whereisName('gl_three')?.node.name).toBe(e3.name);
    expect(await ev(erls[0]!, `node(global:whereis_name(gl_three))`)).toBe(e3.name);
  });

  it('stays meshed: no prevent_overlapping_partitions disconnects, locks across all 4 nodes', async () => {
    await sleep(1500);
    for (const e of [erls[0]!, e2, e3]) {
      expect(e.output).not.toMatch(/overlapping partitions/);
      expect(await ev(e, `length(nodes())`)).toBe('3');
    }
    expect(node.global!.counters.removeConnection).toBe(0);
    expect(await ev(e3, `global:trans({gl_mesh, self()}, fun() -> lists:sort(global:registered_names()) end)`)).toContain('gl_three');
  });

  it('an erl node leaving is handled: the others stay connected and sync still returns', async () => {
    await erls[0]!.stop();
    await until(() => !node.nodes().includes('erl_gl1@localhost'), 5000, 'nodedown on TS');
    await sleep(500);
    expect(node.nodes().sort()).toEqual([e2.name, e3.name]);
    for (const e of [e2, e3]) {
      expect(await ev(e, `global:sync()`)).toBe('ok');
      expect(await ev(e, `length(nodes())`)).toBe('2');
    }
    expect(node.global!.knownNodes().sort()).toEqual([e2.name, e3.name]);
  });

  it('a new erl node pinging the TS node (erl-initiated connection) joins the whole partition', async () => {
    const e4 = await startE('erl_gl4');
    expect(await ev(e4, `net_adm:ping('${ts}')`)).toBe('pong');
    const [ms, v] = await timed(e4, 'global:sync()');
    expect(v).toBe('ok');
    expect(ms).toBeLessThan(8000);
    // our partition (us, erl_gl2, erl_gl3) was locked and told about erl_gl4: it is meshed with all
    await until(async () => (await ev(e4, `length(nodes())`)) === '3', 5000, 'erl_gl4 meshed');
    expect(await ev(e4, `node(global:whereis_name(gl_three))`)).toBe(e3.name);
    for (const e of [e2, e3]) expect(await ev(e, `global:sync()`)).toBe('ok');
    expect(node.global!.syncedNodes()).toContain(e4.name);
    expect(node.global!.locks.size).toBe(0);
  });

  it('a name clash between partitions is resolved by the smaller node (us) with the resolve fun', async () => {
    // zz_gl5 > ts_gl, so we resolve: random_exit_name keeps the pid on the smaller node (erl_gl3)
    const e5 = await startE('zz_gl5');
    expect(await ev(e5, `GP5 = spawn(fun() -> receive stop -> ok end end), global:register_name(gl_three, GP5)`)).toBe('yes');
    expect(await node.connect(e5.name)).toBe(true);
    await until(async () => (await ev(e5, `global:sync(), node(global:whereis_name(gl_three))`)) === e3.name, 8000, 'clash resolved on zz_gl5');
    // the loser is killed by the resolve fun (run on erl_gl3, whose exit signal travels to zz_gl5)
    await until(async () => (await ev(e5, `is_process_alive(GP5)`)) === 'false', 5000, 'loser killed');
    expect(node.global!.whereisName('gl_three')?.node.name).toBe(e3.name);
    expect(await ev(e3, `global:whereis_name(gl_three) =:= GP3`)).toBe('true');
  });

  it('a clash over a pid of this node is resolved here: random_exit_name keeps the pid on the smaller node, kills the other', async () => {
    const holder = runtime.spawn(async (ctx) => void (await ctx.receive()), { name: 'gl_holder' });
    // erl_gl2 registers the TS pid, found by rpc of erlang:whereis on the TS node
    expect(await ev(e2, `TsP = rpc:call('${ts}', erlang, whereis, [gl_holder]), is_pid(TsP)`)).toBe('true');
    expect(await ev(e2, `global:register_name(gl_ts, TsP)`)).toBe('yes');
    // zz_gl6 > ts_gl, so we resolve: minmax orders by node name, our pid wins
    const e6 = await startE('zz_gl6');
    expect(await ev(e6, `GP6 = spawn(fun() -> receive stop -> ok end end), global:register_name(gl_ts, GP6)`)).toBe('yes');
    expect(await node.connect(e6.name)).toBe(true);
    const owner = `global:sync(), case global:whereis_name(gl_ts) of undefined -> undefined; P6 -> node(P6) end`;
    await until(async () => (await ev(e6, owner)) === ts, 8000, 'clash resolved on zz_gl6');
    await until(async () => (await ev(e6, `is_process_alive(GP6)`)) === 'false', 5000, 'loser killed');
    expect(runtime.isAlive(holder)).toBe(true);
    expect(node.global!.whereisName('gl_ts')).toEqual(holder);
  });
});
