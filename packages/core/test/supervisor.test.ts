import { ErlMap, Pid, type Tuple, t } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GenServer,
  Runtime,
  Supervisor,
  supervisionTree,
  sys,
  type ChildSpec,
  type ProcessContext,
  type SupervisorReport,
  type TestClock,
} from '../src/index.ts';
import { A, newRuntime, pidOf, run, startFailure, watch, worker } from './supervisor_helpers.ts';

let rt: Runtime;
let clock: TestClock;
let log: string[];

function setup(): void {
  ({ rt, clock } = newRuntime());
  log = [];
}

afterEach(async () => {
  if (rt && !rt.isStopped) await rt.stop();
});

const spec = (id: string, extra: Partial<ChildSpec> = {}, opts: Parameters<typeof worker>[2] = {}): ChildSpec => ({
  id,
  start: worker(log, id, opts),
  ...extra,
});

async function children(sup: Pid | string) {
  return Supervisor.whichChildren(rt, sup);
}

async function kill(pid: Pid, reason: unknown = A('boom')): Promise<void> {
  rt.exit(pid, reason);
  await rt.settle();
}

describe('Supervisor: start and shutdown order', () => {
  it('starts children in order and reports them (newest first, as OTP) with whichChildren/countChildren', async () => {
    setup();
    const sup = await Supervisor.start(rt, {
      strategy: 'one_for_one',
      children: [spec('a'), spec('b', { type: 'worker', modules: ['b_mod'] }), spec('c')],
    });
    await rt.settle();
    expect(log).toEqual(['start a', 'start b', 'start c']);
    const kids = await children(sup);
    // supervisor:which_children lists the newest child first
    expect(kids.map((k) => k.id)).toEqual(['c', 'b', 'a']);
    expect(kids.every((k) => k.pid instanceof Pid && rt.isAlive(k.pid))).toBe(true);
    expect(kids[1]).toMatchObject({ type: 'worker', modules: ['b_mod'] });
    expect(await Supervisor.countChildren(rt, sup)).toEqual({ specs: 3, active: 3, supervisors: 0, workers: 3 });
    // the children are linked to the supervisor
    const info = rt.processInfo(sup)!;
    for (const k of kids) expect(info.links.some((l) => l.id === (k.pid as Pid).id)).toBe(true);
    expect(info.trapExit).toBe(true);
    // started from the runtime: a root, linked to nobody else
    expect(info.links).toHaveLength(3);
  });

  it("modules default to the child's callback module: a GenServer's class name, supervisor, state_machine; [] for a plain process", async () => {
    setup();
    class Counter extends GenServer<number> {
      init() {
        return { tag: 'ok' as const, state: 0 };
      }
    }
    const sup = await Supervisor.start(rt, {
      children: [
        { id: 'gs', start: (ctx: ProcessContext) => GenServer.startLink(ctx, Counter, undefined) },
        { id: 'sub', type: 'supervisor', start: (ctx: ProcessContext) => Supervisor.start(ctx, {}) },
        spec('plain'),
        { id: 'given', start: (ctx: ProcessContext) => GenServer.startLink(ctx, Counter, undefined), modules: 'dynamic' },
      ],
    });
    const mods = Object.fromEntries((await children(sup)).map((k) => [k.id, k.modules]));
    expect(mods).toEqual({ gs: ['Counter'], sub: ['supervisor'], plain: [], given: 'dynamic' });
    // on the wire too (an erl supervisor:which_children reads this)
    const reply = (await GenServer.call(rt, sup, A('which_children'))) as Tuple[];
    expect(reply.map((e) => e.get(3))).toEqual(['dynamic', [], [A('supervisor')], [A('Counter')]].map((m) => (m === 'dynamic' ? A('dynamic') : m)));
  });

  it('stops children in reverse start order with shutdown, then exits', async () => {
    setup();
    const sup = await Supervisor.start(rt, {
      children: [spec('a', {}, { trap: true }), spec('b', {}, { trap: true }), spec('c', {}, { trap: true })],
    });
    await rt.settle();
    const reason = await Supervisor.stop(rt, sup);
    expect(reason).toBe(A('shutdown'));
    expect(log.slice(3)).toEqual(['stop c shutdown', 'stop b shutdown', 'stop a shutdown']);
    expect(rt.isAlive(sup)).toBe(false);
    await rt.settle();
    expect(rt.processCount).toBe(0);
  });

  it('waits for each child to die before stopping the previous one', async () => {
    setup();
    // b ignores shutdown; with shutdown 1000 it is killed only when the clock reaches 1000,
    // and a must not be asked to stop before that.
    const sup = await Supervisor.start(rt, {
      children: [spec('a', {}, { trap: true }), spec('b', { shutdown: 1000 }, { trap: true, ignoreShutdown: true })],
    });
    await rt.settle();
    const done = Supervisor.stop(rt, sup);
    await rt.settle();
    expect(log.slice(2)).toEqual(['stop b shutdown']);
    await clock.advance(999);
    expect(log.slice(2)).toEqual(['stop b shutdown']);
    await clock.advance(1);
    expect(await done).toBe(A('shutdown'));
    expect(log.slice(2)).toEqual(['stop b shutdown', 'stop a shutdown']);
  });

  it('exits when its parent exits, after terminating its children', async () => {
    setup();
    let sup!: Pid;
    const parent = rt.spawn(async (ctx) => {
      sup = await Supervisor.start(ctx, { children: [spec('a', {}, { trap: true }), spec('b', {}, { trap: true })] });
      await ctx.receive();
    });
    await rt.settle();
    // started from a process: linked to it, which is its parent
    expect(rt.processInfo(sup)!.links.some((l) => l.id === parent.id)).toBe(true);
    const supDown = await watch(rt, sup);
    rt.exit(parent, A('bye'));
    expect(await supDown()).toBe(A('bye'));
    expect(log).toEqual(['start a', 'start b', 'stop b shutdown', 'stop a shutdown']);
  });

  it('an exit signal from a process that is neither its parent nor a child is only a message to it', async () => {
    setup();
    const sup = await run(rt, async (ctx) => {
      const pid = await Supervisor.start(ctx, { children: [spec('a', {}, { trap: true })] }, { link: false });
      ctx.exit(pid, A('bye')); // the starter of an unlinked start is not its parent
      return pid;
    });
    await rt.settle();
    expect(rt.isAlive(sup)).toBe(true);
    expect(log).toEqual(['start a']);
    rt.exit(sup, A('bye')); // nor is the runtime, for a supervisor started from a process
    await rt.settle();
    expect(rt.isAlive(sup)).toBe(true);
  });

  it('a stray cast, call or message changes nothing: the call is answered {error, {bad_request, Req}}, the cast and the message are logged (OTP would crash on the cast and the call)', async () => {
    setup();
    const reports: SupervisorReport[] = [];
    rt.addReportHandler({ supervisor: (r) => reports.push(r) });
    const sup = await Supervisor.start(rt, { children: [spec('a', {})] }, { name: 'stray_sup' });
    await rt.settle();
    const reply = await run(rt, async (ctx) => {
      GenServer.cast(ctx, sup, A('x'));
      ctx.send(sup, t(A('$gen_cast'), 'y'));
      ctx.send(sup, 'stray');
      return GenServer.call(ctx, sup, A('hello'));
    });
    await rt.settle();
    expect(reply).toEqual(t(A('error'), t(A('bad_request'), A('hello'))));
    expect(rt.isAlive(sup)).toBe(true);
    expect(log).toEqual(['start a']);
    // the stray message is logged, as supervisor:handle_info/2's "Supervisor received unexpected message"
    // so are the casts OTP's supervisor would crash on
    expect(reports.map((r) => [r.kind, r.supervisorName, r.childId, r.reason])).toEqual([
      ['unexpected_message', 'stray_sup', undefined, t(A('$gen_cast'), A('x'))],
      ['unexpected_message', 'stray_sup', undefined, t(A('$gen_cast'), 'y')],
      ['unexpected_message', 'stray_sup', undefined, 'stray'],
    ]);
    expect(reports[0].supervisor).toEqual(sup);
  });

  it("started from the runtime, the runtime is its parent (the application master's role): its exit signal stops it", async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [spec('a', {}, { trap: true })] });
    await rt.settle();
    const down = await watch(rt, sup);
    rt.exit(sup, A('bye'));
    expect(await down()).toBe(A('bye'));
    expect(log).toEqual(['start a', 'stop a shutdown']);
  });

  it('a failing child start stops the ones already started (reverse) and fails the supervisor start', async () => {
    setup();
    const specs = [
      spec('a', {}, { trap: true }),
      spec('b', {}, { trap: true }),
      {
        id: 'c',
        start: () => {
          throw A('nope');
        },
      },
      spec('d'),
    ];
    // the start is rejected (supervisor:start_link's {error, Reason}); the child id is an atom, as in Erlang
    const reason = await startFailure(rt, (ctx) => Supervisor.start(ctx, { children: specs }));
    // a start that raised gives `{'EXIT', Reason}`, as supervisor.erl's catch does
    expect(reason).toEqual(t(A('shutdown'), t(A('failed_to_start_child'), A('c'), t(A('EXIT'), A('nope')))));
    expect(log).toEqual(['start a', 'start b', 'stop b shutdown', 'stop a shutdown']);
    await rt.settle();
    expect(rt.processCount).toBe(0); // no supervisor, no child left behind
    // the same from the runtime (no link)
    log.length = 0;
    await expect(Supervisor.start(rt, { children: specs })).rejects.toMatchObject({
      name: 'StartError',
      reason: t(A('shutdown'), t(A('failed_to_start_child'), A('c'), t(A('EXIT'), A('nope')))),
    });
    expect(log).toEqual(['start a', 'start b', 'stop b shutdown', 'stop a shutdown']);
  });

  it('rejects invalid child specs and duplicate ids', async () => {
    setup();
    const r1 = await startFailure(rt, (ctx) => Supervisor.start(ctx, { children: [spec('a'), spec('a')] }));
    expect(r1).toEqual(t(A('start_spec'), t(A('duplicate_child_name'), A('a'))));
    const r2 = await startFailure(rt, (ctx) =>
      Supervisor.start(ctx, { children: [{ id: 'x', start: worker(log, 'x'), restart: 'sometimes' as never }] }),
    );
    expect(r2).toEqual(t(A('start_spec'), t(A('invalid_restart_type'), A('sometimes'))));
    const r3 = await startFailure(rt, (ctx) => Supervisor.start(ctx, { strategy: 'one_for_some' as never, children: [] }));
    expect(r3).toEqual(t(A('supervisor_data'), t(A('invalid_strategy'), A('one_for_some'))));
    expect(log).toEqual([]);
  });
});

