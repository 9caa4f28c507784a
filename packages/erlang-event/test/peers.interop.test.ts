/**
 * State is per peer node (spec §0.1); outbound connections make listeners too (§3.5, for the
 * outbound half: `listenerFor`, `sendAsFs`); `erlang listeners` lists the newest first.
 */
import { atom } from '@beamline/etf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErlNode, startErl } from '../../../tools/erl/node.ts';
import { COOKIE, ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
let second: ErlNode;
beforeAll(async () => {
  rig = await startRig('peers');
  second = await startErl({ name: 't2_peers@localhost', cookie: COOKIE, epmdPort: rig.epmdPort });
  await rig.shell(ERL_DEFS);
  await second.eval(`FS = '${rig.fsName}'`);
  await second.eval(ERL_DEFS);
});
afterAll(async () => {
  await second?.stop().catch(() => {});
  await rig?.stop();
});

describe('two peer nodes', () => {
  it('each node has its own listener state; the newest is listed first', async () => {
    expect(await rig.shell(`Pp = Coll(), Do(Pp, register_event_handler), Do(Pp, {event, 'TRAP'})`)).toBe('ok');
    expect(await second.eval(`Qq = Coll(), Do(Qq, register_event_handler), Do(Qq, {event, 'HEARTBEAT'})`)).toBe('ok');
    // noevents on the second node leaves the first node's handler alone
    expect(await second.eval(`{x, FS} ! noevents, receive N -> N after 1000 -> timeout end`)).toBe('ok');
    await rig.shell(`Do(Pp, {sendevent, 'TRAP', []}), Do(Pp, {sendevent, 'HEARTBEAT', []}), timer:sleep(150)`);
    expect(await rig.shell('Names(Pp)')).toBe('["TRAP"]');
    expect(await second.eval('Names(Qq)')).toBe('[]');
    const lines = (await rig.fs.sw.api('erlang listeners')).split('\n').filter((l) => l !== '');
    expect(lines.map((l) => /^Listener to (\S+) /.exec(l)?.[1])).toEqual(['t2_peers@localhost', rig.erl.name]);
  });

  it("a peer's exit(FsPid, kill) is the exit of its sender only: FsPid lives, the other peer's handler keeps its link and events (O29)", async () => {
    const fsPid = rig.fs.module.fsPid;
    const sub = `{event, 'CUSTOM', 'o29::a'}`;
    expect(await rig.shell(`Pk = Coll(), Do(Pk, register_event_handler), Do(Pk, ${sub})`)).toBe('ok');
    expect(await second.eval(`Qk = Coll(), Do(Qk, register_event_handler), Do(Qk, ${sub})`)).toBe('ok');
    // the second node's handler itself sends the kill (mod_erlang_event: ERL_EXIT2 → handle_exit(sender))
    const killed = `Me = self(), Qk ! {do, fun() -> {foo, FS} ! getpid, receive {ok, F} -> exit(F, kill), Me ! killed end end}, receive killed -> ok after 3000 -> timeout end`;
    expect(await second.eval(killed)).toBe('ok');
    // a command after it on the same connection: its reply comes once the exit was taken
    expect(await second.eval(`{x, FS} ! {api, echo, "after"}, receive Ra -> Ra after 2000 -> timeout end`)).toBe('{ok,"after"}');
    expect(rig.fs.runtime.isAlive(fsPid)).toBe(true);
    expect(rig.fs.module.fsPid).toBe(fsPid);
    rig.fs.sw.core.bus.fire(rig.fs.sw.core.bus.create('CUSTOM', 'o29::a'));
    expect(await rig.shell('{is_process_alive(Pk), length(WaitEv(Pk, 1))}')).toBe('{true,1}');
    // the killer lives (nothing killed it) but was let go as an event handler
    expect(await second.eval('timer:sleep(200), {is_process_alive(Qk), Evs(Qk)}')).toBe('{true,[]}');
  });

  it('listenerFor connects out to a node not connected yet; sendAsFs reaches {Name, Node}', async () => {
    const third = await startErl({ name: 't3_peers@localhost', cookie: COOKIE, epmdPort: rig.epmdPort });
    try {
      await third.eval(`register(inbox3, self())`);
      const l = await rig.fs.module.listenerFor('t3_peers@localhost', 3000);
      expect(l?.peer).toBe('t3_peers@localhost');
      l?.send(atom('inbox3'), [104, 105]);
      expect(await third.eval('receive M -> M after 2000 -> timeout end')).toBe('"hi"');
      // a term with no Erlang form is logged and dropped; FsPid lives on
      const fsPid = rig.fs.module.fsPid;
      rig.fs.module.sendAsFs(['inbox3', 't3_peers@localhost'], (() => 1) as never);
      await rig.fs.runtime.settle();
      expect(rig.fs.runtime.isAlive(fsPid)).toBe(true);
      expect(rig.fs.module.fsPid).toBe(fsPid);
      expect(await rig.fs.module.listenerFor('nobody@localhost', 500)).toBeUndefined();
    } finally {
      await third.stop();
    }
  });

  it('a node that goes while its listener runs a command: what it had queued is dropped, not run for a node that is gone; the command it was running runs to its end (an originate hangs its leg up)', async () => {
    const gone = await startErl({ name: 't4_peers@localhost', cookie: COOKIE, epmdPort: rig.epmdPort });
    await gone.eval(`FS = '${rig.fsName}'`);
    // the bind waits behind the msleep; the node is killed before the msleep ends
    await gone.eval(`{x, FS} ! {api, msleep, "800"}, {x, FS} ! {bind, directory}, {x, FS} ! register_event_handler, ok`);
    await new Promise((r) => setTimeout(r, 200));
    await gone.kill();
    await new Promise((r) => setTimeout(r, 1200));
    expect(rig.fs.module.bindings().filter((b) => b.node === 't4_peers@localhost')).toEqual([]);
    expect(rig.fs.module.listeners().map((l) => l.peer)).not.toContain('t4_peers@localhost');
    const started = Date.now();
    await rig.fs.sw.conf.locate('directory', 'domain', 'name', 'example.com');
    expect(Date.now() - started).toBeLessThan(1000);

    // the command running when its node goes runs to its end, as on FreeSWITCH's listener thread:
    // an originate still rings out its timeout and hangs its leg up (killed, it left the leg for good)
    const stuck = await startErl({ name: 't5_peers@localhost', cookie: COOKIE, epmdPort: rig.epmdPort });
    const before = await rig.fs.sw.api('show channels count');
    await stuck.eval(
      `FS = '${rig.fsName}', {x, FS} ! {api, originate, "{originate_timeout=2,null_enable_auto_answer=false}null/t5 &park()"}, timer:sleep(300)`,
    );
    expect(rig.fs.module.listeners().map((l) => l.peer)).toContain('t5_peers@localhost');
    expect(await rig.fs.sw.api('show channels count')).not.toBe(before);
    await stuck.kill();
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.fs.module.listeners().map((l) => l.peer)).not.toContain('t5_peers@localhost');
    await new Promise((r) => setTimeout(r, 2500));
    expect(await rig.fs.sw.api('show channels count')).toBe(before);
    // the node that stayed is served as before
    expect(await rig.shell(`{x, FS} ! {api, echo, "still"}, receive Rs -> Rs after 1000 -> timeout end`)).toBe('{ok,"still"}');
  });
});
