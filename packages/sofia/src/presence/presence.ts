/**
 * A profile's presence agent (mod_sofia with `manage-presence`): it takes SUBSCRIBEs for
 * `presence`, `dialog` and `message-summary` (sofia_presence_handle_sip_i_subscribe), keeps the
 * subscriptions, and NOTIFYs them: at once on a new or refreshed subscription, on every PRESENCE_IN
 * (pidf+xml or dialog-info+xml) and MESSAGE_WAITING (simple-message-summary) on the bus, and a
 * last `terminated` one when a subscription ends or expires. MESSAGE_WAITING also goes, unsolicited,
 * to the account's registered contacts, as sofia_glue_send_notify sends it.
 *
 * Everything here runs in the profile's process: the profile hands over each SUBSCRIBE, each
 * NOTIFY response, each bus event (as a message it sends itself) and each sweep tick.
 */
import type { ProcessContext } from '@beamline/core';
import type { EventSubscription, Switch, SwitchEvent } from '@beamline/switch';
import { type AuthEnv, type AuthResult, authenticate } from '../auth.ts';
import type { ProfileConfig } from '../config.ts';
import { viaHeader } from '../dialog.ts';
import { type Registration, type Registrations, registeredAs } from '../registrations.ts';
import { parseNameAddr, tagOf } from '../sip/address.ts';
import { cseqOf, newTag, responseTo } from '../sip/build.ts';
import { type SipRequest, type SipResponse, header } from '../sip/message.ts';
import type { Address, SipTransport, SipTransportName } from '../transport.ts';
import { dialogInfoBody } from './dialog_info.ts';
import { MWI_CONTENT_TYPE, messageSummary, noMessages } from './mwi.ts';
import { type Body, type HeaderOf, pidfBody } from './pidf.ts';
import { type Subscription, type SubscriptionEvent, Subscriptions } from './subscriptions.ts';

/** The event packages taken (the C allows more: as-feature-event, line-seize, call-info, conference…). */
const EVENTS: readonly SubscriptionEvent[] = ['presence', 'dialog', 'message-summary'];
export const ALLOW_EVENTS = EVENTS.join(', ');
/** The Expires a SUBSCRIBE without one gets, and the most any gets (sofia's 3600 and one year). */
const DEFAULT_EXPIRES = 3600;
const MAX_EXPIRES = 31_536_000;
/** The most presentities and accounts whose last state is kept (the oldest goes first). */
const KEPT = 10_000;

/** A bus event for the profile's process. */
export interface PresenceBusEvent {
  readonly presenceEvent: SwitchEvent;
}

/** A SUBSCRIBE whose credentials were checked (`checked` undefined: the profile does not ask). */
export interface SubscribeChecked {
  readonly subscribeChecked: AuthResult | undefined;
  readonly req: SipRequest;
  readonly source: Address;
}

export type PresenceMessage = PresenceBusEvent | SubscribeChecked;

