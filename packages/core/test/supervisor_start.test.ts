import { Pid, atom, t } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import { setup as xsetup } from 'xstate';
import { GenServer, type InitResult } from '../src/gen_server.ts';
import { StateMachine, effect } from '../src/state_machine.ts';
import { Supervisor, type ChildSpec } from '../src/supervisor.ts';
import { startGenServerAcked } from '../src/supervisor_start.ts';
import { TIMEOUT, type ProcessContext } from '../src/types.ts';
import type { Runtime } from '../src/runtime.ts';
import type { TestClock } from '../src/clock.ts';
import { A, exitReasonOf, newRuntime, pidOf, worker } from './supervisor_helpers.ts';

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
    log.push(`init ${name}`);
    const finish = (): InitResult<string> => {
      if (outcome === 'stop') return { stop: atom(`${name}_failed`) };
      if (outcome === 'throw') throw new Error(`${name} threw`);
      if (outcome === 'ignore') return atom('ignore');
      log.push(`up ${name}`);
      return { ok: true, state: name };
    };
    if (delay === undefined) return finish();
    return ctx.receive(() => false, delay).then((r) => {
      expect(r).toBe(TIMEOUT);
      return finish();
    });
  }
  override handleInfo(_msg: unknown, state: string) {
    return { noreply: true as const, state };
  }
  override terminate(reason: unknown, state: string): void {
    log.push(`stop ${state} ${String(reason)}`);
  }
}

const srv = (args: Args, extra: Partial<ChildSpec> = {}): ChildSpec => ({
  id: args.name,
  start: (ctx: ProcessContext) => startGenServerAcked(ctx, Srv, args),
  ...extra,
});

describe('plain GenServer.start children (init runs inside spawn)', () => {
  const plain = (args: Args): ChildSpec => ({ id: args.name, start: (ctx) => GenServer.start(ctx, Srv, args, { link: true }) });

  it('a failed init is a failed start: the started ones stop in reverse order', async () => {
    setup();
    const reason = await exitReasonOf(rt, (ctx) =>
      Supervisor.start(ctx, { children: [plain({ name: 'a' }), plain({ name: 'b', outcome: 'stop' }), plain({ name: 'c' })] }),
    );
    expect(reason).toEqual(t(A('shutdown'), t(A('failed_to_start_child'), 'b', A('b_failed'))));
    expect(log).toEqual(['init a', 'up a', 'init b', 'stop a shutdown']);
  });

  it('ignore keeps the child as not running; startChild reports a failed init', async () => {
    setup();
    const sup = Supervisor.start(rt, { children: [plain({ name: 'i', outcome: 'ignore' })] });
    expect(await Supervisor.whichChildren(rt, sup)).toEqual([{ id: 'i', pid: undefined, type: 'worker', modules: [] }]);
    expect(await Supervisor.startChild(rt, sup, plain({ name: 'bad', outcome: 'stop' }))).toEqual({ ok: false, error: A('bad_failed') });
    expect((await Supervisor.whichChildren(rt, sup)).map((c) => c.id)).toEqual(['i']);
  });
});

