/**
 * sys's debug options from erl (sys:log, sys:statistics, sys:trace, sys:no_debug): the same
 * script runs against an erl gen_server and a TS GenServer with the same callbacks, and the
 * answers (logged events, counts, replies) must be the same; so must sys:trace's lines.
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Tuple, atom, t, type Term } from '@beamline/etf';
import { GenServer, noreply, ok, reply, sys, type CallResult, type NoReplyResult } from '@beamline/core';
import { erlBinary, loadModule } from '../../../tools/erl/erl.ts';
import { ev, freePort, startPair, type Pair } from './helpers/node_pair.ts';

let p: Pair;

/** A counter: `{add, N}` and `get` calls, `{add, N}` casts, any info message adds 100. */
class Counter extends GenServer<number> {
  init() {
    return ok(0);
  }
  override handleCall(req: unknown, _from: unknown, n: number): CallResult<number, Term> {
    if (req instanceof Tuple && req.elements[0] === atom('add'))
      return reply(t(atom('sum'), n + (req.elements[1] as number)), n + (req.elements[1] as number));
    return reply(n, n);
  }
  override handleCast(msg: unknown, n: number): NoReplyResult<number> {
    return noreply(msg instanceof Tuple ? n + (msg.elements[1] as number) : n);
  }
  override handleInfo(_msg: unknown, n: number): NoReplyResult<number> {
    return noreply(n + 100);
  }
}

/** The same counter as an Erlang module, compiled from forms and loaded as `M`. */
const ERL_MODULE = `
{module, M} = ${loadModule([
  '-module(bl_dbg_counter).',
  '-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).',
  'init(_) -> {ok, 0}.',
  'handle_call({add, N}, _, S) -> {reply, {sum, S + N}, S + N}; handle_call(_, _, S) -> {reply, S, S}.',
  'handle_cast({add, N}, S) -> {noreply, S + N}.',
  'handle_info(_, S) -> {noreply, S + 100}.',
])},`;

const ERL_COUNTER = `${ERL_MODULE}
{ok, _} = gen_server:start({local, erl_dbg}, M, [], []),
Norm = fun({in, {'$gen_call', {P, _}, R}}) when is_pid(P) -> {in, call, R}; ({out, R, {P, _}, St}) when is_pid(P) -> {out, R, St}; (E) -> E end,
Counts = fun(Stats) -> [KV || {K, _} = KV <- Stats, K =:= messages_in orelse K =:= messages_out] end,
Shapes = fun(Stats) -> [K || {K, _} <- Stats] end,
Script = fun(S) ->
  None = sys:statistics(S, get),
  ok = sys:statistics(S, true), ok = sys:log(S, true),
  R1 = gen_server:call(S, {add, 2}),
  gen_server:cast(S, {add, 3}),
  S ! hello,
  R2 = gen_server:call(S, get),
  {ok, Log} = sys:log(S, get),
  {ok, Stats} = sys:statistics(S, get),
  {status, _, _, [_, _, _, _, Formatted]} = sys:get_status(S),
  Logged = [[Norm(E) || E <- L] || {data, D} <- Formatted, {"Logged events", L} <- D],
  Resize = sys:log(S, {true, 2}),
  {ok, Log2} = sys:log(S, get),
  ok = sys:log(S, false), Off = sys:log(S, get),
  ok = sys:log(S, {true, 2}),
  [gen_server:call(S, get) || _ <- [1, 2]],
  {ok, Small} = sys:log(S, get),
  Trace = {sys:trace(S, true), sys:trace(S, false)},
  ok = sys:no_debug(S),
  After = {sys:log(S, get), sys:statistics(S, get)},
  [None, R1, R2, [Norm(E) || E <- Log], Logged, Counts(Stats), Shapes(Stats), Resize, length(Log2), Off, [Norm(E) || E <- Small], Trace, After]
end,
ok`;

beforeAll(async () => {
  p = await startPair('dbg', await freePort());
  await GenServer.start(p.node.runtime, Counter, undefined, { name: 'ts_dbg' });
  expect(await p.erl.eval(ERL_COUNTER)).toBe('ok');
});
afterAll(async () => {
  await p?.stop();
});

describe('sys debug options from erl on a TS GenServer, as on an erl gen_server', () => {
  it('sys:log (true, {true, N}, get, false), sys:statistics (true, get), sys:trace, sys:no_debug give what erl gives', async () => {
    const erl = await ev(p.erl, 'Script(erl_dbg)');
    const ts = await ev(p.erl, `Script({ts_dbg, '${p.ts}'})`);
    expect(ts).toBe(erl);
    const flat = erl.replace(/\s+/g, '');
    expect(flat).toContain("{in,call,{add,2}},{out,{sum,2},2},{in,{'$gen_cast',{add,3}}},{noreply,5},{in,hello},{noreply,105}");
    expect(flat).toContain('[{messages_in,4},{messages_out,2}]');
    // an Erlang fun cannot run in a TS process: sys:install is a command it does not know
    expect(await ev(p.erl, `sys:install({ts_dbg, '${p.ts}'}, {fun(St, _, _) -> St end, x})`)).toBe('unknown_debug');
  });

  it('sys.log from TS: on, the events, off', async () => {
    const rt = p.node.runtime;
    const srv = await GenServer.start(rt, Counter);
    expect(await sys.log(rt, srv, 'get')).toEqual([]);
    await sys.log(rt, srv, true);
    await GenServer.call(rt, srv, t(atom('add'), 5));
    const [inEvent, outEvent] = (await sys.log(rt, srv, 'get')) as Tuple[];
    expect(inEvent.elements[0]).toBe(atom('in'));
    expect(outEvent.elements.filter((_, i) => i !== 2)).toEqual([atom('out'), t(atom('sum'), 5), 5]);
    await sys.log(rt, srv, false);
    expect(await sys.log(rt, srv, 'get')).toEqual([]);
  });
});

/** erl -noshell: the counter traced, as the trace test does it on the TS side. */
const ERL_TRACE = `${ERL_MODULE}
{ok, _} = gen_server:start({local, dbg}, M, [], []),
ok = sys:trace(dbg, true),
gen_server:call(dbg, {add, 2}), gen_server:cast(dbg, {add, 3}), dbg ! hello, gen_server:call(dbg, get),
ok = sys:trace(dbg, false), gen_server:call(dbg, get),
halt().`;

const pids = (lines: string[]) => lines.map((l) => l.replace(/<\d+\.\d+\.\d+>/g, '<pid>'));

describe('sys:trace', () => {
  it('prints the lines gen_server prints, only while on', async () => {
    const erl = promisify(execFile)(erlBinary, ['-noshell', '-eval', ERL_TRACE], { timeout: 20_000, cwd: tmpdir() });
    const rt = p.node.runtime;
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
    try {
      const pid = await GenServer.start(rt, Counter, undefined, { name: 'dbg' });
      await sys.trace(rt, pid, true);
      await GenServer.call(rt, pid, t(atom('add'), 2));
      GenServer.cast(rt, pid, t(atom('add'), 3));
      rt.send(pid, atom('hello'));
      await GenServer.call(rt, pid, atom('get'));
      await sys.trace(rt, pid, false);
      await GenServer.call(rt, pid, atom('get'));
    } finally {
      spy.mockRestore();
    }
    const lines = (await erl).stdout.split('\n').filter((l) => l.startsWith('*DBG*'));
    expect(pids(printed.filter((l) => l.startsWith('*DBG*')))).toEqual(pids(lines));
    expect(lines).toHaveLength(8);
  });
});
