/**
 * Call transfer from a phone (REFER, as sofia_handle_sip_i_refer does it) and digits in SIP INFO,
 * with SIPp as the phones: a blind transfer moves the bridged partner to the Refer-To's extension
 * and tells the phone in one NOTIFY (`SIP/2.0 200 OK`); an attended one bridges the far ends of the
 * phone's two calls; what cannot be transferred is NOTIFYed `SIP/2.0 403 Forbidden`. SIPp keeps
 * the messages, so the test reads the 202 and NOTIFYs as they were sent.
 */
import { type Socket, createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwitchEvent } from '@beamline/switch';
import { type SippResult, type SippRun, freeUdpPort, runSipp, startSipp } from '../../../tools/sipp/sipp.ts';
import { type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ fireTransferEvents: true });
});
afterAll(async () => {
  await rig?.stop();
});

const phone = { domain: 'beamline.test', authUser: '1000', password: '1234', traceMessages: true } as const;
const ok = (r: SippResult) => expect(r.code, r.output + r.errors).toBe(0);

/** The messages SIPp sent or received that start with `start` (a method, or `SIP/2.0 202`). */
const received = (r: SippResult, start: string) => r.messages.filter((m) => m.startsWith(start));
const headerOf = (message: string, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(message)?.[1];
const bodyOf = (message: string) => message.slice(message.indexOf('\r\n\r\n') + 4);

/** The NOTIFYs the phone got: their Event, Subscription-State, Content-Type and sipfrag body. */
const notifies = (r: SippResult) =>
  received(r, 'NOTIFY ').map((m) => [headerOf(m, 'Event'), headerOf(m, 'Subscription-State'), headerOf(m, 'Content-Type'), bodyOf(m)]);

const hangupOf = (uuid: string) => (e: SwitchEvent) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === uuid;
const after = (n: number) => (e: SwitchEvent) => rig.events.indexOf(e) >= n;

/** Phone A calling `service` and sending a REFER with `referTo` (a whole header line). */
const refer = (service: string, referTo: string, more: Partial<SippRun> = {}) =>
  runSipp({ ...phone, scenario: 'call_refer', port: rig.port, service, holdMs: 500, vars: { refer_to: referTo }, ...more });

describe('blind transfer (REFER without Replaces)', () => {
  it('202, one NOTIFY `SIP/2.0 200 OK`, and the bridged partner is transferred to the extension in its own context', async () => {
    const seen = rig.events.length;
    const calleePort = await freeUdpPort();
    const callee = await startSipp({ scenario: 'uas_answer', localPort: calleePort });
    const a = await refer(`2013-${calleePort}`, 'Refer-To: <sip:2000@beamline.test>');
    ok(a);
    const [accepted] = received(a, 'SIP/2.0 202');
    expect(accepted).toMatch(/^SIP\/2\.0 202 Accepted\r\n/);
    expect(headerOf(accepted, 'Expires')).toBe('60');
    expect(headerOf(accepted, 'CSeq')).toBe('3 REFER');
    expect(notifies(a)).toEqual([['refer;id=3', 'terminated;reason=noresource', 'message/sipfrag;version=2.0', 'SIP/2.0 200 OK\r\n']]);
    // the transferor's leg: back in its dialplan (park) until the phone hung up
    const hangup = await rig.waitFor(
      (e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Caller-Destination-Number') === `2013-${calleePort}` && after(seen)(e),
    );
    const b = hangup.getHeader('variable_signal_bond') ?? '';
    expect(hangup.getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');
    expect(hangup.getHeader('variable_sip_hangup_disposition')).toBe('recv_bye');
    expect(hangup.getHeader('variable_endpoint_disposition')).toBe('BLIND_TRANSFER');
    expect(hangup.getHeader('variable_transfer_disposition')).toBe('recv_replace');
    expect(hangup.getHeader('variable_transfer_to')).toBe(`blind:${b}`);
    expect(hangup.getHeader('variable_transfer_destination')).toBe('blind:2000');
    expect(hangup.getHeader('variable_transfer_fallback_extension')).toBe('1000');
    // the partner: routed to 2000 in the default context (answer, park), with the REFER's headers
    const parked = await rig.waitFor((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Unique-ID') === b && e.getHeader('Application') === 'park');
    expect(parked.getHeader('Caller-Destination-Number')).toBe('2000');
    expect(parked.getHeader('Caller-Context')).toBe('default');
    expect(parked.getHeader('variable_sip_refer_to')).toBe('<sip:2000@beamline.test>');
    expect(parked.getHeader('variable_sip_h_Referred-By')).toBe('<sip:1000@beamline.test>');
    const transferor = await rig.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::transferor' && after(seen)(e));
    expect(transferor.getHeader('Unique-ID')).toBe(hangup.getHeader('Unique-ID'));
    const transferee = await rig.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::transferee' && after(seen)(e));
    expect(transferee.getHeader('Unique-ID')).toBe(b);
    expect(await rig.sw.api(`uuid_kill ${b}`)).toBe('+OK\n');
    ok(await callee.done);
  });

  it('a leg with no partner: 202, NOTIFY `SIP/2.0 403 Forbidden`, sofia::error and ATTENDED_TRANSFER_ERROR', async () => {
    const seen = rig.events.length;
    const a = await refer('2000', 'Refer-To: <sip:3000@beamline.test>');
    ok(a);
    expect(received(a, 'SIP/2.0 202')).toHaveLength(1);
    expect(notifies(a)).toEqual([['refer;id=3', 'terminated;reason=noresource', 'message/sipfrag;version=2.0', 'SIP/2.0 403 Forbidden\r\n']]);
    const error = await rig.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::error' && after(seen)(e));
    expect(error.getHeader('Error-Type')).toBe('blind_transfer');
    expect(error.getHeader('Transfer-Exten')).toBe('3000');
    expect(error.getHeader('Full-Refer-To')).toBe('<sip:3000@beamline.test>');
    const hangup = await rig.waitFor(hangupOf(error.getHeader('Unique-ID') ?? ''));
    expect(hangup.getHeader('variable_endpoint_disposition')).toBe('ATTENDED_TRANSFER_ERROR');
    expect(hangup.getHeader('variable_transfer_to')).toBe('blind:3000');
    expect(rig.logs).toContain('ERR Cannot Blind Transfer 1 Legged calls');
  });

  it('a REFER without Refer-To is accepted 202 and nothing follows but an ERROR', async () => {
    const a = await refer('2000', 'X-Transfer: none');
    ok(a);
    expect(received(a, 'SIP/2.0 202')).toHaveLength(1);
    expect(notifies(a)).toEqual([]);
    expect(rig.logs).toContain('ERR Missing Refer-To');
  });
});

describe('attended transfer (Refer-To with Replaces)', () => {
  it('bridges the far ends of the phone’s two calls; the replaced leg hangs up ATTENDED_TRANSFER', async () => {
    const seen = rig.events.length;
    const [portB, portC] = [await freeUdpPort(), await freeUdpPort()];
    const b = await startSipp({ scenario: 'uas_answer', localPort: portB });
    const c = await startSipp({ scenario: 'uas_answer', localPort: portC });
    const a = await runSipp({
      ...phone,
      scenario: 'call_attended',
      port: rig.port,
      service: `2013-${portB}`,
      holdMs: 500,
      vars: { service2: `2013-${portC}`, bye_wait: '6000' },
    });
    ok(a);
    expect(received(a, 'SIP/2.0 202')).toHaveLength(1);
    expect(notifies(a)).toEqual([['refer;id=3', 'terminated;reason=noresource', 'message/sipfrag;version=2.0', 'SIP/2.0 200 OK\r\n']]);
    const legOf = (service: string) =>
      rig.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Caller-Destination-Number') === service && after(seen)(e));
    const [first, second] = [await legOf(`2013-${portB}`), await legOf(`2013-${portC}`)];
    const [bUuid, cUuid] = [first.getHeader('variable_signal_bond') ?? '', second.getHeader('variable_signal_bond') ?? ''];
    // the REFER leg: out of its bridge at once (back in its dialplan: park), then the phone hung it up
    const trace = rig.events.filter((e) => e.getHeader('Unique-ID') === first.getHeader('Unique-ID')).map((e) => e.type);
    expect(trace.indexOf('CHANNEL_UNBRIDGE')).toBeGreaterThan(-1);
    expect(trace.indexOf('CHANNEL_UNBRIDGE')).toBeLessThan(trace.indexOf('CHANNEL_HANGUP'));
    expect(first.getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');
    expect(first.getHeader('variable_transfer_to')).toBe(`att:${cUuid}`);
    expect(first.getHeader('variable_refer_uuid')).toBe(second.getHeader('Unique-ID'));
    expect(first.getHeader('variable_transfer_disposition')).toBe('recv_replace');
    // the replaced leg: parked, then hung up by the switch 2 s later (park_timeout=2:attended_transfer)
    expect(second.getHeader('Hangup-Cause')).toBe('ATTENDED_TRANSFER');
    expect(second.getHeader('variable_endpoint_disposition')).toBe('ATTENDED_TRANSFER');
    expect(second.getHeader('variable_transfer_disposition')).toBe('replaced');
    expect(second.getHeader('variable_sip_hangup_disposition')).toBe('send_bye');
    // B and C talk to each other now
    expect(await rig.sw.api(`uuid_getvar ${bUuid} bridge_to`)).toBe(cUuid);
    expect(await rig.sw.api(`uuid_getvar ${cUuid} bridge_to`)).toBe(bUuid);
    expect(await rig.sw.api(`uuid_getvar ${cUuid} transfer_disposition`)).toBe('bridge');
    // mark_transfer_record's att_xfer record, then switch_ivr_uuid_bridge's uuid_br one, each naming a profile's own uuid
    const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
    expect(await rig.sw.api(`uuid_getvar ${cUuid} transfer_history`)).toMatch(
      new RegExp(`^ARRAY::\\d+:${UUID}:att_xfer:1000@beamline\\.test/\\(null\\)@127\\.0\\.0\\.1\\|:\\d+:${UUID}:uuid_br:${bUuid}$`),
    );
    expect(await rig.sw.api(`uuid_getvar ${cUuid} transfer_source`)).toMatch(new RegExp(`^\\d+:${UUID}:uuid_br:${bUuid}$`));
    const bridged = await rig.waitFor((e) => e.type === 'CHANNEL_BRIDGE' && e.getHeader('Bridge-A-Unique-ID') === bUuid && after(seen)(e));
    expect(bridged.getHeader('Bridge-B-Unique-ID')).toBe(cUuid);
    const replaced = await rig.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::replaced' && after(seen)(e));
    expect([replaced.getHeader('Unique-ID'), replaced.getHeader('att_xfer_replaced_by')]).toEqual([second.getHeader('Unique-ID'), bUuid]);
    const transferor = await rig.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::transferor' && after(seen)(e));
    expect(
      ['Unique-ID', 'att_xfer_original_call_id', 'att_xfer_destination_call_id', 'att_xfer_destination_peer_uuid'].map((h) =>
        transferor.getHeader(h),
      ),
    ).toEqual([first.getHeader('Unique-ID'), bUuid, cUuid, second.getHeader('Unique-ID')]);
    // B hangs up: C's bridge ends with it
    expect(await rig.sw.api(`uuid_kill ${bUuid}`)).toBe('+OK\n');
    ok(await b.done);
    ok(await c.done);
  });
});

describe('REFER outside a dialog', () => {
  let sock: Socket;
  beforeAll(async () => {
    sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  });
  afterAll(() => sock?.close());

  it('is answered 202 with a To tag and fires CALL_SETUP_REQ describing the call to place', async () => {
    const seen = rig.events.length;
    const replies: string[] = [];
    sock.on('message', (m) => replies.push(m.toString()));
    const { port } = sock.address();
    const text = [
      'REFER sip:1000@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-outside`,
      'From: <sip:ctl@127.0.0.1>;tag=9',
      'To: <sip:1000@beamline.test>',
      'Call-ID: refer-outside-1',
      'CSeq: 7 REFER',
      'Refer-To: <sip:2000@beamline.test;method=INVITE>',
      'Referred-By: <sip:boss@beamline.test>',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    sock.send(text, rig.port, '127.0.0.1');
    const setup = await rig.waitFor((e) => e.type === 'CALL_SETUP_REQ' && after(seen)(e));
    for (let i = 0; i < 50 && replies.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(replies[0]).toMatch(/^SIP\/2\.0 202 Accepted\r\n[\s\S]*To: <sip:1000@beamline\.test>;tag=[0-9a-f]+\r\n/);
    expect(
      ['Requesting-Component', 'Target-Component', 'Target-Domain', 'Request-Action', 'Request-Target', 'Request-Target-URI'].map((h) =>
        setup.getHeader(h),
      ),
    ).toEqual(['mod_sofia', '1000', 'beamline.test', 'call', 'sofia/internal/sip:2000@beamline.test', 'sip:2000@beamline.test']);
    expect(setup.getHeader('Request-Target-Extension')).toBe('2000');
    expect(setup.getHeader('Request-Call-ID')).toBe('refer-outside-1');
    expect(setup.getHeader('Request-Sender')).toBe('sofia/internal/sip:boss@beamline.test');
    expect(setup.getHeader('var_origination_caller_id_number')).toBe('boss');
  });
});

describe('digits in SIP INFO', () => {
  const info = (service: string, offersTelephoneEvent: boolean, at = rig) =>
    runSipp({
      ...phone,
      scenario: 'call_info',
      port: at.port,
      service,
      holdMs: 300,
      vars: offersTelephoneEvent ? { te_pt: ' 101', te_map: 'a=rtpmap:101 telephone-event/8000' } : { te_pt: '', te_map: 'a=sendrecv' },
    });
  const digitsOf = (at: Rig, uuid: string) =>
    at.events
      .filter((e) => e.type === 'DTMF' && e.getHeader('Unique-ID') === uuid)
      .map((e) => [e.getHeader('DTMF-Digit'), e.getHeader('DTMF-Source'), e.getHeader('DTMF-Duration')]);
  const lastCallTo = (at: Rig, service: string, seen: number) =>
    at.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Caller-Destination-Number') === service && at.events.indexOf(e) >= seen);

  it('a phone offering no telephone-event: each INFO digit is the channel’s DTMF (Source ENDPOINT), and RECV_INFO fires', async () => {
    const seen = rig.events.length;
    ok(await info('2000', false));
    const uuid = (await lastCallTo(rig, '2000', seen)).getHeader('Unique-ID') ?? '';
    // Duration=160 ms is 1280 samples; application/dtmf has the default 2000; nortel's 100 is raised to the minimum 400
    expect(digitsOf(rig, uuid)).toEqual([
      ['5', 'ENDPOINT', '1280'],
      ['*', 'ENDPOINT', '2000'],
      ['7', 'ENDPOINT', '400'],
    ]);
    const infos = rig.events.filter((e) => e.type === 'RECV_INFO' && e.getHeader('Unique-ID') === uuid);
    expect(infos.map((e) => e.getHeader('SIP-Content-Type'))).toEqual([
      'application/dtmf-relay',
      'application/dtmf',
      'application/vnd.nortelnetworks.digits',
    ]);
    expect(infos[0].body).toBe('Signal=5\r\nDuration=160\r\n');
    expect([infos[0].getHeader('SIP-From-User'), infos[0].getHeader('SIP-From-Host')]).toEqual(['1000', 'beamline.test']);
  });

  it('a phone that offered telephone-event: INFO digits are ignored with mod_sofia’s WARNING, still answered 200', async () => {
    const seen = rig.events.length;
    ok(await info('2000', true));
    const uuid = (await lastCallTo(rig, '2000', seen)).getHeader('Unique-ID') ?? '';
    expect(digitsOf(rig, uuid)).toEqual([]);
    expect(rig.logs).toContain('WARNING IGNORE INFO DTMF(5) (This channel was not configured to use INFO DTMF!)');
    expect(rig.events.filter((e) => e.type === 'RECV_INFO' && e.getHeader('Unique-ID') === uuid)).toHaveLength(3);
  });

  it('liberal-dtmf takes them anyway', async () => {
    const liberal = await startRig({ liberalDtmf: true });
    try {
      const seen = liberal.events.length;
      ok(await info('2000', true, liberal));
      const uuid = (await lastCallTo(liberal, '2000', seen)).getHeader('Unique-ID') ?? '';
      expect(digitsOf(liberal, uuid).map(([d]) => d)).toEqual(['5', '*', '7']);
    } finally {
      await liberal.stop();
    }
  });
});