describe('acknowledged starts (init_ack)', () => {
  it('an async init finishes before the next child starts', async () => {
    setup();
    const sup = Supervisor.start(rt, { children: [srv({ name: 'a', delay: 100 }), srv({ name: 'b' })] });
    await rt.settle();
    expect(log).toEqual(['init a']);
    // requests wait for the start
    let answered = false;
    const which = Supervisor.whichChildren(rt, sup).then((w) => ((answered = true), w));
    await rt.settle();
    expect(answered).toBe(false);
    await clock.advance(100);
    expect(log).toEqual(['init a', 'up a', 'init b', 'up b']);
    expect((await which).map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('an init that stops fails the supervisor start; the started ones stop in reverse order', async () => {
    setup();
    const reason = await exitReasonOf(rt, (ctx) =>
      Supervisor.start(ctx, { children: [srv({ name: 'a' }), srv({ name: 'b' }), srv({ name: 'c', outcome: 'stop' }), srv({ name: 'd' })] }),
    );
    expect(reason).toEqual(t(A('shutdown'), t(A('failed_to_start_child'), 'c', A('c_failed'))));
    expect(log).toEqual(['init a', 'up a', 'init b', 'up b', 'init c', 'stop b shutdown', 'stop a shutdown']);
  });

  it('an init that throws fails the start with the thrown error', async () => {
    setup();
    const reason = await exitReasonOf(rt, (ctx) => Supervisor.start(ctx, { children: [srv({ name: 'x', outcome: 'throw' })] }));
    const inner = ((reason as { get(i: number): unknown }).get(1) as { get(i: number): unknown }).get(2);
    expect((inner as Error).message).toBe('x threw');
  });

  it('ignore keeps the child as not running', async () => {
    setup();
    const sup = Supervisor.start(rt, { children: [srv({ name: 'i', outcome: 'ignore' }), srv({ name: 'j' })] });
    const kids = await Supervisor.whichChildren(rt, sup);
    expect(kids.map((k) => [k.id, k.pid instanceof Pid])).toEqual([
      ['i', false],
      ['j', true],
    ]);
  });

  it('a child that dies before acknowledging is a failed start', async () => {
    setup();
    let child!: Pid;
    const reasonP = exitReasonOf(rt, (ctx) =>
      Supervisor.start(ctx, {
        children: [
          {
            id: 'slow',
            start: (c: ProcessContext) => {
              const p = startGenServerAcked(c, Srv, { name: 'slow', delay: 1000 });
              child = p.pid;
              return p;
            },
          },
        ],
      }),
    );
    await rt.settle();
    rt.exit(child, A('kill'));
    expect(await reasonP).toEqual(t(A('shutdown'), t(A('failed_to_start_child'), 'slow', A('killed'))));
  });

  it('a plain Supervisor.start child is waited for as well (supervisor:start_link semantics)', async () => {
    setup();
    const sub = (children: ChildSpec[]): ChildSpec => ({ id: 'sub', type: 'supervisor', start: (ctx) => Supervisor.start(ctx, { children }) });
    Supervisor.start(rt, { children: [sub([srv({ name: 'x', delay: 50 })]), srv({ name: 'after' })] });
    await rt.settle();
    expect(log).toEqual(['init x']);
    await clock.advance(50);
    expect(log).toEqual(['init x', 'up x', 'init after', 'up after']);
    log.length = 0;

    // the sub-supervisor fails after starting one child: it must stop that child before failing
    const reason = await exitReasonOf(rt, (ctx) =>
      Supervisor.start(ctx, {
        children: [srv({ name: 'first' }), sub([srv({ name: 'y' }), srv({ name: 'z', outcome: 'stop' })]), srv({ name: 'never' })],
      }),
    );
    expect(reason).toEqual(
      t(A('shutdown'), t(A('failed_to_start_child'), 'sub', t(A('shutdown'), t(A('failed_to_start_child'), 'z', A('z_failed'))))),
    );
    expect(log).toEqual(['init first', 'up first', 'init y', 'up y', 'init z', 'stop y shutdown', 'stop first shutdown']);
  });

  it('startChild / restartChild wait for the ack and report an init failure as the error', async () => {
    setup();
    const sup = Supervisor.start(rt, { children: [] });
    expect(await Supervisor.startChild(rt, sup, srv({ name: 'bad', outcome: 'stop' }))).toEqual({ ok: false, error: A('bad_failed') });
    expect(await Supervisor.whichChildren(rt, sup)).toEqual([]);

    let done = false;
    const r = Supervisor.startChild(rt, sup, srv({ name: 'good', delay: 10 })).then((x) => ((done = true), x));
    await rt.settle();
    expect(done).toBe(false);
    await clock.advance(10);
    expect((await r).ok).toBe(true);

    let attempt = 0;
    const spec: ChildSpec = {
      id: 'r',
      start: (ctx: ProcessContext) => startGenServerAcked(ctx, Srv, { name: 'r', outcome: attempt++ === 0 ? 'ok' : 'stop' }),
    };
    expect((await Supervisor.startChild(rt, sup, spec)).ok).toBe(true);
    expect(await Supervisor.terminateChild(rt, sup, 'r')).toEqual({ ok: true });
    expect(await Supervisor.restartChild(rt, sup, 'r')).toEqual({ ok: false, error: A('r_failed') });
    expect((await Supervisor.whichChildren(rt, sup)).map((c) => [c.id, c.pid instanceof Pid])).toEqual([
      ['good', true],
      ['r', false],
    ]);
  });

  it('a restart waits for the ack; an init failing on restart is retried and counts toward intensity', async () => {
    setup();
    let attempt = 0;
    const sup = Supervisor.start(rt, {
      intensity: 2,
      children: [
        {
          id: 'flaky',
          start: (ctx: ProcessContext) => startGenServerAcked(ctx, Srv, { name: 'flaky', outcome: attempt++ === 0 ? 'ok' : 'stop' }),
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
    const bad = xsetup({ actions: { boom: effect(() => { throw new Error('entry failed'); }) } }).createMachine({ entry: 'boom' });
    Supervisor.start(rt, {
      children: [{ id: 'm', start: (ctx: ProcessContext) => StateMachine.start(ctx, m) }, { id: 'w', start: worker(log, 'w') }],
    });
    await rt.settle();
    expect(log).toEqual(['machine entry', 'start w']);
    const reason = await exitReasonOf(rt, (ctx) =>
      Supervisor.start(ctx, { children: [{ id: 'bad', start: (c: ProcessContext) => StateMachine.start(c, bad) }] }),
    );
    const inner = ((reason as { get(i: number): unknown }).get(1) as { get(i: number): unknown }).get(2);
    expect((inner as Error).message).toBe('entry failed');
  });
});
