/**
 * erlang/freeswitch.erl, the client helper the seed document uses (`freeswitch:api(Node, status)`),
 * compiled and loaded into a real erl and run against the switch node: every command function,
 * the three handler starters, and the event readers on string-, binary- and map-shaped events.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staticDialplan } from '@beamline/switch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, startRig } from './helpers.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');

let rig: Rig;
beforeAll(async () => {
  // a static dialplan with no extensions: lookups go to the XML bindings first
  rig = await startRig('fsclient', {}, { switch: { timers: false, dialplan: staticDialplan({ default: {} }) } });
  await rig.erl.loadModule(join(here, '../erlang/freeswitch.erl'));
  await rig.erl.loadModule(join(root, 'tools/erl/fs_client_test.erl'));
}, 30_000);
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string, timeoutMs?: number) => rig.shell(e, timeoutMs);
/**
 * The next `{relayed, From, Msg}` matching `pattern` from a handler started with
 * fs_client_test:relay, within `ms`; the message is also bound to the shell variable `as` (shell
 * bindings persist, so each call names its own).
 */
const relayed = (from: string, as: string, pattern = '_', ms = 3000) =>
  sh(`${as} = receive {relayed, ${from}, ${pattern} = ${as}_} -> ${as}_ after ${ms} -> timeout end`);

