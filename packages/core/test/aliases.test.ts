import { ImproperList, Pid, Ref, Tuple, atom, t } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CallTimeout,
  GenServer,
  type Runtime,
  TIMEOUT,
  type TestClock,
  kill,
  type CallResult,
  type NoReplyResult,
  type From,
  type ProcessContext,
  type RemoteRouter,
  noreply,
  ok,
  reply,
} from '../src/index.ts';
import { setup, view } from './helpers.ts';

let rt: Runtime;
let clock: TestClock;
afterEach(async () => {
  await rt?.stop();
});

const A_ALIAS = atom('alias');

/** A process that reports its aliases to the test, then collects messages (drained on 'dump'). */
function owner(setupFn: (ctx: ProcessContext) => Ref[]): { pid: Pid; refs: Ref[]; got: unknown[] } {
  const out = { pid: undefined as unknown as Pid, refs: [] as Ref[], got: [] as unknown[] };
  out.pid = rt.spawn(async (ctx) => {
    out.refs.push(...setupFn(ctx));
    for (;;) out.got.push(await ctx.receive());
  });
  return out;
}

describe('alias/unalias', () => {
  it('a message to an active alias is delivered; after unalias it is dropped', async () => {
    ({ rt } = setup());
    let unalias!: (r: Ref) => boolean;
    const o = owner((ctx) => {
      unalias = (r) => ctx.unalias(r);
      return [ctx.alias()];
    });
    await rt.settle();
    const [a] = o.refs as [Ref];
    rt.send(a, 'one');
    rt.send(a, 'two');
    await rt.settle();
    expect(o.got).toEqual(['one', 'two']);
    expect(rt.fromRemote.aliasCount()).toBe(1);
    expect(unalias(a)).toBe(true);
    expect(unalias(a)).toBe(false);
    rt.send(a, 'three');
    rt.send(o.pid, 'by pid');
    await rt.settle();
    expect(o.got).toEqual(['one', 'two', 'by pid']);
    expect(rt.fromRemote.aliasCount()).toBe(0);
  });

  it('only the owner can unalias; a sender that is a process uses ctx.send', async () => {
    ({ rt } = setup());
    const o = owner((ctx) => [ctx.alias()]);
    await rt.settle();
    const a = o.refs[0]!;
    const other = rt.spawn(async (ctx) => {
      const r = ctx.unalias(a);
      ctx.send(a, ['from other', r]);
    });
    await rt.settle();
    expect(rt.isAlive(other)).toBe(false);
    expect(o.got).toEqual([['from other', false]]);
  });

  it('alias({reply: true}) delivers one message only', async () => {
    ({ rt } = setup());
    const o = owner((ctx) => [ctx.alias({ reply: true })]);
    await rt.settle();
    rt.send(o.refs[0]!, 1);
    rt.send(o.refs[0]!, 2);
    await rt.settle();
    expect(o.got).toEqual([1]);
  });

  it('the owner exiting deactivates its aliases', async () => {
    ({ rt } = setup());
    const o = owner((ctx) => [ctx.alias(), ctx.alias()]);
    await rt.settle();
    expect(rt.fromRemote.aliasCount()).toBe(2);
    rt.exit(o.pid, kill);
    await rt.settle();
    expect(rt.fromRemote.aliasCount()).toBe(0);
    rt.send(o.refs[0]!, 'x'); // no error, nothing delivered
    await rt.settle();
    expect(o.got).toEqual([]);
  });

  it('an alias from an older incarnation of this node is dropped', async () => {
    ({ rt } = setup({ node: 'ts@localhost', creation: 2 }));
    const o = owner((ctx) => [ctx.alias()]);
    await rt.settle();
    const a = o.refs[0]!;
    rt.send(new Ref(a.node, 1, [...a.ids]), 'stale');
    rt.send(new Ref(a.node, a.creation, [...a.ids]), 'copy'); // equal by value, not identity
    await rt.settle();
    expect(o.got).toEqual(['copy']);
  });
});

