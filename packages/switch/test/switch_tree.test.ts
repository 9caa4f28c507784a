import { type SupervisionNode, kill, pidEquals, supervisionTree } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { describe, expect, it } from 'vitest';
import { setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

function children(rt: Parameters<typeof supervisionTree>[0], top: Pid): SupervisionNode[] {
  const [root] = supervisionTree(rt, top);
  return root?.children ?? [];
}

function pidOf(nodes: SupervisionNode[], id: string): Pid {
  const pid = nodes.find((n) => n.id === id)?.pid;
  if (pid === undefined || pid === 'restarting') throw new Error(`${id} not running`);
  return pid;
}

describe('the switch supervision tree', () => {
  it('the scheduler, the media clock and the reaper are workers of `switch` before `channels`; stop ends every one of them', async () => {
    const { sw, rt, settle } = await setup();
    expect(await sw.originate('null/1 &park()')).toMatch(UUID);
    await settle();
    const nodes = children(rt, sw.supervisor);
    expect(nodes.map((n) => `${n.id} ${n.type}`)).toEqual([
      'scheduler worker',
      'media_clock worker',
      'reaper worker',
      'local_streams supervisor',
      'conferences supervisor',
      'channels supervisor',
    ]);
    const scheduler = pidOf(nodes, 'scheduler');
    const mediaClock = pidOf(nodes, 'media_clock');
    const reaper = pidOf(nodes, 'reaper');
    const channelSup = pidOf(nodes, 'channels');
    const channel = nodes.find((n) => n.id === 'channels')?.children?.[0]?.pid as Pid;
    expect(channel).toBeDefined();
    for (const p of [scheduler, mediaClock, reaper, channelSup, channel, sw.supervisor]) expect(rt.isAlive(p)).toBe(true);
    await sw.stop();
    await settle();
    for (const p of [scheduler, mediaClock, reaper, channelSup, channel, sw.supervisor]) expect(rt.isAlive(p)).toBe(false);
    await rt.stop();
  });

  it('stopping the top supervisor from outside (as switchd restarting its child) stops the scheduler too: no HEARTBEAT after', async () => {
    const { sw, rt, clock, sub, settle } = await setup({ heartbeatIntervalSec: 1 });
    const scheduler = pidOf(children(rt, sw.supervisor), 'scheduler');
    await clock.advance(1000);
    await settle();
    expect(sub.take().filter((e) => e.type === 'HEARTBEAT').length).toBe(1);
    rt.exit(sw.supervisor, kill);
    await settle();
    expect(rt.isAlive(scheduler)).toBe(false);
    await clock.advance(5000);
    await settle();
    expect(sub.take().filter((e) => e.type === 'HEARTBEAT')).toEqual([]);
    await rt.stop();
  });

  it('a conference is a temporary child of `conferences` while it lasts', async () => {
    const { sw, rt, settle, clock } = await setup();
    const u = UUID.exec(await sw.originate('null/1 &conference(room)'))?.[1] as string;
    await settle();
    const conferences = () => children(rt, sw.supervisor).find((n) => n.id === 'conferences')?.children ?? [];
    expect(conferences()).toHaveLength(1);
    const conf = conferences()[0]?.pid as Pid;
    expect(rt.isAlive(conf)).toBe(true);
    await sw.api(`uuid_kill ${u}`);
    for (let i = 0; i < 3; i++) {
      await clock.advance(20);
      await settle();
    }
    expect(conferences()).toHaveLength(0);
    expect(rt.isAlive(conf)).toBe(false);
    await sw.stop();
    await rt.stop();
  });

  it('timers: false has no scheduler', async () => {
    const { sw, rt } = await setup({ timers: false });
    expect(
      children(rt, sw.supervisor)
        .map((n) => n.id)
        .sort(),
    ).toEqual(['channels', 'conferences', 'local_streams', 'media_clock', 'reaper']);
    await sw.stop();
    await rt.stop();
  });

  it('a killed media clock is restarted and the players go on: a playback still ends on time', async () => {
    const { sw, rt, clock, sub, settle } = await setup({ timers: false });
    const uuid = UUID.exec(await sw.originate('loopback/1000 &playback(silence_stream://1000)'))?.[1] as string;
    await settle();
    const playback = () => sub.take().filter((e) => e.getHeader('Unique-ID') === uuid && e.type.startsWith('PLAYBACK_'));
    expect(playback().map((e) => e.type)).toEqual(['PLAYBACK_START']);
    expect(sw.core.mediaClock.pending).toBeGreaterThan(0);
    await clock.advance(400);
    const worker = pidOf(children(rt, sw.supervisor), 'media_clock');
    rt.exit(worker, kill);
    await settle();
    const nodes = children(rt, sw.supervisor);
    expect(pidEquals(pidOf(nodes, 'media_clock'), worker)).toBe(false);
    expect(nodes.find((n) => n.id === 'media_clock')?.restarts).toBe(1);
    await clock.advance(580);
    await settle();
    expect(playback()).toEqual([]);
    await clock.advance(40);
    await settle();
    expect(playback().map((e) => e.type)).toEqual(['PLAYBACK_STOP']);
    expect(sw.core.mediaClock.pending).toBe(0);
    await sw.stop();
    await rt.stop();
  });

  it('a killed reaper is restarted; it still removes channels started before and after it died', async () => {
    const { sw, rt, settle, logs } = await setup({ timers: false });
    const before = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    const reaper = pidOf(children(rt, sw.supervisor), 'reaper');
    rt.exit(reaper, kill);
    await settle();
    const nodes = children(rt, sw.supervisor);
    const again = pidOf(nodes, 'reaper');
    expect(pidEquals(again, reaper)).toBe(false);
    expect(nodes.find((n) => n.id === 'reaper')?.restarts).toBe(1);
    const after = UUID.exec(await sw.originate('null/2 &park()'))?.[1] as string;
    await settle();
    for (const uuid of [before, after]) {
      const pid = sw.core.sessions.get(uuid);
      expect(pid).toBeDefined();
      if (pid) rt.exit(pid, kill);
    }
    await settle();
    for (const uuid of [before, after]) {
      expect(await sw.api(`uuid_exists ${uuid}`)).toBe('false');
      expect(logs.some((l) => l.startsWith(`CRIT channel ${uuid} died without hangup`))).toBe(true);
    }
    await sw.stop();
    await rt.stop();
  });
});