describe('Supervisor: restart types', () => {
  it('permanent: restarted after a crash and after a normal exit', async () => {
    setup();
    const sup = await Supervisor.start(rt, { intensity: 10, children: [spec('p')] });
    await rt.settle();
    const p1 = pidOf(await children(sup), 'p');
    rt.send(p1, 'crash');
    await rt.settle();
    const p2 = pidOf(await children(sup), 'p');
    expect(p2.id).not.toBe(p1.id);
    rt.send(p2, 'normal');
    await rt.settle();
    const p3 = pidOf(await children(sup), 'p');
    expect(p3.id).not.toBe(p2.id);
    expect(log).toEqual(['start p', 'start p', 'start p']);
  });

  it('transient: restarted after a crash only, not after normal / shutdown / {shutdown, _}', async () => {
    setup();
    const sup = await Supervisor.start(rt, {
      intensity: 10,
      children: [spec('t1', { restart: 'transient' }), spec('t2', { restart: 'transient' }), spec('t3', { restart: 'transient' })],
    });
    await rt.settle();
    let kids = await children(sup);
    const t1 = pidOf(kids, 't1');
    rt.send(t1, 'crash');
    await rt.settle();
    kids = await children(sup);
    expect(pidOf(kids, 't1').id).not.toBe(t1.id);
    rt.send(pidOf(kids, 't1'), 'normal');
    rt.send(pidOf(kids, 't2'), 'shutdown');
    rt.send(pidOf(kids, 't3'), ['exit', t(A('shutdown'), 'done')]);
    await rt.settle();
    kids = await children(sup);
    expect(kids.map((k) => [k.id, k.pid])).toEqual([
      ['t3', undefined],
      ['t2', undefined],
      ['t1', undefined],
    ]);
    expect(log.filter((l) => l === 'start t1')).toHaveLength(2);
  });

  it('temporary: never restarted and removed when it dies', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [spec('a'), spec('tmp', { restart: 'temporary' })] });
    await rt.settle();
    rt.send(pidOf(await children(sup), 'tmp'), 'crash');
    await rt.settle();
    expect((await children(sup)).map((k) => k.id)).toEqual(['a']);
    expect(log).toEqual(['start a', 'start tmp']);
  });
});

