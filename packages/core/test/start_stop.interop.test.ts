/**
 * Starting and stopping GenServers, against a real erl (inline code: a module compiled from
 * forms; it prints one `Key Term` line per step, the TS side builds the same lines):
 * - a start whose name is taken: gen_server:start/start_link give `{error, {already_started,
 *   Pid}}` and start nothing; under a supervisor that is the child's start error (OTP 27's
 *   start_child answers it unwrapped);
 * - `{stop, Reason, Reply, State}`: the reply is sent after terminate has run, so what terminate
 *   sends the caller is in its mailbox when the call returns.
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { type Atom, type Pid, Tuple, atom, format, t, type Term } from '@beamline/etf';
import { describe, expect, it } from 'vitest';
import { erlBinary, loadModule } from '../../../tools/erl/erl.ts';
import {
  EXIT,
  GenServer,
  Runtime,
  StartError,
  Supervisor,
  TIMEOUT,
  inProcess,
  ok,
  stop,
  type CallResult,
  type ProcessContext,
} from '../src/index.ts';

const run = promisify(execFile);

const ERL = `
{module, M} = ${loadModule([
  '-module(bl_name_probe).',
  '-export([init/1, handle_call/3, handle_cast/2, sl/0]).',
  'init(sup) -> {ok, {#{}, []}}; init(C) when is_list(C) -> {ok, {#{}, C}}; init(_) -> {ok, 0}.',
  'handle_call(_, _, S) -> {reply, ok, S}.',
  'handle_cast(_, S) -> {noreply, S}.',
  'sl() -> gen_server:start_link({local, x}, bl_name_probe, [], []).',
])},
logger:set_primary_config(level, none),
{ok, H} = gen_server:start({local, x}, M, [], []),
N = fun N(P) when P =:= H -> holder; N(P) when is_tuple(P) -> list_to_tuple([N(E) || E <- tuple_to_list(P)]); N(P) -> P end,
Say = fun(K, V) -> io:format("~w ~w~n", [K, N(V)]) end,
Say(start, gen_server:start({local, x}, M, [], [])),
process_flag(trap_exit, true),
Say(start_link, gen_server:start_link({local, x}, M, [], [])),
Say(mailbox, element(2, process_info(self(), messages))),
Say(sup, supervisor:start_link(M, [#{id => c, start => {M, sl, []}}])),
{ok, S} = supervisor:start_link(M, sup),
Say(start_child, supervisor:start_child(S, #{id => c, start => {M, sl, []}})),
Say(which, supervisor:which_children(S)),
Say(release, list_to_integer(erlang:system_info(otp_release))),
halt().`;

class Probe extends GenServer<number> {
  init() {
    return ok(0);
  }
}

async function beamline(): Promise<string[]> {
  const rt = new Runtime({ logger: null });
  try {
    const holder = await GenServer.start(rt, Probe, undefined, { name: 'x' });
    const lines = await inProcess(rt, async (ctx) => {
      const out: string[] = [];
      const say = (k: string, v: Term) => out.push(`${k} ${format(v).replaceAll(format(holder), 'holder')}`);
      const result = (p: Promise<unknown>): Promise<Term> =>
        p.then(
          (pid) => t(atom('ok'), pid as Term),
          (e: unknown) => (e instanceof StartError ? t(atom('error'), e.reason as Term) : atom(`threw ${String(e)}`)),
        );
      const sl = (c: ProcessContext) => GenServer.startLink(c, Probe, undefined, { name: 'x' });
      say('start', await result(GenServer.start(ctx, Probe, undefined, { name: 'x' })));
      ctx.trapExit(true);
      say('start_link', await result(sl(ctx)));
      const mailbox: Term[] = [];
      for (let m = await ctx.receive(undefined, 0); m !== TIMEOUT; m = await ctx.receive(undefined, 0)) mailbox.push(m as Term);
      say('mailbox', mailbox);
      say('sup', await result(Supervisor.start(ctx, { children: [{ id: 'c', start: sl }] })));
      const sup = await Supervisor.start(ctx, { children: [] });
      const r = await Supervisor.startChild(ctx, sup, { id: 'c', start: sl });
      say('start_child', r.ok ? t(atom('ok'), r.pid as Term) : t(atom('error'), r.error as Term));
      say('which', (await Supervisor.whichChildren(ctx, sup)) as never);
      return out;
    });
    await rt.settle();
    expect(rt.whereis('x')).toBe(holder);
    return lines;
  } finally {
    await rt.stop();
  }
}

const ERL_STOP_REPLY = `
{module, M} = ${loadModule([
  '-module(bl_stop_probe).',
  '-export([init/1, handle_call/3, handle_cast/2, terminate/2]).',
  'init(P) -> {ok, P}.',
  'handle_call({stop, How}, _, _) -> {stop, normal, {reply, How}, How}.',
  'handle_cast(_, S) -> {noreply, S}.',
  'terminate(R, {P, slow}) -> timer:sleep(50), P ! {terminate, R}; terminate(R, {P, crash}) -> P ! {terminate, R}, error(oops); terminate(R, {P, _}) -> P ! {terminate, R}.',
])},
logger:set_primary_config(level, none),
process_flag(trap_exit, true),
[begin
   {ok, S} = gen_server:start_link(M, self(), []),
   {reply, {_, How}} = gen_server:call(S, {stop, {self(), How}}),
   Now = receive X -> X after 0 -> empty end,
   receive {'EXIT', S, _} -> ok end,
   io:format("~w ~w~n", [How, Now])
 end || How <- [fast, slow, crash]],
halt().`;

class StopProbe extends GenServer<[Pid, string], Tuple> {
  init() {
    return ok<[Pid, string]>([undefined as unknown as Pid, '']);
  }
  override handleCall(req: Tuple): CallResult<[Pid, string], Term> {
    const [who, how] = (req.elements[1] as Tuple).elements as [Pid, Atom];
    return stop(atom('normal'), [who, how.name], { reply: t(atom('reply'), t(who, how)) });
  }
  override async terminate(reason: unknown, [who, how]: [Pid, string], ctx: ProcessContext) {
    if (how === 'slow') await new Promise((r) => setTimeout(r, 50));
    ctx.send(who, t(atom('terminate'), reason as Term));
    if (how === 'crash') throw new Error('oops');
  }
}

describe('GenServer starts and stops (against a live erl)', () => {
  it('{stop, Reason, Reply, State}: the reply comes after terminate (also an async or a throwing one)', { timeout: 30_000 }, async () => {
    const erl = run(erlBinary, ['-noshell', '-eval', ERL_STOP_REPLY], { timeout: 20_000, cwd: tmpdir() });
    const rt = new Runtime({ logger: null });
    try {
      const ts = await inProcess(rt, async (ctx) => {
        ctx.trapExit(true);
        const out: string[] = [];
        for (const how of ['fast', 'slow', 'crash']) {
          const s = await GenServer.startLink(ctx, StopProbe);
          await GenServer.call(ctx, s, t(atom('stop'), t(ctx.self, atom(how))));
          const now = await ctx.receive((m) => !(m instanceof Tuple && m.elements[0] === EXIT), 0);
          await ctx.receive((m) => m instanceof Tuple && m.elements[0] === EXIT);
          out.push(`${how} ${now === TIMEOUT ? 'empty' : format(now as Term)}`);
        }
        return out;
      });
      const lines = (await erl).stdout.split('\n').filter((l) => l.trim() !== '');
      expect(ts).toEqual(lines);
      expect(ts[0]).toBe('fast {terminate,normal}');
    } finally {
      await rt.stop();
    }
  });

  it('fails the start with {already_started, Pid}: gen_server start/start_link, supervisor start and start_child', { timeout: 30_000 }, async () => {
    const [{ stdout }, ts] = await Promise.all([run(erlBinary, ['-noshell', '-eval', ERL], { timeout: 20_000, cwd: tmpdir() }), beamline()]);
    const erl = stdout.split('\n').filter((l) => l.trim() !== '');
    const release = Number(erl.pop()?.split(' ')[1]);
    // OTP 25 wraps start_child's error with the child record; OTP 27 (the truth) answers it bare
    const compared = (lines: string[]) => lines.filter((l) => release >= 27 || !l.startsWith('start_child '));
    expect(compared(ts)).toEqual(compared(erl));
    expect(ts).toContain('start {error,{already_started,holder}}');
  });
});
