/**
 * mod_say_en: what English says, as the sound files it names (`digits/1`, `time/oclock`,
 * `currency/dollars`, …, without their extension; a token with `://` is played as it is). A parse
 * error ends the saying where it is, with what was named so far, as the C returns from the middle
 * of its list.
 */
import { atoi, atol } from '../internal/strings.ts';
import { explode, strTime, zoneOffsetSeconds } from '../dialplan/time_match.ts';
import { SayMethod, SayType } from './names.ts';
import { ParseError, Said, type SayClock, durationParts, numberToSay, placesOf, saySpell, shortDay } from './say_support.ts';

/** play_group: hundreds, tens and units, then `what` (million, thousand) when any was said. */
function playGroup(said: Said, method: SayMethod, a: number, b: number, c: number, what: string | undefined): void {
  if (a) {
    said.file(`digits/${a}`);
    said.file('digits/hundred');
  }
  let units = c;
  if (b) {
    if (b > 1) said.file(c === 0 && method === SayMethod.COUNTED ? `digits/h-${b}0` : `digits/${b}0`);
    else {
      said.file(`digits/${b}${c}`);
      units = 0;
    }
  }
  if (units) said.file(method === SayMethod.COUNTED ? `digits/h-${units}` : `digits/${units}`);
  if (what && (a || b || c)) said.file(what);
}

/** en_say_general_count: a number pronounced, iterated digit by digit, counted (first, second…) or as a year. */
function generalCount(said: Said, tosay: string, method: SayMethod): void {
  const n = numberToSay(said, tosay, method);
  if (n === undefined) return;
  const places = placesOf(n);
  const p = (i: number) => places[i] as number;
  switch (method) {
    case SayMethod.PRONOUNCED_YEAR: {
      const year = n;
      const hi = Math.trunc(year / 100);
      const lo = year % 100;
      if (!lo || !(hi % 10)) sayNumber(said, year, SayMethod.PRONOUNCED);
      else {
        sayNumber(said, hi, SayMethod.PRONOUNCED);
        sayNumber(said, lo, SayMethod.PRONOUNCED);
      }
      return;
    }
    case SayMethod.COUNTED:
    case SayMethod.PRONOUNCED:
      playGroup(said, SayMethod.PRONOUNCED, p(8), p(7), p(6), 'digits/million');
      playGroup(said, SayMethod.PRONOUNCED, p(5), p(4), p(3), 'digits/thousand');
      playGroup(said, method, p(2), p(1), p(0), undefined);
      return;
    default:
      return;
  }
}

/** The say_num macro: a number as `%u` (a negative one wraps, and is then too long to say). */
function sayNumber(said: Said, n: number, method: SayMethod): void {
  generalCount(said, String(n >>> 0), method);
}

/** en_say_money: dollars and cents, `negative` first for a minus. */
function money(said: Said, tosay: string, method: SayMethod): void {
  if (tosay.length > 15) said.parseError();
  // switch_strip_nonnumerics: digits, `.`, `-`, `+`
  const kept = [...tosay].filter((c) => (c >= '0' && c <= '9') || c === '.' || c === '-' || c === '+').join('');
  const dot = kept.indexOf('.');
  let dollars = dot < 0 ? kept : kept.slice(0, dot);
  const cents = dot < 0 ? undefined : kept.slice(dot + 1, dot + 3);
  if (kept.startsWith('+')) dollars = dollars.slice(1);
  if (kept.startsWith('-')) {
    said.file('currency/negative');
    dollars = dollars.slice(1);
  }
  // the counts' own parse errors are logged and passed over here
  const count = (s: string) => {
    try {
      generalCount(said, s, method);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
    }
  };
  count(dollars);
  said.file(atoi(dollars) === 1 ? 'currency/dollar' : 'currency/dollars');
  if (cents === undefined) return;
  said.file('currency/and');
  count(cents);
  said.file(atoi(cents) === 1 ? 'currency/cent' : 'currency/cents');
}

/** say_ip: four numbers with `dot` between them; nothing without three dots. */
function ipAddress(said: Said, tosay: string, method: SayMethod): void {
  const parts = tosay.split('.');
  if (parts.length < 4) return;
  const [a = '', b = '', c = '', ...rest] = parts;
  const d = rest.join('.');
  [a, b, c, d].forEach((part, i) => {
    if (i > 0) said.file('digits/dot');
    sayNumber(said, atoi(part), method);
  });
}

/** say_telephone_number: digits, letters and `+` by name, one short silence for any run of the rest. */
function telephoneNumber(said: Said, tosay: string): void {
  let silence = false;
  for (const ch of tosay.toLowerCase()) {
    if (ch >= '0' && ch <= '9') {
      said.file(`digits/${ch}`);
      silence = false;
    } else if (ch === '+' || (ch >= 'a' && ch <= 'z')) {
      said.file(`ascii/${ch.charCodeAt(0)}`);
      silence = false;
    } else if (!silence) {
      said.file('silence_stream://100');
      silence = true;
    }
  }
}

/** TIME_MEASUREMENT: `[[h:]m:]s`, or seconds (none or negative: now's epoch seconds), as hours, minutes and seconds. */
function timeMeasurement(said: Said, tosay: string): void {
  const [hours, minutes, seconds] = durationParts(tosay, said.clock.nowMs);
  for (const [n, one, many] of [
    [hours, 'time/hour', 'time/hours'],
    [minutes, 'time/minute', 'time/minutes'],
    [seconds, 'time/second', 'time/seconds'],
  ] as const) {
    if (n) {
      sayNumber(said, n, SayMethod.PRONOUNCED);
      said.file(n === 1 ? one : many);
    } else {
      said.file('digits/0');
      said.file(many);
    }
  }
}

