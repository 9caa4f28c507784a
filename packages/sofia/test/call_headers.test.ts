/**
 * What a far end's headers do to a call, and what the channel's variables add to ours (mod_sofia's
 * sofia_handle_sip_i_bye, sofia_handle_sip_i_state, sofia_handle_sip_i_invite,
 * sofia_glue_get_extra_headers), with a test phone on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { responseTo } from '../src/sip/build.ts';
import { type SipMessage, type SipRequest, type SipResponse, header } from '../src/sip/message.ts';
import { type Rig, startRig } from './helpers.ts';
import { NatPhone } from './nat_phone.ts';

let rig: Rig | undefined;
const phones: NatPhone[] = [];
afterEach(async () => {
  for (const p of phones.splice(0)) p.close();
  await rig?.stop();
  rig = undefined;
});

const sdp = (port: number) =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

/** A request in the INVITE's dialog (its From tag, Call-ID and Via), To with the far end's tag. */
function inDialog(invite: SipRequest, final: SipMessage, method: string, seq: number, extra: [string, string][] = []): SipRequest {
  const headers = invite.headers
    .filter(([n]) => !/^(content-type|cseq|to)$/i.test(n))
    .concat([
      ['To', header(final, 'to') ?? ''],
      ['CSeq', `${seq} ${method}`],
    ]);
  return { kind: 'request', method, uri: invite.uri, headers: [...headers, ...extra], body: Buffer.alloc(0) };
}

const hangupOf = (uuid: string) => (e: { type: string; getHeader(n: string): string | undefined }) =>
  e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === uuid;

async function phone(r: Rig): Promise<NatPhone> {
  const p = await NatPhone.open(r.port);
  phones.push(p);
  return p;
}

/** A call from a phone to `number` (answered: the 200 ACKed), its INVITE carrying `headers`. */
async function callIn(number: string, headers: [string, string][] = [], answered = true) {
  const r = rig ?? (await startRig({ authCalls: false, context: 'default' }));
  rig = r;
  const p = await phone(r);
  const invite = p.build('INVITE', `sip:${number}@127.0.0.1:${r.port}`, { to: `<sip:${number}@beamline.test>`, headers, body: sdp(p.port + 2) });
  p.send(invite);
  if (!answered) {
    const created = await r.waitFor((e) => e.type === 'CHANNEL_CREATE' && e.getHeader('Caller-Destination-Number') === number);
    return { r, p, invite, uuid: created.getHeader('Unique-ID') ?? '', ok: undefined };
  }
  const ok = (await p.take((m) => m.kind === 'response' && m.status === 200)) as SipResponse;
  p.send(inDialog(invite, ok, 'ACK', 1));
  const answer = await r.waitFor((e) => e.type === 'CHANNEL_ANSWER' && e.getHeader('Caller-Destination-Number') === number);
  return { r, p, invite, uuid: answer.getHeader('Unique-ID') ?? '', ok };
}

