/**
 * The console log: one line per message, `YYYY-MM-DD HH:MM:SS.mmm [LEVEL] source: text`, written
 * when its level passes the console level (FreeSWITCH's levels, 0 CONSOLE .. 7 DEBUG; `/log` in the
 * console changes it). Everything logs here: the switch core, the distribution, the runtime's
 * crash and supervisor reports (one line each, no stack), and switchd itself. Followers (a remote
 * console's `/log`) get every line with its level and filter for themselves.
 */
import { hostname } from 'node:os';
import type { CrashReport, Logger, ProgressReport, SupervisorReport, WarningReport } from '@beamline/core';
import type { DistLogger } from '@beamline/distribution';
import { Pid } from '@beamline/etf';
import { LOG_LEVEL_NAMES, logLevel2Str, logPasses, type LogLevelName } from '@beamline/switch';

export interface LogEntry {
  readonly level: number;
  /** The whole line, with the channel uuid (if any) before the text. */
  readonly line: string;
  /** What the console writes for it, by its own settings (ConsoleLog.format). */
  readonly parts: { readonly at: Date; readonly source: string; readonly text: string; readonly uuid: string | undefined };
}

/** mod_console's colours by level (COLORS[]): CONSOLE default, ALERT / CRIT / ERR red, WARNING magenta, NOTICE cyan, INFO green, DEBUG yellow. */
const COLORS = ['\x1b[0m', '\x1b[31m', '\x1b[31m', '\x1b[31m', '\x1b[35m', '\x1b[36m', '\x1b[32m', '\x1b[33m'];
const DEFAULT_COLOR = '\x1b[0m';

