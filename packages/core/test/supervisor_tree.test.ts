import { Pid, atom, t } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import {
  GenServer,
  Runtime,
  StateMachine,
  Supervisor,
  TestClock,
  formatSupervisionTree,
  supervisionTree,
  type CrashReport,
  type InitResult,
  type NoReplyResult,
  type ProgressReport,
  type SupervisorReport,
} from '../src/index.ts';
import { pidOf, worker } from './supervisor_helpers.ts';

let rt: Runtime;

afterEach(async () => {
  if (rt && !rt.isStopped) await rt.stop();
});

class Counter extends GenServer<number> {
  init(): InitResult<number> {
    return { tag: 'ok', state: 0 };
  }
  override handleInfo(msg: unknown, n: number): NoReplyResult<number> {
    if (msg === 'crash') throw new Error('counter crashed');
    return { tag: 'noreply', state: n + 1 };
  }
}

describe('supervisionTree', () => {
  it('returns supervisors and children with ids, pids, restart and child types, behaviours and names', async () => {
    rt = new Runtime({ clock: new TestClock(), logger: null });
    const log: string[] = [];
    const machine = createMachine({ id: 'call', initial: 'idle', states: { idle: {} } });
    const root = await Supervisor.start(
      rt,
      {
        strategy: 'rest_for_one',
        intensity: 3,
        period: 10,
        children: [
          { id: 'counter', start: (ctx) => GenServer.start(ctx, Counter, undefined, { link: true, name: 'counter' }) },
          {
            id: 'calls',
            type: 'supervisor',
            start: (ctx) =>
              Supervisor.start(ctx, {
                strategy: 'simple_one_for_one',
                children: [{ id: 'call', start: (c) => StateMachine.start(c, machine), restart: 'temporary' }],
              }),
          },
          { id: 'w', start: worker(log, 'w'), restart: 'transient', shutdown: 'brutal_kill' },
          { id: 'off', start: () => undefined },
        ],
      },
      { name: 'root' },
    );
    await rt.settle();
    const calls = pidOf(await Supervisor.whichChildren(rt, root), 'calls');
    await Supervisor.startChild(rt, calls, []);
    await rt.settle();

    const tree = supervisionTree(rt);
    expect(tree).toHaveLength(1);
    const [top] = tree;
    expect(top).toMatchObject({
      pid: root,
      type: 'supervisor',
      behaviour: 'supervisor',
      registeredName: 'root',
      strategy: 'rest_for_one',
      intensity: 3,
      period: 10,
    });
    expect(top.children!.map((c) => [c.id, c.type, c.restart, c.shutdown, c.behaviour, c.registeredName])).toEqual([
      ['counter', 'worker', 'permanent', 5000, 'Counter', 'counter'],
      ['calls', 'supervisor', 'permanent', 'infinity', 'supervisor', undefined],
      ['w', 'worker', 'transient', 'brutal_kill', 'async', undefined],
      ['off', 'worker', 'permanent', 5000, undefined, undefined],
    ]);
    const callsNode = top.children![1];
    expect(callsNode.strategy).toBe('simple_one_for_one');
    expect(callsNode.children).toHaveLength(1);
    expect(callsNode.children![0]).toMatchObject({ id: undefined, type: 'worker', restart: 'temporary', behaviour: 'state_machine' });
    expect(callsNode.children![0].pid).toBeInstanceOf(Pid);
    expect(callsNode.children![0].details).toEqual({ machine: 'call', value: 'idle', status: 'active' });
    expect(top.children![0].details).toBeUndefined();
    expect(top.children![3].pid).toBeUndefined();

    // the same tree from a given root, and printable
    expect(supervisionTree(rt, 'root')).toEqual(tree);
    expect(supervisionTree(rt, calls)[0].children).toHaveLength(1);
    expect(supervisionTree(rt, pidOf(await Supervisor.whichChildren(rt, root), 'w'))).toEqual([]);
    const text = formatSupervisionTree(tree);
    expect(text.split('\n')).toHaveLength(6);
    expect(text).toContain('├─ counter');
    expect(text).toContain('│  └─ ');
    expect(text).toContain('└─ off undefined worker permanent');
  });
});

describe('supervisionTree restarts', () => {
  it('counts the restarts of each child: its own and, under rest_for_one, those a sibling caused', async () => {
    rt = new Runtime({ clock: new TestClock(), logger: null });
    const log: string[] = [];
    const root = await Supervisor.start(rt, {
      strategy: 'rest_for_one',
      intensity: 10,
      children: [
        { id: 'a', start: worker(log, 'a') },
        { id: 'b', start: worker(log, 'b') },
      ],
    });
    await rt.settle();
    const restarts = () => supervisionTree(rt, root)[0].children!.map((c) => [c.id, c.restarts]);
    expect(restarts()).toEqual([
      ['a', 0],
      ['b', 0],
    ]);
    rt.exit(pidOf(await Supervisor.whichChildren(rt, root), 'b'), atom('boom'));
    await rt.settle();
    rt.exit(pidOf(await Supervisor.whichChildren(rt, root), 'a'), atom('boom'));
    await rt.settle();
    expect(restarts()).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(supervisionTree(rt, root)[0].restarts).toBeUndefined();
  });
});

