import { type Pid, type Tuple, atom, t } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, cancel, createActor, emit, initialTransition, raise, sendTo, setup as xsetup, transition } from 'xstate';
import { GenServer, StateMachine, Supervisor, effect, sys, type Runtime, type TestClock } from '../src/index.ts';
import { isDown, newRuntime, pidOf, run, startFailure, watch } from './supervisor_helpers.ts';

let rt: Runtime;
let clock: TestClock;

function setup(): void {
  ({ rt, clock } = newRuntime());
}

afterEach(async () => {
  if (rt && !rt.isStopped) await rt.stop();
});

/** A process that collects every message it gets into `inbox`. */
function collector(inbox: unknown[]): Pid {
  return rt.spawn(async (ctx) => {
    for (;;) inbox.push(await ctx.receive());
  });
}

// A door: closed --open--> opened --close--> closed; 'lock' from closed is final.
// `notify` is an effect: it tells context.watcher (a pid) about each state entered.
const door = xsetup({
  types: {} as {
    context: { watcher: Pid | undefined; opens: number };
    events: { type: 'open' } | { type: 'close' } | { type: 'lock' } | { type: 'ping'; from: Pid };
    input: { watcher?: Pid } | undefined;
  },
  actions: {
    notify: effect((ctx, { context }, params: { state: string }) => {
      if (context.watcher) ctx.send(context.watcher, ['entered', params.state, ctx.self]);
    }),
    pong: effect((ctx, { event }) => {
      if (event.type === 'ping') ctx.send(event.from, 'pong');
    }),
  },
}).createMachine({
  id: 'door',
  initial: 'closed',
  context: ({ input }) => ({ watcher: input?.watcher, opens: 0 }),
  on: { ping: { actions: 'pong' } },
  states: {
    closed: {
      entry: { type: 'notify', params: { state: 'closed' } },
      on: { open: { target: 'opened', actions: assign({ opens: ({ context }) => context.opens + 1 }) }, lock: 'locked' },
    },
    opened: {
      entry: { type: 'notify', params: { state: 'opened' } },
      on: { close: 'closed' },
    },
    locked: { type: 'final' },
  },
  output: ({ context }) => ({ opens: context.opens }),
});

