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
 *
 * With `ping` (sofia_reg_check_gateway, sofia_handle_sip_r_options), an OPTIONS goes to the proxy
 * every `ping` seconds while the gateway is NOREG or REGED, one at a time: an answer (any final but
 * 408 and 503) counts up to `ping-max` and brings the gateway UP once the count reaches `ping-min`;
 * a failure (408 when unanswered for 32 s, 503) counts down and takes it DOWN below `ping-min`
 * (and a REGED gateway to FAILED). A change of UP / DOWN — every result with `ping-monitoring` —
 * fires `sofia::gateway_state` with the OPTIONS' status and phrase.
 */
import { randomUUID } from 'node:crypto';
import type { Switch } from '@beamline/switch';
import type { GatewayConfig, ProfileConfig } from './config.ts';
import { fireSofiaEvent } from './events.ts';
import { viaHeader } from './dialog.ts';
import { newTag } from './sip/build.ts';
import { answerChallenge } from './sip/digest.ts';
import { type SipRequest, type SipResponse, header } from './sip/message.ts';
import type { Address, SipTransport } from './transport.ts';

/** What a call through a gateway needs of it (the profile's answer to `{ op: 'gateway' }`). */
export interface GatewayRoute {
  readonly up: boolean;
  readonly proxy: Address;
  readonly config: GatewayConfig;
}

/** A gateway's columns in `sofia status` and `sofia status gateway`. */
export interface GatewayRow {
  readonly name: string;
  /** register_to. */
  readonly url: string;
  /** The state, with the seconds to the next try while trying or failed. */
  readonly state: string;
  readonly pingTime: number;
  readonly callsOut: number;
  readonly failedCallsOut: number;
}

/** xml_gateway_status' elements and their text, in order. */
export type GatewayFacts = Readonly<Record<string, string>>;

export type GatewayState = 'UNREGED' | 'TRYING' | 'REGISTER' | 'REGED' | 'UNREGISTER' | 'FAILED' | 'FAIL_WAIT' | 'NOREG' | 'TIMEOUT' | 'DOWN';

/** How long a REGISTER may go unanswered (reg-timeout-seconds' default). */
const REGISTER_TIMEOUT_S = 30;
/** Timer E's longest gap (T2), for resending an unanswered OPTIONS. */
const OPTIONS_RESEND_MAX_S = 4;

