/**
 * SWITCH_MESSAGE_INDICATE_DEFLECT / _REDIRECT on SIP calls (mod_sofia's sofia_receive_message),
 * with a test phone on loopback: uuid_deflect on an answered call sends a REFER in the dialog, the
 * phone's final NOTIFY is the command's reply and the channel hangs up BLIND_TRANSFER; a `redirect`
 * (the application, or uuid_redirect) on an unanswered inbound call is the INVITE's 302 — or 300 for
 * a list — with Contact the URI(s).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { responseTo } from '../src/sip/build.ts';
import { type SipMessage, type SipRequest, type SipResponse, header } from '../src/sip/message.ts';
import { type Rig, startRig } from './helpers.ts';
import { NatPhone } from './nat_phone.ts';

let rig: Rig | undefined;
let phone: NatPhone | undefined;
afterEach(async () => {
  phone?.close();
  await rig?.stop();
  rig = undefined;
  phone = undefined;
});

const sdp = (port: number) =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

function ackHeaders(invite: SipRequest, final: SipMessage): [string, string][] {
  const seq = (header(invite, 'cseq') ?? '1').split(' ')[0];
  return invite.headers
    .filter(([n]) => !/^content-type$/i.test(n))
    .map(([n, v]): [string, string] => (/^cseq$/i.test(n) ? [n, `${seq} ACK`] : /^to$/i.test(n) ? [n, header(final, 'to') ?? v] : [n, v]));
}

const hangupOf = (uuid: string) => (e: { type: string; getHeader(n: string): string | undefined }) =>
  e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === uuid;

/** A call from the phone to `number`; `answered`: waits for (and ACKs) the 200, else for the channel to exist. */
async function call(number: string, answered: boolean): Promise<{ r: Rig; p: NatPhone; uuid: string; to: string; invite: SipRequest }> {
  const r = await startRig({ authCalls: false, context: 'default' });
  rig = r;
  const p = await NatPhone.open(r.port);
  phone = p;
  const invite = p.build('INVITE', `sip:${number}@127.0.0.1:${r.port}`, { to: `<sip:${number}@beamline.test>`, body: sdp(p.port + 2) });
  p.send(invite);
  if (!answered) {
    const created = await r.waitFor((e) => e.type === 'CHANNEL_CREATE');
    return { r, p, uuid: created.getHeader('Unique-ID') ?? '', to: '', invite };
  }
  const ok = await p.take((m) => m.kind === 'response' && m.status === 200);
  p.send({ ...p.build('ACK', `sip:${number}@127.0.0.1:${r.port}`, { to: header(ok, 'to') }), headers: ackHeaders(invite, ok) });
  const answer = await r.waitFor((e) => e.type === 'CHANNEL_ANSWER');
  return { r, p, uuid: answer.getHeader('Unique-ID') ?? '', to: header(ok, 'to') ?? '', invite };
}

/** The phone's NOTIFY of its REFER subscription, in the dialog, carrying `sipfrag`. */
function referNotify(p: NatPhone, r: Rig, to: string, sipfrag: string, state: string): SipRequest {
  return p.build('NOTIFY', `sip:mod_sofia@127.0.0.1:${r.port}`, {
    to,
    headers: [
      ['Event', 'refer'],
      ['Subscription-State', state],
      ['Content-Type', 'message/sipfrag;version=2.0'],
    ],
    body: sipfrag,
  });
}

/** The INVITE's final response (a redirect), ACKed. */
async function finalResponse(p: NatPhone, invite: SipRequest): Promise<SipResponse> {
  const res = (await p.take((m) => m.kind === 'response' && m.status >= 300)) as SipResponse;
  p.send({ ...p.build('ACK', invite.uri, { to: header(res, 'to') }), headers: ackHeaders(invite, res) });
  return res;
}

const contacts = (m: SipMessage) => m.headers.filter(([n]) => /^contact$/i.test(n)).map(([, v]) => v);

