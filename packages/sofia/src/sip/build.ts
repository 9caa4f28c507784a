/**
 * Building messages: a response to a request (RFC 3261 §8.2.6: Via, From, To with our tag, Call-ID
 * and CSeq copied) and requests inside a dialog (§12.2.1.1).
 */
import { randomBytes } from 'node:crypto';
import { tagOf } from './address.ts';
import { statusPhrase } from './causes.ts';
import { type SipHeaders, type SipRequest, type SipResponse, canonicalName, header, headerValues } from './message.ts';

const COPIED = new Set(['via', 'from', 'call-id', 'cseq']);

export const newTag = () => randomBytes(6).toString('hex');
export const newBranch = () => `z9hG4bK${randomBytes(8).toString('hex')}`;

export interface ResponseOptions {
  /** Added to To when it has no tag yet. */
  readonly toTag?: string;
  readonly headers?: SipHeaders;
  readonly body?: string;
  readonly contentType?: string;
  readonly reason?: string;
}

export function responseTo(req: SipRequest, status: number, o: ResponseOptions = {}): SipResponse {
  const headers: SipHeaders = [];
  for (const [n, v] of req.headers) {
    const c = canonicalName(n);
    if (COPIED.has(c)) headers.push([n, v]);
    else if (c === 'to') headers.push([n, o.toTag !== undefined && !tagOf(v) ? `${v};tag=${o.toTag}` : v]);
  }
  headers.push(...(o.headers ?? []));
  if (o.body !== undefined) headers.push(['Content-Type', o.contentType ?? 'application/sdp']);
  return { kind: 'response', status, reason: o.reason ?? statusPhrase(status), headers, body: Buffer.from(o.body ?? '') };
}

/** The branch of the top Via (a transaction's key, with the method). */
export function topBranch(m: SipRequest | SipResponse): string | undefined {
  const via = headerValues(m, 'via')[0];
  return via ? /;\s*branch=([^;\s]+)/i.exec(via)?.[1] : undefined;
}

/** CSeq's number and method. */
export function cseqOf(m: SipRequest | SipResponse): { seq: number; method: string } | undefined {
  const v = header(m, 'cseq');
  const match = v ? /^\s*(\d+)\s+([A-Za-z]+)/.exec(v) : null;
  return match ? { seq: Number(match[1]), method: match[2].toUpperCase() } : undefined;
}
