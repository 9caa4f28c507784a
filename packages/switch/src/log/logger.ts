/**
 * The switch's log (switch_log.c): one hard level for the whole switch (`loglevel` in
 * switch.conf, `fsctl loglevel`), then every subscriber with its own level gets the records at
 * or below it. Each record carries its formatted console line.
 */
import { LOG_DEBUG, LOG_DISABLE, LOG_LEVEL_NAMES, type LogLevelName, formatLogLine, logPasses } from './levels.ts';
import type { LogSite } from './sites.ts';

export interface LogRecord {
  readonly level: number;
  readonly levelName: LogLevelName;
  readonly text: string;
  /** The channel uuid for session-bound messages, else ''. */
  readonly userData: string;
  readonly file: string;
  readonly func: string;
  readonly line: number;
  readonly epochUs: number;
  /** The formatted line (`YYYY-MM-DD HH:MM:SS.uuuuuu 100.00% [LEVEL] file:line text\n`). */
  readonly data: string;
}

export interface LogSubscription {
  /** The subscriber's level (messages with a level above it are not delivered). */
  level: number;
  unsubscribe(): void;
}

export interface LoggerOptions {
  readonly nowUs: () => number;
  readonly utcOffsetMinutes: (epochMs: number) => number;
  readonly idleCpu?: () => number;
  /** Initial hard level (default DEBUG, as FreeSWITCH's runtime.hard_log_level). */
  readonly level?: number;
}

interface Sub {
  level: number;
  readonly fn: (r: LogRecord) => void;
}

export class Logger {
  #level: number;
  /** session->loglevel by channel uuid (switch_core_session_set_loglevel); only sessions given one. */
  readonly #sessionLevels = new Map<string, number>();
  readonly #subs = new Set<Sub>();
  readonly #o: LoggerOptions;

  constructor(o: LoggerOptions) {
    this.#o = o;
    this.#level = o.level ?? LOG_DEBUG;
  }

  /** runtime.hard_log_level. */
  get level(): number {
    return this.#level;
  }

  /** SCSC_LOGLEVEL: a value >= DISABLE is taken, capped at DEBUG; returns the level now in force. */
  setLevel(level: number): number {
    if (level >= LOG_DISABLE) this.#level = level;
    if (this.#level > LOG_DEBUG) this.#level = LOG_DEBUG;
    return this.#level;
  }

  /**
   * switch_core_session_set_loglevel: the session's own lines pass up to `level` even when the hard
   * level is lower (it raises the limit for them, never lowers it).
   */
  setSessionLevel(uuid: string, level: number): void {
    this.#sessionLevels.set(uuid, level);
  }

  /** The session is gone: its level with it. */
  clearSession(uuid: string): void {
    this.#sessionLevels.delete(uuid);
  }

  subscribe(level: number, fn: (r: LogRecord) => void): LogSubscription {
    const sub: Sub = { level, fn };
    this.#subs.add(sub);
    const subs = this.#subs;
    return {
      get level() {
        return sub.level;
      },
      set level(l: number) {
        sub.level = l;
      },
      unsubscribe: () => subs.delete(sub),
    };
  }

  /** True when a message of this level would be delivered at all. */
  enabled(level: number): boolean {
    return logPasses(level, this.#level);
  }

  log(levelName: LogLevelName, text: string, userData = '', site: Partial<LogSite> = {}): LogRecord | undefined {
    const level = LOG_LEVEL_NAMES.indexOf(levelName);
    const sessionLevel = userData === '' ? undefined : this.#sessionLevels.get(userData);
    if (!this.enabled(level) && !(this.#level !== LOG_DISABLE && sessionLevel !== undefined && logPasses(level, sessionLevel))) return undefined;
    const epochUs = this.#o.nowUs();
    const file = site.file ?? 'switch_core.c';
    const line = site.line ?? 0;
    const body = text.endsWith('\n') ? text : `${text}\n`;
    const data = formatLogLine({
      epochUs,
      utcOffsetMinutes: this.#o.utcOffsetMinutes(Math.floor(epochUs / 1000)),
      idleCpu: this.#o.idleCpu?.() ?? 100,
      level,
      file,
      line,
      message: body,
    });
    const record: LogRecord = { level, levelName, text, userData, file, func: site.func ?? '', line, epochUs, data };
    for (const s of [...this.#subs]) {
      if (!logPasses(level, s.level)) continue;
      try {
        s.fn(record);
      } catch {
        // a subscriber that throws loses its record, not the others
      }
    }
    return record;
  }
}
