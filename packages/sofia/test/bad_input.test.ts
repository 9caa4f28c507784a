/**
 * Whatever arrives on the SIP port, the profile answers what can be answered, logs and counts what
 * cannot, and keeps serving: random bytes, requests missing what a response needs, methods it does
 * not have, requests for dialogs that do not exist, huge and truncated messages.
 */
import { type Socket, createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenServer } from '@beamline/core';
import type { ProfileStatus } from '../src/profile.ts';
import { type Rig, startRig } from './helpers.ts';

let rig: Rig;
let sock: Socket;
const replies: string[] = [];

beforeAll(async () => {
  rig = await startRig();
  sock = createSocket('udp4');
  sock.on('message', (m) => replies.push(m.toString()));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
});
afterAll(async () => {
  sock?.close();
  await rig?.stop();
});

function request(method: string, omit: string[] = [], extra = ''): string {
  const { port } = sock.address();
  const headers = [
    ['Via', `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${randomBytes(4).toString('hex')}`],
    ['From', '<sip:x@127.0.0.1>;tag=1'],
    ['To', '<sip:y@127.0.0.1>'],
    ['Call-ID', randomBytes(6).toString('hex')],
    ['CSeq', `1 ${method}`],
  ].filter(([n]) => !omit.includes(n));
  return `${method} sip:y@127.0.0.1 SIP/2.0\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}${extra}Content-Length: 0\r\n\r\n`;
}

async function exchange(text: string | Buffer, ms = 300): Promise<string[]> {
  const before = replies.length;
  sock.send(text, rig.port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, ms));
  return replies.slice(before);
}

const status = async () => GenServer.call<ProfileStatus>(rig.rt, rig.sofia.profilePids().get('internal') as never, { op: 'status' });

describe('bad input on the SIP port', () => {
  it('answers each request with the status RFC 3261 gives it', async () => {
    expect((await exchange(request('OPTIONS')))[0]).toMatch(/^SIP\/2\.0 200 OK\r\n[\s\S]*Allow: INVITE, ACK, BYE, CANCEL/);
    expect((await exchange(request('OPTIONS', ['Call-ID'])))[0]).toMatch(/^SIP\/2\.0 400 Missing call-id\r\n/);
    expect((await exchange(request('PUBLISH')))[0]).toMatch(/^SIP\/2\.0 405 Method Not Allowed\r\n/);
    expect((await exchange(request('BYE')))[0]).toMatch(/^SIP\/2\.0 481 /);
    expect(await exchange(request('ACK'))).toEqual([]);
    // an INVITE gets its 100 Trying at once, then the challenge
    const invite = await exchange(request('INVITE'));
    expect(invite[0]).toMatch(/^SIP\/2\.0 100 Trying\r\n/);
    expect(invite[1]).toMatch(
      /^SIP\/2\.0 407 Proxy Authentication Required\r\n[\s\S]*Proxy-Authenticate: Digest realm="127\.0\.0\.1", nonce="[0-9a-f]+", algorithm=MD5, qop="auth"\r\n/,
    );
  });

  it('a CANCEL sent right behind its INVITE reaches the new call and is answered 200', async () => {
    const invite = request('INVITE');
    const cancel = invite.replace(/^INVITE /, 'CANCEL ').replace('CSeq: 1 INVITE', 'CSeq: 1 CANCEL');
    const before = replies.length;
    sock.send(invite, rig.port, '127.0.0.1');
    sock.send(cancel, rig.port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 400));
    const got = replies.slice(before).map((r) => `${r.split('\r\n')[0]} / ${/CSeq: (.*)/.exec(r)?.[1]}`);
    expect(got).toContain('SIP/2.0 200 OK / 1 CANCEL');
    expect(got[0]).toBe('SIP/2.0 100 Trying / 1 INVITE');
  });

  it('drops and counts what is not SIP, logging where it came from, and keeps serving', async () => {
    const before = (await status()).badDatagrams;
    for (let i = 0; i < 200; i++) sock.send(randomBytes(1 + (i % 1400)), rig.port, '127.0.0.1');
    sock.send(Buffer.from('INVITE sip:y@h SIP/2.0\r\nContent-Length: 5000\r\n\r\nshort'), rig.port, '127.0.0.1');
    sock.send(Buffer.alloc(60_000, 'a'), rig.port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 500));
    const s = await status();
    expect(s.badDatagrams - before).toBeGreaterThanOrEqual(150);
    expect(rig.logs.some((l) => /WARNING sofia\/internal: dropped a datagram from 127\.0\.0\.1:\d+ that is not SIP/.test(l))).toBe(true);
    expect((await exchange(request('OPTIONS')))[0]).toMatch(/^SIP\/2\.0 200 OK/);
    expect(await rig.sw.api('status')).toMatch(/^UP /);
  });
});
