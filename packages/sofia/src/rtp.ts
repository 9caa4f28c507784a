/**
 * The RTP side of a call (RFC 3550): one socket on an even port of the profile's range. Audio in
 * the negotiated codec goes to the switch's media table as it arrives (so a bridge or `echo` relays
 * it without a process in between), and audio the table routes to this call goes out as our own
 * stream: our SSRC, our sequence numbers, timestamps advancing by the samples sent, as FreeSWITCH
 * sends its own stream on each leg rather than forwarding packets. Digits are RFC 4733
 * telephone-events both ways: one event per RTP timestamp, reported once, at its first end packet.
 */
import { type Socket, createSocket } from 'node:dgram';
import type { AudioFrame, MediaPort } from '@beamline/switch';
import type { AudioCodec } from './sip/sdp.ts';

/** Event codes 0–15 of RFC 4733's DTMF table, and 16 (flash). */
const DIGITS = '0123456789*#ABCD';

export interface RtpOptions {
  readonly ip: string;
  /** Even ports are tried from a random point of [start, end). */
  readonly portStart: number;
  readonly portEnd: number;
}

/** Where our stream goes and what it carries (from the far end's SDP). */
export interface RtpPeer {
  readonly address: string;
  readonly port: number;
  readonly codec: AudioCodec;
  readonly dtmfPt: number | undefined;
}

export interface RtpHandlers {
  /** A telephone-event digit ended (`duration` in samples). */
  digit(digit: string, duration: number): void;
  /** A packet of audio in the negotiated codec. */
  audio(frame: AudioFrame): void;
  /** Delivering a packet threw. */
  failed(error: unknown): void;
  /** Auto-adjust moved our stream from where the SDP said to where the far end's RTP comes from. */
  adjusted?(from: { address: string; port: number }, to: { address: string; port: number }): void;
}

/** switch_rtp's autoadj_threshold: packets from elsewhere before the stream follows them. */
export const AUTO_ADJUST_THRESHOLD = 10;
/** Comfort noise (RFC 3389): it does not move the stream. */
const CN_PT = 13;

/** An RTP packet's payload type, timestamp and payload bounds; undefined when it is not RTP version 2 or is cut short. */
function parseRtp(packet: Uint8Array): { pt: number; timestamp: number; start: number; end: number } | undefined {
  if (packet.length < 12 || packet[0] >> 6 !== 2) return undefined;
  let start = 12 + (packet[0] & 0x0f) * 4;
  if ((packet[0] & 0x10) !== 0) {
    if (packet.length < start + 4) return undefined;
    start += 4 + ((packet[start + 2] << 8) | packet[start + 3]) * 4;
  }
  const end = (packet[0] & 0x20) !== 0 ? packet.length - packet[packet.length - 1] : packet.length;
  if (end < start) return undefined;
  const timestamp = ((packet[4] << 24) | (packet[5] << 16) | (packet[6] << 8) | packet[7]) >>> 0;
  return { pt: packet[1] & 0x7f, timestamp, start, end };
}

/** The digit of a telephone-event code (switch_rfc2833_to_char), or undefined past 16. */
export function telephoneEventDigit(event: number): string | undefined {
  return event === 16 ? 'F' : DIGITS[event];
}

/** A digit from a telephone-event payload with its end bit set, or undefined. */
function endedEvent(payload: Uint8Array): { digit: string; duration: number } | undefined {
  if (payload.length < 4) return undefined;
  const digit = telephoneEventDigit(payload[0]);
  const end = (payload[1] & 0x80) !== 0;
  if (!end || digit === undefined) return undefined;
  return { digit, duration: (payload[2] << 8) | payload[3] };
}

/** A digit parsed from a telephone-event packet with its end bit set, or undefined. */
export function parseTelephoneEvent(packet: Uint8Array, dtmfPt: number): { digit: string; duration: number; timestamp: number } | undefined {
  const rtp = parseRtp(packet);
  const ev = rtp?.pt === dtmfPt ? endedEvent(packet.subarray(rtp.start, rtp.end)) : undefined;
  return ev && rtp && { ...ev, timestamp: rtp.timestamp };
}

export class RtpSession implements MediaPort {
  readonly port: number;
  #peer: RtpPeer | undefined;
  #lastEventTimestamp: number | undefined;
  #seq = Math.floor(Math.random() * 0xffff);
  #timestamp = Math.floor(Math.random() * 0xffffffff) >>> 0;
  #sentAudio = false;
  /**
   * SWITCH_RTP_FLAG_AUTOADJ: on until a packet comes from the SDP's address or the stream has
   * moved; `autoAdjust = false` (disable_rtp_auto_adjust) keeps it off.
   */
  #adjusting = false;
  #adjustTally = 0;
  autoAdjust = true;
  readonly #ssrc = Math.floor(Math.random() * 0xffffffff) >>> 0;

