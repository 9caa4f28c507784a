/**
 * A profile's gateways (mod_sofia's sofia_gateway_t and sofia_reg_check_gateway): a far SIP server
 * the switch registers with and places calls through (`sofia/gateway/<name>/<number>`). The
 * profile's process owns them: once a second it steps each gateway's registration as FreeSWITCH's
 * profile thread does, and hands it the responses to its REGISTERs.
 *
 *   UNREGED → REGISTER sent → TRYING → 200 → REGISTER → (next step) REGED, again before it expires
 *   TRYING → 401 / 407 answered once with the gateway's credentials; any other failure → FAILED
 *   TRYING for 30 s → TIMEOUT (908) → FAILED → FAIL_WAIT for retry-seconds (× failures) → UNREGED
 *   `register=false` → NOREG, and the gateway is up from the start
 *
 * Each change of state fires CUSTOM `sofia::gateway_state` (Gateway, State, Ping-Status; a failure's
 * Status and Phrase).
 */
import { randomUUID } from 'node:crypto';
import type { Switch } from '@beamline/switch';
import type { GatewayConfig, ProfileConfig } from './config.ts';
import { fireSofiaEvent } from './events.ts';
import { newBranch, newTag } from './sip/build.ts';
import { answerChallenge } from './sip/digest.ts';
import { type SipRequest, type SipResponse, header } from './sip/message.ts';
import type { Address, SipTransport } from './transport.ts';

/** What a call through a gateway needs of it (the profile's answer to `{ op: 'gateway' }`). */
export interface GatewayRoute {
  readonly up: boolean;
  readonly proxy: Address;
  readonly config: GatewayConfig;
}

export type GatewayState = 'UNREGED' | 'TRYING' | 'REGISTER' | 'REGED' | 'FAILED' | 'FAIL_WAIT' | 'NOREG' | 'TIMEOUT';

/** How long a REGISTER may go unanswered (reg-timeout-seconds' default). */
const REGISTER_TIMEOUT_S = 30;

export class Gateway {
  state: GatewayState;
  /** SOFIA_GATEWAY_UP: calls may go through it. */
  up: boolean;
  /** Calls placed through it, and those refused because it was down (ob_calls, ob_failed_calls). */
  callsOut = 0;
  failedCallsOut = 0;
  #upSince: number | undefined;
  readonly callId = randomUUID();
  readonly #tag = newTag();
  #cseq = 1;
  #expiresAt = 0;
  #retryAt = 0;
  #timeoutAt = 0;
  #failures = 0;
  #failure: { status: number; phrase: string } | undefined;
  #challenged = false;

  constructor(
    readonly config: GatewayConfig,
    private readonly profile: ProfileConfig,
    private readonly sw: Switch,
    private readonly transport: SipTransport,
  ) {
    this.state = config.register ? 'UNREGED' : 'NOREG';
    this.up = !config.register;
    if (this.up) this.#upSince = Date.now();
  }

  /** A call asks for the gateway (sofia_outgoing_channel): counted as placed, or as failed when it is down. */
  route(): GatewayRoute {
    if (this.up) this.callsOut++;
    else this.failedCallsOut++;
    return { up: this.up, proxy: this.proxy, config: this.config };
  }

  /** `sofia status gateway <name>`: mod_sofia's lines, between `line`s. */
  details(profile: string, line: string, nowS: number): string {
    const c = this.config;
    const rows: [string, string][] = [
      ['Name    ', c.name],
      ['Profile ', profile],
      ['Scheme  ', 'Digest'],
      ['Realm   ', c.realm],
      ['Username', c.username],
      ['Password', c.password ? 'yes' : 'no'],
      ['From    ', `<sip:${c.fromUser}@${c.fromDomain}>`],
      ['Contact ', `<sip:gw+${c.name}@${this.transport.local.address}:${this.transport.local.port};transport=udp;gw=${c.name}>`],
      ['Exten   ', c.username],
      ['To      ', this.url],
      ['Proxy   ', `sip:${(c.registerProxy ?? c.proxy).replace(/^sips?:/i, '')}`],
      ['Context ', this.profile.context],
      ['Expires ', String(c.expireSeconds)],
      ['Freq    ', String(c.register ? c.expireSeconds : 0)],
      ['Ping    ', '0'],
      ['PingFreq', '0'],
      ['PingTime', '0.00'],
      ['PingState', '0/0/0'],
      ['State   ', this.state],
      ['Status  ', this.up ? 'UP' : 'DOWN'],
      ['Uptime  ', `${this.up && this.#upSince !== undefined ? Math.max(0, nowS - Math.floor(this.#upSince / 1000)) : 0}s`],
      ['CallsIN ', '0'],
      ['CallsOUT', String(this.callsOut)],
      ['FailedCallsIN', '0'],
      ['FailedCallsOUT', String(this.failedCallsOut)],
    ];
    return `${line}\n${rows.map(([k, v]) => `${k}\t${v}\n`).join('')}${line}\n`;
  }

  /** Where its REGISTERs and calls go. */
  get proxy(): Address {
    return hostPort(this.config.proxy);
  }

  /** register_to: the Data column of `sofia status`. */
  get url(): string {
    return `sip:${this.config.username}@${this.config.proxy.replace(/^sips?:/i, '')}`;
  }

