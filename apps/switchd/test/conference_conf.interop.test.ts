/**
 * conference.conf served by a real erl (`{bind, configuration}`, mod_erlang_event's XML fetch):
 * a call into one of switchd's rooms (3000-3099, the `default` profile) makes the switch ask for
 * conference.conf with the room and profile names; erl answers with a profile whose pin is set,
 * so the caller (the loopback B leg: inbound) hears the pin prompt, and gets in once the pin's
 * digits come. The switch asks again for the member's caller controls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { type Proc, startSwitchd, stopSwitchd } from '../../../tools/apps/run.ts';
import { freeUdpPort } from '../../../tools/sipp/sipp.ts';

const NAME = 'fs_confconf@localhost';
const PIN_SOUND = 'tone_stream://%(300,0,440)';
let sw: Proc;
let erl: ErlNode;
const sh = (line: string, timeoutMs = 10_000) => erl.eval(line, timeoutMs);

const SERVED = `<document type="freeswitch/xml"><section name="configuration"><configuration name="conference.conf">
<caller-controls><group name="default"><control action="hangup" digits="#"/></group></caller-controls>
<profiles><profile name="default"><param name="pin" value="4321"/><param name="pin-sound" value="${PIN_SOUND}"/></profile></profiles>
</configuration></section></document>`.replaceAll('\n', '');
const NOT_FOUND = '<document type="freeswitch/xml"><section name="result"><result status="not found"/></section></document>';
const erlString = (s: string) => `"${s.replaceAll('"', '\\"')}"`;

beforeAll(async () => {
  const sip = await freeUdpPort();
  let epmdPort: number;
  ({ proc: sw, epmdPort } = await startSwitchd(NAME, ['--sip-port', String(sip)]));
  erl = await startErl({ name: 'confconf_erl@localhost', cookie: 'ClueCon', epmdPort });
}, 90_000);

afterAll(async () => {
  await erl?.stop();
  await stopSwitchd(sw);
});

describe('conference.conf from erl', { timeout: 60_000 }, () => {
  it('erl serves a profile with a pin: the caller joining the room gets the pin prompt, and gets in with the pin', async () => {
    // a process that binds `configuration`, answers conference.conf with SERVED (telling the shell its params) and passes on the rest
    expect(
      await sh(
        `Shell = self(), Binder = spawn(fun() -> {foo, '${NAME}'} ! {bind, configuration}, receive Bound -> Shell ! {bound, Bound} end, (fun Serve() -> receive {fetch, configuration, "configuration", "name", "conference.conf", Id, [_ | Ps]} -> Shell ! {conf_fetch, proplists:get_value("conference_name", Ps), proplists:get_value("profile_name", Ps), proplists:get_value("Action", Ps), proplists:get_value("Controls", Ps)}, {foo, '${NAME}'} ! {fetch_reply, Id, ${erlString(SERVED)}}, Serve(); {fetch, _, _, _, _, Id, _} -> {foo, '${NAME}'} ! {fetch_reply, Id, ${erlString(NOT_FOUND)}}, Serve(); _ -> Serve() end end)() end), receive {bound, B} -> B after 3000 -> timeout end.`,
      ),
    ).toBe('ok');
    expect(await sh(`{foo, '${NAME}'} ! register_event_handler, receive E1 -> E1 after 1000 -> timeout end.`)).toBe('ok');
    expect(await sh(`{foo, '${NAME}'} ! {event, 'PLAYBACK_START'}, receive E2 -> E2 after 1000 -> timeout end.`)).toBe('ok');
    expect(await sh(`{foo, '${NAME}'} ! {event, 'CUSTOM', 'conference::maintenance'}, receive E3 -> E3 after 1000 -> timeout end.`)).toBe('ok');

    // loopback/3005: its B leg (inbound) runs the room's extension, `conference 3005-127.0.0.1@default`
    expect(
      await sh(`{foo, '${NAME}'} ! {api, originate, "loopback/3005 &park()"}, receive {ok, O} -> lists:prefix("+OK", O) after 8000 -> timeout end.`),
    ).toBe('true');
    expect(await sh('receive {conf_fetch, N1, P1, A1, C1} -> {N1, P1, A1, C1} after 3000 -> timeout end.')).toBe(
      '{"3005-127.0.0.1","default",undefined,undefined}',
    );
    // the conference is made; the caller hears the served pin prompt (after its 400 ms), not yet a member
    const prompt = await sh(
      'Prompt = fun P(Acc) -> receive {event, [U | H]} -> case proplists:get_value("Event-Name", H) of "PLAYBACK_START" -> {U, proplists:get_value("Playback-File-Path", H), lists:reverse(Acc)}; _ -> P([proplists:get_value("Action", H) | Acc]) end after 8000 -> timeout end end, {Caller, Played, Before} = Prompt([]), {Played, Before}.',
    );
    expect(prompt).toBe(`{"${PIN_SOUND}",["conference-create"]}`);

    // the pin's digits: the caller is a member, and its controls are asked for
    expect(
      await sh(`{foo, '${NAME}'} ! {api, uuid_recv_dtmf, Caller ++ " 4321"}, receive {ok, D} -> lists:prefix("+OK", D) after 3000 -> timeout end.`),
    ).toBe('true');
    expect(
      await sh(
        'Added = fun A() -> receive {event, [_ | H2]} -> case proplists:get_value("Action", H2) of "add-member" -> proplists:get_value("Unique-ID", H2) =:= Caller; _ -> A() end after 8000 -> timeout end end, Added().',
      ),
    ).toBe('true');
    expect(await sh('receive {conf_fetch, N2, P2, A2, C2} -> {N2, P2, A2, C2} after 3000 -> timeout end.')).toBe(
      '{undefined,undefined,"request-controls","default"}',
    );
    expect(await sh(`{foo, '${NAME}'} ! {api, conference, "3005-127.0.0.1 count"}, receive {ok, Cn} -> Cn after 3000 -> timeout end.`)).toBe('"1"');

    await sh(`{foo, '${NAME}'} ! {api, hupall, ""}, receive {ok, _} -> ok after 3000 -> timeout end.`);
    // the events still queued stay in the shell's mailbox: only the reply is taken
    expect(await sh(`exit(Binder, kill), {foo, '${NAME}'} ! noevents, receive ok -> ok after 1000 -> timeout end.`)).toBe('ok');
  });
});
