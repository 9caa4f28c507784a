/**
 * Two beamline nodes talking to each other through the same code (no erl involved): ping, send,
 * rpc, gen_server calls, links, monitors and noconnection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErlMap, type Pid, Tuple, atom, binary, format, t, type Term } from '@beamline/etf';
import { ExitError, GenServer, Runtime, TIMEOUT, ok, reply, sys, type CallResult, type ProcessContext } from '@beamline/core';
import { startNode, type BeamNode } from '../src/node.ts';
import { NotEncodableError } from '../src/wire_values.ts';
import { MemoryLogger } from '../src/log.ts';
import { Inbox, exitReasonOf, sleep, until, freePort } from './helpers/node_pair.ts';

let EPMD = 0; // a fresh port per run (helpers/node_pair.ts freePort)
const COOKIE = 'ts2ts';
let a: BeamNode;
let b: BeamNode;
let rtA: Runtime;
let rtB: Runtime;

class Echo extends GenServer<null> {
  init() {
    return ok(null);
  }
  override handleCall(req: unknown, _f: unknown, s: null): CallResult<null, Term> {
    return reply(t(atom('echo'), req as Term), s);
  }
}

beforeAll(async () => {
  EPMD = await freePort();
  rtA = new Runtime({ logger: null });
  rtB = new Runtime({ logger: null });
  a = await startNode({ name: 'tsa@localhost', cookie: COOKIE, epmdPort: EPMD, runtime: rtA, logger: new MemoryLogger() });
  b = await startNode({ name: 'tsb@localhost', cookie: COOKIE, epmdPort: EPMD, runtime: rtB, logger: new MemoryLogger() });
  b.exportModule('m', { add: (x: number, y: number) => x + y });
  GenServer.start(rtB, Echo, [], { name: 'echo' });
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await rtA?.stop();
  await rtB?.stop();
});

describe('two TS nodes', () => {
  it('ping both ways', async () => {
    expect(await a.ping(b.name)).toBe('pong');
    expect(await b.ping(a.name)).toBe('pong');
    expect(a.nodes()).toEqual([b.name]);
    expect(b.nodes()).toEqual([a.name]);
  });

  it('send by name and by pid', async () => {
    const inB = new Inbox(rtB, 'inbox');
    a.send(['inbox', b.name], t(atom('hi'), 1));
    expect(await inB.next()).toEqual(t(atom('hi'), 1));
    const inA = new Inbox(rtA);
    b.send(inA.pid, t(atom('back'), inB.pid));
    const m = await inA.next<Tuple>();
    expect(m.elements[0]).toBe(atom('back'));
    expect((m.elements[1] as Pid).node).toBe(atom(b.name));
  });

  it('JS values cross as the mapping says; sys.getState between beamline nodes gives the (mapped) state itself', async () => {
    class Obj extends GenServer<Record<string, unknown>> {
      init() {
        return ok({ n: 1, on: true, tags: new Set(['x']) });
      }
      override handleCall(req: unknown, _f: unknown, s: Record<string, unknown>): CallResult<Record<string, unknown>, unknown> {
        return reply(req === atom('fn') ? { f: () => 0 } : s, s);
      }
    }
    await GenServer.start(rtB, Obj, undefined, { name: 'obj' });
    const state = (await sys.getState(rtA, ['obj', b.name])) as ErlMap;
    expect(state).toBeInstanceOf(ErlMap);
    expect(format(state)).toBe('#{<<"n"/utf8>> => 1,<<"on"/utf8>> => true,<<"tags"/utf8>> => [<<"x"/utf8>>]}');
    expect(await a.call(['obj', b.name], atom('fn'))).toEqual(t(atom('error'), t(atom('not_encodable'), atom('function'), binary('$[1].f'))));
    await expect(a.call(['obj', b.name], { cb: () => 1 })).rejects.toBeInstanceOf(NotEncodableError);
  });

  it('rpc (erpc is not used: rex on the peer)', async () => {
    expect(await a.rpc(b.name, 'm', 'add', [20, 22])).toBe(42);
    expect(await a.rpc(b.name, 'm', 'nope', [])).toEqual(t(atom('badrpc'), t(atom('EXIT'), t(atom('undef'), [t(atom('m'), atom('nope'), [], [])]))));
  });

  it('gen_server calls (alias tag and plain tag)', async () => {
    expect(await a.call(['echo', b.name], atom('x'))).toEqual(t(atom('echo'), atom('x')));
    expect(await GenServer.call(rtA, ['echo', b.name], atom('y'))).toEqual(t(atom('echo'), atom('y')));
  });

  it('links: the remote process dies → the local trapping process gets EXIT', async () => {
    const victim = rtB.spawn(async (ctx: ProcessContext) => {
      await ctx.receive((m) => m === atom('die'));
      throw new ExitError(atom('remote_boom'));
    });
    const got = new Promise<unknown>((resolve) => {
      rtA.spawn(
        async (ctx: ProcessContext) => {
          ctx.link(victim);
          ctx.send(victim, atom('die'));
          resolve(await ctx.receive((m) => m instanceof Tuple && m.elements[0] === atom('EXIT'), 5000));
        },
        { trapExit: true },
      );
    });
    expect(await got).toEqual(t(atom('EXIT'), victim, atom('remote_boom')));
  });

  it('monitors by name: DOWN with {Name, Node}', async () => {
    rtB.spawn(
      async (ctx: ProcessContext) => {
        await ctx.receive((m) => m === atom('die'));
        throw new ExitError(atom('bye'));
      },
      { name: 'mortal' },
    );
    const down = new Promise<unknown>((resolve) => {
      rtA.spawn(async (ctx: ProcessContext) => {
        const ref = ctx.monitor(['mortal', b.name]);
        ctx.send(['mortal', b.name], atom('die'));
        resolve(await ctx.receive((m) => m instanceof Tuple && m.elements[0] === atom('DOWN') && m.elements[1] === ref, 5000));
      });
    });
    const m = (await down) as Tuple;
    expect(m.elements.slice(2)).toEqual([atom('process'), t(atom('mortal'), atom(b.name)), atom('bye')]);
  });

  it('a node stopping: noconnection to links and monitors on the other', async () => {
    const rtC = new Runtime({ logger: null });
    const c = await startNode({ name: 'tsc@localhost', cookie: COOKIE, epmdPort: EPMD, runtime: rtC, logger: new MemoryLogger() });
    const sleeper = rtC.spawn(async (ctx: ProcessContext) => void (await ctx.receive(() => false)));
    const linked = rtA.spawn(async (ctx: ProcessContext) => {
      ctx.link(sleeper);
      await ctx.receive(() => false);
    });
    const linkedDown = exitReasonOf(rtA, linked, 10000);
    const monitored = new Promise<unknown>((resolve) => {
      rtA.spawn(async (ctx: ProcessContext) => {
        const ref = ctx.monitor(sleeper);
        const got = await ctx.receive((m) => m instanceof Tuple && m.elements[1] === ref, 10000);
        resolve(got === TIMEOUT ? got : (got as Tuple).elements[4]);
      });
    });
    await until(() => a.nodes().includes(c.name), 5000, 'connection to tsc');
    await sleep(50);
    await c.stop();
    await rtC.stop();
    expect(await linkedDown).toBe(atom('noconnection'));
    expect(await monitored).toBe(atom('noconnection'));
  });

  it('node.call to an unknown local name rejects with noproc', async () => {
    await expect(a.call('nobody_here', atom('x'))).rejects.toMatchObject({ cause: atom('noproc') });
  });

  it('each node prints its own pids as <0.N.S>: node identity belongs to the runtime', async () => {
    const pa = new Inbox(rtA).pid;
    const pb = new Inbox(rtB).pid;
    const both = [pa, pb];
    expect(format(both, { localNode: a.name })).toBe(`[<0.${pa.id}.${pa.serial}>,<tsb@localhost.${pb.id}.${pb.serial}>]`);
    expect(format(both, { localNode: b.name })).toBe(`[<tsa@localhost.${pa.id}.${pa.serial}>,<0.${pb.id}.${pb.serial}>]`);
    expect(format(both)).toBe(`[<tsa@localhost.${pa.id}.${pa.serial}>,<tsb@localhost.${pb.id}.${pb.serial}>]`);
    // a failed call says which process it called, from the caller's node
    const goneA = rtA.spawn(async () => {});
    const goneB = rtB.spawn(async () => {});
    await sleep(20);
    await expect(a.call(goneA, atom('x'))).rejects.toThrow(`call to <0.${goneA.id}.${goneA.serial}> failed: noproc`);
    await expect(a.call(goneB, atom('x'))).rejects.toThrow(`call to <tsb@localhost.${goneB.id}.${goneB.serial}> failed: noproc`);
    await expect(b.call(goneB, atom('x'))).rejects.toThrow(`call to <0.${goneB.id}.${goneB.serial}> failed: noproc`);
    await expect(a.call(['nobody', b.name], atom('x'))).rejects.toThrow(`call to {nobody,tsb@localhost} failed: noproc`);
  });

  it('startNode on a runtime that already has processes fails and leaves nothing behind', async () => {
    const rt = new Runtime({ logger: null });
    rt.spawn(async (ctx: ProcessContext) => void (await ctx.receive(() => false)));
    await expect(startNode({ name: 'tsd@localhost', cookie: COOKIE, epmdPort: EPMD, runtime: rt, logger: new MemoryLogger() })).rejects.toThrow();
    await rt.stop();
    // the name is free again: the failed node unregistered from EPMD
    const rt2 = new Runtime({ logger: null });
    const d = await startNode({ name: 'tsd@localhost', cookie: COOKIE, epmdPort: EPMD, runtime: rt2, logger: new MemoryLogger() });
    expect(await a.ping(d.name)).toBe('pong');
    await d.stop();
    await rt2.stop();
  });
});
