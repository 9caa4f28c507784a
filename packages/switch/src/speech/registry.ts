/**
 * The speech (TTS) interfaces a switch has loaded (switch_loadable_module's speech interface hash,
 * switch_loadable_module_get_speech_interface): engines by name, added as a module's load adds
 * them. `show speech` lists them; switch_core_speech (speech.ts) opens them by name.
 */
import type { SwitchCore } from '../core/core.ts';

/** Synthesized audio: mono samples at `rate` (the core resamples them to the channel's 8 kHz). */
export interface SpeechAudio {
  readonly samples: Int16Array;
  readonly rate: number;
}

/** One open engine (switch_speech_handle_t's private side): fed text, it yields audio. */
export interface SpeechHandle {
  /** speech_text_param_tts: a `voice` (or engine-specific) parameter. */
  textParam(name: string, value: string): void;
  /**
   * speech_feed_tts and the reading that follows: the audio of `text`, or undefined when the engine
   * failed (it has logged why). `signal` aborts it (the caller hung up). Never throws.
   */
  feed(text: string, signal?: AbortSignal): Promise<SpeechAudio | undefined>;
}

/** A speech interface (switch_speech_interface_t). */
export interface SpeechInterface {
  /** interface_name, as `speak`, `tts://` and `tts_engine` name it. */
  readonly name: string;
  /** The module that registers it (`show speech`'s ikey). */
  readonly module: string;
  /** speech_open: a handle speaking with `voice` at `rate` Hz. */
  open(voice: string, rate: number): SpeechHandle;
}

const REGISTRIES = new WeakMap<SwitchCore, Map<string, SpeechInterface>>();

function registryOf(core: SwitchCore): Map<string, SpeechInterface> {
  let found = REGISTRIES.get(core);
  if (!found) {
    found = new Map();
    REGISTRIES.set(core, found);
  }
  return found;
}

/** Adds (or replaces) an engine; returns its removal (which puts back one it replaced). */
export function addSpeechInterface(core: SwitchCore, iface: SpeechInterface): () => void {
  const map = registryOf(core);
  const key = iface.name.toLowerCase();
  const before = map.get(key);
  map.set(key, iface);
  return () => {
    if (map.get(key) !== iface) return;
    if (before) map.set(key, before);
    else map.delete(key);
  };
}

/** The engine of that name, in any case (the speech hash is a no-case one). */
export const speechInterface = (core: SwitchCore, name: string): SpeechInterface | undefined => REGISTRIES.get(core)?.get(name.toLowerCase());

/** Every engine, for the interface table. */
export const speechInterfaces = (core: SwitchCore): readonly SpeechInterface[] => [...(REGISTRIES.get(core)?.values() ?? [])];
