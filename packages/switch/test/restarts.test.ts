/**
 * An operator kills a supervisor under `switch` (exit(Pid, kill), as from erl): the switch keeps
 * working with the restarted one — originate reaches the new `channels`, the local streams go on
 * under the new `local_streams`, the conferences under the new `conferences` — and switch.conf limits that are not numbers keep the defaults.
 */
import { type SupervisionNode, kill, pidEquals, supervisionTree } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { describe, expect, it } from 'vitest';
import { join, lastHeard, tick } from './conference_helpers.ts';
import { advance, autoloadConf, directory, listenOn, musicDir, streamConf } from './local_stream_helpers.ts';
import { type Setup, parkedNull, setup, stopSetup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

function child(t: Setup, id: string): SupervisionNode {
  const node = supervisionTree(t.rt, t.sw.supervisor)[0]?.children?.find((n) => n.id === id);
  if (!node) throw new Error(`no ${id}`);
  return node;
}

function pidOf(node: SupervisionNode): Pid {
  if (node.pid === undefined || node.pid === 'restarting') throw new Error(`${node.id} not running`);
  return node.pid;
}

describe('a killed supervisor under switch', () => {
  it('channels: the calls up end with it (CRASH); after its restart originate starts channels under the new one', async () => {
    const t = await setup({ timers: false });
    const calls = [await parkedNull(t, 1), await parkedNull(t, 2)];
    const before = pidOf(child(t, 'channels'));
    t.sub.take();
    t.rt.exit(before, kill);
    await t.settle();
    const ends = t.sub.take().filter((e) => e.type === 'CHANNEL_HANGUP_COMPLETE');
    expect(ends.map((e) => `${e.getHeader('Unique-ID')} ${e.getHeader('Hangup-Cause')}`).sort()).toEqual(calls.map((u) => `${u} CRASH`).sort());
    const after = child(t, 'channels');
    expect(after.restarts).toBe(1);
    expect(pidEquals(pidOf(after), before)).toBe(false);
    for (const uuid of calls) expect(await t.sw.api(`uuid_exists ${uuid}`)).toBe('false');
    const r = await t.sw.originate('null/3 &park()');
    expect(r).toMatch(UUID);
    await t.settle();
    const uuid = UUID.exec(r)?.[1] as string;
    expect(await t.sw.api(`uuid_exists ${uuid}`)).toBe('true');
    expect(child(t, 'channels').children?.map((c) => c.pid)).toEqual([t.sw.core.sessions.get(uuid)]);
    expect(t.logs.filter((l) => /noproc|Cannot create outgoing channel/.test(l))).toEqual([]);
    await stopSetup(t);
  });

  it('local_streams: every stream goes on under the new one, its listeners hear it on, show lists it, a WARNING says so', async () => {
    const music = musicDir({ '01.wav': 1, '02.wav': 2 });
    const t = await setup({ confDir: streamConf(`${directory('default', music)}\n${directory('moh/8000', music)}`), timers: false });
    const a = await parkedNull(t, 1);
    const heard = listenOn(t, a);
    await t.sw.api(`uuid_broadcast ${a} local_stream://moh aleg`);
    await advance(t, 1100);
    const old = child(t, 'local_streams').children?.map(pidOf) ?? [];
    expect(old).toHaveLength(2);
    t.rt.exit(pidOf(child(t, 'local_streams')), kill);
    await t.settle();
    const sup = child(t, 'local_streams');
    expect(sup.restarts).toBe(1);
    const now = sup.children?.map(pidOf) ?? [];
    expect(now).toHaveLength(2);
    for (const p of old) expect(t.rt.isAlive(p)).toBe(false);
    for (const p of now) expect(t.rt.isAlive(p)).toBe(true);
    expect(await t.sw.api('local_stream show')).toBe(`default,${music}\nmoh/8000,${music}\n`);
    expect(t.logs.filter((l) => l.startsWith('WARNING local_stream://'))).toEqual([
      'WARNING local_stream://default: its process ended; the stream goes on in a new one',
      'WARNING local_stream://moh/8000: its process ended; the stream goes on in a new one',
    ]);
    // the stream's clock went on: the listener hears music, and the stream's process ticks it
    const last = heard.length;
    await advance(t, 400);
    expect(heard.slice(last).filter((h) => h.id !== undefined).length).toBeGreaterThan(10);
    expect((await t.sw.api('local_stream show moh/8000')).split('\n')[8]).toBe('  total:    1');
    await stopSetup(t);
  });

  it('conferences: a running conference goes on under the new one — its members hear each other, it ends when they leave', async () => {
    const t = await setup({ timers: false });
    const [a, b] = [await join(t, 1), await join(t, 2)];
    const old = pidOf(child(t, 'conferences').children?.[0] as SupervisionNode);
    t.rt.exit(pidOf(child(t, 'conferences')), kill);
    await t.settle();
    expect(t.rt.isAlive(old)).toBe(false);
    expect(child(t, 'conferences').children?.map((c) => t.rt.isAlive(pidOf(c)))).toEqual([true]);
    expect(t.logs.filter((l) => l.startsWith('WARNING conference'))).toEqual([
      'WARNING conference room: its process ended with its supervisor; it goes on in a new one',
    ]);
    // μ-law 0xc0 = 1884: B hears A's packet, mixed by the new process
    const before = b.heard.length;
    a.say(0xc0);
    await tick(t);
    expect(b.heard.length).toBeGreaterThan(before);
    expect(lastHeard(b)).toBe(1884);
    for (const l of [a, b]) await t.sw.api(`uuid_kill ${l.uuid}`);
    await tick(t, 3);
    expect(child(t, 'conferences').children).toEqual([]);
    expect(await t.sw.api('conference list')).not.toContain('room');
    await stopSetup(t);
  });

  it('one stream’s process killed: started again (transient); a stopped stream is not', async () => {
    const music = musicDir({ '01.wav': 1 });
    const t = await setup({ confDir: streamConf(directory('moh/8000', music)), timers: false });
    const first = pidOf(child(t, 'local_streams').children?.[0] as SupervisionNode);
    t.rt.exit(first, kill);
    await t.settle();
    const again = child(t, 'local_streams').children ?? [];
    expect(again).toHaveLength(1);
    expect(pidEquals(pidOf(again[0] as SupervisionNode), first)).toBe(false);
    expect(await t.sw.api('local_stream show')).toBe(`moh/8000,${music}\n`);
    expect(await t.sw.api('local_stream stop moh/8000')).toBe('+OK');
    await advance(t, 40);
    expect(child(t, 'local_streams').children).toEqual([]);
    await stopSetup(t);
  });
});

/** A conf dir with only a switch.conf of `params`. */
function switchConf(params: Record<string, string>): string {
  const lines = Object.entries(params).map(([k, v]) => `    <param name="${k}" value="${v}"/>`);
  return autoloadConf('switch.conf.xml', `<configuration name="switch.conf">\n  <settings>\n${lines.join('\n')}\n  </settings>\n</configuration>\n`);
}

describe('switch.conf limits that are not numbers above 0', () => {
  it('max-sessions and sessions-per-second "lots": the defaults (1000, 30) stay, a WARNING names each; calls go through', async () => {
    const t = await setup({ confDir: switchConf({ 'max-sessions': 'lots', 'sessions-per-second': 'lots' }), timers: false });
    expect([t.sw.core.maxSessions, t.sw.core.sessionsPerSecond]).toEqual([1000, 30]);
    expect(t.logs.filter((l) => l.startsWith('WARNING'))).toEqual([
      'WARNING switch.conf: max-sessions "lots" is not a number above 0: ignored',
      'WARNING switch.conf: sessions-per-second "lots" is not a number above 0: ignored',
    ]);
    expect(await t.sw.originate('null/1 &park()')).toMatch(UUID);
    expect(t.logs.filter((l) => l.startsWith('CRIT'))).toEqual([]);
    await stopSetup(t);
  });

  it('0 and negative values are ignored the same way; a leading number is read as atoi reads it', async () => {
    const zero = await setup({ confDir: switchConf({ 'max-sessions': '0', 'sessions-per-second': '-5' }), timers: false });
    expect([zero.sw.core.maxSessions, zero.sw.core.sessionsPerSecond]).toEqual([1000, 30]);
    expect(zero.logs.filter((l) => l.startsWith('WARNING'))).toHaveLength(2);
    await stopSetup(zero);
    const lead = await setup({ confDir: switchConf({ 'max-sessions': '12abc', 'sessions-per-second': ' 7' }), timers: false });
    expect([lead.sw.core.maxSessions, lead.sw.core.sessionsPerSecond]).toEqual([12, 7]);
    expect(lead.logs.filter((l) => l.startsWith('WARNING'))).toEqual([]);
    await stopSetup(lead);
  });
});
