/**
 * The listener's log handler (spec §1.9–§1.11): one log-handler pid per node (a later
 * `register_log_handler` replaces it), its level (reset to debug on registration) and a bounded
 * queue to it. Log terms: encode.ts's `logTerm` (7 fields, strings).
 */
import type { ProcessContext } from '@beamline/core';
import type { Pid, Term } from '@beamline/etf';
import type { LogRecord, LogSubscription, Logger } from '@beamline/switch';
import type { ErlangEventConfig } from '../config.ts';
import { logTerm } from '../encode.ts';
import { Pump } from '../internal/pump.ts';

const DEBUG = 7;

export interface LogHandlerHost {
  readonly config: ErlangEventConfig;
  readonly ctx: ProcessContext;
  readonly logger: Logger;
  /** Sends one queued item to its handler (the listener sends them without a sender pid). */
  sendItem(to: Pid, msg: Term): void;
  drained(): Promise<void>;
  reportLost(what: 'events' | 'log lines', count: number): void;
}

export class LogHandler {
  #pump: Pump<LogRecord> | undefined;
  #sub: LogSubscription | undefined;
  level = DEBUG;
  on = false;

  constructor(private readonly host: LogHandlerHost) {}

  get pid(): Pid | undefined {
    return this.#pump?.dest;
  }

  get sent(): number {
    return this.#pump?.sent ?? 0;
  }

  get lost(): number {
    return this.#pump?.lost ?? 0;
  }

  register(pid: Pid): void {
    if (this.#pump) this.#pump.dest = pid;
    else {
      this.#pump = new Pump<LogRecord>(this.host.ctx, pid, {
        capacity: this.host.config.logQueueCapacity,
        bulk: this.host.config.maxLogBulk,
        encode: logTerm,
        send: (to, msg) => this.host.sendItem(to, msg),
        drained: () => this.host.drained(),
        onLost: (n) => this.host.reportLost('log lines', n),
      });
    }
    this.level = DEBUG;
    this.on = true;
    this.#sub ??= this.host.logger.subscribe(DEBUG, (r) => this.#offer(r));
  }

  #offer(r: LogRecord): void {
    if (!this.on || this.level < 0 || r.level > this.level) return;
    this.#pump?.push(r);
  }

  off(): void {
    this.on = false;
    this.#pump?.purge();
  }

  /** The log-handler pid exited (§4.6). */
  exited(pid: Pid): boolean {
    const cur = this.pid;
    if (!cur || cur.id !== pid.id || cur.serial !== pid.serial || cur.node !== pid.node) return false;
    this.off();
    return true;
  }

  /** The pump process, if any. */
  pump(): Pid | undefined {
    return this.#pump?.pid;
  }

  close(): void {
    this.#sub?.unsubscribe();
    this.#sub = undefined;
  }
}
