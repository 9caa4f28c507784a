/** The applications of mod_dptools this step needs: call control, variables, echo, media simulation. */
import { Cause, parseCause } from '../channel/causes.ts';
import { takeParkTimeout } from '../channel/park_timeout.ts';
import { atoi, switchTrue } from '../internal/strings.ts';
import { playToChannel } from '../media/player.ts';
import { toneSource } from '../media/source.ts';
import { type MediaEnd, mediaWait, parseMs, playFile, playbackResponse, terminatorDigit, waiting } from './media.ts';
import { playbackSpecial } from './phrase.ts';
import type { Application, AppChannel } from './types.ts';

/** An application that finishes when `fn` has: it then reports done. */
export const sync =
  (fn: (ch: AppChannel, data: string) => void | Promise<void>): Application['run'] =>
  async (ch, data, done) => {
    await fn(ch, data);
    await done();
    return undefined;
  };

/** `<name>=<value>` (base_set also takes `<name>,<value>`); an empty value is none. */
export function nameAndValue(data: string, commaToo: boolean): [string, string | undefined] {
  let cut = data.indexOf('=');
  if (cut < 0 && commaToo) cut = data.indexOf(',');
  if (cut < 0) return [data, undefined];
  return [data.slice(0, cut), data.slice(cut + 1) || undefined];
}

/**
 * mod_dptools' base_set (set, multiset, push, unshift): `<name>=<value>` or `<name>,<value>`; the
 * value is expanded again, though switch_core_session_exec already expanded the application's
 * data, so a variable whose value names another yields that one's value; no value, or one that
 * expands to nothing, removes the variable.
 */
export async function baseSet(ch: AppChannel, data: string, stack: 'set' | 'push' | 'unshift' = 'set'): Promise<void> {
  if (data === '') return ch.core.log('ERR', 'No variable name specified.', ch.uuid);
  const [name, value] = nameAndValue(data, true);
  const expanded = value === undefined ? undefined : await ch.expand(value);
  ch.core.log('DEBUG', `${stack.toUpperCase()} ${ch.name} [${name}]=[${expanded ?? 'UNDEF'}]`, ch.uuid);
  if (name === '') return;
  if (!expanded) ch.setVariable(name, undefined);
  else if (stack === 'set') ch.setVariable(name, expanded);
  else ch.pushVariable(name, expanded, stack);
}

/**
 * mod_dptools' sleep (switch_ivr_sleep): on a channel with media a digit waiting in its queue ends
 * it and stays there for the next reader; with `sleep_eat_digits` the digits are read instead, and
 * one of `playback_terminators` ends it (`playback_terminator_used`). Without media only a break does.
 */
const sleep: Application['run'] = async (ch, data, done) => {
  if (data === '') {
    ch.core.log('ERR', 'No timeout specified.', ch.uuid);
    await done();
    return undefined;
  }
  const ms = parseMs(data);
  const digits = ms > 0 && ch.mediaUp;
  if (switchTrue(ch.variable('sleep_eat_digits'))) {
    ch.setVariable('playback_terminator_used', '');
    return mediaWait(ch, ms, done, undefined, digits ? terminatorDigit(ch) : undefined);
  }
  let unwatch = () => {};
  const interrupt = await mediaWait(ch, ms, () => {
    unwatch();
    return done();
  });
  if (interrupt && digits) unwatch = ch.watchDtmf(interrupt);
  return interrupt;
};

export const DPTOOLS: readonly Application[] = [
  {
    name: 'answer',
    breakable: true,
    run: async (ch, _data, done) => {
      const was = ch.view.answered;
      await ch.send({ type: 'ANSWER' });
      // switch_channel_perform_answer, in the session's thread, once it answered: `answer_delay` ms
      // of switch_ivr_sleep without input args (no digit ends it, a break does)
      const ms = !was && ch.view.answered ? atoi(ch.variable('answer_delay') ?? '') : 0;
      if (ms <= 0) {
        await done();
        return undefined;
      }
      ch.core.log('DEBUG', `Answer delay for ${ms} msec`, ch.uuid);
      return mediaWait(ch, ms, done);
    },
  },
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
    run: sync((ch, data) => baseSet(ch, data)),
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
  { name: 'sleep', breakable: true, run: sleep },
  {
    // switch_ivr_gentones: `<TGML>[|<loops>]` (negative: for ever) played without PLAYBACK events;
    // a `playback_terminators` digit ends it, as a break does
    name: 'gentones',
    needsMedia: true,
    breakable: true,
    run: async (ch, data, done) => {
      if (data.trim() === '') {
        ch.core.log('ERR', 'Invalid Params!', ch.uuid);
        await done();
        return undefined;
      }
      const bar = data.indexOf('|');
      const loops = bar < 0 ? 1 : Number.parseInt(data.slice(bar + 1), 10) || 1;
      const source = toneSource(bar < 0 ? data : data.slice(0, bar), loops < 0 ? -1 : loops);
      ch.setVariable('playback_terminator_used', undefined);
      const stopAudio = playToChannel(ch, source);
      return mediaWait(ch, source.ms, done, stopAudio, terminatorDigit(ch));
    },
  },
  {
    // the caller hears itself: its audio is routed back to it until the application ends
    name: 'echo',
    needsMedia: true,
    run: (ch, _data, done) => {
      ch.core.media.route(ch.uuid, ch.uuid);
      return waiting(ch, undefined, done, () => ch.core.media.unroute(ch.uuid, ch.uuid));
    },
  },
  {
    // applications/media.ts; a terminator digit ends it (terminatorDigit)
    name: 'playback',
    needsMedia: true,
    breakable: true,
    run: (ch, data, done) => {
      ch.setVariable('playback_terminator_used', '');
      // `<file>@@<samples>`: where it starts (the first `@` must be the pair's)
      const at = data.indexOf('@');
      const pair = at >= 0 && data[at + 1] === '@';
      const file = pair ? data.slice(0, at) : data;
      const special = playbackSpecial(ch, file, done);
      if (special) return special;
      const onDigit = terminatorDigit(ch);
      // a break or a terminator counts as played (SWITCH_STATUS_BREAK), a hangup does not
      const onEnd = (how: MediaEnd) => ch.setVariable('current_application_response', playbackResponse(how));
      return playFile(ch, file, done, onEnd, onDigit, pair ? atoi(data.slice(at + 2)) : 0);
    },
  },
];
