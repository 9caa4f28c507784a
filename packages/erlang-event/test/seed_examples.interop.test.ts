/**
 * Every inbound example of the seed document, typed as it is written there (only the node name
 * differs), plus a real call's events reaching a handler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('seed');
  await rig.shell(ERL_DEFS);
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);

describe('the seed document, verbatim', () => {
  it('the shell session: api status, api wtf, bgapi status', async () => {
    expect(await sh(`{foo, FS} ! {api, status, ""}.`)).toBe('{api,status,[]}');
    expect(await sh('receive X -> X end.')).toMatch(/^\{ok,"UP 0 years/);
    expect(await sh(`{foo, FS} ! {api, wtf, ""}, receive Y -> Y after 1000 -> timeout end.`)).toBe('{error,"wtf: Command not found!\\n"}');
    expect(await sh(`{foo, FS} ! {bgapi, status, ""}, receive Z -> Z after 1000 -> timeout end.`)).toMatch(/^\{ok,"[0-9a-f-]{36}"\}$/);
    expect(await sh('receive A -> A after 1000 -> timeout end.')).toMatch(/^\{bgok,"[0-9a-f-]{36}",\s*"UP 0 years/);
  });

  it('the api examples', async () => {
    expect(await sh(`{foo, FS} ! {api, strftime, "%Y"}, receive S1 -> S1 after 1000 -> timeout end`)).toBe(`{ok,"${new Date().getFullYear()}"}`);
    expect(await sh(`{foo, FS} ! {api, originate, "sofia/mydomain.com/ext@yourvsp.com 1000"}, receive S2 -> S2 after 3000 -> timeout end`)).toMatch(
      /^\{error,"-ERR /,
    );
  });

  it('the event examples', async () => {
    expect(await sh(`Ph = Coll(), Do(Ph, register_event_handler)`)).toBe('ok');
    expect(await sh(`{foo, FS} ! {event, 'ALL'}, receive E1 -> E1 after 1000 -> timeout end`)).toBe('ok');
    expect(await sh(`{foo, FS} ! {event, 'CUSTOM', 'conference::maintenance'}, receive E2 -> E2 after 1000 -> timeout end`)).toBe('ok');
    expect(
      await sh(
        `{foo, FS} ! {event, 'CHANNEL_CREATE', 'CHANNEL_DESTROY', 'CUSTOM', 'conference::maintenance', 'sofia::register', 'sofia::expire'}, receive E3 -> E3 after 1000 -> timeout end`,
      ),
    ).toBe('ok');
    expect(await sh(`{foo, FS} ! {nixevent, 'ALL'}, receive E4 -> E4 after 1000 -> timeout end`)).toBe('ok');
    expect(await sh(`{foo, FS} ! noevents, receive E5 -> E5 after 1000 -> timeout end`)).toBe('ok');
    expect(await sh('exit(Ph, kill)')).toBe('true');
  });

  it('the log examples', async () => {
    expect(await sh(`{foo, FS} ! register_log_handler, receive L1 -> L1 after 1000 -> timeout end`)).toBe('ok');
    expect(await sh(`{foo, FS} ! {set_log_level, info}, receive L2 -> L2 after 1000 -> timeout end`)).toBe('ok');
    expect(await sh(`{foo, FS} ! {set_log_level, error}, receive L3 -> L3 after 1000 -> timeout end`)).toBe('ok');
    expect(await sh(`{foo, FS} ! nolog, receive L4 -> L4 after 1000 -> timeout end`)).toBe('ok');
    // the shell is the log handler: drop what it was sent meanwhile
    await sh('(fun Fl() -> receive {log, _} -> Fl() after 100 -> ok end end)()');
  });

  it('sendevent, sendmsg, getpid', async () => {
    expect(
      await sh(
        `{foo, FS} ! {sendevent, 'NOTIFY', [{"profile", "internal"}, {"event-string","check-sync;reboot=false"}, {"user", "false"}, {"host", "192.168.10.4"}, {"content-type", "application/simple-message-summary"}]}, receive M1 -> M1 after 1000 -> timeout end`,
      ),
    ).toBe('ok');
    expect(
      await sh(
        `{foo, FS} ! {sendmsg, "d9189508-7caf-dd11-829b-000f1f68e553", [{"call-command", "hangup"}, {"hangup-cause", "16"}]}, receive M2 -> M2 after 1000 -> timeout end`,
      ),
    ).toBe('{error,nosession}');
    expect(await sh(`{foo, FS} ! getpid, receive {ok, Gp} -> is_pid(Gp) after 1000 -> timeout end`)).toBe('true');
  });

  it('sendmsg hangup on a real call: ok comes before the CHANNEL_HANGUP it causes', async () => {
    const uuid = /^\+OK (\S+)/.exec(await rig.fs.sw.originate('null/1000 &park()'))?.[1] as string;
    // a handler subscribed to CHANNEL_HANGUP sends the seed's sendmsg and reports what came first
    const order = await sh(
      `(fun() -> Me = self(), spawn(fun() -> {foo, FS} ! register_event_handler, receive ok -> ok end, {foo, FS} ! {event, 'CHANNEL_HANGUP'}, receive ok -> ok end, {foo, FS} ! {sendmsg, "${uuid}", [{"call-command", "hangup"}, {"hangup-cause", "16"}]}, Got = [receive R -> R after 2000 -> timeout end || _ <- [1, 2]], Me ! {got, [case G of {event, [_ | H]} -> proplists:get_value("Event-Name", H); _ -> G end || G <- Got]} end), receive {got, O} -> O after 5000 -> timeout end end)()`,
    );
    expect(order).toBe('[ok,"CHANNEL_HANGUP"]');
  });

  it("a real call's events: [UUID | Headers] with the call's uuid first; erlang listeners counts creates/hangups", async () => {
    expect(await sh(`Pc = Coll(), Do(Pc, register_event_handler), Do(Pc, {event, 'CHANNEL_CREATE', 'CHANNEL_HANGUP_COMPLETE'})`)).toBe('ok');
    const out = await rig.fs.sw.originate('null/1234 &park()');
    const uuid = /^\+OK (\S+)/.exec(out)?.[1] as string;
    await rig.fs.sw.api(`uuid_kill ${uuid}`);
    expect(
      await sh(
        `[{U, proplists:get_value("Event-Name", H)} || {event, [U | H]} <- WaitEv(Pc, 2)] =:= [{"${uuid}","CHANNEL_CREATE"},{"${uuid}","CHANNEL_HANGUP_COMPLETE"}]`,
      ),
    ).toBe('true');
    expect(await rig.fs.sw.api('erlang listeners')).toMatch(/ 1\/1\n$/);
    expect(await sh('exit(Pc, kill)')).toBe('true');
  });
});
