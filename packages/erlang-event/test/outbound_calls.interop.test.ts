/**
 * Outbound mode from a real erl (spec §3, §9 items 20–25): a call routed through the dialplan to
 * the `erlang` application reaches the seed's myhandler in all three target forms; the handler
 * answers it through sendmsg; `{call, …}` first, `{call_event, …}`s, `{call_hangup, UUID}` last;
 * the switch connects out to a node that is not connected yet; the 5 s pid handshake timeout;
 * a node that cannot be reached; erlang_sendmsg; a gen_server started through proc_lib.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rig } from './helpers.ts';
import { collected, resetCollector, startOutboundRig, uuidOf } from './outbound_helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startOutboundRig('ob', {
    '123456': [['erlang', 'myhandler $ERL']],
    '2000': [['erlang', 'myhandler:launch $ERL']],
    '3000': [['erlang', 'myhandler:! $ERL']],
    '4000': [
      ['erlang', 'slowfac:! $ERL'],
      ['set', 'after_erlang=reached'],
    ],
    '5000': [['erlang', 'myhandler nosuchnode@localhost'], ['set', 'after_erlang=reached'], ['park']],
    '6000': [['erlang_sendmsg', 'collector $ERL hello  world, again'], ['park']],
    '7000': [['erlang', 'ghandler:launch $ERL']],
    '7001': [['erlang', 'shandler:launch $ERL']],
    '8000': [['erlang', 'myhandler'], ['set', 'after_erlang=reached'], ['park']],
  });
}, 30_000);
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);
const hangupOf = (text: string, uuid: string) => text.includes(`{call_hangup,`) && text.includes(uuid);

/** The collector's terms for `uuid` as [tag, event name?] pairs, in order. */
async function trace(uuid: string): Promise<string> {
  return sh(
    `[case M of {call, _, _} -> call; {call_event, _, _, N} -> N; {call_hangup, _, U} -> {hangup, U}; {get_pid, _, _} -> get_pid; {launch, _} -> launch end || M <- Msgs(whereis(collector)), element(1, M) =/= other, lists:member("${uuid}", tuple_to_list(M)) orelse element(1, M) =:= get_pid orelse element(1, M) =:= launch]`,
  );
}

