/**
 * A SIP profile (mod_sofia's sofia_profile_t and its worker): a process that owns the profile's UDP
 * socket and registrations, answers what needs no call (REGISTER, OPTIONS, SUBSCRIBE through
 * presence/, strays), and starts one InboundCall process per new INVITE, routing later requests
 * and responses of that dialog to it (by the INVITE's branch for its ACK / CANCEL, else by
 * Call-ID). It also keeps the profile's gateways registered (gateway.ts), stepping them once a
 * second.
 *
 * A datagram that is not SIP is logged and dropped; a request missing what a response needs
 * (Via, From, To, Call-ID, CSeq) gets 400 when it can be answered at all. Nothing a peer sends
 * stops the profile.
 */
import { DOWN, GenServer, type From, type ProcessContext, Supervisor, noreply, ok, pidEquals, reply } from '@beamline/core';
import { Pid, Tuple } from '@beamline/etf';
import { type DirectoryUser, type Switch, formatRfc822 } from '@beamline/switch';
import { type AuthEnv, type AuthResult, NonceMaker, authenticate } from './auth.ts';
import type { ProfileConfig } from './config.ts';
import type { ExternalAddresses } from './ext_config.ts';
import { fireExpire, fireSofiaEvent } from './events.ts';
import { CallCounters, type CallCounts, isCallCounted } from './call_counters.ts';
import { Gateway, type GatewayFacts, type GatewayRoute, type GatewayRow, gatewayVariable } from './gateway.ts';
import { callSetupRequest, parseReferTo, replacesCallId } from './refer.ts';
import { parseReplaces, replacesToTag } from './replaces.ts';
import type { Routed } from './call.ts';
import type { InviteReply, InviteRequest } from './endpoint.ts';
import type { InboundArgs } from './inbound_call.ts';
import type { OutboundArgs } from './outbound_call.ts';
import { NO_EXTERNAL, externalAddresses, profileUrlHost } from './ext_address.ts';
import { registerNat, natContactUri } from './nat.ts';
import { type PingState, RegistrationPings } from './reg_ping.ts';
import { type ProfileCommand, type ProfileCommandResult, type ProfileParts, isProfileCommand, runProfileCommand } from './profile_commands.ts';
import { SipChat, addProfileChat } from './message.ts';
import { PresenceAgent, isPresenceMessage } from './presence/presence.ts';
import { type Registration, Registrations, coreRegistration, registeredOver, registrationStatus } from './registrations.ts';
import { parseNameAddr, tagOf } from './sip/address.ts';
import { cseqOf, newTag, responseTo, topBranch } from './sip/build.ts';
import { type SipRequest, type SipResponse, SipParseError, header, headerValues, parseMessage } from './sip/message.ts';
import { ProcessResources } from './process_resources.ts';
import { STOP_WAIT_MS, dropDeletedGateways, hangUpCalls, unregisterGateways } from './profile_stop.ts';
import { logSiptrace } from './siptrace.ts';
import { parseVerifyPolicy, switchCertsDir, tlsContext, tlsSockets } from './tls_transport.ts';
import { type Address, type BindOptions, SipTransport } from './transport.ts';

export interface ProfileArgs {
  readonly sw: Switch;
  readonly config: ProfileConfig;
  /** The `calls` supervisor (the profile's calls are its children). */
  readonly calls: () => Pid | undefined;
  /** Told of the process's resources (process_resources.ts) before it binds: the profile's next start waits until they are released. */
  readonly resources?: (r: ProcessResources) => void;
}

/** What the `calls` supervisor starts. */
export type CallStart =
  | { readonly direction: 'inbound'; readonly args: InboundArgs }
  | { readonly direction: 'outbound'; readonly args: OutboundArgs };

/** What `sofia status` and `sofia_contact` read. */
export interface ProfileStatus {
  readonly name: string;
  /** rtp-ip and sip-ip, and what the profile advertises outside (ext_address.ts). */
  readonly rtpIp: string;
  readonly sipIp: string;
  readonly external: ExternalAddresses;
  readonly url: string;
  /** What the profile listens on (sofia's bindurl: the URL with `;transport=udp,tcp`). */
  readonly bindUrl: string;
  /** `tls-only`: no UDP / TCP, so no URL and BIND-URL lines. */
  readonly tlsOnly: boolean;
  /** sofia's tls_url (`sip:mod_sofia@ip:tls-port`) and tls_bindurl (`sips:…;<tls-bind-params>`), when TLS listens. */
  readonly tlsUrl: string | undefined;
  readonly tlsBindUrl: string | undefined;
  /** Each gateway's row in `sofia status` and `sofia status gateway`. */
  readonly gateways: readonly GatewayRow[];
  readonly callsInUse: number;
  /** The running call totals (call_counters.ts). */
  readonly calls: CallCounts;
  /** The settings the profile runs with (the status lines print some). */
  readonly config: ProfileConfig;
  readonly registrations: readonly Registration[];
  /** Each registration's ping state, by Call-ID (reg_ping.ts). */
  readonly pings: Readonly<Record<string, PingState | undefined>>;
  readonly datagramsIn: number;
  readonly badDatagrams: number;
  /** The TCP connections open now, and the TLS ones. */
  readonly tcpConnections: number;
  readonly tlsConnections: number;
}