  private constructor(
    private readonly socket: Socket,
    port: number,
    handlers: RtpHandlers,
  ) {
    this.port = port;
    socket.on('message', (packet, from) => {
      const rtp = this.#peer && parseRtp(packet);
      if (!rtp) return;
      if (this.#adjusting && rtp.pt !== CN_PT) this.#adjust(from, handlers);
      const peer = this.#peer;
      if (!peer) return;
      if (rtp.pt === peer.codec.pt) {
        const payload = packet.subarray(rtp.start, rtp.end);
        try {
          handlers.audio({ codec: peer.codec.name, payload, samples: payload.length });
        } catch (e) {
          // whatever the frame met on its way (a port, a tap) must not take the socket's callback down with it
          handlers.failed(e);
        }
      } else if (rtp.pt === peer.dtmfPt && rtp.timestamp !== this.#lastEventTimestamp) {
        const ev = endedEvent(packet.subarray(rtp.start, rtp.end));
        if (!ev) return;
        this.#lastEventTimestamp = rtp.timestamp;
        handlers.digit(ev.digit, ev.duration);
      }
    });
    socket.on('error', () => {});
  }

  /** One packet from `from` while adjusting: the SDP's address confirms it, elsewhere counts towards moving there. */
  #adjust(from: { address: string; port: number }, handlers: RtpHandlers): void {
    const peer = this.#peer;
    if (!peer) return;
    if (from.address === peer.address && from.port === peer.port) {
      this.#adjusting = false;
      return;
    }
    if (++this.#adjustTally < AUTO_ADJUST_THRESHOLD) return;
    this.#adjusting = false;
    this.#peer = { ...peer, address: from.address, port: from.port };
    handlers.adjusted?.({ address: peer.address, port: peer.port }, { address: from.address, port: from.port });
  }

  /** Binds a socket on a free even port of the range. */
  static async open(o: RtpOptions, handlers: RtpHandlers): Promise<RtpSession> {
    const span = Math.max(2, o.portEnd - o.portStart);
    const first = o.portStart + 2 * Math.floor((Math.random() * span) / 2);
    for (let i = 0; i < 64; i++) {
      const port = o.portStart + ((first - o.portStart + 2 * i) % span);
      const socket = createSocket('udp4');
      const bound = await new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false));
        socket.bind(port, o.ip, () => resolve(true));
      });
      if (bound) return new RtpSession(socket, port, handlers);
      socket.close();
    }
    throw new Error(`no free RTP port in ${o.portStart}-${o.portEnd} on ${o.ip}`);
  }

  /** The far end's SDP: our stream goes there, and auto-adjust watches again where its RTP comes from. */
  set peer(p: RtpPeer) {
    this.#peer = p;
    this.#adjusting = this.autoAdjust;
    this.#adjustTally = 0;
  }

  get codec(): AudioFrame['codec'] {
    return this.#peer?.codec.name ?? 'PCMU';
  }

  #header(pt: number, marker: boolean, timestamp: number, payloadLength: number): Buffer {
    const p = Buffer.allocUnsafe(12 + payloadLength);
    p[0] = 0x80;
    p[1] = (marker ? 0x80 : 0) | pt;
    this.#seq = (this.#seq + 1) & 0xffff;
    p.writeUInt16BE(this.#seq, 2);
    p.writeUInt32BE(timestamp, 4);
    p.writeUInt32BE(this.#ssrc, 8);
    return p;
  }

  /** A frame of audio to the far end, in the negotiated codec (the media table converted it). */
  write(frame: AudioFrame): void {
    const peer = this.#peer;
    if (!peer) return;
    const p = this.#header(peer.codec.pt, !this.#sentAudio, this.#timestamp, frame.payload.length);
    p.set(frame.payload, 12);
    this.#sentAudio = true;
    this.#timestamp = (this.#timestamp + frame.samples) >>> 0;
    this.#send(p, peer);
  }

  /** A send on a socket that was closed meanwhile is dropped. */
  #send(p: Buffer, peer: RtpPeer): void {
    try {
      this.socket.send(p, peer.port, peer.address);
    } catch {
      // closed: the call is over
    }
  }

  /** RFC 4733 packets for one digit, starting now: three updates, then the end packet three times. */
  sendDigit(digit: string, durationSamples: number): void {
    const peer = this.#peer;
    const event = digit === 'F' ? 16 : DIGITS.indexOf(digit.toUpperCase());
    if (!peer || peer.dtmfPt === undefined || event < 0) return;
    const ts = this.#timestamp;
    const steps = [160, 320, 480];
    const packets = [
      ...steps.map((d, i) => [Math.min(d, durationSamples), false, i === 0] as const),
      ...[0, 1, 2].map(() => [durationSamples, true, false] as const),
    ];
    for (const [duration, end, marker] of packets) {
      const p = this.#header(peer.dtmfPt, marker, ts, 4);
      p[12] = event;
      p[13] = (end ? 0x80 : 0) | 10;
      p.writeUInt16BE(Math.min(0xffff, duration), 14);
      this.#send(p, peer);
    }
    // the audio after the digit starts where the event ends
    this.#timestamp = (ts + durationSamples) >>> 0;
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
