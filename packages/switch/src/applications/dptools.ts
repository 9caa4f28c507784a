/** The applications of mod_dptools this step needs: call control, variables, media simulation. */
import { Cause, parseCause } from '../channel/causes.ts';
import { takeParkTimeout } from '../channel/park_timeout.ts';
import type { Application, AppChannel } from './types.ts';

/** An application that finishes when `fn` has: it then reports done. */
export const sync =
  (fn: (ch: AppChannel, data: string) => void | Promise<void>): Application['run'] =>
  async (ch, data, done) => {
    await fn(ch, data);
    await done();
    return undefined;
  };

/** Waits until `ms` passed (or forever without `ms`), or until interrupted. */
function waiting(
  ch: AppChannel,
  ms: number | undefined,
  done: () => void | Promise<void>,
  onEnd?: (interrupted: boolean) => void,
): () => void | Promise<void> {
  let over = false;
  const finish = async (interrupted: boolean) => {
    if (over) return;
    over = true;
    cancel();
    onEnd?.(interrupted);
    await done();
  };
  const cancel = ms === undefined ? () => {} : ch.after(ms, () => finish(false));
  return () => finish(true);
}

function parseMs(data: string): number {
  const n = Number.parseInt(data, 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

export const DPTOOLS: readonly Application[] = [
  { name: 'answer', run: sync((ch) => ch.send({ type: 'ANSWER' })) },
  { name: 'pre_answer', run: sync((ch) => ch.send({ type: 'PRE_ANSWER' })) },
  { name: 'ring_ready', run: sync((ch) => ch.send({ type: 'RING_READY' })) },
  {
    name: 'hangup',
    run: sync((ch, data) => ch.send({ type: 'HANGUP', cause: data.trim() ? parseCause(data.trim()) : Cause.NORMAL_CLEARING })),
  },
  {
    name: 'set',
    routingExec: true,
    zombieExec: true,
    run: sync((ch, data) => {
      const eq = data.indexOf('=');
      if (eq < 0) ch.setVariable(data.trim(), undefined);
      else ch.setVariable(data.slice(0, eq), data.slice(eq + 1) || undefined);
    }),
  },
  {
    name: 'park',
    run: async (ch, _data, done) => {
      const timeout = takeParkTimeout(
        (n) => ch.variable(n),
        (n, v) => ch.setVariable(n, v),
      );
      ch.fire('CHANNEL_PARK');
      let cancel = () => {};
      const stop = waiting(ch, undefined, done, () => {
        cancel();
        void ch.parked(false);
        ch.fire('CHANNEL_UNPARK');
      });
      await ch.parked(true);
      if (timeout) cancel = ch.after(timeout.ms, () => ch.send({ type: 'HANGUP', cause: timeout.cause }));
      return stop;
    },
  },
  { name: 'sleep', run: (ch, data, done) => waiting(ch, parseMs(data), done) },
  { name: 'echo', needsMedia: true, run: (ch, _data, done) => waiting(ch, undefined, done) },
  {
    // simulated media: `silence_stream://N` lasts N ms, any other file `playback_duration_ms` (default 1000)
    name: 'playback',
    needsMedia: true,
    run: (ch, data, done) => {
      const silence = /^silence_stream:\/\/(\d+)/.exec(data);
      const ms = silence ? Number(silence[1]) : parseMs(ch.variable('playback_duration_ms') ?? '1000');
      return waiting(ch, ms, done, (interrupted) => ch.setVariable('current_application_response', interrupted ? 'PLAYBACK ERROR' : 'FILE PLAYED'));
    },
  },
];