export type ProfileCall =
  | { readonly op: 'status' }
  | { readonly op: 'gateway'; readonly name: string }
  | { readonly op: 'gatewayDetails'; readonly name: string; readonly line: string }
  | { readonly op: 'gatewayFacts'; readonly name?: string }
  | { readonly op: 'gatewayVariable'; readonly gateway: string; readonly kind: string; readonly name: string }
  | ProfileCommand
  | InviteRequest;

const REQUIRED = ['via', 'from', 'to', 'call-id', 'cseq'] as const;
const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO, UPDATE, REGISTER';
/** mod_sofia allows REFER unless the profile has `disable-transfer`. */
const allowed = (c: ProfileConfig) => `${ALLOW}${c.disableTransfer ? '' : ', REFER'}${c.managePresence === 'off' ? '' : ', SUBSCRIBE'}`;
const SWEEP_MS = 1000;

class Profile {
  readonly registrations = new Registrations();
  readonly byCallId = new Map<string, Pid>();
  readonly byBranch = new Map<string, Pid>();
  /** Each call by its own tag: a response carries it in From, a request inside the dialog in To. */
  readonly byTag = new Map<string, Pid>();
  /** Each call's far end by Call-ID: a TCP connection a dialog is on stays open. */
  readonly peers = new Map<string, Address>();
  /** What arrives for a call whose process is starting, by Call-ID: handed over once it runs. */
  readonly starting = new Map<string, Routed[]>();
  readonly auth: AuthEnv;
  gateways: Gateway[];
  readonly startedAtMs = Date.now();
  /** `sofia profile <name> siptrace on`. */
  siptrace = false;
  /** OPTIONS pings to registered phones (reg_ping.ts). */
  readonly pings: RegistrationPings;
  /** SUBSCRIBE / NOTIFY (manage-presence). */
  readonly presence: PresenceAgent;
  /** MESSAGE in and out (message.ts). */
  readonly chat: SipChat;
  readonly removeChat: () => void;
  badDatagrams = 0;
  readonly counters = new CallCounters();
  /** The profile is stopping (not PFLAG_RUNNING): only its calls' dialogs are served. */
  stopping = false;

  constructor(
    readonly sw: Switch,
    readonly config: ProfileConfig,
    readonly transport: SipTransport,
    readonly calls: () => Pid | undefined,
    now: () => number,
    /** Its sockets, bus subscription, chat and registration rows, released however the process ends. */
    readonly resources: ProcessResources,
  ) {
    this.auth = { sw, profile: config, nonces: new NonceMaker(now) };
    this.gateways = config.gateways.map((g) => new Gateway(g, config, sw, transport));
    this.pings = new RegistrationPings({
      sw,
      config,
      transport,
      url: () => this.url,
      registration: (callId) => this.registrations.all().find((r) => r.callId === callId),
      // sofia's expiry sweep removes it (and fires sofia::expire) at the next tick
      expireNow: (r) => this.registrations.set({ ...r, expiresAtMs: Date.now() }, 'call-id'),
    });
    this.presence = new PresenceAgent(sw, config, transport, this.registrations, this.auth);
    this.chat = new SipChat(sw, config, transport, this.registrations, this.auth);
    this.removeChat = addProfileChat(this.chat);
    transport.inUse = (a) => usesConnection(this, a);
  }

  /** sofia's profile->url: the external address unless auto-nat (config_sofia_profile_urls). */
  get url(): string {
    return `sip:mod_sofia@${profileUrlHost(this.config, this.transport.local.address)}:${this.transport.local.port}`;
  }

  /** bindurl: the url, with `;maddr=<sip-ip>` when it names the external address. */
  get bindUrl(): string {
    const local = this.transport.local.address;
    return `${this.url}${profileUrlHost(this.config, local) === local ? '' : `;maddr=${local}`};transport=udp,tcp`;
  }

  get tlsUrl(): string | undefined {
    const tls = this.transport.tlsLocal;
    return tls && `sip:mod_sofia@${tls.address}:${tls.port}`;
  }
}

interface Datagram {
  readonly datagram: Buffer;
  readonly source: Address;
}

/** A request of ours that no TCP or TLS connection could carry (transport.ts's onUndelivered). */
interface Undelivered {
  readonly undelivered: SipRequest;
  readonly to: Address;
  /** The local 503's phrase (default Service Unavailable). */
  readonly phrase?: string | undefined;
}

/** A TCP or TLS connection closed (transport.ts's onClosed). */
interface ConnectionClosed {
  readonly connectionClosed: Address;
}

