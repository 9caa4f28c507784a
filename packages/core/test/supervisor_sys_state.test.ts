/**
 * sys:get_state / sys:get_status of a Supervisor as a caller on another node sees them: OTP 27's
 * supervisor `#state{}` record (its JS state holds start functions, which cannot cross); a caller
 * in the same runtime still gets the JS state. The same against a real erl, side by side with an
 * OTP supervisor: packages/distribution/test/supervisor_state.interop.test.ts.
 */
import { type ErlMap, Pid, type Term, Tuple, atom, t } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import { GenServer, ok, type ProcessContext, type RemoteRouter, type Runtime, Supervisor, type TestClock, sys } from '../src/index.ts';
import { setup, view } from './helpers.ts';

let rt: Runtime;
afterEach(async () => {
  await rt?.stop();
});

class Srv extends GenServer<number> {
  init() {
    return ok(0);
  }
}

const idle = async (ctx: ProcessContext): Promise<void> => {
  for (;;) await ctx.receive((m) => m === 'never');
};

/** A runtime on node ts@h whose remote router keeps what it sends to other nodes. */
function remoteRuntime(): { sent: unknown[]; clock: TestClock } {
  const made = setup({ node: 'ts@h', creation: 1 });
  rt = made.rt;
  const sent: unknown[] = [];
  const nop = (): void => {};
  const router: RemoteRouter = {
    send: (_from: unknown, _to: unknown, msg: unknown) => void sent.push(msg),
    aliasSend: (_from: unknown, _to: unknown, msg: unknown) => void sent.push(msg),
    link: nop,
    unlink: nop,
    exit: nop,
    linkExit: nop,
    monitor: nop,
    demonitor: nop,
    monitorExit: nop,
    sysStateForm: () => 'bare',
  } as unknown as RemoteRouter;
  rt.setRemoteRouter(router);
  return { sent, clock: made.clock };
}

const remoteCaller = new Pid(atom('erl@h'), 3, 0, 1);

/** Sends `{Label, {ErlPid, Tag}, Req}` as from erl@h and returns the reply `{Tag, Reply}`'s Reply. */
async function fromErl(sent: unknown[], dest: Pid, label: string, req: Term): Promise<Term> {
  const before = sent.length;
  rt.fromRemote.send(dest, t(atom(label), t(remoteCaller, atom('tag')), req));
  await rt.settle();
  expect(sent.length).toBe(before + 1);
  return (sent[before] as Tuple).get(1) as Term;
}

/** A sys request from erl@h. */
const askFromErl = (sent: unknown[], dest: Pid, req: Term): Promise<Term> => fromErl(sent, dest, 'system', req);

function mapGet(m: Term, key: Term): Term {
  return (m as ErlMap).get(key) as Term;
}

