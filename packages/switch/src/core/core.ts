/**
 * The switch's core services (switch_core.c's runtime struct): identity, start time, the event
 * bus with its global sequence, the session table and counters, global variables, the channel
 * table, the task scheduler's list and the log. One plain object per switch, shared by its processes: every part of it is
 * either immutable or a counter/table whose updates are single synchronous steps.
 */
import type { CallDirection } from '../channel/states.ts';
import type { SwitchIdentity } from '../events/event.ts';
import { EventBus } from '../events/bus.ts';
import type { SwitchEvent } from '../events/event.ts';
import type { LogSite } from '../log/sites.ts';
import { systemUtcOffsetMinutes } from '../internal/time.ts';
import { Logger } from '../log/logger.ts';
import { MediaClock } from '../media/media_clock.ts';
import { MediaTable } from '../media/media_table.ts';
import { ChannelTable } from './channel_table.ts';
import { GlobalVariables } from './globals.ts';
import { Scheduler } from './scheduler.ts';
import { SessionLimits } from './limits.ts';
import { CoreControl } from './control.ts';
import { type CpuTimes, IdleCpuMeter } from './idle_cpu.ts';
import { uuidOfVersion } from './uuid.ts';
import { LimitHash } from './limit_hash.ts';
import { RegistrationTable } from './registrations.ts';
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
  /** Seconds between HEARTBEAT events (switch.conf `event-heartbeat-interval`, default 20). */
  readonly heartbeatIntervalSec?: number;
  /** The hard log level (switch.conf `loglevel`, default DEBUG = 7). */
  readonly logLevel?: number;
  /** The machine's CPU counters, for the idle CPU figure (without: not measured, always 100). */
  readonly cpuTimes?: () => CpuTimes | undefined;
}

export class SwitchCore {
  readonly identity: SwitchIdentity;
  readonly startEpochMs: number;
  readonly bus: EventBus;
  readonly sessions = new SessionTable();
  readonly globals: GlobalVariables;
  readonly channels = new ChannelTable();
  readonly limits: SessionLimits;
  /** What fsctl switches: paused directions, the shutdown request, settings it reads back. */
  readonly control = new CoreControl();
  readonly logger: Logger;
  /** The scheduled tasks (switch_scheduler.c); the `scheduler` worker runs them. */
  readonly scheduler: Scheduler = new Scheduler(this);
  /** The `hash` limit backend (mod_hash): the `limit` application's counts. */
  readonly limitHash: LimitHash;
  /** Where each channel's audio goes (bridges, echo). */
  readonly media = new MediaTable();
  /** The clock players' frames run on; the `media_clock` worker drives it. */
  readonly mediaClock: MediaClock;
  /** The `registrations` table endpoint modules report to (switch_core_add_registration). */
  readonly registrations: RegistrationTable;
  /** The machine's idle CPU (the profile timer): `status`, HEARTBEAT, `min-idle-cpu`. */
  readonly idleCpuMeter: IdleCpuMeter;
  heartbeatIntervalSec: number;
  readonly #now: () => number;
  readonly #startClock: number;
  readonly #utcOffset: (epochMs: number) => number;

  constructor(o: CoreOptions) {
    this.identity = o.identity;
    this.startEpochMs = o.startEpochMs;
    this.#now = o.now;
    this.#startClock = o.now();
    this.#utcOffset = o.utcOffsetMinutes ?? systemUtcOffsetMinutes;
    this.limits = new SessionLimits(o.maxSessions ?? 1000, o.sessionsPerSecond ?? 30, this.sessions, o.now);
    this.heartbeatIntervalSec = o.heartbeatIntervalSec ?? 20;
    this.idleCpuMeter = new IdleCpuMeter(o.cpuTimes, o.now);
    this.mediaClock = new MediaClock(o.now, (err) => this.log('ERR', `media clock: a player failed: ${String(err)}`));
    this.registrations = new RegistrationTable(o.identity.switchname);
    this.logger = new Logger({
      nowUs: () => this.nowUs(),
      utcOffsetMinutes: this.#utcOffset,
      idleCpu: () => this.idleCpu(),
      ...(o.logLevel === undefined ? {} : { level: o.logLevel }),
    });
    const sink = o.log;
    if (sink)
      this.logger.subscribe(7, (r) =>
        sink(r.userData ? { level: r.levelName, text: r.text, uuid: r.userData } : { level: r.levelName, text: r.text }),
      );
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
    this.limitHash = new LimitHash({
      bus: this.bus,
      fire: (e) => this.fire(e),
      log: (level, text, uuid) => this.log(level, text, uuid),
      nowSec: () => this.scheduler.nowSec(),
    });
  }

  get maxSessions(): number {
    return this.limits.maxSessions;
  }

  get sessionsPerSecond(): number {
    return this.limits.sessionsPerSecond;
  }

  /** switch_uuid_get: a new channel or job uuid, of the version `fsctl uuid_version` set (4 or 7). */
  newUuid(): string {
    return uuidOfVersion(this.control.uuidVersion, this.nowUs() / 1000);
  }

  /**
   * switch_core_session_request_uuid's checks for a new session, in its order: paused or stopping
   * (CRIT), idle CPU under `min-idle-cpu` (refused without a log line, as there), then the session
   * limits, every request taking one from the per-second budget (CRIT). Undefined when the session
   * may be made, else why not.
   */
  requestSession(direction: CallDirection): string | undefined {
    const paused = this.control.refusal(direction);
    if (paused !== undefined) {
      this.log('CRIT', paused);
      return paused;
    }
    const minIdle = this.control.minIdleCpu;
    const idle = minIdle > 0 ? this.idleCpu() : 100;
    if (idle < minIdle) return `idle CPU ${idle.toFixed(2)}% is under min-idle-cpu ${minIdle.toFixed(2)}%`;
    const limited = this.limits.request(this.sessions.count);
    if (limited !== undefined) this.log('CRIT', limited);
    return limited;
  }

  /** switch_core_idle_cpu: the machine's idle CPU in percent. */
  idleCpu(): number {
    return this.idleCpuMeter.value();
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

  log(level: SwitchLogLevel, text: string, uuid?: string, site?: LogSite): void {
    this.logger.log(level, text, uuid ?? '', site);
  }
}