/** en_say_time: dates and times (the channel's `timezone`, else the switch's local time). */
function dateTime(said: Said, tosay: string, type: SayType, method: SayMethod): void {
  if (type === SayType.TIME_MEASUREMENT) return timeMeasurement(said, tosay);
  const { clock } = said;
  let targetMs = 0;
  if (tosay.includes(':')) targetMs = Math.floor(strTime(tosay, clock.nowMs, clock.utcOffsetMinutes) / 1000) * 1000;
  if (!targetMs) {
    const t = atol(tosay);
    targetMs = t > 0 ? t * 1000 : clock.nowMs;
  }
  const offsetAt = (ms: number): number => {
    const tz = clock.timezone;
    if (tz) {
      const seconds = atoi(tz);
      if (seconds) return seconds;
      const zone = zoneOffsetSeconds(tz, ms);
      if (zone !== undefined) return zone;
    }
    return clock.utcOffsetMinutes(ms) * 60;
  };
  if (clock.timezone) clock.log('DEBUG', `Timezone is [${clock.timezone}]`);
  const tm = explode(targetMs, offsetAt(targetMs));
  const now = explode(clock.nowMs, offsetAt(clock.nowMs));
  let date = false;
  let time = false;
  let year = false;
  let month = false;
  let dow = false;
  let day = false;
  let yesterday = false;
  let today = false;
  switch (type) {
    case SayType.CURRENT_DATE_TIME:
      date = time = true;
      break;
    case SayType.CURRENT_DATE:
      date = true;
      break;
    case SayType.CURRENT_TIME:
      time = true;
      break;
    case SayType.SHORT_DATE_TIME: {
      time = true;
      const when = shortDay(tm, now, true);
      date = when === 'date';
      today = when === 'today';
      yesterday = when === 'yesterday';
      dow = when === 'weekday' || when === 'monthDay';
      month = day = when === 'monthDay';
      break;
    }
    default:
      break;
  }
  if (date) {
    year = month = day = dow = true;
    today = yesterday = false;
  }
  if (today) said.file('time/today');
  if (yesterday) said.file('time/yesterday');
  if (dow) said.file(`time/day-${tm.wday}`);
  if (month) said.file(`time/mon-${tm.mon}`);
  if (day) sayNumber(said, tm.mday, SayMethod.COUNTED);
  if (year) sayNumber(said, tm.year, SayMethod.PRONOUNCED_YEAR);
  if (!time) return;
  if (date || today || yesterday || dow) said.file('time/at');
  let hour = tm.hour;
  if (method === SayMethod.ITERATED) {
    // 24-hour time: oh-nine-thirty hours, twenty-four hundred hours
    if (hour === 0 && tm.min === 0) hour = 24;
    if (hour < 10) sayNumber(said, 0, SayMethod.PRONOUNCED);
    sayNumber(said, hour, SayMethod.PRONOUNCED);
    if (tm.min > 9) sayNumber(said, tm.min, SayMethod.PRONOUNCED);
    else if (tm.min) {
      sayNumber(said, 0, SayMethod.PRONOUNCED);
      sayNumber(said, tm.min, SayMethod.PRONOUNCED);
    } else said.file('digits/hundred');
    said.file('time/hours');
    return;
  }
  const pm = hour >= 12;
  if (hour > 12) hour -= 12;
  else if (hour === 0) hour = 12;
  sayNumber(said, hour, SayMethod.PRONOUNCED);
  if (tm.min > 9) sayNumber(said, tm.min, SayMethod.PRONOUNCED);
  else if (tm.min) {
    said.file('time/oh');
    sayNumber(said, tm.min, SayMethod.PRONOUNCED);
  } else said.file('time/oclock');
  said.file(pm ? 'time/p-m' : 'time/a-m');
}

/**
 * en_say / en_say_string: the files English names for `tosay`; undefined when the type has no
 * saying here (`Unknown Say type=[n]`).
 */
export function sayEn(tosay: string, type: SayType, method: SayMethod, clock: SayClock): string[] | undefined {
  const said = new Said(clock, 0);
  const run = (): void => {
    switch (type) {
      case SayType.NUMBER:
      case SayType.ITEMS:
      case SayType.PERSONS:
      case SayType.MESSAGES:
        return generalCount(said, tosay, method);
      case SayType.TIME_MEASUREMENT:
      case SayType.CURRENT_DATE:
      case SayType.CURRENT_TIME:
      case SayType.CURRENT_DATE_TIME:
      case SayType.SHORT_DATE_TIME:
        return dateTime(said, tosay, type, method);
      case SayType.IP_ADDRESS:
        return ipAddress(said, tosay, method);
      case SayType.NAME_SPELLED:
      case SayType.NAME_PHONETIC:
        return saySpell(said, tosay, type);
      case SayType.CURRENCY:
        return money(said, tosay, method);
      case SayType.TELEPHONE_NUMBER:
        return telephoneNumber(said, tosay);
    }
  };
  const known = [
    SayType.NUMBER,
    SayType.ITEMS,
    SayType.PERSONS,
    SayType.MESSAGES,
    SayType.TIME_MEASUREMENT,
    SayType.CURRENT_DATE,
    SayType.CURRENT_TIME,
    SayType.CURRENT_DATE_TIME,
    SayType.SHORT_DATE_TIME,
    SayType.IP_ADDRESS,
    SayType.NAME_SPELLED,
    SayType.NAME_PHONETIC,
    SayType.CURRENCY,
    SayType.TELEPHONE_NUMBER,
  ];
  if (!known.includes(type)) {
    clock.log('ERR', `Unknown Say type=[${type}]`);
    return undefined;
  }
  try {
    run();
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
  }
  return said.files;
}
