/**
 * The checks conference_say and conference_member_say make before they feed the engine, kept apart
 * from the feeding so that the mixer's synchronous paths (the profile's sounds, a member's file)
 * can answer at once and queue the audio when the engine has spoken. The text may start with
 * `{tts_engine=…,tts_voice=…}` (conference_say only; `position` needs stereo, which the mixer is
 * not), then `#<voice>#` for this text's voice.
 */
import { parseRecordingVars } from '../applications/recording_model.ts';
import type { SwitchCore } from '../core/core.ts';
import { findEndParen } from '../internal/strings.ts';
import { type OpenSpeech, feedSpeech, openSpeech } from '../speech/speech.ts';

const MIXER_RATE = 8000;

/** The profile's engine and voice (tts-engine, tts-voice). */
export interface TtsProfile {
  readonly ttsEngine: string | undefined;
  readonly ttsVoice: string | undefined;
}

/** A text ready to be spoken: `speak` feeds the engine (an engine that failed gives no samples). */
export interface PreparedSpeech {
  /** The text after its `{…}` head. */
  readonly text: string;
  speak(): Promise<Int16Array>;
}

/** The `{…}` head of a text (switch_event_create_brackets), and the text after it. */
function takeBrackets(text: string): { vars: readonly (readonly [string, string])[]; text: string } {
  if (!text.startsWith('{')) return { vars: [], text };
  const vars = parseRecordingVars(text);
  if (!vars) return { vars: [], text };
  return { vars, text: text.slice(findEndParen(text, '{', '}') + 1) };
}

const varOf = (vars: readonly (readonly [string, string])[], name: string) => vars.find(([n]) => n.toLowerCase() === name)?.[1];

/** `#<voice>#<text>`: that voice for this text; otherwise `voice`. The text to speak. */
function voiceFor(sh: OpenSpeech, text: string, voice: string): string {
  if (text.startsWith('#')) {
    const end = text.indexOf('#', 1);
    if (end > 0) {
      sh.handle.textParam('voice', text.slice(1, end));
      return text.slice(end + 1);
    }
  }
  sh.handle.textParam('voice', voice);
  return text;
}

const ready = (sh: OpenSpeech, text: string, voice: string): PreparedSpeech => ({
  text,
  speak: async () => (await feedSpeech(sh, voiceFor(sh, text, voice))) ?? new Int16Array(0),
});

/** conference_say up to its feed: undefined (logged) without an engine and voice, or when the engine does not open. */
export function prepareConferenceSay(core: SwitchCore, profile: TtsProfile, text: string): PreparedSpeech | undefined {
  const { vars, text: rest } = takeBrackets(text);
  const engine = varOf(vars, 'tts_engine') ?? profile.ttsEngine;
  const voice = varOf(vars, 'tts_voice') ?? profile.ttsVoice;
  if (!engine || !voice) {
    core.log('ERR', 'Missing TTS engine or voice');
    return undefined;
  }
  const sh = openSpeech(core, engine, voice, MIXER_RATE);
  if (!sh) {
    // the C names the profile's engine here, whichever was asked for
    core.log('ERR', `Invalid TTS module [${profile.ttsEngine ?? '(null)'}]!`);
    return undefined;
  }
  return ready(sh, rest, voice);
}

/**
 * conference_member_say up to its feed: `none` when the profile has no engine and voice (the C
 * then succeeds saying nothing); undefined (logged) when the engine does not open.
 */
export function prepareMemberSay(core: SwitchCore, profile: TtsProfile, text: string, uuid: string): PreparedSpeech | 'none' | undefined {
  const { ttsEngine, ttsVoice } = profile;
  if (!ttsEngine || !ttsVoice) return 'none';
  const sh = openSpeech(core, ttsEngine, ttsVoice, MIXER_RATE, uuid);
  if (!sh) {
    core.log('ERR', `Invalid TTS module [${ttsEngine}]!`, uuid);
    return undefined;
  }
  return ready(sh, takeBrackets(text).text, ttsVoice);
}
