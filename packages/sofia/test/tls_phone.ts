/**
 * The phone side of the TLS tests (Debian's SIPp is built without TLS): node:tls and the package's
 * own SIP code. A TlsPeer is one TLS connection cut into SIP messages (tcp_transport.ts's
 * takeFrames) that the test takes one at a time; a TlsPhone registers and calls over one, answering
 * the switch's digest challenges; tlsServer is a far end the switch connects to. Certificates are
 * made with the openssl CLI in a temp dir (makeCertificates): nothing is kept in the repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConnectionOptions, type Server, type TLSSocket, type TlsOptions, connect, createServer } from 'node:tls';
import { responseTo } from '../src/sip/build.ts';
import { answerChallenge } from '../src/sip/digest.ts';
import { phoneRequest, token } from './phone_request.ts';
import { type SipMessage, type SipRequest, type SipResponse, formatMessage, header, parseMessage } from '../src/sip/message.ts';
import { takeFrames } from '../src/tcp_transport.ts';

/** A CA, a certificate it signed for 127.0.0.1 (the switch's and the test peers'), and a self-signed stranger. */
export interface Certificates {
  readonly dir: string;
  /** `agent.pem`: key and certificate; `cafile.pem`: the CA. */
  readonly agent: Buffer;
  readonly ca: Buffer;
  /** A self-signed key and certificate no CA here vouches for. */
  readonly stranger: Buffer;
}

export function makeCertificates(): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'sofia-tls-'));
  const at = (f: string) => join(dir, f);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const key = (f: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', at(f));
  key('ca.key');
  openssl('req', '-x509', '-new', '-key', at('ca.key'), '-subj', '/CN=beamline test CA', '-days', '2', '-out', at('cafile.pem'));
  key('agent.key');
  openssl('req', '-new', '-key', at('agent.key'), '-subj', '/CN=127.0.0.1', '-out', at('agent.csr'));
  writeFileSync(at('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    at('agent.csr'),
    '-CA',
    at('cafile.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at('san.ext'),
    '-out',
    at('agent.crt'),
  );
  const agent = Buffer.concat([readFileSync(at('agent.key')), readFileSync(at('agent.crt'))]);
  writeFileSync(at('agent.pem'), agent);
  key('stranger.key');
  openssl('req', '-x509', '-new', '-key', at('stranger.key'), '-subj', '/CN=stranger', '-days', '2', '-out', at('stranger.crt'));
  return {
    dir,
    agent,
    ca: readFileSync(at('cafile.pem')),
    stranger: Buffer.concat([readFileSync(at('stranger.key')), readFileSync(at('stranger.crt'))]),
  };
}

/** One TLS connection's SIP messages, taken by the test in the order they came. */
export class TlsPeer {
  readonly messages: SipMessage[] = [];
  readonly #taken = new Set<SipMessage>();
  readonly #waiters: (() => void)[] = [];
  closed = false;

  constructor(readonly socket: TLSSocket) {
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const cut = takeFrames(Buffer.concat([pending, chunk]));
      pending = Buffer.from(cut.rest);
      for (const frame of cut.frames) this.messages.push(parseMessage(frame));
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  send(m: SipMessage): void {
    this.socket.write(formatMessage(m));
  }

  /** The first message not taken yet that `match`es, waiting for it up to `ms`. */
  async take(match: (m: SipMessage) => boolean, ms = 5000): Promise<SipMessage> {
    const end = Date.now() + ms;
    for (;;) {
      const found = this.messages.find((m) => !this.#taken.has(m) && match(m));
      if (found) {
        this.#taken.add(found);
        return found;
      }
      if (this.closed) throw new Error('the connection closed');
      const left = end - Date.now();
      if (left <= 0) throw new Error(`no matching message in ${ms} ms (got ${this.messages.map(startLine).join(' | ')})`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, left);
      });
    }
  }

  async response(callId: string, method: string, final = true): Promise<SipResponse> {
    const r = await this.take(
      (m) =>
        m.kind === 'response' && header(m, 'call-id') === callId && header(m, 'cseq')?.endsWith(` ${method}`) === true && (!final || m.status >= 200),
    );
    return r as SipResponse;
  }

  async request(method: string): Promise<SipRequest> {
    return (await this.take((m) => m.kind === 'request' && m.method === method)) as SipRequest;
  }

  close(): void {
    this.socket.destroy();
  }
}

export const startLine = (m: SipMessage) => (m.kind === 'request' ? `${m.method} ${m.uri}` : `${m.status} ${m.reason}`);

/** Connects to 127.0.0.1:`port` over TLS (no verification of the switch unless `options` asks for it). */
export function tlsConnect(port: number, options: ConnectionOptions & { readonly localAddress?: string } = {}): Promise<TlsPeer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => resolve(new TlsPeer(socket)));
    socket.once('error', reject);
  });
}

