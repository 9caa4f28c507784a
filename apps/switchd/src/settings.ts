/**
 * What switchd runs with: erlang_event.conf as @beamline/erlang-event parses it (the one reading
 * of nodename, cookie, cookie-file, listen-ip, listen-port, shortname…), with the command line and
 * environment (cli.ts) on top. Each value that the banner shows remembers where it came from.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ErlangEventConfig, configFromXml, fullNodeName, systemConfigEnv } from '@beamline/erlang-event';
import { type ProfileConfig, SofiaConfigError, profilesFromXml } from '@beamline/sofia';
import { configuration, loadConf, logStr2Level, LOG_INVALID, type LoadedConf } from '@beamline/switch';

/** apps/switchd/conf: the conf dir when none is given. */
export const DEFAULT_CONF_DIR = fileURLToPath(new URL('../conf', import.meta.url));

export type EpmdChoice = 'auto' | 'embedded' | 'system';

/** What the command line / environment gave (undefined: not given). */
export interface SwitchdArgs {
  conf?: string;
  name?: string;
  cookie?: string;
  cookieFile?: string;
  listenIp?: string;
  listenPort?: number;
  sipPort?: number;
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
  /**
   * erlang_event.conf as the module reads it, with the command line and environment applied: the
   * node is started from it (nodeName, cookie, listenIp, listenPort) and the module loads with it.
   */
  erlangEvent: ErlangEventConfig;
  /** sofia.conf's profiles (the first one's sip-port replaced by --sip-port); none: no SIP. */
  sofia: readonly ProfileConfig[];
  nodeNameSource: string;
  cookieSource: string;
  /** What reading erlang_event.conf reported (bad values, a missing cookie file), to log at start. */
  confLog: readonly ConfLogLine[];
  /** Console log level, 0..7 (switch_log levels). */
  logLevel: number;
  epmd: EpmdChoice;
  epmdPort: number | undefined;
  console: boolean;
}

export interface ConfLogLine {
  readonly level: 'ERR' | 'WARNING' | 'INFO';
  readonly text: string;
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

const describeSource = (source: string | undefined, flag: string, env: string): string =>
  source === 'env' ? `environment ${env}` : source === 'cli' ? `--${flag}` : 'default';

const EE_FILE = join('autoload_configs', 'erlang_event.conf.xml');

function confCookieSource(c: ErlangEventConfig): string {
  switch (c.cookieSource) {
    case 'cookie':
      return `${EE_FILE} cookie`;
    case 'cookie-file':
      return `${EE_FILE} cookie-file`;
    case 'home':
      return join(homedir(), '.erlang.cookie');
    default:
      return `default: no cookie in ${EE_FILE} and no private ~/.erlang.cookie`;
  }
}

/** Throws ConfError (the conf does not load) or SettingsError (a value makes no sense). */
export function resolveSettings(args: SwitchdArgs): Settings {
  const confDir = args.conf ?? DEFAULT_CONF_DIR;
  const conf = loadConf(confDir);
  const confLog: ConfLogLine[] = [];
  const env = systemConfigEnv((level, text) => confLog.push({ level, text }));
  // mod_erlang_event's config() logs this at ERR and runs on its defaults (nodename freeswitch, no
  // cookie: ~/.erlang.cookie), which a user otherwise finds out from a cookie they did not expect
  if (configuration(conf.root, 'erlang_event.conf') === undefined)
    confLog.push({
      level: 'ERR',
      text: `Open of erlang_event.conf failed (no <configuration name="erlang_event.conf"> in ${confDir}, ${EE_FILE} in the shipped conf): running on the defaults`,
    });
  const fromConf = configFromXml(conf.root, env);
  const src = args.sources ?? {};

  let nodeName = fromConf.nodeName;
  let nodeNameSource = fromConf.nodeNameSource === 'nodename' ? `${EE_FILE} nodename` : 'default';
  if (args.name !== undefined) {
    nodeName = fullNodeName(args.name, true, '', env.hostname);
    nodeNameSource = describeSource(src.name, 'name', 'SWITCHD_NODE');
  }

  let cookie = fromConf.cookie;
  let cookieSource = confCookieSource(fromConf);
  if (args.cookie !== undefined) {
    cookie = args.cookie;
    cookieSource = describeSource(src.cookie, 'cookie', 'SWITCHD_COOKIE');
  } else if (args.cookieFile !== undefined) {
    cookie = readCookieFile(args.cookieFile);
    cookieSource = `file ${args.cookieFile} (${describeSource(src.cookieFile, 'cookie-file', 'SWITCHD_COOKIE_FILE')})`;
  }

  const listenPort = args.listenPort ?? fromConf.listenPort;
  if (!Number.isInteger(listenPort) || listenPort < 0 || listenPort > 65535)
    throw new SettingsError(`listen port ${String(listenPort)} is not a port number`, 'give --listen-port 0..65535 (0: any free port)');
  const listenIp = args.listenIp ?? (fromConf.listenIp || '0.0.0.0');

  const levelText = args.logLevel ?? 'info';
  const level = logStr2Level(levelText);
  if (level === LOG_INVALID || level < 0)
    throw new SettingsError(`log level ${levelText} is not a level`, 'use one of console, alert, crit, err, warning, notice, info, debug (or 0..7)');

  let sofia: ProfileConfig[];
  try {
    sofia = profilesFromXml(configuration(conf.root, 'sofia.conf'));
  } catch (e) {
    if (e instanceof SofiaConfigError) throw new SettingsError(e.message, 'fix autoload_configs/sofia.conf.xml');
    throw e;
  }
  if (args.sipPort !== undefined && sofia.length > 0) sofia = [{ ...sofia[0], sipPort: args.sipPort }, ...sofia.slice(1)];

  return {
    confDir,
    conf,
    erlangEvent: { ...fromConf, nodeName, cookie, listenIp, listenPort },
    sofia,
    nodeNameSource,
    cookieSource,
    confLog,
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
