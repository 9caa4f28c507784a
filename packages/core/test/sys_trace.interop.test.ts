/**
 * sys:trace's lines (gen_server's print_event) against a real erl: the same server, the same
 * messages, the same `*DBG*` lines (pids aside).
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { Tuple, atom, t, type Term } from '@beamline/etf';
import { describe, expect, it, vi } from 'vitest';
import { erlBinary } from '../../../tools/erl/erl.ts';
import { GenServer, Runtime, noreply, ok, reply, sys, type CallResult, type NoReplyResult } from '../src/index.ts';

const run = promisify(execFile);

const ERL = `
Src = ["-module(bl_trace_probe).", "-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).",
       "init(_) -> {ok, 0}.",
       "handle_call({add, N}, _, S) -> {reply, {sum, S + N}, S + N}; handle_call(_, _, S) -> {reply, S, S}.",
       "handle_cast({add, N}, S) -> {noreply, S + N}.",
       "handle_info(_, S) -> {noreply, S + 100}."],
Forms = [begin {ok, T, _} = erl_scan:string(L), {ok, F} = erl_parse:parse_form(T), F end || L <- Src],
{ok, M, Bin} = compile:forms(Forms), {module, M} = code:load_binary(M, "bl_trace_probe.erl", Bin),
{ok, _} = gen_server:start({local, dbg}, M, [], []),
ok = sys:trace(dbg, true),
gen_server:call(dbg, {add, 2}), gen_server:cast(dbg, {add, 3}), dbg ! hello, gen_server:call(dbg, get),
ok = sys:trace(dbg, false), gen_server:call(dbg, get),
halt().`;

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

const pids = (lines: string[]) => lines.map((l) => l.replace(/<\d+\.\d+\.\d+>/g, '<pid>'));

describe('sys:trace (against a live erl)', () => {
  it('prints the lines gen_server prints, only while on', { timeout: 30_000 }, async () => {
    const erl = run(erlBinary, ['-noshell', '-eval', ERL], { timeout: 20_000, cwd: tmpdir() });
    const rt = new Runtime({ logger: null });
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
      await rt.stop();
    }
    const lines = (await erl).stdout.split('\n').filter((l) => l.startsWith('*DBG*'));
    expect(pids(printed)).toEqual(pids(lines));
    expect(lines).toHaveLength(8);
  });
});