const isConnectionClosed = (m: unknown): m is ConnectionClosed => typeof m === 'object' && m !== null && 'connectionClosed' in m;

const isInbound = (m: unknown): m is Datagram | Undelivered => typeof m === 'object' && m !== null && ('datagram' in m || 'undelivered' in m);

interface RegisterChecked {
  readonly registerChecked: AuthResult;
  readonly req: SipRequest;
  readonly source: Address;
}

export class SofiaProfile extends GenServer<
  Profile,
  ProfileCall,
  never,
  InviteReply | ProfileStatus | GatewayRoute | GatewayFacts[] | ProfileCommandResult | string | undefined | null,
  ProfileArgs
> {
  override async init(args: ProfileArgs, ctx: ProcessContext) {
    const log = args.sw.core.log.bind(args.sw.core);
    const resources = ProcessResources.of(ctx, (e) => log('ERR', `sofia/${args.config.name}: ${e instanceof Error ? e.message : String(e)}`));
    args.resources?.(resources);
    const guessIp = args.sw.core.globals.get('local_ip_v4') || '127.0.0.1';
    const c: ProfileConfig = { ...args.config, external: await externalAddresses(args.config, guessIp, log) };
    const transport = await SipTransport.bind({
      ip: c.sipIp,
      port: c.sipPort,
      tls: tlsListener(args.sw, c),
      tlsOnly: c.tls && c.tlsOnly,
      limits: {
        maxConnections: c.tcpMaxConnections,
        maxPerAddress: c.tcpMaxConnectionsPerIp,
        idleMs: c.tcpIdleSeconds * 1000,
        keepaliveMs: c.tcpKeepaliveMs,
        pingpongMs: c.tcpPingpongMs,
        socketKeepaliveSeconds: c.socketTcpKeepaliveSeconds,
      },
      onMessage: (datagram, source) => ctx.send(ctx.self, { datagram, source } satisfies Datagram),
      onUndelivered: (undelivered, to, _why, phrase) => ctx.send(ctx.self, { undelivered, to, phrase } satisfies Undelivered),
      warn: (text) => log('WARNING', `sofia/${c.name}: ${text}`),
      error: (text) => log('ERR', `sofia/${c.name}: no TLS (${text}); udp and tcp go on`),
    });
    resources.hold(() => transport.close());
    ctx.sendAfter(SWEEP_MS, ctx.self, 'sweep');
    const { local, tlsLocal } = transport;
    if (!(c.tls && c.tlsOnly)) log('NOTICE', `sofia: profile ${c.name} listening on udp and tcp ${local.address}:${local.port}`);
    if (tlsLocal) log('NOTICE', `sofia: profile ${c.name} listening on tls ${tlsLocal.address}:${tlsLocal.port}`);
    const profile = new Profile(args.sw, c, transport, args.calls, () => Date.now(), resources);
    resources.hold(() => {
      for (const r of profile.registrations.all()) args.sw.core.registrations.del(r.user, r.host, r.callId);
    });
    resources.hold(profile.removeChat);
    profile.presence.start((m) => ctx.send(ctx.self, m));
    transport.onClosed = (connectionClosed) => ctx.send(ctx.self, { connectionClosed } satisfies ConnectionClosed);
    resources.hold(() => profile.presence.stop());
    return ok(profile);
  }

  override async handleCall(req: ProfileCall, _from: From, p: Profile, ctx: ProcessContext) {
    if (isProfileCommand(req)) return reply<ProfileCommandResult, Profile>(runProfileCommand(commandParts(p), req), p);
    if (req.op === 'invite') {
      const { op: _, host, port, transport, ...rest } = req;
      if (transport === 'tls' && !p.transport.hasTls) {
        p.sw.core.log('ERR', 'TLS not supported by profile', req.channelUuid);
        return reply<InviteReply | undefined, Profile>(undefined, p);
      }
      const localTag = newTag();
      const sendTo: Address = { address: host, port, transport };
      const args = { ...rest, sw: p.sw, profile: p.config, transport: p.transport, sendTo, localTag, profilePid: ctx.self };
      const pid = await startCall(p, ctx, { direction: 'outbound', args });
      ctx.monitor(pid);
      p.byCallId.set(req.callId, pid);
      p.byTag.set(localTag, pid);
      p.peers.set(req.callId, sendTo);
      return reply<InviteReply, Profile>({ call: pid, profileName: p.config.name, profileUrl: p.url }, p);
    }
    if (req.op === 'gateway') {
      const g = p.gateways.find((x) => x.config.name === req.name);
      const route = g?.route();
      // sofia_outgoing_channel: the gateway's profile counts the call, or its failure when the gateway is down
      if (route) p.counters.count(route.up ? 'obCalls' : 'obFailedCalls');
      return reply<GatewayRoute | undefined, Profile>(route, p);
    }
    if (req.op === 'gatewayVariable') {
      // null: not a gateway of this profile
      const g = p.gateways.find((x) => x.config.name === req.gateway && !x.deleted);
      return reply<string | undefined | null, Profile>(g ? gatewayVariable(g.config, req.kind, req.name) : null, p);
    }
    if (req.op === 'gatewayFacts') {
      const nowS = Math.floor(Date.now() / 1000);
      const list = p.gateways.filter((g) => req.name === undefined || g.config.name === req.name).map((g) => g.facts(p.config.name, nowS));
      return reply<GatewayFacts[], Profile>(list, p);
    }
    if (req.op === 'gatewayDetails') {
      const g = p.gateways.find((x) => x.config.name === req.name);
      return reply<string | undefined, Profile>(g?.details(p.config.name, req.line, Math.floor(Date.now() / 1000)), p);
    }
    const nowS = Math.floor(Date.now() / 1000);
    return reply<ProfileStatus, Profile>(
      {
        name: p.config.name,
        rtpIp: p.config.rtpIp,
        sipIp: p.transport.local.address,
        external: p.config.external ?? NO_EXTERNAL,
        url: p.url,
        bindUrl: p.bindUrl,
        tlsOnly: p.config.tls && p.config.tlsOnly,
        tlsUrl: p.tlsUrl,
        tlsBindUrl: p.tlsUrl && `${p.tlsUrl.replace(/^sip:/, 'sips:')};${p.config.tlsBindParams}`,
        gateways: p.gateways.map((g) => g.row(nowS)),
        callsInUse: new Set(p.byCallId.values()).size,
        calls: p.counters.counts,
        config: p.config,
        registrations: p.registrations.all(),
        pings: Object.fromEntries(p.registrations.all().map((r) => [r.callId, p.pings.state(r.callId)])),
        datagramsIn: p.transport.received,
        badDatagrams: p.badDatagrams,
        tcpConnections: p.transport.tcpConnections,
        tlsConnections: p.transport.tlsConnections,
      },
      p,
    );
  }

  /** The profile takes no casts; one from a peer (by pid) is dropped rather than restarting the profile. */
  override handleCast(_msg: never, p: Profile) {
    return noreply(p);
  }

  override handleInfo(msg: unknown, p: Profile, ctx: ProcessContext) {
    if (msg === 'sweep') {
      for (const r of p.registrations.sweep(Date.now())) {
        p.sw.core.registrations.del(r.user, r.host, r.callId);
        fireExpire(p.sw, p.config.name, r);
      }
      for (const g of p.gateways) g.step(Math.floor(Date.now() / 1000));
      dropDeletedGateways(p);
      p.pings.tick(Date.now(), p.registrations.all());
      p.transport.tick(Date.now());
      p.presence.sweep(Date.now());
      ctx.sendAfter(SWEEP_MS, ctx.self, 'sweep');
    } else if (isInbound(msg)) this.#inbound(msg, p, ctx);
    else if (isRegisterChecked(msg)) registered(p, msg);
    else if (isConnectionClosed(msg)) connectionClosed(p, msg.connectionClosed);
    else if (isPresenceMessage(msg)) p.presence.info(msg);
    else if (isCallCounted(msg)) p.counters.count(msg.callCounted);
    else if (msg instanceof Tuple && msg.elements[0] === DOWN && msg.elements[3] instanceof Pid) forget(p, msg.elements[3]);
    return noreply(p);
  }

  /** profile_stop.ts: its calls hang up and its gateways unregister while its transports are open, then they close. */
  override async terminate(_reason: unknown, p: Profile, ctx: ProcessContext): Promise<void> {
    p.stopping = true;
    try {
      const calls = profileCalls(p);
      if (calls.length > 0) p.sw.core.log('CRIT', `Waiting for ${calls.length} session(s)`);
      const left = await hangUpCalls(ctx, calls, {
        waitMs: STOP_WAIT_MS,
        routes: isInbound,
        onMessage: (m) => this.#inbound(m as Datagram | Undelivered, p, ctx),
        onEnded: (pid) => forget(p, pid),
      });
      if (left.length > 0) p.sw.core.log('WARNING', `sofia/${p.config.name}: ${left.length} call(s) still ending as the profile stops`);
      unregisterGateways(p, Math.floor(Date.now() / 1000));
      // a datagram is handed to the socket on the next turn of the event loop: let the last ones go
      await new Promise((r) => setImmediate(r));
    } finally {
      p.resources.release();
    }
  }

  #inbound(m: Datagram | Undelivered, p: Profile, ctx: ProcessContext): void {
    // sofia-sip's outgoing_reply(orq, SIP_503_SERVICE_UNAVAILABLE): the transaction's own answer
    if ('undelivered' in m) this.#response({ ...responseTo(m.undelivered, 503, { reason: m.phrase }), local: true }, m.to, p, ctx);
    else this.#datagram(m, p, ctx);
  }

  /** A response goes to what sent its request: an options ping, a gateway, presence, chat or a call. */
  #response(m: SipResponse, source: Address, p: Profile, ctx: ProcessContext): void {
    if (p.pings.response(m, Date.now())) return;
    const callId = header(m, 'call-id');
    const gateway = p.gateways.find((g) => g.owns(callId));
    if (gateway) {
      if (cseqOf(m)?.method === 'OPTIONS') gateway.pingResponse(m.status, m.reason);
      else gateway.response(m);
      return;
    }
    if (p.presence.response(m)) return;
    if (p.chat.response(m)) return;
    const pid = p.byTag.get(tagOf(header(m, 'from'))) ?? (callId === undefined ? undefined : p.byCallId.get(callId));
    if (pid) ctx.send(pid, { sip: m, source } satisfies Routed);
  }

  #datagram(d: Datagram, p: Profile, ctx: ProcessContext): void {
    if (d.datagram.length <= 4 && d.datagram.toString().trim() === '') return; // keep-alive
    if (p.siptrace) logSiptrace(p.sw, 'recv', d.datagram, d.source);
    let m: ReturnType<typeof parseMessage>;
    try {
      m = parseMessage(d.datagram);
    } catch (e) {
      p.badDatagrams++;
      const why = e instanceof SipParseError ? e.message : String(e);
      p.sw.core.log('WARNING', `sofia/${p.config.name}: dropped a datagram from ${d.source.address}:${d.source.port} that is not SIP (${why})`);
      p.transport.drop(d.source, why);
      return;
    }
    const callId = header(m, 'call-id');
    // requests for a call still starting wait for it (responses find their call by its tag)
    const waiting = callId === undefined || m.kind === 'response' ? undefined : p.starting.get(callId);
    if (waiting) {
      waiting.push({ sip: m, source: d.source });
      return;
    }
    if (m.kind === 'response') {
      this.#response(m, d.source, p, ctx);
      return;
    }
    const missing = REQUIRED.find((h) => header(m, h) === undefined);
    if (missing) {
      p.badDatagrams++;
      p.sw.core.log('WARNING', `sofia/${p.config.name}: ${m.method} from ${d.source.address}:${d.source.port} without ${missing}`);
      if (missing !== 'via' && m.method !== 'ACK') p.transport.send(responseTo(m, 400, { reason: `Missing ${missing}` }), d.source);
      return;
    }
    const branch = topBranch(m);
    const toTag = tagOf(header(m, 'to'));
    const toTagged = toTag !== '';
    const routed =
      (m.method === 'ACK' || m.method === 'CANCEL' || (m.method === 'INVITE' && !toTagged)) && branch ? p.byBranch.get(branch) : undefined;
    const inDialog =
      routed ??
      p.byTag.get(toTag) ??
      (toTagged || m.method === 'ACK' || m.method === 'CANCEL' || m.method === 'BYE' ? p.byCallId.get(callId ?? '') : undefined);
    if (inDialog) {
      ctx.send(inDialog, { sip: m, source: d.source, replaces: m.method === 'REFER' ? replacedCall(p, m) : undefined } satisfies Routed);
      return;
    }
    // sofia_event_callback once the profile is not running: nothing new starts
    const stopped = p.stopping && m.method !== 'OPTIONS' && m.method !== 'ACK';
    // sofia_process_dispatch_event requests the session as the INVITE arrives, before any
    // challenge: a pause, min-idle-cpu or the session limits refuse it there (a challenged call
    // so takes two from the per-second budget, as on FreeSWITCH)
    if (stopped || (m.method === 'INVITE' && !toTagged && p.sw.core.requestSession('inbound') !== undefined)) {
      p.transport.send(responseTo(m, 503, { reason: 'Maximum Calls In Progress', headers: [['Retry-After', '300']] }), d.source);
      return;
    }
    switch (m.method) {
      case 'INVITE':
        if (toTagged) p.transport.send(responseTo(m, 481), d.source);
        else {
          p.counters.count('ibCalls');
          void inboundCall(p, m, d.source, ctx);
        }
        return;
      case 'REGISTER':
        ctx.spawn(async (c) =>
          c.send(ctx.self, { registerChecked: await authenticate(p.auth, m, d.source), req: m, source: d.source } satisfies RegisterChecked),
        );
        return;
      case 'OPTIONS':
        p.transport.send(
          responseTo(m, 200, {
            headers: [
              ['Allow', allowed(p.config)],
              ['Accept', 'application/sdp'],
              ['User-Agent', p.config.userAgent],
            ],
          }),
          d.source,
        );
        return;
      case 'ACK':
        return; // for a transaction that is over
      case 'SUBSCRIBE':
        // manage-presence off: not a method of ours
        if (!p.presence.subscribe(m, d.source, ctx)) p.transport.send(responseTo(m, 405, { headers: [['Allow', allowed(p.config)]] }), d.source);
        return;
      case 'MESSAGE':
        if (toTagged) p.transport.send(responseTo(m, 481), d.source);
        else void p.chat.request(m, d.source);
        return;
      case 'REFER':
        if (toTagged) p.transport.send(responseTo(m, 481), d.source);
        else if (p.config.disableTransfer) p.transport.send(responseTo(m, 405, { headers: [['Allow', allowed(p.config)]] }), d.source);
        else {
          p.sw.core.fire(callSetupRequest(p.sw, p.config.name, m));
          p.transport.send(responseTo(m, 202, { toTag: newTag() }), d.source);
        }
        return;
      case 'BYE':
      case 'CANCEL':
      case 'INFO':
      case 'UPDATE':
        p.transport.send(responseTo(m, 481), d.source);
        return;
      default:
        p.transport.send(responseTo(m, 405, { headers: [['Allow', allowed(p.config)]] }), d.source);
    }
  }
}

