/**
 * NAT on INVITE and RTP auto-adjust: a phone calling the echo extension whose SDP names one port
 * (a decoy socket, standing for the private address behind its NAT) while its RTP comes from
 * another. After AUTO_ADJUST_THRESHOLD packets from there, the switch's RTP goes where the phone's
 * comes from (`Auto Changing audio port …`, the remote_audio_* variables); with
 * disable-rtp-auto-adjust it stays on the SDP's address. With aggressive-nat-detection, an INVITE
 * whose Via is not its source sets `sip_nat_detected`.
 */
import { type Socket, createSocket } from 'node:dgram';
import { afterEach, expect, it } from 'vitest';
import { AUTO_ADJUST_THRESHOLD } from '../src/rtp.ts';
import type { ProfileConfig } from '../src/config.ts';
import { type SipMessage, type SipRequest, header } from '../src/sip/message.ts';
import { type Rig, startRig } from './helpers.ts';
import { NatPhone } from './nat_phone.ts';

let rig: Rig | undefined;
let phone: NatPhone | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  phone?.close();
  for (const s of sockets.splice(0)) s.close();
  await rig?.stop();
  rig = undefined;
  phone = undefined;
});

async function udp(): Promise<{ socket: Socket; port: number; got: number[] }> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const got: number[] = [];
  socket.on('message', (b) => got.push(b.readUInt16BE(2)));
  return { socket, port: socket.address().port, got };
}

const sdp = (port: number) =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

function rtpPacket(seq: number): Buffer {
  const p = Buffer.alloc(12 + 160, 0xff);
  p[0] = 0x80;
  p[1] = 0;
  p.writeUInt16BE(seq, 2);
  p.writeUInt32BE(seq * 160, 4);
  p.writeUInt32BE(0x1234, 8);
  return p;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls 2005 (echo) with the decoy's port in the SDP and sends `count` packets from `real`; the switch's RTP port. */
async function echoCall(profile: Partial<ProfileConfig>, count: number) {
  rig = await startRig({ authCalls: false, context: 'default', ...profile });
  phone = await NatPhone.open(rig.port, { address: '192.168.1.50', port: 5062 });
  const decoy = await udp();
  const real = await udp();
  const invite = phone.build('INVITE', `sip:2005@127.0.0.1:${rig.port}`, { to: '<sip:2005@beamline.test>', body: sdp(decoy.port) });
  phone.send(invite);
  const ok = await phone.take((m) => m.kind === 'response' && m.status === 200);
  const switchRtp = Number(/m=audio (\d+)/.exec(ok.body.toString())?.[1]);
  phone.send({ ...phone.build('ACK', `sip:2005@127.0.0.1:${rig.port}`, { to: header(ok, 'to') }), headers: ackHeaders(invite, ok) });
  for (let i = 1; i <= count; i++) {
    real.socket.send(rtpPacket(i), switchRtp, '127.0.0.1');
    await sleep(5);
  }
  await sleep(200);
  return { decoy, real };
}

/** The ACK's headers: the INVITE's own but Content-Type, its CSeq number, the 200's To. */
function ackHeaders(invite: SipRequest, ok: SipMessage): [string, string][] {
  const seq = (header(invite, 'cseq') ?? '1').split(' ')[0];
  return invite.headers
    .filter(([n]) => !/^content-type$/i.test(n))
    .map(([n, v]): [string, string] => (/^cseq$/i.test(n) ? [n, `${seq} ACK`] : /^to$/i.test(n) ? [n, header(ok, 'to') ?? v] : [n, v]));
}

it('RTP follows where the phone’s RTP comes from after the threshold; the channel says so', async () => {
  const { decoy, real } = await echoCall({ aggressiveNatDetection: true }, AUTO_ADJUST_THRESHOLD + 10);
  expect(real.got.length).toBeGreaterThan(0);
  // nothing went to the decoy after the move
  expect(decoy.got.length).toBeLessThan(AUTO_ADJUST_THRESHOLD);
  expect(
    rig?.logs.some((l) => l.startsWith(`INFO Auto Changing audio port from 127.0.0.1:`) && l.endsWith(`to 127.0.0.1:${real.socket.address().port}`)),
  ).toBe(true);
  const answer = await rig!.waitFor((e) => e.type === 'CHANNEL_ANSWER');
  expect(answer.getHeader('variable_sip_nat_detected')).toBe('true');
  const uuid = answer.getHeader('Unique-ID') ?? '';
  expect(await rig!.sw.api(`uuid_getvar ${uuid} remote_audio_port`)).toBe(String(real.socket.address().port));
  expect(await rig!.sw.api(`uuid_getvar ${uuid} rtp_auto_adjust_audio`)).toBe('true');
});

it('disable-rtp-auto-adjust: RTP stays on the SDP’s address; no NAT detection without its params', async () => {
  const { decoy, real } = await echoCall({ disableRtpAutoAdjust: true }, AUTO_ADJUST_THRESHOLD + 10);
  expect(real.got).toEqual([]);
  expect(decoy.got.length).toBeGreaterThan(AUTO_ADJUST_THRESHOLD);
  const answer = await rig!.waitFor((e) => e.type === 'CHANNEL_ANSWER');
  expect(answer.getHeader('variable_sip_nat_detected')).toBeUndefined();
});
