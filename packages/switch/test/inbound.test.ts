import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { row, setup } from './switch_helpers.ts';

describe('inbound leg (spec §2.5 a): dialplan set + park, answered by uuid_answer, hung up by uuid_kill', () => {
  it('the loopback B leg gives trace (a) with the uuid_answer variant', async () => {
    const { sw, sub, settle, rt } = await setup({ dialplan: staticDialplan({ default: { '1001': [['set', 'foo=bar'], ['park']] } }) });
    const reply = sw.originate('loopback/1001 &park()');
    await settle();
    let events = sub.take();
    const b = events.find((e) => e.getHeader('Channel-Name') === 'loopback/1001-b')?.getHeader('Unique-ID') as string;
    // A waits for B: nothing has answered yet
    expect(events.some((e) => e.type === 'CHANNEL_ANSWER')).toBe(false);
    expect(await sw.api(`uuid_answer ${b}`)).toBe('+OK\n');
    expect(await reply).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    await settle();
    expect(await sw.api(`uuid_kill ${b}`)).toBe('+OK\n');
    await settle();
    events = [...events, ...sub.take()];
    const legB = events.filter((e) => e.getHeader('Unique-ID') === b);
    expect(legB.map(row)).toEqual([
      'CHANNEL_STATE CS_INIT/1 DOWN ringing',
      'CHANNEL_CREATE CS_INIT/2 DOWN ringing',
      'CHANNEL_CALLSTATE CS_ROUTING/2 RINGING ringing',
      'CHANNEL_STATE CS_ROUTING/2 RINGING ringing',
      'CHANNEL_STATE CS_EXECUTE/4 RINGING ringing',
      'CHANNEL_EXECUTE CS_EXECUTE/4 RINGING ringing',
      'CHANNEL_EXECUTE_COMPLETE CS_EXECUTE/4 RINGING ringing',
      'CHANNEL_EXECUTE CS_EXECUTE/4 RINGING ringing',
      'CHANNEL_PARK CS_EXECUTE/4 RINGING ringing',
      'CHANNEL_ANSWER CS_EXECUTE/4 RINGING answered',
      'CHANNEL_CALLSTATE CS_EXECUTE/4 ACTIVE answered',
      'CHANNEL_HANGUP CS_EXECUTE/10 ACTIVE hangup',
      'CHANNEL_UNPARK CS_EXECUTE/10 ACTIVE hangup',
      'CHANNEL_EXECUTE_COMPLETE CS_EXECUTE/10 ACTIVE hangup',
      'CHANNEL_STATE CS_HANGUP/10 ACTIVE hangup',
      'CHANNEL_CALLSTATE CS_HANGUP/10 HANGUP hangup',
      'CHANNEL_STATE CS_REPORTING/11 HANGUP hangup',
      'CHANNEL_HANGUP_COMPLETE CS_REPORTING/11 HANGUP hangup',
      'CHANNEL_DESTROY CS_REPORTING/12 HANGUP hangup',
      'CHANNEL_STATE CS_DESTROY/12 HANGUP hangup',
    ]);
    expect(legB[5]?.getHeader('Application')).toBe('set');
    expect(legB[5]?.getHeader('Application-Data')).toBe('foo=bar');
    expect(legB[6]?.getHeader('Application-Response')).toBe('_none_');
    expect(legB[6]?.getHeader('variable_foo')).toBe('bar');
    expect(legB[4]?.getHeader('variable_foo')).toBeUndefined();
    expect(legB[7]?.getHeader('Application')).toBe('park');
    expect(legB[10]?.getHeader('Original-Channel-Call-State')).toBe('RINGING');
    expect(legB[11]?.getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');
    expect(legB[15]?.getHeader('Original-Channel-Call-State')).toBe('ACTIVE');
    expect(legB[15]?.getHeader('Channel-Call-State-Number')).toBe('7');
    await sw.stop();
    await rt.stop();
  });
});