export function isPresenceMessage(m: unknown): m is PresenceMessage {
  return typeof m === 'object' && m !== null && ('presenceEvent' in m || 'subscribeChecked' in m);
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export class PresenceAgent {
  readonly subscriptions = new Subscriptions();
  /** The last PRESENCE_IN of each presentity (`proto+user@host`): what a new subscriber is told. */
  readonly #lastPresence = new Map<string, SwitchEvent>();
  /** The last message summary of each account (`user@host`). */
  readonly #lastSummary = new Map<string, string>();
  #bus: EventSubscription | undefined;

  constructor(
    readonly sw: Switch,
    readonly config: ProfileConfig,
    readonly transport: SipTransport,
    readonly registrations: Registrations,
    readonly auth: AuthEnv,
  ) {}

  get on(): boolean {
    return this.config.managePresence !== 'off';
  }

  /** Listens to the bus (PRESENCE_IN, MESSAGE_WAITING) when presence is managed; each event comes back through `post`. */
  start(post: (m: PresenceBusEvent) => void): void {
    if (!this.on) return;
    this.#bus = this.sw.events.subscribe({
      types: ['PRESENCE_IN', 'MESSAGE_WAITING'],
      name: `sofia/${this.config.name}/presence`,
      handler: (presenceEvent) => post({ presenceEvent }),
    });
  }

  stop(): void {
    this.#bus?.unsubscribe();
    this.#bus = undefined;
  }

  /** A SUBSCRIBE outside any call: false when presence is off (the profile answers 405). */
  subscribe(req: SipRequest, source: Address, ctx: ProcessContext): boolean {
    if (!this.on) return false;
    const event = eventPackage(req);
    if (!EVENTS.includes(event as SubscriptionEvent)) {
      this.transport.send(responseTo(req, 489, { headers: [['Allow-Events', ALLOW_EVENTS]] }), source);
      return true;
    }
    if (header(req, 'contact') === undefined) {
      this.transport.send(responseTo(req, 481, { reason: 'INVALID SUBSCRIPTION' }), source);
      return true;
    }
    if (!this.config.authSubscriptions) {
      this.#checked({ subscribeChecked: undefined, req, source });
      return true;
    }
    const self = ctx.self;
    ctx.spawn(async (c) => c.send(self, { subscribeChecked: await authenticate(this.auth, req, source), req, source } satisfies SubscribeChecked));
    return true;
  }

  /** A message `isPresenceMessage` accepted. */
  info(m: PresenceMessage): void {
    if ('presenceEvent' in m) {
      const e = m.presenceEvent;
      if (e.type === 'PRESENCE_IN') this.#presenceIn(e);
      else this.#messageWaiting(e);
    } else this.#checked(m);
  }

  /**
   * A response to a NOTIFY of one of our subscriptions (true; a call's NOTIFY is the call's): a
   * 481, 404 or 410 says the subscriber has forgotten the dialog, so the subscription ends.
   */
  response(m: SipResponse): boolean {
    const callId = header(m, 'call-id') ?? '';
    if (cseqOf(m)?.method !== 'NOTIFY' || !this.subscriptions.get(callId)) return false;
    if (m.status === 481 || m.status === 404 || m.status === 410) {
      this.subscriptions.delete(callId);
      this.sw.core.log('DEBUG', `sofia/${this.config.name}: subscription ${callId} ended by a ${m.status} to its NOTIFY`);
    }
    return true;
  }

  /** Expired subscriptions get their last NOTIFY (terminated) and go (sofia_presence_check_subscriptions). */
  sweep(nowMs: number): void {
    for (const s of this.subscriptions.sweep(nowMs)) this.#notify(s, undefined, 0);
  }

  /** send-presence-on-register: a REGISTER that added `r` (not a refresh) fires PRESENCE_IN `Registered`. */
  registered(r: Registration, update: boolean): void {
    const mode = this.config.sendPresenceOnRegister;
    if (!this.on || mode === 'off' || update) return;
    if (mode === 'first-only' && this.registrations.find(r.user, r.host).length !== 1) return;
    this.#fire('PRESENCE_IN', [
      ['proto', 'sip'],
      ['login', this.config.name],
      ['presence-source', 'register'],
      ['from', `${r.user}@${r.host}`],
      ['rpid', 'unknown'],
      ['status', 'Registered'],
    ]);
  }

  #checked(m: SubscribeChecked): void {
    const { req, source } = m;
    const a = m.subscribeChecked;
    if (a && !a.ok) {
      // the C answers bad credentials with a bare 401; a missing or stale nonce is challenged (407)
      const status = a.status === 403 ? 401 : a.status;
      this.transport.send(responseTo(req, status, { headers: a.headers }), source);
      return;
    }
    let from: ReturnType<typeof parseNameAddr>;
    let to: ReturnType<typeof parseNameAddr>;
    try {
      from = parseNameAddr(header(req, 'from') ?? '');
      to = parseNameAddr(header(req, 'to') ?? '');
      parseNameAddr(header(req, 'contact') ?? '');
    } catch (e) {
      this.transport.send(responseTo(req, 400, { reason: e instanceof Error ? e.message.slice(0, 60) : 'Bad Request' }), source);
      return;
    }
    const event = eventPackage(req) as SubscriptionEvent;
    const callId = header(req, 'call-id') ?? '';
    const expires = grantedExpires(header(req, 'expires'), this.config.forceSubscriptionExpires);
    const origToUser = to.uri.user ?? '';
    const toHost = this.config.forceSubscriptionDomain ?? to.uri.host;
    const { proto, user: toUser, host: protoHost } = splitProto(origToUser, toHost);
    const toTag = tagOf(header(req, 'to')) || newTag();
    const fullTo = tagOf(header(req, 'to')) ? (header(req, 'to') ?? '') : `${header(req, 'to')};tag=${toTag}`;
    const ua = header(req, 'user-agent') ?? '';
    const local = this.transport.localOn(source.transport);
    const ourContact = `<sip:${origToUser}@${local.address}:${local.port}${source.transport && source.transport !== 'udp' ? `;transport=${source.transport}` : ''}>`;
    const state = expires === 0 ? 'terminated;reason=noresource' : `active;expires=${expires}`;
    const ok = responseTo(req, 202, {
      toTag,
      headers: [
        ['Contact', ourContact],
        ['Subscription-State', state],
        ['Expires', String(expires)],
        ['User-Agent', this.config.userAgent],
      ],
    });
    const asked: Subscription = {
      callId,
      event,
      proto,
      user: from.uri.user ?? '',
      host: from.uri.host,
      toUser,
      toHost: protoHost,
      fullFrom: header(req, 'from') ?? '',
      fullTo,
      contactUri: uriOf(header(req, 'contact') ?? ''),
      source,
      userAgent: ua,
      expiresAtMs: Date.now() + expires * 1000,
      cseq: 0,
      version: -1,
    };
    if (expires === 0) {
      const old = this.subscriptions.delete(callId);
      this.transport.send(ok, source);
      // the C skips the last NOTIFY for Zoiper, which loops on it
      if (!/^z/i.test(ua)) this.#notify(old ?? asked, undefined, 0);
      return;
    }
    const row = this.subscriptions.set(asked);
    this.transport.send(ok, source);
    this.#notifyCurrent(row);
    this.#probe(row, expires);
  }

  /** The NOTIFY a new or refreshed subscription gets: what is known of its presentity now. */
  #notifyCurrent(s: Subscription): void {
    if (s.event === 'message-summary') {
      const summary = this.#lastSummary.get(`${s.toUser}@${s.toHost}`.toLowerCase()) ?? noMessages(s.toUser, s.toHost);
      this.#send(s, { contentType: MWI_CONTENT_TYPE, body: summary });
      return;
    }
    const last = this.#lastFor(s);
    const headers: HeaderOf = last
      ? (n) => last.getHeader(n)
      : (n) => ({ status: this.#registered(s) ? 'Registered' : 'Unregistered', rpid: 'unknown' })[n.toLowerCase()];
    const host = last ? hostOf(last.getHeader('from') ?? '') : s.toHost;
    this.#notify(s, headers, 1, host);
  }

  #registered(s: Subscription): boolean {
    return this.registrations.all().some((r) => registeredAs(r, s.toUser, s.toHost));
  }

  #lastFor(s: Subscription): SwitchEvent | undefined {
    const exact = this.#lastPresence.get(presentityKey(s.proto, s.toUser, s.toHost));
    if (exact) return exact;
    for (const [key, e] of this.#lastPresence) {
      const { proto, user, host } = parseKey(key);
      if (proto === s.proto.toLowerCase() && user === s.toUser && this.#hostMatches(s, host)) return e;
    }
    return undefined;
  }

  #hostMatches(s: Subscription, host: string): boolean {
    return same(s.toHost, host) || same(s.toHost, this.config.sipIp) || this.config.presenceHosts.some((h) => same(h, host));
  }

  /** The PRESENCE_PROBE the C fires for a new subscription (MESSAGE_QUERY for message-summary), for applications to answer. */
  #probe(s: Subscription, expires: number): void {
    const common: [string, string][] = [
      ['login', this.config.name],
      ['sip_profile', this.config.name],
      ['from', `${s.user}@${s.host}`],
    ];
    if (s.event === 'message-summary') {
      this.#fire('MESSAGE_QUERY', [
        ['Message-Account', `sip:${s.toUser}@${s.toHost}`],
        ['VM-Sofia-Profile', this.config.name],
        ['VM-sub-call-id', s.callId],
      ]);
      return;
    }
    if (s.proto !== 'sip') {
      this.#fire('PRESENCE_PROBE', [
        ['proto', s.proto],
        ...common,
        ['to', `${s.proto}+${s.toUser}@${s.toHost}`],
        ['proto-specific-event-name', s.event],
        ['expires', String(expires)],
        ['event_type', 'presence'],
        ['alt_event_type', 'dialog'],
        ['sub-call-id', s.callId],
      ]);
    } else if (s.event === 'dialog') {
      this.#fire('PRESENCE_PROBE', [
        ['probe-type', 'dialog'],
        ['proto', 'sip'],
        ...common,
        ['to', `${s.toUser}@${s.toHost}`],
        ['proto-specific-event-name', 'dialog'],
        ['expires', String(expires)],
        ['event_type', 'presence'],
        ['alt_event_type', 'dialog'],
        ['sub-call-id', s.callId],
      ]);
    } else {
      this.#fire('PRESENCE_PROBE', [
        ['proto', 'sip'],
        ['login', this.config.name],
        ['sip_profile', this.config.name],
        ['presence-source', 'subscribe'],
        ['from', `${s.user}@${s.host}`],
        ['to', `${s.toUser}@${s.toHost}`],
        ['expires', String(expires)],
        ['alt_event_type', 'dialog'],
        ['rpid', 'unknown'],
        ['status', 'Registered'],
        ['sub-call-id', s.callId],
      ]);
    }
  }

  /** The presence event handler: every matching presence and dialog subscription is told. */
  #presenceIn(e: SwitchEvent): void {
    if (this.config.managePresence !== 'full') return;
    const from = e.getHeader('from');
    const at = from?.indexOf('@') ?? -1;
    if (from === undefined || at < 0) return;
    const rawUser = from.slice(0, at);
    const host = from.slice(at + 1).split('/')[0];
    const plus = rawUser.indexOf('+');
    const user = plus > 0 ? rawUser.slice(plus + 1) : rawUser;
    let proto = e.getHeader('proto') || 'sip';
    if (same(proto, 'any') || same(proto, 'dp')) proto = 'sip';
    const eventType = e.getHeader('event_type') || 'presence';
    const altType = e.getHeader('alt_event_type') || (same(eventType, 'presence') ? 'dialog' : 'presence');
    const callId = e.getHeader('call-id');
    remember(this.#lastPresence, presentityKey(proto, user, host), e);
    const targets =
      callId !== undefined && callId !== ''
        ? [this.subscriptions.get(callId)].filter((s): s is Subscription => s !== undefined && s.event !== 'message-summary')
        : this.subscriptions.matching([eventType, altType], proto, user, host, [this.config.sipIp], this.config.presenceHosts);
    for (const s of targets) this.#notify(s, (n) => e.getHeader(n), 1, host);
  }

  /** The MWI event handler: the account's subscriptions, and its registered contacts unsolicited. */
  #messageWaiting(e: SwitchEvent): void {
    const m = messageSummary(e.headers, (n) => e.getHeader(n));
    if ('error' in m) {
      this.sw.core.log('ERR', m.error);
      return;
    }
    if (m.profile !== undefined && m.profile !== this.config.name) return;
    const everyone = m.callId === undefined && m.subCallId === undefined;
    if (everyone) remember(this.#lastSummary, `${m.user}@${m.host}`.toLowerCase(), m.body);
    const body = { contentType: MWI_CONTENT_TYPE, body: m.body };
    if (everyone || m.subCallId !== undefined)
      for (const s of this.subscriptions.all())
        if (
          s.event === 'message-summary' &&
          s.toUser === m.user &&
          (same(s.toHost, m.host) || this.config.presenceHosts.some((h) => same(h, m.host))) &&
          (everyone || s.callId === m.subCallId)
        )
          this.#send(s, body);
    const regs = everyone
      ? this.registrations.find(m.user, m.host)
      : this.registrations.all().filter((r) => m.callId !== undefined && r.callId === m.callId);
    for (const r of regs) this.#unsolicited(r, m.user, m.host, m.body);
  }

  /**
   * A NOTIFY in the subscription's dialog. `headers` the event it tells of (undefined: none, the
   * last NOTIFY of one that ends); `live` 0 for a terminated subscription.
   */
  #notify(s: Subscription, headers: HeaderOf | undefined, live: 0 | 1, eventHost = s.toHost): void {
    if (live === 0 || headers === undefined) {
      this.#send(s, undefined, true);
      return;
    }
    const entity = s.proto === 'sip' ? `sip:${s.toUser}@${eventHost}` : `sip:${s.proto}+${s.toUser}@${eventHost}`;
    if (s.event === 'dialog') {
      s.version++;
      this.#send(s, dialogInfoBody(headers, { entity, subToUser: s.toUser, host: s.host, version: s.version }));
    } else if (s.event === 'presence') {
      const local = this.transport.localOn(s.source.transport);
      this.#send(s, pidfBody(headers, entity, s.userAgent, `sip:${s.toUser}@${local.address}:${local.port}`));
    }
  }

  #send(s: Subscription, body: Body | undefined, terminated = false): void {
    const left = Math.max(0, Math.round((s.expiresAtMs - Date.now()) / 1000));
    const over = terminated || left <= 0;
    const local = this.transport.localOn(s.source.transport);
    s.cseq++;
    const bytes = Buffer.from(body?.body ?? '');
    this.transport.send(
      {
        kind: 'request',
        method: 'NOTIFY',
        uri: s.contactUri,
        headers: [
          ['Via', viaHeader(local)],
          ['Max-Forwards', '70'],
          ['From', s.fullTo],
          ['To', s.fullFrom],
          ['Call-ID', s.callId],
          ['CSeq', `${s.cseq} NOTIFY`],
          ['Contact', contactFor(s.toUser, local, s.source.transport)],
          ['Event', s.event],
          ['Subscription-State', over ? 'terminated;reason=noresource' : `active;expires=${left}`],
          ...(over ? ([['Expires', '0']] as [string, string][]) : []),
          ['User-Agent', this.config.userAgent],
          ...(body ? ([['Content-Type', body.contentType]] as [string, string][]) : []),
        ],
        body: bytes,
      },
      s.source,
    );
  }

  /** sofia_glue_send_notify: a NOTIFY outside any dialog, From and To the account, to where the registration came from. */
  #unsolicited(r: Registration, user: string, host: string, body: string): void {
    const transport = registrationTransport(r);
    const to: Address = { address: r.networkIp, port: r.networkPort, transport };
    const local = this.transport.localOn(transport);
    const id = `<sip:${user}@${host}>`;
    this.transport.send(
      {
        kind: 'request',
        method: 'NOTIFY',
        uri: r.contactUri.replace(/;fs_.*$/i, ''),
        headers: [
          ['Via', viaHeader(local)],
          ['Max-Forwards', '70'],
          ['From', `${id};tag=${newTag()}`],
          ['To', id],
          ['Call-ID', `${newTag()}${newTag()}`],
          ['CSeq', '1 NOTIFY'],
          ['Contact', `<sip:mod_sofia@${local.address}:${local.port}${transport === 'udp' ? '' : `;transport=${transport}`}>`],
          ['Event', 'message-summary'],
          ['Subscription-State', 'terminated;reason=noresource'],
          ['User-Agent', this.config.userAgent],
          ['Content-Type', MWI_CONTENT_TYPE],
        ],
        body: Buffer.from(body),
      },
      to,
    );
  }

  #fire(type: 'PRESENCE_IN' | 'PRESENCE_PROBE' | 'MESSAGE_QUERY', headers: readonly (readonly [string, string])[]): void {
    const e = this.sw.core.bus.create(type);
    for (const [n, v] of headers) e.addHeader(n, v);
    this.sw.core.fire(e);
  }
}

