/**
 * The `ivr` application with its menus served by a real erl: a `{bind, configuration}` process
 * answers the ivr.conf request (which carries Menu-Name and the channel's data), and an event
 * handler gets the `menu::enter` / `menu::exit` events as the caller's digits move through the
 * menus (switch_ivr_menu.c's ivr_send_event).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticDialplan } from '@beamline/switch';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

const IVR_XML =
  '<document type="freeswitch/xml"><section name="configuration"><configuration name="ivr.conf"><menus>' +
  '<menu name="erl_menu" greet-long="silence_stream://300" greet-short="silence_stream://200" exit-sound="silence_stream://100" timeout="3000">' +
  '<entry action="menu-sub" digits="1" param="erl_sub"/></menu>' +
  '<menu name="erl_sub" greet-long="silence_stream://300" timeout="3000">' +
  '<entry action="menu-exec-app" digits="2" param="set picked=two"/><entry action="menu-exit" digits="3"/></menu>' +
  '</menus></configuration></section></document>';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig(
    'a5ivr',
    {},
    { switch: { timers: false, dialplan: staticDialplan({ default: { ivr: [['answer'], ['ivr', 'erl_menu'], ['park']] } }) } },
  );
  await rig.shell(ERL_DEFS);
  await rig.shell(
    `A = Coll(), B = Coll(), H = Coll(), ok = Do(H, register_event_handler), ok = Do(H, {event, 'CUSTOM', 'menu::enter'}), ok = Do(H, {event, 'CUSTOM', 'menu::exit'})`,
  );
  // a process that serves ivr.conf and tells B what it was asked
  await rig.shell(
    `Xml = "${IVR_XML.replaceAll('"', '\\"')}", Me = self(), Bnd = spawn(fun() -> {foo, FS} ! {bind, configuration}, receive Rb -> Me ! {bound, Rb} end, (fun Lf() -> receive {fetch, Sf, Tf, Kf, Vf, Idf, Psf} -> B ! {asked, Sf, Tf, Kf, Vf, Psf}, case Vf of "ivr.conf" -> {foo, FS} ! {fetch_reply, Idf, Xml}; _ -> ok end, Lf(); _ -> Lf() end end)() end), receive {bound, ok} -> ok end`,
  );
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);
const MENUS = `[{proplists:get_value("Event-Subclass", Hs), proplists:get_value("Menu-Name", Hs)} || {event, [_ | Hs]} <- Evs(H)]`;

describe('ivr menus served from erl', () => {
  it('ivr.conf comes from the binding; digits walk the menus; the handler sees menu::enter / menu::exit', async () => {
    await sh(`{ok, "+OK " ++ C_} = Do(A, {api, originate, "null/1 ivr"}), C = string:trim(C_)`);
    await sh('WaitEv(H, 1)');
    expect(
      await sh(
        `[{S, T, K, V, proplists:get_value("Menu-Name", tl(Ps)), proplists:get_value("Unique-ID", tl(Ps)) =:= C} || {asked, S, T, K, V, Ps} <- Msgs(B)]`,
      ),
    ).toBe('[{configuration,"configuration","name","ivr.conf","erl_menu",true}]');
    expect(await sh(`Do(A, {api, uuid_recv_dtmf, C ++ " 1"})`)).toMatch(/^\{ok,"\+OK /);
    await sh('WaitEv(H, 3)');
    expect(await sh(`Do(A, {api, uuid_recv_dtmf, C ++ " 2"})`)).toMatch(/^\{ok,"\+OK /);
    await sh('timer:sleep(500)');
    expect(await sh(`Do(A, {api, uuid_getvar, C ++ " picked"})`)).toBe('{ok,"two"}');
    expect(await sh(`Do(A, {api, uuid_recv_dtmf, C ++ " 3"})`)).toMatch(/^\{ok,"\+OK /);
    await sh('WaitEv(H, 6)');
    expect(await sh(MENUS)).toBe(
      '[{"menu::enter","erl_menu"},\n {"menu::exit","erl_menu"},\n {"menu::enter","erl_sub"},\n {"menu::exit","erl_sub"},\n {"menu::enter","erl_menu"},\n {"menu::exit","erl_menu"}]',
    );
    expect(await sh(`Do(A, {api, uuid_getvar, C ++ " ivr_menu_status"})`)).toBe('{ok,"success"}');
  });
});
