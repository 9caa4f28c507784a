/**
 * Session heartbeats (switch_core_session_enable_heartbeat / _sched_heartbeat / _disable_heartbeat):
 * SESSION_HEARTBEAT events with the channel's data, every `track_duration` seconds.
 *
 * Two clocks, as FreeSWITCH has them. The media heartbeat counts the frames the session reads: it
 * fires once a second's worth of frames times the duration went by and one more frame was read
 * (so every duration + 20 ms), only while the call is up. The scheduled one is a scheduler task:
 * it fires `track_duration` seconds after it was set and then again each duration, until the
 * session is gone; a task with a duration of 0 runs once and is not rescheduled. The scheduled one
 * keeps the duration the session had — `sched_heartbeat` and `uuid_session_heartbeat … sched <n>`
 * do not set it (FreeSWITCH ignores their seconds). `heartbeat_fire_on_set` makes the first one
 * fire at once.
 */
import type { SwitchLogLevel } from '../core/core.ts';
import type { EventTypeName } from '../events/types.ts';
import { atoi, isNumber, switchTrue } from '../internal/strings.ts';

/** What a heartbeat needs of its channel. */
export interface HeartbeatChannel {
  readonly uuid: string;
  readonly name: string;
  readonly hungUp: boolean;
  readonly mediaUp: boolean;
  readonly core: { log(level: SwitchLogLevel, text: string, uuid?: string): void };
  variable(name: string): string | undefined;
  fire(type: EventTypeName): void;
  after(ms: number, fn: () => void | Promise<void>): () => void;
}

/** One frame of 20 ms (the read clock of the media heartbeat). */
const FRAME_MS = 20;

class SessionHeartbeat {
  /** session->track_duration, in seconds. */
  duration = 0;
  /** The scheduler task (session->track_id) or the media heartbeat's next frame count, whichever runs. */
  #cancel: (() => void) | undefined;

  constructor(private readonly ch: HeartbeatChannel) {}

  #fireOnSet(): boolean {
    return switchTrue(this.ch.variable('heartbeat_fire_on_set'));
  }

  /** switch_core_session_enable_heartbeat: 0 means 60. */
  enable(seconds: number): void {
    const ch = this.ch;
    this.duration = seconds > 0 ? seconds : 60;
    const scheduler =
      !ch.mediaUp ||
      switchTrue(ch.variable('heartbeat_use_scheduler')) ||
      switchTrue(ch.variable('bypass_media')) ||
      switchTrue(ch.variable('bypass_media_after_bridge'));
    if (scheduler) {
      ch.core.log('WARNING', `${ch.name} using scheduler due to bypass media or media is not established.`, ch.uuid);
      this.sched();
      return;
    }
    this.#stop();
    const ms = this.#fireOnSet() ? FRAME_MS : this.duration * 1000 + FRAME_MS;
    this.#mediaBeat(ms);
    ch.core.log('INFO', `${ch.name} setting session heartbeat to ${this.duration} second(s).`, ch.uuid);
  }

  #mediaBeat(ms: number): void {
    this.#cancel = this.ch.after(ms, () => {
      this.#cancel = undefined;
      // the session reads no more frames once the call is down
      if (this.ch.hungUp) return;
      this.ch.fire('SESSION_HEARTBEAT');
      this.#mediaBeat(this.duration * 1000 + FRAME_MS);
    });
  }

  /** switch_core_session_sched_heartbeat: a scheduler task on the duration the session has. */
  sched(): void {
    this.#stop();
    this.#schedBeat(this.#fireOnSet() ? 0 : this.duration * 1000);
  }

  #schedBeat(ms: number): void {
    this.#cancel = this.ch.after(ms, () => {
      this.#cancel = undefined;
      this.ch.fire('SESSION_HEARTBEAT');
      // switch_scheduler_execute keeps a task only when its next run is later than this one
      if (this.duration > 0) this.#schedBeat(this.duration * 1000);
    });
  }

  /** switch_core_session_disable_heartbeat. */
  disable(): void {
    this.#stop();
    this.duration = 0;
  }

  #stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }
}

const HEARTBEATS = new WeakMap<HeartbeatChannel, SessionHeartbeat>();

function heartbeatOf(ch: HeartbeatChannel): SessionHeartbeat {
  let hb = HEARTBEATS.get(ch);
  if (!hb) {
    hb = new SessionHeartbeat(ch);
    HEARTBEATS.set(ch, hb);
  }
  return hb;
}

export function enableHeartbeat(ch: HeartbeatChannel, seconds: number): void {
  heartbeatOf(ch).enable(seconds);
}

export function schedHeartbeat(ch: HeartbeatChannel): void {
  heartbeatOf(ch).sched();
}

export function disableHeartbeat(ch: HeartbeatChannel): void {
  HEARTBEATS.get(ch)?.disable();
}

/**
 * switch_channel_perform_mark_answered: `enable_heartbeat_events` — a number of seconds (not above
 * 0: 60), or true for 60; anything else is off.
 */
export function heartbeatOnAnswer(ch: HeartbeatChannel): void {
  const value = ch.variable('enable_heartbeat_events');
  if (value === undefined) return;
  const seconds = heartbeatSeconds(value);
  if (seconds) enableHeartbeat(ch, seconds);
}

/** The seconds of `enable_heartbeat_events` or `uuid_session_heartbeat`: a number (≤ 0: 60), true: 60, else 0 (off). */
export function heartbeatSeconds(value: string): number {
  if (isNumber(value)) {
    const n = atoi(value);
    return n > 0 ? n : 60;
  }
  return switchTrue(value) ? 60 : 0;
}