describe('Supervisor: restart intensity', () => {
  it('more than intensity restarts within period: terminates all children and exits with shutdown', async () => {
    setup();
    const sup = await Supervisor.start(rt, {
      intensity: 2,
      period: 5,
      children: [spec('a', {}, { trap: true }), spec('b')],
    });
    await rt.settle();
    const down = await watch(rt, sup);
    for (let i = 0; i < 2; i++) {
      await kill(pidOf(await children(sup), 'b'));
      await clock.advance(1000);
    }
    expect(rt.isAlive(sup)).toBe(true);
    await kill(pidOf(await children(sup), 'b'));
    expect(await down()).toBe(A('shutdown'));
    expect(log.filter((l) => l === 'start b')).toHaveLength(3);
    expect(log.at(-1)).toBe('stop a shutdown');
    await rt.settle();
    expect(rt.processCount).toBe(0);
  });

  it('restarts older than the period do not count (runtime clock)', async () => {
    setup();
    const sup = await Supervisor.start(rt, { intensity: 1, period: 5, children: [spec('b')] });
    await rt.settle();
    // restarts are stamped in whole seconds (supervisor.erl's monotonic_time(second)): 6 s apart
    // are always more than 5 whole seconds apart
    for (let i = 0; i < 5; i++) {
      await kill(pidOf(await children(sup), 'b'));
      await clock.advance(6000);
    }
    expect(rt.isAlive(sup)).toBe(true);
    expect(log.filter((l) => l === 'start b')).toHaveLength(6);
    // and two within the period (inclusive, as supervisor.erl) kill it
    const down = await watch(rt, sup);
    await kill(pidOf(await children(sup), 'b'));
    await clock.advance(5000);
    await kill(pidOf(await children(sup), 'b'));
    expect(await down()).toBe(A('shutdown'));
  });

  it('intensity 0: the first restart is already too many', async () => {
    setup();
    const sup = await Supervisor.start(rt, { intensity: 0, children: [spec('b')] });
    await rt.settle();
    const down = await watch(rt, sup);
    await kill(pidOf(await children(sup), 'b'));
    expect(await down()).toBe(A('shutdown'));
    expect(log).toEqual(['start b']);
  });
});

