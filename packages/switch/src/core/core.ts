/**
 * The switch's core services (switch_core.c's runtime struct): identity, start time, the event
 * bus with its global sequence, the session table and counters, global variables, the channel
 * table and the log. One plain object per switch, shared by its processes: every part of it is
 * either immutable or a counter/table whose updates are single synchronous steps.
 */
import type { SwitchIdentity } from '../events/event.ts';
import { EventBus } from '../events/bus.ts';
import type { SwitchEvent } from '../events/event.ts';
import { systemUtcOffsetMinutes } from '../internal/time.ts';
import { ChannelTable } from './channel_table.ts';
import { GlobalVariables } from './globals.ts';
import { SessionTable } from './sessions.ts';

export type SwitchLogLevel = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERR' | 'CRIT' | 'ALERT' | 'CONSOLE';

export interface SwitchLogLine {
  readonly level: SwitchLogLevel;
  readonly text: string;
  readonly uuid?: string;
}

export interface CoreOptions {
  readonly identity: SwitchIdentity;
  /** Epoch ms at startup (FreeSWITCH's initiated time). */
  readonly startEpochMs: number;
  /** The runtime clock (ms, monotonic). */
  readonly now: () => number;
  readonly utcOffsetMinutes?: (epochMs: number) => number;
  readonly log?: (line: SwitchLogLine) => void;
  readonly globals?: Iterable<readonly [string, string]>;
  readonly maxSessions?: number;
  readonly sessionsPerSecond?: number;
}

export class SwitchCore {
  readonly identity: SwitchIdentity;
  readonly startEpochMs: number;
  readonly bus: EventBus;
  readonly sessions = new SessionTable();
  readonly globals: GlobalVariables;
  readonly channels = new ChannelTable();
  readonly maxSessions: number;
  readonly sessionsPerSecond: number;
  readonly #now: () => number;
  readonly #startClock: number;
  readonly #log: (line: SwitchLogLine) => void;
  readonly #utcOffset: (epochMs: number) => number;

  constructor(o: CoreOptions) {
    this.identity = o.identity;
    this.startEpochMs = o.startEpochMs;
    this.#now = o.now;
    this.#startClock = o.now();
    this.#log = o.log ?? (() => {});
    this.#utcOffset = o.utcOffsetMinutes ?? systemUtcOffsetMinutes;
    this.maxSessions = o.maxSessions ?? 1000;
    this.sessionsPerSecond = o.sessionsPerSecond ?? 30;
    this.globals = new GlobalVariables([
      ['hostname', o.identity.hostname],
      ['switchname', o.identity.switchname],
      ['local_ip_v4', o.identity.ipv4],
      ['local_ip_v6', o.identity.ipv6],
      ['core_uuid', o.identity.coreUuid],
      ...(o.globals ?? []),
    ]);
    this.bus = new EventBus({
      identity: o.identity,
      nowUs: () => this.nowUs(),
      utcOffsetMinutes: this.#utcOffset,
      log: (text) => this.log('WARNING', text),
    });
  }

  /** Microseconds since startup, on the runtime clock. */
  uptimeUs(): number {
    return Math.round((this.#now() - this.#startClock) * 1000);
  }

  /** Epoch microseconds: the start time plus the runtime clock's progress. */
  nowUs(): number {
    return this.startEpochMs * 1000 + this.uptimeUs();
  }

  utcOffsetMinutes(epochMs: number): number {
    return this.#utcOffset(epochMs);
  }

  /** Fire an event; channel events also update the channel table first. */
  fire(event: SwitchEvent): void {
    this.channels.onEvent(event, this.identity.switchname);
    this.bus.fire(event);
  }

  log(level: SwitchLogLevel, text: string, uuid?: string): void {
    this.#log(uuid === undefined ? { level, text } : { level, text, uuid });
  }
}
