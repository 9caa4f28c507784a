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
