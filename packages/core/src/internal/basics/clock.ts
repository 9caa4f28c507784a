/**
 * Time, injectable. Every timer the runtime uses (sendAfter, receive `after`, GenServer call
 * timeouts, restart intensity windows) goes through a Clock, so tests swap in a TestClock and
 * never sleep.
 */

/** Opaque handle returned by `Clock.setTimer`. */
export type TimerHandle = unknown;

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Call `fn` once after `ms` milliseconds. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** setTimeout's longest delay (2^31 − 1 ms, ~24.8 days): a longer one fires at once, with a warning. */
const MAX_NODE_DELAY_MS = 2 ** 31 - 1;

/** A real timer: the Node timer now armed, re-armed in steps for delays Node cannot take at once. */
interface RealTimer {
  node: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The real clock. Timers are ordinary Node timers (they keep Node alive while the runtime runs);
 * the runtime clears every one it still owns on `stop()`, so nothing is left behind. Erlang's
 * timers have no 32-bit limit (`erlang:send_after(1 bsl 40, …)` is fine), so a delay past Node's
 * longest is armed in steps.
 */
export class RealClock implements Clock {
  readonly #maxStepMs: number;

  /** `maxStepMs` (tests): the longest single Node timer. */
  constructor(options: { maxStepMs?: number } = {}) {
    this.#maxStepMs = options.maxStepMs ?? MAX_NODE_DELAY_MS;
  }

  now(): number {
    return performance.now();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: RealTimer = { node: undefined };
    const arm = (left: number) => {
      timer.node = left > this.#maxStepMs ? setTimeout(() => arm(left - this.#maxStepMs), this.#maxStepMs) : setTimeout(fn, Math.max(left, 0));
    };
    arm(ms);
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    clearTimeout((handle as RealTimer).node);
  }
}

interface TestTimer {
  at: number;
  seq: number;
  fn: (() => void) | null;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A manual clock for tests. Time only moves on `advance(ms)`, which fires due timers in deadline
 * order (ties in creation order) and lets the runtime run between deadlines, so a process woken by
 * one timer can arm the next one inside the same `advance`.
 */
export class TestClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: TestTimer[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: TestTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    const timer = handle as TestTimer;
    timer.fn = null;
    const i = this.timers.indexOf(timer);
    if (i >= 0) this.timers.splice(i, 1);
  }

  /** Number of armed timers (handy for asserting that nothing leaks). */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Move time forward by `ms`, firing every timer that falls due, in order. Between deadlines it
   * yields to the event loop (setImmediate) so the runtime delivers what the timers sent.
   */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await tick();
    for (;;) {
      const next = this.nextDue(end);
      if (next === undefined) break;
      this.time = next.at;
      this.timers.splice(this.timers.indexOf(next), 1);
      const fn = next.fn;
      next.fn = null;
      fn?.();
      await tick();
      await tick();
    }
    this.time = end;
    await tick();
  }

  private nextDue(end: number): TestTimer | undefined {
    let best: TestTimer | undefined;
    for (const timer of this.timers) {
      if (timer.at > end) continue;
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    }
    return best;
  }
}
