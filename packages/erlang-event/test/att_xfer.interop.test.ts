/**
 * An Erlang application doing an attended transfer as a PBX does (mod_dptools' att_xfer by
 * sendmsg on the transferor): the transferee (B) called the transferor (A) with the bridge
 * application; att_xfer on A dials the target (C) and bridges A to it; A hanging up bridges B to C.
 * The erl handler sees each CHANNEL_BRIDGE with the legs' uuids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

const B = 'a1111111-1111-4111-8111-111111111111';
const A = 'a2222222-2222-4222-8222-222222222222';
const C = 'a3333333-3333-4333-8333-333333333333';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('attxfer');
  await rig.shell(ERL_DEFS);
  await rig.shell(`Ap = Coll(), H = Coll(), ok = Do(H, register_event_handler), ok = Do(H, {event, 'CHANNEL_BRIDGE'})`);
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);
/** The CHANNEL_BRIDGE events so far: {Bridge-A-Unique-ID, Bridge-B-Unique-ID}. */
const bridges = async () =>
  (
    await sh(
      `[{proplists:get_value("Bridge-A-Unique-ID", Hs), proplists:get_value("Bridge-B-Unique-ID", Hs)} || {event, [_ | Hs]} <- Evs(H), proplists:get_value("Event-Name", Hs) =:= "CHANNEL_BRIDGE"]`,
    )
  ).replace(/\s+/g, '');

describe('att_xfer from erl', () => {
  it('sendmsg execute att_xfer on the bridged transferor: CHANNEL_BRIDGE A–C, then B–C once A hangs up', async () => {
    await sh(`{ok, _} = Do(Ap, {api, originate, "{origination_uuid=${B}}null/1 &bridge({origination_uuid=${A}}null/2)"})`);
    await sh('timer:sleep(200)');
    expect(await bridges()).toBe(`[{"${B}","${A}"}]`);
    expect(
      await sh(
        `Do(Ap, {sendmsg, "${A}", [{"call-command", "execute"}, {"execute-app-name", "att_xfer"}, {"execute-app-arg", "{origination_uuid=${C}}null/3"}]})`,
      ),
    ).toBe('ok');
    await sh('timer:sleep(300)');
    expect(await bridges()).toBe(`[{"${B}","${A}"},{"${A}","${C}"}]`);
    await sh(`{ok, _} = Do(Ap, {api, uuid_kill, "${A}"})`);
    await sh('timer:sleep(300)');
    expect(await bridges()).toBe(`[{"${B}","${A}"},{"${A}","${C}"},{"${C}","${B}"}]`);
    expect(await sh(`Do(Ap, {api, uuid_getvar, "${C} att_xfer_result"})`)).toBe('{ok,"success"}');
    await sh(`{ok, _} = Do(Ap, {api, uuid_kill, "${B}"})`);
  });
});
