/**
 * `sofia status profile <name>` and `sofia xmlstatus profile <name>` in full, as mod_sofia's
 * cmd_status / cmd_xml_status print them, with the profile's call totals (ib_calls,
 * ib_failed_calls, ob_calls, ob_failed_calls) counted where sofia.c and mod_sofia.c count them:
 * calls in from the tests' own phone (answered, refused by the dialplan, refused before a channel)
 * and out to another (answered, busy, a bad URL, a gateway that is down).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { freeUdpPort } from '../../../tools/sipp/sipp.ts';
import { responseTo } from '../src/sip/build.ts';
import { type SipMessage, type SipRequest, header } from '../src/sip/message.ts';
import { type Rig, gatewayConfig, startRig } from './helpers.ts';
import { NatPhone } from './nat_phone.ts';

let rig: Rig | undefined;
const phones: NatPhone[] = [];
afterEach(async () => {
  for (const p of phones.splice(0)) p.close();
  await rig?.stop();
  rig = undefined;
});

const LINE = '='.repeat(97);

const sdp = (port: number) =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

/** The ACK of a final response: the INVITE's Via (its branch, for a non-2xx), the response's To. */
function ackFor(phone: NatPhone, invite: SipRequest, final: SipMessage): SipRequest {
  const seq = (header(invite, 'cseq') ?? '1').split(' ')[0];
  const headers = invite.headers
    .filter(([n]) => !/^content-type$/i.test(n))
    .map(([n, v]): [string, string] => (/^cseq$/i.test(n) ? [n, `${seq} ACK`] : /^to$/i.test(n) ? [n, header(final, 'to') ?? v] : [n, v]));
  return { ...phone.build('ACK', invite.uri, { callId: header(invite, 'call-id') }), headers };
}

/** A phone calls `number`; the final response (ACKed). */
async function callIn(phone: NatPhone, port: number, number: string, body?: string): Promise<SipMessage> {
  const callId = `in-${number}-${Date.now()}`;
  const invite = phone.build('INVITE', `sip:${number}@127.0.0.1:${port}`, { callId, to: `<sip:${number}@beamline.test>`, body });
  phone.send(invite);
  const final = await phone.take((m) => m.kind === 'response' && header(m, 'call-id') === callId && m.status >= 200);
  phone.send(ackFor(phone, invite, final));
  return final;
}

/** The next INVITE the callee gets, answered with `status` (200 with SDP). */
async function answerNext(callee: NatPhone, status: number): Promise<SipRequest> {
  const invite = await callee.request('INVITE');
  const res = responseTo(invite, status, { toTag: `callee${status}`, headers: [['Contact', `<${callee.contactUri}>`]] });
  callee.send(status === 200 ? { ...res, headers: [...res.headers, ['Content-Type', 'application/sdp']], body: Buffer.from(sdp(41000)) } : res);
  return invite;
}

/** Polls `api` until it says `expected` (counters are told to the profile by other processes), then gives what it says. */
async function settled(r: Rig, api: string, expected: string): Promise<string> {
  const end = Date.now() + 5000;
  let said = await r.sw.api(api);
  while (said !== expected && Date.now() < end) {
    await new Promise((res) => setTimeout(res, 50));
    said = await r.sw.api(api);
  }
  return said;
}

function statusText(port: number, calls: { in: number; failedIn: number; out: number; failedOut: number }): string {
  return [
    LINE,
    'Name             \tinternal',
    'Domain Name      \tN/A',
    'Auto-NAT         \tfalse',
    'DBName           \tsofia_reg_internal',
    'Pres Hosts       \ta.test,b.test',
    'Dialplan         \tXML',
    'Context          \tdefault',
    'Challenge Realm  \tauto_from',
    'RTP-IP           \t127.0.0.1',
    'SIP-IP           \t127.0.0.1',
    `URL              \tsip:mod_sofia@127.0.0.1:${port}`,
    `BIND-URL         \tsip:mod_sofia@127.0.0.1:${port};transport=udp,tcp`,
    'HOLD-MUSIC       \tN/A',
    'OUTBOUND-PROXY   \tN/A',
    'CODECS IN        \t',
    'CODECS OUT       \t',
    'TEL-EVENT        \t101',
    'DTMF-MODE        \tinfo',
    'CNG              \t13',
    'SESSION-TO       \t0',
    'MAX-DIALOG       \t0',
    'MAX-RECV-RPS     \t1000',
    'NOMEDIA          \tfalse',
    'LATE-NEG         \tfalse',
    'PROXY-MEDIA      \tfalse',
    'AGGRESSIVENAT    \ttrue',
    `CALLS-IN         \t${calls.in}`,
    `FAILED-CALLS-IN  \t${calls.failedIn}`,
    `CALLS-OUT        \t${calls.out}`,
    `FAILED-CALLS-OUT \t${calls.failedOut}`,
    'REGISTRATIONS    \t0',
    '',
  ].join('\n');
}

