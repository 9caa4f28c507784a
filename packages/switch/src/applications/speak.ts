/**
 * mod_dptools' `speak <engine>|<voice>|<text>`: with two parts they are the voice and the text,
 * with one it is the text; what is not given comes from `tts_engine` / `tts_voice`. The text is
 * taken as it was written (not unquoted), from where its part starts. Without an engine or a
 * voice the call is hung up (DESTINATION_OUT_OF_ORDER) and `Invalid Params! [<engine>][<voice>][<text>]`
 * logged, each missing one as `NULL` (the engine is then not looked for). A digit in `playback_terminators` (default `*`) ends it
 * and is kept in `playback_terminator_used` (emptied first).
 */
import { speakText } from './speak_text.ts';
import { terminatorDigit } from './media.ts';
import { Cause } from '../channel/causes.ts';
import { separateString } from '../internal/strings.ts';
import type { Application, AppChannel, Interrupter } from './types.ts';

/** What `speak`'s data gives: each part undefined when it is not there. */
export interface SpeakArgs {
  readonly engine: string | undefined;
  readonly voice: string | undefined;
  readonly text: string;
}

/**
 * Where switch_separate_string's first `max` `|`-parts of `data` start (quotes and escapes as it
 * reads them), each after its leading blanks.
 */
function partStarts(data: string, max: number): number[] {
  const starts: number[] = [];
  let seeking = true;
  let inQuotes = false;
  for (let i = 0; i < data.length && starts.length < max; i++) {
    if (seeking) {
      starts.push(i);
      seeking = false;
    }
    const ch = data[i];
    if (ch === '\\') i++;
    else if (ch === "'" && (inQuotes || data.indexOf("'", i + 1) >= 0)) inQuotes = !inQuotes;
    else if (ch === '|' && !inQuotes) seeking = true;
  }
  return starts.map((s) => {
    let at = s;
    while (data[at] === ' ') at++;
    return at;
  });
}

/** speak_function's reading of its data; undefined for none (`Invalid Params!`). */
export function parseSpeakData(data: string): SpeakArgs | undefined {
  if (data === '') return undefined;
  const parts = separateString(data, '|', 3);
  const starts = partStarts(data, 3);
  // the text is `data` from its part's offset past the first part (speak_function's pointer sum)
  const textAt = (k: number) => data.slice((starts[k] ?? 0) - (starts[0] ?? 0));
  if (parts.length <= 1) return { engine: undefined, voice: undefined, text: data };
  if (parts.length === 2) return { engine: undefined, voice: parts[0], text: textAt(1) };
  return { engine: parts[0], voice: parts[1], text: textAt(2) };
}

async function speak(ch: AppChannel, data: string, done: () => void | Promise<void>): Promise<Interrupter | undefined> {
  const args = parseSpeakData(data);
  if (!args) {
    ch.core.log('ERR', 'Invalid Params!', ch.uuid);
    await done();
    return undefined;
  }
  const engine = args.engine ?? ch.variable('tts_engine');
  const voice = args.voice ?? ch.variable('tts_voice');
  if (engine === undefined || voice === undefined) {
    ch.core.log('ERR', `Invalid Params! [${engine ?? 'NULL'}][${voice ?? 'NULL'}][${args.text}]`, ch.uuid);
    // switch_ivr_speak_text then fails at its pre-answer, before it looks for the engine
    await ch.send({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
    await done();
    return undefined;
  }
  ch.setVariable('playback_terminator_used', '');
  return speakText(ch, engine, voice, args.text, done, undefined, terminatorDigit(ch));
}

export const SPEAK_APPLICATIONS: readonly Application[] = [
  { name: 'speak', needsMedia: true, breakable: true, run: (ch, data, done) => speak(ch, data, done) },
];