async function inboundCall(p: Profile, invite: SipRequest, source: Address, ctx: ProcessContext): Promise<void> {
  const callId = header(invite, 'call-id') ?? '';
  const branch = topBranch(invite);
  const waiting: Routed[] = [];
  const localTag = newTag();
  p.starting.set(callId, waiting);
  let pid: Pid;
  try {
    const replacedCall = replacedDialog(p, invite);
    pid = await startCall(p, ctx, {
      direction: 'inbound',
      args: { sw: p.sw, auth: p.auth, transport: p.transport, invite, source, localTag, replacedCall, profile: ctx.self },
    });
  } catch (e) {
    p.starting.delete(callId);
    p.counters.count('ibFailedCalls');
    p.sw.core.log('ERR', `sofia/${p.config.name}: the call ${callId} could not start: ${e instanceof Error ? e.message : String(e)}`);
    p.transport.send(responseTo(invite, 500), source);
    return;
  }
  p.starting.delete(callId);
  ctx.monitor(pid);
  p.byCallId.set(callId, pid);
  p.byTag.set(localTag, pid);
  p.peers.set(callId, source);
  if (branch) p.byBranch.set(branch, pid);
  for (const r of waiting) ctx.send(pid, r);
}

/** A call process under `calls`. */
async function startCall(p: Profile, ctx: ProcessContext, call: CallStart): Promise<Pid> {
  const sup = p.calls();
  if (!sup) throw new Error('the calls supervisor is not running');
  const r = await Supervisor.startChild(ctx, sup, [call]);
  if (!r.ok || !r.pid) throw new Error(`the call did not start: ${String(r.ok ? 'ignored' : r.error)}`);
  return r.pid;
}

