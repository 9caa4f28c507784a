import { Pid, atom } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import { From, GenServer, Runtime, sys, type ProcessBehaviour, type ProcessContext } from '../src/index.ts';
import { setup } from './helpers.ts';

let rt: Runtime;
afterEach(async () => {
  await rt?.stop();
});

class Store extends GenServer<{ items: string[] }> {
  init() {
    return { items: [] as string[] };
  }
  override handleCall(req: unknown, _f: From, s: { items: string[] }) {
    return { reply: s.items.length, state: { items: [...s.items, String(req)] } };
  }
  override describe(s: { items: string[] }) {
    return { size: s.items.length };
  }
}

describe('sys (system messages)', () => {
  it('getState / replaceState / getStatus / statistics on a GenServer', async () => {
    ({ rt } = setup());
    const pid = GenServer.start(rt, Store, undefined, { name: 'store' });
    await GenServer.call(rt, pid, 'a');
    expect(await sys.getState(rt, 'store')).toEqual({ items: ['a'] });
    expect(await sys.replaceState(rt, pid, (s: { items: string[] }) => ({ items: [...s.items, 'z'] }))).toEqual({ items: ['a', 'z'] });
    const status = await sys.getStatus(rt, pid);
    expect(status).toMatchObject({ pid, behaviour: 'Store', status: 'running', parent: rt.initPid, state: { items: ['a', 'z'] } });
    const stats = await sys.statistics(rt, pid);
    expect(stats.messagesIn).toBeGreaterThanOrEqual(4);
    expect(stats.messagesOut).toBe(1); // the reply to 'a' (system replies are not counted)
  });

  it('suspend: only system messages are answered; resume delivers the rest in order', async () => {
    ({ rt } = setup());
    const pid = GenServer.start(rt, Store);
    await sys.suspend(rt, pid);
    let done = false;
    const p = GenServer.call(rt, pid, 'x').then((n) => ((done = true), n));
    await rt.settle();
    expect(done).toBe(false);
    expect((await sys.getStatus(rt, pid)).status).toBe('suspended');
    expect(rt.processInfo(pid)!.status).toBe('suspended');
    await sys.resume(rt, pid);
    expect(await p).toBe(0);
    expect(await sys.getState(rt, pid)).toEqual({ items: ['x'] });
  });

  it('a raw callback behaviour answers suspend/statistics too; state requests say not supported', async () => {
    ({ rt } = setup());
    const seen: unknown[] = [];
    const pid = rt.spawn({ handleMessage: (_c: ProcessContext, m: unknown) => void seen.push(m) });
    rt.send(pid, 1);
    expect((await sys.statistics(rt, pid)).messagesIn).toBe(2);
    await expect(sys.getState(rt, pid)).rejects.toThrow(/not_supported/);
    await sys.terminate(rt, pid, atom('normal'));
    expect(rt.isAlive(pid)).toBe(false);
    expect(seen).toEqual([1]);
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
      GenServer.start(ctx, Store, undefined, { link: true, name: 'store' });
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