describe('monitor alias modes', () => {
  const idle = async (ctx: ProcessContext): Promise<void> => {
    for (;;) await ctx.receive((m) => m === 'never');
  };

  it('demonitor: the alias lives until demonitor', async () => {
    ({ rt } = setup());
    const target = rt.spawn(idle);
    let demon!: (r: Ref) => boolean;
    const o = owner((ctx) => {
      demon = (r) => ctx.demonitor(r);
      return [ctx.monitor(target, { alias: 'demonitor' })];
    });
    await rt.settle();
    const m = o.refs[0]!;
    rt.send(m, 'a');
    rt.send(m, 'b');
    await rt.settle();
    expect(o.got).toEqual(['a', 'b']);
    expect(demon(m)).toBe(true);
    rt.send(m, 'c');
    await rt.settle();
    expect(o.got).toEqual(['a', 'b']);
  });

  it('demonitor: the DOWN deactivates the alias', async () => {
    ({ rt } = setup());
    const target = rt.spawn(idle);
    const o = owner((ctx) => [ctx.monitor(target, { alias: 'demonitor' })]);
    await rt.settle();
    rt.exit(target, kill);
    await rt.settle();
    rt.send(o.refs[0]!, 'after down');
    await rt.settle();
    expect(view(o.got)).toEqual([['DOWN', String(o.refs[0]), 'process', String(target), 'killed']]);
    expect(rt.fromRemote.aliasCount()).toBe(0);
  });

  it('demonitor: a monitor of a dead process leaves no active alias', async () => {
    ({ rt } = setup());
    const target = rt.spawn(idle);
    rt.exit(target, kill);
    const o = owner((ctx) => [ctx.monitor(target, { alias: 'demonitor' })]);
    await rt.settle();
    rt.send(o.refs[0]!, 'x');
    await rt.settle();
    expect(o.got).toHaveLength(1); // the DOWN noproc only
    expect(rt.fromRemote.aliasCount()).toBe(0);
  });

  it('reply_demonitor: the first message through the alias removes alias and monitor', async () => {
    ({ rt } = setup());
    const target = rt.spawn(idle);
    const o = owner((ctx) => [ctx.monitor(target, { alias: 'reply_demonitor' })]);
    await rt.settle();
    expect(rt.processInfo(o.pid)!.monitors).toHaveLength(1);
    rt.send(o.refs[0]!, 'reply');
    rt.send(o.refs[0]!, 'late');
    await rt.settle();
    expect(o.got).toEqual(['reply']);
    expect(rt.processInfo(o.pid)!.monitors).toHaveLength(0);
    expect(rt.processInfo(target)!.monitoredBy).toHaveLength(0);
  });

  it('explicit_unalias: the alias outlives the monitor', async () => {
    ({ rt } = setup());
    const target = rt.spawn(idle);
    let ctxOf!: ProcessContext;
    const o = owner((ctx) => {
      ctxOf = ctx;
      return [ctx.monitor(target, { alias: 'explicit_unalias' })];
    });
    await rt.settle();
    const m = o.refs[0]!;
    ctxOf.demonitor(m);
    rt.send(m, 'still');
    await rt.settle();
    expect(o.got).toEqual(['still']);
    expect(ctxOf.unalias(m)).toBe(true);
    rt.send(m, 'gone');
    await rt.settle();
    expect(o.got).toEqual(['still']);
  });
});

describe('remote aliases', () => {
  function recordingRouter(): { router: RemoteRouter; calls: unknown[][] } {
    const calls: unknown[][] = [];
    const rec =
      (name: string) =>
      (...args: unknown[]): void =>
        void calls.push([name, ...args]);
    const names = ['send', 'aliasSend', 'link', 'unlink', 'exit', 'linkExit', 'monitor', 'demonitor', 'monitorExit'] as const;
    return { calls, router: Object.fromEntries(names.map((n) => [n, rec(n)])) as unknown as RemoteRouter };
  }

  it('a send to a remote alias goes to router.aliasSend; an inbound ALIAS_SEND reaches a local alias', async () => {
    ({ rt } = setup({ node: 'ts@localhost', creation: 1 }));
    const { router, calls } = recordingRouter();
    rt.setRemoteRouter(router);
    const remoteAlias = new Ref(atom('erl@localhost'), 5, [1, 2, 3]);
    const remotePid = new Pid(atom('erl@localhost'), 9, 0, 5);
    const o = owner((ctx) => {
      ctx.send(remoteAlias, 'out');
      return [ctx.alias()];
    });
    await rt.settle();
    expect(calls).toEqual([['aliasSend', o.pid, remoteAlias, 'out']]);
    rt.fromRemote.aliasSend(remotePid, o.refs[0]!, 'in');
    await rt.settle();
    expect(o.got).toEqual(['in']);
    expect(rt.fromRemote.aliasCount()).toBe(1);
  });

  it('a remote monitor with alias: MONITOR_P_EXIT and node down deactivate it', async () => {
    ({ rt } = setup({ node: 'ts@localhost', creation: 1 }));
    const { router } = recordingRouter();
    rt.setRemoteRouter(router);
    const a = new Pid(atom('a@localhost'), 1, 0, 1);
    const b = new Pid(atom('b@localhost'), 1, 0, 1);
    const o = owner((ctx) => [ctx.monitor(a, { alias: 'demonitor' }), ctx.monitor(b, { alias: 'demonitor' })]);
    await rt.settle();
    const [ma, mb] = o.refs as [Ref, Ref];
    rt.fromRemote.down(o.pid, ma, atom('bye'));
    rt.fromRemote.nodeDown('b@localhost');
    rt.fromRemote.aliasSend(a, ma, 'late a');
    rt.fromRemote.aliasSend(b, mb, 'late b');
    await rt.settle();
    expect((view(o.got) as unknown[][]).map((m) => m[4])).toEqual(['bye', 'noconnection']);
    expect(rt.fromRemote.aliasCount()).toBe(0);
  });
});

