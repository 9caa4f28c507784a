import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
/**
 * gen_server calls across the wire (spec §4.5, §4.7, §9 items 40-43): erl's
 * gen_server:call({Name, TsNode}, Req) into a TS GenServer (reply through ALIAS_SEND, late replies
 * dropped), casts, noproc, and TS calls into an erl gen_server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tuple, atom, format, t, type Term } from '@beamline/etf';
import {
  CallError,
  ErlangError,
  GenServer,
  Supervisor,
  noreply,
  ok,
  reply,
  stop,
  sys,
  type CallResult,
  type From,
  type NoReplyResult,
  type ProcessContext,
} from '@beamline/core';
import { ev, sleep, startPair, type Pair, freePort } from './helpers/node_pair.ts';
import { loadModule } from '../../../tools/erl/erl.ts';

let EPMD = 0; // a fresh port per run (helpers/node_pair.ts freePort)
let p: Pair;

interface S {
  value: Term;
}

class Srv extends GenServer<S> {
  init() {
    return ok<S>({ value: atom('undefined') });
  }
  override handleCall(req: unknown, from: From, state: S): CallResult<S, Term> {
    if (req === atom('get')) return reply(state.value, state);
    if (req instanceof Tuple && req.elements[0] === atom('slow')) {
      setTimeout(() => GenServer.reply(from, atom('late')), req.elements[1] as number);
      return noreply(state);
    }
    if (req === atom('crash')) return stop(atom('crashed_on_purpose'), state);
    if (req === atom('oops')) throw new ErlangError(atom('oops'));
    return reply(t(atom('got'), req as Term), state);
  }
  override handleCast(msg: unknown, state: S): NoReplyResult<S> {
    if (msg instanceof Tuple && msg.elements[0] === atom('set')) return noreply({ value: msg.elements[1] });
    return noreply(state);
  }
}

const ERL_ECHO_SERVER = `
{module, _} = ${loadModule([
  '-module(bl_echo_srv).',
  '-behaviour(gen_server).',
  '-export([init/1, handle_call/3, handle_cast/2]).',
  'init(A) -> {ok, A}.',
  'handle_call(slow, _From, S) -> timer:sleep(300), {reply, slow_done, S}; handle_call(oops, _From, _S) -> error(oops); handle_call(R, _From, S) -> {reply, {echo, R}, S}.',
  'handle_cast(_, S) -> {noreply, S}.',
])},
{ok, _} = gen_server:start({local, bl_echo}, bl_echo_srv, [], []),
ok`;

beforeAll(async () => {
  EPMD = await freePort();
  p = await startPair('gen', EPMD);
  GenServer.start(p.node.runtime, Srv, [], { name: 'ts_srv' });
  expect(await p.erl.eval(ERL_ECHO_SERVER)).toBe('ok');
});
afterAll(async () => {
  await p?.stop();
});

describe('erl → TS GenServer', () => {
  it('gen_server:call({Name, TsNode}, Req) gets the reply', async () => {
    expect(await ev(p.erl, `gen_server:call({ts_srv, '${p.ts}'}, hello)`)).toBe('{got,hello}');
    expect(await ev(p.erl, `gen_server:call({ts_srv, '${p.ts}'}, {a, [1, 2], <<"b">>})`)).toBe('{got,{a,[1,2],<<"b">>}}');
  });

  it('by pid too', async () => {
    const pid = p.node.runtime.whereis('ts_srv')!;
    await ev(p.erl, `register(tester_gen, self())`);
    p.node.send(['tester_gen', p.erlName], t(atom('srv'), pid));
    expect(await ev(p.erl, `SrvPid = receive {srv, $X} -> $X after 5000 -> timeout end, gen_server:call(SrvPid, by_pid)`)).toBe('{got,by_pid}');
  });

  it('gen_server:cast, then call sees its effect', async () => {
    await ev(p.erl, `gen_server:cast({ts_srv, '${p.ts}'}, {set, 42})`);
    expect(await ev(p.erl, `gen_server:call({ts_srv, '${p.ts}'}, get)`)).toBe('42');
  });

  it('a deferred reply (GenServer.reply) reaches the caller', async () => {
    expect(await ev(p.erl, `gen_server:call({ts_srv, '${p.ts}'}, {slow, 50})`)).toBe('late');
  });

  it('a late reply after the caller timed out is dropped (the alias is gone)', async () => {
    const r = await ev(
      p.erl,
      `
      $R = (catch gen_server:call({ts_srv, '${p.ts}'}, {slow, 300}, 100)),
      timer:sleep(500),
      $Stray = receive $M -> $M after 0 -> none end,
      {element(1, element(2, $R)), $Stray}`,
    );
    expect(r).toBe('{timeout,none}');
  });

  it('calling an unknown name exits with noproc', async () => {
    expect(await ev(p.erl, `{'EXIT', {$R, _}} = (catch gen_server:call({no_srv, '${p.ts}'}, x)), $R`)).toBe('noproc');
  });

  it('the server stopping during the call exits the caller with its reason', async () => {
    GenServer.start(p.node.runtime, Srv, [], { name: 'ts_srv2' });
    expect(await ev(p.erl, `{'EXIT', {$R, _}} = (catch gen_server:call({ts_srv2, '${p.ts}'}, crash)), $R`)).toBe('crashed_on_purpose');
  });
});

describe('a server that dies of error(oops) in a call', () => {
  it('exits its erl caller with {{oops, Stacktrace}, {gen_server, call, Args}}, as an erl gen_server does', async () => {
    GenServer.start(p.node.runtime, Srv, [], { name: 'ts_srv3' });
    const shape = (dest: string) =>
      `{'EXIT', {{$R, $St}, {gen_server, call, [_, oops]}}} = (catch gen_server:call(${dest}, oops)), {$R, is_list($St), $St =/= []}`;
    // an erl server of its own: the registered bl_echo serves the tests below
    const erlSide = await ev(p.erl, `{ok, OopsSrv} = gen_server:start(bl_echo_srv, [], []), ${shape('OopsSrv')}`);
    expect(erlSide).toBe('{oops,true,true}');
    expect(await ev(p.erl, shape(`{ts_srv3, '${p.ts}'}`))).toBe(erlSide);
  });
});

describe('TS → erl gen_server', () => {
  it('node.call (an [alias|Ref] tag: the reply arrives as ALIAS_SEND to our ref)', async () => {
    expect(await p.node.call(['bl_echo', p.erlName], atom('hi'))).toEqual(t(atom('echo'), atom('hi')));
    expect(p.node.stats().tables.aliases).toBe(0);
  });

  it('GenServer.call from core ([alias|Mref] tag too) works', async () => {
    expect(await GenServer.call(p.node.runtime, ['bl_echo', p.erlName], atom('core'))).toEqual(t(atom('echo'), atom('core')));
  });

  it('a timeout rejects with timeout and the late reply is dropped', async () => {
    await expect(p.node.call(['bl_echo', p.erlName], atom('slow'), 100)).rejects.toMatchObject({ cause: atom('timeout') });
    await sleep(400);
    expect(p.node.stats().router.dropped).toBeGreaterThanOrEqual(1);
    expect(p.node.stats().tables.aliases).toBe(0);
  });

  it('noproc for an unknown erl name; {nodedown, Node} for an unreachable node (the exit shapes erl gives)', async () => {
    await expect(p.node.call(['nobody', p.erlName], atom('x'))).rejects.toMatchObject({ cause: atom('noproc') });
    const e = await p.node.call(['x', 'ghost@localhost'], atom('x')).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(CallError);
    expect((e as CallError).cause).toEqual(t(atom('nodedown'), atom('ghost@localhost')));
    expect(format((e as CallError).reason as Term)).toBe('{{nodedown,ghost@localhost},{gen_server,call,[{x,ghost@localhost},x]}}');
    // with a timeout, gen_server:call/3's shape
    const e3 = await p.node.call(['x', 'ghost@localhost'], atom('x'), 5000).catch((err: unknown) => err);
    expect(format((e3 as CallError).reason as Term)).toBe('{{nodedown,ghost@localhost},{gen_server,call,[{x,ghost@localhost},x,5000]}}');
  });

  it('gen_server:cast and send to an erl process', async () => {
    p.node.cast(['bl_echo', p.erlName], atom('ignored'));
    expect(await p.node.call(['bl_echo', p.erlName], atom('after_cast'))).toEqual(t(atom('echo'), atom('after_cast')));
  });
});

describe('sys both ways (get_state: OTP 26.1+ reads {ok, State}, older OTP the state)', () => {
  it("sys.getState from TS on an erl gen_server gives its state (an OTP 27 server's {ok, State} unwrapped)", async () => {
    expect(await sys.getState(p.node.runtime, ['bl_echo', p.erlName])).toEqual([]);
  });

  it('sys:get_state from erl on a TS GenServer gives its state, in the form its sys reads', async () => {
    GenServer.start(p.node.runtime, Srv, [], { name: 'ts_sys' });
    expect(await ev(p.erl, `gen_server:cast({ts_sys, '${p.ts}'}, {set, {ok, 7}}), sys:get_state({ts_sys, '${p.ts}'})`)).toBe(
      '#{<<"value">> => {ok,7}}',
    );
  });
});

describe('supervisor:which_children from erl', () => {
  it("a GenServer child's modules default to its callback module (its class name, as '$initial_call' names it)", async () => {
    await Supervisor.start(
      p.node.runtime,
      {
        children: [
          { id: 'srv', start: (ctx: ProcessContext) => GenServer.startLink(ctx, Srv, []) },
          { id: 'sub', type: 'supervisor', start: (ctx: ProcessContext) => Supervisor.start(ctx, {}) },
          { id: 'given', start: (ctx: ProcessContext) => GenServer.startLink(ctx, Srv, []), modules: ['my_mod'] },
          { id: 'plain', start: (ctx: ProcessContext) => ctx.spawnLink(async (c: ProcessContext) => void (await c.receive(() => false))) },
        ],
      },
      { name: 'ts_sup' },
    );
    const kids = await ev(p.erl, `[{$Id, $T, $M} || {$Id, _, $T, $M} <- supervisor:which_children({ts_sup, '${p.ts}'})]`);
    expect(kids.replace(/\s+/g, '')).toBe("[{plain,worker,[]},{given,worker,[my_mod]},{sub,supervisor,[supervisor]},{srv,worker,['Srv']}]");
    // an Erlang child spec names an {M, F, A} a TS supervisor cannot run: refused, the spec named as sent
    expect(await ev(p.erl, `supervisor:start_child({ts_sup, '${p.ts}'}, #{id => x, start => {m, f, []}})`)).toBe(
      '{error,{invalid_child_spec,#{id => x,start => {m,f,[]}}}}',
    );
  });

  it('supervisor:get_childspec answers the map an erl supervisor answers (same keys, same values but start/modules)', async () => {
    await Supervisor.start(
      p.node.runtime,
      { children: [{ id: 'spec_kid', start: (ctx: ProcessContext) => GenServer.startLink(ctx, Srv, []), shutdown: 500 }] },
      { name: 'ts_sup2' },
    );
    const dir = await mkdtemp(join(tmpdir(), 'sup_shape-'));
    const src =
      '-module(sup_shape).\\n-export([init/1]).\\ninit(Id) -> {ok, {#{}, [#{id => Id, start => {gen_event, start_link, []}, shutdown => 500}]}}.\\n';
    await ev(
      p.erl,
      `ok = file:write_file("${dir}/sup_shape.erl", "${src}"), {ok, sup_shape} = c:c("${dir}/sup_shape.erl", [{outdir, "${dir}"}]), ok`,
    );
    const shape = (sup: string, v: string) =>
      `begin {ok, ${v}} = supervisor:get_childspec(${sup}, spec_kid), {lists:sort(maps:keys(${v})), maps:without([start, modules], ${v}), supervisor:get_childspec(${sup}, nope)} end`;
    const theirs = await ev(p.erl, `begin {ok, S} = supervisor:start_link(sup_shape, spec_kid), ${shape('S', 'Theirs')} end`);
    const ours = await ev(p.erl, shape(`{ts_sup2, '${p.ts}'}`, 'Ours'));
    expect(theirs).toContain('significant');
    expect(ours).toBe(theirs);
  });
});