describe('Supervisor: strategies', () => {
  const three = () => [spec('a', {}, { trap: true }), spec('b', {}, { trap: true }), spec('c', {}, { trap: true })];

  it('one_for_one: only the dead child is restarted', async () => {
    setup();
    const sup = await Supervisor.start(rt, { strategy: 'one_for_one', children: three() });
    await rt.settle();
    const before = await children(sup);
    await kill(pidOf(before, 'b'), A('kill'));
    const after = await children(sup);
    expect(pidOf(after, 'a')).toBe(pidOf(before, 'a'));
    expect(pidOf(after, 'c')).toBe(pidOf(before, 'c'));
    expect(pidOf(after, 'b').id).not.toBe(pidOf(before, 'b').id);
    expect(log.slice(3)).toEqual(['start b']);
  });

  it('one_for_all: the others are terminated in reverse order, then all start in order', async () => {
    setup();
    const sup = await Supervisor.start(rt, { strategy: 'one_for_all', children: three() });
    await rt.settle();
    const before = await children(sup);
    await kill(pidOf(before, 'b'), A('kill'));
    expect(log.slice(3)).toEqual(['stop c shutdown', 'stop a shutdown', 'start a', 'start b', 'start c']);
    const after = await children(sup);
    for (const id of ['a', 'b', 'c']) expect(pidOf(after, id).id).not.toBe(pidOf(before, id).id);
  });

  it('rest_for_one: the children started after the dead one are restarted, the earlier ones kept', async () => {
    setup();
    const sup = await Supervisor.start(rt, {
      strategy: 'rest_for_one',
      children: [...three(), spec('d', {}, { trap: true })],
    });
    await rt.settle();
    const before = await children(sup);
    await kill(pidOf(before, 'b'), A('kill'));
    expect(log.slice(4)).toEqual(['stop d shutdown', 'stop c shutdown', 'start b', 'start c', 'start d']);
    const after = await children(sup);
    expect(pidOf(after, 'a')).toBe(pidOf(before, 'a'));
    for (const id of ['b', 'c', 'd']) expect(pidOf(after, id).id).not.toBe(pidOf(before, id).id);
  });

  it('one_for_all does not restart temporary siblings', async () => {
    setup();
    const sup = await Supervisor.start(rt, {
      strategy: 'one_for_all',
      children: [spec('a', {}, { trap: true }), spec('tmp', { restart: 'temporary' }, { trap: true }), spec('c', {}, { trap: true })],
    });
    await rt.settle();
    await kill(pidOf(await children(sup), 'a'), A('kill'));
    expect((await children(sup)).map((k) => k.id)).toEqual(['c', 'a']);
    expect(log.slice(3)).toEqual(['stop c shutdown', 'stop tmp shutdown', 'start a', 'start c']);
  });

  it('a restart whose start fails is retried until it succeeds', async () => {
    setup();
    let failures = 1;
    const sup = await Supervisor.start(rt, {
      intensity: 5,
      children: [
        {
          id: 'flaky',
          start: (ctx) => {
            if (log.length > 0 && failures-- > 0) throw A('not_yet');
            return worker(log, 'flaky')(ctx);
          },
        },
      ],
    });
    await rt.settle();
    const p1 = pidOf(await children(sup), 'flaky');
    await kill(p1);
    const kids = await children(sup);
    expect(pidOf(kids, 'flaky').id).not.toBe(p1.id);
    expect(log).toEqual(['start flaky', 'start flaky']);
  });

  it('while a failed restart waits for its retry the child shows as restarting', async () => {
    setup();
    let attempts = 0;
    let seen: unknown;
    let sup!: Pid;
    sup = await Supervisor.start(rt, {
      intensity: 5,
      children: [
        {
          id: 'r',
          start: (ctx) => {
            attempts++;
            if (attempts === 2) throw A('not_yet');
            if (attempts === 3) seen = supervisionTree(rt, sup)[0].children![0].pid; // inside the retry
            return worker(log, 'r')(ctx);
          },
        },
      ],
    });
    await rt.settle();
    await kill(pidOf(await children(sup), 'r'));
    expect(attempts).toBe(3);
    expect(seen).toBe('restarting');
    expect(pidOf(await children(sup), 'r')).toBeInstanceOf(Pid);
  });

  it('one_for_all: while a failed restart waits for its retry, only the failed child is restarting; the ones after it are undefined', async () => {
    setup();
    let attempts = 0;
    let seen: unknown;
    let sup!: Pid;
    sup = await Supervisor.start(rt, {
      strategy: 'one_for_all',
      intensity: 5,
      children: [
        spec('a'),
        {
          id: 'b',
          start: async (ctx) => {
            if (++attempts !== 2) return worker(log, 'b')(ctx);
            // a request that waits in the mailbox ahead of the retry
            rt.spawn(
              async (c) => void (seen = (await Supervisor.whichChildren(c, sup)).map((x) => [x.id, x.pid instanceof Pid ? 'running' : x.pid])),
            );
            await new Promise((r) => setImmediate(r));
            throw A('not_yet');
          },
        },
        spec('c'),
      ],
    });
    await rt.settle();
    await kill(pidOf(await children(sup), 'a'));
    expect(seen).toEqual([
      ['c', undefined],
      ['b', 'restarting'],
      ['a', 'running'],
    ]);
    expect((await children(sup)).map((x) => x.pid)).toEqual([expect.any(Pid), expect.any(Pid), expect.any(Pid)]);
  });

  it('a start that keeps failing exhausts the intensity', async () => {
    setup();
    let first = true;
    const sup = await Supervisor.start(rt, {
      intensity: 3,
      children: [
        {
          id: 'bad',
          start: (ctx) => {
            if (!first) throw A('broken');
            first = false;
            return worker(log, 'bad')(ctx);
          },
        },
      ],
    });
    await rt.settle();
    const down = await watch(rt, sup);
    await kill(pidOf(await children(sup), 'bad'));
    expect(await down()).toBe(A('shutdown'));
  });
});

