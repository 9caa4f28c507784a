/**
 * Saying things (switch_ivr_say, switch_ivr_say_string): the language is looked up in the
 * `languages` section (or the older `phrases` one; config/languages.ts), which names its say
 * module (`say-module`, else `module`, else the language's own name) and its sound prefix; the
 * module names the sound files, and they become one `file_string://` path, each file with the
 * extension (`wav` unless asked otherwise), which is played or returned.
 */
import type { XmlElement } from '../config/xml.ts';
import { attr } from '../config/xml.ts';
import { sayGenderByName, sayMethodByName, sayTypeByName } from './names.ts';
import { sayDe } from './say_de.ts';
import { sayEn } from './say_en.ts';
import type { SayClock } from './say_support.ts';
import { sayEs } from './say_es.ts';
import { sayFr } from './say_fr.ts';
import { sayPt } from './say_pt.ts';
import type { SayFunction } from './say_support.ts';

/** The say modules by name: what each says as file names (undefined: a type it cannot say). */
const SAY_MODULES: ReadonlyMap<string, SayFunction> = new Map<string, SayFunction>([
  ['en', (tosay, type, method, _gender, clock) => sayEn(tosay, type, method, clock)],
  ['es', sayEs],
  ['pt', sayPt],
  ['fr', sayFr],
  ['de', sayDe],
]);

/**
 * switch_say_file: the first file opens the `file_string://` (its extension always added), the
 * others follow after `!`, without an extension when they are URLs (`silence_stream://100`).
 */
export function fileString(files: readonly string[], ext: string): string {
  return files.map((f, i) => (i === 0 ? `file_string://${f}.${ext}` : f.includes('://') ? `!${f}` : `!${f}.${ext}`)).join('');
}

/** What a language's element says of saying: its module and its sound prefix. */
export function languageSaying(
  language: XmlElement,
  lang: string,
  log: (level: 'WARNING', text: string) => void,
): { module: string; soundPrefix: string | undefined } {
  let module = attr(language, 'say-module');
  if (module === undefined) {
    module = attr(language, 'module');
    if (module !== undefined) log('WARNING', 'Deprecated usage of module attribute');
  }
  const soundPrefix = attr(language, 'sound-prefix') ?? attr(language, 'sound-path') ?? attr(language, 'sound_path');
  return { module: module ?? lang, soundPrefix };
}

/** switch_loadable_module_get_say_interface: whether there is a say module of that name. */
export const hasSayModule = (name: string): boolean => SAY_MODULES.has(name);

/** The say modules' names (their `say` interfaces). */
export const sayModuleNames = (): string[] => [...SAY_MODULES.keys()];

export interface SayRequest {
  readonly module: string;
  readonly tosay: string;
  readonly type: string;
  readonly method: string;
  /** MASCULINE (the default), FEMININE or NEUTER; only fr and de say anything differently. */
  readonly gender?: string | undefined;
  readonly ext?: string;
}

/**
 * The module's `file_string://` for `tosay`: '' when it named no file, undefined when there is no
 * such module (`Invalid SAY Interface [<name>]!`) or it cannot say the type.
 */
export function sayFileString(req: SayRequest, clock: SayClock): string | undefined {
  const say = SAY_MODULES.get(req.module);
  if (!say) {
    clock.log('ERR', `Invalid SAY Interface [${req.module}]!`);
    return undefined;
  }
  const files = say(req.tosay, sayTypeByName(req.type), sayMethodByName(req.method), sayGenderByName(req.gender), clock);
  return files && fileString(files, req.ext || 'wav');
}