describe('the erlang application, registered name (the seed example)', () => {
  it('connects out; {call, _} first; the handler answers through sendmsg; call_event in order; call_hangup last', async () => {
    expect(await sh('nodes(hidden)')).toBe('[]');
    // loopback: the B leg runs the dialplan; originate returns once the erl handler has answered it
    expect(await rig.fs.sw.originate('loopback/123456 &park()')).toMatch(/^\+OK /);
    expect(await sh('nodes(hidden)')).toBe(`[${rig.fsName}]`);
    const text = await collected(rig, (t) => t.includes('"CHANNEL_ANSWER"'));
    const uuid = /\{call,<[\d.]+>,"([0-9a-f-]{36})"\}/.exec(text)?.[1] as string;
    expect(uuid).toBeDefined();
    expect(rig.fs.sw.core.sessions.has(uuid)).toBe(true);
    expect(await rig.fs.sw.api('erlang sessions t_ob@localhost')).toMatch(new RegExp(`^Outbound session for ${uuid} in state CS_\\w+\n$`));
    expect(
      await sh(`{foo, FS} ! {sendmsg, "${uuid}", [{"call-command", "hangup"}, {"hangup-cause", "16"}]}, receive R -> R after 2000 -> timeout end`),
    ).toBe('ok');
    await collected(rig, (t) => hangupOf(t, uuid));
    const order = await trace(uuid);
    // the call first, the handler's answer, the park, the hangup last, no CHANNEL_DESTROY
    expect(order.startsWith('[call,')).toBe(true);
    expect(order.endsWith(`{hangup,"${uuid}"}]`)).toBe(true);
    for (const name of ['CHANNEL_PARK', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE']) expect(order).toContain(`"${name}"`);
    expect(order).not.toContain('"CHANNEL_DESTROY"');
    expect(order.indexOf('"CHANNEL_ANSWER"')).toBeLessThan(order.indexOf('"CHANNEL_HANGUP"'));
    expect(await rig.fs.sw.api('erlang sessions t_ob@localhost')).toBe('No active sessions for t_ob@localhost\n');
    expect(await rig.fs.sw.api('erlang listeners')).toMatch(/^Listener to t_ob@localhost with outbound sessions: 0 /);
  }, 20_000);
});

/** Originate a null call routed to `exten`; the call's uuid. */
const call = async (exten: string) => uuidOf(await rig.fs.sw.originate(`null/1 ${exten}`));
const kill = (uuid: string) => rig.fs.sw.api(`uuid_kill ${uuid}`);

describe('the erlang application, module:function and module:! (the seed example)', () => {
  it('module:function: rex evaluates myhandler:launch(Ref); the pid it returns gets {call, _}, then call_hangup', async () => {
    await resetCollector(rig);
    const uuid = await call('2000');
    const text = await collected(rig, (t) => t.includes('{call,'));
    const launched = /\{launch,(<[\d.]+>)\}/.exec(text)?.[1];
    expect(launched).toBeDefined();
    expect(text).toContain(`{call,${launched},"${uuid}"}`);
    await kill(uuid);
    expect(await collected(rig, (t) => hangupOf(t, uuid))).toContain(`{call_hangup,${launched},"${uuid}"}`);
  }, 20_000);

  it('module:!: the factory gets {get_pid, UUID, Ref, FsPid}; the pid it answers with gets {call, _}', async () => {
    await resetCollector(rig);
    const uuid = await call('3000');
    // the park's call_event follows {call, _}: wait for both, not just the first
    const text = await collected(rig, (t) => t.includes('{call,') && t.includes(`"${uuid}","CHANNEL_PARK"}`));
    const spawned = new RegExp(`\\{get_pid,"${uuid}",(<[\\d.]+>)\\}`).exec(text)?.[1];
    expect(spawned).toBeDefined();
    expect(text).toContain(`{call,${spawned},"${uuid}"}`);
    expect(text).toContain(`{call_event,${spawned},"${uuid}","CHANNEL_PARK"}`);
    await kill(uuid);
    expect(await collected(rig, (t) => hangupOf(t, uuid))).toContain(`{call_hangup,${spawned},"${uuid}"}`);
  }, 20_000);

  it('no pid within 5 s: the call is hung up DESTINATION_OUT_OF_ORDER; a late {Ref, Pid} gets {error, notfound}', async () => {
    await resetCollector(rig);
    // slowfac answers get_pid after 5.5 s and reports what the switch says to that
    await sh(
      `register(slowfac, spawn(fun() -> receive {get_pid, _, Ref_s, Fs_s} -> spawn(fun() -> timer:sleep(5500), Fs_s ! {Ref_s, self()}, receive R_s -> collector ! {late, R_s} after 2000 -> collector ! {late, none} end end) end end)), ok`,
    );
    const hangups = rig.fs.sw.events.subscribe({ name: 'test', types: ['CHANNEL_HANGUP_COMPLETE'], capacity: 100 });
    const started = Date.now();
    const uuid = await call('4000');
    const text = await collected(rig, (t) => t.includes('{late,'), 10_000);
    expect(text).toContain('{late,{error,notfound}}');
    const mine = hangups.take().filter((e) => e.getHeader('Unique-ID') === uuid);
    hangups.unsubscribe();
    expect(mine.map((e) => e.getHeader('Hangup-Cause'))).toEqual(['DESTINATION_OUT_OF_ORDER']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
    expect(await rig.fs.sw.api(`uuid_exists ${uuid}`)).toBe('false');
    expect(text).not.toContain('{call,');
  }, 20_000);

  it('the wait for the pid holds neither originate nor the channel: +OK at once, uuid_getvar answers during it, then the pid gets {call, _}', async () => {
    await resetCollector(rig);
    // holdfac answers get_pid after 1.5 s with a pid that reports its {call, _} and stays (its exit would end the call)
    await sh(
      `register(holdfac, spawn(fun() -> receive {get_pid, _, Ref_w, Fs_w} -> timer:sleep(1500), P_w = spawn(fun() -> receive {call, {event, [U_w | _]}} -> collector ! {call, self(), U_w}, receive stop -> ok end end end), Fs_w ! {Ref_w, P_w} end end)), ok`,
    );
    const originated = await sh(
      `T_w = erlang:monotonic_time(millisecond), {foo, FS} ! {api, originate, "null/1 '&erlang(holdfac:! t_ob@localhost)'"}, receive {ok, R_w} -> {R_w, erlang:monotonic_time(millisecond) - T_w} after 8000 -> timeout end`,
    );
    const [, uuid, ms] = /^\{"\+OK ([0-9a-f-]{36})\\n",(\d+)\}$/.exec(originated) ?? [];
    expect(uuid, originated).toBeDefined();
    expect(Number(ms)).toBeLessThan(1000);
    const getvar = await sh(
      `T_v = erlang:monotonic_time(millisecond), {foo, FS} ! {api, uuid_getvar, "${uuid} direction"}, receive {ok, R_v} -> {R_v, erlang:monotonic_time(millisecond) - T_v} after 8000 -> timeout end`,
    );
    expect(getvar).toMatch(/^\{"outbound",\d+\}$/);
    expect(Number(/,(\d+)\}$/.exec(getvar)?.[1])).toBeLessThan(1000);
    // still waiting: the factory has not answered yet
    expect(await sh('Msgs(whereis(collector))')).not.toContain('{call,');
    expect(await collected(rig, (t) => t.includes('{call,'))).toMatch(new RegExp(`\\{call,<[\\d.]+>,"${uuid}"\\}`));
    expect(await rig.fs.sw.api(`uuid_exists ${uuid}`)).toBe('true');
    await kill(uuid);
  }, 20_000);
});

describe('the erlang application, failures and erlang_sendmsg', () => {
  it('a node that cannot be reached: the application returns at once (bounded), the dialplan goes on', async () => {
    const lines: string[] = [];
    const sub = rig.fs.sw.core.logger.subscribe(3, (r) => lines.push(`${r.levelName} [${r.userData}] ${r.text}`));
    const started = Date.now();
    const uuid = await call('5000');
    for (let i = 0; i < 100 && (await rig.fs.sw.api(`uuid_getvar ${uuid} after_erlang`)) !== 'reached'; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await rig.fs.sw.api(`uuid_getvar ${uuid} after_erlang`)).toBe('reached');
    expect(Date.now() - started).toBeLessThan(5000);
    sub.unsubscribe();
    // new_outbound_listener_locked's line, not the channel's
    expect(lines).toContain('ERR [] Error connecting to node nosuchnode@localhost!');
    expect(await rig.fs.sw.api('erlang sessions nosuchnode@localhost')).toBe('Could not find a listener for nosuchnode@localhost\n');
    await kill(uuid);
  });

  it('one field only: parse error, the dialplan goes on', async () => {
    const uuid = await call('8000');
    for (let i = 0; i < 40 && (await rig.fs.sw.api(`uuid_getvar ${uuid} after_erlang`)) !== 'reached'; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(await rig.fs.sw.api(`uuid_getvar ${uuid} after_erlang`)).toBe('reached');
    await kill(uuid);
  });

  it('erlang_sendmsg: {freeswitch_sendmsg, Message} to {Name, Node}, the message the rest of the line', async () => {
    await resetCollector(rig);
    const uuid = await call('6000');
    expect(await collected(rig, (t) => t.includes('freeswitch_sendmsg'))).toBe('[{freeswitch_sendmsg,"hello  world, again"}]');
    await kill(uuid);
  });
});

describe('a gen_server started through proc_lib as the handler', () => {
  it('ghandler:launch returns gen_server:start’s pid; it gets {call, _} in handle_info, then call_hangup', async () => {
    await resetCollector(rig);
    const uuid = await call('7000');
    const text = await collected(rig, (t) => t.includes('gs_call,'));
    expect(text).toMatch(new RegExp(`\\{gs_call,<[\\d.]+>,"${uuid}",\\s*\\{ghandler,init,`));
    await kill(uuid);
    expect(await collected(rig, (t) => t.includes('gs_call_hangup'))).toContain(`"${uuid}"}`);
  }, 20_000);
});

describe('a gen_statem started through proc_lib as the handler', () => {
  it('shandler:launch returns gen_statem:start’s pid; {call, _} moves it to in_call, call_event there, then call_hangup', async () => {
    await resetCollector(rig);
    const uuid = await call('7001');
    const text = await collected(rig, (t) => t.includes('sm_call,'));
    expect(text).toMatch(new RegExp(`\\{sm_call,<[\\d.]+>,"${uuid}",\\s*\\{shandler,init,`));
    await kill(uuid);
    const done = await collected(rig, (t) => t.includes('sm_call_hangup'));
    expect(done).toContain(`{sm_call_hangup,"${uuid}",in_call}`);
    expect(done).toContain(`{sm_call_event,"${uuid}","CHANNEL_HANGUP"}`);
  }, 20_000);
});
