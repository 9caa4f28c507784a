/**
 * uuid_displace and uuid_audio from a real erl, as an Erlang call-control application uses them:
 * `{api, uuid_displace, "<uuid> start <file> <limit> mux"}`, the media bug events reaching the erl
 * event handler, and a few of the utilities added with them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('displace');
  await rig.shell(ERL_DEFS);
  await rig.shell(`A = Coll(), H = Coll(), ok = Do(H, register_event_handler), ok = Do(H, {event, 'MEDIA_BUG_START', 'MEDIA_BUG_STOP'})`);
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);
const bugs =
  'fun(U) -> [{proplists:get_value("Event-Name", Hs), proplists:get_value("Media-Bug-Function", Hs), proplists:get_value("Media-Bug-Target", Hs)} || {event, [U1 | Hs]} <- Evs(H), U1 =:= U] end';

describe('uuid_displace and uuid_audio from erl', () => {
  it('start (mux) and stop: +OK Success, MEDIA_BUG_START / _STOP to the handler; errors as mod_commands words them', async () => {
    await sh(`{ok, "+OK " ++ L_} = Do(A, {api, originate, "loopback/app=park &park()"}), L = string:trim(L_)`);
    const tone = 'tone_stream://%(5000,0,440)';
    expect(await sh(`Do(A, {api, uuid_displace, L ++ " start ${tone} 0 mux"})`)).toBe('{ok,"+OK Success\\n"}');
    expect(await sh(`Do(A, {api, uuid_buglist, L})`)).toContain('displace');
    expect(await sh(`Do(A, {api, uuid_displace, L ++ " stop ${tone}"})`)).toBe('{ok,"+OK Success\\n"}');
    expect(await sh(`Do(A, {api, uuid_displace, L ++ " stop ${tone}"})`)).toBe('{error,"-ERR Cannot stop displace session!\\n"}');
    expect(await sh(`Do(A, {api, uuid_displace, "no-such-uuid start x.wav"})`)).toBe('{error,"-ERR Cannot locate session!\\n"}');
    expect(await sh(`Do(A, {api, uuid_audio, L ++ " start write level 2"})`)).toBe('{ok,"+OK\\n"}');
    expect(await sh(`Do(A, {api, uuid_audio, L ++ " stop"})`)).toBe('{ok,"+OK\\n"}');
    await sh('timer:sleep(200)');
    expect((await sh(`Bugs = ${bugs}, Bugs(L)`)).replace(/\s+/g, '')).toBe(
      `[{"MEDIA_BUG_START","displace","${tone}"},{"MEDIA_BUG_STOP","displace","${tone}"},{"MEDIA_BUG_START","audio","level"},{"MEDIA_BUG_STOP","audio","level"}]`,
    );
  });

  it('utilities: replace, sql_escape, file_exists', async () => {
    expect(await sh(`Do(A, {api, replace, "a-b|-|+"})`)).toBe('{ok,"a+b"}');
    expect(await sh(`Do(A, {api, sql_escape, "o'k"})`)).toBe(`{ok,"o''k"}`);
    expect(await sh(`Do(A, {api, file_exists, "/"})`)).toBe('{ok,"true"}');
  });
});
