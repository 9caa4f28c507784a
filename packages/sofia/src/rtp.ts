/**
 * The RTP side of a call. The switch has no media engine, so a call's RTP socket does two things:
 * it takes digits the phone sends as telephone-events (RFC 4733: one event per RTP timestamp,
 * reported once, at its first end packet) and it sends digits the same way. Audio is neither
 * decoded nor sent.
 */
import { type Socket, createSocket } from 'node:dgram';

/** Event codes 0–15 of RFC 4733's DTMF table, and 16 (flash). */
const DIGITS = '0123456789*#ABCD';

export interface RtpOptions {
  readonly ip: string;
  /** Even ports are tried from a random point of [start, end). */
  readonly portStart: number;
  readonly portEnd: number;
}

export interface RtpPeer {
  readonly address: string;
  readonly port: number;
  readonly dtmfPt: number | undefined;
}

/** A digit parsed from a telephone-event packet with its end bit set, or undefined. */
export function parseTelephoneEvent(packet: Buffer, dtmfPt: number): { digit: string; duration: number; timestamp: number } | undefined {
  if (packet.length < 16 || packet[0] >> 6 !== 2) return undefined;
  if ((packet[1] & 0x7f) !== dtmfPt) return undefined;
  const csrc = packet[0] & 0x0f;
  const at = 12 + csrc * 4 + ((packet[0] & 0x10) !== 0 ? 4 + packet.readUInt16BE(12 + csrc * 4 + 2) * 4 : 0);
  if (packet.length < at + 4) return undefined;
  const event = packet[at];
  const end = (packet[at + 1] & 0x80) !== 0;
  if (!end || event > 16) return undefined;
  return { digit: event === 16 ? 'F' : DIGITS[event], duration: packet.readUInt16BE(at + 2), timestamp: packet.readUInt32BE(4) };
}

export class RtpSession {
  readonly port: number;
  #peer: RtpPeer | undefined;
  #lastEventTimestamp: number | undefined;
  #seq = Math.floor(Math.random() * 0xffff);
  #timestamp = Math.floor(Math.random() * 0xffffffff);
  readonly #ssrc = Math.floor(Math.random() * 0xffffffff);

  private constructor(
    private readonly socket: Socket,
    port: number,
    onDigit: (digit: string, duration: number) => void,
  ) {
    this.port = port;
    socket.on('message', (packet) => {
      const peer = this.#peer;
      if (peer?.dtmfPt === undefined) return;
      const ev = parseTelephoneEvent(packet, peer.dtmfPt);
      if (!ev || ev.timestamp === this.#lastEventTimestamp) return;
      this.#lastEventTimestamp = ev.timestamp;
      onDigit(ev.digit, ev.duration);
    });
    socket.on('error', () => {});
  }

  /** Binds a socket on a free even port of the range. */
  static async open(o: RtpOptions, onDigit: (digit: string, duration: number) => void): Promise<RtpSession> {
    const span = Math.max(2, o.portEnd - o.portStart);
    const first = o.portStart + 2 * Math.floor((Math.random() * span) / 2);
    for (let i = 0; i < 64; i++) {
      const port = o.portStart + ((first - o.portStart + 2 * i) % span);
      const socket = createSocket('udp4');
      const bound = await new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false));
        socket.bind(port, o.ip, () => resolve(true));
      });
      if (bound) return new RtpSession(socket, port, onDigit);
      socket.close();
    }
    throw new Error(`no free RTP port in ${o.portStart}-${o.portEnd} on ${o.ip}`);
  }

  set peer(p: RtpPeer) {
    this.#peer = p;
  }

  /** RFC 4733 packets for one digit: three updates, then the end packet three times. */
  sendDigit(digit: string, durationSamples: number): void {
    const peer = this.#peer;
    const event = digit === 'F' ? 16 : DIGITS.indexOf(digit.toUpperCase());
    if (!peer || peer.dtmfPt === undefined || event < 0) return;
    const ts = (this.#timestamp = (this.#timestamp + 8000) >>> 0);
    const steps = [160, 320, 480];
    const packets = [
      ...steps.map((d, i) => [Math.min(d, durationSamples), false, i === 0] as const),
      ...[0, 1, 2].map(() => [durationSamples, true, false] as const),
    ];
    for (const [duration, end, marker] of packets) {
      const p = Buffer.alloc(16);
      p[0] = 0x80;
      p[1] = (marker ? 0x80 : 0) | peer.dtmfPt;
      this.#seq = (this.#seq + 1) & 0xffff;
      p.writeUInt16BE(this.#seq, 2);
      p.writeUInt32BE(ts, 4);
      p.writeUInt32BE(this.#ssrc >>> 0, 8);
      p[12] = event;
      p[13] = (end ? 0x80 : 0) | 10;
      p.writeUInt16BE(Math.min(0xffff, duration), 14);
      this.socket.send(p, peer.port, peer.address);
    }
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
