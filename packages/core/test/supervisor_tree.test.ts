import { Pid, atom } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { Runtime } from '../src/runtime.ts';
import { TestClock } from '../src/clock.ts';
import { GenServer } from '../src/gen_server.ts';
import { StateMachine } from '../src/state_machine.ts';
import { Supervisor, type SupervisorReport } from '../src/supervisor.ts';
import { formatSupervisionTree, supervisionTree } from '../src/supervisor_tree.ts';
import { pidOf, worker } from './supervisor_helpers.ts';

let rt: Runtime;

afterEach(async () => {
  if (rt && !rt.isStopped) await rt.stop();
});

class Counter extends GenServer<number> {
  init(): number {
    return 0;
  }
}

describe('supervisionTree', () => {
  it('returns supervisors and children with ids, pids, restart and child types, behaviours and names', async () => {
    rt = new Runtime({ clock: new TestClock(), logger: null });
    const log: string[] = [];
    const machine = createMachine({ id: 'call', initial: 'idle', states: { idle: {} } });
    const root = Supervisor.start(
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
    expect(top).toMatchObject({ pid: root, type: 'supervisor', behaviour: 'supervisor', registeredName: 'root', strategy: 'rest_for_one', intensity: 3, period: 10 });
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

describe('supervisor reports', () => {
  it('reports child_terminated, start_error, shutdown_error and reached_max_restart_intensity to the logger', async () => {
    const reports: SupervisorReport[] = [];
    const clock = new TestClock();
    rt = new Runtime({ clock, logger: { crash: () => {}, supervisor: (r: SupervisorReport) => reports.push(r) } as never });
    const log: string[] = [];
    let fail = false;
    const sup = Supervisor.start(
      rt,
      {
        intensity: 2,
        children: [
          { id: 'stubborn', start: worker(log, 'stubborn', { trap: true, ignoreShutdown: true }), shutdown: 10 },
          {
            id: 'w',
            start: (ctx: any) => {
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
      ['start_error', 'w', atom('cannot')],
      ['reached_max_restart_intensity', 'w', atom('shutdown')],
      ['shutdown_error', 'stubborn', atom('killed')],
    ]);
    expect(reports.every((r) => r.supervisor.id === sup.id && r.supervisorName === 'sup')).toBe(true);
  });

  it('without a supervisor hook, reports go to the logger as crash reports', async () => {
    const crashes: unknown[] = [];
    rt = new Runtime({ clock: new TestClock(), logger: { crash: (r) => crashes.push(r) } });
    const log: string[] = [];
    const sup = Supervisor.start(rt, { intensity: 5, children: [{ id: 'w', start: worker(log, 'w') }] });
    await rt.settle();
    const w = pidOf(await Supervisor.whichChildren(rt, sup), 'w');
    rt.exit(w, atom('boom'));
    await rt.settle();
    expect(crashes).toHaveLength(1);
    expect(crashes[0]).toMatchObject({ pid: w, reason: atom('boom') });
    expect((crashes[0] as { behaviour: string }).behaviour).toContain('child_terminated w');
  });
});
