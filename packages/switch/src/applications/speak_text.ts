/**
 * switch_ivr_speak_text on a channel: the engine is opened at the channel's 8 kHz (a name with no
 * engine logs `Invalid TTS module <engine>[<voice>]!` and fails), `*` and `#` in the text become
 * `star_replace` / `pound_replace` (default `star`, `pound`), the text is spoken aside (the
 * channel goes on taking hangups and breaks meanwhile) and its audio is played to the far end. A
 * break, a hangup or a digit `onDigit` takes ends it; an engine that yields nothing ends it at
 * once, successfully. Unlike a file it fires no PLAYBACK_START / PLAYBACK_STOP.
 */
import { playToChannel } from '../media/player.ts';
import { SampleSource } from '../media/source.ts';
import { feedSpeech, openSpeech } from '../speech/speech.ts';
import { type MediaEnd, mediaWait } from './media.ts';
import { afterSynthesis } from './synthesis.ts';
import type { AppChannel, Interrupter } from './types.ts';

const CHANNEL_RATE = 8000;

/** The text with each `*` and `#` spelled out. */
export function replaceStarPound(text: string, star = 'star', pound = 'pound'): string {
  return text.replace(/[*#]/g, (c) => (c === '*' ? star : pound));
}

/**
 * Speaks `text` with `engine` (`<name>[:<param>]`) and `voice` (undefined: none given, as C's
 * NULL); `onEnd` learns how it ended — `notfound` when the engine did not open — before `done`.
 */
export async function speakText(
  ch: AppChannel,
  engine: string,
  voice: string | undefined,
  text: string,
  done: () => void | Promise<void>,
  onEnd?: (how: MediaEnd) => void,
  onDigit?: (digit: string) => boolean,
): Promise<Interrupter | undefined> {
  const sh = openSpeech(ch.core, engine, voice ?? '', CHANNEL_RATE, ch.uuid);
  if (!sh) {
    ch.core.log('ERR', `Invalid TTS module ${engine}[${voice ?? '(null)'}]!`, ch.uuid);
    onEnd?.('notfound');
    await done();
    return undefined;
  }
  const said = replaceStarPound(text, ch.variable('star_replace'), ch.variable('pound_replace'));
  return afterSynthesis(
    ch,
    (signal) => feedSpeech(sh, said, signal),
    (samples) => {
      ch.core.log('DEBUG', `Speaking text: ${said}`, ch.uuid);
      const source = new SampleSource(samples ?? new Int16Array(0));
      const stop = playToChannel(ch, source);
      return mediaWait(
        ch,
        source.ms,
        done,
        (how) => {
          stop();
          onEnd?.(how);
        },
        onDigit,
      );
    },
    async () => {
      onEnd?.(ch.takeBreak() ? 'break' : 'killed');
      await done();
    },
  );
}
