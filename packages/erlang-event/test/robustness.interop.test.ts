/**
 * Bounded queues and bad input (spec §1.4 overflow, §1.23–§1.24, §0.3; DECISIONS.md: replies to
 * pid-addressed commands go to the SEND_SENDER pid), and the `erlang` console command (§5).
 */
import { atom } from '@beamline/etf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('rob', { eventQueueCapacity: 100, logQueueCapacity: 50 });
  await rig.shell(ERL_DEFS);
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string, ms?: number) => rig.shell(e, ms);
const settle = () => sh('timer:sleep(200)');

describe('bounded event queue', () => {
  it('a burst beyond the queue: the overflow is dropped and counted, then CRIT "Lost N events!" and a TRAP event', async () => {
    const crit: string[] = [];
    const off = rig.fs.sw.core.logger.subscribe(2, (r) => crit.push(r.text));
    expect(await sh(`Pq = Coll(), Do(Pq, register_event_handler), Do(Pq, {event, 'TRAP', 'CUSTOM', 'burst::x'})`)).toBe('ok');
    const bus = rig.fs.sw.core.bus;
    for (let i = 0; i < 1000; i++) {
      const e = bus.create('CUSTOM', 'burst::x');
      e.addHeader('N', String(i));
      bus.fire(e);
    }
    await settle();
    expect(await sh('length(Evs(Pq))')).toBe('100');
    // the next event that fits reports the loss
    bus.fire(bus.create('CUSTOM', 'burst::x'));
    await settle();
    expect(crit).toContain('Lost 900 events!');
    expect(await sh(`[proplists:get_value("info", H) || {event, [_ | H]} <- Evs(Pq), proplists:get_value("Event-Name", H) =:= "TRAP"]`)).toBe(
      '["lost 900 events"]',
    );
    expect(await sh(`{x, FS} ! {api, erlang, "listeners"}, receive {ok, Ls} -> Ls after 1000 -> timeout end`)).toMatch(
      new RegExp(`^"Listener to ${rig.erl.name} with outbound sessions: 0 events: 10\\d \\(lost:900\\) logs: 0 \\(lost:0\\) 0/0\\\\n"$`),
    );
    off.unsubscribe();
    expect(await sh('exit(Pq, kill)')).toBe('true');
  });
});

describe('bounded log queue', () => {
  it('a burst of log lines beyond the queue: CRIT "Lost N log lines!" and the count in erlang listeners', async () => {
    expect(await sh('Pl = Coll(), Do(Pl, register_log_handler)')).toBe('ok');
    for (let i = 0; i < 500; i++) rig.fs.sw.core.log('DEBUG', `burst ${i}`);
    await settle();
    rig.fs.sw.core.log('DEBUG', 'after the burst');
    await settle();
    const texts = await sh(`[lists:last(string:tokens(proplists:get_value(data, L), "]")) || {log, L} <- Msgs(Pl)]`);
    expect(texts).toContain('Lost 450 log lines!');
    expect(texts).toContain('after the burst');
    expect(await rig.fs.sw.api('erlang listeners')).toMatch(/ logs: \d+ \(lost:450\) /);
    expect(await sh('Do(Pl, nolog), exit(Pl, kill)')).toBe('true');
  });
});

