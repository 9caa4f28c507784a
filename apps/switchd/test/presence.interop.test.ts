/**
 * Presence driven from Erlang, as with FreeSWITCH's mod_erlang_event: switchd with its default conf
 * (manage-presence on), a phone that SUBSCRIBEs (answering the 407) to 1001's presence and to its
 * own message-summary, and a real erl that fires PRESENCE_IN and MESSAGE_WAITING with
 * `{sendevent, …}`: each reaches the phone as a NOTIFY with the body the event says. It lives here,
 * not in packages/sofia, because it needs mod_erlang_event too, and sofia does not import it.
 */
import { randomBytes } from 'node:crypto';
import { type Socket, createSocket } from 'node:dgram';
import { type SipMessage, type SipRequest, type SipResponse, expectedResponse, formatMessage, header, parseMessage } from '@beamline/sofia';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErlNode, startErl } from '../../../tools/erl/node.ts';
import { type Proc, startSwitchd, stopSwitchd } from '../../../tools/apps/run.ts';
import { freeUdpPort } from '../../../tools/sipp/sipp.ts';

const NAME = 'fs_pres@localhost';
const HOST = '127.0.0.1';
let SIP = 0;
let sw: Proc;
let erl: ErlNode;
let socket: Socket;
const inbox: SipMessage[] = [];
const hex = () => randomBytes(6).toString('hex');
const sh = (line: string) => erl.eval(line, 10_000);

async function take(match: (m: SipMessage) => boolean, ms = 5000): Promise<SipMessage> {
  const end = Date.now() + ms;
  for (;;) {
    const i = inbox.findIndex(match);
    if (i >= 0) return inbox.splice(i, 1)[0];
    if (Date.now() > end) throw new Error('no matching SIP message');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SUBSCRIBE from 1000 to `target` for `event`, answering the 407; the 202's Call-ID. */
async function subscribe(event: string, target: string): Promise<string> {
  const callId = `pres-${hex()}`;
  const port = socket.address().port;
  const uri = `sip:${target}`;
  const request = (cseq: number, auth: [string, string][]): SipRequest => ({
    kind: 'request',
    method: 'SUBSCRIBE',
    uri,
    headers: [
      ['Via', `SIP/2.0/UDP ${HOST}:${port};branch=z9hG4bK${hex()};rport`],
      ['Max-Forwards', '70'],
      ['From', `<sip:1000@${HOST}>;tag=${hex()}`],
      ['To', `<${uri}>`],
      ['Call-ID', callId],
      ['CSeq', `${cseq} SUBSCRIBE`],
      ['Contact', `<sip:1000@${HOST}:${port}>`],
      ['Event', event],
      ['Expires', '300'],
      ...auth,
    ],
    body: Buffer.alloc(0),
  });
  const reply = (cseq: number) =>
    take((m) => m.kind === 'response' && header(m, 'call-id') === callId && header(m, 'cseq') === `${cseq} SUBSCRIBE`) as Promise<SipResponse>;
  socket.send(formatMessage(request(1, [])), SIP, HOST);
  const ask = await reply(1);
  expect(ask.status).toBe(407);
  const challenge = header(ask, 'proxy-authenticate') ?? '';
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const creds = { username: '1000', realm, nonce, uri, response: '', algorithm: 'MD5', qop: 'auth', nc: '00000001', cnonce: hex() };
  const response = expectedResponse(creds, 'SUBSCRIBE', { password: '1234' });
  const auth = `Digest username="1000", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${creds.cnonce}"`;
  socket.send(formatMessage(request(2, [['Proxy-Authorization', auth]])), SIP, HOST);
  expect((await reply(2)).status).toBe(202);
  return callId;
}

const notifyOf = (callId: string) =>
  take((m) => m.kind === 'request' && m.method === 'NOTIFY' && header(m, 'call-id') === callId) as Promise<SipRequest>;

beforeAll(async () => {
  SIP = await freeUdpPort();
  let epmdPort: number;
  ({ proc: sw, epmdPort } = await startSwitchd(NAME, ['--sip-port', String(SIP)]));
  erl = await startErl({ name: 'pres_erl@localhost', cookie: 'ClueCon', epmdPort });
  socket = createSocket('udp4');
  socket.on('message', (b) => {
    try {
      inbox.push(parseMessage(b));
    } catch {
      // not SIP
    }
  });
  await new Promise<void>((r) => socket.bind(0, HOST, r));
}, 90_000);

afterAll(async () => {
  socket?.close();
  await erl?.stop();
  await stopSwitchd(sw);
});

describe('presence and MWI from Erlang through switchd', { timeout: 30_000 }, () => {
  it('{sendevent, PRESENCE_IN, …} reaches a presence subscriber as pidf+xml', async () => {
    const callId = await subscribe('presence', `1001@${HOST}`);
    expect(header(await notifyOf(callId), 'content-type')).toBe('application/pidf+xml');
    const sent = await sh(
      `{foo, '${NAME}'} ! {sendevent, 'PRESENCE_IN', [{"proto", "sip"}, {"from", "1001@${HOST}"}, {"rpid", "busy"}, {"status", "In a meeting"}]}, receive R -> R after 3000 -> timeout end.`,
    );
    expect(sent).toBe('ok');
    const n = await notifyOf(callId);
    expect(header(n, 'event')).toBe('presence');
    const body = n.body.toString();
    expect(body).toContain(`entity='sip:1001@${HOST}'`);
    expect(body).toContain('<basic>open</basic>');
    expect(body).toContain('<rpid:busy/>');
    expect(body).toContain('<dm:note>In a meeting</dm:note>');
  });

  it('{sendevent, MESSAGE_WAITING, …} reaches a message-summary subscriber', async () => {
    const callId = await subscribe('message-summary', `1000@${HOST}`);
    expect((await notifyOf(callId)).body.toString()).toContain('Messages-Waiting: no');
    const sent = await sh(
      `{foo, '${NAME}'} ! {sendevent, 'MESSAGE_WAITING', [{"MWI-Messages-Waiting", "yes"}, {"MWI-Message-Account", "1000@${HOST}"}, {"MWI-Voice-Message", "3/0 (1/0)"}]}, receive R -> R after 3000 -> timeout end.`,
    );
    expect(sent).toBe('ok');
    const n = await notifyOf(callId);
    expect(header(n, 'content-type')).toBe('application/simple-message-summary');
    expect(n.body.toString()).toBe(`Messages-Waiting: yes\r\nMessage-Account: sip:1000@${HOST}\r\nVoice-Message: 3/0 (1/0)\r\n\r\n`);
  });
});
