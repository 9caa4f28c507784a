/**
 * Session heartbeats from a real erl, as a billing application sees them: a call originated with
 * `enable_heartbeat_events=1` sends the registered handler a SESSION_HEARTBEAT a second (with the
 * call's Unique-ID and variables), and `{api, uuid_session_heartbeat, "<uuid> off"}` stops them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('heartbeat');
  await rig.shell(ERL_DEFS);
  await rig.shell(`A = Coll(), H = Coll(), ok = Do(H, register_event_handler), ok = Do(H, {event, 'SESSION_HEARTBEAT'})`);
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);
/** Each heartbeat as {Event-Name, Unique-ID is C, variable_enable_heartbeat_events}. */
const BEATS = `[{proplists:get_value("Event-Name", Hs), proplists:get_value("Unique-ID", Hs) =:= C, proplists:get_value("variable_enable_heartbeat_events", Hs)} || {event, [_ | Hs]} <- Evs(H)]`;

describe('session heartbeats to an erl handler', () => {
  it('enable_heartbeat_events=1: a SESSION_HEARTBEAT a second; uuid_session_heartbeat off stops them', async () => {
    await sh(`{ok, "+OK " ++ C_} = Do(A, {api, originate, "{enable_heartbeat_events=1}null/1 &park()"}), C = string:trim(C_)`);
    await sh('WaitEv(H, 2)');
    expect(await sh(`lists:sublist(${BEATS}, 2)`)).toBe('[{"SESSION_HEARTBEAT",true,"1"},{"SESSION_HEARTBEAT",true,"1"}]');
    expect(await sh(`Do(A, {api, uuid_session_heartbeat, C ++ " off"})`)).toBe('{ok,"+OK\\n"}');
    const before = Number(await sh(`timer:sleep(100), length(Evs(H))`));
    expect(Number(await sh(`timer:sleep(1500), length(Evs(H))`))).toBe(before);
    expect(await sh(`Do(A, {api, uuid_kill, C})`)).toBe('{ok,"+OK\\n"}');
  });
});
