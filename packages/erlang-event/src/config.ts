/**
 * erlang_event.conf (spec §4.1): `<configuration name="erlang_event.conf"><settings><param …/>`.
 * Parsing is pure: the file system, the host name and the home directory come in through
 * `ConfigEnv`, so every rule (node name, cookie resolution, defaults) is testable without them.
 */
import { type XmlElement, attr, children, configuration, switchTrue } from '@beamline/switch';

export type Encoding = 'string' | 'binary';
/** README: `list` (the original's `{event, [UUID | Headers]}`) or `map` (`{event, #{Name => Value}}`). */
export type EventFormat = 'list' | 'map';
/** DECISIONS.md: `seed` (positive rules on one header OR-ed) or `original` (the C module's walk). */
export type FilterSemantics = 'seed' | 'original';

export interface ErlangEventConfig {
  /** Bind address; '' = the node layer's default (loopback for `@localhost`, else every interface). */
  readonly listenIp: string;
  readonly listenPort: number;
  /** The full node name, `alive@host`. */
  readonly nodeName: string;
  /** Whether `nodename` came from erlang_event.conf (for the startup banner). */
  readonly nodeNameSource: 'nodename' | 'default';
  readonly shortname: boolean;
  readonly cookie: string;
  /** Where the cookie came from (for the startup log). */
  readonly cookieSource: 'cookie' | 'cookie-file' | 'home' | 'default';
  readonly encoding: Encoding;
  readonly eventFormat: EventFormat;
  /** ACL lists every inbound peer's address must pass (all of them). */
  readonly inboundAcls: readonly string[];
  /** Events / log lines sent per pump turn (the original: per listener-loop pass). */
  readonly maxEventBulk: number;
  readonly maxLogBulk: number;
  readonly stopOnBindError: boolean;
  /** Bounded queues (the original's SWITCH_CORE_QUEUE_LEN). */
  readonly eventQueueCapacity: number;
  readonly logQueueCapacity: number;
  readonly filterSemantics: FilterSemantics;
  /** `seed`: `{api, status, ""}` answers the seed document's text (DECISIONS.md). */
  readonly statusFormat: 'modern' | 'seed';
  /** A parked outbound call whose handler exits or whose node goes (DECISIONS.md): keep | hangup | respawn. */
  readonly outboundExitPolicy: 'keep' | 'hangup' | 'respawn';
  /** Connecting out to a node not connected yet (the original: no bound). */
  readonly outboundConnectTimeoutMs: number;
}

export const DEFAULTS: ErlangEventConfig = {
  listenIp: '',
  listenPort: 8031,
  nodeName: 'freeswitch',
  nodeNameSource: 'default',
  shortname: true,
  cookie: 'ClueCon',
  cookieSource: 'default',
  encoding: 'string',
  eventFormat: 'list',
  inboundAcls: [],
  maxEventBulk: 1,
  maxLogBulk: 1,
  stopOnBindError: false,
  eventQueueCapacity: 100_000,
  logQueueCapacity: 100_000,
  filterSemantics: 'seed',
  statusFormat: 'modern',
  outboundExitPolicy: 'hangup',
  outboundConnectTimeoutMs: 5000,
};

export interface ConfigEnv {
  readonly hostname: string;
  readonly home: string | undefined;
  /** Reads a cookie file: its text and whether group/other may access it; undefined if unreadable. */
  readonly readCookieFile: (path: string) => { text: string; private: boolean } | undefined;
  readonly log: (level: 'ERR' | 'WARNING' | 'INFO', text: string) => void;
}

const MAX_ACLS = 100;

/** The params of `<settings>` in document order (names may repeat: `apply-inbound-acl`). */
function paramsOf(conf: XmlElement | undefined): [string, string][] {
  const settings = conf ? children(conf, 'settings')[0] : undefined;
  return (settings ? children(settings, 'param') : []).map((p) => [attr(p, 'name') ?? '', attr(p, 'value') ?? '']);
}

