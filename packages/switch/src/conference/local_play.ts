/**
 * conference_file_local_play: a sound to one caller's own channel, not into the conference (the pin
 * prompts, the locked and full refusals, member-enter-sound, kicked-sound): `leadin` frames of
 * quiet first (20 ms each), then switch_ivr_play_file (PLAYBACK_START / PLAYBACK_STOP; a file with
 * no source here plays for its simulated length) with the name expanded on the channel and, when
 * relative, under the conference's sound prefix. `say:<text>` is spoken with the profile's
 * tts-engine and tts-voice (switch_ivr_speak_text); without them it fails at once.
 */
import { isFilePath } from '../applications/recording_model.ts';
import { type MediaEnd, playFile } from '../applications/media.ts';
import { speakText } from '../applications/speak_text.ts';
import type { Interrupter } from '../applications/types.ts';
import type { Channel } from '../channel/channel.ts';
import type { Conference } from './conference.ts';

/** How the play ended; `failed`: it could not start. */
export type LocalPlayEnd = MediaEnd | 'failed';

/** Ticks of quiet before a local sound (conference_function's 20). */
export const LOCAL_LEADIN = 20;
const FRAME_MS = 20;

/**
 * Plays `file` to `ch` (in its process); `end` learns how it ended. `onDigit`, when given, reads
 * the channel's digits while it plays: one it takes ends the play (switch_ivr_play_file with a
 * buffer). Returns the interrupter (a hangup).
 */
export async function localPlay(
  conf: Conference,
  ch: Channel,
  file: string,
  leadin: number,
  end: (how: LocalPlayEnd) => void | Promise<void>,
  onDigit?: (digit: string) => boolean,
): Promise<Interrupter> {
  let over = false;
  let current: Interrupter | undefined;
  const finish = async (how: LocalPlayEnd) => {
    if (over) return;
    over = true;
    await end(how);
  };
  const play = async () => {
    if (over) return;
    let path = await ch.expand(file);
    let how: MediaEnd = 'played';
    const onEnd = (h: MediaEnd) => {
      how = h;
    };
    if (/^say:/i.test(path)) {
      const { ttsEngine, ttsVoice } = conf.profile;
      if (!ttsEngine || !ttsVoice) return finish('failed');
      current = await speakText(ch, ttsEngine, ttsVoice, path.slice(4), () => finish(how === 'notfound' ? 'failed' : how), onEnd, onDigit);
      return;
    }
    if (!isFilePath(path) && conf.soundPrefix) path = `${conf.soundPrefix}/${path}`;
    current = await playFile(ch, path, () => finish(how), onEnd, onDigit);
  };
  if (leadin > 0) {
    const cancel = ch.after(leadin * FRAME_MS, play);
    current = () => {
      cancel();
      return finish('killed');
    };
  } else await play();
  return () => current?.();
}