/** An OPTIONS ping in flight: its Call-ID, when it went, and when it is resent. */
interface Ping {
  readonly callId: string;
  readonly request: SipRequest;
  readonly sentMs: number;
  readonly sentS: number;
  resendAt: number;
  resendGap: number;
}

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
  /** Seconds between pings; 0: none (gp->ping_freq). */
  readonly pingFreq: number;
  /** When the next ping goes (gp->ping, epoch seconds). */
  pingAt = 0;
  pingCount = 0;
  /** The last answered ping's round trip, ms (gp->ping_time). */
  pingTime = 0;
  #ping: Ping | undefined;
  /** `killgw`: the profile drops it once it is NOREG or DOWN (gp->deleted). */
  deleted = false;
  /** A REGISTER went out since it last unregistered (sofia-sip's registration handle). */
  #registering = false;

  constructor(
    readonly config: GatewayConfig,
    private readonly profile: ProfileConfig,
    private readonly sw: Switch,
    private readonly transport: SipTransport,
  ) {
    this.state = config.register ? 'UNREGED' : 'NOREG';
    this.up = !config.register;
    if (this.up) this.#upSince = Date.now();
    const { ping } = config;
    if (ping > 0 && ping < 5) sw.core.log('ERR', 'ERROR: invalid ping!');
    this.pingFreq = ping >= 5 ? ping : 0;
    if (this.pingFreq) this.pingAt = Math.floor(Date.now() / 1000) + this.pingFreq;
  }

  /** Whether a response belongs to this gateway: to its REGISTERs or to its ping. */
  owns(callId: string | undefined): boolean {
    return callId !== undefined && (callId === this.callId || callId === this.#ping?.callId);
  }

  get pinging(): boolean {
    return this.#ping !== undefined;
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
      ['Contact ', this.#contact()],
      ['Exten   ', c.username],
      ['To      ', this.url],
      ['Proxy   ', `sip:${(c.registerProxy ?? c.proxy).replace(/^sips?:/i, '')}`],
      ['Context ', this.profile.context],
      ['Expires ', String(c.expireSeconds)],
      ['Freq    ', String(c.register ? c.expireSeconds : 0)],
      ['Ping    ', String(this.pingAt)],
      ['PingFreq', String(this.pingFreq)],
      ['PingTime', this.pingTime.toFixed(2)],
      ['PingState', this.pingFreq ? `${c.pingMin}/${this.pingCount}/${c.pingMax}` : '0/0/0'],
      ['State   ', this.state],
      ['Status  ', `${this.up ? 'UP' : 'DOWN'}${this.pinging ? ' (ping)' : ''}`],
      ['Uptime  ', `${this.up && this.#upSince !== undefined ? Math.max(0, nowS - Math.floor(this.#upSince / 1000)) : 0}s`],
      ['CallsIN ', '0'],
      ['CallsOUT', String(this.callsOut)],
      ['FailedCallsIN', '0'],
      ['FailedCallsOUT', String(this.failedCallsOut)],
    ];
    return `${line}\n${rows.map(([k, v]) => `${k}\t${v}\n`).join('')}${line}\n`;
  }

  /** `sofia xmlstatus gateway <name>`'s values (xml_gateway_status), in its order. */
  facts(profile: string, nowS: number): GatewayFacts {
    const c = this.config;
    const retrying = this.state === 'FAILED' || this.state === 'FAIL_WAIT' || this.state === 'TRYING';
    return {
      name: c.name,
      profile,
      scheme: 'Digest',
      realm: c.realm,
      username: c.username,
      password: c.password ? 'yes' : 'no',
      from: `<sip:${c.fromUser}@${c.fromDomain}>`,
      contact: this.#contact(),
      exten: c.username,
      to: this.url,
      proxy: `sip:${(c.registerProxy ?? c.proxy).replace(/^sips?:/i, '')}`,
      context: this.profile.context,
      expires: String(c.expireSeconds),
      freq: String(c.register ? c.expireSeconds : 0),
      ping: String(this.pingAt),
      pingfreq: String(this.pingFreq),
      pingmin: String(c.pingMin),
      pingcount: String(this.pingCount),
      pingmax: String(c.pingMax),
      pingtime: this.pingTime.toFixed(2),
      pinging: this.pinging ? '1' : '0',
      state: this.state,
      status: this.up ? 'UP' : 'DOWN',
      'uptime-usec': String(this.up && this.#upSince !== undefined ? Math.max(0, Date.now() - this.#upSince) * 1000 : 0),
      'calls-in': '0',
      'calls-out': String(this.callsOut),
      'failed-calls-in': '0',
      'failed-calls-out': String(this.failedCallsOut),
      ...(retrying ? { retry: this.#retryAt >= nowS ? `${this.#retryAt - nowS}s` : 'NEVER' } : {}),
    };
  }

  /** `sofia profile <p> register <gw>`: register again at the next step. */
  reregister(): void {
    this.#retryAt = 0;
    this.state = 'UNREGED';
  }

  /** `sofia profile <p> unregister <gw>`: REGISTER with Expires 0 at the next step, then DOWN. */
  unregister(): void {
    this.#retryAt = 0;
    this.state = 'UNREGISTER';
  }

  /** `killgw` (sofia_glue_del_gateway): unregistered, then dropped by the profile. */
  remove(): void {
    if (this.deleted) return;
    if (this.state !== 'NOREG') this.unregister();
    this.deleted = true;
  }

  /** Where its calls and pings go, over `register-transport`. */
  get proxy(): Address {
    return hostPort(this.config.proxy, this.config.registerTransport);
  }

  /** Where its REGISTERs go. */
  get registrar(): Address {
    return hostPort(this.config.registerProxy ?? this.config.proxy, this.config.registerTransport);
  }

  /** Our Via for a request of its own, on its transport. */
  #via(): string {
    return viaHeader(this.transport.localOn(this.config.registerTransport));
  }

  /** register_contact: `<sip:gw+<name>@<ip>:<port>;transport=<register-transport>;gw=<name>>` (TLS's port for tls). */
  #contact(): string {
    const { address, port } = this.transport.localOn(this.config.registerTransport);
    const { name, registerTransport } = this.config;
    return `<sip:gw+${name}@${address}:${port};transport=${registerTransport};gw=${name}>`;
  }

  /** register_to: the Data column of `sofia status`. */
  get url(): string {
    return `sip:${this.config.username}@${this.config.proxy.replace(/^sips?:/i, '')}`;
  }

  row(nowS: number): GatewayRow {
    const retrying = this.state === 'FAILED' || this.state === 'FAIL_WAIT' || this.state === 'TRYING';
    const retry = this.#retryAt >= nowS ? `${this.#retryAt - nowS}s` : 'NEVER';
    return {
      name: this.config.name,
      url: this.url,
      state: retrying ? `${this.state} (retry: ${retry})` : this.state,
      pingTime: this.pingTime,
      callsOut: this.callsOut,
      failedCallsOut: this.failedCallsOut,
    };
  }

  /** One step of sofia_reg_check_gateway, at `nowS` (epoch seconds). */
  step(nowS: number): void {
    this.#stepPing(nowS);
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
      case 'UNREGISTER':
        if (this.#registering) {
          this.sw.core.log('NOTICE', `UN-Registering ${this.config.name}`);
          this.#register(undefined, 0);
          this.#registering = false;
        }
        this.state = 'DOWN';
        this.up = false;
        break;
      case 'DOWN':
      case 'NOREG':
        // sofia_reg_check_gateway: a gateway that neither registers nor pings counts as up
        if (!this.pingFreq && !this.pinging && !this.up) {
          this.up = true;
          this.#upSince = Date.now();
        }
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

  /** The ping's part of a step: a new OPTIONS when one is due, the one in flight resent or timed out. */
  #stepPing(nowS: number): void {
    const p = this.#ping;
    if (p) {
      // timer F: a non-INVITE request unanswered for 64·T1 (the profile's `timer-T1`, sofia-sip's NTATAG_SIP_T1) is a 408
      if ((nowS - p.sentS) * 1000 >= 64 * this.profile.timerT1) this.pingResponse(408, 'Request Timeout');
      else if (nowS >= p.resendAt) {
        this.transport.send(p.request, this.proxy);
        p.resendGap = Math.min(p.resendGap * 2, OPTIONS_RESEND_MAX_S);
        p.resendAt = nowS + p.resendGap;
      }
      return;
    }
    if (!this.pingFreq || this.deleted || nowS < this.pingAt || (this.state !== 'NOREG' && this.state !== 'REGED')) return;
    const uri = `<sip:${this.config.fromDomain}>`;
    const callId = randomUUID();
    const request: SipRequest = {
      kind: 'request',
      method: 'OPTIONS',
      uri: `sip:${this.config.proxy.replace(/^sips?:/i, '')}`,
      headers: [
        ['Via', this.#via()],
        ['Max-Forwards', '70'],
        ['From', `${uri};tag=${newTag()}`],
        ['To', uri],
        ['Call-ID', callId],
        ['CSeq', `${this.#cseq++} OPTIONS`],
        ['User-Agent', this.profile.userAgent],
      ],
      body: Buffer.alloc(0),
    };
    this.#ping = { callId, request, sentMs: Date.now(), sentS: nowS, resendAt: nowS + 1, resendGap: 1 };
    this.transport.send(request, this.proxy);
  }

  /** A final response to the ping (sofia_handle_sip_r_options); 408 when it went unanswered. */
  pingResponse(status: number, phrase: string): void {
    const p = this.#ping;
    if (!p || status < 200) return;
    this.#ping = undefined;
    const { name, pingMin, pingMax } = this.config;
    const wasUp = this.up;
    const log = (what: string) =>
      this.sw.core.log(
        'WARNING',
        `Ping ${what} ${name} with code ${status} - count ${pingMin}/${this.pingCount}/${pingMax}, state ${this.up ? 'UP' : 'DOWN'}`,
      );
    if (status < 600 && status !== 408 && status !== 503) {
      if (this.state === 'FAILED') this.state = 'UNREGED';
      if (this.pingCount < pingMax) {
        this.pingCount++;
        if (this.pingCount >= pingMin && !this.up) {
          this.up = true;
          this.#upSince = Date.now();
        }
        log('succeeded');
      }
      this.pingTime = Date.now() - p.sentMs;
    } else {
      if (this.state === 'REGED') {
        this.sw.core.log('WARNING', `Unregister ${name}`);
        this.state = 'FAILED';
        this.pingTime = 0;
      }
      if (this.pingCount > 0) this.pingCount--;
      if (this.pingCount < pingMin && this.up) {
        this.up = false;
        this.pingTime = 0;
      }
      log('failed');
    }
    if (this.config.pingMonitoring || this.up !== wasUp) this.#fire(status, phrase);
    this.pingAt = Math.floor(Date.now() / 1000) + this.pingFreq;
  }

  #registerUri(): string {
    return `sip:${this.config.registerProxy ?? this.config.realm}`;
  }

  #register(auth?: [string, string], expires = this.config.expireSeconds): void {
    this.#registering = true;
    const { username, realm } = this.config;
    const req: SipRequest = {
      kind: 'request',
      method: 'REGISTER',
      uri: this.#registerUri(),
      headers: [
        ['Via', this.#via()],
        ['Max-Forwards', '70'],
        ['From', `<sip:${username}@${realm}>;tag=${this.#tag}`],
        ['To', `<sip:${username}@${realm}>`],
        ['Call-ID', this.callId],
        ['CSeq', `${this.#cseq++} REGISTER`],
        ['Contact', this.#contact()],
        ['Expires', String(expires)],
        ['User-Agent', this.profile.userAgent],
        ...(auth ? [auth] : []),
      ],
      body: Buffer.alloc(0),
    };
    this.transport.send(req, this.registrar);
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

/** sofia_gateway_data: `ivar` an inbound variable, `ovar` an outbound one, `var` either (inbound first). */
export function gatewayVariable(c: GatewayConfig, kind: string, name: string): string | undefined {
  const vars = c.variables;
  if (!vars) return undefined;
  if (kind === 'ivar') return vars.inbound.get(name);
  if (kind === 'ovar') return vars.outbound.get(name);
  if (kind === 'var') return vars.inbound.get(name) ?? vars.outbound.get(name);
  return undefined;
}

/** `host[:port]` (a `sip:` in front allowed), port 5060 by default (5061 over TLS). */
function hostPort(text: string, transport: Address['transport']): Address {
  const t = text.replace(/^sips?:/i, '');
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(t);
  return { address: m?.[1] ?? t, port: m?.[2] ? Number(m[2]) : transport === 'tls' ? 5061 : 5060, transport };
}