/** The call whose dialog a REFER's Refer-To names in Replaces (by Call-ID, as refer.ts says), if it is one of ours. */
function replacedCall(p: Profile, refer: SipRequest): Pid | undefined {
  try {
    const callId = replacesCallId(parseReferTo(header(refer, 'refer-to') ?? ''));
    return callId === undefined ? undefined : p.byCallId.get(callId);
  } catch {
    return undefined; // no Refer-To, or not one we read: the call answers for it
  }
}

/**
 * The call whose dialog an INVITE's Replaces names (nua_handle_by_replaces, else
 * nua_handle_by_call_id): the one whose tag is the to-tag, when that Call-ID is ours, else the
 * Call-ID's. The from-tag is not compared: the Call-ID alone would find the call anyway.
 */
function replacedDialog(p: Profile, invite: SipRequest): Pid | undefined {
  const replaces = parseReplaces(header(invite, 'replaces') ?? '');
  if (!replaces || !p.byCallId.has(replaces.callId)) return undefined;
  const toTag = replacesToTag(replaces);
  return (toTag === undefined ? undefined : p.byTag.get(toTag)) ?? p.byCallId.get(replaces.callId);
}

/**
 * The TLS listener of a profile with `tls`: its certificate from `tls-cert-dir` (else the switch's
 * certs dir). One that does not load is sofia-sip's line and no TLS (`tls-only`: no profile).
 */
