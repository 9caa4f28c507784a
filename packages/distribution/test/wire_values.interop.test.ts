/**
 * What JS values become in erl (README "What crosses the wire"), against a real erl (OTP 25, and
 * OTP 27 through BEAMLINE_ERL): sys:get_state / sys:get_status of a TS GenServer whose state is a
 * plain object; a gen reply with no Erlang form is an error reply, never a timeout; a plain send
 * with one gives the sender an error; the shapes objects, Maps, Sets, bigints, dates and class
 * instances arrive in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atom, t } from '@beamline/etf';
import { ExitError, GenServer, ok, reply, type CallResult, type ProcessContext } from '@beamline/core';
import { ERL_COLLECTOR, ev, exitReasonOf, startPair, until, type Pair, freePort } from './helpers/node_pair.ts';
import { NotEncodableError } from '../src/wire_values.ts';

let EPMD = 0;
let p: Pair;

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

/** A class with toJSON: it crosses as JSON.stringify would write it, not as an opaque {'$js', Name}. */
class Money {
  constructor(readonly cents: number) {}
  toJSON(): unknown {
    return { amount: this.cents / 100, currency: 'EUR' };
  }
}

/** The state the servers keep: every mapped kind of JS value. */
function richState(): Record<string, unknown> {
  return {
    count: 3,
    name: 'srv',
    ok: true,
    none: null,
    missing: undefined,
    big: 2n ** 70n,
    ratio: 0.25,
    tags: new Set(['a', 'b']),
    when: new Date(Date.UTC(2024, 4, 1, 12, 0, 0)),
    point: new Point(1, 2),
    lookup: new Map<unknown, unknown>([
      [atom('k'), 1],
      ['s', [true, false]],
    ]),
    nested: { list: [1, { deep: 'yes' }], tuple: t(atom('ok'), { inner: 1 } as never) },
  };
}

/** The same, as erl must see it. */
const RICH_ERL = `#{<<"count">> => 3, <<"name">> => <<"srv">>, <<"ok">> => true, <<"none">> => null,
  <<"missing">> => undefined, <<"big">> => 1180591620717411303424, <<"ratio">> => 0.25,
  <<"tags">> => [<<"a">>, <<"b">>], <<"when">> => <<"2024-05-01T12:00:00.000Z">>,
  <<"point">> => {'$js', <<"Point">>}, <<"lookup">> => #{k => 1, <<"s">> => [true, false]},
  <<"nested">> => #{<<"list">> => [1, #{<<"deep">> => <<"yes">>}], <<"tuple">> => {ok, #{<<"inner">> => 1}}}}`;

type State = Record<string, unknown>;

class Rich extends GenServer<State> {
  init(state: State) {
    return ok(state);
  }
  override handleCall(req: unknown, _from: unknown, state: State): CallResult<State, unknown> {
    if (req === atom('fn')) return reply({ cb: () => 1, v: 1 }, state);
    if (req === atom('state')) return reply(state, state);
    return reply(atom('pong'), state);
  }
}

/** `Expr =:= Expected`, or the value itself (for the failure message). */
const same = (expr: string, expected: string) => ev(p.erl, `$V = (${expr}), case $V =:= (${expected}) of true -> true; false -> $V end`);

beforeAll(async () => {
  EPMD = await freePort();
  p = await startPair('wire', EPMD);
  await GenServer.start(p.node.runtime, Rich, richState(), { name: 'rich' });
  await GenServer.start(p.node.runtime, Rich, { handler: function onTick() {}, n: 1 }, { name: 'with_fn' });
  expect(await ev(p.erl, ERL_COLLECTOR)).toBe('ok');
  expect(await ev(p.erl, `Coll(wire_coll, false), register(tester, self()), ok`)).toBe('ok');
});
afterAll(async () => {
  await p?.stop();
});

