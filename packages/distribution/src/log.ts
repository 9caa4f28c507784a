/** Logging seam for the transport: structured, never throws. Default writes warnings+ to stderr. */
export interface DistLogger {
  debug(msg: string, meta?: Record<string, unknown>): void;
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
}

function fmt(meta?: Record<string, unknown>): string {
  if (!meta) return '';
  try {
    return ` ${JSON.stringify(meta, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`;
  } catch {
    return '';
  }
}

export const defaultLogger: DistLogger = {
  debug() {},
  info() {},
  warn: (m, meta) => process.stderr.write(`[dist] warn: ${m}${fmt(meta)}\n`),
  error: (m, meta) => process.stderr.write(`[dist] error: ${m}${fmt(meta)}\n`),
};

/** A logger that records every entry (tests assert on it). */
export class MemoryLogger implements DistLogger {
  readonly entries: { level: 'debug' | 'info' | 'warn' | 'error'; msg: string; meta?: Record<string, unknown> }[] = [];
  constructor(private readonly echo = false) {}
  private push(level: 'debug' | 'info' | 'warn' | 'error', msg: string, meta?: Record<string, unknown>) {
    this.entries.push({ level, msg, meta });
    if (this.echo) process.stderr.write(`[dist] ${level}: ${msg}${fmt(meta)}\n`);
  }
  debug(m: string, meta?: Record<string, unknown>) {
    this.push('debug', m, meta);
  }
  info(m: string, meta?: Record<string, unknown>) {
    this.push('info', m, meta);
  }
  warn(m: string, meta?: Record<string, unknown>) {
    this.push('warn', m, meta);
  }
  error(m: string, meta?: Record<string, unknown>) {
    this.push('error', m, meta);
  }
  has(re: RegExp): boolean {
    return this.entries.some((e) => re.test(e.msg));
  }
}

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * Rate-limited logging for what a peer can trigger at will (inbound handshakes that fail or are
 * cut): per key, the first `burst` entries of a window are logged as they come; the rest are
 * counted, and one summary at the window's end says how many were left out.
 */
export class LogLimiter {
  private readonly keys = new Map<string, { start: number; logged: number; suppressed: number; level: Level; timer?: NodeJS.Timeout }>();

  constructor(
    private readonly logger: DistLogger,
    readonly windowMs = 10_000,
    readonly burst = 5,
    private readonly now: () => number = Date.now,
  ) {}

  log(level: Level, key: string, msg: string, meta?: Record<string, unknown>): void {
    const t = this.now();
    let k = this.keys.get(key);
    if (!k || t - k.start >= this.windowMs) {
      if (k) this.summarize(key);
      k = { start: t, logged: 0, suppressed: 0, level };
      this.keys.set(key, k);
    }
    if (k.logged < this.burst) {
      k.logged++;
      this.logger[level](msg, meta);
      return;
    }
    k.suppressed++;
    if (!k.timer) {
      k.timer = setTimeout(() => this.summarize(key), Math.max(0, k.start + this.windowMs - t));
      k.timer.unref?.();
    }
  }

  /** A DistLogger whose entries go through this limiter, one key per level under `prefix`. */
  asLogger(prefix: string): DistLogger {
    return {
      debug: (m, meta) => this.log('debug', `${prefix}:debug`, m, meta),
      info: (m, meta) => this.log('info', `${prefix}:info`, m, meta),
      warn: (m, meta) => this.log('warn', `${prefix}:warn`, m, meta),
      error: (m, meta) => this.log('error', `${prefix}:error`, m, meta),
    };
  }

  /** Log the pending summaries now and forget every window (on close). */
  flush(): void {
    for (const key of [...this.keys.keys()]) this.summarize(key);
    this.keys.clear();
  }

  private summarize(key: string): void {
    const k = this.keys.get(key);
    if (!k) return;
    if (k.timer) clearTimeout(k.timer);
    k.timer = undefined;
    if (k.suppressed > 0) {
      const level = k.level === 'debug' || k.level === 'info' ? k.level : 'warn';
      this.logger[level](`dist: ${k.suppressed} more log entries like '${key}' suppressed in the last ${Math.round(this.windowMs / 1000)} s`, {
        key,
        suppressed: k.suppressed,
      });
    }
    this.keys.delete(key);
  }
}