describe('Supervisor: shutdown kinds', () => {
  it('brutal_kill kills without asking (the child sees no shutdown)', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [spec('a', { shutdown: 'brutal_kill' }, { trap: true })] });
    await rt.settle();
    const a = pidOf(await children(sup), 'a');
    const aDown = await watch(rt, a);
    expect(await Supervisor.terminateChild(rt, sup, 'a')).toEqual({ ok: true });
    expect(await aDown()).toBe(A('killed'));
    expect(log).toEqual(['start a']);
  });

  it('a number: shutdown, then kill when the time runs out on the runtime clock', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [spec('a', { shutdown: 500 }, { trap: true, ignoreShutdown: true })] });
    await rt.settle();
    const a = pidOf(await children(sup), 'a');
    const aDown = await watch(rt, a);
    let finished = false;
    const res = Supervisor.terminateChild(rt, sup, 'a').then((r) => {
      finished = true;
      return r;
    });
    await rt.settle();
    expect(log).toEqual(['start a', 'stop a shutdown']);
    await clock.advance(499);
    expect(finished).toBe(false);
    expect(rt.isAlive(a)).toBe(true);
    await clock.advance(1);
    expect(await res).toEqual({ ok: true });
    expect(await aDown()).toBe(A('killed'));
    expect(clock.pending).toBe(0);
  });

  it('a number: a child that stops in time is not killed and its timer is cancelled', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [spec('a', { shutdown: 500 }, { trap: true })] });
    await rt.settle();
    const aDown = await watch(rt, pidOf(await children(sup), 'a'));
    expect(await Supervisor.terminateChild(rt, sup, 'a')).toEqual({ ok: true });
    expect(await aDown()).toBe(A('shutdown'));
    expect(clock.pending).toBe(0);
  });

  it('infinity: waits as long as the child takes', async () => {
    setup();
    const sup = await Supervisor.start(rt, {
      children: [spec('s', { shutdown: 'infinity', type: 'supervisor' }, { trap: true, ignoreShutdown: true })],
    });
    await rt.settle();
    const s = pidOf(await children(sup), 's');
    let finished = false;
    const res = Supervisor.terminateChild(rt, sup, 's').then((r) => {
      finished = true;
      return r;
    });
    await clock.advance(1_000_000);
    expect(finished).toBe(false);
    rt.send(s, 'normal');
    expect(await res).toEqual({ ok: true });
  });

  it('requests that arrive during a shutdown are answered after it, in order', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [spec('a', { shutdown: 100 }, { trap: true, ignoreShutdown: true }), spec('b')] });
    await rt.settle();
    const order: string[] = [];
    const term = Supervisor.terminateChild(rt, sup, 'a').then(() => order.push('terminated'));
    await rt.settle();
    const which = Supervisor.whichChildren(rt, sup).then((w) => {
      order.push('which');
      return w;
    });
    await rt.settle();
    expect(order).toEqual([]);
    await clock.advance(100);
    await Promise.all([term, which]);
    expect(order).toEqual(['terminated', 'which']);
    expect((await which).map((k) => [k.id, k.pid instanceof Pid])).toEqual([
      ['b', true],
      ['a', false],
    ]);
  });
});