describe('freeswitch.erl against the switch node', () => {
  it('api/2 and api/3 (the seed example), bgapi/3 and bgapi/4', async () => {
    expect(await sh('freeswitch:api(FS, status)')).toMatch(/^\{ok,"UP 0 years/);
    expect(await sh('freeswitch:api(FS, strftime, "%Y")')).toBe(`{ok,"${new Date().getFullYear()}"}`);
    expect(await sh('freeswitch:api(FS, wtf, "")')).toBe('{error,"wtf: Command not found!\\n"}');
    expect(await sh('{ok, Job1} = freeswitch:bgapi(FS, status, ""), is_list(Job1)')).toBe('true');
    expect(await sh('receive {bgok, Job1, Bg1} -> lists:prefix("UP 0 years", Bg1) after 3000 -> timeout end')).toBe('true');
    expect(await sh('Me = self(), freeswitch:bgapi(FS, wtf, "", fun(S_, T_) -> Me ! {bg_fun, S_, T_} end)')).toBe('ok');
    expect(await sh('receive {bg_fun, S2, T2} -> {S2, T2} after 3000 -> timeout end')).toBe('{error,"wtf: Command not found!\\n"}');
  });

  it('api/3 that times out: its late reply does not answer the next api (it goes to a process of its own)', async () => {
    expect(await sh('freeswitch:api(FS, msleep, "6500")', 10_000)).toBe('timeout');
    expect(await sh('freeswitch:api(FS, strftime, "%Y")', 10_000)).toBe(`{ok,"${new Date().getFullYear()}"}`);
    expect(await sh('receive Stray -> Stray after 1500 -> none end')).toBe('none');
  }, 20_000);

  it('start_event_handler/4, then event/2 from the shell subscribes it; sendevent_custom/3 reaches it', async () => {
    expect(await sh('{ok, Eh} = freeswitch:start_event_handler(FS, fs_client_test, relay, self()), is_pid(Eh)')).toBe('true');
    expect(await sh(`freeswitch:event(FS, ['CUSTOM', 'fsclient::test'])`)).toBe('ok');
    expect(await sh(`freeswitch:sendevent_custom(FS, 'fsclient::test', [{"Fsclient-Header", "hello"}])`)).toBe('ok');
    expect(await relayed('Eh', 'Ev1', '{event, _}')).toMatch(/^\{event,/);
    expect(await sh('freeswitch:get_event_name(Ev1)')).toBe('"CUSTOM"');
    expect(await sh('freeswitch:get_event_header(Ev1, "Fsclient-Header")')).toBe('"hello"');
    expect(await sh('freeswitch:get_event_header(Ev1, "No-Such-Header")')).toBe('{error,notfound}');
    expect(await sh(`freeswitch:nixevent(FS, 'CUSTOM')`)).toBe('ok');
    expect(await sh('freeswitch:noevents(FS)')).toBe('ok');
    // sendevent/3 with a core type; the handler no longer listens
    expect(await sh(`freeswitch:sendevent(FS, 'MESSAGE', [{"a", "1"}])`)).toBe('ok');
    expect(await relayed('Eh', 'Ev2', '_', 300)).toBe('timeout');
  });

  it('session_event/2 and friends answer as the module does for a process with no call', async () => {
    expect(await sh(`freeswitch:session_event(FS, 'ALL')`)).toBe('{error,notlistening}');
    expect(await sh(`freeswitch:session_nixevent(FS, ['CHANNEL_ANSWER'])`)).toBe('{error,notlistening}');
    expect(await sh('freeswitch:session_noevents(FS)')).toBe('{error,notlistening}');
  });

  it('getpid/1, sendmsg/3, handlecall/2,3 and fetch_reply/3 (whose 2-element errors come back, not timeout)', async () => {
    expect(await sh('{ok, FsPid} = freeswitch:getpid(FS), node(FsPid) =:= FS')).toBe('true');
    const uuid = /^\+OK ([0-9a-f-]{36})\n$/.exec(await rig.fs.sw.originate('null/1 &park()'))?.[1];
    expect(uuid).toBeDefined();
    expect(await sh(`freeswitch:sendmsg(FS, "${uuid}", [{"call-command", "execute"}, {"execute-app-name", "answer"}])`)).toBe('ok');
    expect(await sh('freeswitch:sendmsg(FS, "00000000-0000-0000-0000-000000000000", [{"call-command", "hangup"}])')).toMatch(/^\{error,/);
    expect(await sh(`freeswitch:handlecall(FS, "${uuid}")`)).toBe('ok');
    expect(await sh('receive {call, Call1} -> freeswitch:get_event_header(Call1, "Unique-ID") after 3000 -> timeout end')).toBe(`"${uuid}"`);
    expect(
      await sh(`register(fsclient_calls, spawn(fun() -> receive stop -> ok end end)), freeswitch:handlecall(FS, "${uuid}", fsclient_calls)`),
    ).toBe('ok');
    expect(await sh('freeswitch:handlecall(FS, "not-a-call")')).toMatch(/^\{error,/);
    expect(await sh('freeswitch:fetch_reply(FS, "no-such-fetch", "<document/>")')).toBe('{error,invalid_uuid}');
    await rig.fs.sw.api(`uuid_kill ${uuid}`);
  });

  it('start_fetch_handler/5: the binding gets the lookups and fetch_reply/3 answers one', async () => {
    expect(await sh('{ok, Fh} = freeswitch:start_fetch_handler(FS, dialplan, fs_client_test, relay, self()), is_pid(Fh)')).toBe('true');
    const routed = rig.fs.sw.originate('null/1 fsclient_fetch');
    expect(await relayed('Fh', 'Fetch1', '{fetch, dialplan, _, _, _, _, _}')).toMatch(/^\{fetch,dialplan,/);
    const xml =
      '<document type="freeswitch/xml"><section name="dialplan"><context name="default"><extension name="x"><condition field="destination_number" expression="^fsclient_fetch$"><action application="park"/></condition></extension></context></section></document>';
    expect(await sh(`{fetch, dialplan, _, _, _, FetchId, _} = Fetch1, freeswitch:fetch_reply(FS, FetchId, "${xml.replaceAll('"', '\\"')}")`)).toBe(
      'ok',
    );
    expect(await routed).toMatch(/^\+OK /);
    expect(await sh('exit(Fh, kill)')).toBe('true');
  });

  it('start_log_handler/4: the handler gets log terms', async () => {
    expect(await sh('{ok, Lh} = freeswitch:start_log_handler(FS, fs_client_test, relay, self()), is_pid(Lh)')).toBe('true');
    rig.fs.sw.core.log('NOTICE', 'a log line for the handler');
    expect(await relayed('Lh', 'Log1', '{log, _}')).toMatch(/^\{log,\[\{level,/);
    expect(await sh('exit(Lh, kill)')).toBe('true');
  });

  it('get_event_header/2 reads string, binary and map-shaped events', async () => {
    expect(await sh(`freeswitch:get_event_header({event, [undefined, {"A", "1"}]}, "A")`)).toBe('"1"');
    expect(await sh(`freeswitch:get_event_header({event, ["uuid", {"A", "1"}, {"body", "text"}]}, "A")`)).toBe('"1"');
    expect(await sh(`freeswitch:get_event_body({event, ["uuid", {"A", "1"}, {"body", "text"}]})`)).toBe('"text"');
    expect(await sh(`freeswitch:get_event_header({event, [<<"uuid">>, {<<"A">>, <<"1">>}]}, "A")`)).toBe('<<"1">>');
    expect(await sh(`freeswitch:get_event_header([<<"uuid">>, {<<"A">>, <<"1">>}], <<"A">>)`)).toBe('<<"1">>');
    expect(await sh(`freeswitch:get_event_name({event, #{<<"Event-Name">> => <<"CUSTOM">>}})`)).toBe('<<"CUSTOM">>');
  });

  it('a node that cannot be reached: the handler starters and bgapi answer {error, nodedown} at once', async () => {
    expect(await sh(`freeswitch:start_event_handler('nobody@localhost', fs_client_test, relay, self())`)).toBe('{error,nodedown}');
    expect(await sh(`freeswitch:bgapi('nobody@localhost', status, "")`)).toBe('{error,nodedown}');
  });

  it('close/1: ok, then the connection is closed', async () => {
    expect(await sh('freeswitch:close(FS)')).toBe('ok');
    expect(
      await sh(
        `(fun W_(0) -> lists:member(FS, nodes(hidden)); W_(N_) -> case lists:member(FS, nodes(hidden)) of true -> timer:sleep(50), W_(N_ - 1); false -> false end end)(60)`,
      ),
    ).toBe('false');
  });
});
