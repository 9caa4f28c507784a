import { Pid, Ref, Tuple, atom, format, t } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import { ErlangError, GenServer, type Runtime, kill, ok, reply, sys, type ProcessContext, type RemoteRouter } from '../src/index.ts';
import { setup, view } from './helpers.ts';

let rt: Runtime;
afterEach(async () => {
  await rt?.stop();
});

const idle = async (ctx: ProcessContext): Promise<void> => {
  for (;;) await ctx.receive((m) => m === 'never');
};

function recordingRouter(): { router: RemoteRouter; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const rec =
    (name: string) =>
    (...args: unknown[]): void =>
      void calls.push([name, ...args]);
  return {
    calls,
    router: {
      send: rec('send'),
      aliasSend: rec('aliasSend'),
      link: rec('link'),
      unlink: rec('unlink'),
      exit: rec('exit'),
      linkExit: rec('linkExit'),
      monitor: rec('monitor'),
      demonitor: rec('demonitor'),
      monitorExit: rec('monitorExit'),
    },
  };
}

const remoteNode = atom('erl@localhost');
const remotePid = (id: number): Pid => new Pid(remoteNode, id, 0, 5);

describe('remote hook', () => {
  it('node identity: set before any process, pids and refs carry it', async () => {
    ({ rt } = setup());
    rt.setNodeIdentity('ts@localhost', 42);
    const p = rt.spawn(idle);
    expect(p.node).toBe(atom('ts@localhost'));
    expect(p.creation).toBe(42);
    const ref = rt.makeRef();
    expect(ref).toBeInstanceOf(Ref);
    expect(ref.node).toBe(atom('ts@localhost'));
    expect(ref.creation).toBe(42);
    expect(ref.ids).toHaveLength(3);
    expect(() => rt.setNodeIdentity('x@y', 1)).toThrow(/processes are alive/);
    expect(format(p, { localNode: rt.node })).toMatch(/^<0\.\d+\.0>$/); // local pids print with node 0
    const foreign = new Pid(atom('erl@localhost'), 5, 0, 1);
    expect(format(foreign, { localNode: rt.node })).toBe('<erl@localhost.5.0>');
    expect(String(p)).toBe(`<ts@localhost.${p.id}.0>`); // no global notion of "local": String names the node
  });

  it('outbound: sends, links, exits, monitors to remote pids go to the router', async () => {
    ({ rt } = setup({ node: 'ts@localhost', creation: 1 }));
    const { router, calls } = recordingRouter();
    rt.setRemoteRouter(router);
    const rp = remotePid(77);
    let self!: Pid;
    let ref!: Ref;
    let ref2!: Ref;
    rt.spawn(async (ctx) => {
      self = ctx.self;
      ctx.send(rp, 'hello');
      ctx.send(['shell', 'erl@localhost'], 'named');
      ctx.link(rp);
      ctx.exit(rp, atom('bye'));
      ref = ctx.monitor(rp);
      ref2 = ctx.monitor(['server', 'erl@localhost']);
      ctx.demonitor(ref2);
      await ctx.receive((m) => m === 'die');
      throw new Error('dying');
    });
    await rt.settle();
    rt.send(self, 'die');
    await rt.settle();
    expect(calls.map((c) => c[0])).toEqual(['send', 'send', 'link', 'exit', 'monitor', 'monitor', 'demonitor', 'linkExit', 'demonitor']);
    expect(calls[0]).toEqual(['send', self, rp, 'hello']);
    expect(calls[1]).toEqual(['send', self, [atom('shell'), remoteNode], 'named']);
    expect(calls[4]).toEqual(['monitor', self, rp, ref]);
    expect(calls[5]).toEqual(['monitor', self, [atom('server'), remoteNode], ref2]);
    expect(calls[7][0]).toBe('linkExit');
    expect(calls[7][1]).toBe(self);
    expect(calls[7][2]).toBe(rp);
    expect((calls[7][3] as Error).message).toBe('dying');
  });

  it('inbound: send by pid and name, link exit, exit2, monitor and its DOWN back through the router', async () => {
    ({ rt } = setup({ node: 'ts@localhost', creation: 1 }));
    const { router, calls } = recordingRouter();
    rt.setRemoteRouter(router);
    const log: unknown[] = [];
    const p = rt.spawn(
      async (ctx) => {
        for (;;) log.push(await ctx.receive());
      },
      { name: 'inbox', trapExit: true },
    );
    const rp = remotePid(5);
    rt.fromRemote.send(p, 'by-pid');
    rt.fromRemote.send(atom('inbox'), 'by-name');
    rt.fromRemote.link(rp, p);
    expect(rt.processInfo(p)!.links).toEqual([rp]);
    rt.fromRemote.exit(rp, p, atom('remote_crash'));
    rt.fromRemote.exit2(rp, p, atom('go_away'));
    await rt.settle();
    expect(log.map(view)).toEqual(['by-pid', 'by-name', ['EXIT', String(rp), 'remote_crash'], ['EXIT', String(rp), 'go_away']]);
    expect(rt.processInfo(p)!.links).toEqual([]);
    const ref = new Ref(remoteNode, 5, [1, 2, 3]);
    rt.fromRemote.monitor(rp, atom('inbox'), ref);
    expect(rt.processInfo(p)!.monitoredBy).toEqual([rp]);
    rt.exit(p, kill);
    await rt.settle();
    expect(calls.at(-1)).toEqual(['monitorExit', [atom('inbox'), atom('ts@localhost')], rp, ref, atom('killed')]);
    rt.fromRemote.monitor(rp, p, ref);
    expect(calls.at(-1)).toEqual(['monitorExit', p, rp, ref, atom('noproc')]);
    rt.fromRemote.link(rp, p);
    expect(calls.at(-1)).toEqual(['linkExit', p, rp, atom('noproc')]);
  });

  it('inbound DOWN for a monitor on a remote process', async () => {
    ({ rt } = setup({ node: 'ts@localhost', creation: 1 }));
    rt.setRemoteRouter(recordingRouter().router);
    const rp = remotePid(9);
    let got: Tuple | undefined;
    let ref!: Ref;
    const w = rt.spawn(async (ctx) => {
      ref = ctx.monitor(rp);
      got = (await ctx.receive()) as Tuple;
    });
    await rt.settle();
    // the ref comes back decoded from the wire: a different object, equal by value
    rt.fromRemote.down(w, new Ref(ref.node, ref.creation, [...ref.ids]), atom('gone'));
    await rt.settle();
    expect(got!.elements[1]).toBe(ref);
    expect(view(got)).toEqual(['DOWN', String(ref), 'process', String(rp), 'gone']);
  });

  it('nodeDown: links get noconnection exits, monitors get DOWN noconnection', async () => {
    ({ rt } = setup({ node: 'ts@localhost', creation: 1, logger: null }));
    rt.setRemoteRouter(recordingRouter().router);
    const rp = remotePid(1);
    const log: unknown[] = [];
    const trapper = rt.spawn(async (ctx) => {
      ctx.trapExit(true);
      ctx.link(rp);
      ctx.monitor(rp);
      for (;;) log.push(await ctx.receive());
    });
    const plain = rt.spawn(async (ctx) => {
      ctx.link(rp);
      await idle(ctx);
    });
    const other = rt.spawn(async (ctx) => {
      ctx.link(new Pid(atom('other@localhost'), 1, 0, 1));
      await idle(ctx);
    });
    await rt.settle();
    rt.fromRemote.nodeDown('erl@localhost');
    await rt.settle();
    expect(rt.isAlive(trapper)).toBe(true);
    expect(rt.isAlive(plain)).toBe(false);
    expect(rt.isAlive(other)).toBe(true);
    expect(log.map(view)).toEqual([
      ['EXIT', String(rp), 'noconnection'],
      ['DOWN', expect.any(String), 'process', String(rp), 'noconnection'],
    ]);
  });

  it('without a router: remote sends drop, links and monitors fail with noconnection', async () => {
    ({ rt } = setup({ logger: null }));
    const log: unknown[] = [];
    rt.spawn(async (ctx) => {
      ctx.trapExit(true);
      ctx.send(remotePid(1), 'x');
      ctx.link(remotePid(1));
      ctx.monitor(remotePid(1));
      for (;;) log.push(await ctx.receive());
    });
    await rt.settle();
    expect(log.map((m) => view(m))).toEqual([
      ['EXIT', expect.any(String), 'noconnection'],
      ['DOWN', expect.any(String), 'process', expect.any(String), 'noconnection'],
    ]);
  });

  it('a local pid from an older creation is a dead pid', async () => {
    ({ rt } = setup({ node: 'ts@localhost', creation: 2 }));
    const { router, calls } = recordingRouter();
    rt.setRemoteRouter(router);
    const p = rt.spawn(idle);
    const stale = new Pid(p.node, p.id, p.serial, 1);
    let got: unknown;
    rt.spawn(async (ctx) => {
      ctx.send(stale, 'x');
      ctx.monitor(stale);
      got = await ctx.receive();
    });
    await rt.settle();
    expect(calls).toEqual([]);
    expect(view(got)).toEqual(['DOWN', expect.any(String), 'process', expect.any(String), 'noproc']);
    expect(rt.processInfo(p)!.messageQueueLen).toBe(0);
  });

  it('a gen reply the router refuses (it throws an ErlangError) is answered {error, Reason}; the caller does not wait', async () => {
    ({ rt } = setup({ node: 'ts@localhost', creation: 1 }));
    const { router, calls } = recordingRouter();
    const refuse = t(atom('not_encodable'), atom('function'), '$[1]');
    rt.setRemoteRouter({
      ...router,
      send(from, to, msg) {
        if (msg instanceof Tuple && typeof msg.elements[1] === 'function') throw new ErlangError(refuse);
        router.send(from, to, msg);
      },
    });
    class Fns extends GenServer<null> {
      init() {
        return ok(null);
      }
      override handleCall(req: unknown) {
        return reply(req === atom('fn') ? () => 1 : atom('plain'), null);
      }
    }
    const srv = await GenServer.start(rt, Fns, undefined);
    const caller = remotePid(9);
    // a remote caller without an alias tag: the reply goes to its pid through the router
    rt.fromRemote.send(srv, t(atom('$gen_call'), t(caller, atom('tag1')), atom('fn')));
    rt.fromRemote.send(srv, t(atom('$gen_call'), t(caller, atom('tag2')), atom('other')));
    await rt.settle();
    expect(calls.map(([, , , msg]) => view(msg))).toEqual([
      ['tag1', ['error', ['not_encodable', 'function', '$[1]']]],
      ['tag2', 'plain'],
    ]);
    expect(rt.processInfo(srv)?.status).not.toBe('exited'); // the server lives on
  });

  it('sys:get_state from a remote caller answers in the form the router names for its node ({ok, State} for OTP 26.1+)', async () => {
    ({ rt } = setup({ node: 'ts@localhost', creation: 1 }));
    const { router, calls } = recordingRouter();
    let resolveLater!: (f: 'ok' | 'bare') => void;
    const later = new Promise<'ok' | 'bare'>((r) => (resolveLater = r));
    rt.setRemoteRouter({
      ...router,
      sysStateForm: (node) => (node === atom('new@h') ? 'ok' : node === atom('slow@h') ? later : 'bare'),
    });
    class Holder extends GenServer<number> {
      init() {
        return ok(41);
      }
      override handleCall() {
        return reply(atom('called'), 42);
      }
    }
    const srv = await GenServer.start(rt, Holder, undefined);
    const callerOn = (node: string) => new Pid(atom(node), 3, 0, 1);
    const ask = (node: string, tag: string) => rt.fromRemote.send(srv, t(atom('system'), t(callerOn(node), atom(tag)), atom('get_state')));
    ask('new@h', 'a');
    ask('old@h', 'b');
    ask('slow@h', 'c');
    rt.fromRemote.send(srv, t(atom('$gen_call'), t(callerOn('old@h'), atom('d')), atom('x')));
    await rt.settle();
    // the slow node's form is not known yet: the server waits (the call behind it too)
    expect(calls.map(([, , , msg]) => view(msg))).toEqual([
      ['a', ['ok', 41]],
      ['b', 41],
    ]);
    resolveLater('ok');
    await rt.settle();
    expect(calls.map(([, , , msg]) => view(msg)).slice(2)).toEqual([
      ['c', ['ok', 41]],
      ['d', 'called'],
    ]);
    // a local caller gets the state itself
    expect(await sys.getState(rt, srv)).toBe(42);
  });
});