describe('sofia status profile: every line of cmd_status, with the call totals', () => {
  it('counts calls in and out, answered and failed, as sofia.c does; xmlstatus says the same', async () => {
    const deadPort = await freeUdpPort();
    rig = await startRig({
      authCalls: false,
      context: 'default',
      presenceHosts: ['a.test', 'b.test'],
      challengeRealm: 'auto_from',
      dtmfType: 'info',
      aggressiveNatDetection: true,
      gateways: [gatewayConfig('gw_dead', deadPort)],
    });
    const { port } = rig;
    const caller = await NatPhone.open(port);
    const callee = await NatPhone.open(port);
    phones.push(caller, callee);
    const status = 'sofia status profile internal';
    expect(await rig.sw.api(status)).toBe(statusText(port, { in: 0, failedIn: 0, out: 0, failedOut: 0 }));

    // in: answered (echo), then the phone hangs up: a call, not a failed one
    const ok = await callIn(caller, port, '2005', sdp(40000));
    expect(ok.kind === 'response' && ok.status).toBe(200);
    caller.send(caller.build('BYE', `sip:mod_sofia@127.0.0.1:${port}`, { callId: header(ok, 'call-id'), to: header(ok, 'to') }));
    // in: the dialplan answers 486 (the channel hangs up unanswered)
    const busy = await callIn(caller, port, '2004', sdp(40002));
    expect(busy.kind === 'response' && busy.status).toBe(486);
    // in: no SDP and no enable-3pcc: refused before a channel
    const refused = await callIn(caller, port, '2005');
    expect(refused.kind === 'response' && refused.status).toBeGreaterThanOrEqual(400);
    const afterIn = statusText(port, { in: 3, failedIn: 2, out: 0, failedOut: 0 });
    expect(await settled(rig, status, afterIn)).toBe(afterIn);

    // out: answered, then killed: a call, not a failed one
    const answered = rig.sw.originate(`sofia/internal/1000@127.0.0.1:${callee.port} &park()`);
    await answerNext(callee, 200);
    const uuid = (await answered).replace(/^\+OK /, '').trim();
    await callee.request('ACK');
    await rig.sw.api(`uuid_kill ${uuid}`);
    const bye = await callee.request('BYE');
    callee.send(responseTo(bye, 200));
    // out: busy (placed, then failed at hangup: both counters)
    const busyOut = rig.sw.originate(`sofia/internal/1000@127.0.0.1:${callee.port} &park()`);
    await answerNext(callee, 486);
    expect(await busyOut).toBe('-ERR USER_BUSY\n');
    // out: a URL that cannot be dialled, and a gateway that is down: failed before a call
    expect(await rig.sw.originate('sofia/internal/1000@127.0.0.1:99999 &park()')).toBe('-ERR INVALID_URL\n');
    expect(await rig.sw.originate('sofia/gateway/gw_dead/100 &park()')).toBe('-ERR GATEWAY_DOWN\n');
    // and an unknown profile counts nowhere
    expect(await rig.sw.originate('sofia/nosuch/1000@127.0.0.1 &park()')).toBe('-ERR INVALID_PROFILE\n');

    const all = statusText(port, { in: 3, failedIn: 2, out: 2, failedOut: 3 });
    expect(await settled(rig, status, all)).toBe(all);

    const xml = await rig.sw.api('sofia xmlstatus profile internal');
    const info = all
      .split('\n')
      .slice(1, -6)
      .map((l) => l.split('\t')[1]);
    const tags = [
      'name',
      'domain-name',
      'auto-nat',
      'db-name',
      'pres-hosts',
      'dialplan',
      'context',
      'challenge-realm',
      'rtp-ip',
      'sip-ip',
      'url',
      'bind-url',
      'hold-music',
      'outbound-proxy',
      'inbound-codecs',
      'outbound-codecs',
      'tel-event',
      'dtmf-mode',
      'cng',
      'session-to',
      'max-dialog',
      'max-recv-rps',
      'nomedia',
      'late-neg',
      'proxy-media',
      'aggressive-nat',
    ];
    expect(tags.length).toBe(info.length);
    expect(xml).toBe(
      `<?xml version="1.0" encoding="ISO-8859-1"?>\n<profile>\n  <profile-info>\n${tags.map((t, i) => `    <${t}>${info[i]}</${t}>\n`).join('')}` +
        '    <calls-in>3</calls-in>\n    <calls-out>2</calls-out>\n    <failed-calls-in>2</failed-calls-in>\n    <failed-calls-out>3</failed-calls-out>\n' +
        '    <registrations>0</registrations>\n  </profile-info>\n</profile>\n',
    );
  });
});
