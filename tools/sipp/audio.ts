/**
 * A SIPp phone's audio, owned by the test: a UDP socket the phone's SDP names (SippRun.audioPort),
 * keeping every RTP packet that arrives and sending frames as the phone would; the RTP payloads of
 * a capture SIPp plays (play_pcap_audio), to compare what comes back with; and what a test hears:
 * G.711 decoded by its own reference decoders, and how much of it is one frequency.
 */
import { type Socket, createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { freeUdpPort } from './sipp.ts';

export interface RtpPacket {
  readonly pt: number;
  readonly marker: boolean;
  readonly seq: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly payload: Buffer;
  /** When it arrived (ms). */
  readonly at: number;
}

/** The SSRC of what a PhoneAudio sends. */
export const PHONE_SSRC = 0x1234_5678;

export interface PhoneAudio {
  readonly port: number;
  readonly received: RtpPacket[];
  /** Sends `frames` (payloads of `pt`) to 127.0.0.1:`to`, 20 ms apart. */
  send(to: number, pt: number, frames: readonly Uint8Array[]): Promise<void>;
  close(): void;
}

function parse(b: Buffer): RtpPacket {
  return {
    pt: b[1] & 0x7f,
    marker: (b[1] & 0x80) !== 0,
    seq: b.readUInt16BE(2),
    timestamp: b.readUInt32BE(4),
    ssrc: b.readUInt32BE(8),
    payload: b.subarray(12),
    at: Date.now(),
  };
}

export async function phoneAudio(): Promise<PhoneAudio> {
  const port = await freeUdpPort();
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  const received: RtpPacket[] = [];
  socket.on('message', (m) => received.push(parse(m)));
  return {
    port,
    received,
    async send(to, pt, frames) {
      for (const [i, payload] of frames.entries()) {
        const p = Buffer.alloc(12 + payload.length);
        p[0] = 0x80;
        p[1] = (i === 0 ? 0x80 : 0) | pt;
        p.writeUInt16BE(1000 + i, 2);
        p.writeUInt32BE(5000 + payload.length * i, 4);
        p.writeUInt32BE(PHONE_SSRC, 8);
        p.set(payload, 12);
        socket.send(p, to, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => socket.close(),
  };
}

/** The RTP payloads of a pcap file's UDP packets, in order (Ethernet or Linux cooked captures). */
export function rtpPayloadsOf(pcapFile: string): Buffer[] {
  const d = readFileSync(pcapFile);
  if (d.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${pcapFile}: not a little-endian pcap file`);
  const link = d.readUInt32LE(20);
  const linkHeader = link === 1 ? 14 : link === 113 ? 16 : -1;
  if (linkHeader < 0) throw new Error(`${pcapFile}: link type ${link}`);
  const out: Buffer[] = [];
  for (let at = 24; at + 16 <= d.length; ) {
    const length = d.readUInt32LE(at + 8);
    const packet = d.subarray(at + 16, at + 16 + length);
    at += 16 + length;
    const udp = linkHeader + (packet[linkHeader] & 0x0f) * 4;
    out.push(packet.subarray(udp + 8 + 12));
  }
  return out;
}

/** G.711's decoders, written out from the standard's tables (the test's own reference). */
export function ulawReference(byte: number): number {
  const b = ~byte & 0xff;
  const magnitude = ((b & 0x0f) * 8 + 132) * 2 ** ((b >> 4) & 7) - 132;
  return b & 0x80 ? -magnitude : magnitude;
}
export function alawReference(byte: number): number {
  const b = byte ^ 0x55;
  const exponent = (b >> 4) & 7;
  const magnitude = exponent === 0 ? (b & 0x0f) * 16 + 8 : ((b & 0x0f) * 16 + 264) * 2 ** (exponent - 1);
  return b & 0x80 ? magnitude : -magnitude;
}

/** The power of `freq` in `samples` (Goertzel), as a share of the signal's whole power. */
export function share(samples: ArrayLike<number>, freq: number): number {
  const c = 2 * Math.cos((2 * Math.PI * freq) / 8000);
  let s1 = 0;
  let s2 = 0;
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    const s = x + c * s1 - s2;
    s2 = s1;
    s1 = s;
    total += x * x;
  }
  return total === 0 ? 0 : (2 * (s1 * s1 + s2 * s2 - c * s1 * s2)) / (samples.length * total);
}
