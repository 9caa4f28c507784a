/**
 * uuid_broadcast (with hold music to the other leg), uuid_break, uuid_send_dtmf, uuid_hold and `${cmd args}` expansions from a real erl, as an
 * Erlang application drives a call: the api replies, and the events they cause reach the erl event handler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('media');
  await rig.shell(ERL_DEFS);
  await rig.shell(
    `A = Coll(), H = Coll(), ok = Do(H, register_event_handler), ok = Do(H, {event, 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'DTMF', 'CHANNEL_HOLD', 'CHANNEL_HANGUP'})`,
  );
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);
/** The uuid of a new call, from `originate`'s `+OK <uuid>\n`. */
async function call(dial: string, v: string): Promise<void> {
  await sh(`{ok, "+OK " ++ ${v}_} = Do(A, {api, originate, "${dial}"}), ${v} = string:trim(${v}_)`);
}
const app =
  'fun(U, N) -> [proplists:get_value("Application", Hs) || {event, [U1 | Hs]} <- Evs(H), U1 =:= U, proplists:get_value("Event-Name", Hs) =:= N] end';

describe('media api commands from erl', () => {
  it('uuid_broadcast: +OK Message sent; the call runs the application (CHANNEL_EXECUTE to the handler); app!cause hangs up', async () => {
    await call('null/1 &park()', 'B1');
    expect(await sh(`Do(A, {api, uuid_broadcast, B1 ++ " playback::silence_stream://50"})`)).toBe('{ok,"+OK Message sent\\n"}');
    await sh('timer:sleep(300)');
    expect(await sh(`Apps = ${app}, Apps(B1, "CHANNEL_EXECUTE")`)).toBe('["park","playback"]');
    expect(await sh(`Do(A, {api, uuid_broadcast, B1 ++ " 'sleep!user_busy::10' aleg"})`)).toBe('{ok,"+OK Message sent\\n"}');
    await sh('timer:sleep(300)');
    expect(await sh(`Apps(B1, "CHANNEL_EXECUTE")`)).toBe('["park","playback","sleep","hangup"]');
    expect(
      await sh(
        `[proplists:get_value("Hangup-Cause", Hs) || {event, [U1 | Hs]} <- Evs(H), U1 =:= B1, proplists:get_value("Event-Name", Hs) =:= "CHANNEL_HANGUP"]`,
      ),
    ).toBe('["USER_BUSY"]');
    expect(await sh(`Do(A, {api, uuid_broadcast, "no-such-uuid x.wav"})`)).toBe('{error,"-ERR invalid uuid\\n"}');
  });

  it('uuid_break cuts a broadcast short: its EXECUTE_COMPLETE comes at once, FILE PLAYED', async () => {
    await call('null/5 &park()', 'K1');
    await sh(`{ok, _} = Do(A, {api, uuid_broadcast, K1 ++ " playback::silence_stream://60000"})`);
    expect(await sh(`Do(A, {api, uuid_break, K1})`)).toBe('{ok,"+OK\\n"}');
    await sh('timer:sleep(200)');
    expect(
      await sh(
        `[{proplists:get_value("Application", Hs), proplists:get_value("Application-Response", Hs)} || {event, [U1 | Hs]} <- Evs(H), U1 =:= K1, proplists:get_value("Event-Name", Hs) =:= "CHANNEL_EXECUTE_COMPLETE"]`,
      ),
    ).toBe('[{"playback","FILE PLAYED"}]');
  });

  it('uuid_send_dtmf: a loopback call gets the digits on its other leg (DTMF events); a null leg keeps them', async () => {
    await call('loopback/app=park &park()', 'D1');
    expect(await sh(`Do(A, {api, uuid_send_dtmf, D1 ++ " 42"}) =:= {ok, "+OK " ++ D1 ++ " sent DTMF 42.\\n"}`)).toBe('true');
    await sh('timer:sleep(200)');
    expect(
      await sh(
        `[{proplists:get_value("Channel-Name", Hs), proplists:get_value("DTMF-Digit", Hs)} || {event, [_ | Hs]} <- Evs(H), proplists:get_value("Event-Name", Hs) =:= "DTMF"]`,
      ),
    ).toBe('[{"loopback/park-b","4"},{"loopback/park-b","2"}]');
    await call('null/2 &park()', 'D2');
    await sh(`{ok, _} = Do(A, {api, uuid_send_dtmf, D2 ++ " 1#"})`);
    expect(await sh(`Do(A, {api, uuid_getvar, D2 ++ " null_channel_dtmf_queued"})`)).toBe('{ok,"1#"}');
    expect(await sh(`Do(A, {api, uuid_send_dtmf, "no-such-uuid 1"})`)).toBe('{error,"-ERR Cannot locate session!\\n"}');
  });

  it('API commands in expansions (cmd args in braces): in eval, and in the argument of a broadcast application', async () => {
    expect(await sh(`{ok, Y} = Do(A, {api, eval, "\${strftime(%Y)}"}), list_to_integer(Y) >= 2024`)).toBe('true');
    await call('null/4 &park()', 'E1');
    expect(await sh(`Do(A, {api, uuid_broadcast, E1 ++ " 'set::id=\${create_uuid()}'"})`)).toBe('{ok,"+OK Message sent\\n"}');
    await sh('timer:sleep(200)');
    expect(await sh(`{ok, Id} = Do(A, {api, uuid_getvar, E1 ++ " id"}), length(Id)`)).toBe('36');
  });

  it('uuid_hold: +OK Success and CHANNEL_HOLD; off fails on a leg that never became HELD', async () => {
    await call('null/3 &park()', 'H1');
    expect(await sh(`Do(A, {api, uuid_hold, H1})`)).toBe('{ok,"+OK Success\\n"}');
    await sh('timer:sleep(200)');
    expect(await sh(`[U1 || {event, [U1 | Hs]} <- Evs(H), proplists:get_value("Event-Name", Hs) =:= "CHANNEL_HOLD"] =:= [H1]`)).toBe('true');
    expect(await sh(`Do(A, {api, uuid_hold, "off " ++ H1})`)).toBe('{error,"-ERR Operation failed\\n"}');
  });
  it('hold music: while a broadcast plays to one bridged leg, the other hears hold_music, stopped after', async () => {
    expect(await sh(`Do(A, {api, global_setvar, "hold_music=local_stream://moh"})`)).toBe('{ok,"+OK"}');
    await call('null/6 &park()', 'M1');
    await call('null/7 &park()', 'M2');
    expect(await sh(`Do(A, {api, uuid_bridge, M1 ++ " " ++ M2}) =:= {ok, "+OK " ++ M2 ++ "\\n"}`)).toBe('true');
    expect(await sh(`Do(A, {api, uuid_broadcast, M1 ++ " playback::silence_stream://300"})`)).toBe('{ok,"+OK Message sent\\n"}');
    await sh('timer:sleep(800)');
    // the playback events of a call, as [{Event-Name, Application-Data}], compared in erl
    const played = (v: string, data: string) =>
      sh(
        `[{proplists:get_value("Event-Name", Hs), proplists:get_value("Application-Data", Hs)} || {event, [U1 | Hs]} <- Evs(H), U1 =:= ${v}, proplists:get_value("Application", Hs) =:= "playback"] =:= [{"CHANNEL_EXECUTE", "${data}"}, {"CHANNEL_EXECUTE_COMPLETE", "${data}"}]`,
      );
    expect(await played('M1', 'silence_stream://300')).toBe('true');
    expect(await played('M2', 'local_stream://moh')).toBe('true');
    await sh(`{ok, _} = Do(A, {api, global_setvar, "hold_music="})`);
  });
});
