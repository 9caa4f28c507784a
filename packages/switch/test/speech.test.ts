/**
 * The speech pieces on their own: the speech interface registry, switch_core_speech's text
 * handling, mod_tts_commandline's command line and its shell quoting, and the parsing of `speak`
 * and `tts://`.
 */
import { describe, expect, it } from 'vitest';
import { parseSpeakData } from '../src/applications/speak.ts';
import { replaceStarPound } from '../src/applications/speak_text.ts';
import { parseXml } from '../src/config/xml.ts';
import { SwitchCore } from '../src/core/core.ts';
import { makeIdentity } from '../src/core/identity.ts';
import { type SpeechInterface, addSpeechInterface, speechInterface } from '../src/speech/registry.ts';
import { feedSpeech, openSpeech, takeSpeechParams } from '../src/speech/speech.ts';
import { commandLine, configuredCommand, quoteShellArg } from '../src/speech/tts_commandline.ts';
import { parseTtsPath } from '../src/speech/tts_file.ts';

function core(log: string[] = []) {
  return new SwitchCore({
    identity: makeIdentity({ coreUuid: '0b7c2d0e-1111-4222-8333-944455556666', hostname: 'h1' }),
    startEpochMs: 1_725_358_272_000,
    now: () => 0,
    utcOffsetMinutes: () => 0,
    log: (l) => log.push(`${l.level} ${l.text}`),
  });
}

/** An engine that says `samples` at `rate` and notes what it was told. */
function fakeEngine(name: string, rate: number, samples: Int16Array, told: string[]): SpeechInterface {
  return {
    name,
    module: 'mod_fake',
    open: (voice, openRate) => {
      told.push(`open ${voice} ${openRate}`);
      return {
        textParam: (n, v) => told.push(`param ${n}=${v}`),
        feed: async (text) => {
          told.push(`feed ${text}`);
          return { samples, rate };
        },
      };
    },
  };
}

describe('mod_tts_commandline’s command line', () => {
  it('quotes for the shell: single quotes, each quote inside as the four characters quote-backslash-quote-quote', () => {
    expect(quoteShellArg('plain')).toBe("'plain'");
    expect(quoteShellArg("it's")).toBe("'it'\\''s'");
    expect(quoteShellArg('$HOME `id` "x"')).toBe('\'$HOME `id` "x"\'');
    expect(quoteShellArg('')).toBe("''");
  });

  it('replaces every ${text}, ${voice}, ${rate}, ${file}, in that order: the rate bare, the others quoted', () => {
    expect(commandLine('say ${text} -v ${voice} -r ${rate} -o ${file} ${text}', "it's", 'Alex', 8000, '/tmp/x.wav')).toBe(
      "say 'it'\\''s' -v 'Alex' -r 8000 -o '/tmp/x.wav' 'it'\\''s'",
    );
    // the text goes in first, so a `${voice}` in it is replaced in its turn (as FreeSWITCH's does)
    expect(commandLine('t ${text}', 'a ${voice} b', 'V', 8000, 'f')).toBe("t 'a 'V' b'");
    // `$` patterns of the replacement are not special
    expect(commandLine('t ${text}', "$& $' $1", 'v', 8000, 'f')).toBe("t '$& $'\\'' $1'");
  });

  it('takes the `command` param of the settings (the name as written, the last one), none when empty or missing', () => {
    const cfg = (params: string) => parseXml(`<configuration name="tts_commandline.conf"><settings>${params}</settings></configuration>`);
    expect(configuredCommand(cfg('<param name="command" value="a"/><param name="command" value="b"/>'))).toBe('b');
    expect(configuredCommand(cfg('<param name="Command" value="a"/>'))).toBeUndefined();
    expect(configuredCommand(cfg('<param name="command" value=""/>'))).toBeUndefined();
    expect(configuredCommand(undefined)).toBeUndefined();
  });
});