describe('the far end’s Reason header', () => {
  it('a BYE’s Q.850 cause is the hangup cause, with sip_reason, sip_term_status and proto_specific_hangup_cause', async () => {
    const { r, p, invite, uuid, ok } = await callIn('2000');
    const bye = inDialog(invite, ok as SipResponse, 'BYE', 2, [
      ['Reason', 'Q.850;cause=17;text="USER_BUSY"'],
      ['RTP-RxStat', 'Dur=12,Pkt=600,Oct=96000,Underun=0'],
      ['P-RTP-Stat', 'PS=600,OS=96000,PR=600,OR=96000,PL=0'],
    ]);
    p.send({ ...bye, headers: bye.headers.map(([n, v]) => [n, /^user-agent$/i.test(n) ? 'PolycomVVX-VVX_400-UA/5.9' : v]) });
    expect((await p.response(p.callId, 'BYE')).status).toBe(200);
    const hangup = await r.waitFor(hangupOf(uuid));
    // sofia_handle_sip_i_bye: the BYE's User-Agent and the phone's call statistics
    expect(hangup.getHeader('variable_sip_user_agent')).toBe('PolycomVVX-VVX_400-UA/5.9');
    expect(hangup.getHeader('variable_sip_rtp_rxstat')).toBe('Dur=12,Pkt=600,Oct=96000,Underun=0');
    expect(hangup.getHeader('variable_sip_p_rtp_stat')).toBe('PS=600,OS=96000,PR=600,OR=96000,PL=0');
    expect(hangup.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    expect(hangup.getHeader('variable_sip_hangup_disposition')).toBe('recv_bye');
    expect(hangup.getHeader('variable_sip_reason')).toBe('Q.850;cause=17;text="USER_BUSY"');
    expect(hangup.getHeader('variable_sip_term_status')).toBe('200');
    expect(hangup.getHeader('variable_proto_specific_hangup_cause')).toBe('sip:200');
    expect(hangup.getHeader('variable_sip_term_cause')).toBe('17');
  });

  it('a BYE without one (or with a SIP Reason) is NORMAL_CLEARING', async () => {
    const { r, p, invite, uuid, ok } = await callIn('2000');
    p.send(inDialog(invite, ok as SipResponse, 'BYE', 2, [['Reason', 'SIP;cause=486;text="Busy Here"']]));
    const hangup = await r.waitFor(hangupOf(uuid));
    expect(hangup.getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');
    expect(hangup.getHeader('variable_sip_term_cause')).toBe('16');
  });

  it('a refusal’s Q.850 cause is the outbound leg’s cause; sip_term_status and proto_specific_hangup_cause are the status', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const p = await phone(r);
    const out = r.sw.originate(`sofia/internal/callee@127.0.0.1:${p.port} &park()`);
    const invite = await p.request('INVITE');
    p.send(responseTo(invite, 480, { toTag: 'x1', headers: [['Reason', 'Q.850;cause=19;text="NO_ANSWER"']] }));
    expect(await out).toBe('-ERR NO_ANSWER\n');
    const hangup = await r.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE');
    expect(hangup.getHeader('variable_sip_term_status')).toBe('480');
    expect(hangup.getHeader('variable_proto_specific_hangup_cause')).toBe('sip:480');
    expect(hangup.getHeader('variable_sip_term_cause')).toBe('19');
    expect(hangup.getHeader('variable_sip_reason')).toBe('Q.850;cause=19;text="NO_ANSWER"');
    expect(hangup.getHeader('variable_sip_invite_failure_status')).toBe('480');
  });
});

describe('an INVITE’s custom headers', () => {
  it('become sip_h_* variables (a repeated one sip_h_<name>-1), History-Info sip_history_info; sofia-sip’s own P- headers do not', async () => {
    const { r, uuid } = await callIn(
      '2002',
      [
        ['X-Account', '42'],
        ['X-Account', '43'],
        ['P-Charge-Info', '<sip:5551000@example.com>'],
        ['P-Asserted-Identity', '<sip:1000@beamline.test>'],
        ['Diversion', '<sip:2000@beamline.test>;reason=unconditional'],
        ['History-Info', '<sip:a@x>;index=1'],
        ['History-Info', '<sip:b@x>;index=1.1'],
        ['X-FS-Support', 'update_display'],
        ['Subject', 'not custom'],
      ],
      false,
    );
    const get = (name: string) => r.sw.api(`uuid_getvar ${uuid} ${name}`);
    expect(await get('sip_h_X-Account')).toBe('42');
    expect(await get('sip_h_X-Account-1')).toBe('43');
    expect(await get('sip_h_P-Charge-Info')).toBe('<sip:5551000@example.com>');
    expect(await get('sip_h_Diversion')).toBe('<sip:2000@beamline.test>;reason=unconditional');
    expect(await get('sip_history_info')).toBe('<sip:a@x>;index=1, <sip:b@x>;index=1.1');
    expect(await get('sip_h_P-Asserted-Identity')).toBe('_undef_');
    expect(await get('sip_h_X-FS-Support')).toBe('_undef_');
    expect(await get('sip_h_Subject')).toBe('_undef_');
  });
});

describe('sip_h_* variables on an outbound INVITE', () => {
  it('the leg’s own become headers, less those exclude_outgoing_extra_header matches', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const p = await phone(r);
    void r.sw.originate(
      `{sip_h_X-Test=hello,sip_h_X-Gone=1,exclude_outgoing_extra_header=^sip_h_X-Gone$}sofia/internal/callee@127.0.0.1:${p.port} &park()`,
    );
    const invite = await p.request('INVITE');
    expect(header(invite, 'x-test')).toBe('hello');
    expect(header(invite, 'x-gone')).toBeUndefined();
    p.send(responseTo(invite, 486, { toTag: 'x2' }));
  });

  it('a bridged leg carries its caller’s (the phone’s X- headers)', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const callee = await phone(r);
    const first = await callIn(`2006-${callee.port}`, [['X-Account', '42']], false);
    const invite = await callee.request('INVITE');
    expect(header(invite, 'x-account')).toBe('42');
    callee.send(responseTo(invite, 486, { toTag: 'x3' }));
    await r.waitFor(hangupOf(first.uuid));
  });

  it('a caller with sip_copy_custom_headers=false passes none on', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const a = await phone(r);
    const b = await phone(r);
    void r.sw.originate(
      `{sip_h_X-Mine=a,sip_copy_custom_headers=false}sofia/internal/a@127.0.0.1:${a.port} &bridge(sofia/internal/b@127.0.0.1:${b.port})`,
    );
    const toA = await a.request('INVITE');
    expect(header(toA, 'x-mine')).toBe('a');
    a.send(responseTo(toA, 200, { toTag: 'x4', headers: [['Contact', `<sip:a@127.0.0.1:${a.port}>`]], body: sdp(a.port + 2) }));
    const toB = await b.request('INVITE');
    expect(header(toB, 'x-mine')).toBeUndefined();
    b.send(responseTo(toB, 486, { toTag: 'x5' }));
  });
});

