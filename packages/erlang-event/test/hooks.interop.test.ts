/**
 * Hook variables in an originate sent from a real erl (`execute_on_answer`, `api_on_answer`,
 * `api_hangup_hook`), as Erlang applications use them to act on a call's answer and end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('hooks');
  await rig.shell(ERL_DEFS);
  await rig.shell(`A = Coll(), H = Coll(), ok = Do(H, register_event_handler), ok = Do(H, {event, 'CHANNEL_EXECUTE'})`);
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);

describe('hook variables from erl', () => {
  it('execute_on_answer runs an application, api_on_answer a command on the call itself, api_hangup_hook one at its end', async () => {
    const dial = `{execute_on_answer='set answered_by=hook',api_on_answer='uuid_setvar \${uuid} api_hook \${caller_id_number}',api_hangup_hook='global_setvar hook_cause=\${hangup_cause}'}null/1 &park()`;
    await sh(`{ok, "+OK " ++ U_} = Do(A, {api, originate, "${dial}"}), U = string:trim(U_)`);
    await sh('timer:sleep(200)');
    expect(
      await sh(
        `[proplists:get_value("Application", Hs) || {event, [U1 | Hs]} <- Evs(H), U1 =:= U, proplists:get_value("Event-Name", Hs) =:= "CHANNEL_EXECUTE"]`,
      ),
    ).toBe('["set","park"]');
    expect(await sh(`Do(A, {api, uuid_getvar, U ++ " answered_by"})`)).toBe('{ok,"hook"}');
    expect(await sh(`Do(A, {api, uuid_getvar, U ++ " api_hook"})`)).toBe('{ok,"0000000000"}');
    expect(await sh(`Do(A, {api, uuid_kill, U ++ " USER_BUSY"})`)).toBe('{ok,"+OK\\n"}');
    await sh('timer:sleep(200)');
    expect(await sh(`Do(A, {api, global_getvar, "hook_cause"})`)).toBe('{ok,"USER_BUSY"}');
  });
});
