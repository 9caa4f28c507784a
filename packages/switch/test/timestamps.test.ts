import { describe, expect, it } from 'vitest';
import { timestampVariables } from '../src/channel/timestamps.ts';
import { NO_TIMES } from '../src/channel/profile.ts';
import { setup } from './switch_helpers.ts';

const T0 = 1_725_358_272_000_000; // the setup's start, in µs

describe('switch_channel_set_timestamps', () => {
  it('CHANNEL_HANGUP_COMPLETE carries the stamps, epochs and durations of the call in FreeSWITCH’s order', async () => {
    const { sw, rt, sub, settle, clock } = await setup();
    const reply = sw.originate('{origination_uuid=11111111-1111-4111-8111-111111111111,null_auto_answer_delay=1200}null/1234 &park()');
    await settle();
    await clock.advance(1200);
    expect(await reply).toBe('+OK 11111111-1111-4111-8111-111111111111\n');
    await settle();
    await clock.advance(2300);
    await sw.api('uuid_kill 11111111-1111-4111-8111-111111111111');
    await settle();
    const complete = sub.take().find((e) => e.type === 'CHANNEL_HANGUP_COMPLETE');
    const v = (n: string) => complete?.getHeader(`variable_${n}`);
    expect(v('start_stamp')).toBe('2024-09-03 10:11:12');
    expect(v('answer_stamp')).toBe('2024-09-03 10:11:13');
    expect(v('end_stamp')).toBe('2024-09-03 10:11:15');
    expect(v('bridge_stamp')).toBeUndefined();
    expect(v('start_epoch')).toBe('1725358272');
    expect(v('start_uepoch')).toBe(String(T0));
    expect(v('answer_uepoch')).toBe(String(T0 + 1_200_000));
    expect(v('end_uepoch')).toBe(String(T0 + 3_500_000));
    expect(v('bridge_epoch')).toBe('0');
    expect(['duration', 'billsec', 'answersec', 'flow_billsec', 'waitsec'].map(v)).toEqual(['3', '2', '1', '3', '0']);
    expect(['mduration', 'billmsec', 'answermsec', 'flow_billmsec'].map(v)).toEqual(['3500', '2300', '1200', '3500']);
    expect(['uduration', 'billusec', 'answerusec'].map(v)).toEqual(['3500000', '2300000', '1200000']);
    expect(v('last_app')).toBe('park');
    expect(v('last_arg')).toBeUndefined();
    expect(v('caller_id')).toBe('"Outbound Call" <1234>');
    expect(v('digits_dialed')).toBe('none');
    const names = (complete?.headers ?? []).map((h) => h.name).filter((n) => n.startsWith('variable_'));
    const order = [
      'digits_dialed',
      'start_stamp',
      'profile_start_stamp',
      'answer_stamp',
      'end_stamp',
      'start_epoch',
      'end_uepoch',
      'caller_id',
      'duration',
      'flow_billusec',
    ];
    const at = order.map((n) => names.indexOf(`variable_${n}`));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    await sw.stop();
    await rt.stop();
  });

  it('seconds are differences of truncated times (as C computes them), a bridge sets waitsec', () => {
    const times = { ...NO_TIMES, created: 1_999_999, profileCreated: 1_999_999, answered: 2_000_001, bridged: 3_100_000, hungup: 4_000_000 };
    const vars = new Map(
      timestampVariables({
        times,
        profile: { direction: 'inbound', logicalDirection: 'inbound', callerIdNumber: '42', screen: false, hideName: false, hideNumber: false },
        utcOffsetMinutes: () => 60,
      }),
    );
    expect(vars.get('duration')).toBe('3');
    expect(vars.get('answersec')).toBe('1');
    expect(vars.get('billsec')).toBe('2');
    expect(vars.get('waitsec')).toBe('2');
    expect(vars.get('waitmsec')).toBe('1101');
    expect(vars.get('start_stamp')).toBe('1970-01-01 01:00:01');
    expect(vars.get('caller_id')).toBe('42');
    expect(vars.has('last_app')).toBe(true);
    expect(vars.get('last_app')).toBeUndefined();
  });
});