type Follower = (e: LogEntry) => void;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function stamp(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function levelNumber(name: LogLevelName): number {
  return LOG_LEVEL_NAMES.indexOf(name);
}

/** An error or exit reason in one line. */
export function oneLine(x: unknown): string {
  if (x instanceof Error) return `${x.name}: ${x.message}`.replace(/\s+/g, ' ');
  return String(x).replace(/\s+/g, ' ');
}

export class ConsoleLog {
  level: number;
  /** `console colorize`: each line in its level's colour. */
  colorize = false;
  /** `console uuid`: a channel's lines start with its uuid (on here; mod_console's default is off). */
  uuid = true;
  /** `console json`: each line a JSON object (switch_log_node_to_json's default fields). */
  json = false;
  #sequence = 0;
  /** Where passing lines go (the console swaps in its above-the-prompt printer). */
  write: (s: string) => void;
  readonly #followers = new Set<Follower>();
  #dispatching = false;
  /**
   * The switch-wide ceiling (runtime.hard_log_level, `fsctl loglevel`): a line above it is dropped
   * before the console level or any follower sees it, as every FreeSWITCH log line is.
   */
  ceiling: () => number = () => 7; // DEBUG: everything
  /** Names a process that has no registered name (switchd: its child-id path in the tree, `switchd_sup/switch`). */
  pidLabel: ((pid: Pid) => string | undefined) | undefined;
  /** The node's name, so its own pids print as `<0.42.0>`. */
  localNode: string | undefined;
  /** While set, lines are held here instead of written (start-up: a failed start prints one line instead). */
  #held: LogEntry[] | undefined;

  constructor(level: number, write: (s: string) => void = (s) => process.stdout.write(s)) {
    this.level = level;
    this.write = write;
  }

  /** `uuid`: the channel the line is about. */
  log(levelName: LogLevelName, source: string, text: string, uuid?: string): void {
    const level = levelNumber(levelName);
    if (!logPasses(level, this.ceiling())) return;
    const at = new Date();
    const line = `${stamp(at)} [${logLevel2Str(level)}] ${source}: ${uuid ? `${uuid} ` : ''}${text}\n`;
    const entry: LogEntry = { level, line, parts: { at, source, text, uuid } };
    // a line logged while a follower sends one (the distribution logging that send) is not sent
    // on: no feedback loop between the log and its remote followers
    if (!this.#dispatching) {
      this.#dispatching = true;
      try {
        for (const f of this.#followers) f(entry);
      } finally {
        this.#dispatching = false;
      }
    }
    if (this.#held) this.#held.push(entry);
    else if (logPasses(level, this.level)) this.write(this.format(entry));
  }

  /** switch_console_logger: JSON, else the line (its uuid by `uuid`) in its colour by `colorize`. */
  format(e: LogEntry): string {
    const { at, source, text, uuid } = e.parts;
    this.#sequence++;
    if (this.json) {
      const fields: Record<string, string | number> = {
        host: hostname(),
        timestamp: at.getTime() * 1000,
        level: e.level,
        ident: 'freeswitch',
        pid: process.pid,
      };
      if (uuid) fields.session = uuid;
      fields.sequence = this.#sequence;
      fields.message = text;
      return `${JSON.stringify(fields)}\n`;
    }
    const line = this.uuid || !uuid ? e.line : `${stamp(at)} [${logLevel2Str(e.level)}] ${source}: ${text}\n`;
    return this.colorize ? `${COLORS[e.level] ?? DEFAULT_COLOR}${line}${DEFAULT_COLOR}` : line;
  }

  follow(f: Follower): () => void {
    this.#followers.add(f);
    return () => this.#followers.delete(f);
  }

  hold(): void {
    this.#held = [];
  }

  /** Writes what was held (at the console level) and stops holding. */
  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const e of held) if (logPasses(e.level, this.level)) this.write(this.format(e));
  }

  /** Drops what was held (a start that failed: its one line says it all). */
  discard(): LogEntry[] {
    const held = this.#held ?? [];
    this.#held = undefined;
    return held;
  }

  /** The distribution's logger. */
  dist(): DistLogger {
    return {
      debug: (m, meta) => this.log('DEBUG', 'dist', withMeta(unprefixed(m), meta)),
      info: (m, meta) => this.log('DEBUG', 'dist', withMeta(unprefixed(m), meta)),
      warn: (m, meta) => this.log('WARNING', 'dist', withMeta(unprefixed(m), meta)),
      error: (m, meta) => this.log('ERR', 'dist', withMeta(unprefixed(m), meta)),
    };
  }

  /** The runtime's reports, one line each. */
  reports(): Logger {
    const p = (pid: unknown) => (pid instanceof Pid ? pid.format(this.localNode) : String(pid));
    // a process without a registered name goes by where it sits in the tree, when that is known
    const who = (pid: unknown, name: string | undefined) => {
      const label = name ?? (pid instanceof Pid ? this.pidLabel?.(pid) : undefined);
      return label ? `${label} ${p(pid)}` : p(pid);
    };
    const sup = (pid: unknown, name: string | undefined) => name ?? who(pid, undefined);
    return {
      crash: (r: CrashReport) => this.log('ERR', 'crash', `${who(r.pid, r.name)} [${r.behaviour}] exited: ${oneLine(r.error ?? r.reason)}`),
      supervisor: (r: SupervisorReport) =>
        this.log(
          r.kind === 'child_terminated' ? 'WARNING' : 'ERR',
          'supervisor',
          `${sup(r.supervisor, r.supervisorName)}: ${r.kind} ${r.childId ?? ''} ${r.childPid ? p(r.childPid) : ''} reason ${oneLine(r.reason)}`.replace(
            / +/g,
            ' ',
          ),
        ),
      progress: (r: ProgressReport) =>
        this.log('DEBUG', 'supervisor', `${sup(r.supervisor, r.supervisorName)}: started ${r.childId} ${p(r.childPid)}`),
      warning: (r: WarningReport) =>
        this.log('WARNING', 'gen_server', `${who(r.pid, r.name)} [${r.behaviour}]: no handleInfo; unhandled message ${oneLine(r.message)}`),
    };
  }
}

/** The distribution starts some messages with `dist: `, the source this log already names. */
function unprefixed(m: string): string {
  return m.replace(/^dist: /, '');
}

function withMeta(m: string, meta: Record<string, unknown> | undefined): string {
  if (!meta || Object.keys(meta).length === 0) return m;
  try {
    return `${m} ${JSON.stringify(meta, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`;
  } catch {
    return m;
  }
}
