/**
 * switch_core_speech: opening an engine by name (`<engine>[:<param>]`, the part after `:` being
 * the engine's own) and feeding it text — leading blanks dropped, a `{name=value,…}` head set as
 * the engine's text params (`voice` among them), empty text refused — with what it yields
 * resampled to the rate the handle was opened at, as switch_core_speech_read_tts does.
 */
import type { SwitchCore } from '../core/core.ts';
import { findEndParen, separateString } from '../internal/strings.ts';
import { resample } from '../media/wav.ts';
import { type SpeechHandle, speechInterface } from './registry.ts';

/** An open speech handle (switch_speech_handle_t). */
export interface OpenSpeech {
  /** The engine's name (sh->engine), without its `:param`. */
  readonly engine: string;
  readonly rate: number;
  readonly handle: SpeechHandle;
}

/**
 * switch_core_speech_open: the handle, or undefined — silently for an empty name, else with
 * `Invalid speech module [<name>]!` logged.
 */
export function openSpeech(core: SwitchCore, moduleName: string, voice: string, rate: number, uuid?: string): OpenSpeech | undefined {
  if (moduleName === '') return undefined;
  const colon = moduleName.indexOf(':');
  const engine = colon < 0 ? moduleName : moduleName.slice(0, colon);
  const iface = speechInterface(core, engine);
  if (!iface) {
    core.log('ERR', `Invalid speech module [${engine}]!`, uuid);
    return undefined;
  }
  return { engine, rate, handle: iface.open(voice, rate) };
}

/** The text an engine is given, after its `{…}` params were taken off; undefined when nothing is left to say. */
export function takeSpeechParams(text: string): { readonly params: readonly (readonly [string, string])[]; readonly text: string } | undefined {
  let data = text.replace(/^ +/, '');
  if (data === '') return undefined;
  const params: [string, string][] = [];
  if (data.startsWith('{')) {
    const end = findEndParen(data, '{', '}');
    if (end < 0) return undefined;
    for (const pair of separateString(data.slice(1, end), ',', 256)) {
      const kv = separateString(pair, '=', 2);
      if (kv.length === 2) params.push([kv[0] ?? '', kv[1] ?? '']);
    }
    data = data.slice(end + 1);
  }
  return { params, text: data };
}

/**
 * switch_core_speech_feed_tts and the reads after it: the whole audio at the handle's rate, or
 * undefined when there is nothing to say or the engine failed.
 */
export async function feedSpeech(sh: OpenSpeech, text: string, signal?: AbortSignal): Promise<Int16Array | undefined> {
  const taken = takeSpeechParams(text);
  if (!taken) return undefined;
  for (const [name, value] of taken.params) sh.handle.textParam(name, value);
  const audio = await sh.handle.feed(taken.text, signal);
  if (!audio) return undefined;
  return audio.rate === sh.rate ? audio.samples : resample(audio.samples, audio.rate, sh.rate);
}
