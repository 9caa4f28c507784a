/**
 * Process aliases across the wire (spec §4.5): core's GenServer.call tags `[alias|Mref]` with the
 * monitor ref as an alias, so an erl gen_server's reply arrives as ALIAS_SEND, and a reply after
 * the call timed out is dropped instead of landing in the caller's mailbox. Raw alias/unalias both
 * ways, and erl's gen_server:call into a TS server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ref, type Tuple, atom, t, type Term } from '@beamline/etf';
import { CallTimeout, GenServer, TIMEOUT, ok, reply, type CallResult, type ProcessContext } from '@beamline/core';
import { Inbox, bindOnErl, ev, freePort, startPair, until, type Pair } from './helpers/node_pair.ts';
import { loadModule } from '../../../tools/erl/erl.ts';

let p: Pair;

class Echo extends GenServer<null> {
  init() {
    return ok(null);
  }
  override handleCall(req: unknown, _from: unknown, s: null): CallResult<null, Term> {
    return reply(t(atom('ts_echo'), req as Term), s);
  }
}

const ERL_SLOW_SERVER = `
{module, _} = ${loadModule([
  '-module(bl_alias_srv).',
  '-behaviour(gen_server).',
  '-export([init/1, handle_call/3, handle_cast/2]).',
  'init(A) -> {ok, A}.',
  'handle_call({slow, Ms}, _From, S) -> timer:sleep(Ms), {reply, slow_done, S}; handle_call(R, _From, S) -> {reply, {echo, R}, S}.',
  'handle_cast(_, S) -> {noreply, S}.',
])},
{ok, _} = gen_server:start({local, bl_alias}, bl_alias_srv, [], []),
ok`;

/** Run `body` in a fresh TS process and resolve with what it returns. */
function inProcess<T>(body: (ctx: ProcessContext) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    p.node.runtime.spawn(async (ctx) => {
      try {
        resolve(await body(ctx));
      } catch (e) {
        reject(e);
      }
    });
  });
}

beforeAll(async () => {
  p = await startPair('alias', await freePort());
  GenServer.start(p.node.runtime, Echo, null, { name: 'ts_alias_echo' });
  expect(await p.erl.eval(ERL_SLOW_SERVER)).toBe('ok');
  await ev(p.erl, `register(tester, self())`); // bindOnErl and markers reach the eval loop by name
});
afterAll(async () => {
  await p?.stop();
});

describe('GenServer.call (core) into an erl gen_server', () => {
  it('gets the reply (sent by erl to the [alias|Mref] alias) and leaves no alias behind', async () => {
    const reply = await GenServer.call(p.node.runtime, ['bl_alias', p.erlName], atom('hi'));
    expect(reply).toEqual(t(atom('echo'), atom('hi')));
    await until(() => p.node.stats().tables.aliases === 0, 2000, 'alias gone');
  });

  it('a call that timed out does not leave the late reply in the mailbox', async () => {
    const [err, after, stray, queued] = await inProcess(async (ctx) => {
      const e = await GenServer.call(ctx, ['bl_alias', p.erlName], t(atom('slow'), 300), 100).catch((x: unknown) => x);
      // The server answers calls in order: when this reply is here, the late one was sent before it.
      const ok = await GenServer.call(ctx, ['bl_alias', p.erlName], atom('after'));
      const m = await ctx.receive(undefined, 0);
      return [e, ok, m, p.node.runtime.processInfo(ctx.self)!.messageQueueLen] as const;
    });
    expect(err).toBeInstanceOf(CallTimeout);
    expect(after).toEqual(t(atom('echo'), atom('after')));
    expect(stray).toBe(TIMEOUT);
    expect(queued).toBe(0);
    expect(p.node.stats().tables.aliases).toBe(0);
  });
});

describe('erl gen_server:call into a TS server', () => {
  it('still gets its reply', async () => {
    expect(await ev(p.erl, `gen_server:call({ts_alias_echo, '${p.ts}'}, hello)`)).toBe('{ts_echo,hello}');
  });
});

describe('raw aliases', () => {
  it('erl sends to a TS alias (ALIAS_SEND); after unalias it is dropped', async () => {
    const inbox = new Inbox(p.node.runtime, 'alias_inbox');
    let owner!: ProcessContext;
    const alias = await new Promise<Ref>((resolve) => {
      p.node.runtime.spawn(async (ctx) => {
        owner = ctx;
        resolve(ctx.alias());
        for (;;) ctx.send(inbox.pid, await ctx.receive());
      });
    });
    await bindOnErl(p, 'TsAlias', alias);
    await bindOnErl(p, 'TsOwner', owner.self);
    await ev(p.erl, `TsAlias ! {via_alias, 1}, ok`);
    expect(await inbox.next()).toEqual(t(atom('via_alias'), 1));
    expect(owner.unalias(alias)).toBe(true);
    await ev(p.erl, `TsAlias ! {via_alias, 2}, TsOwner ! marker, ok`);
    expect(await inbox.next()).toBe(atom('marker')); // sent after the alias message, same connection
    expect(inbox.kept).toEqual([]);
  });

  it('TS sends to an erl alias; after erl unaliases it is dropped', async () => {
    const inbox = new Inbox(p.node.runtime, 'alias_inbox2');
    await ev(p.erl, `ErlAlias = alias(), {alias_inbox2, '${p.ts}'} ! {erl_alias, ErlAlias}, ok`);
    const got = await inbox.next<Tuple>();
    const erlAlias = got.elements[1] as Ref;
    expect(erlAlias).toBeInstanceOf(Ref);
    p.node.runtime.send(erlAlias, atom('hello'));
    expect(await ev(p.erl, `receive hello -> got after 5000 -> none end`)).toBe('got');
    expect(await ev(p.erl, `unalias(ErlAlias)`)).toBe('true');
    p.node.runtime.send(erlAlias, atom('again'));
    p.node.send(['tester', p.erlName], atom('marker'));
    expect(await ev(p.erl, `receive marker -> ok after 5000 -> none end, receive again -> leaked after 0 -> none end`)).toBe('none');
  });
});
