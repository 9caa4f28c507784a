/**
 * Saying things: mod_say_en's file names for each type and method (numbers, money, addresses,
 * spelling, times and dates), the `file_string://` they become, the language lookup, the `say`
 * application (its PLAYBACK events, the sound prefix while it speaks, the audio of the files that
 * exist) and the `say_string` API.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SayMethod, SayType } from '../src/say/names.ts';
import { fileString } from '../src/say/say.ts';
import { sayEn } from '../src/say/say_en.ts';
import type { SayClock } from '../src/say/say_support.ts';
import { share } from '../../../tools/sipp/audio.ts';
import { ulawToLinear } from '../src/media/g711.ts';
import { type Setup, setup } from './switch_helpers.ts';

const logs: string[] = [];
// 2024-09-03 10:11:12 UTC, a Tuesday; the switch's local time is UTC
const NOW = Date.UTC(2024, 8, 3, 10, 11, 12);
const clock = (timezone?: string): SayClock => ({ nowMs: NOW, utcOffsetMinutes: () => 0, timezone, log: (l, t) => logs.push(`${l} ${t}`) });
const say = (tosay: string, type: SayType, method: SayMethod, timezone?: string) => sayEn(tosay, type, method, clock(timezone))?.join(' ');

describe('mod_say_en', () => {
  it('pronounces numbers in groups of hundreds, tens and units, with million and thousand', () => {
    const n = (x: string) => say(x, SayType.NUMBER, SayMethod.PRONOUNCED);
    expect(n('0')).toBe('digits/0');
    expect(n('15')).toBe('digits/15');
    expect(n('20')).toBe('digits/20');
    expect(n('21')).toBe('digits/20 digits/1');
    expect(n('110')).toBe('digits/1 digits/hundred digits/10');
    expect(n('1,000,017')).toBe('digits/1 digits/million digits/17');
    expect(n('123456789')).toBe(
      'digits/1 digits/hundred digits/20 digits/3 digits/million digits/4 digits/hundred digits/50 digits/6 digits/thousand digits/7 digits/hundred digits/80 digits/9',
    );
  });

  it('counts with h- files for the last group only (a teen stays as it is); iterates digit by digit', () => {
    const counted = (x: string) => say(x, SayType.ITEMS, SayMethod.COUNTED);
    expect(counted('1')).toBe('digits/h-1');
    expect(counted('20')).toBe('digits/h-20');
    expect(counted('21')).toBe('digits/20 digits/h-1');
    expect(counted('112')).toBe('digits/1 digits/hundred digits/12');
    expect(counted('2000')).toBe('digits/2 digits/thousand');
    expect(say('1,204', SayType.NUMBER, SayMethod.ITERATED)).toBe('digits/1 digits/2 digits/0 digits/4');
  });

  it('says years in two halves unless they end in 00 or their hundreds end in 0', () => {
    const year = (x: string) => say(x, SayType.NUMBER, SayMethod.PRONOUNCED_YEAR);
    expect(year('1999')).toBe('digits/19 digits/90 digits/9');
    expect(year('1905')).toBe('digits/19 digits/5');
    expect(year('2000')).toBe('digits/2 digits/thousand');
    expect(year('2005')).toBe('digits/2 digits/thousand digits/5');
  });

  it('stops with Parse Error! at what it cannot read (letters, over nine digits); N/A says nothing but 0', () => {
    logs.length = 0;
    expect(say('12a', SayType.NUMBER, SayMethod.PRONOUNCED)).toBe('');
    expect(say('1234567890', SayType.NUMBER, SayMethod.PRONOUNCED)).toBe('');
    expect(logs).toEqual(['ERR Parse Error!', 'ERR Parse Error!']);
    expect(say('7', SayType.NUMBER, SayMethod.NA)).toBe('');
    expect(say('0', SayType.NUMBER, SayMethod.NA)).toBe('digits/0');
  });

  it('says money as dollars and cents (a one-digit cents part is that many cents), negative first', () => {
    const money = (x: string) => say(x, SayType.CURRENCY, SayMethod.PRONOUNCED);
    expect(money('$1.05')).toBe('digits/1 currency/dollar currency/and digits/5 currency/cents');
    expect(money('-12.5')).toBe('currency/negative digits/12 currency/dollars currency/and digits/5 currency/cents');
    expect(money('0.01')).toBe('digits/0 currency/dollars currency/and digits/1 currency/cent');
    expect(money('1234567890123456')).toBe('');
  });

  it('says IP addresses, telephone numbers and spelled names', () => {
    expect(say('192.168.0.1', SayType.IP_ADDRESS, SayMethod.PRONOUNCED)).toBe(
      'digits/1 digits/hundred digits/90 digits/2 digits/dot digits/1 digits/hundred digits/60 digits/8 digits/dot digits/0 digits/dot digits/1',
    );
    expect(say('10.0.0', SayType.IP_ADDRESS, SayMethod.PRONOUNCED)).toBe('');
    expect(say('+1 (55) x', SayType.TELEPHONE_NUMBER, SayMethod.PRONOUNCED)).toBe(
      'ascii/43 digits/1 silence_stream://100 digits/5 digits/5 silence_stream://100 ascii/120',
    );
    expect(say('Ab1', SayType.NAME_SPELLED, SayMethod.PRONOUNCED)).toBe('ascii/97 ascii/98 digits/1');
    expect(say('Ab1', SayType.NAME_PHONETIC, SayMethod.PRONOUNCED)).toBe('phonetic-ascii/97 phonetic-ascii/98 digits/1');
  });

  it('says durations as hours, minutes and seconds', () => {
    expect(say('1:02:03', SayType.TIME_MEASUREMENT, SayMethod.PRONOUNCED)).toBe('digits/1 time/hour digits/2 time/minutes digits/3 time/seconds');
    expect(say('3700', SayType.TIME_MEASUREMENT, SayMethod.PRONOUNCED)).toBe('digits/1 time/hour digits/1 time/minute digits/40 time/seconds');
    expect(say('5:00', SayType.TIME_MEASUREMENT, SayMethod.PRONOUNCED)).toBe('digits/0 time/hours digits/5 time/minutes digits/0 time/seconds');
  });

  it('says dates and times in the switch’s local time or the channel’s timezone (seconds east, or a zone name)', () => {
    const t = String(NOW / 1000);
    expect(say(t, SayType.CURRENT_DATE_TIME, SayMethod.PRONOUNCED)).toBe(
      'time/day-2 time/mon-8 digits/h-3 digits/2 digits/thousand digits/20 digits/4 time/at digits/10 digits/11 time/a-m',
    );
    expect(say(t, SayType.CURRENT_TIME, SayMethod.ITERATED)).toBe('digits/10 digits/11 time/hours');
    expect(say('2024-09-03 09:05:00', SayType.CURRENT_TIME, SayMethod.ITERATED)).toBe('digits/0 digits/9 digits/0 digits/5 time/hours');
    expect(say(t, SayType.CURRENT_TIME, SayMethod.PRONOUNCED, '-36000')).toBe('digits/12 digits/11 time/a-m');
    expect(say(t, SayType.CURRENT_TIME, SayMethod.PRONOUNCED, 'America/New_York')).toBe('digits/6 digits/11 time/a-m');
    expect(say('2024-09-03 13:05:00', SayType.CURRENT_TIME, SayMethod.PRONOUNCED)).toBe('digits/1 time/oh digits/5 time/p-m');
    expect(say('2024-09-03 00:00:00', SayType.CURRENT_TIME, SayMethod.ITERATED)).toBe('digits/20 digits/4 digits/hundred time/hours');
  });

  it('short dates: today, yesterday, a weekday this week, else the month and day; a future time with its date', () => {
    const short = (x: string) => say(x, SayType.SHORT_DATE_TIME, SayMethod.PRONOUNCED);
    expect(short('2024-09-03 09:00:00')).toBe('time/today time/at digits/9 time/oclock time/a-m');
    expect(short('2024-09-02 21:30:00')).toBe('time/yesterday time/at digits/9 digits/30 time/p-m');
    expect(short('2024-08-30 12:00:00')).toBe('time/day-5 time/at digits/12 time/oclock time/p-m');
    // five days back is still a weekday; six is the month and day
    expect(short('2024-08-29 12:00:00')).toBe('time/day-4 time/at digits/12 time/oclock time/p-m');
    expect(short('2024-08-28 12:00:00')).toBe('time/day-3 time/mon-7 digits/20 digits/h-8 time/at digits/12 time/oclock time/p-m');
    expect(short('2024-08-01 12:00:00')).toBe('time/day-4 time/mon-7 digits/h-1 time/at digits/12 time/oclock time/p-m');
    expect(short('2024-09-04 12:00:00')).toBe(
      'time/day-3 time/mon-8 digits/h-4 digits/2 digits/thousand digits/20 digits/4 time/at digits/12 time/oclock time/p-m',
    );
  });

  it('has no saying for URLs and the like: Unknown Say type', () => {
    logs.length = 0;
    expect(sayEn('x', SayType.URL, SayMethod.PRONOUNCED, clock())).toBeUndefined();
    expect(logs).toEqual(['ERR Unknown Say type=[11]']);
  });

  it('becomes one file_string://, the first file always with its extension, URLs after it without', () => {
    expect(fileString(['digits/1', 'silence_stream://100', 'digits/2'], 'wav')).toBe('file_string://digits/1.wav!silence_stream://100!digits/2.wav');
    expect(fileString(['silence_stream://100'], 'mp3')).toBe('file_string://silence_stream://100.mp3');
  });
});

const CONF = (lang: string) => `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="languages">
    <language name="${lang}" say-module="en" sound-prefix="SOUNDS">
      <phrases><macros/></phrases>
    </language>
    <language name="nophrases" say-module="en"/>
  </section>
  <section name="dialplan">
    <context name="default">
      <extension name="park"><condition field="destination_number" expression="^park$"><action application="park"/></condition></extension>
    </context>
  </section>
</document>`;

describe('the say application and say_string', () => {
  let dir: string;
  let sounds: string;
  let t: Setup;
  const U1 = '11111111-1111-4111-8111-111111111111';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'say-'));
    sounds = join(dir, 'sounds');
    mkdirSync(join(sounds, 'digits'), { recursive: true });
    writeFileSync(join(dir, 'freeswitch.xml'), CONF('en').replace('SOUNDS', sounds));
    // one second of 1 kHz as digits/4.wav; digits/2.wav is not there
    const samples = Int16Array.from({ length: 8000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
    const header = Buffer.alloc(44);
    header.write('RIFF', 0);
    header.writeUInt32LE(36 + samples.byteLength, 4);
    header.write('WAVEfmt ', 8);
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(8000, 24);
    header.writeUInt32LE(16000, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36);
    header.writeUInt32LE(samples.byteLength, 40);
    writeFileSync(join(sounds, 'digits', '4.wav'), Buffer.concat([header, Buffer.from(samples.buffer)]));
    t = await setup({ confDir: dir, dialplan: undefined });
  });
  afterAll(async () => {
    await t?.sw.stop();
    await t?.rt.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plays the file_string of what it says (the files that exist, after 250 ms of lead-in), under the language’s sound prefix', async () => {
    await t.sw.originate(`{origination_uuid=${U1},sound_prefix=/elsewhere}null/1 &park()`);
    await t.settle();
    const frames: Uint8Array[] = [];
    t.sw.core.media.attach(U1, { codec: 'PCMU', write: (f) => frames.push(f.payload) });
    t.sub.take();
    await t.sw.api(`uuid_broadcast ${U1} say::en\\snumber\\spronounced\\s24 aleg`);
    await t.settle();
    for (let i = 0; i < 70; i++) {
      await t.clock.advance(20);
      await t.settle();
    }
    const path = 'file_string://digits/20.wav!digits/4.wav';
    const playback = t.sub.take().filter((e) => e.type.startsWith('PLAYBACK'));
    expect(playback.map((e) => `${e.type} ${e.getHeader('Playback-File-Path')}`)).toEqual([`PLAYBACK_START ${path}`, `PLAYBACK_STOP ${path}`]);
    // digits/20.wav is missing: the lead-in, then digits/4.wav's second of 1 kHz
    expect(frames.length).toBe(63);
    const heard = frames.slice(13).flatMap((f) => [...f].map(ulawToLinear));
    expect(share(heard, 1000)).toBeGreaterThan(0.9);
    expect(frames.slice(0, 12).every((f) => f.every((b) => b === 0xff || b === 0x7f))).toBe(true);
    // the channel's own prefix is back afterwards
    expect(await t.sw.api(`uuid_getvar ${U1} sound_prefix`)).toBe('/elsewhere');
    await t.sw.api(`uuid_kill ${U1}`);
    await t.settle();
  });

  it('logs the usage for the wrong number of words, and the lookup’s errors for a language it cannot use', async () => {
    await t.sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
    await t.settle();
    t.logs.length = 0;
    await t.sw.api(`uuid_broadcast ${U1} say::en\\snumber aleg`);
    await t.sw.api(`uuid_broadcast ${U1} say::en:fr\\snumber\\spronounced\\s1 aleg`);
    await t.sw.api(`uuid_broadcast ${U1} say::en:nophrases\\snumber\\spronounced\\s1 aleg`);
    await t.settle();
    expect(t.logs.filter((l) => l.startsWith('ERR'))).toEqual([
      'ERR Usage: <module_name>[:<lang>] <say_type> <say_method> [<say_gender>] <text>',
      "ERR Can't find language fr.",
      "ERR Can't find phrases tag.",
    ]);
    await t.sw.api(`uuid_kill ${U1}`);
    await t.settle();
  });

  it('say_string answers the file_string (without its prefix after ~), the extension from the first or second word', async () => {
    expect(await t.sw.api('say_string en en number pronounced 21')).toBe('file_string://digits/20.wav!digits/1.wav');
    expect(await t.sw.api('say_string en.mp3 en number counted ~3')).toBe('digits/h-3.mp3');
    expect(await t.sw.api('say_string xx en-US.ulaw currency pronounced 2')).toBe('file_string://digits/2.ulaw!currency/dollars.ulaw');
    expect(await t.sw.api('say_string en en url pronounced x')).toBe(
      '-ERR Usage: <module_name>[.<ext>] <lang>[.<ext>] <say_type> <say_method> [<say_gender>] <text>\n',
    );
    expect(await t.sw.api('say_string en en number')).toMatch(/^-ERR Usage: /);
  });
});
