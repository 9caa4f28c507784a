/**
 * `event-format=map` (README, DECISIONS row 28) from a real erl: the handler pattern-matches
 * `{event, #{…}}` — names as keys, repeated headers as lists of values, the body under `body` —
 * for inbound event handlers and for an attached call's `{call, _}` / `{call_event, _}`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';
import { uuidOf } from './outbound_helpers.ts';

let bin: Rig;
let str: Rig;
beforeAll(async () => {
  [bin, str] = await Promise.all([
    startRig('fmb', { eventFormat: 'map', encoding: 'binary' }),
    startRig('fms', { eventFormat: 'map', encoding: 'string' }),
  ]);
  await Promise.all([bin.shell(ERL_DEFS), str.shell(ERL_DEFS)]);
}, 30_000);
afterAll(async () => {
  await Promise.all([bin?.stop(), str?.stop()]);
});

const send = `{sendevent, 'CUSTOM', 'map::sub', [{"A", "1"}, {"Rep", "x"}, {"Rep", "y%20z"}, {"body", "the body"}]}`;

describe('event-format=map', () => {
  it('encoding=binary: {event, #{<<"Event-Name">> := <<"CUSTOM">>, …}}; repeated headers a list in order; body under the atom body', async () => {
    const sh = (e: string) => bin.shell(e);
    expect(await sh(`P = Coll(), Do(P, register_event_handler), Do(P, {event, 'CUSTOM', 'map::sub'})`)).toBe('ok');
    expect(await sh(`Do(P, ${send})`)).toBe('ok');
    expect(
      await sh(
        `[{event, #{<<"Event-Name">> := <<"CUSTOM">>, <<"Event-Subclass">> := Sub, <<"A">> := A, <<"Rep">> := Rep, body := Body} = M}] = WaitEv(P, 1), {Sub, A, Rep, Body, is_map_key(<<"Unique-ID">>, M)}`,
      ),
    ).toBe('{<<"map::sub">>,<<"1">>,[<<"x">>,<<"y z">>],<<"the body">>,false}');
  });

  it('encoding=string: keys and values are strings; the same event as a map', async () => {
    const sh = (e: string) => str.shell(e);
    expect(await sh(`P = Coll(), Do(P, register_event_handler), Do(P, {event, 'CUSTOM', 'map::sub'})`)).toBe('ok');
    expect(await sh(`Do(P, ${send})`)).toBe('ok');
    expect(await sh(`[{event, #{"Event-Name" := "CUSTOM", "A" := A, "Rep" := Rep, body := Body}}] = WaitEv(P, 1), {A, Rep, Body}`)).toBe(
      '{"1",["x","y z"],"the body"}',
    );
  });

  it('an attached call: {call, #{"Unique-ID" := Uuid, …}} then {call_event, #{…}} maps', async () => {
    const sh = (e: string) => str.shell(e);
    const uuid = uuidOf(await str.fs.sw.originate('null/1 &park()'));
    expect(await sh(`C = Coll(), Do(C, {handlecall, "${uuid}"})`)).toBe('ok');
    await str.fs.sw.api(`uuid_kill ${uuid}`);
    const until = Date.now() + 5000;
    let last = '';
    while (Date.now() < until && !last.includes('call_hangup')) {
      last = await sh('[element(1, M) || M <- Msgs(C), is_tuple(M)]');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await sh(`[{call, {event, #{"Unique-ID" := U, "Reply-Text" := R}}} | _] = Msgs(C), {U, R}`)).toBe(`{"${uuid}","+OK\\n"}`);
    expect(await sh(`lists:usort([N || {call_event, {event, #{"Event-Name" := N, "Unique-ID" := Uc}}} <- Msgs(C), Uc =:= "${uuid}"]) =/= []`)).toBe(
      'true',
    );
    expect(await sh('lists:last(Msgs(C))')).toBe(`{call_hangup,"${uuid}"}`);
  });
});
