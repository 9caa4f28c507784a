/**
 * A watching phone for the presence tests: SUBSCRIBEs (answering a 407 when challenged) from one
 * dialog (its From tag fixed, the To tag the 202's), and takes the NOTIFYs the switch sends it.
 */
import { answerChallenge } from '../src/sip/digest.ts';
import { tagOf } from '../src/sip/address.ts';
import { type SipRequest, type SipResponse, header } from '../src/sip/message.ts';
import { NatPhone } from './nat_phone.ts';
import { phoneRequest, token } from './phone_request.ts';

export class Watcher {
  readonly callId = `sub-${token()}`;
  readonly fromTag = token();
  toTag = '';
  /** The last SUBSCRIBE was challenged (407) first. */
  challenged = false;
  #cseq = 1;

  private constructor(
    readonly phone: NatPhone,
    readonly event: string,
    /** Who is watched (`1001@beamline.test`). */
    readonly target: string,
    readonly userAgent: string,
  ) {}

  static async open(switchPort: number, event: string, target = '1001@beamline.test', userAgent = 'beamline-watcher'): Promise<Watcher> {
    return new Watcher(await NatPhone.open(switchPort), event, target, userAgent);
  }

  #request(expires: number, extra: [string, string][]): SipRequest {
    const p = this.phone;
    return phoneRequest('SUBSCRIBE', `sip:${this.target}`, {
      via: `SIP/2.0/UDP 127.0.0.1:${p.port}`,
      from: `<sip:${p.user}@${p.domain}>;tag=${this.fromTag}`,
      to: `<sip:${this.target}>${this.toTag ? `;tag=${this.toTag}` : ''}`,
      callId: this.callId,
      cseq: this.#cseq++,
      contact: `<sip:${p.user}@127.0.0.1:${p.port}>`,
      userAgent: this.userAgent,
      headers: [['Event', this.event], ['Expires', String(expires)], ['Accept', 'application/pidf+xml'], ...extra],
    });
  }

  /** SUBSCRIBE (answering a 407 with the phone's credentials); the final response. */
  async subscribe(expires = 600, o: { password?: string } = {}): Promise<SipResponse> {
    this.phone.send(this.#request(expires, []));
    let res = await this.phone.response(this.callId, 'SUBSCRIBE');
    this.challenged = res.status === 407;
    if (res.status === 407) {
      const uri = `sip:${this.target}`;
      const auth = answerChallenge(header(res, 'proxy-authenticate') ?? '', 'SUBSCRIBE', uri, {
        username: this.phone.user,
        password: o.password ?? this.phone.password,
      });
      if (!auth) throw new Error('no digest challenge');
      this.phone.send(this.#request(expires, [['Proxy-Authorization', auth]]));
      res = await this.phone.response(this.callId, 'SUBSCRIBE');
    }
    if (res.status === 202) this.toTag = tagOf(header(res, 'to'));
    return res;
  }

  /** The next NOTIFY of this subscription. */
  notify(ms = 5000): Promise<SipRequest> {
    return this.phone.take((m) => m.kind === 'request' && m.method === 'NOTIFY' && header(m, 'call-id') === this.callId, ms) as Promise<SipRequest>;
  }

  /** True when no NOTIFY of this subscription comes within `ms`. */
  async quiet(ms = 500): Promise<boolean> {
    try {
      await this.notify(ms);
      return false;
    } catch {
      return true;
    }
  }

  close(): void {
    this.phone.close();
  }
}
