/**
 * handlecall and the per-call subscriptions from a real erl (spec §1.16–§1.20, §9 items 15–16,
 * 23): both argument orders, `{call, _}` / `{call_event, _}` / `{call_hangup, _}`, session_event /
 * nixevent / setevent / noevents on the call's own set; a get_pid reply naming a pid on another
 * node (events go to that node).
 */
import { type SupervisionNode, supervisionTree } from '@beamline/core';
import { Pid, atom } from '@beamline/etf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErlNode, startErl } from '../../../tools/erl/node.ts';
import { COOKIE, type Rig } from './helpers.ts';
import { collected, resetCollector, startOutboundRig, uuidOf } from './outbound_helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startOutboundRig('oa', { '3000': [['erlang', 'farfac:! $ERL']] });
  // H: keeps every message; `{cmd, T, From}` sends T to {foo, FS} and hands the reply (ok | {error, _}) to From
  await rig.shell(`
H_loop = fun Lp_(Acc_) -> receive {cmd, T_, F_} -> {foo, FS} ! T_, Rp_ = receive ok -> ok; {error, _} = E_ -> E_ after 2000 -> timeout end, F_ ! {reply, Rp_}, Lp_(Acc_); {get, F_} -> F_ ! {msgs, lists:reverse(Acc_)}, Lp_(Acc_); M_ -> Lp_([M_ | Acc_]) end end,
NewH = fun() -> spawn(fun() -> H_loop([]) end) end,
Cmd = fun(Hc_, Tc_) -> Hc_ ! {cmd, Tc_, self()}, receive {reply, Xc_} -> Xc_ after 3000 -> timeout end end,
CallNames = fun(Hn_) -> [case M of {call, _} -> call; {call_event, {event, [_ | Hs]}} -> proplists:get_value("Event-Name", Hs); {call_hangup, _} -> call_hangup end || M <- Msgs(Hn_), is_tuple(M), lists:member(element(1, M), [call, call_event, call_hangup])] end,
ok`);
}, 30_000);
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);
const parked = async () => uuidOf(await rig.fs.sw.originate('null/1 &park()'));
const waitFor = async (expr: string, done: (t: string) => boolean, ms = 5000) => {
  const until = Date.now() + ms;
  for (;;) {
    const text = await sh(expr);
    if (done(text) || Date.now() > until) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('handlecall', () => {
  it('{handlecall, UUID}: the sender gets {call, _}, then its events, then call_hangup; the call keeps running', async () => {
    const uuid = await parked();
    expect(await sh(`H1 = NewH(), Cmd(H1, {handlecall, "${uuid}"})`)).toBe('ok');
    expect(await waitFor('CallNames(H1)', (t) => t.startsWith('[call'))).toBe('[call]');
    expect(await sh(`[{call, {event, [U1 | _]}} | _] = Msgs(H1), U1`)).toBe(`"${uuid}"`);
    expect(await sh(`proplists:get_value("Reply-Text", element(2, element(2, hd(Msgs(H1)))))`)).toBe('"+OK\\n"');
    // notify_new_session's event: made there, the caller profile as Channel-* before the channel data
    expect(
      (
        await sh(
          `{call, {event, [_ | Hc1]}} = hd(Msgs(H1)), Kc1 = [K || {K, _} <- Hc1], Ix = fun(Ki_) -> length(lists:takewhile(fun(X_) -> X_ =/= Ki_ end, Kc1)) end, {[proplists:get_value(K, Hc1) || K <- ["Event-Calling-File", "Event-Calling-Function", "Channel-Direction", "Channel-Unique-ID", "Channel-Channel-Name"]], Ix("Channel-Direction") < Ix("Channel-State"), Ix("Channel-State") < length(Kc1)}`,
        )
      ).replace(/\n\s*/g, ''),
    ).toBe(`{["mod_erlang_event.c","notify_new_session","outbound","${uuid}","null/1"],true,true}`);
    expect(await rig.fs.sw.api(`uuid_exists ${uuid}`)).toBe('true');
    // the handler sets the call's own subscription: only CHANNEL_HANGUP from now on
    expect(await sh(`Cmd(H1, {session_setevent, 'ALL'})`)).toBe('{error,badarg}');
    expect(await sh(`Cmd(H1, {session_setevent, 'CHANNEL_HANGUP'})`)).toBe('ok');
    await rig.fs.sw.api(`uuid_kill ${uuid}`);
    expect(await waitFor('CallNames(H1)', (t) => t.includes('call_hangup'))).toBe('[call,"CHANNEL_HANGUP",call_hangup]');
    expect(await sh(`lists:last(Msgs(H1))`)).toBe(`{call_hangup,"${uuid}"}`);
  });

  it('session_event / session_nixevent add and remove; session_noevents leaves only call_hangup', async () => {
    const uuid = await parked();
    expect(await sh(`H2 = NewH(), Cmd(H2, session_noevents)`)).toBe('{error,notlistening}');
    expect(await sh(`Cmd(H2, {handlecall, "${uuid}"})`)).toBe('ok');
    expect(await sh(`Cmd(H2, {session_setevent, 'CHANNEL_EXECUTE'})`)).toBe('ok');
    expect(await sh(`Cmd(H2, {session_event, 'CHANNEL_EXECUTE_COMPLETE', 'CUSTOM', 'x::y'})`)).toBe('ok');
    expect(await sh(`Cmd(H2, {session_nixevent, 'CHANNEL_EXECUTE'})`)).toBe('ok');
    expect(await sh(`Cmd(H2, {session_nixevent})`)).toBe('{error,badarg}');
    await rig.fs.sw.sendExecute(uuid, 'set', 'a=1');
    expect(await waitFor('CallNames(H2)', (t) => t.includes('COMPLETE'))).toBe('[call,"CHANNEL_EXECUTE_COMPLETE"]');
    // the state is the last state change seen since the attach (none: the call stayed in CS_EXECUTE), not an event's Channel-State
    expect(await rig.fs.sw.api('erlang sessions t_oa@localhost')).toContain(`Outbound session for ${uuid} in state CS_NEW\n`);
    expect(await sh(`Cmd(H2, session_noevents)`)).toBe('ok');
    await rig.fs.sw.api(`uuid_kill ${uuid}`);
    expect(await waitFor('CallNames(H2)', (t) => t.includes('call_hangup'))).toBe('[call,"CHANNEL_EXECUTE_COMPLETE",call_hangup]');
  });

  it('{handlecall, UUID, Name} (the seed order) and {handlecall, Name, UUID} (the C order): the registered process gets the call', async () => {
    for (const order of ['seed', 'c'] as const) {
      await resetCollector(rig);
      const uuid = await parked();
      const msg = order === 'seed' ? `{handlecall, "${uuid}", myhandler}` : `{handlecall, myhandler, <<"${uuid}">>}`;
      expect(await sh(`Cmd(NewH(), ${msg})`)).toBe('ok');
      expect(await collected(rig, (t) => t.includes('{call,'))).toMatch(new RegExp(`^\\[\\{call,<[\\d.]+>,"${uuid}"\\}`));
      await rig.fs.sw.api(`uuid_kill ${uuid}`);
      // (myhandler's sendmsg answer, `{other, _, ok | {error, nosession}}`, may come before or after it)
      expect(await collected(rig, (t) => t.includes('call_hangup'))).toMatch(new RegExp(`\\{call_hangup,<[\\d.]+>,"${uuid}"\\}`));
    }
  });

  it('a second handlecall for the call on the same listener replaces the first (last wins, the first is dropped silently)', async () => {
    const uuid = await parked();
    expect(await sh(`H4 = NewH(), Cmd(H4, {handlecall, "${uuid}"})`)).toBe('ok');
    await waitFor('CallNames(H4)', (t) => t.startsWith('[call'));
    expect(await sh(`H5 = NewH(), Cmd(H5, {handlecall, "${uuid}"})`)).toBe('ok');
    await waitFor('CallNames(H5)', (t) => t.startsWith('[call'));
    await rig.fs.sw.api(`uuid_kill ${uuid}`);
    expect(await waitFor('CallNames(H5)', (t) => t.includes('call_hangup'))).toMatch(/^\[call,.*"CHANNEL_HANGUP_COMPLETE",call_hangup\]$/s);
    expect(await sh('CallNames(H4)')).toBe('[call]');
    expect(await rig.fs.sw.api('erlang sessions t_oa@localhost')).toBe('No active sessions for t_oa@localhost\n');
  });

  it('errors: badsession, baduuid, two atoms → badarg', async () => {
    expect(await sh(`Cmd(NewH(), {handlecall, "bad"})`)).toBe('{error,badsession}');
    expect(await sh(`Cmd(NewH(), {handlecall, ""})`)).toBe('{error,baduuid}');
    expect(await sh(`Cmd(NewH(), {handlecall, a, b})`)).toBe('{error,badarg}');
  });
});

describe('a crashed session process', () => {
  it('is not restarted (temporary); its call is no longer listed nor attached, the call goes on', async () => {
    const uuid = await parked();
    expect(await sh(`H3 = NewH(), Cmd(H3, {handlecall, "${uuid}"})`)).toBe('ok');
    await waitFor('CallNames(H3)', (t) => t.startsWith('[call'));
    expect(await rig.fs.sw.api('erlang sessions t_oa@localhost')).toContain(uuid);
    const calls = supervisionTree(rig.fs.runtime).flatMap(function walk(n): SupervisionNode[] {
      return n.id === 'calls' ? [n] : (n.children ?? []).flatMap(walk);
    })[0];
    const sessions = (calls?.children ?? []).map((c) => c.pid).filter((p): p is Pid => p instanceof Pid);
    expect(sessions.length).toBe(1);
    rig.fs.runtime.exit(sessions[0] as Pid, atom('kill'));
    await new Promise((r) => setTimeout(r, 50));
    expect(await rig.fs.sw.api('erlang sessions t_oa@localhost')).toBe('No active sessions for t_oa@localhost\n');
    await rig.fs.sw.sendExecute(uuid, 'set', 'b=2');
    expect(await rig.fs.sw.api(`uuid_getvar ${uuid} b`)).toBe('2');
    await rig.fs.sw.api(`uuid_kill ${uuid}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(await sh('CallNames(H3)')).toBe('[call]');
  });
});

describe('a get_pid reply naming a pid on another node', () => {
  let other: ErlNode | undefined;
  afterAll(async () => {
    await other?.stop();
  });

  it('the call’s messages go to that node', async () => {
    other = await startErl({ name: 't2_oa@localhost', cookie: COOKIE, epmdPort: rig.epmdPort });
    await other.eval(
      'Q = fun() -> sink ! {get, self()}, receive {msgs, Ms_} -> [element(1, M_) || M_ <- Ms_] ++ [proplists:get_value("Event-Name", Hs_) || {call_event, {event, [_ | Hs_]}} <- Ms_] end end',
    );
    await other.eval(
      `register(sink, spawn(fun() -> (fun L(A) -> receive {get, F} -> F ! {msgs, lists:reverse(A)}, L(A); M -> L([M | A]) end end)([]) end)), ok`,
    );
    // farfac on t_oa spawns the handler on t2_oa: it forwards what it gets to sink there
    await sh(
      `register(farfac, spawn(fun() -> (fun Lf_() -> receive {get_pid, _, Rf_, Ff_} -> Pf_ = spawn('t2_oa@localhost', fun() -> (fun Fw_() -> receive Mf_ -> sink ! Mf_, Fw_() end end)() end), Ff_ ! {Rf_, Pf_}, Lf_() end end)() end)), ok`,
    );
    const uuid = uuidOf(await rig.fs.sw.originate('null/1 3000'));
    const until = Date.now() + 5000;
    let text = '';
    while (Date.now() < until && !text.includes('CHANNEL_PARK')) {
      text = await other.eval('Q()');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(text.startsWith('[call,')).toBe(true);
    expect(text).toContain('"CHANNEL_PARK"');
    expect(await other.eval(`lists:member('${rig.fsName}', nodes(hidden))`)).toBe('true');
    await rig.fs.sw.api(`uuid_kill ${uuid}`);
  }, 30_000);
});
