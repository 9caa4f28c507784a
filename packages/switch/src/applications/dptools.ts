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

/**
 * A media application's wait: `ms`, unless a break ends it sooner (also one asked for before it
 * started: CF_BREAK stays set until a media application takes it); `onEnd` learns whether it was
 * broken off (the channel hung up, or a break).
 */
async function mediaWait(
  ch: AppChannel,
  ms: number,
  done: () => void | Promise<void>,
  onEnd?: (how: 'played' | 'break' | 'killed') => void,
): Promise<(() => void | Promise<void>) | undefined> {
  if (!ch.takeBreak()) return waiting(ch, ms, done, (interrupted) => onEnd?.(!interrupted ? 'played' : ch.takeBreak() ? 'break' : 'killed'));
  onEnd?.('break');
  await done();
  return undefined;
}

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
  { name: 'sleep', breakable: true, run: (ch, data, done) => mediaWait(ch, parseMs(data), done) },
  { name: 'echo', needsMedia: true, run: (ch, _data, done) => waiting(ch, undefined, done) },
  {
    // simulated media: `silence_stream://N` lasts N ms, any other file `playback_duration_ms` (default 1000)
    name: 'playback',
    needsMedia: true,
    breakable: true,
    run: (ch, data, done) => {
      const silence = /^silence_stream:\/\/(\d+)/.exec(data);
      const ms = silence ? Number(silence[1]) : parseMs(ch.variable('playback_duration_ms') ?? '1000');
      // a break counts as played (SWITCH_STATUS_BREAK), a hangup does not
      return mediaWait(ch, ms, done, (how) => ch.setVariable('current_application_response', how === 'killed' ? 'PLAYBACK ERROR' : 'FILE PLAYED'));
    },
  },
];
