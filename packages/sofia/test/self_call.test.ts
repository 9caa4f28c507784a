/**
 * The switch calling itself over SIP (a profile without auth-calls): the outbound leg's INVITE
 * becomes an inbound call through the dialplan, and digits sent to the outbound leg
 * (`uuid_send_dtmf`) cross as RFC 2833 telephone-events to the inbound one, which reads them.
 * The receiving side is the one the SIPp tests check against SIPp's own packets.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ authCalls: false, context: 'default' });
});
afterAll(async () => {
  await rig?.stop();
});

it('digits sent on the outbound leg arrive on the inbound one as RTP events, and read takes them', async () => {
  const out = await rig.sw.originate(`sofia/internal/2001@127.0.0.1:${rig.port} &park()`);
  const outbound = /^\+OK ([0-9a-f-]{36})\n$/.exec(out)?.[1];
  expect(outbound, out).toBeDefined();
  expect(await rig.sw.api(`uuid_send_dtmf ${outbound} 42#`)).toMatch(/^\+OK /);
  const hangup = await rig.waitFor(
    (e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Caller-Destination-Number') === '2001' && e.getHeader('Call-Direction') === 'inbound',
  );
  expect(hangup.getHeader('variable_pin')).toBe('42');
  const inbound = hangup.getHeader('Unique-ID');
  const digits = rig.events
    .filter((e) => e.type === 'DTMF' && e.getHeader('Unique-ID') === inbound)
    .map((e) => `${e.getHeader('DTMF-Digit')}/${e.getHeader('DTMF-Source')}`);
  expect(digits).toEqual(['4/RTP', '2/RTP', '#/RTP']);
  // the inbound leg's hangup reached the outbound one as a BYE
  const outHangup = await rig.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === outbound);
  expect(outHangup.getHeader('variable_sip_hangup_disposition')).toBe('recv_bye');
  expect(outHangup.getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');
});
