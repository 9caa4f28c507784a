/**
 * What the older say modules (mod_say_es, _pt, _fr, _de) share: the list of files said so far, a
 * parse error that ends the saying, the digits of a number, the parts of a duration, the broken-down
 * target time and now (the channel's `timezone`, else the switch's local time), and the core's
 * switch_ivr_say_ip and switch_ivr_say_spell. These modules play each file as it is named, so a
 * parse error (or a count that fails inside money) ends the whole saying where it is.
 */
import { atoi, atol } from '../internal/strings.ts';
import { type BrokenDownTime, explode, zoneOffsetSeconds } from '../dialplan/time_match.ts';
import { SayMethod, SayType } from './names.ts';

/** What saying a date or time needs of the switch. */
export interface SayClock {
  readonly nowMs: number;
  readonly utcOffsetMinutes: (epochMs: number) => number;
  /** The channel's `timezone`: seconds east of UTC, or a zone name. */
  readonly timezone: string | undefined;
  readonly log: (level: 'ERR' | 'DEBUG', text: string) => void;
}

export class ParseError extends Error {}

/** switch_say_gender_t. */
export enum SayGender {
  MASCULINE = 0,
  FEMININE = 1,
  NEUTER = 2,
}

/** The files named so far, and the say_args a module may change on the way (fr and de change the gender). */
export class Said {
  readonly files: string[] = [];
  constructor(
    readonly clock: SayClock,
    public gender: number,
  ) {}

  file(name: string): void {
    this.files.push(name);
  }

  parseError(): never {
    this.clock.log('ERR', 'Parse Error!');
    throw new ParseError();
  }
}

/** switch_strip_commas: the digits, commas dropped; undefined for anything else or more than `max` digits. */
export function stripCommas(s: string, max: number): string | undefined {
  let out = '';
  for (const c of s) {
    if (c >= '0' && c <= '9') {
      out += c;
      if (out.length > max) return undefined;
    } else if (c !== ',') return undefined;
  }
  return out;
}

/**
 * The start every module's general count shares: the digits (commas dropped; a parse error past
 * nine, or for anything but digits); ITERATED names each digit (by `digitFile`) and 0 is
 * `digits/0`, both leaving nothing more to say (undefined); else the number.
 */
export function numberToSay(said: Said, tosay: string, method: SayMethod, digitFile = (d: string) => `digits/${d}`): number | undefined {
  const digits = stripCommas(tosay, 127);
  if (method === SayMethod.ITERATED) {
    if (digits === undefined) said.parseError();
    for (const d of digits) said.file(digitFile(d));
    return undefined;
  }
  if (digits === undefined || digits.length > 9) said.parseError();
  const n = atoi(digits);
  if (n === 0) {
    said.file('digits/0');
    return undefined;
  }
  return n;
}

/** A module's play_group: hundreds, tens and units, then `what` (million, thousand) when any was said. */
export type PlayGroup = (said: Said, method: SayMethod, a: number, b: number, c: number, what: string | undefined) => void;

/**
 * The rest of a general count that pronounces or counts: the millions, the thousands and the last
 * group, each by the module's play_group. `oneMillion`, where a module says a lone million apart
 * (es `digits/un`, pt `digits/1`), is then followed by `digits/million` and the group's word is
 * `digits/millions`; otherwise the group's word is `digits/million`.
 */
export function sayGroups(said: Said, n: number, method: SayMethod, playGroup: PlayGroup, oneMillion?: string): void {
  if (method !== SayMethod.COUNTED && method !== SayMethod.PRONOUNCED) return;
  const p = placesOf(n) as [number, number, number, number, number, number, number, number, number];
  if (oneMillion === undefined) playGroup(said, SayMethod.PRONOUNCED, p[8], p[7], p[6], 'digits/million');
  else if (!p[8] && !p[7] && p[6] === 1) {
    said.file(oneMillion);
    said.file('digits/million');
  } else playGroup(said, SayMethod.PRONOUNCED, p[8], p[7], p[6], 'digits/millions');
  playGroup(said, SayMethod.PRONOUNCED, p[5], p[4], p[3], 'digits/thousand');
  playGroup(said, method, p[2], p[1], p[0], undefined);
}

/** The nine decimal places of `n` (units first). */
export function placesOf(n: number): number[] {
  const places: number[] = new Array(9).fill(0);
  let rest = n;
  for (let x = 8; x >= 0; x--) {
    const unit = 10 ** x;
    places[x] = Math.trunc(rest / unit);
    rest -= (places[x] as number) * unit;
  }
  return places;
}

/** The number the say_num macro hands on: `%u` of it (a negative one wraps). */
export const unsigned = (n: number): string => String(n >>> 0);

