/**
 * mod_dptools' deduplicate_dtmf (deduplicate_recv_dtmf_hook): digits the far end sends by two ways
 * count once. A test application stands for the endpoint, queueing `<digits> <source>` as received.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { callNull as call, farEndDtmf as farEnd, setup, stopSetup as stop } from './switch_helpers.ts';

async function digitsThrough(steps: [string, string][]) {
  const t = await setup({
    applications: [farEnd],
    dialplan: staticDialplan({ default: { '100': [...steps, ['park']] } }),
  });
  const uuid = await call(t, '100');
  const got = t.sub
    .take()
    .filter((e) => e.type === 'DTMF')
    .map((e) => `${e.getHeader('DTMF-Digit')}:${e.getHeader('DTMF-Source')}`);
  const v = async (n: string) => (await t.sw.api(`uuid_getvar ${uuid} ${n}`)).trim();
  return { t, got, v };
}

describe('deduplicate_dtmf', () => {
  it('until a 2833 digit: all taken but the same digit again from another source; after it, 2833 only', async () => {
    const { t, got, v } = await digitsThrough([
      ['deduplicate_dtmf', ''],
      ['far_end_dtmf', '1 ENDPOINT'],
      ['far_end_dtmf', '1 INBAND_AUDIO'],
      ['far_end_dtmf', '12 ENDPOINT'],
      ['far_end_dtmf', '2 RTP'],
      ['far_end_dtmf', '3 ENDPOINT'],
      ['far_end_dtmf', '3 RTP'],
      ['far_end_dtmf', '4 UNKNOWN'],
    ]);
    // the ignored inband 1 is the last digit too: the next SIP INFO 1 is another source's repeat
    expect(got).toEqual(['1:ENDPOINT', '2:ENDPOINT', '3:RTP', '4:UNKNOWN']);
    expect(t.logs).toContain('INFO (ALLOW ALL) Ignore INBAND digit 1');
    expect(t.logs).toContain('INFO (ALLOW ALL) Ignore SIP INFO digit 1');
    expect(t.logs).toContain('INFO (ALLOW ALL) Ignore 2833 digit 2');
    expect(t.logs).toContain('INFO (ALLOW 2833) Ignore SIP INFO digit 3');
    expect(t.logs).toContain('INFO (ALLOW 2833) Accept 2833 digit 3');
    expect([await v('deduplicate_dtmf_seen_endpoint'), await v('deduplicate_dtmf_seen_inband'), await v('deduplicate_dtmf_seen_rtp')]).toEqual([
      'true',
      'true',
      'true',
    ]);
    await stop(t);
  });

  it('only_rtp: SIP INFO and inband digits are dropped from the start; a second run changes nothing', async () => {
    const { t, got } = await digitsThrough([
      ['deduplicate_dtmf', 'only_rtp'],
      ['deduplicate_dtmf', ''],
      ['far_end_dtmf', '5 ENDPOINT'],
      ['far_end_dtmf', '5 RTP'],
      ['far_end_dtmf', '6 INBAND_AUDIO'],
    ]);
    expect(got).toEqual(['5:RTP']);
    expect(t.logs.filter((l) => l.startsWith('INFO (ALLOW'))).toHaveLength(3);
    await stop(t);
  });
});