describe('StateMachine: pure transitions, effects in the process', () => {
  it('transition() is pure: the same snapshot and event give the same result and run no effect', () => {
    let runs = 0;
    const m = xsetup({ actions: { count: () => void runs++ } }).createMachine({
      initial: 'a',
      states: { a: { on: { go: { target: 'b', actions: 'count' } } }, b: {} },
    });
    const [s0] = initialTransition(m);
    const [s1, a1] = transition(m, s0, { type: 'go' });
    const [s2, a2] = transition(m, s0, { type: 'go' });
    expect(runs).toBe(0);
    expect(s1.value).toBe('b');
    expect(s2.value).toBe('b');
    expect(s0.value).toBe('a');
    expect(a1.map((a) => a.type)).toEqual(['count']);
    expect(a2.map((a) => a.type)).toEqual(['count']);
  });

  it('hosted: each message is an event, actions run once, in the process, with its context', async () => {
    setup();
    const inbox: unknown[] = [];
    const watcher = collector(inbox);
    const pid = await StateMachine.start(rt, door, { input: { watcher } });
    await rt.settle();
    expect(inbox).toEqual([['entered', 'closed', pid]]);
    StateMachine.send(rt, pid, { type: 'open' });
    StateMachine.send(rt, pid, { type: 'open' }); // no transition from opened: ignored
    GenServer.cast(rt, pid, { type: 'close' }); // casts are events too
    await rt.settle();
    expect(inbox).toEqual([
      ['entered', 'closed', pid],
      ['entered', 'opened', pid],
      ['entered', 'closed', pid],
    ]);
    const snap = await sys.getState<{ value: unknown; context: { opens: number } }>(rt, pid);
    expect(snap.value).toBe('closed');
    expect(snap.context.opens).toBe(1);
  });

  it('actions get the process context: they can reply to a sender', async () => {
    setup();
    const pid = await StateMachine.start(rt, door, { name: 'door' });
    const reply = await run(rt, async (ctx) => {
      StateMachine.send(ctx, 'door', { type: 'ping', from: ctx.self });
      return ctx.receive();
    });
    expect(reply).toBe('pong');
    expect(rt.whereis('door')).toEqual(pid);
  });

  it('the actions option implements actions by type with the process context', async () => {
    setup();
    // `greet` is declared (a no-op) in the machine; the host implements it
    const m = xsetup({ types: {} as { events: { type: 'hello'; to: Pid } }, actions: { greet: (_: unknown, _p: { to: Pid }) => {} } }).createMachine({
      on: { hello: { actions: { type: 'greet', params: ({ event }) => ({ to: event.to }) } } },
    });
    const got = await run(rt, async (ctx) => {
      const pid = await StateMachine.start(ctx, m, {
        actions: { greet: (c, _info, params: { to: Pid }) => c.send(params.to, ['hi from', c.self]) },
      });
      ctx.send(pid, { type: 'hello', to: ctx.self });
      return [pid, await ctx.receive()];
    });
    expect(got[1]).toEqual(['hi from', got[0]]);
  });

  it('effect() refuses to run outside a StateMachine process', () => {
    const m = xsetup({ actions: { boom: effect(() => {}) } }).createMachine({ entry: 'boom' });
    const errors: unknown[] = [];
    const actor = createActor(m);
    actor.subscribe({ error: (e) => errors.push(e) });
    actor.start();
    expect(String(errors[0])).toContain('outside a StateMachine process');
  });

  it('toEvent maps other messages; unmapped messages are dropped', async () => {
    setup();
    const m = xsetup({ types: {} as { context: { n: number } } }).createMachine({
      context: { n: 0 },
      on: { inc: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
    });
    const pid = await StateMachine.start(rt, m, { toEvent: (msg) => (msg === 'inc' ? { type: 'inc' } : undefined) });
    rt.send(pid, 'inc');
    rt.send(pid, 'other');
    rt.send(pid, t(atom('weird')));
    rt.send(pid, 'inc');
    await rt.settle();
    expect((await sys.getState<{ context: { n: number } }>(rt, pid)).context.n).toBe(2);
  });

  it('StateMachine.call transitions and replies with the next snapshot', async () => {
    setup();
    const pid = await StateMachine.start(rt, door);
    const snap = await StateMachine.call(rt, pid, { type: 'open' }); // typed: the door's snapshot
    expect(snap.value).toBe('opened');
    expect(snap.context.opens).toBe(1);
  });

  it('emit reaches the onEmit option', async () => {
    setup();
    const m = xsetup({}).createMachine({ on: { go: { actions: emit({ type: 'went' }) } } });
    const emitted: unknown[] = [];
    const pid = await StateMachine.start(rt, m, { onEmit: (ctx, e) => emitted.push([e.type, ctx.self]) });
    rt.send(pid, { type: 'go' });
    await rt.settle();
    expect(emitted).toEqual([['went', pid]]);
  });
});

describe('StateMachine: delayed transitions on the runtime clock', () => {
  const timerMachine = xsetup({
    types: {} as { context: { watcher: Pid }; input: { watcher: Pid } },
    actions: {
      tell: effect((ctx, { context }, p: { what: string }) => ctx.send(context.watcher, p.what)),
    },
  }).createMachine({
    initial: 'idle',
    context: ({ input }) => ({ watcher: input.watcher }),
    states: {
      idle: { on: { start: 'waiting' } },
      waiting: {
        entry: { type: 'tell', params: { what: 'waiting' } },
        after: { 1000: 'expired' },
        on: { answer: 'answered' },
      },
      expired: { entry: { type: 'tell', params: { what: 'expired' } } },
      answered: { entry: { type: 'tell', params: { what: 'answered' } } },
    },
  });

  it('after: fires when the clock reaches the delay, not before', async () => {
    setup();
    const inbox: unknown[] = [];
    const w = collector(inbox);
    const pid = await StateMachine.start(rt, timerMachine, { input: { watcher: w } });
    rt.send(pid, { type: 'start' });
    await rt.settle();
    expect(inbox).toEqual(['waiting']);
    await clock.advance(999);
    expect(inbox).toEqual(['waiting']);
    await clock.advance(1);
    expect(inbox).toEqual(['waiting', 'expired']);
    expect(clock.pending).toBe(0);
  });

  it('leaving the state cancels its delayed transition', async () => {
    setup();
    const inbox: unknown[] = [];
    const w = collector(inbox);
    const pid = await StateMachine.start(rt, timerMachine, { input: { watcher: w } });
    rt.send(pid, { type: 'start' });
    await clock.advance(500);
    rt.send(pid, { type: 'answer' });
    await rt.settle();
    expect(clock.pending).toBe(0);
    await clock.advance(5000);
    expect(inbox).toEqual(['waiting', 'answered']);
  });

  it('a stopped machine leaves no timer behind', async () => {
    setup();
    const inbox: unknown[] = [];
    const w = collector(inbox);
    const pid = await StateMachine.start(rt, timerMachine, { input: { watcher: w } });
    rt.send(pid, { type: 'start' });
    await rt.settle();
    expect(clock.pending).toBe(1);
    await GenServer.stop(rt, pid);
    expect(clock.pending).toBe(0);
    await clock.advance(5000);
    expect(inbox).toEqual(['waiting']);
  });

  it('delayed raise / sendTo(self) / cancel', async () => {
    setup();
    const inbox: unknown[] = [];
    const w = collector(inbox);
    const m = xsetup({
      types: {} as { context: { w: Pid }; input: { w: Pid } },
      actions: { tell: effect((ctx, { context, event }) => ctx.send(context.w, event.type)) },
    }).createMachine({
      context: ({ input }) => ({ w: input.w }),
      on: {
        arm: { actions: [raise({ type: 'r1' }, { delay: 100, id: 'r1' }), sendTo(({ self }) => self, { type: 's1' }, { delay: 200, id: 's1' })] },
        disarm: { actions: cancel('s1') },
        r1: { actions: 'tell' },
        s1: { actions: 'tell' },
      },
    });
    const pid = await StateMachine.start(rt, m, { input: { w } });
    rt.send(pid, { type: 'arm' });
    await clock.advance(150);
    expect(inbox).toEqual(['r1']);
    rt.send(pid, { type: 'disarm' });
    await clock.advance(1000);
    expect(inbox).toEqual(['r1']);
    rt.send(pid, { type: 'arm' });
    await clock.advance(1000);
    expect(inbox).toEqual(['r1', 'r1', 's1']);
  });
});

describe('StateMachine: events to itself', () => {
  it('an undelayed sendTo(self) is handled after the current event, with no clock needed', async () => {
    setup();
    const m = xsetup({ types: {} as { context: { seen: string[] } } }).createMachine({
      context: { seen: [] },
      on: {
        first: { actions: [sendTo(({ self }) => self, { type: 'second' }), assign({ seen: ({ context }) => [...context.seen, 'first'] })] },
        second: { actions: assign({ seen: ({ context }) => [...context.seen, 'second'] }) },
      },
    });
    // toEvent only knows 'go': the self-sent event must not depend on it
    const pid = await StateMachine.start(rt, m, { toEvent: (x) => (x === 'go' ? { type: 'first' } : undefined) });
    rt.send(pid, 'go');
    await rt.settle();
    expect((await sys.getState<{ context: { seen: string[] } }>(rt, pid)).context.seen).toEqual(['first', 'second']);
  });
});

describe('StateMachine: lifecycle', () => {
  it('a failing initial transition fails the start', async () => {
    setup();
    const m = xsetup({ types: {} as { input: { n: number } } }).createMachine({
      context: ({ input }) => {
        if (input.n < 0) throw new Error('negative');
        return {};
      },
    });
    const reason = await startFailure(rt, (ctx) => StateMachine.start(ctx, m, { input: { n: -1 } }));
    expect((reason as Error).message).toBe('negative');
  });

  it('started from a process it is linked to it by default; from the runtime it is not; sys names it state_machine', async () => {
    setup();
    const root = await StateMachine.start(rt, door);
    expect(rt.processInfo(root)!.links).toEqual([]);
    await run(rt, async (ctx) => {
      const linked = await StateMachine.start(ctx, door);
      expect(rt.processInfo(linked)!.links.map((l) => l.id)).toEqual([ctx.self.id]);
      expect(await sys.getStatus(ctx, linked)).toMatchObject({ pid: linked, behaviour: 'state_machine', parent: ctx.self });
    });
    expect(rt.processInfo(root)!.behaviour).toBe('state_machine');
  });

  it('a final state stops the process with reason normal', async () => {
    setup();
    const pid = await StateMachine.start(rt, door);
    await rt.settle();
    const down = await watch(rt, pid);
    rt.send(pid, { type: 'lock' });
    expect(await down()).toBe(atom('normal'));
  });

  it('a throwing action crashes the process with the error', async () => {
    setup();
    const m = xsetup({
      actions: {
        bad: effect(() => {
          throw new Error('kaput');
        }),
      },
    }).createMachine({ on: { go: { actions: 'bad' } } });
    const pid = await StateMachine.start(rt, m);
    await rt.settle();
    const down = await watch(rt, pid);
    rt.send(pid, { type: 'go' });
    const reason = await down();
    expect(reason).toBeInstanceOf(Error);
    expect((reason as Error).message).toBe('kaput');
  });

  it('unsupported built-ins (spawnChild) stop the process instead of being dropped', async () => {
    setup();
    const child = xsetup({}).createMachine({});
    const m = xsetup({ actors: { child } }).createMachine({ invoke: { src: 'child' } });
    const reason = await startFailure(rt, (ctx) => StateMachine.start(ctx, m));
    expect(reason).toEqual(t(atom('unsupported_action'), 'xstate.spawnChild'));
  });

  it('runs under a supervisor: a crash restarts it from the initial state', async () => {
    setup();
    const m = xsetup({
      types: {} as { context: { n: number } },
      actions: {
        crash: effect(() => {
          throw new Error('crash');
        }),
      },
    }).createMachine({
      context: { n: 0 },
      on: { inc: { actions: assign({ n: ({ context }) => context.n + 1 }) }, crash: { actions: 'crash' } },
    });
    const sup = await Supervisor.start(rt, { children: [{ id: 'sm', start: (ctx) => StateMachine.start(ctx, m) }] });
    await rt.settle();
    const p1 = pidOf(await Supervisor.whichChildren(rt, sup), 'sm');
    rt.send(p1, { type: 'inc' });
    rt.send(p1, { type: 'inc' });
    await rt.settle();
    expect((await sys.getState<{ context: { n: number } }>(rt, p1)).context.n).toBe(2);
    rt.send(p1, { type: 'crash' });
    await rt.settle();
    const p2 = pidOf(await Supervisor.whichChildren(rt, sup), 'sm');
    expect(p2.id).not.toBe(p1.id);
    expect((await sys.getState<{ context: { n: number } }>(rt, p2)).context.n).toBe(0);
    // and a supervisor shutdown stops it
    expect(await Supervisor.stop(rt, sup)).toBe(atom('shutdown'));
    expect(rt.isAlive(p2)).toBe(false);
  });

  it('the final snapshot (with the output) is what terminate sees; DOWN carries normal', async () => {
    setup();
    const got = await run(rt, async (ctx) => {
      const pid = await StateMachine.start(ctx, door, { link: false });
      const ref = ctx.monitor(pid);
      ctx.send(pid, { type: 'open' });
      ctx.send(pid, { type: 'close' });
      const snap = await StateMachine.call(ctx, pid, { type: 'lock' }).catch((e) => e);
      const down = (await ctx.receive((m: unknown) => isDown(m))) as Tuple;
      return { snap, ref, down };
    });
    expect(got.snap.status).toBe('done');
    expect(got.snap.output).toEqual({ opens: 1 });
    expect(got.down.get(4)).toBe(atom('normal'));
  });
});