describe('supervisor reports', () => {
  it('reports child_terminated, start_error, shutdown_error and shutdown (reached_max_restart_intensity) to the logger', async () => {
    const reports: SupervisorReport[] = [];
    const clock = new TestClock();
    rt = new Runtime({ clock, logger: { supervisor: (r) => reports.push(r) } });
    const log: string[] = [];
    let fail = false;
    const sup = await Supervisor.start(
      rt,
      {
        intensity: 2,
        children: [
          { id: 'stubborn', start: worker(log, 'stubborn', { trap: true, ignoreShutdown: true }), shutdown: 10 },
          {
            id: 'w',
            start: (ctx) => {
              if (fail) throw atom('cannot');
              return worker(log, 'w')(ctx);
            },
          },
        ],
      },
      { name: 'sup' },
    );
    await rt.settle();
    rt.exit(pidOf(await Supervisor.whichChildren(rt, sup), 'w'), atom('boom'));
    await rt.settle();
    fail = true;
    rt.exit(pidOf(await Supervisor.whichChildren(rt, sup), 'w'), atom('boom2'));
    await rt.settle();
    await clock.advance(10);
    await rt.settle();
    expect(rt.isAlive(sup)).toBe(false);
    expect(reports.map((r) => [r.kind, r.childId, r.reason])).toEqual([
      ['child_terminated', 'w', atom('boom')],
      ['child_terminated', 'w', atom('boom2')],
      ['start_error', 'w', t(atom('EXIT'), atom('cannot'))],
      ['shutdown', 'w', atom('reached_max_restart_intensity')],
      ['shutdown_error', 'stubborn', atom('killed')],
    ]);
    expect(reports.every((r) => r.supervisor.id === sup.id && r.supervisorName === 'sup')).toBe(true);
  });

  it('a child that ends normal when shut down: no shutdown_error unless it is permanent (supervisor.erl shutdown/1)', async () => {
    const reports: SupervisorReport[] = [];
    rt = new Runtime({ clock: new TestClock(), logger: { supervisor: (r) => reports.push(r) } });
    const log: string[] = [];
    const normalOnShutdown = { trap: true, normalOnShutdown: true };
    const sup = await Supervisor.start(rt, {
      children: [
        { id: 'perm', start: worker(log, 'perm', normalOnShutdown) },
        { id: 'temp', start: worker(log, 'temp', normalOnShutdown), restart: 'temporary' },
        { id: 'trans', start: worker(log, 'trans', normalOnShutdown), restart: 'transient', shutdown: 'brutal_kill' },
      ],
    });
    await rt.settle();
    // trans is brutally killed (killed: fine); temp and perm end normal: fine for temp only
    rt.exit(sup, atom('shutdown'));
    await rt.settle();
    expect(rt.isAlive(sup)).toBe(false);
    expect(reports.map((r) => [r.kind, r.childId, r.reason])).toEqual([['shutdown_error', 'perm', atom('normal')]]);
  });

  it('with only a crash sink, supervisor reports are not delivered as crashes', async () => {
    const crashes: CrashReport[] = [];
    rt = new Runtime({ clock: new TestClock(), logger: { crash: (r) => crashes.push(r) } });
    const log: string[] = [];
    const sup = await Supervisor.start(rt, { intensity: 5, children: [{ id: 'w', start: worker(log, 'w') }] });
    await rt.settle();
    const w = pidOf(await Supervisor.whichChildren(rt, sup), 'w');
    rt.exit(w, atom('boom')); // a child_terminated report; w itself was killed by a signal: no crash report
    await rt.settle();
    expect(pidOf(await Supervisor.whichChildren(rt, sup), 'w').id).not.toBe(w.id);
    expect(crashes).toEqual([]);
  });

  it('progress reports for each child started; a crashing GenServer child gives a crash report (with ancestors) and a supervisor report', async () => {
    const crashes: CrashReport[] = [];
    const reports: SupervisorReport[] = [];
    const progress: ProgressReport[] = [];
    rt = new Runtime({
      clock: new TestClock(),
      logger: { crash: (r) => crashes.push(r), supervisor: (r) => reports.push(r), progress: (r) => progress.push(r) },
    });
    const log: string[] = [];
    const sup = await Supervisor.start(
      rt,
      {
        intensity: 5,
        children: [
          { id: 'counter', start: (ctx) => GenServer.startLink(ctx, Counter) },
          { id: 'w', start: worker(log, 'w') },
        ],
      },
      { name: 'sup' },
    );
    const kids = await Supervisor.whichChildren(rt, sup);
    const c1 = pidOf(kids, 'counter');
    expect(progress.map((p) => [p.childId, p.childPid, p.supervisor, p.supervisorName])).toEqual([
      ['counter', c1, sup, 'sup'],
      ['w', pidOf(kids, 'w'), sup, 'sup'],
    ]);
    rt.send(c1, 'crash');
    await rt.settle();
    const c2 = pidOf(await Supervisor.whichChildren(rt, sup), 'counter');
    expect(c2.id).not.toBe(c1.id);
    // linked to its supervisor, the GenServer's abnormal exit is still a crash report (proc_lib's)
    expect(crashes).toHaveLength(1);
    expect(crashes[0]).toMatchObject({ pid: c1, behaviour: 'Counter' });
    expect((crashes[0].error as Error).message).toBe('counter crashed');
    expect(crashes[0].ancestors[0]).toEqual(sup);
    expect(reports.map((r) => [r.kind, r.childId, r.childPid])).toEqual([['child_terminated', 'counter', c1]]);
    expect((reports[0].reason as Error).message).toBe('counter crashed');
    expect(progress.at(-1)).toMatchObject({ childId: 'counter', childPid: c2 });
  });
});
