import { describe, expect, it } from 'vitest';
import { row, setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

describe('queued applications (sendmsg execute, spec §2.5 c)', () => {
  it('run nested inside park: no CHANNEL_UNPARK, still parked; on hangup the inner app ends first', async () => {
    const { sw, sub, settle, rt, clock } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    sub.take();
    expect(await sw.sendExecute(uuid, 'set', 'foo=bar', 'my-app-uuid')).toBe(true);
    await settle();
    let leg = sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
    expect(leg.map((e) => `${e.type} ${e.getHeader('Application')}`)).toEqual(['CHANNEL_EXECUTE set', 'CHANNEL_EXECUTE_COMPLETE set']);
    expect(leg[0]?.getHeader('Application-UUID')).toBe('my-app-uuid');
    expect(await sw.api(`uuid_getvar ${uuid} foo`)).toBe('bar');

    expect(await sw.sendExecute(uuid, 'sleep', '1000')).toBe(true);
    await settle();
    await clock.advance(400);
    expect(await sw.api(`uuid_kill ${uuid}`)).toBe('+OK\n');
    await settle();
    leg = sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
    expect(leg.map(row).slice(0, 5)).toEqual([
      'CHANNEL_EXECUTE CS_EXECUTE/4 ACTIVE answered',
      'CHANNEL_HANGUP CS_EXECUTE/10 ACTIVE hangup',
      'CHANNEL_EXECUTE_COMPLETE CS_EXECUTE/10 ACTIVE hangup',
      'CHANNEL_UNPARK CS_EXECUTE/10 ACTIVE hangup',
      'CHANNEL_EXECUTE_COMPLETE CS_EXECUTE/10 ACTIVE hangup',
    ]);
    expect(leg[2]?.getHeader('Application')).toBe('sleep');
    expect(leg[4]?.getHeader('Application')).toBe('park');
    expect(leg.at(-2)?.type).toBe('CHANNEL_DESTROY');
    expect(await sw.sendExecute(uuid, 'set', 'x=y')).toBe(false);
    await sw.stop();
    await rt.stop();
  });

  it('a queued hangup inside park ends the call', async () => {
    const { sw, sub, settle, rt } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    sub.take();
    await sw.sendExecute(uuid, 'hangup', 'CALL_REJECTED');
    await settle();
    const leg = sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
    expect(leg.map((e) => e.type).slice(0, 5)).toEqual([
      'CHANNEL_EXECUTE',
      'CHANNEL_HANGUP',
      'CHANNEL_EXECUTE_COMPLETE',
      'CHANNEL_UNPARK',
      'CHANNEL_EXECUTE_COMPLETE',
    ]);
    expect(leg[1]?.getHeader('Hangup-Cause')).toBe('CALL_REJECTED');
    expect(leg.at(-2)?.type).toBe('CHANNEL_DESTROY');
    await sw.stop();
    await rt.stop();
  });
});

describe('supervision', () => {
  it('channels live under the simple_one_for_one channel supervisor, described by uuid, name and state', async () => {
    const { supervisionTree } = await import('@beamline/core');
    const { sw, settle, rt } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1];
    await settle();
    const [top] = supervisionTree(rt, sw.supervisor);
    expect(top?.strategy).toBe('one_for_one');
    const channels = top?.children?.find((c) => c.id === 'channels');
    expect(channels?.strategy).toBe('simple_one_for_one');
    expect(channels?.children).toHaveLength(1);
    const child = channels?.children?.[0];
    expect(child?.restart).toBe('temporary');
    expect(child?.details).toMatchObject({ uuid, name: 'null/1', state: 'CS_EXECUTE', callState: 'ACTIVE' });
    await sw.api('hupall');
    await settle();
    expect(supervisionTree(rt, sw.supervisor)[0]?.children?.find((c) => c.id === 'channels')?.children).toHaveLength(0);
    await sw.stop();
    await rt.stop();
  });
});

describe('a channel killed by an untrappable signal', () => {
  it('leaves no uuid behind in the session table or show channels', async () => {
    const { kill } = await import('@beamline/core');
    const { sw, settle, rt, logs } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    const pid = sw.core.sessions.get(uuid);
    expect(pid).toBeDefined();
    if (pid) rt.exit(pid, kill);
    await settle();
    expect(await sw.api(`uuid_exists ${uuid}`)).toBe('false');
    expect(await sw.api('show channels count')).toBe('\n0 total.\n');
    expect(logs.some((l) => l.startsWith(`CRIT channel ${uuid} died without hangup`))).toBe(true);
    await sw.stop();
    await rt.stop();
  });
});
