/**
 * An outbound handler is told when its call ends, whichever way it ends (O1's promise):
 * - the call's channel process is killed: the switch fires its end for it (CHANNEL_HANGUP with
 *   cause CRASH, CHANNEL_HANGUP_COMPLETE, CHANNEL_DESTROY; switch DECISIONS #347);
 * - a handler given by registered name dies: the session's monitor of `{Name, Node}` applies the
 *   exit policy (hangup), as a linked pid's exit does;
 * - the module stops under the call, or the switch does: the handler gets `{call_hangup, UUID}`.
 */
import { kill } from '@beamline/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Rig } from './helpers.ts';
import { collected, resetCollector, startOutboundRig, uuidOf } from './outbound_helpers.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const until = async (f: () => boolean | Promise<boolean>, ms = 4000) => {
  for (const end = Date.now() + ms; !(await f()) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 30));
};

/** A rig whose 3000 parks calls with the seed's `myhandler:!`, 4000 with the registered name `rh` (a collecting process). */
async function setup(tag: string): Promise<Rig> {
  const r = await startOutboundRig(tag, { '3000': [['erlang', 'myhandler:! $ERL']], '4000': [['erlang', 'rh $ERL']] });
  rig = r;
  await resetCollector(r);
  await r.shell('register(rh, Coll()), ok');
  return r;
}

/** A call to 4000, once `rh` got its `{call, _}`. */
async function callToRh(r: Rig): Promise<string> {
  const uuid = uuidOf(await r.fs.sw.originate('null/1 4000'));
  await until(async () => (await r.shell('length([x || {call, _} <- Msgs(whereis(rh))])')) === '1');
  return uuid;
}

/** A call to 3000, once myhandler's spawned handler got its `{call, _}`. */
async function callToMyhandler(r: Rig): Promise<string> {
  const uuid = uuidOf(await r.fs.sw.originate('null/1 3000'));
  await collected(r, (t) => t.includes(`{call,`) && t.includes(uuid));
  return uuid;
}

const sessions = (r: Rig) => r.fs.sw.api(`erlang sessions ${r.erl.name}`);
const noSessions = (r: Rig) => `No active sessions for ${r.erl.name}\n`;

