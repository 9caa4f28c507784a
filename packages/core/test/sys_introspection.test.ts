import { type Pid, type Tuple, atom } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CallError,
  CallTimeout,
  ExitError,
  type From,
  GenServer,
  type Runtime,
  type TestClock,
  ok,
  reply,
  sys,
  type ProcessBehaviour,
  type ProcessContext,
} from '../src/index.ts';
import { setup } from './helpers.ts';

let rt: Runtime;
afterEach(async () => {
  await rt?.stop();
});

class Store extends GenServer<{ items: string[] }> {
  init() {
    return ok({ items: [] as string[] });
  }
  override handleCall(req: unknown, _f: From, s: { items: string[] }) {
    return reply(s.items.length, { items: [...s.items, String(req)] });
  }
  override describe(s: { items: string[] }) {
    return { size: s.items.length };
  }
}

describe('sys (system messages)', () => {
  it('getState / replaceState / getStatus / statistics on a GenServer', async () => {
    ({ rt } = setup());
    const pid = await GenServer.start(rt, Store, undefined, { name: 'store' });
    await GenServer.call(rt, pid, 'a');
    expect(await sys.getState(rt, 'store')).toEqual({ items: ['a'] });
    expect(await sys.replaceState(rt, pid, (s: { items: string[] }) => ({ items: [...s.items, 'z'] }))).toEqual({ items: ['a', 'z'] });
    const status = await sys.getStatus(rt, pid);
    // started from the runtime: the runtime's init pid is its parent (the application master's role)
    expect(status).toMatchObject({ pid, behaviour: 'Store', status: 'running', parent: rt.initPid, state: { items: ['a', 'z'] } });
    const stats = await sys.statistics(rt, pid);
    expect(stats.messagesIn).toBeGreaterThanOrEqual(4);
    // the init ack, the reply to 'a', and the replies to get_state, replace_state and get_status
    expect(stats.messagesOut).toBe(5);
  });

  it('suspend: only system messages are answered; resume delivers the rest in order', async () => {
    ({ rt } = setup());
    const pid = await GenServer.start(rt, Store);
    await sys.suspend(rt, pid);
    let done = false;
    const p = GenServer.call(rt, pid, 'x').then((n) => {
      done = true;
      return n;
    });
    await rt.settle();
    expect(done).toBe(false);
    expect((await sys.getStatus(rt, pid)).status).toBe('suspended');
    expect(rt.processInfo(pid)!.status).toBe('waiting'); // in sys's receive, as erl's process_info says
    await sys.resume(rt, pid);
    expect(await p).toBe(0);
    expect(await sys.getState(rt, pid)).toEqual({ items: ['x'] });
  });

  it('a plain process does not answer sys (as in OTP, only behaviour loops do): the call times out', async () => {
    let clock: TestClock;
    ({ rt, clock } = setup());
    const seen: unknown[] = [];
    const pid = rt.spawn({ handleMessage: (_c: ProcessContext, m: unknown) => void seen.push(m) });
    const p = sys.getState(rt, pid, 100).catch((e: unknown) => e);
    await clock.advance(100);
    expect(await p).toBeInstanceOf(CallTimeout);
    expect(seen.map((m) => (m as Tuple).elements[0])).toEqual([atom('system')]);
  });

  it('sys terminate runs the server terminate; GenServer.stop of a dead pid rejects with plain noproc', async () => {
    ({ rt } = setup());
    const pid = await GenServer.start(rt, Store);
    await sys.terminate(rt, pid, atom('normal'));
    await rt.settle();
    expect(rt.isAlive(pid)).toBe(false);
    const err = (await GenServer.stop(rt, pid).catch((e: unknown) => e)) as ExitError;
    expect(err).toBeInstanceOf(ExitError);
    expect(err).not.toBeInstanceOf(CallError);
    expect(err.reason).toBe(atom('noproc'));
  });
});

describe('introspection', () => {
  it('processInfo reports status, mailbox, links, monitors, name, behaviour, parent, counts', async () => {
    ({ rt } = setup());
    let child!: Pid;
    let mon!: Pid;
    const parent = rt.spawn(
      async (ctx) => {
        ctx.trapExit(true);
        child = ctx.spawnLink(async (c) => {
          c.send(ctx.self, 'hi');
          await c.receive((m) => m === 'never');
        });
        mon = ctx.spawn(async (c) => void (await c.receive((m) => m === 'never')));
        ctx.monitor(mon);
        await ctx.receive((m) => m === 'never');
      },
      { name: 'boss' },
    );
    await rt.settle();
    const info = rt.processInfo(parent)!;
    expect(info).toMatchObject({
      pid: parent,
      registeredName: 'boss',
      status: 'waiting',
      messageQueueLen: 1,
      links: [child],
      monitoredBy: [],
      trapExit: true,
      behaviour: 'async',
      parent: undefined,
      ancestors: [],
      messagesIn: 0,
    });
    expect(info.monitors.map((m) => m.target)).toEqual([mon]);
    const cinfo = rt.processInfo(child)!;
    expect(cinfo).toMatchObject({ parent, ancestors: [parent], messagesOut: 1, links: [parent] });
    expect(rt.processInfo(mon)!.monitoredBy).toEqual([parent]);
  });

  it('the process tree as data, with behaviour details', async () => {
    ({ rt } = setup());
    const top = rt.spawn(async (ctx) => {
      await GenServer.startLink(ctx, Store, undefined, { name: 'store' });
      ctx.spawn(async (c) => {
        c.spawn(async (cc) => void (await cc.receive()));
        await c.receive();
      });
      await ctx.receive();
    });
    const lone = rt.spawn({ handleMessage() {} } as ProcessBehaviour);
    await rt.settle();
    const tree = rt.tree();
    expect(tree.map((n) => n.pid)).toEqual([top, lone]);
    const [store, mid] = tree[0].children;
    expect(store).toMatchObject({ name: 'store', behaviour: 'Store', details: { size: 0 }, children: [] });
    expect(mid.behaviour).toBe('async');
    expect(mid.children).toHaveLength(1);
    expect(rt.processInfo(mid.children[0].pid)!.ancestors).toEqual([mid.pid, top]);
    expect(rt.children(top)).toEqual([store.pid, mid.pid]);
    expect(rt.children(lone)).toEqual([]);
  });
});
