/**
 * sofia.conf: `<profiles><profile name="…"><settings><param …/>` as mod_sofia reads them, for the
 * settings this SIP face has. Unknown params are ignored (FreeSWITCH has a hundred more); a bad
 * value is an error naming the profile and the param.
 */
import { type XmlElement, attr, children, settingsOf, switchTrue } from '@beamline/switch';
import { EXT_DEFAULTS, type ExtConfig, extConfigOf } from './ext_config.ts';
import { CHAT_DEFAULTS, type ChatConfig, chatConfigOf } from './message_config.ts';
import { PRESENCE_DEFAULTS, type PresenceConfig, presenceOf } from './presence/config.ts';

/** A profile's settings; its presence params are presence/config.ts's, its external-address and registration-ping ones ext_config.ts's. */
export interface ProfileConfig extends PresenceConfig, ExtConfig, ChatConfig {
  readonly name: string;
  /** The address SIP is bound to and advertised in Contact / Via. */
  readonly sipIp: string;
  readonly sipPort: number;
  /** The address RTP is bound to and advertised in SDP. */
  readonly rtpIp: string;
  readonly rtpPortStart: number;
  readonly rtpPortEnd: number;
  /** Where calls from this profile are routed (a registered user's `user_context` wins). */
  readonly context: string;
  readonly dialplan: string;
  /** INVITEs must authenticate (407) against the directory. */
  readonly authCalls: boolean;
  /** `auto_to` (the To host, default), `auto_from`, or a fixed realm. */
  readonly challengeRealm: string;
  /**
   * `multiple-registrations`: off (default), a user's new REGISTER replaces its other
   * registrations; `call-id`: one per Call-ID; `contact` (or true): one per contact.
   */
  readonly multipleRegistrations: 'off' | 'call-id' | 'contact';
  /** Largest Expires granted to a REGISTER (seconds). */
  readonly maxRegistrationSeconds: number;
  readonly userAgent: string;
  /** `dtmf-type`: how the profile's calls take digits when the far end offers telephone-event (default rfc2833). */
  readonly dtmfType: 'rfc2833' | 'info' | 'none';
  /** `liberal-dtmf`: digits are taken however they come (INFO on an RFC 2833 call too). */
  readonly liberalDtmf: boolean;
  /** `disable-transfer`: REFER is refused 403 (mod_sofia's MFLAG_REFER off). */
  readonly disableTransfer: boolean;
  /** `manual-redirect`: a 3xx on a leg with a partner transfers the partner in `sip_redirect_dialplan` / `sip_redirect_context`. */
  readonly manualRedirect: boolean;
  /** `fire-transfer-events`: a REFER fires `sofia::transferor`, `sofia::transferee` (and `sofia::replaced`). */
  readonly fireTransferEvents: boolean;
  /**
   * `enable-3pcc`: an INVITE without SDP (a late offer) is refused when off; `true` answers it at
   * once with our offer in the 200; `proxy` routes it first and offers in the 200 of its answer.
   */
  readonly enable3pcc: 'off' | 'true' | 'proxy';
  /** `tcp-max-connections`, `tcp-max-connections-per-ip`: the TCP connections kept at once, in all and with one remote address. */
  readonly tcpMaxConnections: number;
  readonly tcpMaxConnectionsPerIp: number;
  /** `tcp-idle-seconds`: a TCP connection no registration or dialog uses is closed after this long silent (nta's TPTAG_IDLE, 1800 s). */
  readonly tcpIdleSeconds: number;
  /** `tcp-keepalive` (ms; 0: off): a double-CRLF ping on a TCP connection we have sent nothing on for this long (TPTAG_KEEPALIVE). */
  readonly tcpKeepaliveMs: number;
  /** `tcp-pingpong`, or `tcp-ping2pong`, which mod_sofia passes as the same TPTAG_PINGPONG (ms; 0: off): a ping unanswered this long closes the connection. */
  readonly tcpPingpongMs: number;
  /** `socket-tcp-keepalive` (s): the kernel's keep-alive probes on every TCP and TLS socket after this long idle (sofia-sip's TPTAG_SOCKET_KEEPALIVE, 30). */
  readonly socketTcpKeepaliveSeconds: number;
  /** `tcp-unreg-on-socket-close`: a registration whose TCP or TLS connection closes is removed at once (PFLAG_TCP_UNREG_ON_SOCKET_CLOSE). */
  readonly tcpUnregOnSocketClose: boolean;
  /** `tls`: SIP over TLS on `tls-sip-port` besides UDP and TCP (sofia.c's PFLAG_TLS). */
  readonly tls: boolean;
  /** `tls-only`: TLS alone, no UDP or TCP listener. */
  readonly tlsOnly: boolean;
  /** `tls-sip-port` (5061, SOFIA_DEFAULT_TLS_PORT; `auto`: any free port). */
  readonly tlsSipPort: number;
  /** `tls-bind-params`: the TLS bind URL's params, `transport=tls` always among them. */
  readonly tlsBindParams: string;
  /** `tls-cert-dir`: where `agent.pem` / `tls.pem` and `cafile.pem` are; '' is the switch's certs dir (tls_transport.ts). */
  readonly tlsCertDir: string;
  /** `tls-passphrase`: the private key's. */
  readonly tlsPassphrase: string | undefined;
  /** `tls-verify-policy` as written (`none`, `in`, `out`, `all`, `subjects_in`, … joined by `|`), read when TLS starts. */
  readonly tlsVerifyPolicy: string;
  /** `tls-verify-depth`: the most CA levels above a peer's certificate (2). */
  readonly tlsVerifyDepth: number;
  /** `tls-verify-date`: an expired or not yet valid certificate fails verification (true). */
  readonly tlsVerifyDate: boolean;
  /** `tls-verify-in-subjects`: with `subjects_in`, an accepted peer's certificate must name one of these. */
  readonly tlsVerifyInSubjects: readonly string[];
  /** `tls-version`: the versions allowed (`sslv2`, `sslv3`, `tlsv1`, `tlsv1.1`, `tlsv1.2`, `tlsv1.3`). */
  readonly tlsVersions: readonly string[];
  /** `tls-ciphers`: an OpenSSL cipher list. */
  readonly tlsCiphers: string;
  /** `tls-timeout`: a TLS session's lifetime in the session cache (seconds, 300). */
  readonly tlsTimeout: number;
  /** `aggressive-nat-detection`: a REGISTER's or INVITE's top Via is compared with where it came from. */
  readonly aggressiveNatDetection: boolean;
  /**
   * `NDLB-force-rport` as sofia.c's server_rport_level: 1 by default, 2 for a true value (the
   * Poly / KIRK quirk of nat.ts), 3 for `safe`, 0 for `disabled`, 1 for `server-only`.
   */
  readonly serverRportLevel: number;
  /** `NDLB-received-in-nat-reg-contact`: a NAT'd registration's Contact gains `;received=<ip>:<port>`. */
  readonly receivedInNatRegContact: boolean;
  /** `local-network-acl` (default `localnet.auto`; `none`: undefined): sources in it are never NAT'd. */
  readonly localNetworkAcl: string | undefined;
  /** `apply-nat-acl`: a Contact (or Via) host in these lists marks NAT (sofia.c's nat_acl). */
  readonly natAcls: readonly string[];
  /** `disable-rtp-auto-adjust`: RTP keeps going to the SDP's address whatever the far end sends from. */
  readonly disableRtpAutoAdjust: boolean;
  readonly gateways: readonly GatewayConfig[];
}

