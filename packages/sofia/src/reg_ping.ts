/**
 * OPTIONS pings to registered phones (sofia_reg_check_ping_expire, sofia_reg_nat_callback, and the
 * registration half of sofia_handle_sip_r_options): which registrations are pinged
 * (`all-reg-options-ping`: all; `nat-options-ping`: those NAT'd; `udp-only`: those NAT'd over
 * UDP), when (each registration's ping is due a random 0..`ping-mean-interval` seconds after it
 * registers, then every `ping-mean-interval`; due pings are looked for every
 * `ping-thread-frequency` seconds), and what an answer does: a 200 or 486 counts up (to
 * `sip-user-ping-max`), anything else — 408 when unanswered for 64·T1 — counts down; below
 * `sip-user-ping-min` the user is Unreachable (`sofia::sip_user_state`), and with
 * `unregister-on-options-fail` its registration expires at once.
 */
import { randomUUID } from 'node:crypto';
import type { Switch } from '@beamline/switch';
import type { ProfileConfig } from './config.ts';
import { viaHeader } from './dialog.ts';
import { dialTarget } from './endpoint.ts';
import { fireSofiaEvent } from './events.ts';
import { type Registration, dialUri } from './registrations.ts';
import { newTag } from './sip/build.ts';
import { type SipRequest, type SipResponse, header } from './sip/message.ts';
import type { Address, SipTransport } from './transport.ts';

/** A registration's ping columns (sip_registrations' ping_status, ping_count, ping_time, ping_expires). */
export interface PingState {
  status: 'Reachable' | 'Unreachable';
  count: number;
  /** The last answer's round trip, in ms. */
  timeMs: number;
  /** When the next ping is due (epoch seconds). */
  expiresS: number;
}

interface Pending {
  readonly regCallId: string;
  readonly sentMs: number;
}

export interface PingHost {
  readonly sw: Switch;
  readonly config: ProfileConfig;
  readonly transport: SipTransport;
  /** The profile's url (From and Contact of a ping). */
  readonly url: () => string;
  readonly registration: (callId: string) => Registration | undefined;
  /** The registration expires now (unregister-on-options-fail). */
  readonly expireNow: (r: Registration) => void;
}

/** sofia_reg_uniform_distribution: 0..max, each as likely. */
const uniform = (max: number) => Math.floor(Math.random() * (max + 1));

export class RegistrationPings {
  readonly #states = new Map<string, PingState>();
  readonly #pending = new Map<string, Pending>();
  #loops: number;

  constructor(readonly host: PingHost) {
    this.#loops = host.config.pingThreadFrequency;
  }

  /** A REGISTER was taken: a new row starts Reachable with count 0; either way its next ping is re-drawn. */
  registered(callId: string, nowS: number): void {
    const s = this.#states.get(callId) ?? { status: 'Reachable', count: 0, timeMs: 0, expiresS: 0 };
    s.expiresS = nowS + uniform(this.host.config.pingMeanInterval);
    this.#states.set(callId, s);
  }

  state(callId: string): PingState | undefined {
    return this.#states.get(callId);
  }

