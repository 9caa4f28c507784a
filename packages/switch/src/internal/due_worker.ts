/**
 * The loop of a worker that runs what is due, then sleeps until the next due time or a wake: the
 * `scheduler` (switch_scheduler_task_thread) and the `media_clock`. Ends on the message 'stop'.
 */
import type { ProcessContext } from '@beamline/core';

/** What such a worker drives: a round of what is due, answering the ms until the next (undefined: none). */
export interface DueRunner {
  /** How something due sooner than the worker sleeps wakes it. */
  attach(wake: () => void): void;
  runDue(ctx: ProcessContext): number | undefined | Promise<number | undefined>;
}

const STOP = 'stop';
const WAKE = 'wake';

export async function runDueWorker(ctx: ProcessContext, runner: DueRunner): Promise<void> {
  runner.attach(() => ctx.send(ctx.self, WAKE));
  for (;;) {
    const waitMs = await runner.runDue(ctx);
    if ((await ctx.receive((m) => m === STOP || m === WAKE, waitMs)) === STOP) return;
  }
}
