/**
 * A real SIP peer (SIPp, Debian's sip-tester) against the switch's SIP profile on 127.0.0.1:
 * registration with digest auth, calls in through the dialplan, digits as RFC 2833 events, both
 * ends hanging up, CANCEL, and refusals with mod_sofia's status codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwitchEvent } from '@beamline/switch';
import { runSipp } from '../../../tools/sipp/sipp.ts';
import { type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.stop();
});

const base = { domain: 'beamline.test', authUser: '1000', password: '1234' } as const;
const header = (e: SwitchEvent, n: string) => e.getHeader(n);

describe('REGISTER', () => {
  it('answers the 401 challenge, registers, fires sofia::register and lists the contact', async () => {
    const r = await runSipp({ ...base, scenario: 'register', port: rig.port, service: '1000' });
    expect(r.code, r.output + r.errors).toBe(0);
    const ev = await rig.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::register');
    expect(header(ev, 'from-user')).toBe('1000');
    expect(header(ev, 'from-host')).toBe('beamline.test');
    expect(header(ev, 'status')).toBe('Registered(UDP)');
    expect(header(ev, 'username')).toBe('1000');
    expect(header(ev, 'realm')).toBe('beamline.test');
    expect(header(ev, 'network-ip')).toBe('127.0.0.1');
    const contact = await rig.sw.api('sofia_contact 1000@beamline.test');
    expect(contact).toMatch(/^sofia\/internal\/sip:1000@127\.0\.0\.1:\d+$/);
    expect(await rig.sw.api('sofia_contact 1999@beamline.test')).toBe('error/user_not_registered');
    const reg = await rig.sw.api('sofia status profile internal reg');
    expect(reg).toContain('User:       \t1000@beamline.test\n');
    expect(reg).toMatch(/Contact: {4}\t"1000" <sip:1000@127\.0\.0\.1:\d+>\n/);
    expect(reg).toMatch(/Total items returned: 1\n/);
  });

  it('refuses a wrong password with 403 and a WARNING naming the user and address', async () => {
    const r = await runSipp({ ...base, scenario: 'register', port: rig.port, service: '1000', password: 'wrong', expect: 403 });
    expect(r.code, r.output + r.errors).toBe(0);
    expect(
      rig.logs.some((l) => l.includes("SIP auth failure (REGISTER) on sofia profile 'internal' for [1000@beamline.test] from ip 127.0.0.1")),
    ).toBe(true);
  });

  it('checks a user whose directory entry has an a1-hash instead of a password', async () => {
    const r = await runSipp({ ...base, scenario: 'register', port: rig.port, service: '1001', authUser: '1001', password: 'secret' });
    expect(r.code, r.output + r.errors).toBe(0);
  });
});

describe('INVITE', () => {
  it('routes an authenticated call in the user_context, with its sip_ variables, until the phone hangs up', async () => {
    const r = await runSipp({ ...base, scenario: 'call', port: rig.port, service: '2000', holdMs: 300 });
    expect(r.code, r.output + r.errors).toBe(0);
    const hangup = await rig.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Caller-Destination-Number') === '2000');
    expect(header(hangup, 'Caller-Context')).toBe('default');
    expect(header(hangup, 'Channel-Name')).toMatch(/^sofia\/internal\/1000@beamline\.test$/);
    expect(header(hangup, 'Hangup-Cause')).toBe('NORMAL_CLEARING');
    expect(header(hangup, 'variable_sip_hangup_disposition')).toBe('recv_bye');
    expect(header(hangup, 'variable_sip_from_user')).toBe('1000');
    // named (channel_name) right after the From variables, as sofia_glue_attach_private does
    const variables = hangup.headers.map((h) => h.name).filter((n) => n.startsWith('variable_'));
    const at = variables.indexOf('variable_channel_name');
    expect(variables.slice(at - 1, at + 2)).toEqual(['variable_sip_from_host', 'variable_channel_name', 'variable_sip_req_user']);
    expect(header(hangup, 'variable_channel_name')).toBe(header(hangup, 'Channel-Name'));
    expect(header(hangup, 'variable_sip_authorized')).toBe('true');
    expect(header(hangup, 'variable_sofia_profile_name')).toBe('internal');
    expect(header(hangup, 'variable_recovery_profile_name')).toBe('internal');
    expect(header(hangup, 'variable_sofia_profile_url')).toBe(`sip:mod_sofia@127.0.0.1:${rig.port}`);
    expect(header(hangup, 'variable_accountcode')).toBe('acct1000');
    expect(header(hangup, 'Caller-Caller-ID-Name')).toBe('Alice');
    expect(header(hangup, 'Channel-Read-Codec-Name')).toBe('PCMU');
    expect(header(hangup, 'variable_rtp_use_codec_name')).toBe('PCMU');
    const uuid = header(hangup, 'Unique-ID');
    const names = rig.events.filter((e) => e.getHeader('Unique-ID') === uuid).map((e) => e.type);
    // spec §2.5 (a) rows 1-4
    expect(names.slice(0, 4)).toEqual(['CHANNEL_STATE', 'CHANNEL_CREATE', 'CHANNEL_CALLSTATE', 'CHANNEL_STATE']);
    expect(names).toContain('CHANNEL_ANSWER');
    expect(names.indexOf('CHANNEL_ANSWER')).toBeLessThan(names.indexOf('CHANNEL_HANGUP'));
  });

  it('takes the phone’s RFC 2833 digits (DTMF-Source RTP) into read, then the switch hangs up with a BYE', async () => {
    const r = await runSipp({ ...base, scenario: 'call_dtmf', port: rig.port, service: '2001' });
    expect(r.code, r.output + r.errors).toBe(0);
    const hangup = await rig.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Caller-Destination-Number') === '2001');
    expect(header(hangup, 'variable_pin')).toBe('12');
    expect(header(hangup, 'variable_read_terminator_used')).toBe('#');
    expect(header(hangup, 'variable_sip_hangup_disposition')).toBe('send_bye');
    const uuid = header(hangup, 'Unique-ID');
    const digits = rig.events.filter((e) => e.type === 'DTMF' && e.getHeader('Unique-ID') === uuid);
    // SIPp's pcaps end each event at 2240 samples: the digit is taken at its end packet, with its length
    expect(digits.map((e) => [e.getHeader('DTMF-Digit'), e.getHeader('DTMF-Source'), e.getHeader('DTMF-Duration')])).toEqual([
      ['1', 'RTP', '2240'],
      ['2', 'RTP', '2240'],
      ['#', 'RTP', '2240'],
    ]);
  });

  it('ends a ringing call the phone CANCELs with 487 and ORIGINATOR_CANCEL', async () => {
    const r = await runSipp({ ...base, scenario: 'call_cancel', port: rig.port, service: '2002' });
    expect(r.code, r.output + r.errors).toBe(0);
    const hangup = await rig.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Caller-Destination-Number') === '2002');
    expect(header(hangup, 'Hangup-Cause')).toBe('ORIGINATOR_CANCEL');
    expect(header(hangup, 'variable_sip_hangup_disposition')).toBe('recv_cancel');
  });

  it('refuses with the status mod_sofia maps the cause to (USER_BUSY → 486)', async () => {
    const r = await runSipp({ ...base, scenario: 'call_refused', port: rig.port, service: '2003', expect: 486 });
    expect(r.code, r.output + r.errors).toBe(0);
    const hangup = await rig.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Caller-Destination-Number') === '2003');
    expect(header(hangup, 'variable_sip_hangup_disposition')).toBe('send_refuse');
  });

  it('respond: 183 then `486 Not Today` from the dialplan; the call ends USER_BUSY', async () => {
    const r = await runSipp({ ...base, scenario: 'call_refused', port: rig.port, service: '2004', expect: 486, early: true });
    expect(r.code, r.output + r.errors).toBe(0);
    const hangup = await rig.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Caller-Destination-Number') === '2004');
    expect(header(hangup, 'Hangup-Cause')).toBe('USER_BUSY');
    expect(header(hangup, 'variable_sip_term_status')).toBe('486');
    expect(header(hangup, 'variable_sip_hangup_disposition')).toBe('send_refuse');
    const uuid = header(hangup, 'Unique-ID');
    // respond only speaks SIP: the channel itself is not pre-answered (no CHANNEL_PROGRESS_MEDIA), as with mod_sofia
    expect(rig.events.some((e) => e.type === 'CHANNEL_PROGRESS_MEDIA' && e.getHeader('Unique-ID') === uuid)).toBe(false);
  });

  it('refuses an INVITE with a wrong password with 403, and no channel is made', async () => {
    const before = rig.events.filter((e) => e.type === 'CHANNEL_CREATE').length;
    const r = await runSipp({ ...base, scenario: 'call_refused', port: rig.port, service: '2000', password: 'nope', expect: 403 });
    expect(r.code, r.output + r.errors).toBe(0);
    expect(rig.events.filter((e) => e.type === 'CHANNEL_CREATE').length).toBe(before);
  });
});

describe('sofia status', () => {
  it('prints mod_sofia’s table with the profile running', async () => {
    const out = await rig.sw.api('sofia status');
    const lines = out.split('\n');
    expect(lines[0]).toBe(`${'Name'.padStart(25)}\t   Type\t  ${'Data'.padStart(40)}\tState`);
    expect(lines[1]).toBe('='.repeat(97));
    expect(lines[2]).toBe(`${'internal'.padStart(25)}\tprofile\t  ${`sip:mod_sofia@127.0.0.1:${rig.port}`.padStart(40)}\tRUNNING (0)`);
    expect(lines[4]).toBe('1 profile 0 aliases');
  });
});