describe('an outbound handler learns that its call ended', () => {
  it('the channel process is killed: call_event CHANNEL_HANGUP / _COMPLETE with cause CRASH, then {call_hangup, UUID}; no longer listed', async () => {
    const r = await setup('ck');
    const uuid = await callToRh(r);
    expect(await sessions(r)).toMatch(new RegExp(`^Outbound session for ${uuid} in state CS_\\w+\n$`));
    const pid = r.fs.sw.core.sessions.get(uuid);
    expect(pid).toBeDefined();
    if (pid) r.fs.runtime.exit(pid, kill);
    const hungUp = `length([x || {call_hangup, "${uuid}"} <- Msgs(whereis(rh))])`;
    await until(async () => (await r.shell(hungUp)) === '1');
    expect(await r.shell(hungUp)).toBe('1');
    const ends = await r.shell(
      `[{proplists:get_value("Event-Name", H), proplists:get_value("Hangup-Cause", H)} || {call_event, {event, [_ | H]}} <- Msgs(whereis(rh)), lists:member(proplists:get_value("Event-Name", H), ["CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE"])]`,
    );
    expect(ends.replace(/\s+/g, '')).toBe('[{"CHANNEL_HANGUP","CRASH"},{"CHANNEL_HANGUP_COMPLETE","CRASH"}]');
    // call_hangup is the last thing the handler hears of the call
    expect(await r.shell('element(1, lists:last(Msgs(whereis(rh))))')).toBe('call_hangup');
    expect(await sessions(r)).toBe(noSessions(r));
    expect(await r.fs.sw.api(`uuid_exists ${uuid}`)).toBe('false');
  }, 20_000);

  it('a handler given by registered name is killed: the call is hung up (policy hangup); the name’s next holder gets {call_hangup, UUID}', async () => {
    const r = await setup('rk');
    const hangups = r.fs.sw.events.subscribe({ name: 'test', types: ['CHANNEL_HANGUP_COMPLETE'], capacity: 100 });
    const uuid = await callToRh(r);
    // the old holder is dead before the name is taken again (is_process_alive waits for the kill)
    await r.shell(
      'P0_ = whereis(rh), exit(P0_, kill), (fun Wk_() -> case is_process_alive(P0_) of true -> Wk_(); false -> ok end end)(), register(rh, Coll()), ok',
    );
    const exists = () => r.fs.sw.api(`uuid_exists ${uuid}`);
    await until(async () => (await exists()) === 'false');
    expect(await exists()).toBe('false');
    const causes = hangups
      .take()
      .filter((e) => e.getHeader('Unique-ID') === uuid)
      .map((e) => e.getHeader('Hangup-Cause'));
    expect(causes).toEqual(['DESTINATION_OUT_OF_ORDER']);
    const told = `Msgs(whereis(rh))`;
    await until(async () => (await r.shell(told)).includes('call_hangup'));
    expect(await r.shell(told)).toBe(`[{call_hangup,"${uuid}"}]`);
    expect(await sessions(r)).toBe(noSessions(r));
  }, 20_000);

  it('the node of a handler given by registered name sends exit: the call is hung up (policy hangup), and the switch does not connect to that node again to tell it', async () => {
    const r = await setup('rx');
    const uuid = await callToRh(r);
    expect(await r.shell('{foo, FS} ! exit, receive R_x -> R_x after 2000 -> timeout end')).toBe('ok');
    await until(async () => (await r.fs.sw.api(`uuid_exists ${uuid}`)) === 'false');
    expect(await r.fs.sw.api(`uuid_exists ${uuid}`)).toBe('false');
    await new Promise((res) => setTimeout(res, 300));
    // the original sends nothing once the listener is gone (no call_hangup), so it never reconnects
    expect(await r.shell('{lists:member(FS, nodes(hidden)), [x || {call_hangup, _} <- Msgs(whereis(rh))]}')).toBe('{false,[]}');
  }, 20_000);

  it('the module stops under a live call: the handler gets {call_hangup, UUID}, the call is hung up (policy hangup), no session is left', async () => {
    const r = await setup('mu');
    const hangups = r.fs.sw.events.subscribe({ name: 'test', types: ['CHANNEL_HANGUP_COMPLETE'], capacity: 100 });
    const uuid = await callToMyhandler(r);
    await r.fs.module.stop();
    const text = await collected(r, (t) => t.includes(`{call_hangup,`));
    expect(text).toMatch(new RegExp(`\\{call_hangup,<[\\d.]+>,"${uuid}"\\}`));
    await until(async () => (await r.fs.sw.api(`uuid_exists ${uuid}`)) === 'false');
    expect(
      hangups
        .take()
        .filter((e) => e.getHeader('Unique-ID') === uuid)
        .map((e) => e.getHeader('Hangup-Cause')),
    ).toEqual(['DESTINATION_OUT_OF_ORDER']);
    expect(r.fs.module.calls.sessions(r.erl.name)).toEqual([]);
  }, 20_000);

  it('the switch stops under the module: the handler gets {call_hangup, UUID} for its call (SYSTEM_SHUTDOWN)', async () => {
    const r = await setup('su');
    const uuid = await callToRh(r);
    await r.fs.sw.stop();
    const msgs = `Msgs(whereis(rh))`;
    await until(async () => (await r.shell(msgs)).includes('call_hangup'));
    const text = (await r.shell(msgs)).replace(/\s+/g, '');
    expect(text).toContain('"SYSTEM_SHUTDOWN"');
    expect(text.endsWith(`{call_hangup,"${uuid}"}]`)).toBe(true);
    expect(r.fs.module.calls.sessions(r.erl.name)).toEqual([]);
  }, 20_000);
});