/** A `<gateway name="…">` of a profile's `<gateways>`, with sofia.c's defaults filled in. */
export interface GatewayConfig {
  readonly name: string;
  readonly username: string;
  /** `auth-username`, default the username. */
  readonly authUsername: string;
  readonly password: string;
  /** Default the proxy, or the gateway's name. */
  readonly realm: string;
  /** `host[:port]` calls and REGISTERs go to; default the realm. */
  readonly proxy: string;
  readonly registerProxy: string | undefined;
  readonly fromUser: string;
  readonly fromDomain: string;
  /** `register`: keep a registration with it (default true). */
  readonly register: boolean;
  readonly expireSeconds: number;
  readonly retrySeconds: number;
  /** `caller-id-in-from`: the caller id number is the From user, not `from-user`. */
  readonly callerIdInFrom: boolean;
  /** `ping`: seconds between OPTIONS pings (0: none; under 5 is refused with an ERROR, and no pings). */
  readonly ping: number;
  /** `ping-min`: successes in a row that bring it up (default 1); `ping-max`: the most the count rises to (default 1). */
  readonly pingMin: number;
  readonly pingMax: number;
  /** `ping-monitoring`: every ping's result fires `sofia::gateway_state`, not only a change of status. */
  readonly pingMonitoring: boolean;
  /** `register-transport`: what its REGISTERs, pings and calls go over (default udp; tls only on a TLS profile). */
  readonly registerTransport: 'udp' | 'tcp' | 'tls';
  /** `<variables><variable name value [direction=inbound|outbound]>` (ib_vars / ob_vars; no direction: both); read by `sofia_gateway_data`. */
  readonly variables?: { readonly inbound: ReadonlyMap<string, string>; readonly outbound: ReadonlyMap<string, string> };
}

