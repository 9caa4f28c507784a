/** The pure parts: SIP message parsing and writing, addresses, digest, SDP, causes, telephone-events. */
import { describe, expect, it } from 'vitest';
import { NonceMaker } from '../src/auth.ts';
import { parseNameAddr, parseUri, parseVia } from '../src/sip/address.ts';
import { responseTo } from '../src/sip/build.ts';
import { causeToSipStatus, reasonHeader, sipStatusToCause } from '../src/sip/causes.ts';
import { answerChallenge, challenge, expectedResponse, parseAuthorization } from '../src/sip/digest.ts';
import { SipParseError, canonicalName, formatMessage, header, headerValues, parseMessage } from '../src/sip/message.ts';
import { answerDirection, formatSdp, holds, negotiate, parseSdp } from '../src/sip/sdp.ts';
import { parseTelephoneEvent } from '../src/rtp.ts';
import { Cause } from '@beamline/switch';

const INVITE = [
  'INVITE sip:2000@beamline.test SIP/2.0',
  'v: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK-1;rport',
  'Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-0, SIP/2.0/UDP 10.0.0.10;branch=z9hG4bK-x',
  'f: "Alice, A." <sip:1000@beamline.test>;tag=abc',
  't: <sip:2000@beamline.test>',
  'i: call-1@10.0.0.5',
  'CSeq: 1 INVITE',
  'Subject: a folded',
  '  header',
  'c: application/sdp',
  'l: 4',
  '',
  'v=0\r\nignored',
].join('\r\n');

describe('SIP messages', () => {
  it('reads compact names, folded lines, comma-separated Vias and a body cut at Content-Length', () => {
    const m = parseMessage(Buffer.from(INVITE));
    expect(m.kind).toBe('request');
    if (m.kind !== 'request') return;
    expect(m.method).toBe('INVITE');
    expect(m.uri).toBe('sip:2000@beamline.test');
    expect(header(m, 'Call-ID')).toBe('call-1@10.0.0.5');
    expect(header(m, 'subject')).toBe('a folded header');
    expect(headerValues(m, 'via')).toHaveLength(3);
    expect(m.body.toString()).toBe('v=0\r');
  });

  it('a header named after an Object property (constructor, toString, __proto__) is a header like any other', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(canonicalName(name)).toBe(name.toLowerCase());
    expect(canonicalName('f')).toBe('from');
    const m = parseMessage(Buffer.from(INVITE.replace('CSeq:', 'constructor: x\r\ntoString: y\r\nCSeq:')));
    expect([header(m, 'constructor'), header(m, 'toString'), header(m, 'Call-ID')]).toEqual(['x', 'y', 'call-1@10.0.0.5']);
  });

  it('writes a message with its Content-Length computed, and reads it back the same', () => {
    const m = parseMessage(Buffer.from(INVITE));
    const again = parseMessage(formatMessage(m));
    const noLength = (h: [string, string][]) => h.filter(([n]) => canonicalName(n) !== 'content-length');
    expect(noLength(again.headers)).toEqual(noLength(m.headers));
    expect(header(again, 'content-length')).toBe('4');
    expect(again.body.equals(m.body)).toBe(true);
  });

  it('answers a request with its Via, From, Call-ID and CSeq, and our To tag', () => {
    const req = parseMessage(Buffer.from(INVITE));
    if (req.kind !== 'request') throw new Error('not a request');
    const r = responseTo(req, 486, { toTag: 'xyz' });
    const text = formatMessage(r).toString();
    expect(text.startsWith('SIP/2.0 486 Busy Here\r\n')).toBe(true);
    expect(headerValues(r, 'via')).toEqual(headerValues(req, 'via'));
    expect(header(r, 'to')).toBe('<sip:2000@beamline.test>;tag=xyz');
    expect(header(r, 'cseq')).toBe('1 INVITE');
  });

  it.each([
    ['garbage', 'hello world'],
    ['no version', 'INVITE sip:x@y\r\n\r\n'],
    ['a bad header line', 'OPTIONS sip:x@y SIP/2.0\r\nnocolon\r\n\r\n'],
    ['a short body', 'OPTIONS sip:x@y SIP/2.0\r\nContent-Length: 99\r\n\r\nabc'],
    ['a bad status line', 'SIP/2.0 abc OK\r\n\r\n'],
  ])('refuses %s with a SipParseError', (_, text) => {
    expect(() => parseMessage(Buffer.from(text))).toThrow(SipParseError);
  });
});

