import { Pid, atom, t } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import { setup as xsetup } from 'xstate';
import {
  GenServer,
  StateMachine,
  Supervisor,
  TIMEOUT,
  effect,
  type ChildSpec,
  type InitResult,
  type NoReplyResult,
  type ProcessContext,
  type Runtime,
  type TestClock,
} from '../src/index.ts';
import { A, newRuntime, pidOf, startFailure, worker } from './supervisor_helpers.ts';

let rt: Runtime;
let clock: TestClock;
let log: string[];
/** Each Srv's pid by name, recorded as its init begins (before the start is acknowledged). */
let pids: Map<string, Pid>;

function setup(): void {
  ({ rt, clock } = newRuntime());
  log = [];
  pids = new Map();
}

afterEach(async () => {
  if (rt && !rt.isStopped) await rt.stop();
});

/**
 * A GenServer whose init logs, may wait `delay` ms on the runtime clock (an async init), and
 * then returns what `outcome` says. It traps exits so its shutdown is logged.
 */
interface Args {
  name: string;
  delay?: number;
  outcome?: 'ok' | 'stop' | 'throw' | 'ignore';
}
class Srv extends GenServer<string> {
  init(a: unknown, ctx: ProcessContext): InitResult<string> | Promise<InitResult<string>> {
    const { name, delay, outcome = 'ok' } = a as Args;
    ctx.trapExit(true);
    pids.set(name, ctx.self);
    log.push(`init ${name}`);
    const finish = (): InitResult<string> => {
      if (outcome === 'stop') return { tag: 'stop', reason: atom(`${name}_failed`) };
      if (outcome === 'throw') throw new Error(`${name} threw`);
      if (outcome === 'ignore') return { tag: 'ignore' };
      log.push(`up ${name}`);
      return { tag: 'ok', state: name };
    };
    if (delay === undefined) return finish();
    return ctx
      .receive(() => false, delay)
      .then((r) => {
        expect(r).toBe(TIMEOUT);
        return finish();
      });
  }
  override handleInfo(_msg: unknown, state: string): NoReplyResult<string> {
    return { tag: 'noreply', state };
  }
  override terminate(reason: unknown, state: string): void {
    log.push(`stop ${state} ${String(reason)}`);
  }
}

const srv = (args: Args, extra: Partial<ChildSpec> = {}): ChildSpec => ({
  id: args.name,
  start: (ctx: ProcessContext) => GenServer.startLink(ctx, Srv, args),
  ...extra,
});

describe('GenServer.start(ctx, ..., { link: true }) children (the same acknowledged start as startLink)', () => {
  const plain = (args: Args): ChildSpec => ({ id: args.name, start: (ctx) => GenServer.start(ctx, Srv, args, { link: true }) });

  it('a failed init is a failed start: the started ones stop in reverse order', async () => {
    setup();
    const reason = await startFailure(rt, (ctx) =>
      Supervisor.start(ctx, { children: [plain({ name: 'a' }), plain({ name: 'b', outcome: 'stop' }), plain({ name: 'c' })] }),
    );
    expect(reason).toEqual(t(A('shutdown'), t(A('failed_to_start_child'), A('b'), A('b_failed'))));
    expect(log).toEqual(['init a', 'up a', 'init b', 'stop a shutdown']);
  });

  it('ignore keeps the child as not running; startChild reports a failed init', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [plain({ name: 'i', outcome: 'ignore' })] });
    expect(await Supervisor.whichChildren(rt, sup)).toEqual([{ id: 'i', pid: undefined, type: 'worker', modules: [] }]);
    expect(await Supervisor.startChild(rt, sup, plain({ name: 'bad', outcome: 'stop' }))).toEqual({ ok: false, error: A('bad_failed') });
    expect((await Supervisor.whichChildren(rt, sup)).map((c) => c.id)).toEqual(['i']);
  });
});

