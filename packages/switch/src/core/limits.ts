/**
 * Session limits and rates (switch_core_session.c, switch_time.c): `max-sessions` and
 * `sessions-per-second`. Every session request takes one from the per-second budget (even when
 * refused); a request is refused when the budget is used up (`Throttle Error! <count>`) or the
 * switch already holds max-sessions (`Over Session Limit! <max>`). Once a second the budget is
 * refilled and the last second's figure goes into the peaks; every 300 seconds the five-minute
 * peaks restart. The once-a-second step is done lazily: every read or request first catches up
 * with the whole seconds passed on the clock (a jump of a year costs a few thousand steps, not
 * 31 million timer wake-ups).
 */

export interface LimitsSnapshot {
  /** runtime.sps: what is left of this second's budget. */
  readonly sps: number;
  readonly spsLast: number;
  readonly spsPeak: number;
  readonly spsPeakFiveMin: number;
  readonly sessionsPeakFiveMin: number;
}

import type { SessionTable } from './sessions.ts';

export class SessionLimits {
  maxSessions: number;
  readonly #sessions: SessionTable | undefined;
  readonly #now: (() => number) | undefined;
  #lastTickMs: number;
  #spsTotal: number;
  #sps: number;
  #spsLast = 0;
  #spsPeak = 0;
  #spsPeakFiveMin = 0;
  #ticks = 0;

  /** `now`: the runtime clock in ms (without it, `tick` must be called by hand). */
  constructor(maxSessions = 1000, sessionsPerSecond = 30, sessions?: SessionTable, now?: () => number) {
    this.#sessions = sessions;
    this.#now = now;
    this.#lastTickMs = now?.() ?? 0;
    this.maxSessions = maxSessions;
    this.#spsTotal = sessionsPerSecond;
    this.#sps = sessionsPerSecond;
  }

  get sessionsPerSecond(): number {
    return this.#spsTotal;
  }

  /** SCSC_SPS: a new per-second budget (taken at the next refill). */
  set sessionsPerSecond(n: number) {
    this.#spsTotal = n;
  }

  /** A new per-second budget in force at once (switch.conf at startup). */
  resetBudget(n: number): void {
    this.#spsTotal = n;
    this.#sps = n;
  }

  /**
   * switch_core_session_request's check, with the current session count: undefined when the
   * session may be made, else the CRIT text.
   */
  request(count: number): string | undefined {
    this.#catchUp();
    const sps = --this.#sps;
    if (sps <= 0) return `Throttle Error! ${count}`;
    return this.full(count);
  }

  /** The max-sessions half of `request` alone, for a session whose request was taken earlier. */
  full(count: number): string | undefined {
    return count + 1 > this.maxSessions ? `Over Session Limit! ${this.maxSessions}` : undefined;
  }

  /** SCSC_SPS_PEAK with -1 (`fsctl sps_peak_reset`). */
  resetSpsPeak(): void {
    this.#spsPeak = 0;
  }

  /** The once-a-second step of the timer thread; `count` is the current session count. */
  tick(count: number): void {
    this.#spsLast = this.#spsTotal - this.#sps;
    if (this.#ticks >= 300) {
      this.#spsPeakFiveMin = 0;
      this.#ticks = 0;
      this.#sessions?.restartFiveMin(count);
    }
    this.#ticks++;
    if (this.#spsLast > this.#spsPeakFiveMin) this.#spsPeakFiveMin = this.#spsLast;
    if (this.#spsLast > this.#spsPeak) this.#spsPeak = this.#spsLast;
    this.#sps = this.#spsTotal;
  }

  /** The ticks due since the last one, as the timer thread would have run them. */
  #catchUp(): void {
    if (!this.#now) return;
    let n = Math.floor((this.#now() - this.#lastTickMs) / 1000);
    if (n <= 0) return;
    this.#lastTickMs += n * 1000;
    const count = this.#sessions?.count ?? 0;
    this.tick(count);
    n--;
    // the seconds after the first see no requests: the last-second figure is 0, only the
    // five-minute windows move on
    while (n > 0) {
      if (this.#ticks >= 300) {
        this.#spsPeakFiveMin = 0;
        this.#ticks = 0;
        this.#sessions?.restartFiveMin(count);
      }
      const k = Math.min(n, 300 - this.#ticks);
      this.#ticks += k;
      n -= k;
      this.#spsLast = 0;
    }
  }

  snapshot(): LimitsSnapshot {
    this.#catchUp();
    return {
      sps: this.#sps,
      spsLast: this.#spsLast,
      spsPeak: this.#spsPeak,
      spsPeakFiveMin: this.#spsPeakFiveMin,
      sessionsPeakFiveMin: this.#sessions?.peakFiveMin ?? 0,
    };
  }
}
