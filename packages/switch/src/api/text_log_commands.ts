/**
 * mod_commands' `coalesce` (the first non-empty value), `strftime_tz` (a time in a named zone) and
 * `log` (a line in the switch's log), with its replies.
 */
import type { SwitchLogLevel } from '../core/core.ts';
import { zoneOffsetSeconds } from '../dialplan/time_match.ts';
import { atol, separateString } from '../internal/strings.ts';
import { LOG_INVALID, logLevel2Str, logStr2Level } from '../log/levels.ts';
import { LOG_SITES } from '../log/sites.ts';
import { strftime } from './strftime.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';

const COALESCE_SYNTAX = '[^^<delim>]<value1>,<value2>,...';

/** coalesce_function: `,`-separated values (`^^<d>` first names another separator); nothing when all are empty. */
export function coalesce(args: string): string {
  let arg = args;
  let delim = ',';
  if (arg.startsWith('^^')) {
    delim = arg[2] ?? '';
    arg = arg.slice(3);
  }
  // FreeSWITCH hands the value to a printf as its format; beamline writes it as it is (DECISIONS)
  if (arg === '' || delim === '') return `-USAGE: ${COALESCE_SYNTAX}\n`;
  return separateString(arg, delim, 256).find((v) => v !== '') ?? '';
}

/** strftime_tz's buffer: 80 bytes, the last one the terminator. */
const DATE_BYTES = 79;

/**
 * strftime_tz_api_function: `[<zone> [[<epoch>|]<format>]]` — the zone by its IANA name (no zone:
 * GMT), the time now when no epoch (or 0) is given, `%Y-%m-%d %T` when no format.
 */
export function strftimeTz(args: string, nowMs: number): string {
  let zone = args;
  let format = '';
  let when = 0;
  const space = args.indexOf(' ');
  if (space >= 0) {
    zone = args.slice(0, space);
    format = args.slice(space + 1);
    const bar = format.indexOf('|');
    if (bar >= 0) {
      when = atol(format.slice(0, bar));
      format = format.slice(bar + 1);
    }
  }
  const epochMs = when === 0 ? nowMs : when * 1000;
  const offsetSec = zone === '' ? 0 : zoneOffsetSeconds(zone, epochMs);
  if (offsetSec === undefined) return '-ERR Invalid timezone/format\n';
  const date = Buffer.from(strftime(format === '' ? '%Y-%m-%d %T' : format, epochMs, offsetSec / 60))
    .subarray(0, DATE_BYTES)
    .toString();
  return date === '' ? '-ERR Invalid timezone/format\n' : date;
}

/** log_function: `[<level> ]<message>`; an unknown level is DEBUG. */
/** An empty argument logs an empty DEBUG line: switch_api_execute passes "", never NULL. */
function log(args: string, env: ApiEnv): string {
  const space = args.indexOf(' ');
  let level = 7;
  let message = args;
  if (space >= 0) {
    level = logStr2Level(args.slice(0, space));
    message = args.slice(space + 1);
  }
  if (level === LOG_INVALID) level = 7;
  // DISABLE (-1) names no level a line can have: nothing is written
  if (level >= 0) env.core.log(logLevel2Str(level) as SwitchLogLevel, message, env.busyChannel?.uuid, LOG_SITES.logApi);
  return '+OK\n';
}

export const TEXT_LOG_COMMANDS: readonly ApiCommand[] = [
  { name: 'coalesce', syntax: COALESCE_SYNTAX, description: 'Return first nonempty parameter', module: 'mod_commands', run: coalesce },
  {
    name: 'strftime_tz',
    syntax: '<timezone_name> [<epoch>|][format string]',
    description: 'Display formatted time of timezone',
    module: 'mod_commands',
    run: (args, env) => strftimeTz(args, Math.floor(env.core.nowUs() / 1000)),
  },
  { name: 'log', syntax: '<level> <message>', description: 'Log', module: 'mod_commands', run: log },
];
