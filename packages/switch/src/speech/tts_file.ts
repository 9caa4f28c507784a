/**
 * mod_dptools' `tts` file format: `tts://<engine>|<voice>|<text>` opens the engine (anything but
 * three `|`-separated parts does not open) and speaks the text, at the channels' 8 kHz.
 */
import type { SwitchCore } from '../core/core.ts';
import { separateString } from '../internal/strings.ts';
import { feedSpeech, openSpeech } from './speech.ts';

const PREFIX = 'tts://';
const CHANNEL_RATE = 8000;

export const isTtsFile = (file: string): boolean => file.slice(0, PREFIX.length).toLowerCase() === PREFIX;

/** The parts of a `tts://` path; undefined unless there are exactly three. */
export function parseTtsPath(path: string): { readonly engine: string; readonly voice: string; readonly text: string } | undefined {
  const parts = separateString(path, '|', 3);
  if (parts.length !== 3) return undefined;
  const [engine = '', voice = '', text = ''] = parts;
  return { engine, voice, text };
}

/** tts_file_open: the opened engine, ready to speak the text; undefined when the file does not open. */
export function openTtsFile(
  core: SwitchCore,
  file: string,
  uuid?: string,
): { speak(signal?: AbortSignal): Promise<Int16Array | undefined> } | undefined {
  const parts = parseTtsPath(file.slice(PREFIX.length));
  if (!parts) return undefined;
  const sh = openSpeech(core, parts.engine, parts.voice, CHANNEL_RATE, uuid);
  if (!sh) return undefined;
  return { speak: (signal) => feedSpeech(sh, parts.text, signal) };
}