describe('sip_ph_, sip_rh_ and sip_bye_h_ variables on what we send', () => {
  it('sip_ph_* on the 183, sip_rh_* on the 200, sip_bye_h_* on the BYE', async () => {
    const { r, p, invite, uuid } = await callIn('2002', [], false);
    await p.take((m) => m.kind === 'response' && m.status === 180);
    await r.sw.api(`uuid_setvar ${uuid} sip_ph_X-Progress early`);
    await r.sw.api(`uuid_pre_answer ${uuid}`);
    const early = await p.take((m) => m.kind === 'response' && m.status === 183);
    expect(header(early, 'x-progress')).toBe('early');
    await r.sw.api(`uuid_setvar ${uuid} sip_rh_X-Answered yes`);
    await r.sw.api(`uuid_answer ${uuid}`);
    const ok = await p.take((m) => m.kind === 'response' && m.status === 200);
    expect(header(ok, 'x-answered')).toBe('yes');
    expect(header(ok, 'x-progress')).toBeUndefined();
    p.send(inDialog(invite, ok, 'ACK', 1));
    await r.sw.api(`uuid_setvar ${uuid} sip_bye_h_X-Bye-Why done`);
    await r.sw.api(`uuid_kill ${uuid}`);
    const bye = await p.request('BYE');
    expect(header(bye, 'x-bye-why')).toBe('done');
    expect(header(bye, 'reason')).toBe('Q.850;cause=16;text="NORMAL_CLEARING"');
    p.send(responseTo(bye, 200));
  });

  it('a refusal carries sip_bye_h_* and sip_rh_*', async () => {
    const { r, p, uuid } = await callIn('2002', [], false);
    await p.take((m) => m.kind === 'response' && m.status === 180);
    await r.sw.api(`uuid_setvar ${uuid} sip_rh_X-Refused because`);
    await r.sw.api(`uuid_setvar ${uuid} sip_bye_h_X-Ended now`);
    await r.sw.api(`uuid_kill ${uuid} USER_BUSY`);
    const busy = await p.take((m) => m.kind === 'response' && m.status === 486);
    expect(header(busy, 'x-refused')).toBe('because');
    expect(header(busy, 'x-ended')).toBe('now');
  });

  it('an outbound leg’s CANCEL carries sip_bye_h_*', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const p = await phone(r);
    const out = r.sw.originate(`{sip_bye_h_X-Cancelled=yes,originate_timeout=3}sofia/internal/callee@127.0.0.1:${p.port} &park()`);
    const invite = await p.request('INVITE');
    p.send(responseTo(invite, 180, { toTag: 'x6' }));
    const cancel = await p.request('CANCEL');
    expect(header(cancel, 'x-cancelled')).toBe('yes');
    p.send(responseTo(cancel, 200));
    p.send(responseTo(invite, 487, { toTag: 'x6' }));
    expect(await out).toBe('-ERR NO_ANSWER\n');
  });
});

describe('a refused bridge', () => {
  it('refuses the caller with the callee’s SIP status (last_bridge_proto_specific_hangup_cause), not its cause’s', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    for (const [status, ours] of [
      [408, 'RECOVERY_ON_TIMER_EXPIRE'],
      [403, 'CALL_REJECTED'],
    ] as const) {
      const callee = await phone(r);
      const { p, uuid } = await callIn(`2006-${callee.port}`, [], false);
      const invite = await callee.request('INVITE');
      callee.send(responseTo(invite, status, { toTag: `r${status}` }));
      const refusal = (await p.take((m) => m.kind === 'response' && m.status >= 300)) as SipResponse;
      expect(refusal.status).toBe(status);
      const hangup = await r.waitFor(hangupOf(uuid));
      expect(hangup.getHeader('Hangup-Cause')).toBe(ours);
      expect(hangup.getHeader('variable_last_bridge_proto_specific_hangup_cause')).toBe(`sip:${status}`);
      expect(hangup.getHeader('variable_sip_invite_failure_status')).toBe(String(status));
    }
  });
});

