/**
 * Events from a real erl (spec §1.3–§1.8, §2.1, §9 items 5–10; DECISIONS.md: several handlers per
 * node, seed filter semantics, setevent ALL). Events are made by `{sendevent, …}` from erl.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('ev');
  await rig.shell(ERL_DEFS);
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);
/** Let in-flight events arrive (events travel after the reply that enabled them). */
const settle = () => sh('timer:sleep(150)');

describe('event subscriptions from a real erl', () => {
  it('{event, …} without register_event_handler: ok, but nothing is delivered', async () => {
    expect(await sh(`P0 = Coll(), Do(P0, {event, 'CUSTOM', 'none::sub'})`)).toBe('ok');
    expect(await sh(`Do(P0, {sendevent, 'CUSTOM', 'none::sub', [{"A", "1"}]})`)).toBe('ok');
    await settle();
    expect(await sh('Evs(P0)')).toBe('[]');
    // the pending state goes to the first handler that registers (the original keeps it per node)
    expect(await sh('Do(P0, register_event_handler)')).toBe('ok');
    expect(await sh(`Do(P0, {sendevent, 'CUSTOM', 'none::sub', [{"A", "2"}]})`)).toBe('ok');
    expect(await sh(`[proplists:get_value("A", H) || {event, [_ | H]} <- WaitEv(P0, 1)]`)).toBe('["2"]');
    expect(await sh('exit(P0, kill)')).toBe('true');
  });

  it('register_event_handler + {event, HEARTBEAT}: {event, [undefined, {"Event-Name","HEARTBEAT"} | _]}', async () => {
    expect(await sh('P1 = Coll(), Do(P1, register_event_handler)')).toBe('ok');
    expect(await sh(`Do(P1, {event, 'HEARTBEAT'})`)).toBe('ok');
    expect(await sh(`Do(P1, {sendevent, 'HEARTBEAT', [{"Extra", "x"}]})`)).toBe('ok');
    expect(await sh(`[{event, [U, First | _]}] = WaitEv(P1, 1), {U, First}`)).toBe('{undefined,{"Event-Name","HEARTBEAT"}}');
    // the standard headers in FreeSWITCH's order, then ours
    expect(await sh(`[{event, [_ | H1]}] = Evs(P1), [K || {K, _} <- lists:sublist(H1, 4)]`)).toBe(
      '["Event-Name","Core-UUID","FreeSWITCH-Hostname","FreeSWITCH-Switchname"]',
    );
    expect(await sh(`proplists:get_value("Extra", H1)`)).toBe('"x"');
    expect(await sh('exit(P1, kill)')).toBe('true');
  });

  it('{event} → badarg; noevents → ok, then {error, notlistening}', async () => {
    expect(await sh('P2 = Coll(), Do(P2, register_event_handler)')).toBe('ok');
    expect(await sh('Do(P2, {event})')).toBe('{error,badarg}');
    expect(await sh(`Do(P2, {event, 'ALL'})`)).toBe('ok');
    expect(await sh('Do(P2, noevents)')).toBe('ok');
    expect(await sh('Do(P2, noevents)')).toBe('{error,notlistening}');
    expect(await sh('exit(P2, kill)')).toBe('true');
  });

  it('{nixevent, HEARTBEAT} after ALL: everything but heartbeats (and subclassed CUSTOM events)', async () => {
    expect(await sh(`P3 = Coll(), Do(P3, register_event_handler), Do(P3, {event, 'ALL'})`)).toBe('ok');
    expect(await sh(`Do(P3, {nixevent, 'HEARTBEAT'})`)).toBe('ok');
    await sh(`Do(P3, {sendevent, 'HEARTBEAT', []}), Do(P3, {sendevent, 'CUSTOM', 'x::y', []}), Do(P3, {sendevent, 'TRAP', []})`);
    await settle();
    // ALL expanded into the single types: a CUSTOM event with a subclass no longer passes (spec §1.4)
    expect(await sh('Names(P3)')).toBe('["TRAP"]');
    await sh(`Do(P3, {event, 'CUSTOM', 'x::y'}), Do(P3, {sendevent, 'CUSTOM', 'x::y', []}), Do(P3, {sendevent, 'HEARTBEAT', []})`);
    await settle();
    expect(await sh('Names(P3)')).toBe('["TRAP","CUSTOM"]');
    expect(await sh('exit(P3, kill)')).toBe('true');
  });

  it('CUSTOM subclasses; the 13-character suffix rule; setevent replaces; setevent ALL is badarg', async () => {
    expect(await sh(`P4 = Coll(), Do(P4, register_event_handler)`)).toBe('ok');
    expect(await sh(`Do(P4, {event, 'SWITCH_EVENT_TRAP', 'CUSTOM', 'my::sub', 'CHANNEL_CREATE'})`)).toBe('ok');
    await sh(
      `Do(P4, {sendevent, 'CUSTOM', 'my::sub', [{"A","1"}]}), Do(P4, {sendevent, 'CUSTOM', 'other::sub', []}), Do(P4, {sendevent, 'CHANNEL_CREATE', []}), Do(P4, {sendevent, 'TRAP', []})`,
    );
    await settle();
    // CHANNEL_CREATE came after CUSTOM, so it is a subclass name, not a type
    expect(await sh('Names(P4)')).toBe('["CUSTOM","TRAP"]');
    expect(await sh(`Do(P4, {setevent, 'HEARTBEAT', 'ALL'})`)).toBe('{error,badarg}');
    expect(await sh(`Do(P4, {setevent, 'ALL'})`)).toBe('{error,badarg}');
    expect(await sh(`Do(P4, {setevent, 'HEARTBEAT'})`)).toBe('ok');
    await sh(`Do(P4, {sendevent, 'TRAP', []}), Do(P4, {sendevent, 'HEARTBEAT', []})`);
    await settle();
    expect(await sh('Names(P4)')).toBe('["CUSTOM","TRAP","HEARTBEAT"]');
    expect(await sh('exit(P4, kill)')).toBe('true');
  });

  it("sendevent with the empty subclass '' fires a CUSTOM event with none (switch_event_create), which a handler of all CUSTOM events gets", async () => {
    await sh(`Pc = Coll(), ok = Do(Pc, register_event_handler), ok = Do(Pc, {event, 'CUSTOM'})`);
    expect(await sh(`Do(Pc, {sendevent, 'CUSTOM', '', [{"k", "v"}]})`)).toBe('ok');
    expect(await sh(`[{event, [_ | Hc]}] = WaitEv(Pc, 1), [proplists:get_value(K, Hc) || K <- ["Event-Name", "Event-Subclass", "k"]]`)).toBe(
      '["CUSTOM",undefined,"v"]',
    );
  });

  it('several handlers per node, each with its own subscriptions', async () => {
    expect(await sh(`Pa = Coll(), Pb = Coll(), {Do(Pa, register_event_handler), Do(Pb, register_event_handler)}`)).toBe('{ok,ok}');
    expect(await sh(`{Do(Pa, {event, 'TRAP'}), Do(Pb, {event, 'HEARTBEAT'})}`)).toBe('{ok,ok}');
    await sh(`Do(Pa, {sendevent, 'TRAP', []}), Do(Pa, {sendevent, 'HEARTBEAT', []})`);
    await settle();
    expect(await sh('{Names(Pa), Names(Pb)}')).toBe('{["TRAP"],["HEARTBEAT"]}');
    // a process that is no handler (the shell, as after freeswitch:start_event_handler/4) changes the
    // most recently registered handler: the original's one-handler meaning
    expect(await sh(`{foo, FS} ! {event, 'CUSTOM', 'shell::x'}, receive Rs -> Rs after 1000 -> timeout end`)).toBe('ok');
    await sh(`Do(Pa, {sendevent, 'CUSTOM', 'shell::x', []})`);
    await settle();
    expect(await sh('{Names(Pa), Names(Pb)}')).toBe('{["TRAP"],["HEARTBEAT","CUSTOM"]}');
    expect(await sh('exit(Pa, kill), exit(Pb, kill)')).toBe('true');
  });

  it('values are URL-decoded, names and the body are not; body is the last element', async () => {
    expect(await sh(`P5 = Coll(), Do(P5, register_event_handler), Do(P5, {event, 'CUSTOM', 'url::sub'})`)).toBe('ok');
    await sh(`Do(P5, {sendevent, 'CUSTOM', 'url::sub', [{"V", "a%20b%2"}, {"N%41", "x"}, {"body", "b%20c"}]})`);
    expect(await sh(`[{event, [_ | H5]}] = WaitEv(P5, 1), {proplists:get_value("V", H5), proplists:get_value("N%41", H5), lists:last(H5)}`)).toBe(
      '{"a b%2","x",{"body","b%20c"}}',
    );
    // a name `Foo[N]` sets item N of the array header Foo (switch_event_base_add_header)
    await sh(`Do(P5, {sendevent, 'CUSTOM', 'url::sub', [{"Foo[2]", "x"}, {"Foo[3]", "y"}]})`);
    expect(await sh(`{event, [_ | H5b]} = lists:last(WaitEv(P5, 2)), [V || {"Foo", V} <- H5b]`)).toBe('["ARRAY::|:|:x|:y"]');
    // handle_msg_sendevent decodes as many tuples as the list header counts: an improper tail is not read
    expect(await sh(`Do(P5, {sendevent, 'CUSTOM', 'url::sub', [{"Tail", "t"} | bad]})`)).toBe('ok');
    expect(await sh(`{event, [_ | H5c]} = lists:last(WaitEv(P5, 3)), proplists:get_value("Tail", H5c)`)).toBe('"t"');
    // an empty body is a body (ei_encode_switch_event_headers tests event->body, not its length)
    await sh(`Do(P5, {sendevent, 'CUSTOM', 'url::sub', [{"E", "1"}, {"body", ""}]})`);
    expect(await sh(`{event, [_ | H5d]} = lists:last(WaitEv(P5, 4)), lists:nthtail(length(H5d) - 2, H5d)`)).toBe('[{"E","1"},{"body",[]}]');
    expect(await sh('exit(P5, kill)')).toBe('true');
  });

  it('a dead handler is dropped (its link fires): later events are not queued for it', async () => {
    expect(await sh(`P6 = Coll(), Do(P6, register_event_handler), Do(P6, {event, 'ALL'})`)).toBe('ok');
    const before = rig.fs.module.listener(rig.erl.name)?.events.all.length ?? 0;
    expect(await sh('exit(P6, kill)')).toBe('true');
    const deadline = Date.now() + 3000;
    while ((rig.fs.module.listener(rig.erl.name)?.events.all.length ?? 0) >= before && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(rig.fs.module.listener(rig.erl.name)?.events.all.length).toBe(before - 1);
  });
});

describe('filters', () => {
  it('a filter regex that backtracks without end cannot stall the node: the event is judged no match within the match limit (switch #423)', async () => {
    expect(await sh(`Pr = Coll(), Do(Pr, register_event_handler), Do(Pr, {event, 'CUSTOM', 'redos::t'})`)).toBe('ok');
    // caseless nested quantifiers: the linear engine's; a lookahead: the bounded worker's
    expect(await sh(`Do(Pr, {filter, 'V /^(a+)+$/i'}), Do(Pr, {filter, 'W /^(?=a)(a+)+$/'}), ok`)).toBe('ok');
    const evil = `${'a'.repeat(40)}!`;
    const t0 = Date.now();
    expect(await sh(`Do(Pr, {sendevent, 'CUSTOM', 'redos::t', [{"V", "${evil}"}, {"W", "${evil}"}]})`)).toBe('ok');
    // the node answers the next command at once: the filters' matches were bounded
    expect(await sh(`{x, FS} ! {api, echo, "alive"}, receive {ok, Al} -> Al after 10000 -> timeout end`)).toBe('"alive"');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await sh(`timer:sleep(200), Evs(Pr)`)).toBe('[]');
    // positive control: an event both patterns match is delivered, so the [] above is the filters'
    // doing (and V's `i` is honoured)
    expect(await sh(`Do(Pr, {sendevent, 'CUSTOM', 'redos::t', [{"V", "aAaA"}, {"W", "aaaa"}]})`)).toBe('ok');
    expect(await sh(`[proplists:get_value("V", H) || {event, [_ | H]} <- WaitEv(Pr, 1)]`)).toBe('["aAaA"]');
    expect(await sh('exit(Pr, kill)')).toBe('true');
  });

  it('the reply log; delete all; invalid syntax', async () => {
    expect(await sh(`P7 = Coll(), Do(P7, register_event_handler)`)).toBe('ok');
    expect(await sh(`Do(P7, {filter, 'Event-Name HEARTBEAT'})`)).toBe('{filter_command_processing_log,[{"added","Event-Name","HEARTBEAT"}]}');
    expect(await sh(`Do(P7, {filter, 'delete all'})`)).toBe('{filter_command_processing_log,[{"deleted","all",[]}]}');
    expect(await sh(`Do(P7, {filter, foo, 'add Event-Name', "x"})`)).toBe(
      `{filter_command_processing_log,['-ERR invalid syntax','-ERR invalid syntax',\n                                '-ERR invalid syntax']}`,
    );
    expect(await sh('Do(P7, {filter})')).toBe('{error,badarg}');
    expect(await sh('exit(P7, kill)')).toBe('true');
  });

  it("the seed's example: ALL + two filters on Event-Name deliver both kinds (filter in)", async () => {
    expect(await sh(`P8 = Coll(), Do(P8, register_event_handler), Do(P8, {event, 'ALL'})`)).toBe('ok');
    expect(await sh(`Do(P8, {filter, 'Event-Name HEARTBEAT', 'Event-Name CHANNEL_EXECUTE'})`)).toContain('"added"');
    await sh(`Do(P8, {sendevent, 'HEARTBEAT', []}), Do(P8, {sendevent, 'TRAP', []}), Do(P8, {sendevent, 'CHANNEL_EXECUTE', []})`);
    await settle();
    expect(await sh('Names(P8)')).toBe('["HEARTBEAT","CHANNEL_EXECUTE"]');
    // a negative rule vetoes; a regex matches
    expect(await sh(`Do(P8, {filter, 'delete all', 'Event-Name /^(TRAP|HEARTBEAT)$/', 'Tag -drop'})`)).toContain('"deleted"');
    await sh(`Do(P8, {sendevent, 'TRAP', [{"Tag", "drop"}]}), Do(P8, {sendevent, 'TRAP', [{"Tag", "keep"}]})`);
    await settle();
    expect(await sh(`[proplists:get_value("Tag", H) || {event, [_ | H]} <- Evs(P8), proplists:get_value("Event-Name", H) =:= "TRAP"]`)).toBe(
      '["keep"]',
    );
    expect(await sh('exit(P8, kill)')).toBe('true');
  });
});