export class SofiaConfigError extends Error {
  override readonly name = 'SofiaConfigError';
}

export const PROFILE_DEFAULTS: Omit<ProfileConfig, 'name'> = {
  sipIp: '127.0.0.1',
  sipPort: 5060,
  rtpIp: '127.0.0.1',
  rtpPortStart: 16384,
  rtpPortEnd: 32768,
  context: 'public',
  dialplan: 'XML',
  authCalls: true,
  challengeRealm: 'auto_to',
  multipleRegistrations: 'off',
  maxRegistrationSeconds: 3600,
  userAgent: 'beamline',
  dtmfType: 'rfc2833',
  liberalDtmf: false,
  disableTransfer: false,
  manualRedirect: false,
  fireTransferEvents: false,
  enable3pcc: 'off',
  tcpMaxConnections: 1024,
  tcpMaxConnectionsPerIp: 64,
  tcpIdleSeconds: 1800,
  tcpKeepaliveMs: 0,
  tcpPingpongMs: 0,
  socketTcpKeepaliveSeconds: 30,
  tcpUnregOnSocketClose: false,
  tls: false,
  tlsOnly: false,
  tlsSipPort: 5061,
  tlsBindParams: 'transport=tls',
  tlsCertDir: '',
  tlsPassphrase: undefined,
  tlsVerifyPolicy: 'none',
  tlsVerifyDepth: 2,
  tlsVerifyDate: true,
  tlsVerifyInSubjects: [],
  tlsVersions: ['tlsv1', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3'],
  tlsCiphers: 'ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH',
  tlsTimeout: 300,
  aggressiveNatDetection: false,
  serverRportLevel: 1,
  receivedInNatRegContact: false,
  localNetworkAcl: 'localnet.auto',
  natAcls: [],
  disableRtpAutoAdjust: false,
  ...PRESENCE_DEFAULTS,
  ...CHAT_DEFAULTS,
  ...EXT_DEFAULTS,
  gateways: [],
};

function port(profile: string, param: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new SofiaConfigError(`sofia.conf profile ${profile}: ${param} "${text}" is not a port`);
  return n;
}

/** The multiple-registrations param as sofia.c reads it. */
function multipleRegistrations(v: string | undefined): ProfileConfig['multipleRegistrations'] {
  if (v === undefined) return 'off';
  if (v.toLowerCase() === 'call-id') return 'call-id';
  return v.toLowerCase() === 'contact' || switchTrue(v) ? 'contact' : 'off';
}

/** sofia.c's dtmf-type: rfc2833, info, anything else none. */
function dtmfType(v: string | undefined): ProfileConfig['dtmfType'] {
  if (v === undefined) return 'rfc2833';
  const t = v.toLowerCase();
  return t === 'rfc2833' || t === 'info' ? t : 'none';
}

/** sofia.c's enable-3pcc: a true value, or `proxy`. */
function enable3pcc(v: string | undefined): ProfileConfig['enable3pcc'] {
  if (v !== undefined && switchTrue(v)) return 'true';
  return v?.toLowerCase() === 'proxy' ? 'proxy' : 'off';
}

/** A positive whole number (of seconds), or the default. */
function seconds(v: string | undefined, fallback: number): number {
  const n = v === undefined ? Number.NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** parse_gateways' register-transport (sofia_glue_str2transport): udp, tcp, and tls on a profile with `tls`; anything else is refused. */
function registerTransport(gateway: string, v: string | undefined, profileTls: boolean): GatewayConfig['registerTransport'] {
  const t = (v || 'udp').toLowerCase();
  if (t === 'udp' || t === 'tcp' || (t === 'tls' && profileTls)) return t;
  throw new SofiaConfigError(`sofia.conf gateway ${gateway}: ERROR: unsupported transport`);
}

/** sofia.c's tls-version: a comma-separated list; the words it knows are kept, the rest ignored. */
function tlsVersions(v: string | undefined): readonly string[] {
  if (!v) return PROFILE_DEFAULTS.tlsVersions;
  const known = ['sslv2', 'sslv3', 'tlsv1', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3'];
  const out = new Set<string>();
  for (const word of v.toLowerCase().split(',')) {
    if (word === 'sslv23') out.add('sslv2').add('sslv3');
    else if (known.includes(word)) out.add(word);
  }
  return [...out];
}

/** `tls` and the params it governs, as sofia.c reads them (`tls-bind-params` always gains `transport=tls`). */
function tlsOf(profile: string, s: ReadonlyMap<string, string>): Pick<ProfileConfig, Extract<keyof ProfileConfig, `tls${string}`>> {
  const d = PROFILE_DEFAULTS;
  const given = (n: string) => s.get(n) || undefined;
  const bind = given('tls-bind-params');
  const portText = given('tls-sip-port');
  const timeout = Number.parseInt(s.get('tls-timeout') ?? '', 10);
  const depth = given('tls-verify-depth');
  return {
    tls: switchTrue(s.get('tls') ?? ''),
    tlsOnly: switchTrue(s.get('tls-only') ?? ''),
    tlsSipPort: portText?.toLowerCase() === 'auto' ? 0 : port(profile, 'tls-sip-port', portText, d.tlsSipPort),
    tlsBindParams: bind === undefined ? d.tlsBindParams : /transport=tls/i.test(bind) ? bind : `${bind};transport=tls`,
    tlsCertDir: given('tls-cert-dir') ?? d.tlsCertDir,
    tlsPassphrase: given('tls-passphrase'),
    tlsVerifyPolicy: s.get('tls-verify-policy') ?? d.tlsVerifyPolicy,
    tlsVerifyDepth: depth === undefined ? d.tlsVerifyDepth : Number.parseInt(depth, 10) || 0,
    tlsVerifyDate: s.has('tls-verify-date') ? switchTrue(s.get('tls-verify-date') ?? '') : d.tlsVerifyDate,
    tlsVerifyInSubjects: given('tls-verify-in-subjects')?.split('|') ?? d.tlsVerifyInSubjects,
    tlsVersions: tlsVersions(given('tls-version')),
    tlsCiphers: given('tls-ciphers') ?? d.tlsCiphers,
    tlsTimeout: timeout > 0 ? timeout : d.tlsTimeout,
  };
}

/** sofia.c's NDLB-force-rport: the server_rport_level each value sets. */
function serverRportLevel(v: string | undefined): number {
  const t = v?.toLowerCase();
  if (t === 'safe') return 3;
  if (t === 'disabled') return 0;
  if (t === 'server-only' || t === 'client-only' || v === undefined) return 1;
  return switchTrue(v) ? 2 : 1;
}

/** The NAT params of a profile, as sofia.c reads them. */
function natOf(
  s: ReadonlyMap<string, string>,
): Pick<
  ProfileConfig,
  'aggressiveNatDetection' | 'serverRportLevel' | 'receivedInNatRegContact' | 'localNetworkAcl' | 'natAcls' | 'disableRtpAutoAdjust'
> {
  const local = s.get('local-network-acl');
  const natAcl = s.get('apply-nat-acl');
  return {
    aggressiveNatDetection: switchTrue(s.get('aggressive-nat-detection') ?? ''),
    serverRportLevel: serverRportLevel(s.get('ndlb-force-rport')),
    receivedInNatRegContact: switchTrue(s.get('ndlb-received-in-nat-reg-contact') ?? ''),
    localNetworkAcl: local === undefined ? PROFILE_DEFAULTS.localNetworkAcl : local.toLowerCase() === 'none' ? undefined : local,
    natAcls: !natAcl || natAcl.toLowerCase() === 'none' ? [] : [natAcl],
    disableRtpAutoAdjust: switchTrue(s.get('disable-rtp-auto-adjust') ?? ''),
  };
}

/** parse_gateways' ping params, atoi'd (the gateway itself refuses a `ping` under 5). */
function pingOf(s: ReadonlyMap<string, string>): Pick<GatewayConfig, 'ping' | 'pingMin' | 'pingMax' | 'pingMonitoring'> {
  const int = (n: string, fallback: number) => {
    const v = s.get(n);
    return v === undefined ? fallback : Number.parseInt(v, 10) || 0;
  };
  return {
    ping: int('ping', 0),
    pingMin: int('ping-min', 1),
    pingMax: int('ping-max', 1),
    pingMonitoring: switchTrue(s.get('ping-monitoring') ?? ''),
  };
}

/** parse_gateways' `<variables>` (else `<variable>`s right in the gateway): inbound, outbound or (no direction) both. */
function gatewayVariables(g: XmlElement): GatewayConfig['variables'] {
  const inbound = new Map<string, string>();
  const outbound = new Map<string, string>();
  const [list] = children(g, 'variables');
  for (const v of children(list ?? g, 'variable')) {
    const name = attr(v, 'name');
    const value = attr(v, 'value');
    if (name === undefined || value === undefined) continue;
    const direction = attr(v, 'direction')?.toLowerCase();
    if (direction === undefined || direction === 'inbound') inbound.set(name, value);
    if (direction === undefined || direction === 'outbound') outbound.set(name, value);
  }
  return { inbound, outbound };
}

/** A profile's `<gateways>` as sofia.c's parse_gateways reads them: one without its required params is an error. */
function gatewaysOf(profile: string, el: XmlElement, profileTls: boolean): GatewayConfig[] {
  const out: GatewayConfig[] = [];
  for (const list of children(el, 'gateways')) {
    for (const g of children(list, 'gateway')) {
      const name = attr(g, 'name');
      if (!name) throw new SofiaConfigError(`sofia.conf profile ${profile}: a <gateway> without a name`);
      const s = new Map(children(g, 'param').map((p) => [attr(p, 'name') ?? '', attr(p, 'value') ?? ''] as const));
      const register = switchTrue(s.get('register') ?? 'true');
      const given = (n: string) => s.get(n) || undefined;
      const realm = given('realm') ?? given('proxy') ?? name;
      const username = given('username') ?? (register ? undefined : 'FreeSWITCH');
      const password = s.get('password') ?? (register ? undefined : '');
      if (username === undefined) throw new SofiaConfigError(`sofia.conf gateway ${name}: username param is REQUIRED`);
      if (!password && register) throw new SofiaConfigError(`sofia.conf gateway ${name}: password param is REQUIRED`);
      out.push({
        name,
        username,
        authUsername: given('auth-username') ?? username,
        password: password ?? '',
        realm,
        proxy: given('proxy') ?? realm,
        registerProxy: given('register-proxy'),
        fromUser: given('from-user') ?? username,
        fromDomain: given('from-domain') ?? realm,
        register,
        expireSeconds: seconds(s.get('expire-seconds'), 3600),
        retrySeconds: seconds(s.get('retry-seconds'), 30),
        callerIdInFrom: switchTrue(s.get('caller-id-in-from') ?? ''),
        ...pingOf(s),
        registerTransport: registerTransport(name, s.get('register-transport'), profileTls),
        variables: gatewayVariables(g),
      });
    }
  }
  return out;
}

/** The profiles of a `<configuration name="sofia.conf">` element (none when it is missing). */
export function profilesFromXml(conf: XmlElement | undefined): ProfileConfig[] {
  if (!conf) return [];
  const out: ProfileConfig[] = [];
  for (const list of children(conf, 'profiles')) {
    for (const p of children(list, 'profile')) {
      const name = attr(p, 'name');
      if (!name) throw new SofiaConfigError('sofia.conf: a <profile> without a name');
      const s = settingsOf(p);
      const d = PROFILE_DEFAULTS;
      const sipIp = s.get('sip-ip') || d.sipIp;
      const rtpPortStart = port(name, 'rtp-start-port', s.get('rtp-start-port'), d.rtpPortStart);
      const rtpPortEnd = port(name, 'rtp-end-port', s.get('rtp-end-port'), d.rtpPortEnd);
      if (rtpPortEnd <= rtpPortStart) throw new SofiaConfigError(`sofia.conf profile ${name}: rtp-end-port must be above rtp-start-port`);
      const maxReg = s.get('sip-force-expires') ?? s.get('max-registration-seconds');
      const tls = tlsOf(name, s);
      out.push({
        name,
        sipIp,
        sipPort: port(name, 'sip-port', s.get('sip-port'), d.sipPort),
        rtpIp: s.get('rtp-ip') || sipIp,
        rtpPortStart,
        rtpPortEnd,
        context: s.get('context') || d.context,
        dialplan: s.get('dialplan') || d.dialplan,
        authCalls: s.has('auth-calls') ? switchTrue(s.get('auth-calls') ?? '') : d.authCalls,
        challengeRealm: s.get('challenge-realm') || d.challengeRealm,
        multipleRegistrations: multipleRegistrations(s.get('multiple-registrations')),
        maxRegistrationSeconds: maxReg && /^\d+$/.test(maxReg) ? Number(maxReg) : d.maxRegistrationSeconds,
        userAgent: s.get('user-agent-string') || d.userAgent,
        dtmfType: dtmfType(s.get('dtmf-type')),
        liberalDtmf: switchTrue(s.get('liberal-dtmf') ?? ''),
        disableTransfer: switchTrue(s.get('disable-transfer') ?? ''),
        manualRedirect: switchTrue(s.get('manual-redirect') ?? ''),
        fireTransferEvents: switchTrue(s.get('fire-transfer-events') ?? ''),
        enable3pcc: enable3pcc(s.get('enable-3pcc')),
        tcpMaxConnections: seconds(s.get('tcp-max-connections'), d.tcpMaxConnections),
        tcpMaxConnectionsPerIp: seconds(s.get('tcp-max-connections-per-ip'), d.tcpMaxConnectionsPerIp),
        tcpIdleSeconds: seconds(s.get('tcp-idle-seconds'), d.tcpIdleSeconds),
        tcpKeepaliveMs: seconds(s.get('tcp-keepalive'), d.tcpKeepaliveMs),
        // both set: the later TPTAG_PINGPONG in nua_create's list, ping2pong's, is the one kept
        tcpPingpongMs: seconds(s.get('tcp-ping2pong') ?? s.get('tcp-pingpong'), d.tcpPingpongMs),
        socketTcpKeepaliveSeconds: seconds(s.get('socket-tcp-keepalive'), d.socketTcpKeepaliveSeconds),
        tcpUnregOnSocketClose: switchTrue(s.get('tcp-unreg-on-socket-close') ?? ''),
        ...tls,
        ...natOf(s),
        ...presenceOf(s),
        ...chatConfigOf(s),
        ...extConfigOf(s, (why) => new SofiaConfigError(`sofia.conf profile ${name}: ${why}`)),
        gateways: gatewaysOf(name, p, tls.tls),
      });
    }
  }
  return out;
}