describe('the Reason we send (sofia_on_hangup)', () => {
  it('passes a refused leg’s Reason on to its caller’s refusal verbatim (sip_reason)', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const callee = await phone(r);
    const { p } = await callIn(`2006-${callee.port}`, [], false);
    const invite = await callee.request('INVITE');
    const theirs = 'Q.850;cause=17;text="Busy (carrier)"';
    callee.send(responseTo(invite, 486, { toTag: 'b1', headers: [['Reason', theirs]] }));
    const refusal = (await p.take((m) => m.kind === 'response' && m.status >= 300)) as SipResponse;
    expect(refusal.status).toBe(486);
    expect(header(refusal, 'reason')).toBe(theirs);
  });

  it('sends none with disable_q850_reason=true', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const p = await phone(r);
    const out = r.sw.originate(`{disable_q850_reason=true,originate_timeout=1}sofia/internal/callee@127.0.0.1:${p.port} &park()`);
    const invite = await p.request('INVITE');
    p.send(responseTo(invite, 180, { toTag: 'd1' }));
    const cancel = await p.request('CANCEL');
    expect(header(cancel, 'reason')).toBeUndefined();
    p.send(responseTo(cancel, 200));
    p.send(responseTo(invite, 487, { toTag: 'd1' }));
    expect(await out).toBe('-ERR NO_ANSWER\n');
  });
});

describe('a far end’s custom headers on its responses and BYE', () => {
  it('a 183’s become sip_ph_*, a 200’s sip_rh_* (on the caller too, whose 200 carries them), a BYE’s sip_bye_h_*', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const callee = await phone(r);
    const { p, invite: toUs, uuid: a } = await callIn(`2006-${callee.port}`, [], false);
    const invite = await callee.request('INVITE');
    const b = (await r.waitFor((e) => e.type === 'CHANNEL_CREATE' && e.getHeader('Call-Direction') === 'outbound')).getHeader('Unique-ID') ?? '';
    const answer = sdp(callee.port + 2);
    callee.send(responseTo(invite, 183, { toTag: 'f1', headers: [['X-Early', 'e1']], body: answer }));
    callee.send(
      responseTo(invite, 200, {
        toTag: 'f1',
        headers: [
          ['X-Final', 'f1'],
          ['X-FS-Support', 'no'],
        ],
        body: answer,
      }),
    );
    const ack = await callee.request('ACK');
    const ok = (await p.take((m) => m.kind === 'response' && m.status === 200)) as SipResponse;
    expect(header(ok, 'x-final')).toBe('f1');
    p.send(inDialog(toUs, ok, 'ACK', 1));
    expect(await r.sw.api(`uuid_getvar ${b} sip_ph_X-Early`)).toBe('e1');
    expect(await r.sw.api(`uuid_getvar ${b} sip_rh_X-Final`)).toBe('f1');
    expect(await r.sw.api(`uuid_getvar ${b} sip_rh_X-FS-Support`)).toBe('_undef_');
    expect(await r.sw.api(`uuid_getvar ${a} sip_ph_X-Early`)).toBe('e1');
    callee.send({
      kind: 'request',
      method: 'BYE',
      uri: header(invite, 'contact')?.replace(/^<|>$/g, '') ?? invite.uri,
      headers: [
        ['Via', `SIP/2.0/UDP 127.0.0.1:${callee.port};branch=z9hG4bKbye1`],
        ['From', header(ack, 'to') ?? ''],
        ['To', header(invite, 'from') ?? ''],
        ['Call-ID', header(invite, 'call-id') ?? ''],
        ['CSeq', '1 BYE'],
        ['X-Why', 'done'],
        ['Reason', 'Q.850;cause=16;text="NORMAL_CLEARING"'],
      ],
      body: Buffer.alloc(0),
    });
    const hangup = await r.waitFor(hangupOf(b));
    expect(hangup.getHeader('variable_sip_bye_h_X-Why')).toBe('done');
    // sofia_handle_sip_i_bye tells the partner too: its hangup phrase, the Reason, the BYE's headers (which its own BYE carries)
    const bye = (await p.take((m) => m.kind === 'request' && m.method === 'BYE')) as SipRequest;
    expect(header(bye, 'x-why')).toBe('done');
    const caller = await r.waitFor(hangupOf(a));
    expect(caller.getHeader('variable_sip_hangup_phrase')).toBe('OK');
    expect(caller.getHeader('variable_sip_reason')).toBe('Q.850;cause=16;text="NORMAL_CLEARING"');
    expect(caller.getHeader('variable_sip_bye_h_X-Why')).toBe('done');
  });
});

/** A phone's CANCEL of its INVITE, with a Reason. */
const cancelOf = (invite: SipRequest, reason: string): SipRequest => ({
  kind: 'request',
  method: 'CANCEL',
  uri: invite.uri,
  headers: [
    ...invite.headers.filter(([n]) => /^(via|from|to|call-id|max-forwards)$/i.test(n)),
    ['CSeq', `${(header(invite, 'cseq') ?? '1').split(' ')[0]} CANCEL`],
    ['Reason', reason],
  ],
  body: Buffer.alloc(0),
});

