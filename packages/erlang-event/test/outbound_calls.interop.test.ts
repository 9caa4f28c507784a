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
      ['erlang', 'nobody:! $ERL'],
      ['set', 'after_erlang=reached'],
    ],
    '5000': [['erlang', 'myhandler nosuchnode@localhost'], ['set', 'after_erlang=reached'], ['park']],
    '6000': [['erlang_sendmsg', 'collector $ERL hello  world, again'], ['park']],
    '7000': [['erlang', 'ghandler:launch $ERL']],
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
