/**
 * rpc both ways (spec §4.8, §4.9, §9 items 35-39): rpc:call / erpc:call into exported TS
 * functions through SPAWN_REQUEST, the `{badrpc, ...}` shapes OTP gives for undefined functions,
 * throws and crashes, timeouts, casts, the legacy rex messages, and TS → erl rpc.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tuple, atom, t, type Term } from '@beamline/etf';
import { Inbox, ev, sleep, startPair, until, type Pair, freePort } from './helpers/node_pair.ts';
import { erlError, erlExit, erlThrow, type CallContext } from '../src/exports.ts';

let EPMD = 0; // a fresh port per run (helpers/node_pair.ts freePort)
let p: Pair;
let inbox: Inbox;

beforeAll(async () => {
  EPMD = await freePort();
  p = await startPair('rpc', EPMD);
  inbox = new Inbox(p.node.runtime, 'rpc_inbox');
  p.node.exportModule('m', {
    add: (a: number, b: number) => a + b,
    hello: (who: Term) => t(atom('hello'), who),
    nothing: () => undefined,
    thrower: () => {
      throw erlThrow(atom('thrown'));
    },
    errorer: () => {
      throw erlError(atom('bad'));
    },
    exiter: () => {
      throw erlExit(atom('gone'));
    },
    crash: () => {
      throw new TypeError('nope');
    },
    slow: async (ms: number) => {
      await sleep(ms);
      return atom('done');
    },
    notify: (msg: Term) => {
      p.node.send('rpc_inbox', msg);
    },
    whoami: function (this: CallContext) {
      return t(this.module, this.fun, this.args.length);
    },
    with_fn: () => ({ cb: () => 1 }),
    obj: () => ({ a: [true, null] }),
  });
});
afterAll(async () => {
  await p?.stop();
});

const call = (expr: string) => ev(p.erl, expr);

describe('rpc:call / erpc:call from erl into exported TS functions', () => {
  it('returns the value', async () => {
    expect(await call(`rpc:call('${p.ts}', m, add, [1, 2])`)).toBe('3');
    expect(await call(`rpc:call('${p.ts}', m, hello, [world])`)).toBe('{hello,world}');
    expect(await call(`rpc:call('${p.ts}', m, nothing, [])`)).toBe('ok');
    expect(await call(`rpc:call('${p.ts}', m, whoami, [a, b])`)).toBe('{m,whoami,2}');
    expect(await call(`erpc:call('${p.ts}', m, add, [40, 2])`)).toBe('42');
  });

  it("an undefined function or module: {badrpc, {'EXIT', {undef, [{M, F, A, []}]}}} as OTP shapes it", async () => {
    expect(await call(`rpc:call('${p.ts}', m, nofun, [1])`)).toBe(`{badrpc,{'EXIT',{undef,[{m,nofun,[1],[]}]}}}`);
    expect(await call(`rpc:call('${p.ts}', nomod, f, [1, 2])`)).toBe(`{badrpc,{'EXIT',{undef,[{nomod,f,[1,2],[]}]}}}`);
    expect(await call(`try erpc:call('${p.ts}', nomod, f, []) catch error:{exception, $R, $S} -> {$R, $S} end`)).toBe('{undef,[{nomod,f,[],[]}]}');
  });

  it("throw gives the value; exit gives {badrpc, {'EXIT', R}}; error gives {badrpc, {'EXIT', {R, Stack}}}", async () => {
    expect(await call(`rpc:call('${p.ts}', m, thrower, [])`)).toBe('thrown');
    expect(await call(`rpc:call('${p.ts}', m, exiter, [])`)).toBe(`{badrpc,{'EXIT',gone}}`);
    expect(await call(`rpc:call('${p.ts}', m, errorer, [])`)).toBe(`{badrpc,{'EXIT',{bad,[{m,errorer,0,[]}]}}}`);
    expect(await call(`rpc:call('${p.ts}', m, crash, [])`)).toBe(`{badrpc,{'EXIT',{{js_error,<<"TypeError: nope">>},[{m,crash,0,[]}]}}}`);
    expect(await call(`try erpc:call('${p.ts}', m, thrower, []) catch throw:$V -> {caught, $V} end`)).toBe('{caught,thrown}');
    expect(await call(`try erpc:call('${p.ts}', m, exiter, []) catch exit:{exception, $R} -> $R end`)).toBe('gone');
  });

  it('async functions, and a timeout gives {badrpc, timeout}', async () => {
    expect(await call(`rpc:call('${p.ts}', m, slow, [20])`)).toBe('done');
    expect(await call(`rpc:call('${p.ts}', m, slow, [2000], 100)`)).toBe('{badrpc,timeout}');
  });

  it('1,000 concurrent calls all get their own answers, and leave nothing behind', async () => {
    const before = p.node.runtime.processes().length;
    expect(
      await call(`
        $Self = self(),
        $Ps = [spawn(fun() -> $Self ! {$I, rpc:call('${p.ts}', m, add, [$I, $I])} end) || $I <- lists:seq(1, 1000)],
        length($Ps) =:= 1000 andalso lists:all(fun($J) -> receive {$J, $R} -> $R =:= 2 * $J after 10000 -> false end end, lists:seq(1, 1000))`),
    ).toBe('true');
    // every erpc process has exited; no link / alias / pending state is left in the router
    await until(() => p.node.runtime.processes().length === before, 5000, 'erpc processes to exit');
    expect(p.node.stats().tables).toEqual({ links: 0, aliases: 0, pendingNodes: 0 });
  });

  it('erpc:cast and rpc:cast run the function', async () => {
    await call(`erpc:cast('${p.ts}', m, notify, [via_erpc_cast])`);
    expect(await inbox.next((m) => m === atom('via_erpc_cast'))).toBe(atom('via_erpc_cast'));
    await call(`true = rpc:cast('${p.ts}', m, notify, [via_rpc_cast])`);
    expect(await inbox.next((m) => m === atom('via_rpc_cast'))).toBe(atom('via_rpc_cast'));
  });

  it('rpc:multicall', async () => {
    expect(await call(`rpc:multicall(['${p.ts}'], m, add, [2, 3])`)).toBe('{[5],[]}');
  });

  it("an Erlang fun cannot run here: undef, in the shapes OTP gives on a node that lacks the fun's code", async () => {
    await call(`WireF = fun() -> ok end, ok`);
    expect(
      await call(
        `{badrpc, {'EXIT', {undef, [{$F, [], []}, {erlang, apply, 2, []}]}}} = rpc:call('${p.ts}', erlang, apply, [WireF, []]), $F =:= WireF`,
      ),
    ).toBe('true');
    expect(
      await call(`try erpc:call('${p.ts}', WireF) catch error:{exception, undef, [{$F, [], []}, {erlang, apply, 2, []}]} -> $F =:= WireF end`),
    ).toBe('true');
    expect(await call(`rpc:call('${p.ts}', erlang, apply, [WireF, [1]])`)).toMatch(/^\{badrpc,\{'EXIT',\{\{badarity,\{#Fun<erl_eval/);
    // spawn gives a pid whose process exits with undef at once (a monitor or link sees it)
    expect(
      await call(
        `{$P, $M} = spawn_monitor('${p.ts}', WireF), receive {'DOWN', $M, process, $P, {undef, [{$F, [], []}]}} -> $F =:= WireF after 5000 -> timeout end`,
      ),
    ).toBe('true');
    expect(
      await call(`{$P, $M} = spawn_monitor('${p.ts}', nomod, f, [1]), receive {'DOWN', $M, process, $P, $R} -> $R after 5000 -> timeout end`),
    ).toBe('{undef,[{nomod,f,[1],[]}]}');
  });

  it('an external fun of an exported TS function runs (erlang:apply(fun m:add/2, Args))', async () => {
    expect(await call(`rpc:call('${p.ts}', erlang, apply, [fun m:add/2, [20, 22]])`)).toBe('42');
    expect(await call(`erpc:call('${p.ts}', fun m:nothing/0)`)).toBe('ok');
    expect(
      await call(`{$P, $M} = spawn_monitor('${p.ts}', m, crash, []), receive {'DOWN', $M, process, $P, $R} -> $R after 5000 -> timeout end`),
    ).toBe('{{js_error,<<"TypeError: nope">>},[{m,crash,0,[]}]}');
  });

  it('a returned value with no Erlang form fails the call with error {not_encodable, ...}', async () => {
    expect(await call(`rpc:call('${p.ts}', m, with_fn, [])`)).toBe(`{badrpc,{'EXIT',{{not_encodable,function,<<"$.cb">>},[{m,with_fn,0,[]}]}}}`);
    expect(await call(`rpc:call('${p.ts}', m, obj, [])`)).toBe('#{<<"a">> => [true,null]}');
  });

  it('spawn of an exported TS function runs it', async () => {
    await call(`spawn('${p.ts}', m, notify, [spawned_fn])`);
    expect(await inbox.next((m) => m === atom('spawned_fn'))).toBe(atom('spawned_fn'));
  });

  it('spawn_request with an option OTP refuses: {spawn_reply, Ref, error, badopt} and nothing runs; the valid ones spawn', async () => {
    const reply = (opts: string) =>
      call(
        `$R = erlang:spawn_request('${p.ts}', m, notify, [spawned_opt], ${opts}), receive {spawn_reply, $R, $A, $B} -> {$A, is_pid($B) orelse $B} after 5000 -> timeout end`,
      );
    const bad = [
      '[foo]',
      '[{foo, 1}]',
      '[{link, true}]',
      '[{priority, bad}]',
      '[{fullsweep_after, -1}]',
      '[{min_heap_size, x}]',
      '[{min_bin_vheap_size, -1}]',
      '[{max_heap_size, 10}]',
      '[{max_heap_size, #{kill => true}}]',
      '[{max_heap_size, #{size => 0, kill => 1}}]',
      '[{message_queue_data, x}]',
      '[{async_dist, 1}]',
      '[link, {sensitive, true}]',
    ];
    for (const opts of bad) expect([opts, await reply(opts)]).toEqual([opts, '{error,badopt}']);
    const good = [
      '[]',
      '[link, monitor]',
      '[{priority, max}, {fullsweep_after, 0}, {min_heap_size, 100}, {min_bin_vheap_size, 10}]',
      '[{max_heap_size, 0}]',
      '[{max_heap_size, 233}, {message_queue_data, off_heap}, {async_dist, true}]',
      '[{max_heap_size, #{size => 0, kill => true, error_logger => false, include_shared_binaries => true}}]',
    ];
    for (const opts of good) expect([opts, await reply(opts)]).toEqual([opts, '{ok,true}']);
    // only the valid requests ran m:notify
    for (let i = 0; i < good.length; i++) await inbox.next((m) => m === atom('spawned_opt'));
    await sleep(100);
    expect(inbox.kept.filter((m) => m === atom('spawned_opt'))).toEqual([]);
  });
});

describe('rex (legacy rpc, spec §4.9)', () => {
  it('rpc:block_call', async () => {
    expect(await call(`rpc:block_call('${p.ts}', m, add, [1, 1])`)).toBe('2');
    expect(await call(`rpc:block_call('${p.ts}', m, nofun, [])`)).toBe(`{badrpc,{'EXIT',{undef,[{m,nofun,[],[]}]}}}`);
  });

  it('ei_rpc style {From, {call, M, F, A, GL}} → {rex, Result}', async () => {
    expect(await call(`{rex, '${p.ts}'} ! {self(), {call, m, add, [5, 5], user}}, receive {rex, $R} -> $R after 5000 -> timeout end`)).toBe('10');
  });

  it('rpc:sbcast, {send, Name, Msg}', async () => {
    expect(await call(`rpc:sbcast(['${p.ts}'], rpc_inbox, sb_msg)`)).toBe(`{[${p.ts}],[]}`);
    expect(await inbox.next((m) => m === atom('sb_msg'))).toBe(atom('sb_msg'));
    expect(await call(`rpc:sbcast(['${p.ts}'], nobody, sb_msg)`)).toBe(`{[],[${p.ts}]}`);
    await call(`{rex, '${p.ts}'} ! {self(), {send, rpc_inbox, sent_msg}}`);
    const m = await inbox.next<Tuple>((x) => x instanceof Tuple && x.elements[1] === atom('sent_msg'));
    expect(m.elements.length).toBe(2);
  });
});

describe("TS → erl rpc (through the peer's rex)", () => {
  it('returns values', async () => {
    expect(await p.node.rpc(p.erlName, 'erlang', 'node', [])).toBe(atom(p.erlName));
    expect(await p.node.rpc(p.erlName, 'lists', 'reverse', [[1, 2, 3]])).toEqual([3, 2, 1]);
    const ref = p.node.runtime.makeRef();
    expect(await p.node.rpc(p.erlName, 'erlang', 'list_to_tuple', [[atom('a'), ref]])).toEqual(t(atom('a'), ref));
  });

  it('badrpc shapes: undef, exit, node down, timeout', async () => {
    const undef = (await p.node.rpc(p.erlName, 'nomod', 'f', [1])) as Tuple;
    expect(undef.elements[0]).toBe(atom('badrpc'));
    expect(((undef.elements[1] as Tuple).elements[1] as Tuple).elements[0]).toBe(atom('undef'));
    expect(await p.node.rpc(p.erlName, 'erlang', 'exit', [atom('x')])).toEqual(t(atom('badrpc'), t(atom('EXIT'), atom('x'))));
    expect(await p.node.rpc('ghost@localhost', 'erlang', 'node', [])).toEqual(t(atom('badrpc'), atom('nodedown')));
    expect(await p.node.rpc(p.erlName, 'timer', 'sleep', [1000], 100)).toEqual(t(atom('badrpc'), atom('timeout')));
  });

  it('rpc to our own node uses the local registry', async () => {
    expect(await p.node.rpc(p.ts, 'm', 'add', [2, 2])).toBe(4);
  });

  it('erl can rpc back into us from inside an rpc (re-entrant)', async () => {
    expect(await p.node.rpc(p.erlName, 'rpc', 'call', [atom(p.ts), atom('m'), atom('add'), [7, 8]])).toBe(15);
  });
});