describe('Supervisor: dynamic children', () => {
  it('startChild / terminateChild / restartChild / deleteChild', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [spec('a')] });
    await rt.settle();
    const r = await Supervisor.startChild(rt, sup, spec('b'));
    expect(r.ok).toBe(true);
    const b = (r as { pid: Pid }).pid;
    expect(rt.isAlive(b)).toBe(true);
    expect((await children(sup)).map((k) => k.id)).toEqual(['b', 'a']); // newest first

    const again = await Supervisor.startChild(rt, sup, spec('b'));
    expect(again.ok).toBe(false);
    expect((again as { error: unknown }).error).toEqual(t(A('already_started'), b));

    expect(await Supervisor.deleteChild(rt, sup, 'b')).toEqual({ ok: false, error: A('running') });
    expect(await Supervisor.terminateChild(rt, sup, 'b')).toEqual({ ok: true });
    expect(rt.isAlive(b)).toBe(false);
    expect((await children(sup)).find((k) => k.id === 'b')?.pid).toBeUndefined();
    expect(await Supervisor.startChild(rt, sup, spec('b'))).toEqual({ ok: false, error: A('already_present') });

    const rs = await Supervisor.restartChild(rt, sup, 'b');
    expect(rs.ok).toBe(true);
    expect(await Supervisor.restartChild(rt, sup, 'b')).toEqual({ ok: false, error: A('running') });
    expect(await Supervisor.terminateChild(rt, sup, 'b')).toEqual({ ok: true });
    expect(await Supervisor.deleteChild(rt, sup, 'b')).toEqual({ ok: true });
    expect((await children(sup)).map((k) => k.id)).toEqual(['a']);

    expect(await Supervisor.terminateChild(rt, sup, 'zz')).toEqual({ ok: false, error: A('not_found') });
    expect(await Supervisor.deleteChild(rt, sup, 'zz')).toEqual({ ok: false, error: A('not_found') });
    expect(await Supervisor.restartChild(rt, sup, 'zz')).toEqual({ ok: false, error: A('not_found') });
    expect(log).toEqual(['start a', 'start b', 'start b']);
  });

  it('startChild with a failing start returns the error and keeps nothing', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [] });
    const r = await Supervisor.startChild(rt, sup, {
      id: 'x',
      start: () => {
        throw A('no_way');
      },
    });
    expect(r).toEqual({ ok: false, error: t(A('EXIT'), A('no_way')) });
    expect(await children(sup)).toEqual([]);
    expect((await Supervisor.startChild(rt, sup, { id: '', start: () => undefined })).ok).toBe(false);
  });

  it('terminateChild of a temporary child forgets it', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [spec('tmp', { restart: 'temporary' })] });
    expect(await Supervisor.terminateChild(rt, sup, 'tmp')).toEqual({ ok: true });
    expect(await children(sup)).toEqual([]);
  });

  it('a child whose start returns undefined is kept as not running (ignore)', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [{ id: 'i', start: () => undefined }] });
    expect(await children(sup)).toEqual([{ id: 'i', pid: undefined, type: 'worker', modules: [] }]);
  });

  it('a dynamically added child is shut down with the others, in reverse order', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [spec('a', {}, { trap: true })] });
    await Supervisor.startChild(rt, sup, spec('b', {}, { trap: true }));
    await Supervisor.stop(rt, sup);
    expect(log).toEqual(['start a', 'start b', 'stop b shutdown', 'stop a shutdown']);
  });

  it('answers an erl-style which_children call (terms on the wire)', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [spec('a', { type: 'worker', modules: ['m'] })] }, { name: 'top' });
    const reply = await GenServer.call(rt, 'top', A('which_children'));
    expect(Array.isArray(reply)).toBe(true);
    const [e] = reply as Tuple[];
    expect(e.get(0)).toBe(A('a')); // child ids are atoms on the wire
    expect(e.get(1)).toBeInstanceOf(Pid);
    expect(e.get(2)).toBe(A('worker'));
    expect(e.get(3)).toEqual([A('m')]);
    expect(rt.whereis('top')).toEqual(sup);
  });

  it("answers get_childspec with OTP 27's map", async () => {
    setup();
    await Supervisor.start(rt, { children: [spec('a', { type: 'worker', modules: ['m'], shutdown: 500 })] }, { name: 'top' });
    const [tag, map] = ((await GenServer.call(rt, 'top', t(A('get_childspec'), A('a')))) as Tuple).elements;
    expect(tag).toBe(A('ok'));
    expect(map).toBeInstanceOf(ErlMap);
    const m = map as ErlMap;
    expect([...m.keys()].map(String).sort()).toEqual(['id', 'modules', 'restart', 'shutdown', 'significant', 'start', 'type']);
    expect(m.get(A('id'))).toBe(A('a'));
    expect(m.get(A('significant'))).toBe(A('false'));
    expect(m.get(A('shutdown'))).toBe(500);
    expect(m.get(A('modules'))).toEqual([A('m')]);
    expect(await GenServer.call(rt, 'top', t(A('get_childspec'), A('nope')))).toEqual(t(A('error'), A('not_found')));
  });
});

describe('Supervisor: simple_one_for_one', () => {
  it('starts children from the template with extra args, restarts them with the same args', async () => {
    setup();
    const sup = await Supervisor.start(rt, {
      strategy: 'simple_one_for_one',
      intensity: 5,
      children: [{ id: 'conn', start: worker(log, 'conn', { logArgs: true }), restart: 'permanent' }],
    });
    expect(await children(sup)).toEqual([]);
    const r1 = await Supervisor.startChild(rt, sup, [1, 'x']);
    const r2 = await Supervisor.startChild(rt, sup, [2, 'y']);
    expect(r1.ok && r2.ok).toBe(true);
    await rt.settle();
    expect(log).toEqual(['start conn 1,x', 'start conn 2,y']);
    let kids = await children(sup);
    expect(kids.map((k) => k.id)).toEqual([undefined, undefined]);
    expect(await Supervisor.countChildren(rt, sup)).toEqual({ specs: 1, active: 2, supervisors: 0, workers: 2 });

    const p2 = (r2 as { pid: Pid }).pid;
    await kill(p2);
    expect(log.at(-1)).toBe('start conn 2,y');
    kids = await children(sup);
    expect(kids).toHaveLength(2);
    expect(kids.some((k) => (k.pid as Pid).id === p2.id)).toBe(false);
  });

  it('terminateChild takes a pid and forgets the child; deleteChild/restartChild are refused', async () => {
    setup();
    const sup = await Supervisor.start(rt, { strategy: 'simple_one_for_one', children: [{ id: 'w', start: worker(log, 'w') }] });
    const r = (await Supervisor.startChild(rt, sup, [])) as { ok: true; pid: Pid };
    expect(await Supervisor.terminateChild(rt, sup, r.pid)).toEqual({ ok: true });
    expect(rt.isAlive(r.pid)).toBe(false);
    expect(await children(sup)).toEqual([]);
    // supervisor.erl's find_child: a pid that is not alive counts as terminated already; a live non-child is not_found
    expect(await Supervisor.terminateChild(rt, sup, r.pid)).toEqual({ ok: true });
    expect(await Supervisor.terminateChild(rt, sup, sup)).toEqual({ ok: false, error: A('not_found') });
    expect(await Supervisor.deleteChild(rt, sup, 'w')).toEqual({ ok: false, error: A('simple_one_for_one') });
    expect(await Supervisor.restartChild(rt, sup, 'w')).toEqual({ ok: false, error: A('simple_one_for_one') });
    // by id, as OTP answers terminate_child for anything but a pid here
    expect(await Supervisor.terminateChild(rt, sup, 'w')).toEqual({ ok: false, error: A('simple_one_for_one') });
  });

  it("startChild takes the extra arguments as a list: a spec given by mistake is OTP's {'EXIT', {badarg, Stack}}, nothing started", async () => {
    setup();
    const sup = await Supervisor.start(rt, { strategy: 'simple_one_for_one', children: [{ id: 'w', start: worker(log, 'w') }] });
    const r = await Supervisor.startChild(rt, sup, { id: 'x', start: worker(log, 'x') });
    expect(r.ok).toBe(false);
    const [tag, reason] = ((r as { error: Tuple }).error as Tuple).elements;
    expect([tag, (reason as Tuple).get(0)]).toEqual([A('EXIT'), A('badarg')]);
    expect(await children(sup)).toEqual([]);
    expect(log).toEqual([]);
  });

  it('transient / temporary children are forgotten when they end', async () => {
    setup();
    const sup = await Supervisor.start(rt, {
      strategy: 'simple_one_for_one',
      children: [{ id: 'w', start: worker(log, 'w'), restart: 'transient' }],
    });
    const r = (await Supervisor.startChild(rt, sup, [])) as { ok: true; pid: Pid };
    rt.send(r.pid, 'normal');
    await rt.settle();
    expect(await children(sup)).toEqual([]);
  });

  it('shuts all children down together (no order) and then exits', async () => {
    setup();
    const sup = await Supervisor.start(rt, {
      strategy: 'simple_one_for_one',
      children: [{ id: 'w', start: worker(log, 'w', { trap: true, ignoreShutdown: true }), shutdown: 1000 }],
    });
    for (let i = 0; i < 3; i++) await Supervisor.startChild(rt, sup, []);
    const done = Supervisor.stop(rt, sup);
    await rt.settle();
    // all three got the shutdown at once
    expect(log.filter((l) => l === 'stop w shutdown')).toHaveLength(3);
    await clock.advance(1000);
    expect(await done).toBe(A('shutdown'));
    await rt.settle();
    expect(rt.processCount).toBe(0);
  });

  it('needs exactly one child spec', async () => {
    setup();
    const r = await startFailure(rt, (ctx) => Supervisor.start(ctx, { strategy: 'simple_one_for_one', children: [] }));
    expect(r).toEqual(t(A('bad_start_spec'), t(A('simple_one_for_one'), 0)));
  });
});

