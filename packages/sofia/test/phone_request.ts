/** The requests the tests' own SIP phones (nat_phone.ts, tls_phone.ts) send, built one way. */
import { randomBytes } from 'node:crypto';
import type { SipRequest } from '../src/sip/message.ts';

/** A random tag / branch / Call-ID part. */
export const token = () => randomBytes(6).toString('hex');

/** What differs between the phones' requests; `headers` and `body` are the caller's extras. */
export interface RequestParts {
  /** The Via's `SIP/2.0/<transport> <host>:<port>` (a fresh branch and `rport` are added). */
  readonly via: string;
  readonly from: string;
  readonly to: string;
  readonly callId: string;
  readonly cseq: number;
  readonly contact: string;
  readonly userAgent: string;
  readonly headers?: [string, string][];
  /** An SDP body. */
  readonly body?: string;
}

export function phoneRequest(method: string, uri: string, p: RequestParts): SipRequest {
  const body = Buffer.from(p.body ?? '');
  return {
    kind: 'request',
    method,
    uri,
    headers: [
      ['Via', `${p.via};branch=z9hG4bK${token()};rport`],
      ['Max-Forwards', '70'],
      ['From', p.from],
      ['To', p.to],
      ['Call-ID', p.callId],
      ['CSeq', `${p.cseq} ${method}`],
      ['Contact', p.contact],
      ['User-Agent', p.userAgent],
      ...(p.headers ?? []),
      ...(body.length > 0 ? ([['Content-Type', 'application/sdp']] as [string, string][]) : []),
    ],
    body,
  };
}