/** erlang_event.conf out of a loaded XML root (`<section name="configuration">`). */
export function configFromXml(root: XmlElement | undefined, env: ConfigEnv, overrides: Partial<ErlangEventConfig> = {}): ErlangEventConfig {
  const conf = root ? configuration(root, 'erlang_event.conf') : undefined;
  return { ...parseConfig(paramsOf(conf), env), ...overrides };
}

/** The params → the configuration (spec §4.1: defaults, node name, cookie resolution). */
export function parseConfig(params: readonly (readonly [string, string])[], env: ConfigEnv): ErlangEventConfig {
  let listenIp = DEFAULTS.listenIp;
  let listenPort = DEFAULTS.listenPort;
  let nodename = DEFAULTS.nodeName;
  let nodeNameSource: ErlangEventConfig['nodeNameSource'] = 'default';
  let shortname = DEFAULTS.shortname;
  let cookie: string | undefined;
  let cookieSource: ErlangEventConfig['cookieSource'] = 'default';
  let encoding: Encoding = DEFAULTS.encoding;
  let eventFormat: EventFormat = DEFAULTS.eventFormat;
  const acls: string[] = [];
  let maxEventBulk = DEFAULTS.maxEventBulk;
  let maxLogBulk = DEFAULTS.maxLogBulk;
  let stopOnBindError = DEFAULTS.stopOnBindError;
  let eventQueueCapacity = DEFAULTS.eventQueueCapacity;
  let logQueueCapacity = DEFAULTS.logQueueCapacity;
  let filterSemantics: FilterSemantics = DEFAULTS.filterSemantics;
  let statusFormat: ErlangEventConfig['statusFormat'] = DEFAULTS.statusFormat;
  let outboundExitPolicy = DEFAULTS.outboundExitPolicy;
  let outboundConnectTimeoutMs = DEFAULTS.outboundConnectTimeoutMs;

  for (const [rawName, value] of params) {
    const name = rawName.toLowerCase();
    switch (name) {
      case 'listen-ip':
        listenIp = value === '*' ? '0.0.0.0' : value;
        break;
      case 'listen-port':
        listenPort = intParam(name, value, listenPort, env, 0, 65535);
        break;
      case 'nodename':
        if (value) {
          nodename = value;
          nodeNameSource = 'nodename';
        }
        break;
      case 'shortname':
        shortname = switchTrue(value);
        break;
      case 'cookie':
        if (value) {
          cookie = value;
          cookieSource = 'cookie';
        }
        break;
      case 'cookie-file': {
        const c = readCookie(value, env);
        if (c !== undefined) {
          cookie = c;
          cookieSource = 'cookie-file';
        }
        break;
      }
      case 'encoding': {
        const lower = value.toLowerCase();
        if (lower === 'string' || lower === 'binary') encoding = lower;
        else env.log('ERR', `Invalid encoding strategy '${value}' specified`);
        break;
      }
      case 'event-format':
        eventFormat = choiceParam(name, value, ['list', 'map'], eventFormat, env);
        break;
      case 'apply-inbound-acl':
        if (acls.length < MAX_ACLS) acls.push(value);
        else env.log('ERR', `Max acl records of ${MAX_ACLS} reached`);
        break;
      case 'max-event-bulk':
        maxEventBulk = intParam(name, value, maxEventBulk, env);
        break;
      case 'max-log-bulk':
        maxLogBulk = intParam(name, value, maxLogBulk, env);
        break;
      case 'stop-on-bind-error':
        stopOnBindError = switchTrue(value);
        break;
      case 'event-queue-capacity':
        eventQueueCapacity = intParam(name, value, eventQueueCapacity, env, 1);
        break;
      case 'log-queue-capacity':
        logQueueCapacity = intParam(name, value, logQueueCapacity, env, 1);
        break;
      case 'filter-semantics':
        filterSemantics = choiceParam(name, value, ['seed', 'original'], filterSemantics, env);
        break;
      case 'status-format':
        statusFormat = choiceParam(name, value, ['modern', 'seed'], statusFormat, env);
        break;
      case 'outbound-exit-policy':
        outboundExitPolicy = choiceParam(name, value, ['keep', 'hangup', 'respawn'], outboundExitPolicy, env);
        break;
      case 'outbound-connect-timeout':
        outboundConnectTimeoutMs = intParam(name, value, outboundConnectTimeoutMs, env, 1);
        break;
      case 'compat-rel':
        break; // legacy ei compatibility release: nothing to do for a modern handshake
      default:
        env.log('WARNING', `erlang_event.conf: unknown param '${rawName}' ignored`);
    }
  }

  if (cookie === undefined && env.home !== undefined) {
    const c = readCookie(`${env.home}/.erlang.cookie`, env, true);
    if (c !== undefined) {
      cookie = c;
      cookieSource = 'home';
    }
  }
  if (cookie === undefined) env.log('WARNING', `No cookie or valid cookie file specified, using default cookie '${DEFAULTS.cookie}'`);

  return {
    listenIp,
    listenPort,
    nodeName: fullNodeName(nodename, shortname, listenIp, env.hostname),
    nodeNameSource,
    shortname,
    cookie: cookie ?? DEFAULTS.cookie,
    cookieSource,
    encoding,
    eventFormat,
    inboundAcls: acls,
    maxEventBulk,
    maxLogBulk,
    stopOnBindError,
    eventQueueCapacity,
    logQueueCapacity,
    filterSemantics,
    statusFormat,
    outboundExitPolicy,
    outboundConnectTimeoutMs,
  };
}