function tlsListener(sw: Switch, c: ProfileConfig): BindOptions['tls'] {
  if (!c.tls) return undefined;
  const dir = c.tlsCertDir || switchCertsDir(sw.core.globals.get('certs_dir'), sw.conf.confDir);
  const context = tlsContext(c, dir);
  if ('error' in context) {
    sw.core.log('ERR', context.error);
    const what = `the certificate in ${dir} did not load`;
    if (c.tlsOnly) throw new Error(`tls-only, and ${what}`);
    sw.core.log('ERR', `sofia/${c.name}: no TLS (${what}); udp and tcp go on`);
    return undefined;
  }
  const verify = {
    policy: parseVerifyPolicy(c.tlsVerifyPolicy, (text) => sw.core.log('ERR', text)),
    verifyDate: c.tlsVerifyDate,
    verifyDepth: c.tlsVerifyDepth,
    inSubjects: c.tlsVerifyInSubjects,
  };
  return { port: c.tlsSipPort, sockets: tlsSockets(context.options, c, verify, (text) => sw.core.log('WARNING', `sofia/${c.name}: ${text}`)) };
}

/** A registration from `a`, a call with it, or a gateway registering over TCP or TLS to it keeps its connection. */
function usesConnection(p: Profile, a: Address): boolean {
  const at = (b: Address) => b.address === a.address && b.port === a.port;
  return (
    p.registrations.all().some((r) => at({ address: r.networkIp, port: r.networkPort })) ||
    [...p.peers.values()].some(at) ||
    p.gateways.some((g) => g.config.registerTransport !== 'udp' && at(g.registrar))
  );
}