describe('a phone’s CANCEL', () => {
  it('sets sip_invite_failure_status 487, sip_invite_failure_phrase CANCEL and its Reason as sip_reason', async () => {
    const { r, p, invite, uuid } = await callIn('2002', [], false);
    await p.take((m) => m.kind === 'response' && m.status === 180);
    p.send(cancelOf(invite, 'SIP;cause=200;text="Call completed elsewhere"'));
    const hangup = await r.waitFor(hangupOf(uuid));
    expect(hangup.getHeader('Hangup-Cause')).toBe('ORIGINATOR_CANCEL');
    expect(hangup.getHeader('variable_sip_hangup_disposition')).toBe('recv_cancel');
    expect(hangup.getHeader('variable_sip_invite_failure_status')).toBe('487');
    expect(hangup.getHeader('variable_sip_invite_failure_phrase')).toBe('CANCEL');
    expect(hangup.getHeader('variable_sip_reason')).toBe('SIP;cause=200;text="Call completed elsewhere"');
  });

  it('passes its Reason to the leg being dialled, whose CANCEL carries it (switch_channel_set_variable_partner)', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const callee = await phone(r);
    const { p, invite } = await callIn(`2006-${callee.port}`, [], false);
    const outInvite = await callee.request('INVITE');
    callee.send(responseTo(outInvite, 180, { toTag: 'c1' }));
    await p.take((m) => m.kind === 'response' && (m.status === 180 || m.status === 183));
    const reason = 'SIP;cause=200;text="Call completed elsewhere"';
    p.send(cancelOf(invite, reason));
    const cancel = await callee.request('CANCEL');
    expect(header(cancel, 'reason')).toBe(reason);
    callee.send(responseTo(cancel, 200));
    callee.send(responseTo(outInvite, 487, { toTag: 'c1' }));
  });
});

describe('an outbound INVITE from the channel’s variables', () => {
  it('alert_info is its Alert-Info, sip_invite_call_id its Call-ID', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const p = await phone(r);
    const out = r.sw.originate(
      `{alert_info='<http://127.0.0.1/ring.wav>;info=alert-autoanswer',sip_invite_call_id=my-call-1}sofia/internal/callee@127.0.0.1:${p.port} &park()`,
    );
    const invite = await p.request('INVITE');
    expect(header(invite, 'alert-info')).toBe('<http://127.0.0.1/ring.wav>;info=alert-autoanswer');
    expect(header(invite, 'call-id')).toBe('my-call-1');
    p.send(responseTo(invite, 486, { toTag: 'x7' }));
    expect(await out).toBe('-ERR USER_BUSY\n');
  });
  it('sip_invite_req_uri, sip_invite_to_uri / _to_params, sip_invite_from_uri / _from_params, sip_contact_user / sip_invite_contact_params shape the INVITE', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const p = await phone(r);
    const vars = [
      `sip_invite_req_uri=sip:7777@127.0.0.1:${p.port}`,
      "sip_invite_to_uri='<sip:9999@example.com>'",
      'sip_invite_to_params=user=phone',
      'sip_invite_from_uri=sip:5555@example.org',
      'sip_invite_from_params=isup-oli=62',
      "origination_caller_id_name='Bob'",
      'sip_contact_user=5551234',
      'sip_invite_contact_params=line=abc',
    ].join(',');
    const out = r.sw.originate(`{${vars}}sofia/internal/callee@127.0.0.1:${p.port} &park()`);
    const invite = await p.request('INVITE');
    expect(invite.uri).toBe(`sip:7777@127.0.0.1:${p.port}`);
    expect(header(invite, 'to')).toBe('<sip:9999@example.com;user=phone>');
    expect(header(invite, 'from')).toMatch(/^"Bob" <sip:5555@example\.org;isup-oli=62>;tag=\S+$/);
    expect(header(invite, 'contact')).toBe(`<sip:5551234@127.0.0.1:${r.port};line=abc>`);
    p.send(responseTo(invite, 486, { toTag: 'x8' }));
    expect(await out).toBe('-ERR USER_BUSY\n');
    // sofia_glue_do_invite records them on the channel
    const hangup = r.events.filter((e) => e.type === 'CHANNEL_HANGUP_COMPLETE').at(-1);
    expect(hangup?.getHeader('variable_sip_req_uri')).toBe(`7777@127.0.0.1:${p.port}`);
    expect(hangup?.getHeader('variable_sip_to_host')).toBe('example.com');
    expect(hangup?.getHeader('variable_sip_from_host')).toBe('example.org');
    expect(hangup?.getHeader('variable_sip_outgoing_contact_uri')).toBe(`<sip:5551234@127.0.0.1:${r.port};line=abc>`);
  });
  it('sip_invite_domain is the From’s host, sip_from_display its display name', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const p = await phone(r);
    const out = r.sw.originate(
      `{origination_caller_id_number=1234,origination_caller_id_name=Alice,sip_invite_domain=pbx.example.com,sip_from_display=Reception}sofia/internal/callee@127.0.0.1:${p.port} &park()`,
    );
    const invite = await p.request('INVITE');
    expect(header(invite, 'from')).toMatch(/^"Reception" <sip:1234@pbx\.example\.com>;tag=/);
    p.send(responseTo(invite, 486, { toTag: 'x8' }));
    expect(await out).toBe('-ERR USER_BUSY\n');
  });
});