describe('Supervisor: trees', () => {
  it('a supervisor child restarts its own children; stopping the root stops the whole tree in order', async () => {
    setup();
    const inner = (ctx: ProcessContext) =>
      Supervisor.start(ctx, { strategy: 'one_for_one', children: [spec('x', {}, { trap: true }), spec('y', {}, { trap: true })] });
    const root = await Supervisor.start(rt, {
      strategy: 'one_for_one',
      children: [spec('a', {}, { trap: true }), { id: 'inner', start: inner, type: 'supervisor' }, spec('z', {}, { trap: true })],
    });
    await rt.settle();
    expect(log).toEqual(['start a', 'start x', 'start y', 'start z']);
    const innerPid = pidOf(await children(root), 'inner');
    await kill(pidOf(await children(innerPid), 'x'), A('kill'));
    expect(log.at(-1)).toBe('start x');
    expect(pidOf(await children(root), 'inner')).toBe(innerPid);
    log.length = 0;
    await Supervisor.stop(rt, root);
    expect(log).toEqual(['stop z shutdown', 'stop y shutdown', 'stop x shutdown', 'stop a shutdown']);
    await rt.settle();
    expect(rt.processCount).toBe(0);
  });

  it('rt.stop() shuts the supervision trees down in order and leaves nothing behind', async () => {
    setup();
    const inner = (ctx: ProcessContext) =>
      Supervisor.start(ctx, { children: [spec('x', {}, { trap: true }), spec('y', { shutdown: 50 }, { trap: true })] });
    await Supervisor.start(rt, { children: [spec('a', {}, { trap: true }), { id: 'inner', start: inner, type: 'supervisor' }] });
    await rt.settle();
    await rt.stop();
    expect(log.slice(3)).toEqual(['stop y shutdown', 'stop x shutdown', 'stop a shutdown']);
    expect(rt.processCount).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("rt.stop() on the real clock waits out a child's shutdown time before the next one", async () => {
    log = [];
    const real = new Runtime({ logger: null });
    await Supervisor.start(real, {
      children: [
        { id: 'a', start: worker(log, 'a', { trap: true }) },
        { id: 'slow', shutdown: 50, start: worker(log, 'slow', { trap: true, ignoreShutdown: true }) },
      ],
    });
    await real.settle();
    const started = performance.now();
    await real.stop();
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(log).toEqual(['start a', 'start slow', 'stop slow shutdown', 'stop a shutdown']);
    expect(real.processCount).toBe(0);
  });

  it('rt.stop() stops top-level supervisors newest first', async () => {
    setup();
    await Supervisor.start(rt, { children: [spec('a1', {}, { trap: true }), spec('a2', {}, { trap: true })] });
    await Supervisor.start(rt, { children: [spec('b1', {}, { trap: true }), spec('b2', {}, { trap: true })] });
    await rt.settle();
    await rt.stop();
    expect(log.slice(4)).toEqual(['stop b2 shutdown', 'stop b1 shutdown', 'stop a2 shutdown', 'stop a1 shutdown']);
  });

  it("GenServer.stop (sys terminate) runs the supervisor's terminate: children down in reverse order, then it exits", async () => {
    setup();
    const sup = await Supervisor.start(rt, {
      children: [
        spec('a', {}, { trap: true }),
        spec('b', { shutdown: 100 }, { trap: true, ignoreShutdown: true }),
        spec('c', { shutdown: 'brutal_kill' }, { trap: true }),
      ],
    });
    await rt.settle();
    const [c, b, a] = (await children(sup)).map((k) => k.pid as Pid);
    const supDown = await watch(rt, sup);
    let stopped = false;
    const done = GenServer.stop(rt, sup, A('normal')).then(() => (stopped = true));
    await rt.settle();
    // c was killed, b got its shutdown and ignores it: a is not asked before b is gone
    expect(rt.isAlive(c)).toBe(false);
    expect(log.slice(3)).toEqual(['stop b shutdown']);
    expect(stopped).toBe(false);
    await clock.advance(100);
    await done;
    expect(log.slice(3)).toEqual(['stop b shutdown', 'stop a shutdown']);
    expect(await supDown()).toBe(A('normal'));
    expect(rt.isAlive(a)).toBe(false);
    expect(rt.isAlive(b)).toBe(false);
  });

  it('Supervisor.stop resolves with the exit reason it asked for', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [spec('a', {}, { trap: true })] });
    expect(await Supervisor.stop(rt, sup, A('normal'))).toBe(A('normal'));
    expect(log).toEqual(['start a', 'stop a shutdown']);
    expect(rt.isAlive(sup)).toBe(false);
  });

  it('answers sys get_state (it is a GenServer)', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [spec('a')] });
    const state = (await sys.getState(rt, sup)) as { children: unknown[]; flags: { strategy: string } };
    expect(state.flags.strategy).toBe('one_for_one');
    expect(state.children).toHaveLength(1);
  });
});