describe('Supervisor: sys state for a caller on another node is OTP 27 #state{}', () => {
  it('static supervisor: name, strategy, {Ids newest first, #{Id => #child{}}}, undefined, intensity, period, restarts, 0, auto_shutdown, module, args', async () => {
    const { sent } = remoteRuntime();
    const sup = await Supervisor.start(
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
    const [sPid, bPid, aPid] = (await Supervisor.whichChildren(rt, sup)).map((c) => c.pid as Pid);
    const state = await askFromErl(sent, sup, atom('get_state'));
    expect(state).toBeInstanceOf(Tuple);
    const [tag, name, strategy, children, dynamics, intensity, period, restarts, dynRestarts, autoShutdown, mod, args] = (state as Tuple).elements;
    expect(view([tag, name, strategy, dynamics, intensity, period, restarts, dynRestarts, autoShutdown, mod, args])).toEqual([
      'state',
      ['local', 'probe_sup'],
      'rest_for_one',
      'undefined',
      4,
      9,
      [],
      0,
      'never',
      'beamline',
      'undefined',
    ]);
    const [ids, db] = (children as Tuple).elements;
    expect(view(ids)).toEqual(['s', 'b', 'a']);
    expect(view(mapGet(db, atom('a')))).toEqual([
      'child',
      String(aPid),
      'a',
      ['beamline', 'ts_start', ['a']],
      'permanent',
      'false',
      5000,
      'worker',
      ['Srv'],
    ]);
    expect(view(mapGet(db, atom('b')))).toEqual([
      'child',
      String(bPid),
      'b',
      ['beamline', 'ts_start', ['b']],
      'transient',
      'false',
      'brutal_kill',
      'worker',
      ['x', 'y'],
    ]);
    expect(view(mapGet(db, atom('s')))).toEqual([
      'child',
      String(sPid),
      's',
      ['beamline', 'ts_start', ['s']],
      'permanent',
      'false',
      'infinity',
      'supervisor',
      'dynamic',
    ]);
    // the record's mfargs is get_childspec's start, as in OTP (both are #child.mfargs)
    const spec = (await fromErl(sent, sup, '$gen_call', t(atom('get_childspec'), atom('a')))) as Tuple;
    expect(mapGet(spec.get(1), atom('start'))).toEqual((mapGet(db, atom('a')) as Tuple).get(3));
  });

  it('after a restart: Restarts holds one time in whole seconds; the restarted child has its new pid', async () => {
    const { sent, clock } = remoteRuntime();
    const sup = await Supervisor.start(rt, { intensity: 3, children: [{ id: 'w', start: (ctx: ProcessContext) => ctx.spawnLink(idle) }] });
    const [old] = await Supervisor.whichChildren(rt, sup);
    await clock.advance(12_345);
    rt.exit(old.pid as Pid, atom('kill'));
    await rt.settle();
    const [now] = await Supervisor.whichChildren(rt, sup);
    expect(now.pid).not.toEqual(old.pid);
    const state = (await askFromErl(sent, sup, atom('get_state'))) as Tuple;
    expect(view(state.get(1))).toEqual([String(sup), 'beamline']); // unnamed: {self(), Module}
    expect(state.get(7)).toEqual([12]);
    const db = ((state.get(3) as Tuple).get(1) as ErlMap).get(atom('w')) as Tuple;
    expect(db.get(1)).toEqual(now.pid);
  });

  it('simple_one_for_one: the template in children (pid undefined), running children in dynamics (mapsets for temporary, maps with the extra args otherwise)', async () => {
    const { sent } = remoteRuntime();
    const tmp = await Supervisor.start(rt, {
      strategy: 'simple_one_for_one',
      children: [{ id: 'tpl', start: (ctx: ProcessContext) => ctx.spawnLink(idle), restart: 'temporary' }],
    });
    const perm = await Supervisor.start(rt, {
      strategy: 'simple_one_for_one',
      intensity: 3,
      period: 7,
      children: [{ id: 'tpl', start: (ctx: ProcessContext) => ctx.spawnLink(idle), restart: 'transient' }],
    });
    const c1 = await Supervisor.startChild(rt, tmp, []);
    const c2 = await Supervisor.startChild(rt, perm, [atom('x'), 7]);
    const sTmp = (await askFromErl(sent, tmp, atom('get_state'))) as Tuple;
    const sPerm = (await askFromErl(sent, perm, atom('get_state'))) as Tuple;
    expect(view((sTmp.get(3) as Tuple).get(0))).toEqual(['tpl']);
    expect(view(mapGet((sTmp.get(3) as Tuple).get(1) as Term, atom('tpl')))).toEqual([
      'child',
      'undefined',
      'tpl',
      ['beamline', 'ts_start', ['tpl']],
      'temporary',
      'false',
      5000,
      'worker',
      [],
    ]);
    const dynTmp = sTmp.get(4) as Tuple;
    expect(dynTmp.get(0)).toBe(atom('mapsets'));
    expect([...(dynTmp.get(1) as ErlMap).entries()].map(([k, v]) => [k, v])).toEqual([[c1.ok && c1.pid, []]]);
    const dynPerm = sPerm.get(4) as Tuple;
    expect(dynPerm.get(0)).toBe(atom('maps'));
    expect((dynPerm.get(1) as ErlMap).get(c2.ok ? (c2.pid as Pid) : atom('none'))).toEqual([atom('x'), 7]);
    expect(view([sPerm.get(2), sPerm.get(5), sPerm.get(6), sPerm.get(8)])).toEqual(['simple_one_for_one', 3, 7, 0]);
  });

  it("get_status from another node: the record as the State, '$initial_call' {supervisor, beamline, 1}", async () => {
    const { sent } = remoteRuntime();
    const sup = await Supervisor.start(rt, { children: [{ id: 'w', start: (ctx: ProcessContext) => ctx.spawnLink(idle) }] }, { name: 'st_sup' });
    const status = (await askFromErl(sent, sup, atom('get_status'))) as Tuple;
    const [pdict, , , , misc] = status.get(3) as Term[];
    const initial = (pdict as Tuple[]).find((e) => e.get(0) === atom('$initial_call'));
    expect(view(initial?.get(1))).toEqual(['supervisor', 'beamline', 1]);
    const stateData = (misc as Tuple[])[2].get(1) as Tuple[];
    const state = stateData[0].get(1) as Tuple;
    expect(view([state.get(0), state.get(1), state.size])).toEqual(['state', ['local', 'st_sup'], 12]);
  });

  it('a caller in the same runtime still gets the JS state (get_state and get_status)', async () => {
    remoteRuntime();
    const sup = await Supervisor.start(rt, { children: [{ id: 'w', start: (ctx: ProcessContext) => ctx.spawnLink(idle) }] });
    const st = (await sys.getState(rt, sup)) as { flags: { strategy: string }; children: unknown[] };
    expect(st.flags.strategy).toBe('one_for_one');
    expect(st.children).toHaveLength(1);
    const status = await sys.getStatus(rt, sup);
    expect(status.behaviour).toBe('supervisor');
    expect((status.state as { children: unknown[] }).children).toHaveLength(1);
  });

  it('a GenServer keeps answering its own state to a caller on another node', async () => {
    const { sent } = remoteRuntime();
    const srv = await GenServer.start(rt, Srv, undefined);
    expect(await askFromErl(sent, srv, atom('get_state'))).toBe(0);
    const status = (await askFromErl(sent, srv, atom('get_status'))) as Tuple;
    const [pdict] = status.get(3) as Term[];
    expect(view((pdict as Tuple[]).find((e) => e.get(0) === atom('$initial_call'))?.get(1))).toEqual(['Srv', 'init', 1]);
  });
});