describe('an outbound leg’s variables from the far end’s responses', () => {
  it('sip_user_agent (Server when no User-Agent), sip_allow, sip_reply_host / _port, sip_network_ip / _port', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const p = await phone(r);
    const out = r.sw.originate(`sofia/internal/callee@127.0.0.1:${p.port} &park()`);
    const invite = await p.request('INVITE');
    p.send(
      responseTo(invite, 180, {
        toTag: 'x9',
        headers: [
          ['Server', 'TestPhone/1.0'],
          ['Allow', 'INVITE, ACK, BYE, CANCEL'],
        ],
      }),
    );
    p.send(responseTo(invite, 200, { toTag: 'x9', headers: [['Contact', `<sip:callee@127.0.0.1:${p.port}>`]], body: sdp(p.port + 2) }));
    const uuid = (await out).replace(/^\+OK /, '').trim();
    const get = (name: string) => r.sw.api(`uuid_getvar ${uuid} ${name}`);
    expect(await get('sip_user_agent')).toBe('TestPhone/1.0');
    expect(await get('sip_allow')).toBe('INVITE, ACK, BYE, CANCEL');
    expect(await get('sip_reply_host')).toBe('127.0.0.1');
    expect(await get('sip_reply_port')).toBe(String(p.port));
    expect(await get('sip_network_ip')).toBe('127.0.0.1');
    expect(await get('sip_network_port')).toBe(String(p.port));
    expect(await get('sip_local_network_addr')).toBe('127.0.0.1');
  });
});

describe('an inbound channel’s dialog variables', () => {
  it('sip_cseq is the INVITE’s, sip_to_tag our tag once it rings', async () => {
    const { r, p, uuid } = await callIn('2002', [], false);
    const ringing = await p.take((m) => m.kind === 'response' && m.status === 180);
    const tag = /;\s*tag=([^;\s]+)/.exec(header(ringing, 'to') ?? '')?.[1];
    expect(tag).toBeDefined();
    expect(await r.sw.api(`uuid_getvar ${uuid} sip_to_tag`)).toBe(tag);
    expect(await r.sw.api(`uuid_getvar ${uuid} sip_cseq`)).toBe('1');
  });
});

describe('sip_auto_answer and sip_invite_params', () => {
  it('sip_auto_answer=true: Call-Info answer-after=0 and intercom=true on the Request-URI; sip_invite_params joins the Request-URI', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const p = await phone(r);
    void r.sw.originate(`{sip_auto_answer=true}sofia/internal/callee@127.0.0.1:${p.port} &park()`);
    const invite = await p.request('INVITE');
    expect(invite.uri).toBe(`sip:callee@127.0.0.1:${p.port};intercom=true`);
    expect(header(invite, 'call-info')).toBe('<sip:127.0.0.1>;answer-after=0');
    expect(header(invite, 'to')).toBe(`<sip:callee@127.0.0.1:${p.port}>`);
    p.send(responseTo(invite, 486, { toTag: 'y1' }));
    void r.sw.originate(`{sip_invite_params=user=phone}sofia/internal/callee@127.0.0.1:${p.port} &park()`);
    const second = await p.request('INVITE');
    expect(second.uri).toBe(`sip:callee@127.0.0.1:${p.port};user=phone`);
    expect(header(second, 'call-info')).toBeUndefined();
    p.send(responseTo(second, 486, { toTag: 'y2' }));
  });
});