describe('Supervisor: auto_shutdown and significant children', () => {
  it('any_significant: a significant transient child ending normally shuts the supervisor down (reason shutdown)', async () => {
    setup();
    const sup = await Supervisor.start(rt, {
      autoShutdown: 'any_significant',
      children: [
        spec('a', {}, { trap: true }),
        spec('sig', { restart: 'transient', significant: true }),
        spec('other', { restart: 'transient', significant: true }),
      ],
    });
    await rt.settle();
    const down = await watch(rt, sup);
    rt.send(pidOf(await children(sup), 'sig'), 'normal');
    expect(await down()).toBe(A('shutdown'));
    expect(log).toEqual(['start a', 'start sig', 'start other', 'stop a shutdown']);
    await rt.settle();
    expect(rt.processCount).toBe(0);
  });

  it('any_significant: a significant transient child that crashes is restarted, not a shutdown', async () => {
    setup();
    const sup = await Supervisor.start(rt, {
      autoShutdown: 'any_significant',
      children: [spec('sig', { restart: 'transient', significant: true })],
    });
    await rt.settle();
    const p1 = pidOf(await children(sup), 'sig');
    await kill(p1);
    expect(rt.isAlive(sup)).toBe(true);
    expect(pidOf(await children(sup), 'sig').id).not.toBe(p1.id);
  });

  it('all_significant: only when the last significant child is gone', async () => {
    setup();
    const sup = await Supervisor.start(rt, {
      autoShutdown: 'all_significant',
      children: [
        spec('s1', { restart: 'temporary', significant: true }),
        spec('plain', {}, { trap: true }),
        spec('s2', { restart: 'transient', significant: true }),
      ],
    });
    await rt.settle();
    const down = await watch(rt, sup);
    rt.send(pidOf(await children(sup), 's1'), 'crash'); // temporary: not restarted, and one significant is left
    await rt.settle();
    expect(rt.isAlive(sup)).toBe(true);
    expect((await children(sup)).map((k) => k.id)).toEqual(['s2', 'plain']);
    rt.send(pidOf(await children(sup), 's2'), 'shutdown');
    expect(await down()).toBe(A('shutdown'));
    expect(log.at(-1)).toBe('stop plain shutdown');
  });

  it('never (the default) does not take significant children (OTP 27: bad_combination); a terminateChild never triggers auto_shutdown', async () => {
    setup();
    const reason = await startFailure(rt, (ctx) => Supervisor.start(ctx, { children: [spec('s', { restart: 'transient', significant: true })] }));
    expect(reason).toEqual(t(A('start_spec'), t(A('bad_combination'), [t(A('auto_shutdown'), A('never')), t(A('significant'), A('true'))])));
    const auto = await Supervisor.start(rt, { autoShutdown: 'any_significant', children: [spec('t', { restart: 'transient', significant: true })] });
    expect(await Supervisor.terminateChild(rt, auto, 't')).toEqual({ ok: true });
    await rt.settle();
    expect(rt.isAlive(auto)).toBe(true);
  });

  it('a significant permanent child is a bad combination: the start is rejected', async () => {
    setup();
    const reason = await startFailure(rt, (ctx) =>
      Supervisor.start(ctx, { autoShutdown: 'any_significant', children: [spec('p', { significant: true })] }),
    );
    expect(reason).toEqual(t(A('start_spec'), t(A('bad_combination'), [t(A('restart'), A('permanent')), t(A('significant'), A('true'))])));
    expect(log).toEqual([]);
  });
});