interface S {
  pending: From[];
}

/** Replies to 'later' only when told ('flush'), so the reply can come after the caller gave up. */
class Deferring extends GenServer<S> {
  static tags: unknown[] = [];
  init() {
    return ok<S>({ pending: [] });
  }
  override handleCall(req: unknown, from: From, s: S): CallResult<S, unknown> {
    Deferring.tags.push(from.tag);
    if (req === 'now') return reply('now', s);
    return noreply({ pending: [...s.pending, from] });
  }
  override handleCast(msg: unknown, s: S): NoReplyResult<S> {
    if (msg === 'flush') for (const f of s.pending) GenServer.reply(f, 'late');
    return noreply({ pending: [] });
  }
}

describe('GenServer.call over aliases', () => {
  it('tags calls [alias|Mref] (OTP 24+ gen) and replies through the alias', async () => {
    ({ rt } = setup());
    Deferring.tags = [];
    const pid = await GenServer.start(rt, Deferring, undefined);
    expect(await GenServer.call(rt, pid, 'now')).toBe('now');
    const tag = Deferring.tags[0];
    expect(tag).toBeInstanceOf(ImproperList);
    expect((tag as ImproperList).elements).toEqual([A_ALIAS]);
    expect((tag as ImproperList).tail).toBeInstanceOf(Ref);
    await rt.settle();
    expect(rt.fromRemote.aliasCount()).toBe(0);
  });

  it('a reply after the call timed out is dropped: the caller mailbox stays empty', async () => {
    ({ rt, clock } = setup());
    const pid = await GenServer.start(rt, Deferring, undefined);
    let queued = -1;
    let caller!: Pid;
    const done = new Promise<unknown>((resolve) => {
      caller = rt.spawn(async (ctx) => {
        const err = await GenServer.call(ctx, pid, 'later', 100).catch((e: unknown) => e);
        await ctx.receive((m) => m === 'go');
        GenServer.cast(ctx, pid, 'flush'); // the server answers now, too late
        const stray = await ctx.receive(undefined, 50);
        queued = rt.processInfo(ctx.self)!.messageQueueLen;
        resolve([err, stray]);
      });
    });
    await rt.settle();
    await clock.advance(100);
    rt.send(caller, 'go');
    await rt.settle();
    await clock.advance(50);
    const [err, stray] = (await done) as [unknown, unknown];
    expect(err).toBeInstanceOf(CallTimeout);
    expect(stray).toBe(TIMEOUT);
    expect(queued).toBe(0);
    expect(rt.fromRemote.aliasCount()).toBe(0);
  });

  it('deferred GenServer.reply answers both tag forms: [alias|Ref] and a plain ref', async () => {
    ({ rt } = setup());
    Deferring.tags = [];
    const pid = await GenServer.start(rt, Deferring, undefined);
    const got = new Promise<unknown>((resolve) => {
      rt.spawn(async (ctx) => {
        const plain = ctx.makeRef();
        const mref = ctx.monitor(pid, { alias: 'demonitor' });
        const aliased = new ImproperList([A_ALIAS], mref);
        ctx.send(pid, t(atom('$gen_call'), t(ctx.self, plain), 'later'));
        ctx.send(pid, t(atom('$gen_call'), t(ctx.self, aliased), 'later'));
        GenServer.cast(ctx, pid, 'flush');
        const a = await ctx.receive((m) => m instanceof Tuple && m.elements[0] === plain);
        const b = await ctx.receive((m) => m instanceof Tuple && m.elements[0] instanceof ImproperList);
        resolve([a, b, plain, aliased]);
      });
    });
    await rt.settle();
    const [a, b, plain, aliased] = (await got) as [Tuple, Tuple, Ref, ImproperList];
    expect(a.elements).toEqual([plain, 'late']);
    expect(b.elements[0]).toBe(aliased);
    expect(b.elements[1]).toBe('late');
    expect(Deferring.tags).toHaveLength(2);
  });
});
