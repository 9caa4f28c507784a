/**
 * Valet parking driven from erl: a parked loopback call sent `valet_park` with sendmsg execute,
 * the `valet_parking::info` events the erl handler gets, `valet_info` through `{api, …}`, and a
 * second call (bgapi originate) to the slot retrieving the parked one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('valet');
  await rig.shell(ERL_DEFS);
  await rig.shell(`A = Coll(), H = Coll(), ok = Do(H, register_event_handler), ok = Do(H, {event, 'CUSTOM', 'valet_parking::info'})`);
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);
/** Each valet event as "<Action> <Valet-Extension> <Unique-ID is C>". */
const VALET = `[{proplists:get_value("Action", Hs), proplists:get_value("Valet-Extension", Hs), proplists:get_value("Unique-ID", Hs) =:= C} || {event, [_ | Hs]} <- Evs(H)]`;

describe('valet parking from erl', () => {
  it('sendmsg execute valet_park parks the call; valet_info lists it; a call to the slot retrieves it', async () => {
    await sh(`{ok, "+OK " ++ C_} = Do(A, {api, originate, "loopback/app=park &park()"}), C = string:trim(C_)`);
    const exec = `[{"call-command", "execute"}, {"execute-app-name", "valet_park"}, {"execute-app-arg", "lotE 201"}]`;
    expect(await sh(`Do(A, {sendmsg, C, ${exec}})`)).toBe('ok');
    await sh('WaitEv(H, 1)');
    expect(await sh(VALET)).toBe('[{"hold","201",true}]');
    expect(
      await sh(
        `Do(A, {api, valet_info, ""}) =:= {ok, "<lots>\\n  <lot name=\\"lotE\\">\\n    <extension uuid=\\"" ++ C ++ "\\">201</extension>\\n  </lot>\\n</lots>\\n"}`,
      ),
    ).toBe('true');
    // a second call, sent to the same slot, retrieves the first
    await sh(`{ok, "+OK " ++ D_} = Do(A, {api, originate, "null/1 &park()"}), D = string:trim(D_)`);
    expect(await sh(`Do(A, {sendmsg, D, ${exec}})`)).toBe('ok');
    await sh('WaitEv(H, 3)');
    expect(await sh(VALET)).toBe('[{"hold","201",true},{"bridge","201",true},{"exit","201",true}]');
    expect(await sh(`Do(A, {api, uuid_getvar, D ++ " signal_bond"}) =:= {ok, C}`)).toBe('true');
    expect(await sh(`Do(A, {api, valet_info, "lotE"})`)).toBe('{ok,"<lots>\\n  <lot name=\\"lotE\\">\\n  </lot>\\n</lots>\\n"}');
  });
});