/** The profile's parts a `sofia profile` command changes (profile_commands.ts), writing back to it. */
function commandParts(p: Profile): ProfileParts {
  return {
    newGateway: (g) => new Gateway(g, p.config, p.sw, p.transport),
    sw: p.sw,
    config: p.config,
    transport: p.transport,
    registrations: p.registrations,
    url: p.url,
    startedAtMs: p.startedAtMs,
    get gateways() {
      return p.gateways;
    },
    set gateways(g: Gateway[]) {
      p.gateways = g;
    },
    get siptrace() {
      return p.siptrace;
    },
    set siptrace(on: boolean) {
      p.siptrace = on;
      p.transport.trace = on ? (bytes, to) => logSiptrace(p.sw, 'send', bytes, to) : undefined;
    },
  };
}

/** The profile's call processes (every dialog it routes to one). */
function profileCalls(p: Profile): Pid[] {
  const all = [...p.byCallId.values(), ...p.byTag.values(), ...p.byBranch.values()];
  return all.filter((pid, i) => all.findIndex((x) => pidEquals(x, pid)) === i);
}

function forget(p: Profile, pid: Pid): void {
  for (const [k, v] of p.byCallId)
    if (pidEquals(v, pid)) {
      p.byCallId.delete(k);
      p.peers.delete(k);
    }
  for (const [k, v] of p.byBranch) if (pidEquals(v, pid)) p.byBranch.delete(k);
  for (const [k, v] of p.byTag) if (pidEquals(v, pid)) p.byTag.delete(k);
}

/** sofia_reg_handle_register after the credentials were checked. */
function registered(p: Profile, r: RegisterChecked): void {
  const { req, source } = r;
  const a = r.registerChecked;
  if (!a.ok) {
    p.transport.send(responseTo(req, a.status, { toTag: undefined, headers: a.headers }), source);
    return;
  }
  const callId = header(req, 'call-id') ?? '';
  let to: ReturnType<typeof parseNameAddr>;
  let from: ReturnType<typeof parseNameAddr>;
  try {
    to = parseNameAddr(header(req, 'to') ?? '');
    from = parseNameAddr(header(req, 'from') ?? '');
  } catch (e) {
    p.transport.send(responseTo(req, 400, { reason: e instanceof Error ? e.message.slice(0, 60) : 'Bad Request' }), source);
    return;
  }
  const contacts = headerValues(req, 'contact');
  const expiresHeader = header(req, 'expires');
  const base = {
    callId,
    user: to.uri.user ?? '',
    host: to.uri.host,
    networkIp: source.address,
    networkPort: source.port,
    userAgent: header(req, 'user-agent') ?? '',
    username: a.username,
    realm: a.realm,
    fromUser: from.uri.user ?? '',
    fromHost: from.uri.host,
  };
  const okHeaders: [string, string][] = [];
  const nat = registerNat(p.sw, p.config, req, source);
  if (contacts.length === 1 && contacts[0] === '*') {
    for (const old of p.registrations.find(base.user, base.host)) unregister(p, old);
  }
  for (const c of contacts) {
    if (c === '*') continue;
    let contact: ReturnType<typeof parseNameAddr>;
    try {
      contact = parseNameAddr(c);
    } catch {
      continue;
    }
    const asked = Number(contact.params.get('expires') ?? expiresHeader ?? 3600);
    const expires = Number.isFinite(asked) ? Math.max(0, Math.min(Math.floor(asked), p.config.maxRegistrationSeconds)) : 3600;
    const uri = /<([^>]+)>/.exec(c)?.[1] ?? c.split(';')[0];
    if (expires === 0) {
      const old = p.registrations.delete(callId);
      if (old) unregister(p, old, false);
      continue;
    }
    const stored = nat === undefined ? uri : natContactUri(uri, source, p.config.receivedInNatRegContact);
    const written = c.replace(/;\s*expires=\d+/i, '');
    const reg: Registration = {
      ...base,
      status: registrationStatus(contact.uri, nat !== undefined),
      contact: nat === undefined ? written : written.includes('<') ? written.replace(/<[^>]*>/, `<${stored}>`) : `<${stored}>`,
      contactUri: stored,
      expires,
      expiresAtMs: Date.now() + expires * 1000,
    };
    if (nat !== undefined)
      p.sw.core.log('DEBUG', `sofia/${p.config.name}: ${base.user}@${base.host} registers from ${source.address}:${source.port} behind NAT (${nat})`);
    const update = p.registrations.set(reg, p.config.multipleRegistrations);
    p.pings.registered(reg.callId, Math.floor(Date.now() / 1000));
    p.sw.core.registrations.add(coreRegistration(p.config.name, reg));
    fireRegister(p, reg, update, a.user);
    p.presence.registered(reg, update);
    okHeaders.push(['Contact', `<${uri}>;expires=${expires}`]);
  }
  p.transport.send(
    responseTo(req, 200, {
      toTag: undefined,
      headers: [...okHeaders, ['Date', formatRfc822(Date.now() * 1000)], ['User-Agent', p.config.userAgent]],
    }),
    source,
  );
}