/**
 * `nodename` with an `@` is taken verbatim; otherwise the host is the machine's hostname (for a
 * wildcard or empty listen address) or the listen address itself, at most 64 characters, cut at
 * the first dot with `shortname`. (The original asks reverse DNS for a bound address; a literal
 * address is what that lookup gives back when it has no name.)
 */
export function fullNodeName(nodename: string, shortname: boolean, listenIp: string, hostname: string): string {
  if (nodename.includes('@')) return nodename;
  const wildcard = listenIp === '' || listenIp.startsWith('0.0.0.0') || listenIp.startsWith('::');
  let host = (wildcard ? hostname : listenIp).slice(0, 64);
  if (shortname && !/^[0-9.]+$/.test(host)) host = host.split('.')[0] ?? host;
  return `${nodename}@${host}`;
}

/** A cookie file: private, at most 255 bytes, cut at the first `\n`, then at the first `\r`. */
function readCookie(path: string, env: ConfigEnv, quiet = false): string | undefined {
  const f = env.readCookieFile(path);
  if (f === undefined) {
    if (!quiet) env.log('ERR', `Failed to open cookie file ${path}`);
    return undefined;
  }
  if (!f.private) {
    env.log('ERR', `Cookie file ${path} must not be accessible by group or others`);
    return undefined;
  }
  if (Buffer.byteLength(f.text) > 255) {
    env.log('ERR', `Cookie file ${path} is longer than 255 bytes`);
    return undefined;
  }
  const line = f.text.split('\n')[0]?.split('\r')[0] ?? '';
  return line === '' ? undefined : line;
}

/** `value` when it is one of `options`, else `current` and an ERR line listing them. */
function choiceParam<T extends string>(name: string, value: string, options: readonly T[], current: T, env: ConfigEnv): T {
  if ((options as readonly string[]).includes(value)) return value as T;
  env.log('ERR', `Invalid ${name} '${value}' (${options.join(' | ')})`);
  return current;
}

function intParam(
  name: string,
  value: string,
  fallback: number,
  env: ConfigEnv,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = Number.parseInt(value, 10);
  if (!Number.isFinite(n) || n < min || n > max) {
    env.log('ERR', `Invalid ${name} '${value}', keeping ${fallback}`);
    return fallback;
  }
  return n;
}
