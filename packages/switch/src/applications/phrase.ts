/**
 * `phrase <macro_name>[,<data>]` (mod_dptools phrase_function) and the phrase macros it runs
 * (switch_ivr_phrase_macro_event): the language (`language`, else `default_language`, else `en`)
 * is looked up with `macro_name`, `lang` and `data` in REQUEST_PARAMS; the macro's inputs are
 * matched against the data (or their `field`, expanded) and the actions of `<match>` or
 * `<nomatch>` run in turn under the language's sound prefix, each followed by the macro's pause.
 * A terminator digit, a break or a failed action ends the macro. `playback phrase:<macro>:<data>`
 * and `say:<text>` are switch_ivr_play_file's own forms.
 */
import { children, attr } from '../config/xml.ts';
import { regexPerform, substitute } from '../dialplan/regex.ts';
import { switchTrue } from '../internal/strings.ts';
import { findMacro, macroInputs, separateParenArgs } from '../say/phrase.ts';
import { hasSayModule, sayFileString } from '../say/say.ts';
import { type MediaScript, runScript } from './media_script.ts';
import { type MediaEnd, playFile, terminatorDigit, waiting } from './media.ts';
import { sayClock } from './say.ts';
import { speakText } from './speak_text.ts';
import type { AppChannel, Application, Interrupter } from './types.ts';

/** SWITCH_STATUS_SUCCESS, _BREAK (a digit or a break ended it), or any failure. */
type Status = 'success' | 'break' | 'false';

/**
 * The input args the files of a macro are played with, made for each file: a digit the returned
 * check accepts ends the macro; undefined: digits are not read. The phrase application's are
 * on_dtmf's `playback_terminators` (terminatorDigit).
 */
export type MacroInput = (ch: AppChannel) => ((digit: string) => boolean) | undefined;

/** switch_ivr_speak_text as a step: a digit in `playback_terminators` or a break ends it (SWITCH_STATUS_BREAK). */
async function speak(ch: AppChannel, s: MediaScript, engine: string, voice: string | undefined, text: string, input: MacroInput): Promise<Status> {
  let how = 'played' as MediaEnd;
  await s.step((done) => speakText(ch, engine, voice, text, done, (h) => (how = h), input(ch)));
  return how === 'played' ? 'success' : how === 'digit' || how === 'break' ? 'break' : 'false';
}

/** switch_ivr_play_file for one file: `phrase:<macro>[:<data>]`, `say:<text>` (TTS), else the file. */
export async function playOne(ch: AppChannel, s: MediaScript, file: string, input: MacroInput = terminatorDigit): Promise<Status> {
  const lower = file.toLowerCase();
  if (lower.startsWith('phrase:')) {
    const [macro = '', ...arg] = file.slice(7).split(':');
    return phraseMacro(ch, s, macro, arg.length ? arg.join(':') : undefined, ch.variable('language'), input);
  }
  if (lower.startsWith('say:')) {
    const engine = ch.variable('tts_engine');
    if (engine === undefined) {
      ch.core.log('ERR', 'Invalid Args', ch.uuid);
      return 'success';
    }
    return speak(ch, s, engine, ch.variable('tts_voice'), file.slice(4), input);
  }
  let how = 'played' as MediaEnd;
  await s.step((done) => playFile(ch, file, done, (h) => (how = h), input(ch)));
  return how === 'played' ? 'success' : how === 'killed' ? 'false' : 'break';
}

/** The pause after an action (switch_ivr_sleep without input): no digit ends it. */
async function pause(ch: AppChannel, s: MediaScript, ms: number): Promise<Status> {
  if (ch.hungUp) return 'false';
  if (ms <= 0) return 'success';
  let interrupted = false;
  await s.step((done) => waiting(ch, ms, done, (i) => (interrupted = i)));
  if (!interrupted) return 'success';
  return ch.takeBreak() ? 'break' : 'false';
}

/** The `execute` action: switch_core_session_exec of `app(args)`. */
async function execute(ch: AppChannel, s: MediaScript, data: string): Promise<Status> {
  const [cmd, args] = separateParenArgs(data);
  if (!ch.hasApplication(cmd)) {
    ch.core.log('ERR', `Invalid Application ${cmd}`, ch.uuid);
    return 'false';
  }
  await s.step(async (done) => {
    if (await ch.execute(cmd, args ?? '', done)) await done();
    return undefined;
  });
  return ch.hungUp ? 'false' : 'success';
}