describe('bad input', () => {
  it('pid-addressed commands: the reply goes to the SEND_SENDER pid', async () => {
    expect(await sh('{x, FS} ! getpid, receive {ok, Fp} -> ok end, Fp ! {api, echo, "p"}, receive Rp -> Rp after 1000 -> timeout end')).toBe(
      '{ok,"p"}',
    );
  });

  it('{Ref, Pid} that nobody waits for: {error, notfound}; {rex, _}: no reply', async () => {
    expect(await sh('Fp ! {make_ref(), self()}, receive Rn -> Rn after 1000 -> timeout end')).toBe('{error,notfound}');
    expect(await sh('Fp ! {rex, {badrpc, x}}, {x, FS} ! {rex, 42}, receive Rr -> Rr after 300 -> none end')).toBe('none');
    // handle_ref_tuple reads a ref and a pid and ignores the rest; rex looks only at its second element
    expect(await sh('Fp ! {make_ref(), self(), x}, receive Rn3 -> Rn3 after 1000 -> timeout end')).toBe('{error,notfound}');
    expect(await sh('Fp ! {rex, a, b}, Fp ! {make_ref()}, Fp ! {rex, {make_ref(), self()}, x}, receive Rr3 -> Rr3 after 1000 -> timeout end')).toBe(
      '{error,notfound}',
    );
    expect(await sh('receive Rr4 -> Rr4 after 300 -> none end')).toBe('none');
  });

  it('random terms of any shape to any name: each gets one reply; the listener and the node keep answering', async () => {
    const gen = `
      Rnd = fun Rn(0) -> rand:uniform(1000);
                Rn(D) -> case rand:uniform(9) of
                  1 -> list_to_atom(lists:sublist("api bgapi event filter sendmsg handlecall exit getpid noevents", rand:uniform(60)));
                  2 -> list_to_tuple([Rn(D - 1) || _ <- lists:seq(1, rand:uniform(4))]);
                  3 -> [Rn(D - 1) || _ <- lists:seq(1, rand:uniform(3))];
                  4 -> crypto:strong_rand_bytes(rand:uniform(20));
                  5 -> {lists:nth(rand:uniform(8), [api, bgapi, event, filter, sendevent, sendmsg, set_log_level, handlecall]), Rn(D - 1), Rn(D - 1)};
                  6 -> make_ref();
                  7 -> #{Rn(D - 1) => Rn(D - 1)};
                  8 -> rand:uniform() * 1.0e10;
                  _ -> "str"
                end end,
      rand:seed(exsss, {1, 2, 3}),
      Terms = [Rnd(3) || _ <- lists:seq(1, 300)],
      Safe = [T || T <- Terms, T =/= exit, not (is_tuple(T) andalso tuple_size(T) > 0 andalso element(1, T) =:= bgapi)],
      Replies = [begin {lists:nth(rand:uniform(3), [foo, bar, baz]), FS} ! T, receive R -> R after 2000 -> {timeout, T} end end || T <- Safe],
      Timeouts = [X || {timeout, X} <- Replies, not (is_tuple(X) andalso tuple_size(X) > 0 andalso is_reference(element(1, X)))],
      {length(Safe) > 200, Timeouts}`;
    const r = await sh(gen, 120_000);
    // every command answered (only `{Ref, _}` spawn replies may go unanswered, by the spec)
    expect(r).toBe('{true,[]}');
    expect(await sh(`{x, FS} ! {api, status, ""}, receive {ok, "UP " ++ _} -> up after 2000 -> timeout end`)).toBe('up');
    expect(rig.fs.module.listener(rig.erl.name)).toBeDefined();
  });
});

describe('supervision', () => {
  it('a killed listener is cleaned up; the next message from that node gets a fresh one', async () => {
    const rt = rig.fs.runtime;
    const old = rig.fs.module.listenerPid(rig.erl.name);
    expect(old).toBeDefined();
    rt.exit(old as never, atom('kill'));
    await rt.settle();
    expect(await sh(`{x, FS} ! {api, echo, "again"}, receive Ra -> Ra after 2000 -> timeout end`)).toBe('{ok,"again"}');
    const fresh = rig.fs.module.listenerPid(rig.erl.name);
    expect(fresh).toBeDefined();
    expect(String(fresh)).not.toBe(String(old));
  });
});

