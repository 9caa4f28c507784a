/**
 * Phrase macros (switch_ivr_phrase_macro_event), the XML side: in a language's `<phrases>`, the
 * macro `name` is looked up in the first `<macros>`, `name@group` in `<macros name="group">`; the
 * group may override the language's sound prefix and enforce it. A macro is a list of `<input>`s
 * (`field`, default the data; `pattern`, default `.*`; `break_on_match`), each with `<match>` and
 * `<nomatch>` lists of `<action function="…" data="…">`.
 */
import { type XmlElement, attr, child, children, findChild } from '../config/xml.ts';
import { atoi, switchTrue } from '../internal/strings.ts';
import { languageSaying } from './say.ts';

export interface PhraseMacro {
  readonly macro: XmlElement;
  /** The say module (`say-module`, else `module`, else the language's name). */
  readonly module: string;
  readonly soundPrefix: string | undefined;
  /** The group's `sound-prefix-enforced` (set on the channel while the macro runs). */
  readonly enforce: string | undefined;
  readonly ttsEngine: string | undefined;
  readonly ttsVoice: string | undefined;
  /** Milliseconds after each action (`pause`, default 100). */
  readonly pause: number;
}

type Log = (level: 'ERR' | 'WARNING', text: string) => void;

const soundPrefixOf = (el: XmlElement) => attr(el, 'sound-prefix') ?? attr(el, 'sound-path') ?? attr(el, 'sound_path');

/** The macro `macroName` of `language`, undefined (logged) when there is none. */
export function findMacro(language: XmlElement, lang: string, macroName: string, log: Log): PhraseMacro | undefined {
  const { module, soundPrefix } = languageSaying(language, lang, () => {});
  if (attr(language, 'say-module') === undefined && attr(language, 'module') !== undefined) {
    log('WARNING', 'Deprecated usage of module attribute. Use say-module instead');
  }
  const phrases = child(language, 'phrases') as XmlElement;
  let macros = child(phrases, 'macros') as XmlElement;
  let local = macroName;
  const at = macroName.indexOf('@');
  if (at >= 0) {
    local = macroName.slice(0, at);
    const group = macroName.slice(at + 1);
    const found = findChild(phrases, 'macros', 'name', group);
    if (!found) {
      log('ERR', `Can't find macros group ${group}.`);
      return undefined;
    }
    macros = found;
  }
  const enforceAttr = attr(macros, 'sound-prefix-enforced');
  const macro = findChild(macros, 'macro', 'name', local);
  if (!macro) {
    log('ERR', `Can't find macro ${macroName}.`);
    return undefined;
  }
  const pause = atoi(attr(macro, 'pause') ?? '-1');
  return {
    macro,
    module,
    soundPrefix: soundPrefixOf(macros) ?? soundPrefix,
    enforce: enforceAttr !== undefined && switchTrue(enforceAttr) ? enforceAttr : undefined,
    ttsEngine: attr(language, 'tts-engine') ?? attr(language, 'tts_engine'),
    ttsVoice: attr(language, 'tts-voice') ?? attr(language, 'tts_voice'),
    pause: pause >= 0 ? pause : 100,
  };
}

export interface PhraseInput {
  readonly field: string | undefined;
  readonly pattern: string;
  readonly breakOnMatch: boolean;
  readonly match: XmlElement | undefined;
  readonly nomatch: XmlElement | undefined;
}

/** The macro's `<input>`s in order. */
export function macroInputs(macro: XmlElement): PhraseInput[] {
  return children(macro, 'input').map((input) => ({
    field: attr(input, 'field'),
    pattern: attr(input, 'pattern') ?? '.*',
    breakOnMatch: switchTrue(attr(input, 'break_on_match')),
    match: child(input, 'match'),
    nomatch: child(input, 'nomatch'),
  }));
}

/** switch_separate_paren_args: `app(args)` → [app, args] (the args up to the balancing `)`); no `(`: no args. */
export function separateParenArgs(cmd: string): [string, string | undefined] {
  const open = cmd.indexOf('(');
  if (open < 0) return [cmd, undefined];
  let depth = 1;
  let end = open + 1;
  for (; end < cmd.length; end++) {
    if (cmd[end] === '(') depth++;
    else if (cmd[end] === ')' && --depth === 0) break;
  }
  return [cmd.slice(0, open).replace(/ +$/, ''), cmd.slice(open + 1, end)];
}
