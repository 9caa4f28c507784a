/**
 * Waiting for a speech engine without holding up the channel: the synthesis runs aside (a child
 * process, off the channel's turn) and what follows it runs back in the channel's process. A
 * hangup or a break while it runs aborts it (its child is killed) and ends the wait at once.
 */
import type { AppChannel, Interrupter } from './types.ts';

/**
 * Runs `work`, then `then` with its result (in the channel's process); returns the interrupter:
 * before `then` it aborts the work and calls `interrupted`, after it the interrupter `then` gave.
 */
export function afterSynthesis<T>(
  ch: AppChannel,
  work: (signal: AbortSignal) => Promise<T>,
  then: (value: T) => Promise<Interrupter | undefined>,
  interrupted: () => void | Promise<void>,
): Interrupter {
  let state: 'waiting' | 'starting' | 'started' | 'over' = 'waiting';
  let current: Interrupter | undefined;
  let pending = false;
  const abort = new AbortController();
  ch.aside(
    () => work(abort.signal),
    async (value) => {
      if (state !== 'waiting') return;
      state = 'starting';
      current = await then(value);
      state = 'started';
      if (pending) await current?.();
    },
  );
  return () => {
    if (state === 'waiting') {
      state = 'over';
      abort.abort();
      return interrupted();
    }
    if (state === 'starting') {
      pending = true;
      return;
    }
    return current?.();
  };
}