/** A duration `[[h:]m:]s`, or seconds (none or negative: now's epoch seconds), as hours, minutes and seconds. */
export function durationParts(tosay: string, nowMs: number, atoSeconds: (s: string) => number = atol): [number, number, number] {
  let hours = 0;
  let minutes = 0;
  let seconds = 0;
  if (tosay.includes(':')) {
    const last = tosay.lastIndexOf(':');
    seconds = atoi(tosay.slice(last + 1));
    const head = tosay.slice(0, last);
    const colon = head.indexOf(':');
    if (colon >= 0) {
      minutes = atoi(head.slice(colon + 1));
      hours = atoi(head);
    } else minutes = atoi(head);
  } else {
    seconds = atoSeconds(tosay);
    if (seconds <= 0) seconds = Math.floor(nowMs / 1000);
    if (seconds >= 60) {
      minutes = Math.trunc(seconds / 60);
      seconds %= 60;
    }
    if (minutes >= 60) {
      hours = Math.trunc(minutes / 60);
      minutes %= 60;
    }
  }
  return [hours, minutes, seconds];
}

/**
 * The time to say (epoch seconds as the C's `atol` reads them into an int32; none or not positive:
 * now) and now, broken down in the channel's `timezone` (seconds east, or a zone name) or the
 * switch's local time. These modules read no date text: `2024-09-03 10:00` is the second 2024.
 */
export function targetAndNow(tosay: string, clock: SayClock, logZone: boolean): { tm: BrokenDownTime; now: BrokenDownTime } {
  const t = atol(tosay) | 0;
  const targetMs = t > 0 ? t * 1000 : clock.nowMs;
  const tz = clock.timezone;
  if (tz && logZone) clock.log('DEBUG', `Timezone is [${tz}]`);
  const offsetAt = (ms: number): number => {
    if (tz) {
      const seconds = atoi(tz);
      if (seconds) return seconds;
      const zone = zoneOffsetSeconds(tz, ms);
      if (zone !== undefined) return zone;
    }
    return clock.utcOffsetMinutes(ms) * 60;
  };
  return { tm: explode(targetMs, offsetAt(targetMs)), now: explode(clock.nowMs, offsetAt(clock.nowMs)) };
}

/** switch_strip_nonnumerics, then the amount split at its `.` (the cents cut to two digits) and its sign. */
/**
 * How a short date-time names its day, as the say modules' SST branch decides: a date (another
 * year, and for en/de a day still to come), today, yesterday, a weekday (within five days) or the
 * month and day.
 */
export type ShortDay = 'date' | 'today' | 'yesterday' | 'weekday' | 'monthDay';

export function shortDay(tm: BrokenDownTime, now: BrokenDownTime, futureIsDate: boolean): ShortDay {
  const future = tm.year > now.year || (tm.year === now.year && (tm.mon > now.mon || (tm.mon === now.mon && tm.mday > now.mday)));
  if ((futureIsDate && future) || tm.year !== now.year) return 'date';
  if (tm.yday === now.yday) return 'today';
  if (tm.yday === now.yday - 1) return 'yesterday';
  return tm.yday >= now.yday - 5 ? 'weekday' : 'monthDay';
}

export function moneyParts(said: Said, tosay: string): { negative: boolean; dollars: string; cents: string | undefined } {
  if (tosay.length > 15) said.parseError();
  const kept = [...tosay].filter((c) => (c >= '0' && c <= '9') || c === '.' || c === '-' || c === '+').join('');
  const dot = kept.indexOf('.');
  let dollars = dot < 0 ? kept : kept.slice(0, dot);
  const cents = dot < 0 ? undefined : kept.slice(dot + 1, dot + 3);
  const negative = kept.startsWith('-');
  if (kept.startsWith('+') || negative) dollars = dollars.slice(1);
  return { negative, dollars, cents };
}

/** A count whose parse error is logged and passed over (pt and de money). */
export function ignoringParseError(run: () => void): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
  }
}

/** switch_ivr_say_ip: four numbers with `digits/dot` between them; nothing without three dots. */
export function sayIp(said: Said, tosay: string, method: SayMethod, count: (said: Said, tosay: string, method: SayMethod) => void): void {
  const parts = tosay.split('.');
  if (parts.length < 4) return;
  const [a = '', b = '', c = '', ...rest] = parts;
  [a, b, c, rest.join('.')].forEach((part, i) => {
    if (i > 0) said.file('digits/dot');
    count(said, unsigned(atoi(part)), method);
  });
}

/** switch_ivr_say_spell: digits, and the other characters by their code (ascii/…, phonetic-ascii/…, or nothing). */
export function saySpell(said: Said, tosay: string, type: SayType): void {
  for (const ch of tosay) {
    const code = ch.toLowerCase().charCodeAt(0);
    if (code >= 48 && code <= 57) said.file(`digits/${code - 48}`);
    else if (type === SayType.NAME_SPELLED) said.file(`ascii/${code}`);
    else if (type === SayType.NAME_PHONETIC) said.file(`phonetic-ascii/${code}`);
  }
}

/** A module's say function: the files, or undefined for a type it does not say (`Unknown Say type=[n]`). */
export type SayFunction = (tosay: string, type: SayType, method: SayMethod, gender: number, clock: SayClock) => string[] | undefined;

/** Runs a module's saying, a parse error ending it with what was named so far. */
export function runSaying(said: Said, run: (() => void) | undefined, type: SayType): string[] | undefined {
  if (!run) {
    said.clock.log('ERR', `Unknown Say type=[${type}]`);
    return undefined;
  }
  ignoringParseError(run);
  return said.files;
}
