/**
 * mod_say_pt: what Portuguese says, as the sound files it names. Numbers have their own hundreds
 * (`digits/200`, `300`, `500`, `hundred` before more, `100` alone) with `and` after them and after
 * the tens, and `1 million` for exactly one million; dates are month, day (counted) and year, a
 * short date-time `today`, `yesterday` or the weekday first; the time is 12-hour with `and` before
 * the minutes. It has no telephone numbers.
 */
import { atoi } from '../internal/strings.ts';
import { SayMethod, SayType } from './names.ts';
import {
  Said,
  durationParts,
  ignoringParseError,
  moneyParts,
  runSaying,
  sayIp,
  saySpell,
  numberToSay,
  targetAndNow,
  unsigned,
  type SayClock,
  sayGroups,
  shortDay,
} from './say_support.ts';

function playGroup(said: Said, method: SayMethod, a: number, b: number, c: number, what: string | undefined): void {
  if (a) {
    if (a === 1) said.file(b || c ? 'digits/hundred' : 'digits/100');
    else if (a === 2 || a === 3 || a === 5) said.file(`digits/${a}00`);
    else {
      said.file(`digits/${a}`);
      said.file('digits/hundreds');
    }
    if (b || c) said.file('currency/and');
  }
  let units = c;
  if (b > 1) {
    if (method === SayMethod.COUNTED) said.file(`digits/h-${b}0`);
    else {
      said.file(`digits/${b}0`);
      if (c > 0) said.file('currency/and');
    }
  } else if (b) {
    said.file(`digits/${b}${c}`);
    units = 0;
  }
  if (units) said.file(method === SayMethod.COUNTED ? `digits/h-${units}` : `digits/${units}`);
  if (what && (a || b || units)) said.file(what);
}

/** pt_say_general_count. */
function generalCount(said: Said, tosay: string, method: SayMethod): void {
  const n = numberToSay(said, tosay, method);
  if (n === undefined) return;
  sayGroups(said, n, method, playGroup, 'digits/1');
}

const sayNum = (said: Said, n: number, method = SayMethod.PRONOUNCED) => generalCount(said, unsigned(n), method);

/** pt_say_time. */
function dateTime(said: Said, tosay: string, type: SayType): void {
  if (type === SayType.TIME_MEASUREMENT) {
    const [hours, minutes, seconds] = durationParts(tosay, said.clock.nowMs);
    for (const [n, one, many] of [
      [hours, 'time/hour', 'time/hours'],
      [minutes, 'time/minute', 'time/minutes'],
      [seconds, 'time/second', 'time/seconds'],
    ] as const) {
      if (n) sayNum(said, n);
      else said.file('digits/0');
      said.file(n === 1 ? one : many);
    }
    return;
  }
  const { tm, now } = targetAndNow(tosay, said.clock, true);
  let date = type === SayType.CURRENT_DATE || type === SayType.CURRENT_DATE_TIME;
  const time = type !== SayType.CURRENT_DATE;
  let today = false;
  let yesterday = false;
  let dow = false;
  let monthDay = false;
  if (type === SayType.SHORT_DATE_TIME) {
    const day = shortDay(tm, now, false);
    date = day === 'date';
    today = day === 'today';
    yesterday = day === 'yesterday';
    dow = day === 'weekday' || day === 'monthDay';
    monthDay = day === 'monthDay';
  }
  if (today) said.file('time/today');
  if (yesterday) said.file('time/yesterday');
  // the weekday is said before a full date turns it on, so a date has none
  if (dow) said.file(`time/day-${tm.wday}`);
  if (date) {
    monthDay = dow = true;
    today = yesterday = false;
  }
  if (monthDay) {
    said.file(`time/mon-${tm.mon}`);
    sayNum(said, tm.mday, SayMethod.COUNTED);
  }
  if (date) sayNum(said, tm.year);
  if (!time) return;
  let hour = tm.hour;
  if (date || today || yesterday || dow) said.file(hour === 1 ? 'time/at' : 'time/ats');
  const pm = hour >= 12;
  if (hour > 12) hour -= 12;
  else if (hour === 0) hour = 12;
  sayNum(said, hour);
  if (tm.min) {
    said.file('currency/and');
    sayNum(said, tm.min);
  } else said.file('time/oclock');
  said.file(pm ? 'time/p-m' : 'time/a-m');
}

/** pt_say_money: a count that cannot be read is logged and passed over. */
function money(said: Said, tosay: string, method: SayMethod): void {
  const { negative, dollars, cents } = moneyParts(said, tosay);
  if (negative) said.file('currency/negative');
  ignoringParseError(() => generalCount(said, dollars, method));
  said.file(atoi(dollars) === 1 ? 'currency/dollar' : 'currency/dollars');
  said.file('currency/and');
  if (cents === undefined) {
    said.file('digits/0');
    said.file('currency/cents');
    return;
  }
  ignoringParseError(() => generalCount(said, cents, method));
  said.file(atoi(cents) === 1 ? 'currency/cent' : 'currency/cents');
}

/** pt_say: the files Portuguese names for `tosay`; undefined for a type it does not say. */
export function sayPt(tosay: string, type: SayType, method: SayMethod, gender: number, clock: SayClock): string[] | undefined {
  const said = new Said(clock, gender);
  const runs: Partial<Record<SayType, () => void>> = {};
  for (const t of [SayType.NUMBER, SayType.ITEMS, SayType.PERSONS, SayType.MESSAGES]) runs[t] = () => generalCount(said, tosay, method);
  for (const t of [SayType.TIME_MEASUREMENT, SayType.CURRENT_DATE, SayType.CURRENT_TIME, SayType.CURRENT_DATE_TIME, SayType.SHORT_DATE_TIME])
    runs[t] = () => dateTime(said, tosay, t);
  runs[SayType.IP_ADDRESS] = () => sayIp(said, tosay, method, (s, x, m) => generalCount(s, x, m));
  runs[SayType.NAME_SPELLED] = runs[SayType.NAME_PHONETIC] = () => saySpell(said, tosay, type);
  runs[SayType.CURRENCY] = () => money(said, tosay, method);
  return runSaying(said, runs[type], type);
}
