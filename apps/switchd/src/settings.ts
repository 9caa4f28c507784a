/**
 * What switchd runs with: the command line and environment (cli.ts) over the conf's
 * `erlang_event.conf` (nodename, cookie, listen-ip, listen-port, shortname, as mod_erlang_event
 * reads them) over the defaults. Each value remembers where it came from, for the banner.
 */
import { readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configuration, loadConf, logStr2Level, LOG_INVALID, settingsOf, type LoadedConf } from '@beamline/switch';

/** apps/switchd/conf: the conf dir when none is given. */
export const DEFAULT_CONF_DIR = fileURLToPath(new URL('../conf', import.meta.url));
export const DEFAULT_LISTEN_PORT = 8031;

export type EpmdChoice = 'auto' | 'embedded' | 'system';

/** What the command line / environment gave (undefined: not given). */
export interface SwitchdArgs {
  conf?: string;
  name?: string;
  cookie?: string;
  cookieFile?: string;
  listenIp?: string;
  listenPort?: number;
  logLevel?: string;
  epmd?: EpmdChoice;
  epmdPort?: number;
  console?: boolean;
  /** Where each given value came from: 'cli' or 'env' (commander's option value source). */
  sources?: Partial<Record<'name' | 'cookie' | 'cookieFile' | 'listenPort' | 'listenIp', string>>;
}

export interface Settings {
  confDir: string;
  conf: LoadedConf;
  nodeName: string;
  nodeNameSource: string;
  /** undefined: the distribution's default (~/.erlang.cookie, created as erl does). */
  cookie: string | undefined;
  cookieSource: string;
  listenIp: string;
  listenPort: number;
  /** Console log level, 0..7 (switch_log levels). */
  logLevel: number;
  epmd: EpmdChoice;
  epmdPort: number | undefined;
  console: boolean;
}

export class SettingsError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'SettingsError';
  }
}

export function shortHost(): string {
  return hostname().split('.')[0] || 'localhost';
}

const describeSource = (source: string | undefined, flag: string, env: string): string =>
  source === 'env' ? `environment ${env}` : source === 'cli' ? `--${flag}` : 'default';

/** Throws ConfError (the conf does not load) or SettingsError (a value makes no sense). */
export function resolveSettings(args: SwitchdArgs): Settings {
  const confDir = args.conf ?? DEFAULT_CONF_DIR;
  const conf = loadConf(confDir);
  const ee = settingsOf(configuration(conf.root, 'erlang_event.conf'));
  const eeFile = join('autoload_configs', 'erlang_event.conf.xml');
  const src = args.sources ?? {};

  let nodeName: string;
  let nodeNameSource: string;
  if (args.name !== undefined) {
    nodeName = args.name;
    nodeNameSource = describeSource(src.name, 'name', 'SWITCHD_NODE');
  } else {
    const alive = ee.get('nodename') || 'freeswitch';
    const short = (ee.get('shortname') ?? 'true') !== 'false';
    nodeName = alive.includes('@') ? alive : `${alive}@${short ? shortHost() : hostname()}`;
    nodeNameSource = ee.has('nodename') ? `${eeFile} nodename` : 'default';
  }
  if (!nodeName.includes('@')) nodeName = `${nodeName}@${shortHost()}`;

  let cookie: string | undefined;
  let cookieSource: string;
  if (args.cookie !== undefined) {
    cookie = args.cookie;
    cookieSource = describeSource(src.cookie, 'cookie', 'SWITCHD_COOKIE');
  } else if (args.cookieFile !== undefined) {
    cookie = readCookieFile(args.cookieFile);
    cookieSource = `file ${args.cookieFile} (${describeSource(src.cookieFile, 'cookie-file', 'SWITCHD_COOKIE_FILE')})`;
  } else if (ee.get('cookie')) {
    cookie = ee.get('cookie');
    cookieSource = `${eeFile} cookie`;
  } else {
    cookie = undefined;
    cookieSource = `${join(homedir(), '.erlang.cookie')} (as erl; created when missing)`;
  }

  const portText = args.listenPort ?? ee.get('listen-port') ?? DEFAULT_LISTEN_PORT;
  const listenPort = Number(portText);
  if (!Number.isInteger(listenPort) || listenPort < 0 || listenPort > 65535)
    throw new SettingsError(`listen port ${String(portText)} is not a port number`, 'give --listen-port 0..65535 (0: any free port)');
  const listenIp = args.listenIp ?? (ee.get('listen-ip') || '0.0.0.0');

  const levelText = args.logLevel ?? 'info';
  const level = logStr2Level(levelText);
  if (level === LOG_INVALID || level < 0)
    throw new SettingsError(`log level ${levelText} is not a level`, 'use one of console, alert, crit, err, warning, notice, info, debug (or 0..7)');

  return {
    confDir,
    conf,
    nodeName,
    nodeNameSource,
    cookie,
    cookieSource,
    listenIp,
    listenPort,
    logLevel: level,
    epmd: args.epmd ?? 'auto',
    epmdPort: args.epmdPort,
    console: args.console ?? false,
  };
}

function readCookieFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SettingsError(
      `cookie file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      'fix --cookie-file or give --cookie',
    );
  }
  const cookie = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (cookie === '') throw new SettingsError(`cookie file ${path} is empty`, 'write the cookie on its first line');
  return cookie;
}