/** A TLS server on 127.0.0.1 (a far end the switch connects to): each connection a TlsPeer. */
export async function tlsServer(options: TlsOptions): Promise<{ readonly port: number; readonly peers: TlsPeer[]; readonly server: Server }> {
  const peers: TlsPeer[] = [];
  const server = createServer(options, (socket) => peers.push(new TlsPeer(socket)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, peers, server };
}

/** An SDP offer (PCMU, telephone-event 101) receiving on 127.0.0.1:`port`. */
export const sdpOffer = (port: number) =>
  [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    '',
  ].join('\r\n');

/** A phone on a TlsPeer: user@domain with its password, its Contact `;transport=tls` at the connection's own address. */
export class TlsPhone {
  readonly callId = `tls-${token()}`;
  readonly fromTag = token();
  cseq = 1;

  constructor(
    readonly peer: TlsPeer,
    readonly user: string,
    readonly domain: string,
    readonly password: string,
    /** The port its Contact names: the connection's own unless it says it listens elsewhere. */
    readonly contactPort?: number,
  ) {}

  get contact(): string {
    return `<sip:${this.user}@127.0.0.1:${this.contactPort ?? this.peer.localPort};transport=tls>`;
  }

  /** A request outside any dialog of ours yet (Via SIP/2.0/TLS). */
  build(
    method: string,
    uri: string,
    o: { callId?: string; to?: string; headers?: [string, string][]; body?: string; cseq?: number } = {},
  ): SipRequest {
    return phoneRequest(method, uri, {
      via: `SIP/2.0/TLS 127.0.0.1:${this.peer.localPort}`,
      from: `<sip:${this.user}@${this.domain}>;tag=${this.fromTag}`,
      to: o.to ?? `<${uri}>`,
      callId: o.callId ?? this.callId,
      cseq: o.cseq ?? this.cseq++,
      contact: this.contact,
      userAgent: 'beamline-tls-test',
      headers: o.headers,
      body: o.body,
    });
  }

  /** The credentials header answering `challenge` (a 401's or 407's). */
  authorization(challenge: SipResponse, method: string, uri: string): [string, string] {
    const proxy = challenge.status === 407;
    const value = answerChallenge(header(challenge, proxy ? 'proxy-authenticate' : 'www-authenticate') ?? '', method, uri, {
      username: this.user,
      password: this.password,
    });
    if (!value) throw new Error(`no digest challenge in the ${challenge.status}`);
    return [proxy ? 'Proxy-Authorization' : 'Authorization', value];
  }

  /** REGISTER, answering the 401; the final response. */
  async register(expires = 300): Promise<SipResponse> {
    const uri = `sip:${this.domain}`;
    const to = `<sip:${this.user}@${this.domain}>`;
    const ask = (extra: [string, string][]) =>
      this.build('REGISTER', uri, { callId: `${this.callId}-reg`, to, headers: [['Expires', String(expires)], ...extra] });
    this.peer.send(ask([]));
    const first = await this.peer.response(`${this.callId}-reg`, 'REGISTER');
    if (first.status !== 401) return first;
    this.peer.send(ask([this.authorization(first, 'REGISTER', uri)]));
    return this.peer.response(`${this.callId}-reg`, 'REGISTER');
  }

  /** An INVITE to `dest@domain` offering audio on `audioPort`, answering the 407 (ACKed); its final response (a 2xx not ACKed yet). */
  async invite(dest: string, audioPort: number): Promise<{ readonly invite: SipRequest; readonly final: SipResponse }> {
    const uri = `sip:${dest}@${this.domain}`;
    let invite = this.build('INVITE', uri, { body: sdpOffer(audioPort) });
    this.peer.send(invite);
    let final = await this.peer.response(this.callId, 'INVITE');
    if (final.status === 407) {
      this.peer.send(this.ackOf(invite, final));
      invite = this.build('INVITE', uri, { body: sdpOffer(audioPort), headers: [this.authorization(final, 'INVITE', uri)] });
      this.peer.send(invite);
      final = await this.peer.response(this.callId, 'INVITE');
    }
    return { invite, final };
  }

  /** The ACK of an INVITE's final response: a non-2xx's in the INVITE's transaction, a 2xx's to its Contact. */
  ackOf(invite: SipRequest, final: SipResponse): SipRequest {
    const twoXx = final.status < 300;
    const target = twoXx ? (/<([^>]+)>/.exec(header(final, 'contact') ?? '')?.[1] ?? invite.uri) : invite.uri;
    const ack = this.build('ACK', target, { to: header(final, 'to'), cseq: Number((header(invite, 'cseq') ?? '1').split(' ')[0]) });
    if (twoXx) return ack;
    return { ...ack, headers: ack.headers.map(([n, v]): [string, string] => (n === 'Via' ? [n, header(invite, 'via') ?? v] : [n, v])) };
  }

  /** A request inside the dialog a 2xx `final` made (BYE). */
  inDialog(method: string, final: SipResponse): SipRequest {
    const target = /<([^>]+)>/.exec(header(final, 'contact') ?? '')?.[1] ?? '';
    return this.build(method, target, { to: header(final, 'to') });
  }

  /** Answers the switch's request 200 (with `body` as SDP, if any) and a To tag. */
  ok(req: SipRequest, body?: string): string {
    const tag = token();
    this.peer.send(
      responseTo(req, 200, {
        toTag: tag,
        headers: [['Contact', this.contact]],
        ...(body === undefined ? {} : { body, contentType: 'application/sdp' }),
      }),
    );
    return tag;
  }
}