  /** The profile's one-second tick: unanswered pings time out; every ping-thread-frequency ticks, due ones go out. */
  tick(nowMs: number, registrations: readonly Registration[]): void {
    const live = new Set(registrations.map((r) => r.callId));
    for (const id of this.#states.keys()) if (!live.has(id)) this.#states.delete(id);
    const timeout = 64 * this.host.config.timerT1;
    for (const [id, p] of this.#pending) if (nowMs - p.sentMs >= timeout) this.#answer(id, 408, 'Request Timeout', nowMs);
    if (++this.#loops < this.host.config.pingThreadFrequency) return;
    this.#loops = 0;
    const nowS = Math.floor(nowMs / 1000);
    for (const r of registrations) {
      const s = this.#states.get(r.callId);
      if (s && s.expiresS > 0 && s.expiresS <= nowS && this.#pinged(r)) this.#ping(r, nowMs);
    }
    for (const s of this.#states.values()) if (s.expiresS <= nowS) s.expiresS = nowS + this.host.config.pingMeanInterval;
  }

  /** A response to one of our pings (its Call-ID is `<uuid>_<registration's Call-ID>`); false for any other. */
  response(res: SipResponse, nowMs: number): boolean {
    const id = header(res, 'call-id') ?? '';
    if (!this.#pending.has(id)) return false;
    if (res.status >= 200) this.#answer(id, res.status, res.reason, nowMs);
    return true;
  }

  /** sofia_reg_check_ping_expire's choice of rows. */
  #pinged(r: Registration): boolean {
    const c = this.host.config;
    if (c.allRegOptionsPing) return true;
    if (c.natOptionsPing === 'udp-only') return r.status.includes('UDP-NAT');
    if (c.natOptionsPing === 'on') return r.status.includes('NAT') || r.contact.includes('fs_nat=yes');
    return false;
  }

  /** sofia_reg_nat_callback: OPTIONS to the registered contact (its fs_path, if any), From / Contact the profile's url. */
  #ping(r: Registration, nowMs: number): void {
    let to: Address;
    let uri: string;
    try {
      const t = dialTarget(dialUri(r));
      to = { address: t.host, port: t.port, transport: t.transport };
      uri = t.requestUri;
    } catch {
      return; // a contact we cannot read is not pinged
    }
    const callId = `${randomUUID()}_${r.callId}`;
    const url = this.host.url();
    const local = this.host.transport.localOn(to.transport);
    const request: SipRequest = {
      kind: 'request',
      method: 'OPTIONS',
      uri,
      headers: [
        ['Via', viaHeader({ ...local, address: /@([^:;>]+|\[[^\]]+\])/.exec(url)?.[1] ?? local.address })],
        ['Max-Forwards', '70'],
        ['From', `<${url}>;tag=${newTag()}`],
        ['To', `<sip:${r.user}@${r.host}>`],
        ['Call-ID', callId],
        ['CSeq', `${Math.floor(Math.random() * 10_000) + 1} OPTIONS`],
        ['Contact', `<${url}>`],
        ['User-Agent', this.host.config.userAgent],
      ],
      body: Buffer.alloc(0),
    };
    this.#pending.set(callId, { regCallId: r.callId, sentMs: nowMs });
    this.host.transport.send(request, to);
  }

  /** sofia_handle_sip_r_options for a registration's ping. */
  #answer(pingCallId: string, status: number, phrase: string, nowMs: number): void {
    const p = this.#pending.get(pingCallId);
    this.#pending.delete(pingCallId);
    if (!p) return;
    const s = this.#states.get(p.regCallId);
    const r = this.host.registration(p.regCallId);
    if (!s || !r) return;
    const { sw, config: c } = this.host;
    const who = `${r.user}@${r.host}`;
    const timeMs = nowMs - p.sentMs;
    if (status !== 200 && status !== 486) {
      const count = s.count - 1;
      if (count >= 0) {
        sw.core.log('DEBUG', `Ping to sip user '${who}' failed with code ${status} - count ${count}, state ${s.status}`);
        s.count = count;
        s.timeMs = timeMs;
      }
      if (count < c.sipUserPingMin && s.status !== 'Unreachable') {
        sw.core.log('WARNING', `Sip user '${who}' is now Unreachable`);
        s.status = 'Unreachable';
        s.timeMs = timeMs;
        this.#fire(r, 'UNREACHABLE', status, phrase);
        if (c.unregisterOnOptionsFail) {
          sw.core.log('WARNING', `Expire sip user '${who}' due to options failure`);
          this.host.expireNow(r);
        }
      }
      return;
    }
    const count = s.count + 1;
    if (count <= c.sipUserPingMax) {
      sw.core.log('DEBUG', `Ping to sip user '${who}' succeeded with code ${status} - count ${count}, state ${s.status}`);
      s.count = count;
      s.timeMs = timeMs;
    }
    if (count >= c.sipUserPingMin && s.status !== 'Reachable') {
      sw.core.log('WARNING', `Sip user '${who}' is now Reachable`);
      s.status = 'Reachable';
      this.#fire(r, 'REACHABLE', status, phrase);
    }
  }

  /** sofia_reg_fire_custom_sip_user_state_event. */
  #fire(r: Registration, pingStatus: string, status: number, phrase: string): void {
    fireSofiaEvent(this.host.sw, 'sofia::sip_user_state', [
      ['sip_contact', r.contact],
      ['profile-name', this.host.config.name],
      ['sip_user', `${r.user}@${r.host}`],
      ['from-user', r.user],
      ['from-host', r.host],
      ['call-id', r.callId],
      ['Ping-Status', pingStatus],
      ['Status', String(status)],
      ...(phrase ? ([['Phrase', phrase]] as const) : []),
    ]);
  }
}