describe("gen's {global, Name}", () => {
  class Echo extends GenServer<unknown[]> {
    init() {
      return ok<unknown[]>([]);
    }
    override handleCall(req: unknown, _f: unknown, s: unknown[]) {
      return reply(t(atom('echo'), req as never), s);
    }
    override handleCast(msg: unknown, s: unknown[]) {
      return { tag: 'noreply' as const, state: [...s, msg] };
    }
  }

  it("resolves through the router's whereisGlobal for call, cast and sys; an unknown name is noproc (call) or dropped (cast)", async () => {
    ({ rt } = setup({ node: 'ts@localhost', creation: 1 }));
    const srv = await GenServer.start(rt, Echo);
    const { router, calls } = recordingRouter();
    rt.setRemoteRouter({ ...router, whereisGlobal: (name) => (name === atom('g_echo') ? srv : undefined) });
    const g = t(atom('global'), atom('g_echo'));
    expect(await GenServer.call(rt, g, atom('hi'))).toEqual(t(atom('echo'), atom('hi')));
    GenServer.cast(rt, g, atom('c1'));
    expect(await sys.getState(rt, g)).toEqual([atom('c1')]);
    const err = await GenServer.call(rt, t(atom('global'), atom('g_none')), atom('hi')).catch((e: unknown) => e);
    expect(format((err as { reason: never }).reason)).toBe('{noproc,{gen_server,call,[{global,g_none},hi]}}');
    GenServer.cast(rt, t(atom('global'), atom('g_none')), atom('c2'));
    await rt.settle();
    expect(calls).toEqual([]); // nothing went to a node called g_echo or g_none
  });

  it('with no router (or a hidden node) no global name is known: noproc', async () => {
    ({ rt } = setup());
    const err = await GenServer.call(rt, t(atom('global'), atom('x')), atom('hi')).catch((e: unknown) => e);
    expect(format((err as { reason: never }).reason)).toBe('{noproc,{gen_server,call,[{global,x},hi]}}');
  });
});
