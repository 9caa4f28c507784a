/**
 * The seed document's inbound session, typed into a real erl shell (spec §1.1–§1.2, §1.21,
 * §1.27, §9 items 1–4, 17, 19): exact reply shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('api');
});
afterAll(async () => {
  await rig?.stop();
});

describe('inbound api from a real erl shell', () => {
  it('{foo, Node} ! {api, status, ""} then receive: {ok, "UP …"}; the node is hidden', async () => {
    expect(await rig.shell(`{foo, FS} ! {api, status, ""}`)).toBe('{api,status,[]}');
    const x = await rig.shell('receive X -> X after 1000 -> timeout end');
    expect(x).toMatch(/^\{ok,"UP 0 years, 0 days, 0 hours, 0 minutes, \d+ seconds?, \d+ milliseconds?, \d+ microseconds?\\n/);
    expect(x).toContain('session(s) since startup');
    expect(await rig.shell('lists:member(FS, nodes(hidden))')).toBe('true');
    expect(await rig.shell('lists:member(FS, nodes())')).toBe('false');
  });

  it("a command's reply comes before the events it caused, to handlers and to attached calls (the listener loop answers, then empties its queues)", async () => {
    const sh = (e: string) => rig.shell(e);
    expect(await sh(`{o, FS} ! register_event_handler, receive Ord1 -> Ord1 after 1000 -> timeout end`)).toBe('ok');
    expect(await sh(`{o, FS} ! {event, 'CHANNEL_CREATE'}, receive Ord2 -> Ord2 after 1000 -> timeout end`)).toBe('ok');
    const made = await sh(`{o, FS} ! {api, originate, "null/1000 &park()"}, receive Ord3 -> Ord3 after 2000 -> timeout end`);
    const uuid = /^\{ok,"\+OK ([0-9a-f-]{36})\\n"\}$/.exec(made)?.[1];
    expect(uuid, made).toBeDefined();
    expect(await sh(`receive {event, [Ord4 | _]} -> Ord4 after 1000 -> timeout end`)).toBe(`"${uuid}"`);
    expect(await sh(`{o, FS} ! noevents, receive Ord5 -> Ord5 after 1000 -> timeout end`)).toBe('ok');
    expect(await sh(`{o, FS} ! {handlecall, "${uuid}"}, receive Ord6 -> Ord6 after 1000 -> timeout end`)).toBe('ok');
    expect(await sh(`receive {call, _} -> call after 1000 -> timeout end`)).toBe('call');
    expect(await sh(`{o, FS} ! {api, uuid_kill, "${uuid}"}, receive Ord7 -> Ord7 after 2000 -> timeout end`)).toBe('{ok,"+OK\\n"}');
    const after = await sh(
      `timer:sleep(300), Ord8 = fun Ord8Loop(Acc) -> receive {call_event, {event, [_ | Ord8H]}} -> Ord8Loop([proplists:get_value("Event-Name", Ord8H) | Acc]); Ord8M -> Ord8Loop([element(1, Ord8M) | Acc]) after 0 -> lists:reverse(Acc) end end, Ord8([])`,
    );
    // the call's events (CHANNEL_HANGUP first), then call_hangup, and nothing else left behind
    expect(after).toMatch(/^\["CHANNEL_HANGUP",("[A-Z_]+",\s*)+call_hangup\]$/);
  });

  it('a handlecall replacing another, then at once uuid_kill: ok, {call, _}, the kill reply, the events, call_hangup', async () => {
    const sh = (e: string) => rig.shell(e);
    const made = await sh(`{o, FS} ! {api, originate, "null/1001 &park()"}, receive Rh1 -> Rh1 after 2000 -> timeout end`);
    const uuid = /^\{ok,"\+OK ([0-9a-f-]{36})\\n"\}$/.exec(made)?.[1];
    expect(uuid, made).toBeDefined();
    expect(await sh(`{o, FS} ! {handlecall, "${uuid}"}, receive Rh2 -> Rh2 after 1000 -> timeout end`)).toBe('ok');
    expect(await sh(`receive {call, _} -> call after 1000 -> timeout end`)).toBe('call');
    const seen = await sh(
      `{o, FS} ! {handlecall, "${uuid}"}, {o, FS} ! {api, uuid_kill, "${uuid}"}, timer:sleep(500), ` +
        `Rh3 = fun Rh3Loop(Acc) -> receive Rh3M when is_tuple(Rh3M) -> Rh3Loop([element(1, Rh3M) | Acc]); Rh3A -> Rh3Loop([Rh3A | Acc]) after 0 -> lists:reverse(Acc) end end, Rh3([])`,
    );
    expect(seen).toMatch(/^\[ok,call,ok,(call_event,\s*)+call_hangup\]$/);
  });

  it("a bad {Ref, Pid} or rex reply: handle_ref_tuple's warnings, no reply", async () => {
    const lines: string[] = [];
    const off = rig.fs.sw.core.logger.subscribe(7, (r) => lines.push(`${r.level} ${r.text}`));
    await rig.shell(
      `{w, FS} ! {rex, {wrong, make_ref()}}, {w, FS} ! {rex, {make_ref(), notapid}}, {w, FS} ! {rex, notatuple}, {w, FS} ! {make_ref(), notapid}`,
    );
    expect(await rig.shell(`receive Wr -> Wr after 300 -> none end`)).toBe('none');
    off.unsubscribe();
    const said = lines.filter((l) => /Invalid|Unknown rpc/.test(l));
    expect(said).toEqual([
      '4 Invalid reference',
      '4 Invalid pid in a reference/pid tuple',
      '7 Unknown rpc response',
      '4 Invalid pid in a reference/pid tuple',
    ]);
  });

  it('an unknown command: {error, "wtf: Command not found!\\n"}', async () => {
    expect(await rig.shell(`{foo, FS} ! {api, wtf, ""}, receive Y -> Y after 1000 -> timeout end`)).toBe('{error,"wtf: Command not found!\\n"}');
  });

  it('bad shapes: {error, badarg}', async () => {
    expect(await rig.shell(`{x, FS} ! {api, status}, receive B1 -> B1 after 1000 -> timeout end`)).toBe('{error,badarg}');
    expect(await rig.shell(`{x, FS} ! {api, "status", ""}, receive B2 -> B2 after 1000 -> timeout end`)).toBe('{error,badarg}');
    expect(await rig.shell(`{x, FS} ! {api, status, {1,2}}, receive B3 -> B3 after 1000 -> timeout end`)).toBe('{error,badarg}');
  });

  it('binary arguments work as strings do', async () => {
    expect(await rig.shell(`{x, FS} ! {api, echo, <<"hello">>}, receive E1 -> E1 after 1000 -> timeout end`)).toBe('{ok,"hello"}');
  });

  it('bgapi: {ok, Job} then {bgok, Job, Output}; a BACKGROUND_JOB event is fired', async () => {
    const events: string[] = [];
    const sites: string[] = [];
    const sub = rig.fs.sw.events.subscribe({
      types: ['BACKGROUND_JOB'],
      handler: (e) => {
        events.push(e.getHeader('Job-UUID') ?? '');
        sites.push(['File', 'Function', 'Line-Number'].map((h) => e.getHeader(`Event-Calling-${h}`)).join(' '));
      },
    });
    const z = await rig.shell(`{foo, FS} ! {bgapi, status, ""}, receive Z -> Z after 1000 -> timeout end`);
    const job = /^\{ok,"([0-9a-f-]{36})"\}$/.exec(z)?.[1];
    expect(job).toBeDefined();
    const a = await rig.shell('receive A -> A after 1000 -> timeout end');
    expect(a).toMatch(new RegExp(`^\\{bgok,"${job}",\\s*"UP 0 years`));
    expect(events).toContain(job);
    // mod_erlang_event's own job thread (handle_msg.c api_exec), not mod_commands' bgapi
    expect(sites).toEqual(['handle_msg.c api_exec 84']);
    sub.unsubscribe();
    const w = await rig.shell(
      `{foo, FS} ! {bgapi, wtf, ""}, receive {ok, J2} -> receive {bgerror, J2, O2} -> O2 after 1000 -> timeout end after 1000 -> timeout end`,
    );
    expect(w).toBe('"wtf: Command not found!\\n"');
  });

  it('any registered name works; getpid gives a pid on the switch node', async () => {
    expect(await rig.shell(`{bar, FS} ! getpid, receive {ok, P} -> node(P) =:= FS after 1000 -> timeout end`)).toBe('true');
  });

  it('a monitor by a name the module answers stays up, as on the C node; a gen call to one times out, not noproc', async () => {
    expect(await rig.shell(`Mn1 = erlang:monitor(process, {bar, FS}), receive {'DOWN', Mn1, _, _, Mn1Why} -> Mn1Why after 300 -> up end`)).toBe('up');
    expect(await rig.shell(`erlang:demonitor(Mn1, [flush])`)).toBe('true');
    expect(await rig.shell(`catch gen_server:call({bar, FS}, {api, status, ""}, 300)`)).toMatch(/^\{'EXIT',\{timeout,/);
    // what the module answered instead (not a {Ref, Reply}): {error, undef}, as FreeSWITCH's
    expect(await rig.shell(`receive Mn2 -> Mn2 after 1000 -> none end`)).toBe('{error,undef}');
    // a name a process of the node holds is monitored as usual
    expect(
      await rig.shell(`Mn3 = erlang:monitor(process, {net_kernel, FS}), receive {'DOWN', Mn3, _, _, Mn3Why} -> Mn3Why after 300 -> up end`),
    ).toBe('up');
    expect(await rig.shell(`erlang:demonitor(Mn3, [flush])`)).toBe('true');
  });

  it('anything else is {error, undef}', async () => {
    const terms = ['foo', '{foo}', '<<1>>', '42', '{1, 2}', '"string"', '{noevents}', `{'$gen_cast', x}`, '{}', '#{}', 'self()'];
    for (const [i, term] of terms.entries()) {
      expect(await rig.shell(`{any, FS} ! ${term}, receive U${i} -> U${i} after 1000 -> timeout end`), term).toBe('{error,undef}');
    }
  });

  it('net_adm:ping gets pong (OTP 24+ alias tag)', async () => {
    expect(await rig.shell('net_adm:ping(FS)')).toBe('pong');
  });
});

describe('the last mod_commands commands from a real erl shell', () => {
  it("{api, coalesce | module_exists | xml_wrap | uuid_simplify, Args}: mod_commands.c's replies", async () => {
    // each reply in a fresh shell variable (a bound one would only match the same term again)
    let n = 0;
    const ask = (cmd: string, args: string) =>
      rig.shell(`{foo, FS} ! {api, ${cmd}, "${args}"}, receive Mc${++n} -> Mc${n} after 3000 -> timeout end`);
    expect(await ask('coalesce', ',,first,second')).toBe('{ok,"first"}');
    expect(await ask('module_exists', 'mod_commands')).toBe('{ok,"true"}');
    expect(await ask('module_exists', 'mod_nothere')).toBe('{ok,"false"}');
    expect(await ask('xml_wrap', 'coalesce ^^;;x')).toBe('{ok,"<result>\\n  <row id=\\"1\\">\\n    <data>x</data>\\n  </row>\\n</result>\\n"}');
    expect(await ask('uuid_simplify', '00000000-0000-4000-8000-000000000000')).toBe('{error,"-ERR Operation failed\\n"}');
  });
});