  /** The State column: the state, and while trying or failed the seconds to the next try. */
  status(nowS: number): string {
    if (this.state !== 'FAILED' && this.state !== 'FAIL_WAIT' && this.state !== 'TRYING') return this.state;
    return `${this.state} (retry: ${this.#retryAt >= nowS ? `${this.#retryAt - nowS}s` : 'NEVER'})`;
  }

  /** One step of sofia_reg_check_gateway, at `nowS` (epoch seconds). */
  step(nowS: number): void {
    const before = this.state;
    switch (this.state) {
      case 'REGISTER': {
        const freq = this.config.expireSeconds;
        this.#expiresAt = nowS + Math.max(1, freq > 30 ? freq - 15 : Math.floor(freq / 2));
        this.#failures = 0;
        this.state = 'REGED';
        if (!this.up) this.#upSince = Date.now();
        this.up = true;
        break;
      }
      case 'UNREGED':
        this.sw.core.log('NOTICE', `Registering ${this.config.name}`);
        this.#challenged = false;
        this.#register();
        this.#retryAt = nowS + this.config.retrySeconds;
        this.#timeoutAt = nowS + REGISTER_TIMEOUT_S;
        this.state = 'TRYING';
        break;
      case 'TRYING':
        if (nowS >= this.#timeoutAt) {
          this.sw.core.log('WARNING', `Timeout Registering ${this.config.name}`);
          this.#failures++;
          this.#failure = { status: 908, phrase: '' };
          this.state = 'TIMEOUT';
        }
        break;
      case 'TIMEOUT':
      case 'FAILED': {
        const status = this.#failure?.status ?? 0;
        const sec = status === 503 || status === 908 || this.#failures < 1 ? this.config.retrySeconds : this.config.retrySeconds * this.#failures;
        this.sw.core.log('WARNING', `${this.config.name} Failed Registration [${status}], setting retry to ${sec} seconds.`);
        this.#retryAt = nowS + sec;
        this.up = false;
        this.state = 'FAIL_WAIT';
        break;
      }
      case 'FAIL_WAIT':
        if (nowS >= this.#retryAt) this.state = 'UNREGED';
        break;
      case 'REGED':
        if (nowS >= this.#expiresAt) this.state = 'UNREGED';
        break;
      case 'NOREG':
        break;
    }
    if (this.state !== before) this.#fire();
  }

  /** A response to one of its REGISTERs (sofia_reg_handle_sip_r_register). */
  response(res: SipResponse): void {
    if (this.state !== 'TRYING' || res.status < 200) return;
    if (res.status < 300) {
      this.state = 'REGISTER';
      this.#fire();
      return;
    }
    if ((res.status === 401 || res.status === 407) && !this.#challenged) {
      const proxy = res.status === 407;
      const answer = answerChallenge(header(res, proxy ? 'proxy-authenticate' : 'www-authenticate') ?? '', 'REGISTER', this.#registerUri(), {
        username: this.config.authUsername,
        password: this.config.password,
      });
      if (answer) {
        this.#challenged = true;
        this.#register([proxy ? 'Proxy-Authorization' : 'Authorization', answer]);
        return;
      }
    }
    this.#failures++;
    this.#failure = { status: res.status, phrase: res.reason };
    this.state = 'FAILED';
    this.#fire(res.status, res.reason);
  }

  #registerUri(): string {
    return `sip:${this.config.registerProxy ?? this.config.realm}`;
  }

  #register(auth?: [string, string]): void {
    const local = this.transport.local;
    const { username, realm } = this.config;
    const req: SipRequest = {
      kind: 'request',
      method: 'REGISTER',
      uri: this.#registerUri(),
      headers: [
        ['Via', `SIP/2.0/UDP ${local.address}:${local.port};branch=${newBranch()};rport`],
        ['Max-Forwards', '70'],
        ['From', `<sip:${username}@${realm}>;tag=${this.#tag}`],
        ['To', `<sip:${username}@${realm}>`],
        ['Call-ID', this.callId],
        ['CSeq', `${this.#cseq++} REGISTER`],
        ['Contact', `<sip:gw+${this.config.name}@${local.address}:${local.port};transport=udp;gw=${this.config.name}>`],
        ['Expires', String(this.config.expireSeconds)],
        ['User-Agent', this.profile.userAgent],
        ...(auth ? [auth] : []),
      ],
      body: Buffer.alloc(0),
    };
    this.transport.send(req, hostPort(this.config.registerProxy ?? this.config.proxy));
  }

  #fire(status?: number, phrase?: string): void {
    fireSofiaEvent(this.sw, 'sofia::gateway_state', [
      ['Gateway', this.config.name],
      ['State', this.state],
      ['Ping-Status', this.up ? 'UP' : 'DOWN'],
      ...(phrase ? ([['Phrase', phrase]] as const) : []),
      ...(status ? ([['Status', String(status)]] as const) : []),
    ]);
  }
}

/** `host[:port]` (a `sip:` in front allowed), port 5060 by default. */
function hostPort(text: string): Address {
  const t = text.replace(/^sips?:/i, '');
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(t);
  return { address: m?.[1] ?? t, port: m?.[2] ? Number(m[2]) : 5060 };
}
