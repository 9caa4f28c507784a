/**
 * SIP messages (RFC 3261 §7): parsing a datagram into a request or a response, and writing one.
 * Headers keep their order and repeats; names are matched in any case and in their compact forms
 * (`i` is Call-ID, `v` is Via, …). A header line folded onto the next (leading whitespace) is
 * joined. Anything that is not a SIP message is a SipParseError naming what was wrong.
 */

export class SipParseError extends Error {
  override readonly name = 'SipParseError';
}

export type SipHeaders = [name: string, value: string][];

interface SipBase {
  readonly headers: SipHeaders;
  readonly body: Buffer;
}

export interface SipRequest extends SipBase {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: string;
}

export interface SipResponse extends SipBase {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  /** Made here for a request no transport could carry (sofia-sip's local 503), not received: nothing ACKs it. */
  readonly local?: true;
}

export type SipMessage = SipRequest | SipResponse;

const COMPACT: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  r: 'refer-to',
  b: 'referred-by',
  u: 'allow-events',
  x: 'session-expires',
};

/** The header's name as lookups compare it: lower case, compact forms expanded. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  // own keys only: a header named `constructor` is just that
  return (Object.hasOwn(COMPACT, lower) ? COMPACT[lower] : undefined) ?? lower;
}

/** The first value of header `name` (any case, compact form too). */
export function header(m: SipBase, name: string): string | undefined {
  const want = canonicalName(name);
  for (const [n, v] of m.headers) if (canonicalName(n) === want) return v;
  return undefined;
}

/** Every value of `name`, a comma-separated line giving one value per element (Via, Record-Route). */
export function headerValues(m: SipBase, name: string): string[] {
  const want = canonicalName(name);
  const out: string[] = [];
  for (const [n, v] of m.headers) if (canonicalName(n) === want) out.push(...splitCommas(v));
  return out;
}

/** Splits a header value at commas outside quotes and angle brackets. */
export function splitCommas(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') depth++;
    else if (c === '>') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last) out.push(last);
  return out;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const MAX_HEADERS = 256;

/** One SIP message out of one datagram (a stream transport would need framing; UDP is one each). */
export function parseMessage(data: Buffer): SipMessage {
  let headEnd = data.indexOf(HEADER_END);
  let bodyStart = headEnd + 4;
  if (headEnd < 0) {
    // a datagram may end right after the headers with a single CRLF, or none
    headEnd = data.length;
    bodyStart = data.length;
  }
  const head = data.subarray(0, headEnd).toString('utf8');
  const lines = head.split(/\r?\n/);
  while (lines.length > 0 && lines[0] === '') lines.shift(); // keep-alive CRLFs before a message
  const first = lines.shift();
  if (!first) throw new SipParseError('empty message');
  const start = parseStartLine(first);
  const headers: SipHeaders = [];
  for (const line of lines) {
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') {
      const last = headers[headers.length - 1];
      if (!last) throw new SipParseError(`a continuation line before any header: ${JSON.stringify(line)}`);
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`not a header line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim();
    if (!TOKEN.test(name)) throw new SipParseError(`bad header name: ${JSON.stringify(name.slice(0, 80))}`);
    if (headers.length >= MAX_HEADERS) throw new SipParseError(`more than ${MAX_HEADERS} headers`);
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  let body = data.subarray(bodyStart);
  const lengthText = header({ headers, body }, 'content-length');
  if (lengthText !== undefined) {
    const length = Number(lengthText);
    if (!Number.isInteger(length) || length < 0) throw new SipParseError(`bad Content-Length: ${JSON.stringify(lengthText)}`);
    if (length > body.length) throw new SipParseError(`Content-Length ${length} is past the end of the datagram (${body.length} bytes)`);
    body = body.subarray(0, length);
  }
  return start.kind === 'request' ? { ...start, headers, body } : { ...start, headers, body };
}

function parseStartLine(line: string): { kind: 'request'; method: string; uri: string } | { kind: 'response'; status: number; reason: string } {
  if (line.startsWith('SIP/2.0 ')) {
    const m = /^SIP\/2\.0 (\d{3})(?: (.*))?$/.exec(line);
    if (!m) throw new SipParseError(`bad status line: ${JSON.stringify(line.slice(0, 80))}`);
    return { kind: 'response', status: Number(m[1]), reason: m[2] ?? '' };
  }
  const m = /^([A-Za-z]+) (\S+) SIP\/2\.0$/.exec(line);
  if (!m) throw new SipParseError(`bad request line: ${JSON.stringify(line.slice(0, 80))}`);
  return { kind: 'request', method: m[1].toUpperCase(), uri: m[2] };
}

/** A message's bytes: the start line, the headers in order, Content-Length (computed), the body. */
export function formatMessage(m: SipMessage): Buffer {
  const start = m.kind === 'request' ? `${m.method} ${m.uri} SIP/2.0` : `SIP/2.0 ${m.status} ${m.reason}`;
  let text = `${start}\r\n`;
  for (const [n, v] of m.headers) if (canonicalName(n) !== 'content-length') text += `${n}: ${v}\r\n`;
  text += `Content-Length: ${m.body.length}\r\n\r\n`;
  return m.body.length === 0 ? Buffer.from(text) : Buffer.concat([Buffer.from(text), m.body]);
}
