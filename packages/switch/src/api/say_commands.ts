/**
 * `say_string <module>[.<ext>] <lang>[.<ext>] <type> <method> [<gender>] <text>` (mod_commands,
 * switch_ivr_say_string): the `file_string://` a say module makes of the text, without that prefix
 * when the text starts with `~`. The language's `say-module` is the module (the first word only
 * carries the extension); an error answers the usage.
 */
import { sayClock } from '../applications/say.ts';
import { separateString } from '../internal/strings.ts';
import { languageSaying, sayFileString } from '../say/say.ts';
import type { ApiCommand } from './registry.ts';

const SAY_STRING_SYNTAX = '<module_name>[.<ext>] <lang>[.<ext>] <say_type> <say_method> [<say_gender>] <text>';

export const sayStringCommand: ApiCommand = {
  name: 'say_string',
  syntax: SAY_STRING_SYNTAX,
  module: 'mod_commands',
  run: async (args, env) => {
    const usage = `-ERR Usage: ${SAY_STRING_SYNTAX}\n`;
    const argv = args === '' ? [] : separateString(args, ' ', 6);
    if (argv.length !== 5 && argv.length !== 6) return usage;
    let [first = '', lang = ''] = argv;
    let ext = 'wav';
    const dot = first.indexOf('.');
    if (dot >= 0) {
      ext = first.slice(dot + 1);
      first = first.slice(0, dot);
    } else if (lang.includes('.')) {
      ext = lang.slice(lang.indexOf('.') + 1);
      lang = lang.slice(0, lang.indexOf('.'));
    }
    let tosay = argv[argv.length - 1] ?? '';
    const strip = tosay.startsWith('~');
    if (strip) tosay = tosay.slice(1);
    const params = env.core.bus.create('REQUEST_PARAMS');
    params.addHeader('macro_name', 'say_app');
    params.addHeader('lang', lang);
    const language = await env.sw.services.locateLanguage?.(lang, params);
    if (!language) return usage;
    const { module } = languageSaying(language, lang, (level, text) => env.core.log(level, text));
    const said = sayFileString(
      { module, tosay, type: argv[2] ?? '', method: argv[3] ?? '', gender: argv.length === 6 ? argv[4] : undefined, ext },
      sayClock(undefined, env.core),
    );
    if (said === undefined) return usage;
    return strip ? said.slice('file_string://'.length) : said;
  },
};
