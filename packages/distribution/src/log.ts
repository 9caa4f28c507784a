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
