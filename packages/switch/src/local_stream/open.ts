/**
 * What a channel plays, as switch_core_file_open picks the module by the file's `<module>://`:
 * `local_stream://<name>` goes to mod_local_stream when it is loaded, everything else to
 * media/source.ts.
 */
import type { SwitchCore } from '../core/core.ts';
import { type AudioSource, openSource } from '../media/source.ts';
import { localStreams } from './module.ts';

/** Channels read 8 kHz: `local_stream://moh` looks for `moh/8000` first. */
const CHANNEL_RATE = 8000;
const PREFIX = 'local_stream://';

/** The source; `not-found` when mod_local_stream refused it (switch_ivr_play_file's SWITCH_STATUS_NOTFOUND); undefined when there is none here. */
export function openPlayable(core: SwitchCore, file: string, soundPrefix?: string, loops?: number): AudioSource | 'not-found' | undefined {
  const streams = file.toLowerCase().startsWith(PREFIX) ? localStreams(core) : undefined;
  if (streams) return streams.open(file.slice(PREFIX.length), CHANNEL_RATE) ?? 'not-found';
  return openSource(file, soundPrefix, loops);
}