/**
 * `sofia::register`, then what sofia_reg_parse_auth put in its variables event (switch_event_merge):
 * the user's names and domain, its `mwi-account`, its `sip-…` and `register-gateway` params and all
 * its variables.
 */
function fireRegister(p: Profile, r: Registration, update: boolean, user: DirectoryUser): void {
  const alias = user.numberAlias ?? (r.username || 'nobody');
  const userParams = [...user.params].filter(([n, v]) => v !== '' && (n.startsWith('sip-') || n === 'register-gateway'));
  const mwi = user.params.get('mwi-account');
  fireSofiaEvent(p.sw, 'sofia::register', [
    ['profile-name', p.config.name],
    ['from-user', r.user],
    ['from-host', r.host],
    ['presence-hosts', p.config.presenceHosts.length > 0 ? p.config.presenceHosts.join(',') : 'n/a'],
    ['contact', r.contact],
    ['call-id', r.callId],
    ['rpid', 'unknown'],
    ['status', r.status],
    ['expires', String(r.expires)],
    ['to-user', r.fromUser],
    ['to-host', r.fromHost],
    ['network-ip', r.networkIp],
    ['network-port', String(r.networkPort)],
    ['username', r.username],
    ['realm', r.realm],
    ['user-agent', r.userAgent],
    ...(update ? ([['update-reg', 'true']] as const) : []),
    ['sip_number_alias', alias],
    ['sip_auth_username', r.username],
    ['sip_auth_realm', r.realm],
    ['number_alias', alias],
    ['user_name', r.username],
    ['domain_name', r.realm],
    ...(mwi ? ([['mwi-account', mwi]] as const) : []),
    ...userParams,
    ...user.variables.filter(([n, v]) => n !== '' && v !== ''),
  ]);
}

/**
 * `tcp-unreg-on-socket-close`: the registrations on a closed connection go, as sofia.c's
 * nua_i_media_error handler for a registration's handle ("SOCKET DISCONNECT") removes them, with
 * PRESENCE_IN `Unregistered` and `sofia::unregister` reason `socket-disconnection`.
 */
function connectionClosed(p: Profile, a: Address): void {
  if (!p.config.tcpUnregOnSocketClose) return;
  for (const r of p.registrations.all()) {
    if (r.networkIp !== a.address || r.networkPort !== a.port || registeredOver(r) === undefined) continue;
    p.registrations.delete(r.callId);
    p.sw.core.registrations.del(r.user, r.host, r.callId);
    const e = p.sw.core.bus.create('PRESENCE_IN');
    for (const [name, value] of [
      ['proto', 'sip'],
      ['rpid', 'unknown'],
      ['login', p.url],
      ['user-agent', 'unknown'],
      ['from', `${r.user}@${r.host}`],
      ['status', 'Unregistered'],
      ['presence-source', 'register'],
      ['event_type', 'presence'],
    ])
      e.addHeader(name, value);
    p.sw.core.fire(e);
    fireSofiaEvent(p.sw, 'sofia::unregister', [
      ['profile-name', p.config.name],
      ['from-user', r.user],
      ['from-host', r.host],
      ['call-id', r.callId],
      ['rpid', 'unknown'],
      ['reason', 'socket-disconnection'],
    ]);
  }
}

function unregister(p: Profile, r: Registration, remove = true): void {
  if (remove) p.registrations.delete(r.callId);
  p.sw.core.registrations.del(r.user, r.host, r.callId);
  fireSofiaEvent(p.sw, 'sofia::unregister', [
    ['profile-name', p.config.name],
    ['username', r.username],
    ['from-user', r.user],
    ['from-host', r.host],
    ['contact', r.contact],
    ['call-id', r.callId],
    ['rpid', 'unknown'],
    ['realm', r.realm],
    ['network-ip', r.networkIp],
    ['network-port', String(r.networkPort)],
    ['user-agent', r.userAgent],
    ['expires', '0'],
  ]);
}

function isRegisterChecked(m: unknown): m is RegisterChecked {
  return typeof m === 'object' && m !== null && 'registerChecked' in m;
}
