/**
 * SDP (RFC 4566) as far as one audio stream needs it: the offer's address, port and payload types,
 * and an answer (or offer) in the layout FreeSWITCH writes. The switch has no media engine, so the
 * codecs offered are the two every phone has, PCMU and PCMA, plus telephone-event (RFC 4733) for
 * digits.
 */
import { SipParseError } from './message.ts';

export interface AudioCodec {
  readonly name: 'PCMU' | 'PCMA';
  readonly pt: number;
  readonly rate: 8000;
}

export const CODECS: readonly AudioCodec[] = [
  { name: 'PCMU', pt: 0, rate: 8000 },
  { name: 'PCMA', pt: 8, rate: 8000 },
];

export interface MediaOffer {
  readonly address: string;
  readonly port: number;
  /** Payload types in the offer's order. */
  readonly payloadTypes: readonly number[];
  /** `pt` → `NAME/rate` from the rtpmap lines. */
  readonly rtpmap: ReadonlyMap<number, string>;
  readonly ptime: number | undefined;
  /** sendrecv / sendonly / recvonly / inactive. */
  readonly direction: string;
}

export interface Negotiated {
  readonly codec: AudioCodec;
  /** The telephone-event payload type the far end offered, if any. */
  readonly dtmfPt: number | undefined;
  readonly ptime: number;
}

export function parseSdp(text: string): MediaOffer {
  let sessionAddress: string | undefined;
  let mediaAddress: string | undefined;
  let port: number | undefined;
  let payloadTypes: number[] = [];
  const rtpmap = new Map<number, string>();
  let ptime: number | undefined;
  let direction = 'sendrecv';
  let inAudio = false;
  let sawAudio = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length < 2 || line[1] !== '=') continue;
    const value = line.slice(2);
    switch (line[0]) {
      case 'm': {
        const m = /^(\w+) (\d+)(?:\/\d+)? ([\w/]+)((?: \S+)*)$/.exec(value);
        inAudio = m !== null && m[1] === 'audio' && !sawAudio;
        if (m && inAudio) {
          sawAudio = true;
          port = Number(m[2]);
          payloadTypes = m[4]
            .trim()
            .split(/\s+/)
            .filter((p) => /^\d+$/.test(p))
            .map(Number);
        }
        break;
      }
      case 'c': {
        const m = /^IN IP[46] (\S+)/.exec(value);
        if (!m) break;
        if (inAudio) mediaAddress = m[1];
        else if (!sawAudio) sessionAddress = m[1];
        break;
      }
      case 'a': {
        if (sawAudio && !inAudio) break;
        const rm = /^rtpmap:(\d+) (\S+)/.exec(value);
        if (rm) rtpmap.set(Number(rm[1]), rm[2]);
        const pt = /^ptime:(\d+)/.exec(value);
        if (pt) ptime = Number(pt[1]);
        if (value === 'sendrecv' || value === 'sendonly' || value === 'recvonly' || value === 'inactive') direction = value;
        break;
      }
    }
  }
  const address = mediaAddress ?? sessionAddress;
  if (port === undefined || address === undefined) throw new SipParseError('SDP without an audio stream and its address');
  return { address, port, payloadTypes, rtpmap, ptime, direction };
}

/** The direction an answer takes to an offer's (RFC 3264 §6.1). */
export function answerDirection(offered: string): string {
  return offered === 'sendonly' ? 'recvonly' : offered === 'recvonly' ? 'sendonly' : offered === 'inactive' ? 'inactive' : 'sendrecv';
}

/** A re-offer that holds the call: it will not receive (sendonly, inactive) or names no address (RFC 2543's 0.0.0.0). */
export const holds = (offer: MediaOffer): boolean => offer.direction === 'sendonly' || offer.direction === 'inactive' || offer.address === '0.0.0.0';

/** The first codec of ours the offer has (in the offer's order), or undefined. */
export function negotiate(offer: MediaOffer): Negotiated | undefined {
  let codec: AudioCodec | undefined;
  for (const pt of offer.payloadTypes) {
    const map = offer.rtpmap.get(pt)?.toUpperCase();
    codec = CODECS.find((c) => (map ? map.startsWith(`${c.name}/`) : c.pt === pt));
    if (codec) break;
  }
  if (!codec) return undefined;
  let dtmfPt: number | undefined;
  for (const [pt, name] of offer.rtpmap) if (/^telephone-event\/8000/i.test(name) && offer.payloadTypes.includes(pt)) dtmfPt = pt;
  return { codec, dtmfPt, ptime: offer.ptime ?? 20 };
}

export interface SdpParams {
  readonly address: string;
  readonly port: number;
  readonly sessionId: number;
  readonly version: number;
  /** The codecs to list (an answer lists the one chosen). */
  readonly codecs: readonly AudioCodec[];
  readonly dtmfPt: number | undefined;
  readonly ptime: number;
  /** Default sendrecv. */
  readonly direction?: string;
}

export function formatSdp(p: SdpParams): string {
  const pts = [...p.codecs.map((c) => c.pt), ...(p.dtmfPt === undefined ? [] : [p.dtmfPt])];
  const lines = [
    'v=0',
    `o=FreeSWITCH ${p.sessionId} ${p.version} IN IP4 ${p.address}`,
    's=FreeSWITCH',
    `c=IN IP4 ${p.address}`,
    't=0 0',
    `m=audio ${p.port} RTP/AVP ${pts.join(' ')}`,
    ...p.codecs.map((c) => `a=rtpmap:${c.pt} ${c.name}/${c.rate}`),
    ...(p.dtmfPt === undefined ? [] : [`a=rtpmap:${p.dtmfPt} telephone-event/8000`, `a=fmtp:${p.dtmfPt} 0-16`]),
    `a=ptime:${p.ptime}`,
    `a=${p.direction ?? 'sendrecv'}`,
  ];
  return `${lines.join('\r\n')}\r\n`;
}
