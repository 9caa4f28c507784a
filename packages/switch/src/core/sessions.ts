/**
 * The session table and counters (switch_core_session.c): uuid → channel process, sessions since
 * startup, current count and peak. Owned by the switch; channel processes register themselves.
 */
import type { Pid } from '@beamline/etf';

export class SessionTable {
  readonly #byUuid = new Map<string, Pid>();
  #sinceStartup = 0;
  #peak = 0;
  #peakFiveMin = 0;

  /** A new session id (switch_core_session_request: ids start at 1). */
  nextId(): number {
    return ++this.#sinceStartup;
  }

  add(uuid: string, pid: Pid): boolean {
    if (this.#byUuid.has(uuid)) return false;
    this.#byUuid.set(uuid, pid);
    this.#peak = Math.max(this.#peak, this.#byUuid.size);
    this.#peakFiveMin = Math.max(this.#peakFiveMin, this.#byUuid.size);
    return true;
  }

  remove(uuid: string): void {
    this.#byUuid.delete(uuid);
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