describe('sys from erl against a TS GenServer with a plain-object state', () => {
  it('sys:get_state gives the state as a map with binary keys (every documented shape)', async () => {
    expect(await same(`sys:get_state({rich, '${p.ts}'})`, RICH_ERL)).toBe('true');
  });

  it("sys:get_status has OTP 27's shape with the state inside", async () => {
    const r = await ev(
      p.erl,
      `{status, $Pid, {module, gen_server}, [$PDict, running, $Parent, [], [{header, $H}, {data, _}, {data, [{"State", $S}]}]]} =
         sys:get_status({rich, '${p.ts}'}),
       {node($Pid), is_pid($Parent), proplists:get_value('$initial_call', $PDict), $H, $S =:= (${RICH_ERL})}`,
    );
    expect(r).toBe(`{${p.ts},true,{'Rich',init,1},"Status for generic server rich",true}`);
  });

  it('a state holding a function: sys:get_state raises error({not_encodable, function, Path}) at once (no timeout); the server lives', async () => {
    // the path is into the message as sent: {Tag, State}, or {Tag, {ok, State}} to OTP 26.1+
    const r = await ev(p.erl, `try sys:get_state({with_fn, '${p.ts}'}, 3000) catch $C:$R -> {$C, $R} end`);
    expect(r).toMatch(/^\{error,\{not_encodable,function,<<"\$\[1\](\[1\])?\.handler">>\}\}$/);
    expect(await ev(p.erl, `gen_server:call({with_fn, '${p.ts}'}, ping)`)).toBe('pong');
  });
});

describe('gen replies', () => {
  it('a reply with a function: the erl caller gets {error, {not_encodable, ...}} (not a timeout); counted and logged', async () => {
    const before = p.node.stats().router.encodeErrors;
    const r = await ev(p.erl, `gen_server:call({rich, '${p.ts}'}, fn, 3000)`);
    expect(r).toBe('{error,{not_encodable,function,<<"$[1].cb">>}}');
    expect(p.node.stats().router.encodeErrors).toBe(before + 1);
    expect(p.logger.has(/not encodable/)).toBe(true);
    expect(await ev(p.erl, `gen_server:call({rich, '${p.ts}'}, ping)`)).toBe('pong');
  });

  it('a reply that maps crosses as its mapping', async () => {
    expect(await same(`gen_server:call({rich, '${p.ts}'}, state)`, RICH_ERL)).toBe('true');
  });
});

describe('sends from TS', () => {
  it('objects, Maps, Sets, bigints, dates, class instances, errors arrive in the documented shapes', async () => {
    p.node.send(['wire_coll', p.erlName], richState());
    p.node.send(['wire_coll', p.erlName], [new RangeError('too big'), 2n ** 64n, -(2n ** 64n), undefined]);
    await p.node.inProcess(async (ctx) => ctx.send(['wire_coll', p.erlName], t(atom('from_process'), { a: [new Map([[1, 2]])] } as never)));
    const got = `WaitN(wire_coll, 3)`;
    expect(
      await same(
        got,
        `[${RICH_ERL}, [{js_error, <<"RangeError: too big">>}, 18446744073709551616, -18446744073709551616, undefined],
                        {from_process, #{<<"a">> => [#{1 => 2}]}}]`,
      ),
    ).toBe('true');
  });

  it('a send with a function: the sending process gets NotEncodableError; nothing arrives; counted', async () => {
    const before = p.node.stats().router.encodeErrors;
    const caught = await p.node.inProcess(async (ctx: ProcessContext) => {
      try {
        ctx.send(['tester', p.erlName], { f: () => 0 });
        return undefined;
      } catch (e) {
        return e;
      }
    });
    expect(caught).toBeInstanceOf(NotEncodableError);
    expect(caught).toMatchObject({ kind: 'function', path: '$.f' });
    expect(() => p.node.send(['tester', p.erlName], [Symbol('s')])).toThrow(NotEncodableError);
    await expect(p.node.call(['tester', p.erlName], { f: () => 0 })).rejects.toBeInstanceOf(NotEncodableError);
    expect(p.node.stats().router.encodeErrors).toBe(before + 3);
    p.node.send(['tester', p.erlName], atom('marker'));
    expect(await ev(p.erl, `receive $M -> $M after 5000 -> timeout end`)).toBe('marker'); // nothing came before it
  });

  it('uncaught, it ends the sender with {not_encodable, ...}, which a linked erl process sees', async () => {
    await ev(
      p.erl,
      `$P = spawn(fun() -> process_flag(trap_exit, true), register(wire_trap, self()),
        receive {link_to, $T} -> link($T), $T ! linked end, receive $E -> tester ! {trapped, $E} end end), ok`,
    );
    const sender = p.node.runtime.spawn(async (ctx: ProcessContext) => {
      ctx.send(['wire_trap', p.erlName], t(atom('link_to'), ctx.self));
      await ctx.receive((m) => m === atom('linked'));
      ctx.send(['wire_trap', p.erlName], { handler: () => 0 });
    });
    const reason = await exitReasonOf(p.node.runtime, sender);
    expect(reason).toBeInstanceOf(NotEncodableError);
    expect(await ev(p.erl, `receive {trapped, {'EXIT', _, $R}} -> $R after 5000 -> timeout end`)).toBe('{not_encodable,function,<<"$.handler">>}');
  });

  it('OTP 27: a JSON-able value arrives exactly as json:decode(JSON.stringify(V)) gives it', async ({ skip }) => {
    const hasJson = await ev(p.erl, `code:ensure_loaded(json) =:= {module, json}`);
    if (hasJson !== 'true') skip('OTP 25/26 have no json module');
    const v = { s: 'x', n: 3, f: 2.5, b: false, z: null, l: [1, { d: new Date(0) }], e: {}, m: new Money(5), u: new URL('http://h/p') };
    p.node.send(['tester', p.erlName], t(atom('json'), v as never, JSON.stringify(v)));
    expect(await ev(p.erl, `receive {json, $V, $J} -> $V =:= json:decode($J) after 5000 -> timeout end`)).toBe('true');
  });
});