describe('an inbound caller’s identity', () => {
  it('P-Asserted-Identity gives the caller id number and name (sip_cid_type pid)', async () => {
    const { r, uuid } = await callIn('2002', [['P-Asserted-Identity', '"Front Desk" <sip:+15551234@carrier.example>']], false);
    const created = await r.waitFor((e) => e.type === 'CHANNEL_CREATE' && e.getHeader('Unique-ID') === uuid);
    expect(created.getHeader('Caller-Caller-ID-Number')).toBe('+15551234');
    expect(created.getHeader('Caller-Caller-ID-Name')).toBe('Front Desk');
    expect(created.getHeader('Caller-ANI')).toBe('+15551234');
    expect(created.getHeader('Caller-Username')).toBe('+15551234');
    expect(created.getHeader('variable_sip_cid_type')).toBe('pid');
    expect(created.getHeader('variable_sip_P-Asserted-Identity')).toBe('+15551234');
    expect(created.getHeader('variable_sip_from_user')).toBe('1000');
  });

  it('a Remote-Party-ID too (sip_cid_type rpid, the whole header kept)', async () => {
    const rpid = '"Bob" <sip:2000@carrier.example>;party=calling;screen=yes;privacy=off';
    const { r, uuid } = await callIn('2002', [['Remote-Party-ID', rpid]], false);
    const created = await r.waitFor((e) => e.type === 'CHANNEL_CREATE' && e.getHeader('Unique-ID') === uuid);
    expect(created.getHeader('Caller-Caller-ID-Number')).toBe('2000');
    expect(created.getHeader('Caller-Caller-ID-Name')).toBe('Bob');
    expect(created.getHeader('variable_sip_cid_type')).toBe('rpid');
    expect(created.getHeader('variable_sip_Remote-Party-ID')).toBe(rpid);
  });
});

describe('the caller’s identity on an outbound INVITE', () => {
  it('Remote-Party-ID by default; sip_cid_type pid: P-Preferred-Identity and Privacy; none: neither', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const p = await phone(r);
    const cid = 'origination_caller_id_number=1234,origination_caller_id_name=Alice';
    const seen: SipRequest[] = [];
    for (const [i, type] of ['', ',sip_cid_type=pid', ',sip_cid_type=none'].entries()) {
      void r.sw.originate(`{${cid}${type}}sofia/internal/callee@127.0.0.1:${p.port} &park()`);
      const invite = await p.request('INVITE');
      seen.push(invite);
      p.send(responseTo(invite, 486, { toTag: `z${i}` }));
    }
    expect(header(seen[0], 'remote-party-id')).toBe('"Alice" <sip:1234@127.0.0.1>;party=calling;screen=no;privacy=off');
    expect(header(seen[1], 'remote-party-id')).toBeUndefined();
    expect(header(seen[1], 'p-preferred-identity')).toBe('"Alice" <sip:1234@127.0.0.1>');
    expect(header(seen[1], 'privacy')).toBe('none');
    expect(header(seen[2], 'remote-party-id')).toBeUndefined();
    expect(header(seen[2], 'p-preferred-identity')).toBeUndefined();
  });
});

describe('an inbound INVITE asking to be answered', () => {
  it('Call-Info answer-after=0 sets sip_auto_answer_detected and sip_call_info', async () => {
    const { r, uuid } = await callIn('2002', [['Call-Info', '<sip:127.0.0.1>;answer-after=0']], false);
    expect(await r.sw.api(`uuid_getvar ${uuid} sip_auto_answer_detected`)).toBe('true');
    expect(await r.sw.api(`uuid_getvar ${uuid} sip_call_info`)).toBe('<sip:127.0.0.1>;answer-after=0');
  });

  it('a second Call-Info is pushed onto sip_call_info (an array), as sofia_handle_sip_i_invite adds each one', async () => {
    const { r, uuid } = await callIn(
      '2002',
      [
        ['Call-Info', '<sip:127.0.0.1>;answer-after=0'],
        ['Call-Info', '<http://127.0.0.1/photo.png>;purpose=icon'],
      ],
      false,
    );
    expect(await r.sw.api(`uuid_getvar ${uuid} sip_call_info`)).toBe(
      'ARRAY::<sip:127.0.0.1>;answer-after=0|:<http://127.0.0.1/photo.png>;purpose=icon',
    );
    expect(await r.sw.api(`uuid_getvar ${uuid} sip_auto_answer_detected`)).toBe('true');
  });
});

describe('an outbound leg’s provisional responses (sofia_handle_sip_i_state)', () => {
  it('a 180 with SDP rings and then is early media; a 181 does neither', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    for (const [provisional, progress] of [
      [[181, 183], ['CHANNEL_PROGRESS_MEDIA']],
      [[180], ['CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA']],
    ] as const) {
      const p = await phone(r);
      const out = r.sw.originate(`sofia/internal/callee@127.0.0.1:${p.port} &park()`);
      const invite = await p.request('INVITE');
      const legOf = (e: { getHeader(n: string): string | undefined }) => e.getHeader('variable_sip_call_id') === header(invite, 'call-id');
      // the last one carries the SDP
      for (const [i, status] of provisional.entries()) {
        p.send(responseTo(invite, status, { toTag: 'p1', ...(i === provisional.length - 1 ? { body: sdp(p.port + 2) } : {}) }));
      }
      const media = await r.waitFor((e) => e.type === 'CHANNEL_PROGRESS_MEDIA' && legOf(e));
      const trace = r.events.filter((e) => legOf(e) && e.type.startsWith('CHANNEL_PROGRESS')).map((e) => e.type);
      expect(trace, String(provisional)).toEqual(progress);
      await r.sw.api(`uuid_kill ${media.getHeader('Unique-ID')}`);
      const cancel = await p.request('CANCEL');
      p.send(responseTo(cancel, 200));
      p.send(responseTo(invite, 487, { toTag: 'p1' }));
      await out;
    }
  });
});

