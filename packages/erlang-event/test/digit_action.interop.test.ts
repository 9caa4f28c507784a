/**
 * An Erlang application binding digits to actions on a call (mod_dptools' bind_digit_action) by
 * sendmsg, as IVR code for FreeSWITCH does: the caller's digits run the bound application, whose
 * CHANNEL_EXECUTE the erl handler gets, and an `api:` action's output lands in a channel variable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('digitaction');
  await rig.shell(ERL_DEFS);
  await rig.shell(`A = Coll(), H = Coll(), ok = Do(H, register_event_handler), ok = Do(H, {event, 'CHANNEL_EXECUTE', 'DTMF'})`);
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);
const bind = (arg: string) =>
  sh(`Do(A, {sendmsg, C, [{"call-command", "execute"}, {"execute-app-name", "bind_digit_action"}, {"execute-app-arg", "${arg}"}]})`);

describe('digit actions bound from erl', () => {
  it('bind_digit_action by sendmsg; the digits typed run the action (CHANNEL_EXECUTE), no DTMF event for them; api: sets its result', async () => {
    // a loopback call: this half parked, its other half plays the caller who types digits
    await sh(`{ok, "+OK " ++ C_} = Do(A, {api, originate, "loopback/app=park &park()"}), C = string:trim(C_)`);
    await sh(`{ok, Far} = Do(A, {api, uuid_getvar, C ++ " other_loopback_leg_uuid"})`);
    expect(await bind('menu,*1,exec:playback,silence_stream://200')).toBe('ok');
    expect(await bind('menu,*2,api:eval,from erl')).toBe('ok');
    await sh('timer:sleep(100)');
    expect(await sh(`Do(A, {api, uuid_send_dtmf, Far ++ " *15"}) =:= {ok, "+OK " ++ Far ++ " sent DTMF *15.\\n"}`)).toBe('true');
    await sh('timer:sleep(600)');
    const onC = (what: string) =>
      sh(`[${what} || {event, [U1 | Hs]} <- Evs(H), U1 =:= C, lists:member(proplists:get_value("Event-Name", Hs), ["CHANNEL_EXECUTE", "DTMF"])]`);
    // park, the bind applications, the bound playback, then the 5 no binding takes, back as a digit
    expect(
      await onC('{proplists:get_value("Application", Hs), proplists:get_value("Application-Data", Hs), proplists:get_value("DTMF-Digit", Hs)}'),
    ).toBe(
      '[{"park",undefined,undefined},\n {"bind_digit_action","menu,*1,exec:playback,silence_stream://200",undefined},\n {"bind_digit_action","menu,*2,api:eval,from erl",undefined},\n {"playback","silence_stream://200",undefined},\n {undefined,undefined,"5"}]',
    );
    expect(await sh(`Do(A, {api, uuid_getvar, C ++ " last_matching_digits"})`)).toBe('{ok,"*1"}');
    await sh(`{ok, _} = Do(A, {api, uuid_send_dtmf, Far ++ " *2"})`);
    await sh('timer:sleep(300)');
    expect(await sh(`Do(A, {api, uuid_getvar, C ++ " bind_digit_action_api_result"})`)).toBe('{ok,"from erl"}');
    await sh(`{ok, _} = Do(A, {api, uuid_kill, C})`);
  });
});