/** switch_ivr_phrase_macro_event: runs `macroName` in `lang`'s macros (with no event: the channel's variables expand). */
export async function phraseMacro(
  ch: AppChannel,
  s: MediaScript,
  macroName: string,
  data: string | undefined,
  lang: string | undefined,
  reader: MacroInput = terminatorDigit,
): Promise<Status> {
  const log = (level: 'ERR' | 'WARNING' | 'DEBUG', text: string) => ch.core.log(level, text, ch.uuid);
  let chanLang = lang;
  if (!chanLang) {
    chanLang = ch.variable('default_language') ?? 'en';
    log('DEBUG', `No language specified - Using [${chanLang}]`);
  }
  const params = ch.core.bus.create('REQUEST_PARAMS');
  params.addHeader('macro_name', macroName);
  params.addHeader('lang', chanLang);
  if (data !== undefined) params.addHeader('data', data);
  ch.addChannelData(params);
  const input = data ?? '';
  const language = await ch.locateLanguage(chanLang, params);
  const found = language && findMacro(language, chanLang, macroName, log);
  if (!found) return 'false';
  const { macro, module } = found;
  const restore: (() => void)[] = [];
  const enforced = switchTrue(ch.variable('sound_prefix_enforced'));
  if (!enforced && found.enforce !== undefined) {
    ch.setVariable('sound_prefix_enforced', found.enforce);
    restore.push(() => ch.setVariable('sound_prefix_enforced', undefined));
  }
  if (found.soundPrefix !== undefined && !enforced) {
    const old = ch.variable('sound_prefix') ?? '';
    ch.setVariable('sound_prefix', found.soundPrefix);
    restore.push(() => ch.setVariable('sound_prefix', old));
  }
  let status: Status = 'false';
  let matches = 0;
  const inputs = macroInputs(macro);
  try {
    if (inputs.length === 0) {
      log('ERR', "Can't find any input tags.");
      return status;
    }
    for (const { field, pattern, breakOnMatch, match: onMatch, nomatch } of inputs) {
      const result = regexPerform(await ch.expand(field ?? input), pattern);
      const match = result.matched ? onMatch : nomatch;
      status = 'success';
      let stop = false;
      if (match) {
        matches++;
        for (const action of children(match, 'action')) {
          const adata = attr(action, 'data') ?? '';
          const func = attr(action, 'function') ?? '';
          const substituted = pattern.includes('(') && adata.includes('$') && result.matched ? substitute(result.match, adata) : adata;
          const odata = await ch.expand(substituted);
          log('DEBUG', `Handle ${func}:[${odata}] (${chanLang}:${module})`);
          switch (func.toLowerCase()) {
            case 'play-file':
              status = await playOne(ch, s, odata, reader);
              break;
            case 'phrase':
              status = await phraseMacro(ch, s, attr(action, 'phrase') ?? '', odata, chanLang, reader);
              break;
            case 'break':
              stop = true;
              break;
            case 'execute':
              status = await execute(ch, s, odata);
              break;
            case 'say': {
              if (!hasSayModule(module)) {
                log('ERR', `Invalid SAY Interface [${module}]!`);
                break;
              }
              const type = attr(action, 'type') ?? '';
              const method = attr(action, 'method') ?? '';
              const file = sayFileString({ module, tosay: odata, type, method, gender: attr(action, 'gender') ?? '' }, sayClock(ch, ch.core));
              status = file ? await playOne(ch, s, file, reader) : 'false';
              break;
            }
            case 'speak-text': {
              const engine = attr(action, 'tts-engine') ?? found.ttsEngine;
              const voice = attr(action, 'tts-voice') ?? found.ttsVoice;
              // the C asks the language's engine and voice, not the action's
              if (!found.ttsEngine || !found.ttsVoice) log('ERR', 'TTS is not configured');
              else status = await speak(ch, s, engine ?? '', voice, odata, reader);
              break;
            }
          }
          // a break or a hangup ends the macro at once, the pause after it left out (DECISIONS #160)
          if (status === 'success') status = await pause(ch, s, found.pause);
          if (stop || status !== 'success') break;
        }
      }
      if (stop || status !== 'success' || (match && breakOnMatch)) break;
    }
    return status;
  } finally {
    if (inputs.length > 0 && matches === 0) log('WARNING', `Macro [${macroName}]: '${input}' did not match any patterns`);
    for (const undo of restore.reverse()) undo();
  }
}

/** Runs the macro as the channel's application; `response` names its end in current_application_response. */
function runMacro(
  ch: AppChannel,
  macro: (s: MediaScript) => Promise<Status>,
  response: (status: Status) => string,
  done: () => void | Promise<void>,
): Promise<Interrupter | undefined> {
  return runScript(async (s) => {
    const status = await macro(s);
    ch.setVariable('current_application_response', response(status));
  }, done);
}

async function phrase(ch: AppChannel, data: string, done: () => void | Promise<void>): Promise<Interrupter | undefined> {
  if (data === '') {
    ch.setVariable('current_application_response', 'NOTHING');
    await done();
    return undefined;
  }
  const comma = data.indexOf(',');
  const macro = comma < 0 ? data : data.slice(0, comma);
  const mdata = comma < 0 ? undefined : data.slice(comma + 1);
  const lang = ch.variable('language');
  ch.core.log('DEBUG', `Execute ${macro}(${mdata ?? ''}) lang ${lang ?? ''}`, ch.uuid);
  ch.setVariable('playback_terminator_used', '');
  return runMacro(
    ch,
    (s) => phraseMacro(ch, s, macro, mdata, lang),
    (st) => (st === 'false' ? 'UNKNOWN ERROR' : 'PHRASE PLAYED'),
    done,
  );
}

/** `playback phrase:…` / `say:…`: switch_ivr_play_file's forms that are no file; undefined for a file. */
export function playbackSpecial(ch: AppChannel, file: string, done: () => void | Promise<void>): Promise<Interrupter | undefined> | undefined {
  if (!/^(phrase|say):/i.test(file)) return undefined;
  return runMacro(
    ch,
    (s) => playOne(ch, s, file),
    (st) => (st === 'false' ? 'PLAYBACK ERROR' : 'FILE PLAYED'),
    done,
  );
}

export const PHRASE_APPLICATIONS: readonly Application[] = [{ name: 'phrase', needsMedia: true, breakable: true, run: phrase }];