describe('acknowledged starts (init_ack)', () => {
  it("an async init finishes before the next child starts; the supervisor's start waits for all", async () => {
    setup();
    let started = false;
    const supP = Supervisor.start(rt, { children: [srv({ name: 'a', delay: 100 }), srv({ name: 'b' })] }, { name: 'sup' });
    void supP.then(() => (started = true));
    await rt.settle();
    expect(log).toEqual(['init a']);
    expect(started).toBe(false);
    // requests (by name: the start has not returned a pid yet) wait for the start
    let answered = false;
    const which = Supervisor.whichChildren(rt, 'sup').then((w) => {
      answered = true;
      return w;
    });
    await rt.settle();
    expect(answered).toBe(false);
    await clock.advance(100);
    expect(log).toEqual(['init a', 'up a', 'init b', 'up b']);
    expect(await supP).toEqual(rt.whereis('sup'));
    expect((await which).map((c) => c.id)).toEqual(['b', 'a']); // newest first
  });

  it('an init that stops fails the supervisor start; the started ones stop in reverse order', async () => {
    setup();
    const reason = await startFailure(rt, (ctx) =>
      Supervisor.start(ctx, { children: [srv({ name: 'a' }), srv({ name: 'b' }), srv({ name: 'c', outcome: 'stop' }), srv({ name: 'd' })] }),
    );
    expect(reason).toEqual(t(A('shutdown'), t(A('failed_to_start_child'), A('c'), A('c_failed'))));
    expect(log).toEqual(['init a', 'up a', 'init b', 'up b', 'init c', 'stop b shutdown', 'stop a shutdown']);
  });

  it('an init that throws fails the start with the thrown error', async () => {
    setup();
    const reason = await startFailure(rt, (ctx) => Supervisor.start(ctx, { children: [srv({ name: 'x', outcome: 'throw' })] }));
    const inner = ((reason as { get(i: number): unknown }).get(1) as { get(i: number): unknown }).get(2);
    expect((inner as Error).message).toBe('x threw');
  });

  it('ignore keeps the child as not running', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [srv({ name: 'i', outcome: 'ignore' }), srv({ name: 'j' })] });
    const kids = await Supervisor.whichChildren(rt, sup);
    expect(kids.map((k) => [k.id, k.pid instanceof Pid])).toEqual([
      ['j', true],
      ['i', false],
    ]);
  });

  it('a child that dies before acknowledging is a failed start', async () => {
    setup();
    const reasonP = startFailure(rt, (ctx) => Supervisor.start(ctx, { children: [srv({ name: 'slow', delay: 1000 })] }));
    await rt.settle();
    expect(log).toEqual(['init slow']);
    rt.exit(pids.get('slow')!, A('kill'));
    expect(await reasonP).toEqual(t(A('shutdown'), t(A('failed_to_start_child'), A('slow'), A('killed'))));
  });

  it('a plain Supervisor.start child is waited for as well (supervisor:start_link semantics)', async () => {
    setup();
    const sub = (children: ChildSpec[]): ChildSpec => ({ id: 'sub', type: 'supervisor', start: (ctx) => Supervisor.start(ctx, { children }) });
    const top = Supervisor.start(rt, { children: [sub([srv({ name: 'x', delay: 50 })]), srv({ name: 'after' })] });
    await rt.settle();
    expect(log).toEqual(['init x']);
    await clock.advance(50);
    expect(log).toEqual(['init x', 'up x', 'init after', 'up after']);
    expect(await top).toBeInstanceOf(Pid);
    log.length = 0;

    // the sub-supervisor fails after starting one child: it must stop that child before failing
    const reason = await startFailure(rt, (ctx) =>
      Supervisor.start(ctx, {
        children: [srv({ name: 'first' }), sub([srv({ name: 'y' }), srv({ name: 'z', outcome: 'stop' })]), srv({ name: 'never' })],
      }),
    );
    expect(reason).toEqual(
      t(A('shutdown'), t(A('failed_to_start_child'), A('sub'), t(A('shutdown'), t(A('failed_to_start_child'), A('z'), A('z_failed'))))),
    );
    expect(log).toEqual(['init first', 'up first', 'init y', 'up y', 'init z', 'stop y shutdown', 'stop first shutdown']);
  });

  it('startChild / restartChild wait for the ack and report an init failure as the error', async () => {
    setup();
    const sup = await Supervisor.start(rt, { children: [] });
    expect(await Supervisor.startChild(rt, sup, srv({ name: 'bad', outcome: 'stop' }))).toEqual({ ok: false, error: A('bad_failed') });
    expect(await Supervisor.whichChildren(rt, sup)).toEqual([]);

    let done = false;
    const r = Supervisor.startChild(rt, sup, srv({ name: 'good', delay: 10 })).then((x) => {
      done = true;
      return x;
    });
    await rt.settle();
    expect(done).toBe(false);
    await clock.advance(10);
    expect((await r).ok).toBe(true);

    let attempt = 0;
    const spec: ChildSpec = {
      id: 'r',
      start: (ctx: ProcessContext) => GenServer.startLink(ctx, Srv, { name: 'r', outcome: attempt++ === 0 ? 'ok' : 'stop' }),
    };
    expect((await Supervisor.startChild(rt, sup, spec)).ok).toBe(true);
    expect(await Supervisor.terminateChild(rt, sup, 'r')).toEqual({ ok: true });
    expect(await Supervisor.restartChild(rt, sup, 'r')).toEqual({ ok: false, error: A('r_failed') });
    expect((await Supervisor.whichChildren(rt, sup)).map((c) => [c.id, c.pid instanceof Pid])).toEqual([
      ['r', false],
      ['good', true],
    ]);
  });

  it('a restart waits for the ack; an init failing on restart is retried and counts toward intensity', async () => {
    setup();
    let attempt = 0;
    const sup = await Supervisor.start(rt, {
      intensity: 2,
      children: [
        {
          id: 'flaky',
          start: (ctx: ProcessContext) => GenServer.startLink(ctx, Srv, { name: 'flaky', outcome: attempt++ === 0 ? 'ok' : 'stop' }),
        },
      ],
    });
    await rt.settle();
    const p = pidOf(await Supervisor.whichChildren(rt, sup), 'flaky');
    rt.exit(p, A('kill'));
    await rt.settle();
    // restart 1 fails (init stops), retry = restart 2 fails, retry = restart 3 exceeds intensity 2
    expect(rt.isAlive(sup)).toBe(false);
    expect(attempt).toBe(3);
  });

  it('StateMachine.start: the initial actions run inside the start; a failing entry is a failed start', async () => {
    setup();
    const m = xsetup({ actions: { hello: effect(() => void log.push('machine entry')) } }).createMachine({ entry: 'hello' });
    const bad = xsetup({
      actions: {
        boom: effect(() => {
          throw new Error('entry failed');
        }),
      },
    }).createMachine({ entry: 'boom' });
    await Supervisor.start(rt, {
      children: [
        { id: 'm', start: (ctx: ProcessContext) => StateMachine.start(ctx, m) },
        { id: 'w', start: worker(log, 'w') },
      ],
    });
    await rt.settle();
    expect(log).toEqual(['machine entry', 'start w']);
    const reason = await startFailure(rt, (ctx) =>
      Supervisor.start(ctx, { children: [{ id: 'bad', start: (c: ProcessContext) => StateMachine.start(c, bad) }] }),
    );
    const inner = ((reason as { get(i: number): unknown }).get(1) as { get(i: number): unknown }).get(2);
    expect((inner as Error).message).toBe('entry failed');
  });
});
