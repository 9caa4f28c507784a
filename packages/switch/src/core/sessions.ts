/**
 * The session table and counters (switch_core_session.c): uuid → channel process, sessions since
 * startup, current count and peak. Owned by the switch; channel processes register themselves.
 */
import type { ProcessContext } from '@beamline/core';
import type { Pid } from '@beamline/etf';

/** What the reaper does, from its own process, for a channel whose process died without its end (killed). */
export type OnKilled = (from: ProcessContext) => void;

export class SessionTable {
  readonly #byUuid = new Map<string, Pid>();
  readonly #onKilled = new Map<string, OnKilled>();
  #sinceStartup = 0;
  #peak = 0;
  #peakFiveMin = 0;

  /** A new session id (switch_core_session_request: ids start at 1). */
  nextId(): number {
    return ++this.#sinceStartup;
  }

  add(uuid: string, pid: Pid, onKilled?: OnKilled): boolean {
    if (this.#byUuid.has(uuid)) return false;
    this.#byUuid.set(uuid, pid);
    if (onKilled) this.#onKilled.set(uuid, onKilled);
    this.#peak = Math.max(this.#peak, this.#byUuid.size);
    this.#peakFiveMin = Math.max(this.#peakFiveMin, this.#byUuid.size);
    return true;
  }

  remove(uuid: string): void {
    this.#byUuid.delete(uuid);
    this.#onKilled.delete(uuid);
  }

  /** The channel's own account of its end, for the reaper (see OnKilled). */
  onKilled(uuid: string): OnKilled | undefined {
    return this.#onKilled.get(uuid);
  }

  /** Case-sensitive, as FreeSWITCH's hash lookup. */
  get(uuid: string): Pid | undefined {
    return this.#byUuid.get(uuid);
  }

  has(uuid: string): boolean {
    return this.#byUuid.has(uuid);
  }

  uuids(): string[] {
    return [...this.#byUuid.keys()];
  }

  get count(): number {
    return this.#byUuid.size;
  }

  get sinceStartup(): number {
    return this.#sinceStartup;
  }

  get peak(): number {
    return this.#peak;
  }

  /** The peak of the current five-minute window (runtime.sessions_peak_fivemin). */
  get peakFiveMin(): number {
    return this.#peakFiveMin;
  }

  /** A new five-minute window starts at the current count. */
  restartFiveMin(count = this.#byUuid.size): void {
    this.#peakFiveMin = count;
  }
}
