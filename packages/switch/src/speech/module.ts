/**
 * Loading mod_tts_commandline: the engine is added when the switch's configuration has a
 * tts_commandline.conf (FreeSWITCH loads it when modules.conf names it; beamline has no
 * modules.conf, so the conf stands for that line). A conf without a `command` loads it all the
 * same, with FreeSWITCH's `No command set` error; each text reads the conf again.
 */
import type { XmlElement } from '../config/xml.ts';
import type { SwitchCore } from '../core/core.ts';
import { addSpeechInterface } from './registry.ts';
import { TTS_COMMANDLINE_CONF, configuredCommand, ttsCommandline } from './tts_commandline.ts';

/** True when it loaded. */
export async function loadTtsCommandline(core: SwitchCore, config: () => Promise<XmlElement | undefined>): Promise<boolean> {
  const cfg = await config().catch(() => undefined);
  if (!cfg) return false;
  if (configuredCommand(cfg) === undefined) core.log('ERR', `No command set, please edit ${TTS_COMMANDLINE_CONF}`);
  addSpeechInterface(core, ttsCommandline({ core, config }));
  return true;
}
