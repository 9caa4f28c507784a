/**
 * Hook variables in an originate sent from a real erl (`execute_on_answer`, `api_on_answer`,
 * `api_hangup_hook`), as Erlang applications use them to act on a call's answer and end, and
 * scheduled tasks (`sched_hangup`, `sched_api`) to limit a call's length.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  // the scheduler runs, as in `pnpm start` (the other rigs leave it out: no HEARTBEAT in their traces)
  rig = await startRig('hooks', {}, { switch: { timers: true } });
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

  it('sched_hangup from erl: a call limited to one second is hung up with the cause; sched_api runs a command later', async () => {
    await sh(`{ok, "+OK " ++ S_} = Do(A, {api, originate, "null/2 &park()"}), S = string:trim(S_)`);
    expect(await sh(`Do(A, {api, sched_hangup, "+1 " ++ S ++ " user_busy"})`)).toBe('{ok,"+OK\\n"}');
    expect(await sh(`{ok, "+OK Added: " ++ _} = Do(A, {api, sched_api, "+1 none global_setvar sched_ran=yes"}), ok`)).toBe('ok');
    await sh('timer:sleep(2200)');
    expect(await sh(`Do(A, {api, uuid_exists, S})`)).toBe('{ok,"false"}');
    expect(await sh(`Do(A, {api, global_getvar, "sched_ran"})`)).toBe('{ok,"yes"}');
  });
});
