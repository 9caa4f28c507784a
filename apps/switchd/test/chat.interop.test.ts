/**
 * SIP chat driven from Erlang, as with FreeSWITCH's mod_erlang_event: switchd with its default conf,
 * a phone registered as 1000, and a real erl. `{api, chat, "sip|…"}` reaches the phone as a
 * MESSAGE (answered 200: the reply is `Sent`); the phone's MESSAGE (answering the 407) reaches
 * erl's handler as a MESSAGE event.
 */
import { randomBytes } from 'node:crypto';
import { type Socket, createSocket } from 'node:dgram';
import { type SipMessage, type SipRequest, type SipResponse, expectedResponse, formatMessage, header, parseMessage } from '@beamline/sofia';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErlNode, startErl } from '../../../tools/erl/node.ts';
import { type Proc, startSwitchd, stopSwitchd } from '../../../tools/apps/run.ts';
import { freeUdpPort } from '../../../tools/sipp/sipp.ts';

const NAME = 'fs_chat@localhost';
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

/** `method` from 1000 (answering a 401 / 407 challenge); the final response. */
async function authed(method: string, uri: string, to: string, extra: [string, string][], body = ''): Promise<SipResponse> {
  const callId = `chat-${hex()}`;
  const port = socket.address().port;
  const request = (cseq: number, auth: [string, string][]): SipRequest => ({
    kind: 'request',
    method,
    uri,
    headers: [
      ['Via', `SIP/2.0/UDP ${HOST}:${port};branch=z9hG4bK${hex()};rport`],
      ['Max-Forwards', '70'],
      ['From', `<sip:1000@${HOST}>;tag=${hex()}`],
      ['To', `<${to}>`],
      ['Call-ID', callId],
      ['CSeq', `${cseq} ${method}`],
      ['Contact', `<sip:1000@${HOST}:${port}>`],
      ...extra,
      ...auth,
    ],
    body: Buffer.from(body),
  });
  const reply = (cseq: number) =>
    take((m) => m.kind === 'response' && header(m, 'call-id') === callId && header(m, 'cseq') === `${cseq} ${method}`) as Promise<SipResponse>;
  socket.send(formatMessage(request(1, [])), SIP, HOST);
  const ask = await reply(1);
  if (ask.status !== 401 && ask.status !== 407) return ask;
  const name = ask.status === 401 ? 'www-authenticate' : 'proxy-authenticate';
  const challenge = header(ask, name) ?? '';
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const creds = { username: '1000', realm, nonce, uri, response: '', algorithm: 'MD5', qop: 'auth', nc: '00000001', cnonce: hex() };
  const response = expectedResponse(creds, method, { password: '1234' });
  const auth = `Digest username="1000", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${creds.cnonce}"`;
  socket.send(formatMessage(request(2, [[ask.status === 401 ? 'Authorization' : 'Proxy-Authorization', auth]])), SIP, HOST);
  return reply(2);
}

beforeAll(async () => {
  SIP = await freeUdpPort();
  let epmdPort: number;
  ({ proc: sw, epmdPort } = await startSwitchd(NAME, ['--sip-port', String(SIP)]));
  erl = await startErl({ name: 'chat_erl@localhost', cookie: 'ClueCon', epmdPort });
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

describe('SIP chat from and to Erlang through switchd', { timeout: 30_000 }, () => {
  it('{api, chat, "sip|…"} reaches the registered phone as a MESSAGE, and says Sent', async () => {
    expect((await authed('REGISTER', `sip:${HOST}`, `sip:1000@${HOST}`, [['Expires', '300']])).status).toBe(200);
    const answer = sh(
      `{foo, '${NAME}'} ! {api, chat, "sip|1001@${HOST}|1000@${HOST}|hello from erl"}, receive {ok, C} -> C after 8000 -> timeout end.`,
    );
    const m = (await take((x) => x.kind === 'request' && x.method === 'MESSAGE')) as SipRequest;
    expect(header(m, 'from')).toMatch(new RegExp(`^"1001" <sip:1001@${HOST.replace(/\./g, '\\.')}>`));
    expect(m.body.toString()).toBe('hello from erl');
    socket.send(
      formatMessage({
        kind: 'response',
        status: 200,
        reason: 'OK',
        headers: m.headers.filter(([n]) => /^(via|from|to|call-id|cseq)$/i.test(n)),
        body: Buffer.alloc(0),
      }),
      SIP,
      HOST,
    );
    expect(await answer).toBe('"Sent"');
  });

  it('a phone’s MESSAGE (407 answered, then 202) reaches erl’s handler as a MESSAGE event', async () => {
    expect(await sh(`{foo, '${NAME}'} ! register_event_handler, receive R1 -> R1 after 1000 -> timeout end.`)).toBe('ok');
    expect(await sh(`{foo, '${NAME}'} ! {event, 'MESSAGE'}, receive R2 -> R2 after 1000 -> timeout end.`)).toBe('ok');
    const res = await authed('MESSAGE', `sip:1001@${HOST}`, `sip:1001@${HOST}`, [['Content-Type', 'text/plain']], 'hi erl');
    expect(res.status).toBe(202);
    expect(
      await sh(
        'receive {event, [_ | H]} -> {proplists:get_value("Event-Name", H), proplists:get_value("from", H), proplists:get_value("to", H), proplists:get_value("body", H)} after 5000 -> timeout end.',
      ),
    ).toBe(`{"MESSAGE","1000@${HOST}","1001@${HOST}","hi erl"}`);
  });
});
