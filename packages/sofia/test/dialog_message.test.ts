/**
 * mod_commands' messages to a SIP call's phone (mod_sofia's receive_message): uuid_send_info is an
 * INFO in the dialog, uuid_send_message a MESSAGE, uuid_phone_event a NOTIFY with Event talk/hold,
 * uuid_display an UPDATE with P-Asserted-Identity to a phone that allows UPDATE and is on
 * mod_sofia's list; each answers mod_commands' words.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { responseTo } from '../src/sip/build.ts';
import { type SipMessage, type SipRequest, header } from '../src/sip/message.ts';
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

function ackHeaders(invite: SipRequest, ok: SipMessage): [string, string][] {
  const seq = (header(invite, 'cseq') ?? '1').split(' ')[0];
  return invite.headers
    .filter(([n]) => !/^content-type$/i.test(n))
    .map(([n, v]): [string, string] => (/^cseq$/i.test(n) ? [n, `${seq} ACK`] : /^to$/i.test(n) ? [n, header(ok, 'to') ?? v] : [n, v]));
}

/** An answered call from the phone to the echo extension; the channel's uuid. */
async function answeredCall(extra: [string, string][] = []): Promise<{ r: Rig; p: NatPhone; uuid: string; to: string }> {
  const r = await startRig({ authCalls: false, context: 'default' });
  rig = r;
  const p = await NatPhone.open(r.port);
  phone = p;
  const built = p.build('INVITE', `sip:2005@127.0.0.1:${r.port}`, { to: '<sip:2005@beamline.test>', body: sdp(p.port + 2) });
  const replaced = (n: string) => extra.some(([e]) => e.toLowerCase() === n.toLowerCase());
  const invite: SipRequest = { ...built, headers: [...built.headers.filter(([n]) => !replaced(n)), ...extra] };
  p.send(invite);
  const ok = await p.take((m) => m.kind === 'response' && m.status === 200);
  p.send({ ...p.build('ACK', `sip:2005@127.0.0.1:${r.port}`, { to: header(ok, 'to') }), headers: ackHeaders(invite, ok) });
  const answer = await r.waitFor((e) => e.type === 'CHANNEL_ANSWER');
  return { r, p, uuid: answer.getHeader('Unique-ID') ?? '', to: header(ok, 'to') ?? '' };
}

describe('messages to a call’s phone', () => {
  it('uuid_send_info: an INFO with the content type and body (fs_send_unsupported_info)', async () => {
    const { r, p, uuid } = await answeredCall();
    await r.sw.api(`uuid_setvar ${uuid} fs_send_unsupported_info true`);
    expect(await r.sw.api(`uuid_send_info ${uuid} application tone hello world`)).toBe('+OK Success\n');
    const info = await p.request('INFO');
    expect(header(info, 'content-type')).toBe('application/tone');
    expect(info.body.toString()).toBe('hello world');
    p.send(responseTo(info, 200));
    expect(await r.sw.api(`uuid_send_info ${uuid} just-data`)).toBe('+OK Success\n');
    const plain = await p.request('INFO');
    expect(header(plain, 'content-type')).toBe('freeswitch/data');
    expect(plain.body.toString()).toBe('just-data');
    expect(await r.sw.api(`uuid_send_info ${uuid} a b`)).toBe('-USAGE: <uuid> [<mime_type> <mime_subtype>] <message>\n');
    expect(await r.sw.api('uuid_send_info nosuch hi')).toBe('-ERR Operation Failed\n');
  });

  it('uuid_send_message: a MESSAGE in the dialog; a missing channel is said', async () => {
    const { r, p, uuid } = await answeredCall();
    await r.sw.api(`uuid_setvar ${uuid} fs_send_unsupported_message true`);
    expect(await r.sw.api(`uuid_send_message ${uuid} hi there`)).toBe('+OK Success\n');
    const m = await p.request('MESSAGE');
    expect(m.body.toString()).toBe('hi there');
    expect(header(m, 'call-id')).toBe(p.callId);
    expect(await r.sw.api('uuid_send_message nosuch hi')).toBe('-ERR Unable to find session for UUID\n');
    expect(await r.sw.api('uuid_send_message')).toBe('-USAGE: <uuid> <message>\n');
  });

  it('uuid_phone_event: NOTIFY Event talk, or hold', async () => {
    const { r, p, uuid } = await answeredCall();
    expect(await r.sw.api(`uuid_phone_event ${uuid} hold`)).toBe('+OK Success\n');
    const n = await p.request('NOTIFY');
    expect(header(n, 'event')).toBe('hold');
    expect(header(n, 'subscription-state')).toBe('active');
    expect(await r.sw.api(`uuid_phone_event ${uuid}`)).toBe('+OK Success\n');
    expect(header(await p.request('NOTIFY'), 'event')).toBe('talk');
  });

  it('a MESSAGE inside the call: 202, and a MESSAGE event naming the channel', async () => {
    const { r, p, uuid, to } = await answeredCall();
    const inDialog = p.build('MESSAGE', `sip:2005@127.0.0.1:${r.port}`, { to, body: 'in call' });
    p.send(inDialog);
    expect((await p.response(p.callId, 'MESSAGE')).status).toBe(202);
    const e = await r.waitFor((x) => x.type === 'MESSAGE' && x.getHeader('Unique-ID') === uuid);
    expect(e.body).toBe('in call');
    expect(e.getHeader('to')).toBe('2005@beamline.test');
  });

  it('uuid_display: UPDATE with P-Asserted-Identity to a Yealink that allows UPDATE', async () => {
    const { r, p, uuid } = await answeredCall([
      ['Allow', 'INVITE, ACK, BYE, UPDATE'],
      ['User-Agent', 'Yealink SIP-T46S'],
    ]);
    expect(await r.sw.api(`uuid_display ${uuid} Alice|1234`)).toBe('+OK Success\n');
    const u = await p.request('UPDATE');
    expect(header(u, 'p-asserted-identity')).toBe('"Alice" <sip:1234@127.0.0.1>');
    expect(await r.sw.api(`uuid_getvar ${uuid} last_sent_callee_id_name`)).toBe('Alice');
    expect(await r.sw.api(`uuid_display ${uuid}`)).toBe('-USAGE: <uuid> <display>\n');
  });
});