describe('values with toJSON', () => {
  it('a reply or state with toJSON crosses as JSON.stringify writes it (an xstate snapshot: its methods stay home)', async () => {
    // the shape of an xstate v5 snapshot (StateMachine's state and call reply): methods, and a toJSON without them
    const snapshot = (value: string) => ({
      value,
      status: 'active',
      context: { opens: 1 },
      matches: (v: string) => v === value,
      can: () => true,
      toJSON() {
        return { value, status: 'active', context: { opens: 1 }, tags: [] };
      },
    });
    await GenServer.start(p.node.runtime, Rich, { snap: snapshot('opened') } as State, { name: 'wire_snap' });
    const json = '#{<<"context">> => #{<<"opens">> => 1}, <<"status">> => <<"active">>, <<"tags">> => [], <<"value">> => <<"opened">>}';
    expect(await same(`gen_server:call({wire_snap, '${p.ts}'}, state)`, `#{<<"snap">> => ${json}}`)).toBe('true');
    expect(await ev(p.erl, `maps:get(<<"value">>, maps:get(<<"snap">>, sys:get_state({wire_snap, '${p.ts}'})))`)).toBe('<<"opened">>');
  });
});

describe('exit reasons', () => {
  it('a plain-object exit reason crosses as a map (a linked erl process sees it)', async () => {
    await ev(
      p.erl,
      `$P = spawn(fun() -> process_flag(trap_exit, true), register(wire_trap2, self()),
        receive {link_to, $T} -> link($T), $T ! linked end, receive $E -> tester ! {trapped2, $E} end end), ok`,
    );
    const victim = p.node.runtime.spawn(async (ctx: ProcessContext) => {
      ctx.send(['wire_trap2', p.erlName], t(atom('link_to'), ctx.self));
      await ctx.receive((m) => m === atom('linked'));
      throw new ExitError({ why: 'object reason', code: 7 });
    });
    await until(() => p.node.runtime.processInfo(victim) === undefined);
    expect(
      await same(`receive {trapped2, {'EXIT', _, $R}} -> $R after 5000 -> timeout end`, `#{<<"why">> => <<"object reason">>, <<"code">> => 7}`),
    ).toBe('true');
  });
});
