/**
 * The clock every player's frames run on, as FreeSWITCH's soft timer is one clock per interval
 * that each session's timer reads: a timer is a callback due at a runtime-clock millisecond,
 * and one worker process (`media_clock`) runs all those due, sleeping until the next one. A
 * player costs one call each 20 ms, not a runtime timer and a message to its channel's process:
 * what lets thousands of channels play at once.
 *
 * Callbacks run in the worker's process: they may touch only the media table and their own
 * source; anything for the channel goes to it as a message (the player's end does).
 */
import type { ProcessContext } from '@beamline/core';
import { runDueWorker } from '../internal/due_worker.ts';

export class MediaClock {
  readonly #now: () => number;
  readonly #onError: (err: unknown) => void;
  /** Due millisecond → the callbacks due then, in the order they were set. */
  readonly #due = new Map<number, Set<() => void>>();
  #wake: (() => void) | undefined;
  /** The millisecond the worker sleeps until (undefined: it sleeps until woken). */
  #armed: number | undefined;
  #running = false;

  /** `now`: the runtime clock, in ms; `onError` hears a callback that threw (the others still run). */
  constructor(now: () => number, onError: (err: unknown) => void = () => {}) {
    this.#now = now;
    this.#onError = onError;
  }

  /** Runs `fn` on the clock's worker `ms` from now (never before); returns the cancel. */
  after(ms: number, fn: () => void): () => void {
    const now = this.#now();
    const at = Math.max(Math.ceil(now + ms), Math.floor(now) + 1);
    let set = this.#due.get(at);
    if (!set) this.#due.set(at, (set = new Set()));
    set.add(fn);
    if (!this.#running && (this.#armed === undefined || at < this.#armed)) this.#wake?.();
    return () => {
      const s = this.#due.get(at);
      if (s?.delete(fn) && s.size === 0) this.#due.delete(at);
    };
  }

  /** Callbacks waiting (a player has one). */
  get pending(): number {
    let n = 0;
    for (const s of this.#due.values()) n += s.size;
    return n;
  }

  /** Set by the worker: how a callback due sooner than it sleeps wakes it. */
  attach(wake: () => void): void {
    this.#wake = wake;
  }

  /**
   * Runs every callback due by now, earliest first; the ms until the next one (undefined: none).
   * One round takes what was due when it began: a callback due while it runs waits for the next
   * round, so a clock with more work than time still lets the rest of the node run in between.
   */
  runDue(): number | undefined {
    this.#running = true;
    const now = this.#now();
    try {
      for (;;) {
        let first: number | undefined;
        for (const at of this.#due.keys()) if (first === undefined || at < first) first = at;
        if (first === undefined || first > now) {
          this.#armed = first;
          // at least 1 ms: a clock that is behind still gives the event loop a turn
          return first === undefined ? undefined : Math.max(1, first - this.#now());
        }
        const set = this.#due.get(first) as Set<() => void>;
        this.#due.delete(first);
        for (const fn of set) {
          try {
            fn();
          } catch (err) {
            this.#onError(err);
          }
        }
      }
    } finally {
      this.#running = false;
    }
  }
}

/** The `media_clock` worker: runs what is due, then sleeps until the next or a wake. Ends on 'stop'. */
export function mediaClockWorker(ctx: ProcessContext, clock: MediaClock): Promise<void> {
  return runDueWorker(ctx, clock);
}