/** Keeps `value` as the newest of `map`, forgetting the oldest past KEPT. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > KEPT) map.delete(map.keys().next().value as string);
}

/** The Event header's package, without its params, in lower case. */
function eventPackage(req: SipRequest): string {
  return (header(req, 'event') ?? '').split(';')[0].trim().toLowerCase();
}

/** The Expires a SUBSCRIBE is granted: what it asks (3600 without one), at most force-subscription-expires and one year. */
export function grantedExpires(asked: string | undefined, forced: number): number {
  const n = asked === undefined ? DEFAULT_EXPIRES : Number.parseInt(asked, 10);
  if (!Number.isFinite(n) || n < 0) return DEFAULT_EXPIRES;
  if (n === 0) return 0;
  const capped = forced > 0 && forced < n ? forced : n;
  return Math.min(capped, MAX_EXPIRES);
}

/** `pickup+4000` → proto pickup, user 4000 (a `+` after it, or an `@`, starts the host); else proto sip. */
export function splitProto(toUser: string, toHost: string): { proto: string; user: string; host: string } {
  const plus = toUser.indexOf('+');
  if (plus <= 0) return { proto: 'sip', user: toUser, host: toHost };
  const proto = toUser.slice(0, plus);
  const rest = toUser.slice(plus + 1);
  const cut = rest.search(/[+@]/);
  return cut < 0 ? { proto, user: rest, host: toHost } : { proto, user: rest.slice(0, cut), host: rest.slice(cut + 1) || toHost };
}

const presentityKey = (proto: string, user: string, host: string) => `${proto.toLowerCase()}+${user}@${host.toLowerCase()}`;

function parseKey(key: string): { proto: string; user: string; host: string } {
  const plus = key.indexOf('+');
  const at = key.lastIndexOf('@');
  return { proto: key.slice(0, plus), user: key.slice(plus + 1, at), host: key.slice(at + 1) };
}

/** A Contact's URI (`<…>` or the bare URI before its params). */
function uriOf(contact: string): string {
  return /<([^>]+)>/.exec(contact)?.[1] ?? contact.split(';')[0].trim();
}

const hostOf = (from: string) => from.slice(from.indexOf('@') + 1).split('/')[0];

function contactFor(user: string, local: Address, transport: SipTransportName | undefined): string {
  return `<sip:${user}@${local.address}:${local.port}${transport && transport !== 'udp' ? `;transport=${transport}` : ''}>`;
}

function registrationTransport(r: Registration): SipTransportName {
  const kind = /\((TLS|TCP)/.exec(r.status)?.[1];
  return kind === 'TLS' ? 'tls' : kind === 'TCP' ? 'tcp' : 'udp';
}
