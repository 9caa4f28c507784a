/**
 * `say <module>[:<lang>] <type> <method> [<gender>] <text>` (mod_dptools say_function,
 * switch_ivr_say): the language is looked up (REQUEST_PARAMS with `macro_name=say_app`, `lang` and
 * the channel's data), its sound prefix becomes the channel's `sound_prefix` while it speaks
 * (unless `sound_prefix_enforced`; the old one is put back only if there was one), and the say
 * module's `file_string://` plays as `playback` would play it, its terminators included.
 */
import { separateString } from '../internal/strings.ts';
import { languageSaying, sayFileString } from '../say/say.ts';
import { playFile, terminatorDigit } from './media.ts';
import { switchTrue } from '../internal/strings.ts';
import type { AppChannel, Application } from './types.ts';

export const SAY_SYNTAX = '<module_name>[:<lang>] <say_type> <say_method> [<say_gender>] <text>';

/** The switch's clock and the channel's `timezone`, as saying a date needs them. */
export function sayClock(ch: Pick<AppChannel, 'core' | 'uuid' | 'variable'> | undefined, core: AppChannel['core']) {
  return {
    nowMs: core.nowUs() / 1000,
    utcOffsetMinutes: (ms: number) => core.utcOffsetMinutes(ms),
    timezone: ch?.variable('timezone'),
    log: (level: 'ERR' | 'DEBUG', text: string) => core.log(level, text, ch?.uuid),
  };
}

async function say(ch: AppChannel, data: string, done: () => void | Promise<void>) {
  const argv = data === '' ? [] : separateString(data, ' ', 5);
  if (argv.length !== 4 && argv.length !== 5) {
    ch.core.log('ERR', `Usage: ${SAY_SYNTAX}`, ch.uuid);
    await done();
    return undefined;
  }
  ch.setVariable('playback_terminator_used', '');
  const [moduleArg = '', type = '', method = ''] = argv;
  const colon = moduleArg.indexOf(':');
  const lang = colon < 0 ? moduleArg : moduleArg.slice(colon + 1);
  const params = ch.core.bus.create('REQUEST_PARAMS');
  params.addHeader('macro_name', 'say_app');
  params.addHeader('lang', lang);
  ch.addChannelData(params);
  const language = await ch.locateLanguage(lang, params);
  if (!language) {
    await done();
    return undefined;
  }
  const { module, soundPrefix } = languageSaying(language, lang, (level, text) => ch.core.log(level, text, ch.uuid));
  let saved: string | undefined;
  if (!switchTrue(ch.variable('sound_prefix_enforced'))) {
    saved = ch.variable('sound_prefix');
    if (soundPrefix !== undefined) ch.setVariable('sound_prefix', soundPrefix);
  }
  const restore = () => {
    if (saved) ch.setVariable('sound_prefix', saved);
  };
  const tosay = argv[argv.length - 1] ?? '';
  const gender = argv.length === 5 ? argv[3] : undefined;
  const file = sayFileString({ module, tosay, type, method, gender }, sayClock(ch, ch.core));
  if (!file) {
    restore();
    await done();
    return undefined;
  }
  return playFile(ch, file, done, restore, terminatorDigit(ch));
}

export const SAY_APPLICATIONS: readonly Application[] = [{ name: 'say', needsMedia: true, breakable: true, run: say }];