describe('switch_core_speech', () => {
  it('finds engines without case; a removal puts back the one replaced', () => {
    const c = core();
    const first = fakeEngine('Fake', 8000, new Int16Array(1), []);
    const second = fakeEngine('fake', 8000, new Int16Array(2), []);
    addSpeechInterface(c, first);
    const remove = addSpeechInterface(c, second);
    expect(speechInterface(c, 'FAKE')).toBe(second);
    remove();
    expect(speechInterface(c, 'fake')).toBe(first);
  });

  it('opens `<engine>:<param>` by the engine’s name; an unknown one is logged, an empty one is not', () => {
    const log: string[] = [];
    const c = core(log);
    const told: string[] = [];
    addSpeechInterface(c, fakeEngine('fake', 8000, new Int16Array(1), told));
    expect(openSpeech(c, 'fake:profile1', 'v', 8000)?.engine).toBe('fake');
    expect(told).toEqual(['open v 8000']);
    expect(openSpeech(c, 'nope:x', 'v', 8000)).toBeUndefined();
    expect(openSpeech(c, '', 'v', 8000)).toBeUndefined();
    expect(log).toEqual(['ERR Invalid speech module [nope]!']);
  });

  it('takes a leading `{name=value,…}` as text params (pairs without `=` skipped) after the leading blanks', () => {
    expect(takeSpeechParams('  {voice=Bob,rate=2,odd}hello there')).toEqual({
      params: [
        ['voice', 'Bob'],
        ['rate', '2'],
      ],
      text: 'hello there',
    });
    expect(takeSpeechParams('plain {x=1}')).toEqual({ params: [], text: 'plain {x=1}' });
    expect(takeSpeechParams('   ')).toBeUndefined();
    expect(takeSpeechParams('{voice=Bob')).toBeUndefined();
  });

  it('feeds the text, its params first, and brings the engine’s rate to the handle’s', async () => {
    const c = core();
    const told: string[] = [];
    addSpeechInterface(
      c,
      fakeEngine(
        'fake',
        16000,
        Int16Array.from({ length: 320 }, (_, i) => i),
        told,
      ),
    );
    const sh = openSpeech(c, 'fake', 'v', 8000);
    if (!sh) throw new Error('no handle');
    const out = await feedSpeech(sh, '{voice=Ann}hi');
    expect(told).toEqual(['open v 8000', 'param voice=Ann', 'feed hi']);
    expect(out?.length).toBe(160);
    expect(out?.[10]).toBe(20);
    expect(await feedSpeech(sh, '')).toBeUndefined();
  });
});

describe('speak and tts:// parsing', () => {
  it('speak: one part is the text, two are voice and text, three engine, voice and the text as written', () => {
    expect(parseSpeakData('Hello there')).toEqual({ engine: undefined, voice: undefined, text: 'Hello there' });
    expect(parseSpeakData('Alex|Hello')).toEqual({ engine: undefined, voice: 'Alex', text: 'Hello' });
    expect(parseSpeakData("flite|kal| 'a|b' c ")).toEqual({ engine: 'flite', voice: 'kal', text: "'a|b' c " });
    expect(parseSpeakData('flite|kal|one|two')).toEqual({ engine: 'flite', voice: 'kal', text: 'one|two' });
    expect(parseSpeakData('flite | kal |hi')).toEqual({ engine: 'flite', voice: 'kal', text: 'hi' });
    expect(parseSpeakData('')).toBeUndefined();
  });

  it('speak: the text is found by its offset from the first part, as the C’s pointer arithmetic finds it', () => {
    // a blank before the engine shifts where the text is taken from
    expect(parseSpeakData(' flite|kal|hi')?.text).toBe('|hi');
  });

  it('spells out * and # (star_replace / pound_replace)', () => {
    expect(replaceStarPound('1*2#3')).toBe('1star2pound3');
    expect(replaceStarPound('*#', 'asterisk', 'hash')).toBe('asteriskhash');
  });

  it('tts://: exactly three parts (the text keeps later bars)', () => {
    expect(parseTtsPath('flite|kal|a|b')).toEqual({ engine: 'flite', voice: 'kal', text: 'a|b' });
    expect(parseTtsPath('flite|hello')).toBeUndefined();
  });
});