describe('uuid_deflect on an answered SIP call', () => {
  it('REFER with Refer-To the URI; the final NOTIFY’s sipfrag is the reply; BLIND_TRANSFER and a BYE', async () => {
    const { r, p, uuid, to } = await call('2005', true);
    const api = r.sw.api(`uuid_deflect ${uuid} sip:3000@127.0.0.1:5099`);
    const refer = await p.request('REFER');
    expect(header(refer, 'refer-to')).toBe('<sip:3000@127.0.0.1:5099>');
    expect(header(refer, 'referred-by')).toBe(`<sip:mod_sofia@127.0.0.1:${r.port}>`);
    expect(header(refer, 'call-id')).toBe(p.callId);
    p.send(responseTo(refer, 202));
    p.send(referNotify(p, r, to, 'SIP/2.0 100 Trying\r\n', 'active;expires=60'));
    expect((await p.response(p.callId, 'NOTIFY')).status).toBe(200);
    p.send(referNotify(p, r, to, 'SIP/2.0 200 OK\r\n', 'terminated;reason=noresource'));
    expect((await p.response(p.callId, 'NOTIFY')).status).toBe(200);
    expect(await api).toBe('+OK:SIP/2.0 200 OK\r\n\n');
    const bye = await p.request('BYE');
    p.send(responseTo(bye, 200));
    const hangup = await r.waitFor(hangupOf(uuid));
    expect(hangup.getHeader('Hangup-Cause')).toBe('BLIND_TRANSFER');
    expect(hangup.getHeader('variable_sip_hangup_disposition')).toBe('send_bye');
    expect(hangup.getHeader('variable_sip_refer_status_code')).toBe('202');
    expect(hangup.getHeader('variable_sip_refer_target_provisional_status_code')).toBe('100');
    expect(hangup.getHeader('variable_sip_refer_target_status_code')).toBe('200');
    expect(hangup.getHeader('variable_sip_refer_reply')).toBe('SIP/2.0 200 OK\r\n');
  });

  it('a bare user is at the profile’s address; sip_refer_continue_after_reply: no wait, the call stays up', async () => {
    const { r, p, uuid, to } = await call('2005', true);
    await r.sw.api(`uuid_setvar ${uuid} sip_refer_continue_after_reply true`);
    expect(await r.sw.api(`uuid_deflect ${uuid} 3000`)).toBe('+OK:\n');
    const refer = await p.request('REFER');
    expect(header(refer, 'refer-to')).toBe('<sip:3000@127.0.0.1>');
    p.send(responseTo(refer, 202));
    p.send(referNotify(p, r, to, 'SIP/2.0 200 OK\r\n', 'terminated;reason=noresource'));
    expect((await p.response(p.callId, 'NOTIFY')).status).toBe(200);
    expect(await r.sw.api(`uuid_getvar ${uuid} sip_refer_target_status_code`)).toBe('200');
    expect(await r.sw.api(`uuid_exists ${uuid}`)).toBe('true');
    // REDIRECT once answered: too late, a WARNING only
    expect(await r.sw.api(`uuid_redirect ${uuid} sip:3000@127.0.0.1`)).toBe('+OK:\n');
    expect(r.logs).toContain('WARNING Too late for redirecting, already answered');
    expect(await r.sw.api(`uuid_exists ${uuid}`)).toBe('true');
  });

  it('the phone hangs up while the DEFLECT waits: `no reply`, and the hangup stays the phone’s', async () => {
    const { r, p, uuid } = await call('2005', true);
    const api = r.sw.api(`uuid_deflect ${uuid} sip:3000@127.0.0.1:5099`);
    const refer = await p.request('REFER');
    p.send(responseTo(refer, 603));
    p.send(p.build('BYE', `sip:mod_sofia@127.0.0.1:${r.port}`, { to: header(refer, 'from') }));
    expect(await api).toBe('+OK:no reply\n');
    const hangup = await r.waitFor(hangupOf(uuid));
    expect(hangup.getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');
    expect(hangup.getHeader('variable_sip_hangup_disposition')).toBe('recv_bye');
    expect(hangup.getHeader('variable_sip_refer_status_code')).toBe('603');
  });
});

describe('redirect on an unanswered inbound SIP call', () => {
  it('the dialplan’s `redirect <uri>`: 302 Moved Temporarily, Contact "unknown" <uri>, NORMAL_UNSPECIFIED', async () => {
    const { r, p, uuid, invite } = await call('2015', false);
    const res = await finalResponse(p, invite);
    expect(res.status).toBe(302);
    expect(res.reason).toBe('Moved Temporarily');
    expect(contacts(res)).toEqual(['"unknown" <sip:3000@127.0.0.1:5099>']);
    const hangup = await r.waitFor(hangupOf(uuid));
    expect(hangup.getHeader('Hangup-Cause')).toBe('NORMAL_UNSPECIFIED');
    expect(hangup.getHeader('variable_sip_hangup_disposition')).toBe('send_refuse');
  });

  it('uuid_redirect with a list and a cause: 300 Multiple Choices, each Contact with its q; the cause is the hangup’s', async () => {
    const { r, p, uuid, invite } = await call('2002', false);
    await p.take((m) => m.kind === 'response' && m.status === 180);
    expect(await r.sw.api(`uuid_redirect ${uuid} sip:3000@127.0.0.1,<sip:3001@127.0.0.1> USER_BUSY`)).toBe('+OK:\n');
    const res = await finalResponse(p, invite);
    expect(res.status).toBe(300);
    expect(res.reason).toBe('Multiple Choices');
    expect(contacts(res)).toEqual(['"unknown" <sip:3000@127.0.0.1>;q=0.129,<sip:3001@127.0.0.1>']);
    expect((await r.waitFor(hangupOf(uuid))).getHeader('Hangup-Cause')).toBe('USER_BUSY');
  });
});