describe('supervision of FsPid', () => {
  it('a killed fs process is restarted: getpid answers the new FsPid, links and listener watching go on', async () => {
    const rt = rig.fs.runtime;
    const old = rig.fs.module.fsPid;
    rt.exit(old, atom('kill'));
    await rt.settle();
    const deadline = Date.now() + 3000;
    while (String(rig.fs.module.fsPid) === String(old) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(String(rig.fs.module.fsPid)).not.toBe(String(old));
    expect(await sh(`{x, FS} ! getpid, receive {ok, Np} -> Np =/= Fp after 1000 -> timeout end`)).toBe('true');
    // the new FsPid still watches the listener: killing it gives a fresh one at the next message
    const l1 = rig.fs.module.listenerPid(rig.erl.name);
    rt.exit(l1 as never, atom('kill'));
    await rt.settle();
    await new Promise((r) => setTimeout(r, 50));
    expect(rig.fs.module.listenerPid(rig.erl.name)).toBeUndefined();
    expect(await sh(`{x, FS} ! {api, echo, "fresh"}, receive Rf -> Rf after 2000 -> timeout end`)).toBe('{ok,"fresh"}');
  });
});

describe('erlang console command', () => {
  it('usage, listeners, sessions, handlers, bindings, debug', async () => {
    const usage = await rig.fs.sw.api('erlang');
    expect(usage).toBe(
      `USAGE:\n${'-'.repeat(80)}\nerlang listeners\nerlang sessions <node_name>\nerlang bindings\nerlang handlers\nerlang debug <on|off>\n${'-'.repeat(80)}\n`,
    );
    expect(await rig.fs.sw.api('erlang sessions')).toBe(usage);
    expect(await rig.fs.sw.api(`erlang sessions ${rig.erl.name.toUpperCase()}`)).toBe(`No active sessions for ${rig.erl.name.toUpperCase()}\n`);
    expect(await rig.fs.sw.api('erlang sessions nobody@nowhere')).toBe('Could not find a listener for nobody@nowhere\n');
    expect(await rig.fs.sw.api('erlang bindings')).toBe('No bindings\n');
    expect(await rig.fs.sw.api('erlang debug on')).toBe('+OK debug on\n');
    expect(await rig.fs.sw.api('erlang DEBUG')).toBe('+OK debug on\n');
    const lines: string[] = [];
    const off = rig.fs.sw.core.logger.subscribe(7, (r) => lines.push(r.text));
    expect(await sh(`{x, FS} ! {api, echo, "dbg"}, receive Rd -> Rd after 1000 -> timeout end`)).toBe('{ok,"dbg"}');
    off.unsubscribe();
    expect(lines).toContain(`erlang_event: from ${rig.erl.name}: {api,echo,"dbg"}`);
    expect(lines).toContain(`erlang_event: to ${rig.erl.name}: {ok,"dbg"}`);
    expect(await rig.fs.sw.api('erlang debug off')).toBe('+OK debug off\n');
    expect(await sh(`Ph = Coll(), Do(Ph, register_event_handler), Do(Ph, {event, 'CHANNEL_CREATE', 'HEARTBEAT', 'CUSTOM', 'a::b'})`)).toBe('ok');
    expect(await rig.fs.sw.api('erlang handlers')).toBe(
      `Listener ${rig.erl.name}:\n${'-'.repeat(32)}\nCHANNEL_CREATE\nHEARTBEAT\nCUSTOM:\n\ta::b\n\n`,
    );
    expect(await sh('exit(Ph, kill), timer:sleep(100)')).toBe('ok');
    // the listener stays, its list cleared (the C's EXIT handling): its section is empty
    expect(await rig.fs.sw.api('erlang handlers')).toBe(`Listener ${rig.erl.name}:\n${'-'.repeat(32)}\nCUSTOM:\n\n`);
    // `event` with no handler registered: the listener's own list, shown as the C shows it
    expect(await sh(`{x, FS} ! {event, 'HEARTBEAT'}, receive Re2 -> Re2 after 1000 -> timeout end`)).toBe('ok');
    expect(await rig.fs.sw.api('erlang handlers')).toBe(`Listener ${rig.erl.name}:\n${'-'.repeat(32)}\nHEARTBEAT\nCUSTOM:\n\n`);
  });
});
