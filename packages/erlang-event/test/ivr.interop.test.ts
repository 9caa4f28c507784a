/**
 * An Erlang application driving an IVR, as mod_erlang_event users do: `play_and_get_digits` sent
 * with sendmsg to a parked call, the caller's digits, and the result in the event the erl handler
 * gets (CHANNEL_EXECUTE_COMPLETE with the variable).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('ivr');
  await rig.shell(ERL_DEFS);
  await rig.shell(`A = Coll(), H = Coll(), ok = Do(H, register_event_handler), ok = Do(H, {event, 'CHANNEL_EXECUTE_COMPLETE', 'PLAYBACK_STOP'})`);
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);

describe('an IVR driven from erl', () => {
  it('play_and_get_digits by sendmsg on a parked call; the digits typed; the PIN in CHANNEL_EXECUTE_COMPLETE', async () => {
    // a loopback call: this half parked, its other half plays the caller who types digits
    await sh(`{ok, "+OK " ++ C_} = Do(A, {api, originate, "loopback/app=park &park()"}), C = string:trim(C_)`);
    await sh(`{ok, Far} = Do(A, {api, uuid_getvar, C ++ " other_loopback_leg_uuid"})`);
    const pagd = 'play_and_get_digits';
    const arg = '4 4 2 5000 # silence_stream://3000 silence_stream://100 pin ^[0-9]+$';
    expect(await sh(`Do(A, {sendmsg, C, [{"call-command", "execute"}, {"execute-app-name", "${pagd}"}, {"execute-app-arg", "${arg}"}]})`)).toBe('ok');
    await sh('timer:sleep(100)');
    // typed during the prompt: the first digit stops it
    expect(await sh(`Do(A, {api, uuid_send_dtmf, Far ++ " 1234"}) =:= {ok, "+OK " ++ Far ++ " sent DTMF 1234.\\n"}`)).toBe('true');
    await sh('timer:sleep(300)');
    expect(
      await sh(
        `[{proplists:get_value("variable_pin", Hs), proplists:get_value("variable_read_result", Hs)} || {event, [U1 | Hs]} <- Evs(H), U1 =:= C, proplists:get_value("Application", Hs) =:= "${pagd}"]`,
      ),
    ).toBe('[{"1234","success"}]');
    expect(await sh(`Do(A, {api, uuid_getvar, C ++ " pin"})`)).toBe('{ok,"1234"}');
    // the prompt's PLAYBACK_STOP: broken off by the first digit
    expect(
      await sh(
        `[proplists:get_value("Playback-Status", Hs) || {event, [U1 | Hs]} <- Evs(H), U1 =:= C, proplists:get_value("Event-Name", Hs) =:= "PLAYBACK_STOP"]`,
      ),
    ).toBe('["break"]');
  });
});
