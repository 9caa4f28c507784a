/**
 * mod_say_es, mod_say_pt, mod_say_fr and mod_say_de: the files each names for every type and
 * method it says (numbers with their genders, money, durations, dates and times, IP addresses,
 * spelling), the types each has no saying for, and `say_string` / `say` / a phrase macro choosing
 * the module by the language's `say-module` and passing the gender on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SayMethod, SayType } from '../src/say/names.ts';
import { sayDe } from '../src/say/say_de.ts';
import type { SayClock } from '../src/say/say_support.ts';
import { sayEs } from '../src/say/say_es.ts';
import { sayFr } from '../src/say/say_fr.ts';
import { sayPt } from '../src/say/say_pt.ts';
import { SayGender, type SayFunction } from '../src/say/say_support.ts';
import { type Setup, setup } from './switch_helpers.ts';

const logs: string[] = [];
// 2024-09-03 10:11:12 UTC, a Tuesday; the switch's local time is UTC
const NOW = Date.UTC(2024, 8, 3, 10, 11, 12);
const clock: SayClock = { nowMs: NOW, utcOffsetMinutes: () => 0, timezone: undefined, log: (l, t) => logs.push(`${l} ${t}`) };
const at = (iso: string) => String(Date.parse(`${iso}Z`) / 1000);
const sayer =
  (f: SayFunction) =>
  (tosay: string, type: SayType, method = SayMethod.PRONOUNCED, gender = SayGender.MASCULINE): string | undefined =>
    f(tosay, type, method, gender, clock)?.join(' ');

const { NUMBER, ITEMS, CURRENCY, TIME_MEASUREMENT, CURRENT_DATE, CURRENT_TIME, CURRENT_DATE_TIME, SHORT_DATE_TIME } = SayType;
const { IP_ADDRESS, NAME_SPELLED, NAME_PHONETIC, TELEPHONE_NUMBER, URL } = SayType;
const { PRONOUNCED, ITERATED, COUNTED } = SayMethod;

describe('mod_say_es', () => {
  const say = sayer(sayEs);
  it('numbers: its own hundreds, veinti for 21–29, and after the other tens, un million', () => {
    const n = (x: string) => say(x, NUMBER);
    expect(n('0')).toBe('digits/0');
    expect(n('1')).toBe('digits/1');
    expect(n('15')).toBe('digits/15');
    expect(n('16')).toBe('digits/16');
    expect(n('20')).toBe('digits/20');
    expect(n('21')).toBe('digits/veinti digits/1');
    expect(n('35')).toBe('digits/30 currency/and digits/5');
    expect(n('100')).toBe('digits/100');
    expect(n('101')).toBe('digits/hundred digits/1');
    expect(n('200')).toBe('digits/2 digits/hundreds');
    expect(n('515')).toBe('digits/500 digits/15');
    expect(n('1000')).toBe('digits/1 digits/thousand');
    expect(n('1001')).toBe('digits/1 digits/thousand digits/1');
    expect(n('1000000')).toBe('digits/un digits/million');
    expect(n('2000000')).toBe('digits/2 digits/millions');
    expect(n('1,204')).toBe('digits/1 digits/thousand digits/2 digits/hundreds digits/4');
  });
  it('counted and iterated; a minus or a letter is a parse error that says nothing', () => {
    expect(say('21', ITEMS, COUNTED)).toBe('digits/h-20 digits/h-1');
    expect(say('41', ITEMS, COUNTED)).toBe('digits/40 currency/and digits/h-1');
    expect(say('1,001', NUMBER, ITERATED)).toBe('digits/1 digits/0 digits/0 digits/1');
    logs.length = 0;
    expect(say('-5', NUMBER)).toBe('');
    expect(logs).toEqual(['ERR Parse Error!']);
  });
  it('money: dollars and cents, 0 cents when there are none; a count it cannot read ends it', () => {
    expect(say('$1.01', CURRENCY)).toBe('digits/1 currency/dollar currency/and digits/1 currency/cent');
    expect(say('-21.5', CURRENCY)).toBe('currency/negative digits/veinti digits/1 currency/dollars currency/and digits/5 currency/cents');
    expect(say('1000', CURRENCY)).toBe('digits/1 digits/thousand currency/dollars currency/and digits/0 currency/cents');
    expect(say('1-2', CURRENCY)).toBe('');
  });
  it('durations, dates (day of month of year) and 12-hour times with and before the minutes', () => {
    expect(say('1:02:03', TIME_MEASUREMENT)).toBe('digits/1 time/hour digits/2 time/minutes digits/3 time/seconds');
    expect(say('3661', TIME_MEASUREMENT)).toBe('digits/1 time/hour digits/1 time/minute digits/1 time/second');
    expect(say(at('2024-09-03T10:11:12'), CURRENT_DATE_TIME)).toBe(
      'time/day-2 digits/3 time/of time/mon-8 time/of digits/2 digits/thousand digits/veinti digits/4 digits/10 currency/and digits/11 time/a-m',
    );
    expect(say(at('2024-09-01T12:00:00'), CURRENT_DATE)).toBe(
      'time/day-0 digits/1 time/of time/mon-8 time/of digits/2 digits/thousand digits/veinti digits/4',
    );
    expect(say(at('2024-09-03T12:05:00'), CURRENT_TIME)).toBe('digits/12 currency/and digits/5 time/p-m');
    expect(say(at('2024-09-03T00:00:00'), CURRENT_TIME)).toBe('digits/12 time/oclock time/a-m');
    // no date text is read: this is the 2024th second
    expect(say('2024-09-03 13:00:00', CURRENT_TIME)).toBe('digits/12 currency/and digits/30 currency/and digits/3 time/a-m');
  });
  it('IP addresses and spelling; no short date-time, telephone number or URL', () => {
    expect(say('192.168.0.21', IP_ADDRESS)).toBe(
      'digits/hundred digits/90 currency/and digits/2 digits/dot digits/hundred digits/60 currency/and digits/8 digits/dot digits/0 digits/dot digits/veinti digits/1',
    );
    expect(say('Ab1', NAME_SPELLED)).toBe('ascii/97 ascii/98 digits/1');
    expect(say('Ab1', NAME_PHONETIC)).toBe('phonetic-ascii/97 phonetic-ascii/98 digits/1');
    logs.length = 0;
    expect(say(at('2024-09-03T09:00:00'), SHORT_DATE_TIME)).toBeUndefined();
    expect(say('555', TELEPHONE_NUMBER)).toBeUndefined();
    expect(say('x', URL)).toBeUndefined();
    expect(logs).toEqual(['ERR Unknown Say type=[18]', 'ERR Unknown Say type=[9]', 'ERR Unknown Say type=[11]']);
  });
});

describe('mod_say_pt', () => {
  const say = sayer(sayPt);
  it('numbers: its own hundreds with and after them and after the tens, 1 million', () => {
    const n = (x: string) => say(x, NUMBER);
    expect(n('0')).toBe('digits/0');
    expect(n('1')).toBe('digits/1');
    expect(n('15')).toBe('digits/15');
    expect(n('16')).toBe('digits/16');
    expect(n('21')).toBe('digits/20 currency/and digits/1');
    expect(n('100')).toBe('digits/100');
    expect(n('101')).toBe('digits/hundred currency/and digits/1');
    expect(n('121')).toBe('digits/hundred currency/and digits/20 currency/and digits/1');
    expect(n('300')).toBe('digits/300');
    expect(n('400')).toBe('digits/4 digits/hundreds');
    expect(n('1000')).toBe('digits/1 digits/thousand');
    expect(n('1001')).toBe('digits/1 digits/thousand digits/1');
    expect(n('1000000')).toBe('digits/1 digits/million');
    expect(n('2000000')).toBe('digits/2 digits/millions');
    expect(say('21', ITEMS, COUNTED)).toBe('digits/h-20 digits/h-1');
    expect(say('1,001', NUMBER, ITERATED)).toBe('digits/1 digits/0 digits/0 digits/1');
    expect(n('-5')).toBe('');
  });
  it('money: a count it cannot read is passed over', () => {
    expect(say('$1.01', CURRENCY)).toBe('digits/1 currency/dollar currency/and digits/1 currency/cent');
    expect(say('-21', CURRENCY)).toBe('currency/negative digits/20 currency/and digits/1 currency/dollars currency/and digits/0 currency/cents');
    // `1-2` cannot be counted, and atoi reads it as one
    expect(say('1-2.5', CURRENCY)).toBe('currency/dollar currency/and digits/5 currency/cents');
  });
  it('durations; dates are month, counted day and year (no weekday); at or ats before the time', () => {
    expect(say('5:00', TIME_MEASUREMENT)).toBe('digits/0 time/hours digits/5 time/minutes digits/0 time/seconds');
    expect(say(at('2024-09-03T10:11:12'), CURRENT_DATE_TIME)).toBe(
      'time/mon-8 digits/h-3 digits/2 digits/thousand digits/20 currency/and digits/4 time/ats digits/10 currency/and digits/11 time/a-m',
    );
    expect(say(at('2024-09-01T12:00:00'), CURRENT_DATE)).toBe('time/mon-8 digits/h-1 digits/2 digits/thousand digits/20 currency/and digits/4');
    expect(say(at('2024-09-03T13:05:00'), CURRENT_TIME)).toBe('digits/1 currency/and digits/5 time/p-m');
  });
  it('short date-times: today, yesterday, a weekday, else month and day; another year with its date', () => {
    const short = (iso: string) => say(at(iso), SHORT_DATE_TIME);
    expect(short('2024-09-03T09:00:00')).toBe('time/today time/ats digits/9 time/oclock time/a-m');
    expect(short('2024-09-02T21:30:00')).toBe('time/yesterday time/ats digits/9 currency/and digits/30 time/p-m');
    expect(short('2024-08-30T12:00:00')).toBe('time/day-5 time/ats digits/12 time/oclock time/p-m');
    expect(short('2024-08-01T12:00:00')).toBe('time/day-4 time/mon-7 digits/h-1 time/ats digits/12 time/oclock time/p-m');
    expect(short('2023-12-25T01:07:00')).toBe(
      'time/mon-11 digits/h-20 digits/h-5 digits/2 digits/thousand digits/20 currency/and digits/3 time/at digits/1 currency/and digits/7 time/a-m',
    );
  });
  it('IP addresses and spelling; no telephone numbers', () => {
    expect(say('10.0.0.1', IP_ADDRESS)).toBe('digits/10 digits/dot digits/0 digits/dot digits/0 digits/dot digits/1');
    expect(say('Ab1', NAME_SPELLED)).toBe('ascii/97 ascii/98 digits/1');
    expect(say('555', TELEPHONE_NUMBER)).toBeUndefined();
  });
});

describe('mod_say_fr', () => {
  const say = sayer(sayFr);
  it('numbers: whole files to 19 and for 21 and 31, 70s and 90s as 60 or 80 and a teen, hundred alone', () => {
    const n = (x: string) => say(x, NUMBER);
    expect(n('0')).toBe('digits/0');
    expect(n('1')).toBe('digits/1');
    expect(n('10')).toBe('digits/10');
    expect(n('15')).toBe('digits/15');
    expect(n('16')).toBe('digits/16');
    expect(n('21')).toBe('digits/21');
    expect(n('22')).toBe('digits/20 digits/2');
    expect(n('70')).toBe('digits/70');
    expect(n('71')).toBe('digits/60 digits/11');
    expect(n('99')).toBe('digits/80 digits/19');
    expect(n('100')).toBe('digits/hundred');
    expect(n('101')).toBe('digits/hundred digits/1');
    expect(n('110')).toBe('digits/hundred digits/10');
    expect(n('300')).toBe('digits/3 digits/hundred');
    expect(n('1000')).toBe('digits/1 digits/thousand');
    expect(n('1001')).toBe('digits/1 digits/thousand digits/1');
    expect(n('2000000')).toBe('digits/2 digits/million');
    expect(n('-5')).toBe('');
  });
  it('genders: a feminine one (not 11) is _f, pronounced and iterated; counted files have none', () => {
    expect(say('1', NUMBER, PRONOUNCED, SayGender.FEMININE)).toBe('digits/1_f');
    expect(say('21', NUMBER, PRONOUNCED, SayGender.FEMININE)).toBe('digits/21_f');
    expect(say('11', NUMBER, PRONOUNCED, SayGender.FEMININE)).toBe('digits/11');
    expect(say('1,001', NUMBER, ITERATED, SayGender.FEMININE)).toBe('digits/1_f digits/0 digits/0 digits/1_f');
    expect(say('1,001', NUMBER, ITERATED)).toBe('digits/1 digits/0 digits/0 digits/1');
    expect(say('21', ITEMS, COUNTED)).toBe('digits/h-21');
    expect(say('40', ITEMS, COUNTED)).toBe('digits/h-40');
  });
  it('money', () => {
    expect(say('$1.01', CURRENCY)).toBe('digits/1 currency/dollar currency/and digits/1 currency/cent');
    expect(say('-21.5', CURRENCY)).toBe('currency/negative digits/21 currency/dollars currency/and digits/5 currency/cents');
  });
  it('durations feminine and singular; dates day, month, year (the 1st counted); 24-hour times', () => {
    expect(say('3661', TIME_MEASUREMENT)).toBe('digits/1_f time/hour digits/1_f time/minute digits/1_f time/second');
    expect(say('5:00', TIME_MEASUREMENT)).toBe('digits/0 time/hour digits/5 time/minute digits/0 time/second');
    expect(say(at('2024-09-03T10:11:12'), CURRENT_DATE_TIME)).toBe(
      'digits/3 time/mon-8 digits/2 digits/thousand digits/20 digits/4 time/at digits/10 time/hour digits/11',
    );
    expect(say(at('2024-09-01T12:00:00'), CURRENT_DATE)).toBe('digits/h-1 time/mon-8 digits/2 digits/thousand digits/20 digits/4');
    expect(say(at('2024-09-03T00:00:00'), CURRENT_TIME)).toBe('digits/0 time/hour');
    expect(say(at('2024-09-02T21:30:00'), SHORT_DATE_TIME)).toBe('time/yesterday time/at digits/21_f time/hour digits/30');
    expect(say(at('2024-08-01T12:00:00'), SHORT_DATE_TIME)).toBe('time/day-4 digits/h-1 time/mon-7 time/at digits/12 time/hour');
    expect(say(at('2023-12-25T01:07:00'), SHORT_DATE_TIME)).toBe(
      'digits/20 digits/5 time/mon-11 digits/2 digits/thousand digits/20 digits/3 time/at digits/1_f time/hour digits/7',
    );
  });
  it('IP addresses; telephone numbers, URLs and the like are spelled, their letters saying nothing', () => {
    expect(say('192.168.0.21', IP_ADDRESS)).toBe(
      'digits/hundred digits/80 digits/12 digits/dot digits/hundred digits/60 digits/8 digits/dot digits/0 digits/dot digits/21',
    );
    expect(say('+1 555', TELEPHONE_NUMBER)).toBe('digits/1 digits/5 digits/5 digits/5');
    expect(say('a1.fr', URL)).toBe('digits/1');
    expect(say('Ab1', NAME_SPELLED)).toBe('ascii/97 ascii/98 digits/1');
  });
});

describe('mod_say_de', () => {
  const say = sayer(sayDe);
  it('numbers: units and then the tens, ein before hundred, thousand and million', () => {
    const n = (x: string) => say(x, NUMBER);
    expect(n('0')).toBe('digits/0');
    expect(n('1')).toBe('digits/1');
    expect(n('15')).toBe('digits/15');
    expect(n('16')).toBe('digits/16');
    expect(n('21')).toBe('digits/1_n currency/and digits/20');
    expect(n('100')).toBe('digits/1_n digits/hundred');
    expect(n('101')).toBe('digits/1_n digits/hundred digits/1');
    expect(n('1000')).toBe('digits/1_n digits/thousand');
    expect(n('1001')).toBe('digits/1_n digits/thousand digits/1');
    expect(n('2000000')).toBe('digits/2 digits/million');
    expect(n('-5')).toBe('');
    expect(say('1,001', NUMBER, ITERATED)).toBe('digits/1 digits/0 digits/0 digits/1');
    // PRONOUNCED_YEAR is not one of the methods its counting says
    expect(say('1999', NUMBER, SayMethod.PRONOUNCED_YEAR)).toBe('');
  });
  it('genders: a lone feminine one is 1_f; counted files end _m, _n or (feminine) nothing', () => {
    expect(say('1', NUMBER, PRONOUNCED, SayGender.FEMININE)).toBe('digits/1_f');
    expect(say('101', NUMBER, PRONOUNCED, SayGender.FEMININE)).toBe('digits/1_n digits/hundred digits/1_f');
    expect(say('3', ITEMS, COUNTED)).toBe('digits/h-3_m');
    expect(say('3', ITEMS, COUNTED, SayGender.NEUTER)).toBe('digits/h-3_n');
    expect(say('3', ITEMS, COUNTED, SayGender.FEMININE)).toBe('digits/h-3');
    expect(say('21', ITEMS, COUNTED, SayGender.NEUTER)).toBe('digits/1_n currency/and digits/h-20_n');
    expect(say('12', ITEMS, COUNTED)).toBe('digits/h-12_m');
  });
  it('money: one is 1_n; and only before cents that are there', () => {
    expect(say('$1.01', CURRENCY)).toBe('digits/1_n currency/dollar currency/and digits/1_n currency/cent');
    expect(say('-21.5', CURRENCY)).toBe('currency/negative digits/1_n currency/and digits/20 currency/dollars currency/and digits/5 currency/cents');
    expect(say('1000', CURRENCY)).toBe('digits/1_n digits/thousand currency/dollars digits/0 currency/cents');
  });
  it('durations with and before the seconds; dates without their year; the hour, oclock, then 0 and the minutes under ten', () => {
    expect(say('3661', TIME_MEASUREMENT)).toBe('digits/1_n time/hour digits/1_f time/minute currency/and digits/1_f time/second');
    expect(say('1:02:03', TIME_MEASUREMENT)).toBe('digits/1_n time/hour digits/2 time/minutes currency/and digits/3 time/seconds');
    expect(say(at('2024-09-03T10:11:12'), CURRENT_DATE_TIME)).toBe('time/day-2 time/mon-8 digits/h-3_m time/at digits/10 time/oclock digits/11');
    expect(say(at('2024-09-03T13:05:00'), CURRENT_TIME)).toBe('digits/13 time/oclock digits/0 digits/5');
    expect(say(at('2024-09-03T00:00:00'), CURRENT_TIME)).toBe('digits/0 time/oclock digits/0 digits/0');
  });
  it('short date-times: a future day with its date, today, yesterday, a weekday, else month and day', () => {
    const short = (iso: string) => say(at(iso), SHORT_DATE_TIME);
    expect(short('2024-09-04T12:00:00')).toBe('time/day-3 time/mon-8 digits/h-4_m time/at digits/12 time/oclock digits/0 digits/0');
    expect(short('2024-09-03T09:00:00')).toBe('time/today time/at digits/9 time/oclock digits/0 digits/0');
    expect(short('2024-09-02T21:30:00')).toBe('time/yesterday time/at digits/1_n currency/and digits/20 time/oclock digits/30');
    expect(short('2024-08-30T12:00:00')).toBe('time/day-5 time/at digits/12 time/oclock digits/0 digits/0');
    expect(short('2024-08-01T12:00:00')).toBe('time/day-4 time/mon-7 digits/h-1_m time/at digits/12 time/oclock digits/0 digits/0');
    expect(short('2023-12-25T01:07:00')).toBe(
      'time/day-1 time/mon-11 digits/5 currency/and digits/h-20_m time/at digits/1 time/oclock digits/0 digits/7',
    );
  });
  it('IP addresses and spelling; no telephone numbers', () => {
    expect(say('192.168.0.1', IP_ADDRESS)).toBe(
      'digits/1_n digits/hundred digits/2 currency/and digits/90 digits/dot digits/1_n digits/hundred digits/8 currency/and digits/60 digits/dot digits/0 digits/dot digits/1',
    );
    expect(say('Ab1', NAME_PHONETIC)).toBe('phonetic-ascii/97 phonetic-ascii/98 digits/1');
    expect(say('555', TELEPHONE_NUMBER)).toBeUndefined();
  });
});

const CONF = `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="languages">
    <language name="es" say-module="es" sound-prefix="/snd/es/es/carlos"><phrases><macros/></phrases></language>
    <language name="pt" sound-prefix="/snd/pt/BR/karina"><phrases><macros/></phrases></language>
    <language name="fr" say-module="fr" sound-prefix="/snd/fr/ca/june">
      <phrases><macros>
        <macro name="msgs"><input pattern="^(\\d+)$"><match>
          <action function="say" data="$1" method="pronounced" type="items" gender="feminine"/>
        </match></input></macro>
      </macros></phrases>
    </language>
    <language name="de" say-module="de" sound-prefix="/snd/de/de/daedalus3"><phrases><macros/></phrases></language>
  </section>
</document>`;

describe('say_string, say and phrase in the other languages', () => {
  let dir: string;
  let t: Setup;
  const U1 = '22222222-1111-4111-8111-111111111111';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'say-lang-'));
    writeFileSync(join(dir, 'freeswitch.xml'), CONF);
    t = await setup({ confDir: dir, dialplan: undefined });
  });
  afterAll(async () => {
    await t?.sw.stop();
    await t?.rt.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('say_string answers each language’s files, the module the language’s own name or its say-module, the gender passed on', async () => {
    expect(await t.sw.api('say_string es.wav es number pronounced 21')).toBe('file_string://digits/veinti.wav!digits/1.wav');
    expect(await t.sw.api('say_string pt.wav pt number pronounced 21')).toBe('file_string://digits/20.wav!currency/and.wav!digits/1.wav');
    expect(await t.sw.api('say_string fr fr number pronounced feminine 21')).toBe('file_string://digits/21_f.wav');
    expect(await t.sw.api('say_string de.mp3 de items counted neuter ~3')).toBe('digits/h-3_n.mp3');
    expect(await t.sw.api('say_string es es telephone_number pronounced 1')).toMatch(/^-ERR Usage: /);
  });

  it('say plays the language’s files with the gender; a phrase macro’s say action passes its gender', async () => {
    await t.sw.originate(`{origination_uuid=${U1},language=fr}null/1 &park()`);
    await t.settle();
    t.sub.take();
    await t.sw.api(`uuid_broadcast ${U1} say::fr\\snumber\\spronounced\\sfeminine\\s1 aleg`);
    await t.settle();
    await t.sw.api(`uuid_broadcast ${U1} phrase::msgs,21 aleg`);
    await t.settle();
    for (let i = 0; i < 50; i++) {
      await t.clock.advance(20);
      await t.settle();
    }
    const started = t.sub
      .take()
      .filter((e) => e.type === 'PLAYBACK_START')
      .map((e) => e.getHeader('Playback-File-Path'));
    expect(started).toContain('file_string://digits/1_f.wav');
    expect(started).toContain('file_string://digits/21_f.wav');
    await t.sw.api(`uuid_kill ${U1}`);
    await t.settle();
  });
});