describe('addresses', () => {
  it('reads name-addr values with quoted names, tags and URIs with ports and params', () => {
    const a = parseNameAddr('"Alice, A." <sip:1000@beamline.test:5062;transport=udp>;tag=abc;expires=60');
    expect(a.display).toBe('Alice, A.');
    expect(a.uri).toEqual({ scheme: 'sip', user: '1000', host: 'beamline.test', port: 5062, params: 'transport=udp' });
    expect(a.params.get('tag')).toBe('abc');
    expect(parseNameAddr('sip:1000@h;tag=t').params.get('tag')).toBe('t');
    expect(parseUri('sip:[::1]:5060').host).toBe('[::1]');
    expect(() => parseUri('http://x')).toThrow(SipParseError);
  });

  it('reads a Via', () => {
    const v = parseVia('SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK-1;rport');
    expect([v.transport, v.host, v.port, v.params.get('branch'), v.params.get('rport')]).toEqual(['UDP', '10.0.0.5', 5062, 'z9hG4bK-1', '']);
  });
});

describe('digest', () => {
  // RFC 2617 §3.5's example, with qop=auth
  const creds = parseAuthorization(
    'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  );
  it('computes RFC 2617’s example response from the password, and from the stored a1-hash', () => {
    if (!creds) throw new Error('not parsed');
    expect(expectedResponse(creds, 'GET', { password: 'Circle Of Life' })).toBe('6629fae49393a05397450978507c4ef1');
    expect(expectedResponse(creds, 'GET', { a1Hash: '939e7578ed9e3c518a452acee763bce9' })).toBe('6629fae49393a05397450978507c4ef1');
    expect(expectedResponse(creds, 'GET', { password: 'circle of life' })).not.toBe('6629fae49393a05397450978507c4ef1');
  });
  it('writes mod_sofia’s challenge', () => {
    expect(challenge('beamline.test', 'n1')).toBe('Digest realm="beamline.test", nonce="n1", algorithm=MD5, qop="auth"');
    expect(challenge('r', 'n', true)).toBe('Digest realm="r", nonce="n", stale=true, algorithm=MD5, qop="auth"');
    expect(parseAuthorization('Basic abc')).toBeUndefined();
  });
  it('makes nonces that are fresh, then stale after 60 s, and never accepts a forged one', () => {
    let now = 1_000_000;
    const n = new NonceMaker(() => now);
    const nonce = n.make();
    expect(n.check(nonce)).toBe('fresh');
    now += 61_000;
    expect(n.check(nonce)).toBe('stale');
    expect(n.check(`${nonce.slice(0, -1)}${nonce.endsWith('0') ? '1' : '0'}`)).toBe('bad');
    expect(new NonceMaker(() => now).check(nonce)).toBe('bad');
  });
  it('answers a far server’s challenge as a client: MD5 only, qop=auth with a cnonce, the opaque echoed', () => {
    const user = { username: 'bob', password: 'secret' };
    const value = answerChallenge(
      'Digest realm="far.test", nonce="n1", algorithm=MD5, qop="auth,auth-int", opaque="op"',
      'INVITE',
      'sip:svc@far.test',
      user,
    );
    const c = value === undefined ? undefined : parseAuthorization(value);
    expect([c?.username, c?.realm, c?.nonce, c?.uri, c?.qop, c?.nc]).toEqual(['bob', 'far.test', 'n1', 'sip:svc@far.test', 'auth', '00000001']);
    expect(c && c.response === expectedResponse(c, 'INVITE', { password: 'secret' })).toBe(true);
    expect(value).toContain('opaque="op"');
    expect(answerChallenge('Digest realm="far.test", nonce="n1", algorithm=SHA-256', 'INVITE', 'sip:x', user)).toBeUndefined();
    expect(answerChallenge('Basic realm="x"', 'INVITE', 'sip:x', user)).toBeUndefined();
  });
});

describe('SDP', () => {
  const offer =
    'v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 9 8 0 101\r\na=rtpmap:9 G722/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:30\r\n';
  it('takes the first codec of ours in the offer’s order, and its telephone-event type', () => {
    const o = parseSdp(offer);
    expect([o.address, o.port, o.payloadTypes]).toEqual(['10.0.0.5', 4000, [9, 8, 0, 101]]);
    const n = negotiate(o);
    expect([n?.codec.name, n?.dtmfPt, n?.ptime]).toEqual(['PCMA', 101, 30]);
    expect(negotiate(parseSdp('c=IN IP4 1.2.3.4\r\nm=audio 5 RTP/AVP 9\r\n'))).toBeUndefined();
    expect(() => parseSdp('v=0\r\n')).toThrow(SipParseError);
  });
  it('writes an answer FreeSWITCH’s way', () => {
    const text = formatSdp({
      address: '127.0.0.1',
      port: 20000,
      sessionId: 5,
      version: 6,
      codecs: [{ name: 'PCMU', pt: 0, rate: 8000 }],
      dtmfPt: 101,
      ptime: 20,
    });
    expect(text.split('\r\n')).toEqual([
      'v=0',
      'o=FreeSWITCH 5 6 IN IP4 127.0.0.1',
      's=FreeSWITCH',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      'm=audio 20000 RTP/AVP 0 101',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
      'a=ptime:20',
      'a=sendrecv',
      '',
    ]);
  });
  it('a re-offer holds when it would not receive or names no address; the answer’s direction mirrors the offer’s', () => {
    const reOffer = (extra: string, address = '10.0.0.5') => parseSdp(`c=IN IP4 ${address}\r\nm=audio 4000 RTP/AVP 0\r\n${extra}`);
    expect(
      [reOffer('a=sendonly\r\n'), reOffer('a=inactive\r\n'), reOffer('', '0.0.0.0'), reOffer('a=sendrecv\r\n'), reOffer('a=recvonly\r\n')].map(holds),
    ).toEqual([true, true, true, false, false]);
    expect(['sendonly', 'recvonly', 'inactive', 'sendrecv'].map(answerDirection)).toEqual(['recvonly', 'sendonly', 'inactive', 'sendrecv']);
  });
});

describe('causes and status codes (mod_sofia’s tables)', () => {
  it.each([
    [486, 'USER_BUSY'],
    [404, 'UNALLOCATED_NUMBER'],
    [487, 'ORIGINATOR_CANCEL'],
    [603, 'CALL_REJECTED'],
    [480, 'NO_USER_RESPONSE'],
    [488, 'INCOMPATIBLE_DESTINATION'],
    [599, 'NORMAL_UNSPECIFIED'],
  ])('%i → %s', (status, cause) => {
    expect(sipStatusToCause(status)).toBe(Cause[cause as keyof typeof Cause]);
  });
  it.each([
    ['USER_BUSY', 486],
    ['NO_ROUTE_DESTINATION', 404],
    ['NO_ANSWER', 480],
    ['NORMAL_UNSPECIFIED', 480],
    ['DESTINATION_OUT_OF_ORDER', 502],
    ['ORIGINATOR_CANCEL', 487],
    ['NORMAL_TEMPORARY_FAILURE', 503],
    ['RECOVERY_ON_TIMER_EXPIRE', 504],
    ['MANAGER_REQUEST', 480],
  ])('%s → %i', (cause, status) => {
    expect(causeToSipStatus(Cause[cause as keyof typeof Cause])).toBe(status);
  });
  it('writes the Reason header: Q.850 below 128, SIP above, completed elsewhere for a lost race', () => {
    expect(reasonHeader(Cause.NORMAL_CLEARING)).toBe('Q.850;cause=16;text="NORMAL_CLEARING"');
    expect(reasonHeader(Cause.ORIGINATOR_CANCEL)).toBe('SIP;cause=487;text="ORIGINATOR_CANCEL"');
    expect(reasonHeader(Cause.LOSE_RACE)).toBe('SIP;cause=200;text="Call completed elsewhere"');
  });
});

describe('telephone-events', () => {
  const packet = (pt: number, event: number, end: boolean, duration: number) => {
    const p = Buffer.alloc(16);
    p[0] = 0x80;
    p[1] = pt;
    p.writeUInt32BE(1234, 4);
    p[12] = event;
    p[13] = end ? 0x80 : 0;
    p.writeUInt16BE(duration, 14);
    return p;
  };
  it('reports a digit at its end packet only, on the negotiated payload type', () => {
    expect(parseTelephoneEvent(packet(101, 11, true, 800), 101)).toEqual({ digit: '#', duration: 800, timestamp: 1234 });
    expect(parseTelephoneEvent(packet(101, 5, false, 160), 101)).toBeUndefined();
    expect(parseTelephoneEvent(packet(0, 5, true, 160), 101)).toBeUndefined();
    expect(parseTelephoneEvent(Buffer.from('junk'), 101)).toBeUndefined();
  });
});
