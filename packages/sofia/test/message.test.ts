/**
 * SIP MESSAGE (sofia_presence.c): a phone's MESSAGE is challenged (auth-messages), then answered
 * 202 and becomes a MESSAGE event; the `chat` API sends a MESSAGE to a registered phone and says
 * `Sent` when it is answered 2xx, `Error! Message Not Sent` when nobody is registered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chatConfigOf } from '../src/message_config.ts';
import { responseTo } from '../src/sip/build.ts';
import { answerChallenge } from '../src/sip/digest.ts';
import { type SipRequest, header } from '../src/sip/message.ts';
import { type Rig, startRig } from './helpers.ts';
import { NatPhone } from './nat_phone.ts';

let rig: Rig | undefined;
const phones: NatPhone[] = [];
afterEach(async () => {
  for (const p of phones.splice(0)) p.close();
  await rig?.stop();
  rig = undefined;
});

async function phone(r: Rig): Promise<NatPhone> {
  const p = await NatPhone.open(r.port);
  phones.push(p);
  return p;
}

describe('chat params', () => {
  it('auth-messages defaults on; disable-auth-messages wins', () => {
    expect(chatConfigOf(new Map()).authMessages).toBe(true);
    expect(chatConfigOf(new Map([['auth-messages', 'false']])).authMessages).toBe(false);
    expect(
      chatConfigOf(
        new Map([
          ['auth-messages', 'true'],
          ['disable-auth-messages', 'true'],
        ]),
      ).authMessages,
    ).toBe(false);
  });
});

describe('MESSAGE in', () => {
  it('is challenged 407, then answered 202 and fired as a MESSAGE event', async () => {
    rig = await startRig();
    const p = await phone(rig);
    const uri = 'sip:1001@beamline.test';
    const msg = (extra: [string, string][]) =>
      p.build('MESSAGE', uri, { callId: 'msg-1', to: `<${uri}>`, headers: [['Content-Type', 'text/plain'], ...extra], body: 'hello there' });
    p.send(msg([]));
    const first = await p.response('msg-1', 'MESSAGE');
    expect(first.status).toBe(407);
    const auth = answerChallenge(header(first, 'proxy-authenticate') ?? '', 'MESSAGE', uri, { username: '1000', password: '1234' });
    p.send(msg([['Proxy-Authorization', auth ?? '']]));
    expect((await p.response('msg-1', 'MESSAGE')).status).toBe(202);
    const e = await rig.waitFor((x) => x.type === 'MESSAGE' && x.getHeader('proto') === 'sip');
    expect(['from', 'to', 'subject', 'type', 'to_user', 'sip_profile'].map((h) => e.getHeader(h))).toEqual([
      '1000@beamline.test',
      '1001@beamline.test',
      'SIMPLE MESSAGE',
      'text/plain',
      '1001',
      'internal',
    ]);
    expect(e.body).toBe('hello there');
    expect(e.getHeader('Nonblocking-Delivery')).toBe('true');
  });

  it('reaches the To user where it registered, From kept (sofia_presence_chat_send through the chat core)', async () => {
    rig = await startRig({ authMessages: false });
    const b = await phone(rig);
    const a = await NatPhone.open(rig.port, undefined, '1002');
    phones.push(a);
    expect((await b.register()).status).toBe(200);
    const sent = a.build('MESSAGE', 'sip:1000@beamline.test', { callId: 'msg-3', to: '<sip:1000@beamline.test>', body: 'relay me' });
    a.send(sent);
    expect((await a.response('msg-3', 'MESSAGE')).status).toBe(202);
    const m = await b.request('MESSAGE');
    expect(m.uri).toBe(b.contactUri);
    expect(header(m, 'from')).toMatch(/^<sip:1002@beamline\.test>;tag=/);
    expect(header(m, 'from')?.match(/;tag=/g)).toHaveLength(1);
    expect(header(m, 'from')).not.toBe(header(sent, 'from'));
    expect(m.body.toString()).toBe('relay me');
  });

  it('auth-messages false: 202 at once', async () => {
    rig = await startRig({ authMessages: false });
    const p = await phone(rig);
    p.send(p.build('MESSAGE', 'sip:1001@beamline.test', { callId: 'msg-2', to: '<sip:1001@beamline.test>', body: 'hi' }));
    expect((await p.response('msg-2', 'MESSAGE')).status).toBe(202);
  });
});

describe('MESSAGE out (the chat API)', () => {
  it('reaches the registered phone; Sent on its 200', async () => {
    rig = await startRig();
    const p = await phone(rig);
    expect((await p.register()).status).toBe(200);
    const sent = rig.sw.api('chat sip|1001@beamline.test|1000@beamline.test|hello phone|text/plain');
    const m = (await p.request('MESSAGE')) as SipRequest;
    expect(m.uri).toBe(p.contactUri);
    expect(header(m, 'from')).toMatch(/^"1001" <sip:1001@beamline\.test>;tag=/);
    expect(header(m, 'content-type')).toBe('text/plain');
    expect(m.body.toString()).toBe('hello phone');
    p.send(responseTo(m, 200));
    expect(await sent).toBe('Sent');
    const e = await rig.waitFor((x) => x.type === 'MESSAGE' && x.getHeader('Delivery-Failure') !== undefined);
    expect(e.getHeader('Delivery-Failure')).toBe('false');
  });

  it('nobody registered: Error! Message Not Sent; bad args: Invalid', async () => {
    rig = await startRig();
    expect(await rig.sw.api('chat sip|1001@beamline.test|1000@beamline.test|hello')).toBe('Error! Message Not Sent');
    expect(await rig.sw.api('chat sip|1001@beamline.test')).toBe('Invalid');
  });
});
