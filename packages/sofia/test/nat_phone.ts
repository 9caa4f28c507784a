/**
 * A phone behind a pretend NAT for the NAT tests: a UDP socket on 127.0.0.1 whose messages name
 * another address (its Via and Contact say `claim`, e.g. 192.168.1.50:5062), which is what the
 * switch sees of a phone behind a NAT. It registers (answering the digest challenge), and takes the
 * requests the switch sends it.
 */
import { type Socket, createSocket } from 'node:dgram';
import { answerChallenge } from '../src/sip/digest.ts';
import { phoneRequest, token } from './phone_request.ts';
import { type SipMessage, type SipRequest, type SipResponse, formatMessage, header, parseMessage } from '../src/sip/message.ts';

export class NatPhone {
  readonly #inbox: SipMessage[] = [];
  readonly #waiters: (() => void)[] = [];
  readonly callId = `nat-${token()}`;
  #cseq = 1;

  private constructor(
    readonly socket: Socket,
    readonly port: number,
    readonly switchPort: number,
    /** What the Via and Contact say the phone's address is. */
    readonly claim: { address: string; port: number },
    readonly user = '1000',
    readonly password = '1234',
    readonly domain = 'beamline.test',
  ) {
    socket.on('message', (b) => {
      try {
        this.#inbox.push(parseMessage(b));
      } catch {
        return; // RTP or junk: not for the SIP inbox
      }
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** A phone claiming `claim` (without a port: its real port); without one, its real address (no NAT to see). */
  static async open(switchPort: number, claim?: { address: string; port?: number }, user?: string, password?: string): Promise<NatPhone> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    const port = socket.address().port;
    return new NatPhone(socket, port, switchPort, { address: claim?.address ?? '127.0.0.1', port: claim?.port ?? port }, user, password);
  }

  send(m: SipMessage): void {
    this.socket.send(formatMessage(m), this.switchPort, '127.0.0.1');
  }

  /** The next message that matches, waiting up to `ms`. */
  async take(match: (m: SipMessage) => boolean, ms = 5000): Promise<SipMessage> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.#inbox.findIndex(match);
      if (i >= 0) return this.#inbox.splice(i, 1)[0];
      const left = end - Date.now();
      if (left <= 0) throw new Error('no matching SIP message');
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, left);
      });
    }
  }

  response(callId: string, method: string): Promise<SipResponse> {
    return this.take(
      (m) => m.kind === 'response' && header(m, 'call-id') === callId && (header(m, 'cseq') ?? '').endsWith(method),
    ) as Promise<SipResponse>;
  }

  request(method: string): Promise<SipRequest> {
    return this.take((m) => m.kind === 'request' && m.method === method) as Promise<SipRequest>;
  }

  get contactUri(): string {
    return `sip:${this.user}@${this.claim.address}:${this.claim.port}`;
  }

  build(method: string, uri: string, o: { callId?: string; to?: string; headers?: [string, string][]; body?: string } = {}): SipRequest {
    return phoneRequest(method, uri, {
      via: `SIP/2.0/UDP ${this.claim.address}:${this.claim.port}`,
      from: `<sip:${this.user}@${this.domain}>;tag=${token()}`,
      to: o.to ?? `<sip:${this.user}@${this.domain}>`,
      callId: o.callId ?? this.callId,
      cseq: this.#cseq++,
      contact: `<${this.contactUri}>`,
      userAgent: 'beamline-nat-test',
      headers: o.headers,
      body: o.body,
    });
  }

  /** REGISTER (answering the 401); the final response. */
  async register(expires = 300): Promise<SipResponse> {
    const uri = `sip:${this.domain}`;
    const ask = (extra: [string, string][]) => this.build('REGISTER', uri, { headers: [['Expires', String(expires)], ...extra] });
    this.send(ask([]));
    const first = await this.response(this.callId, 'REGISTER');
    if (first.status !== 401) return first;
    const auth = answerChallenge(header(first, 'www-authenticate') ?? '', 'REGISTER', uri, { username: this.user, password: this.password });
    if (!auth) throw new Error('no digest challenge');
    this.send(ask([['Authorization', auth]]));
    return this.response(this.callId, 'REGISTER');
  }

  close(): void {
    this.socket.close();
  }
}
