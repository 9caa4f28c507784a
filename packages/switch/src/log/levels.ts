/**
 * FreeSWITCH's log levels and its console line (switch_log.c): names CONSOLE=0 … DEBUG=7,
 * DISABLE=-1, INVALID=64; `switch_log_str2level`, `switch_log_level2str` and the line
 * `YYYY-MM-DD HH:MM:SS.uuuuuu <idle>% [LEVEL] <file>:<line> <message>`.
 */

export const LOG_LEVEL_NAMES = ['CONSOLE', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'] as const;
export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];

export const LOG_DISABLE = -1;
export const LOG_INVALID = 64;
export const LOG_DEBUG = 7;

/** switch_is_number: an optional sign, then only digits and dots (an empty tail counts). */
function isNumber(s: string): boolean {
  return /^[-+]?[0-9.]*$/.test(s);
}

/** C's atoi: leading blanks, sign, digits; 0 when none. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([-+]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1]!, 10) : 0;
}

/**
 * switch_log_str2level: a number is clamped (negative → 0, above 64 → 63; 64 itself is INVALID);
 * otherwise one of DISABLE, CONSOLE … DEBUG in any case; anything else INVALID (64).
 */
export function logStr2Level(s: string): number {
  if (isNumber(s)) {
    const x = atoi(s);
    if (x > LOG_INVALID) return LOG_INVALID - 1;
    if (x < 0) return 0;
    return x;
  }
  const upper = s.toUpperCase();
  if (upper === 'DISABLE') return LOG_DISABLE;
  const i = (LOG_LEVEL_NAMES as readonly string[]).indexOf(upper);
  return i < 0 ? LOG_INVALID : i;
}

/** switch_log_level2str: above DEBUG prints as DEBUG; -1 is DISABLE. */
export function logLevel2Str(level: number): string {
  if (level < 0) return 'DISABLE';
  return LOG_LEVEL_NAMES[Math.min(level, LOG_DEBUG)]!;
}

/** The level number of a name (exact upper-case name). */
export function logLevelNumber(name: LogLevelName): number {
  return LOG_LEVEL_NAMES.indexOf(name);
}

export interface LogLineParts {
  /** Epoch microseconds. */
  readonly epochUs: number;
  /** Minutes east of UTC at that time (local time, as switch_time_exp_lt). */
  readonly utcOffsetMinutes: number;
  readonly idleCpu: number;
  readonly level: number;
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** The formatted line (not the clean channel): date with microseconds, idle CPU `%.2f%`, `[LEVEL]`, `file:line`, message. */
export function formatLogLine(p: LogLineParts): string {
  const localUs = p.epochUs + p.utcOffsetMinutes * 60_000_000;
  const ms = Math.floor(localUs / 1000);
  const d = new Date(ms);
  const us = ((localUs % 1_000_000) + 1_000_000) % 1_000_000;
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(us, 6)}`;
  const level = p.level > 100 ? 1 : p.level;
  return `${date} ${p.idleCpu.toFixed(2)}% [${logLevel2Str(level)}] ${p.file}:${p.line} ${p.message}`;
}

/** Whether a message of `level` reaches a consumer set to `limit` (debug sub-levels 101–110 count as 1 when allowed). */
export function logPasses(level: number, limit: number): boolean {
  if (limit === LOG_DISABLE) return false;
  return (level > 100 ? 1 : level) <= limit;
}
