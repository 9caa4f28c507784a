/**
 * A SIP dialog's fixed parts and the requests sent inside it (RFC 3261 §12.2.1.1): From is our
 * side with our tag, To the far side with theirs, the Request-URI the far side's Contact, CSeq
 * ours and rising.
 */
import { cseqOf, newBranch } from './sip/build.ts';
import { type SipRequest, type SipResponse, header } from './sip/message.ts';
import { type Address, viaTransport } from './transport.ts';

export interface Dialog {
  readonly callId: string;
  /** Our From / To value, tag included. */
  readonly local: string;
  /** Their value, tag included (once known). */
  remote: string;
  /** Their Contact URI. */
  remoteTarget: string;
  localSeq: number;
}

/** Our Via for a new transaction sent from `via` (its transport the peer's). */
export function viaHeader(via: Address): string {
  return `SIP/2.0/${viaTransport(via)} ${via.address}:${via.port};branch=${newBranch()};rport`;
}

export function inDialogRequest(d: Dialog, method: string, via: Address, userAgent: string, extra: [string, string][] = []): SipRequest {
  return {
    kind: 'request',
    method,
    uri: d.remoteTarget,
    headers: [
      ['Via', viaHeader(via)],
      ['Max-Forwards', '70'],
      ['From', d.local],
      ['To', d.remote],
      ['Call-ID', d.callId],
      ['CSeq', `${d.localSeq++} ${method}`],
      ['User-Agent', userAgent],
      ...extra,
    ],
    body: Buffer.alloc(0),
  };
}

/**
 * The ACK for an INVITE's final response `res`: a 2xx's is a request of its own inside the dialog
 * (new branch, to the far end's Contact), any other's belongs to the INVITE's transaction (its Via
 * and Request-URI) (RFC 3261 §13.2.2.4, §17.1.1.3).
 */
export function ackFor(invite: SipRequest, res: SipResponse, d: Dialog, via: Address): SipRequest {
  const twoXx = res.status < 300;
  return {
    kind: 'request',
    method: 'ACK',
    uri: twoXx ? d.remoteTarget : invite.uri,
    headers: [
      ['Via', twoXx ? viaHeader(via) : (header(invite, 'via') ?? '')],
      ['Max-Forwards', '70'],
      ['From', d.local],
      ['To', header(res, 'to') ?? d.remote],
      ['Call-ID', d.callId],
      ['CSeq', `${cseqOf(invite)?.seq ?? 1} ACK`],
    ],
    body: Buffer.alloc(0),
  };
}

/** The Contact URI of a message's Contact value (`<sip:…>` or bare), or undefined. */
export function contactUri(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return /<([^>]+)>/.exec(value)?.[1] ?? value.split(';')[0].trim();
}