describe('Accept-Language (sofia_set_accept_language_channel_variable)', () => {
  it('an INVITE’s becomes sip_accept_language, sip_accept_language_<n>_value / _q and _count, not a sip_h_ variable', async () => {
    const { r, uuid } = await callIn('2002', [['Accept-Language', 'da, en-gb;q=0.8, en;q=0.7']], false);
    const get = (name: string) => r.sw.api(`uuid_getvar ${uuid} ${name}`);
    expect(await get('sip_accept_language')).toBe('da');
    expect(await get('sip_accept_language_0_value')).toBe('da');
    expect(await get('sip_accept_language_0_q')).toBe('_undef_');
    expect(await get('sip_accept_language_1_value')).toBe('en-gb');
    expect(await get('sip_accept_language_1_q')).toBe('0.8');
    expect(await get('sip_accept_language_2_q')).toBe('0.7');
    expect(await get('sip_accept_language_count')).toBe('3');
    expect(await get('sip_h_Accept-Language')).toBe('_undef_');
  });
});

describe('Max-Forwards', () => {
  it('an inbound INVITE’s is the channel’s max_forwards; an outbound leg’s max_forwards is its INVITE’s', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const caller = await phone(r);
    const built = caller.build('INVITE', `sip:2002@127.0.0.1:${r.port}`, { to: '<sip:2002@beamline.test>', body: sdp(caller.port + 2) });
    caller.send({ ...built, headers: built.headers.map(([n, v]): [string, string] => [n, /^max-forwards$/i.test(n) ? '12' : v]) });
    const created = await r.waitFor((e) => e.type === 'CHANNEL_CREATE' && e.getHeader('Caller-Destination-Number') === '2002');
    expect(await r.sw.api(`uuid_getvar ${created.getHeader('Unique-ID')} max_forwards`)).toBe('12');
    const p = await phone(r);
    const out = r.sw.originate(`{max_forwards=7}sofia/internal/callee@127.0.0.1:${p.port} &park()`);
    const invite = await p.request('INVITE');
    expect(header(invite, 'max-forwards')).toBe('7');
    p.send(responseTo(invite, 486, { toTag: 'm1' }));
    expect(await out).toBe('-ERR USER_BUSY\n');
  });
});

describe('the callee’s id in our responses (generate_pai_str)', () => {
  it('a 180 names whom the phone reached: Remote-Party-ID with the destination (no callee id yet)', async () => {
    const { p } = await callIn('2002', [], false);
    const ringing = await p.take((m) => m.kind === 'response' && m.status === 180);
    expect(header(ringing, 'remote-party-id')).toBe('"2002" <sip:2002@beamline.test>;party=calling;privacy=off;screen=no');
  });
});

describe('an inbound INVITE’s Alert-Info', () => {
  it('is the channel’s alert_info (sofia_handle_sip_i_invite), for the dialplan to read', async () => {
    const { r, uuid } = await callIn('2002', [['Alert-Info', '<http://127.0.0.1/ring.wav>;info=alert-group']], false);
    expect(await r.sw.api(`uuid_getvar ${uuid} alert_info`)).toBe('<http://127.0.0.1/ring.wav>;info=alert-group');
  });
});

describe('the respond application', () => {
  it('a 183 carries sip_ph_*, a refusal sip_bye_h_* and sip_rh_*', async () => {
    const { r, p, uuid } = await callIn('2002', [], false);
    await p.take((m) => m.kind === 'response' && m.status === 180);
    await r.sw.api(`uuid_setvar ${uuid} sip_ph_X-Early-Why queue`);
    await r.sw.api(`uuid_setvar ${uuid} sip_rh_X-Refused closed`);
    await r.sw.api(`uuid_broadcast ${uuid} respond::183 aleg`);
    const early = await p.take((m) => m.kind === 'response' && m.status === 183);
    expect(header(early, 'x-early-why')).toBe('queue');
    await r.sw.api(`uuid_broadcast ${uuid} respond::480 aleg`);
    const refusal = await p.take((m) => m.kind === 'response' && m.status === 480);
    expect(header(refusal, 'x-refused')).toBe('closed');
  });
});
