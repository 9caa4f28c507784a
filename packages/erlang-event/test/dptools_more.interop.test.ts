/**
 * mod_dptools' small applications as an Erlang handler runs them with sendmsg execute: `strftime`
 * sets a variable its CHANNEL_EXECUTE_COMPLETE carries, `queue_dtmf` makes the call receive digits
 * (DTMF events, source APP).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('dptoolsmore');
  await rig.shell(ERL_DEFS);
  await rig.shell(`A = Coll(), H = Coll(), ok = Do(H, register_event_handler), ok = Do(H, {event, 'CHANNEL_EXECUTE_COMPLETE', 'DTMF'})`);
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);
const exec = (app: string, arg: string) =>
  sh(`Do(A, {sendmsg, C, [{"call-command", "execute"}, {"execute-app-name", "${app}"}, {"execute-app-arg", "${arg}"}]})`);

describe('dptools applications by sendmsg from erl', () => {
  it('strftime sets the variable (seen on its CHANNEL_EXECUTE_COMPLETE); queue_dtmf: DTMF events for the digits', async () => {
    await sh(`{ok, "+OK " ++ C_} = Do(A, {api, originate, "null/1 &park()"}), C = string:trim(C_)`);
    expect(await exec('strftime', 'erl_year=%Y')).toBe('ok');
    expect(await exec('queue_dtmf', '12@100')).toBe('ok');
    await sh('timer:sleep(300)');
    const complete = await sh(
      `[proplists:get_value("variable_erl_year", Hs) || {event, [U1 | Hs]} <- Evs(H), U1 =:= C, proplists:get_value("Application", Hs) =:= "strftime"]`,
    );
    expect(complete).toBe(`["${new Date().getFullYear()}"]`);
    const digits = await sh(
      `[{proplists:get_value("DTMF-Digit", Hs), proplists:get_value("DTMF-Duration", Hs), proplists:get_value("DTMF-Source", Hs)} || {event, [U1 | Hs]} <- Evs(H), U1 =:= C, proplists:get_value("Event-Name", Hs) =:= "DTMF"]`,
    );
    expect(digits).toBe('[{"1","800","APP"},{"2","800","APP"}]');
    await sh(`{ok, _} = Do(A, {api, uuid_kill, C})`);
  });
});
