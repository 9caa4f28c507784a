/**
 * Logs, sendevent, sendmsg, exit (spec §1.9–§1.13, §1.22, §2.3, §9 items 11–13, 18; DECISIONS.md:
 * `error` as a log level, 7 log fields with the real text channel, sendevent with an unknown name).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('misc');
  await rig.shell(ERL_DEFS);
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);
const settle = () => sh('timer:sleep(150)');

describe('log handler', () => {
  it('register_log_handler → ok; log terms have 7 fields, strings; set_log_level filters', async () => {
    expect(await sh('L1 = Coll(), Do(L1, register_log_handler)')).toBe('ok');
    rig.fs.sw.core.log('ERR', 'first line');
    rig.fs.sw.core.logger.log('INFO', 'on a call', 'call-uuid-1', { file: 'mod_x.c', func: 'x_run', line: 42 });
    await settle();
    const logs = await sh(`Ls = [L || {log, L} <- Msgs(L1)], [[K || {K, _} <- L] || L <- Ls]`);
    expect(logs).toContain('[level,text_channel,file,func,line,data,user_data]');
    expect(
      await sh(
        `[{L1a, C1, D1, U1}] = [{proplists:get_value(level, L), proplists:get_value(text_channel, L), proplists:get_value(data, L), proplists:get_value(user_data, L)} || L <- Ls, lists:suffix("first line\\n", proplists:get_value(data, L))], {L1a, C1, U1}`,
      ),
    ).toBe('{3,0,[]}');
    expect(await sh(`io_lib:printable_list(D1) andalso lists:member($[, D1)`)).toBe('true');
    expect(
      await sh(
        `[{proplists:get_value(text_channel, L), proplists:get_value(file, L), proplists:get_value(func, L), proplists:get_value(line, L), proplists:get_value(user_data, L)} || L <- Ls, proplists:get_value(user_data, L) =/= []]`,
      ),
    ).toBe('[{3,"mod_x.c","x_run",42,"call-uuid-1"}]');
    // err and its alias error; unknown and console are refused
    expect(
      await sh(
        `{Do(L1, {set_log_level, err}), Do(L1, {set_log_level, error}), Do(L1, {set_log_level, warn}), Do(L1, {set_log_level, console}), Do(L1, {set_log_level, info, x}), Do(L1, {set_log_level, "info"})}`,
      ),
    ).toBe('{ok,ok,{error,badarg},{error,badarg},{error,badarg},{error,badarg}}');
    const before = Number(await sh(`length([L || {log, L} <- Msgs(L1)])`));
    rig.fs.sw.core.log('INFO', 'filtered out');
    rig.fs.sw.core.log('CRIT', 'let through');
    await settle();
    expect(await sh(`[lists:last(string:tokens(proplists:get_value(data, L), "]")) || {log, L} <- lists:nthtail(${before}, Msgs(L1))]`)).toBe(
      '[" switch_core.c:0 let through\\n"]',
    );
    expect(await sh('Do(L1, nolog)')).toBe('ok');
    rig.fs.sw.core.log('CRIT', 'after nolog');
    await settle();
    expect(await sh(`length([L || {log, L} <- Msgs(L1)])`)).toBe(String(before + 1));
    expect(await sh('exit(L1, kill)')).toBe('true');
  });
});

describe('sendevent and sendmsg', () => {
  it('sendevent CUSTOM: ok, and the event is on the bus with its subclass and body', async () => {
    const seen: { sub?: string; a?: string; body?: string }[] = [];
    const s = rig.fs.sw.events.subscribe({
      types: ['CUSTOM'],
      handler: (e) => seen.push({ sub: e.getHeader('Event-Subclass'), a: e.getHeader('A'), body: e.body }),
    });
    expect(await sh(`Do(Coll(), {sendevent, 'CUSTOM', 'my::sub', [{"A", "1"}, {"body", "x"}]})`)).toBe('ok');
    await settle();
    s.unsubscribe();
    expect(seen).toEqual([{ sub: 'my::sub', a: '1', body: 'x' }]);
  });

  it('bad headers, binary values, unknown names: {error, badarg}', async () => {
    expect(await sh(`Sp = Coll(), Do(Sp, {sendevent, 'CUSTOM', 'my::sub', [{"A", <<"1">>}]})`)).toBe('{error,badarg}');
    expect(await sh(`Do(Sp, {sendevent, 'TRAP', [{"A"}]})`)).toBe('{error,badarg}');
    expect(await sh(`Do(Sp, {sendevent, 'TRAP', notalist})`)).toBe('{error,badarg}');
    expect(await sh(`Do(Sp, {sendevent, 'NOPE', []})`)).toBe('{error,badarg}');
    expect(await sh(`Do(Sp, {sendevent, "TRAP", []})`)).toBe('{error,badarg}');
    expect(
      await sh(
        `Do(Sp, {sendevent, 'NOTIFY', [{"profile", "internal"}, {"event-string","check-sync;reboot=false"}, {"user", "false"}, {"host", "192.168.10.4"}, {"content-type", "application/simple-message-summary"}]})`,
      ),
    ).toBe('ok');
  });

  it('sendmsg: nosession for an unknown or empty uuid, badarg for a bad list or a uuid term of size 0 that is not []; a real call is hung up', async () => {
    expect(await sh(`Sm = Coll(), Do(Sm, {sendmsg, "no-such-uuid", []})`)).toBe('{error,nosession}');
    expect(await sh(`Do(Sm, {sendmsg, "", []})`)).toBe('{error,nosession}');
    // a uuid term of size 0 is not read past (ei_decode_string_or_binary): the list header is read from it
    for (const empty of ['<<>>', '42', "''", '{}']) expect(await sh(`Do(Sm, {sendmsg, ${empty}, []})`)).toBe('{error,badarg}');
    // handle_msg_sendmsg looks the session up before it reads the headers
    expect(await sh(`Do(Sm, {sendmsg, <<"no-such-uuid">>, [{"call-command", 1}]})`)).toBe('{error,nosession}');
    expect(await sh(`Do(Sm, {sendmsg, "no-such-uuid", notalist})`)).toBe('{error,badarg}');
    // ei_decode_list_header: an improper list's tail is never read; a string (STRING_EXT) is no list
    expect(await sh(`Do(Sm, {sendmsg, "no-such-uuid", [{"call-command", "hangup"} | tail]})`)).toBe('{error,nosession}');
    expect(await sh(`Do(Sm, {sendmsg, "no-such-uuid", "abc"})`)).toBe('{error,badarg}');
    const out = await rig.fs.sw.originate('null/1234 &park()');
    const uuid = /^\+OK (\S+)/.exec(out)?.[1];
    expect(uuid).toBeDefined();
    expect(await sh(`Do(Sm, {sendmsg, <<"${uuid}">>, [{"call-command", 1}]})`)).toBe('{error,badarg}');
    expect(await sh(`Do(Sm, {sendmsg, <<"${uuid}">>, [{"call-command", "hangup"}, {"hangup-cause", "16"}]})`)).toBe('ok');
    const deadline = Date.now() + 3000;
    while (rig.fs.sw.core.sessions.has(uuid as string) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(rig.fs.sw.core.sessions.has(uuid as string)).toBe(false);
    const improper = /^\+OK (\S+)/.exec(await rig.fs.sw.originate('null/1236 &park()'))?.[1] as string;
    expect(await sh(`Do(Sm, {sendmsg, "${improper}", [{"call-command", "hangup"}, {"hangup-cause", "16"} | tail]})`)).toBe('ok');
    const until = Date.now() + 3000;
    while (rig.fs.sw.core.sessions.has(improper) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(rig.fs.sw.core.sessions.has(improper)).toBe(false);
  });

  it('{api, uuid_transfer, …} with a quoted inline dialplan (blanks and commas inside the quotes) runs every application', async () => {
    const uuid = /^\+OK (\S+)/.exec(await rig.fs.sw.originate('null/1235 &park()'))?.[1] as string;
    expect(await sh(`Tq = Coll(), Do(Tq, {api, uuid_transfer, "${uuid} 'set:greeting=hello world,park'  inline"})`)).toBe('{ok,"+OK\\n"}');
    await settle();
    expect(await sh(`Do(Tq, {api, uuid_getvar, "${uuid} greeting"})`)).toBe('{ok,"hello world"}');
    expect(await sh(`Do(Tq, {api, uuid_exists, "${uuid}"})`)).toBe('{ok,"true"}');
    await rig.fs.sw.api(`uuid_kill ${uuid}`);
  });

  it('handlecall: badarg / baduuid / badsession by shape, ok for a live call in either order', async () => {
    expect(await sh(`Hc = Coll(), Do(Hc, {handlecall, ""})`)).toBe('{error,baduuid}');
    expect(await sh(`Do(Hc, {handlecall, "bad"})`)).toBe('{error,badsession}');
    expect(await sh(`Do(Hc, {handlecall, <<"bad">>, procname})`)).toBe('{error,badsession}');
    const out = await rig.fs.sw.originate('null/1234 &park()');
    const live = /^\+OK (\S+)/.exec(out)?.[1];
    expect(await sh(`{Do(Hc, {handlecall, "${live}", procname}), Do(Hc, {handlecall, procname, "${live}"})}`)).toBe('{ok,ok}');
    await rig.fs.sw.api(`uuid_kill ${live}`);
    expect(await sh(`Do(Hc, {handlecall, a, b})`)).toBe('{error,badarg}');
    expect(await sh(`Do(Hc, {handlecall})`)).toBe('{error,badarg}');
    expect(await sh(`Do(Hc, session_noevents)`)).toBe('{error,notlistening}');
  });
});

describe('status-format=seed', () => {
  it("reproduces the seed's status text", async () => {
    const seed = await startRig('seedst', { statusFormat: 'seed' });
    try {
      expect(await seed.shell(`{foo, FS} ! {api, status, ""}, receive X -> X after 1000 -> timeout end`)).toMatch(
        /^\{ok,"Content-Type: text\/html\\n\\nUP 0 years, 0 days, 0 hours, 0 minutes, \d+ seconds?, \d+ milliseconds?, \d+ microseconds?\\n0 session\(s\) since startup\\n0 session\(s\) 0\/30\\n"\}$/,
      );
    } finally {
      await seed.stop();
    }
  });
});

describe('net_kernel', () => {
  it("{net_kernel, FS} ! {'$gen_call', {self(), Ref}, {is_auth, node()}} → {Ref, yes}", async () => {
    expect(
      await sh(
        `Rk = make_ref(), {net_kernel, FS} ! {'$gen_call', {self(), Rk}, {is_auth, node()}}, receive {Rk, Yk} -> Yk after 1000 -> timeout end`,
      ),
    ).toBe('yes');
  });
});

describe('exit', () => {
  it('exit → ok, then the connection closes (nodedown)', async () => {
    expect(await sh('Xh = Coll(), Do(Xh, register_event_handler), Do(Xh, register_log_handler)')).toBe('ok');
    const l = rig.fs.module.listener(rig.erl.name);
    const pumps = [...(l?.events.pumps() ?? []), l?.logs.pump()];
    expect(pumps.length).toBe(2);
    expect(pumps.every((p) => p !== undefined && rig.fs.runtime.isAlive(p))).toBe(true);
    expect(await sh('monitor_node(FS, true), {foo, FS} ! exit, receive Ex -> Ex after 1000 -> timeout end')).toBe('ok');
    expect(await sh('receive {nodedown, FS} -> down after 3000 -> timeout end')).toBe('down');
    await rig.fs.runtime.settle();
    // the listener's processes are gone with it
    expect(pumps.some((p) => p !== undefined && rig.fs.runtime.isAlive(p))).toBe(false);
    // a new connection starts from scratch
    expect(await sh('{foo, FS} ! getpid, receive {ok, _} -> ok after 2000 -> timeout end')).toBe('ok');
  });

  it('nothing follows exit’s ok: events and log lines still queued or fired meanwhile are dropped, as the original’s loop returns at once', async () => {
    await sh(
      `Me_x = self(), Px = spawn(fun() -> process_flag(trap_exit, true), [begin {foo, FS} ! C_x, receive ok -> ok end end || C_x <- [register_event_handler, register_log_handler, {event, 'CUSTOM', 'exit::tick'}]], Me_x ! ready_x, receive go_x -> ok end, {foo, FS} ! exit, Me_x ! {tags_x, (fun Cx_(A_x) -> receive {event, _} -> Cx_([event | A_x]); {log, _} -> Cx_([log | A_x]); ok -> Cx_(['OK' | A_x]); _ -> Cx_(A_x) after 500 -> lists:reverse(A_x) end end)([])} end), receive ready_x -> ok end`,
    );
    const ticker = setInterval(() => {
      for (let i = 0; i < 20; i++) {
        rig.fs.sw.sendevent('CUSTOM', [['n', String(i)]], 'exit::tick');
        rig.fs.sw.core.log('ERR', 'tick');
      }
    }, 1);
    try {
      expect(
        await sh(
          `timer:sleep(100), Px ! go_x, receive {tags_x, Tx} -> {lists:member(event, Tx), lists:dropwhile(fun(T_x) -> T_x =/= 'OK' end, Tx)} after 5000 -> timeout end`,
        ),
      ).toBe("{true,['OK']}");
    } finally {
      clearInterval(ticker);
    }
  });

  it('nothing follows exit’s ok for an attached call either: its call_event messages stop with the reply', async () => {
    const uuid = /^\+OK (\S+)/.exec(await rig.fs.sw.originate('null/1237 &park()'))?.[1] as string;
    await sh(
      `Me_y = self(), Py = spawn(fun() -> process_flag(trap_exit, true), {foo, FS} ! {handlecall, "${uuid}"}, receive ok -> ok end, Me_y ! ready_y, receive go_y -> ok end, {foo, FS} ! exit, Me_y ! {tags_y, (fun Cy_(A_y) -> receive {call_event, _} -> Cy_([call_event | A_y]); ok -> Cy_(['OK' | A_y]); _ -> Cy_(A_y) after 500 -> lists:reverse(A_y) end end)([])} end), receive ready_y -> ok end`,
    );
    const ticker = setInterval(() => {
      for (let i = 0; i < 20; i++) rig.fs.sw.sendevent('CUSTOM', [['Unique-ID', uuid]], 'exit::call');
    }, 1);
    try {
      expect(
        await sh(
          `timer:sleep(100), Py ! go_y, receive {tags_y, Ty} -> {lists:member(call_event, Ty), lists:dropwhile(fun(T_y) -> T_y =/= 'OK' end, Ty)} after 5000 -> timeout end`,
        ),
      ).toBe("{true,['OK']}");
    } finally {
      clearInterval(ticker);
      await rig.fs.sw.api(`uuid_kill ${uuid}`);
    }
  });
});
