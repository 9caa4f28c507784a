/**
 * mod_say_es: what Spanish says, as the sound files it names. Numbers have their own hundreds
 * (`digits/500`, `700`, `900`, `hundred` before more, `100` alone), `veinti` for 21–29, `and` after
 * the other tens, and `un million` for exactly one million; dates are day, `of`, month, `of`, year;
 * money is dollars `and` cents (`0 cents` when there are none). It has no telephone numbers and no
 * short date-time.
 */
import { atoi } from '../internal/strings.ts';
import { SayMethod, SayType } from './names.ts';
import {
  Said,
  durationParts,
  moneyParts,
  runSaying,
  sayIp,
  saySpell,
  numberToSay,
  targetAndNow,
  unsigned,
  type SayClock,
  sayGroups,
} from './say_support.ts';

function playGroup(said: Said, method: SayMethod, a: number, b: number, c: number, what: string | undefined): void {
  if (a === 1) said.file(b || c ? 'digits/hundred' : 'digits/100');
  else if (a === 5 || a === 7 || a === 9) said.file(`digits/${a}00`);
  else if (a) {
    said.file(`digits/${a}`);
    said.file('digits/hundreds');
  }
  let units = c;
  if (b > 1) {
    if (b === 2 && method !== SayMethod.COUNTED) said.file(c ? 'digits/veinti' : 'digits/20');
    else if (b < 4 && method === SayMethod.COUNTED) said.file(`digits/h-${b}0`);
    else {
      said.file(`digits/${b}0`);
      if (c) said.file('currency/and');
    }
  } else if (b) {
    said.file(`digits/${b}${c}`);
    units = 0;
  }
  if (units) said.file(method === SayMethod.COUNTED ? `digits/h-${units}` : `digits/${units}`);
  if (what && (a || b || units)) said.file(what);
}

/** es_say_general_count. */
function generalCount(said: Said, tosay: string, method: SayMethod): void {
  const n = numberToSay(said, tosay, method);
  if (n === undefined) return;
  sayGroups(said, n, method, playGroup, 'digits/un');
}

const sayNum = (said: Said, n: number) => generalCount(said, unsigned(n), SayMethod.PRONOUNCED);

/** es_say_time. */
function dateTime(said: Said, tosay: string, type: SayType): void {
  if (type === SayType.TIME_MEASUREMENT) {
    const [hours, minutes, seconds] = durationParts(tosay, said.clock.nowMs, atoi);
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
  const { tm } = targetAndNow(tosay, said.clock, true);
  const date = type === SayType.CURRENT_DATE || type === SayType.CURRENT_DATE_TIME;
  const time = type === SayType.CURRENT_TIME || type === SayType.CURRENT_DATE_TIME;
  if (date) {
    said.file(`time/day-${tm.wday}`);
    sayNum(said, tm.mday);
    said.file('time/of');
    said.file(`time/mon-${tm.mon}`);
    said.file('time/of');
    sayNum(said, tm.year);
  }
  if (!time) return;
  let hour = tm.hour;
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

/** es_say_money: a count that cannot be read ends the saying. */
function money(said: Said, tosay: string, method: SayMethod): void {
  const { negative, dollars, cents } = moneyParts(said, tosay);
  if (negative) said.file('currency/negative');
  generalCount(said, dollars, method);
  said.file(atoi(dollars) === 1 ? 'currency/dollar' : 'currency/dollars');
  said.file('currency/and');
  if (cents === undefined) {
    said.file('digits/0');
    said.file('currency/cents');
    return;
  }
  generalCount(said, cents, method);
  said.file(atoi(cents) === 1 ? 'currency/cent' : 'currency/cents');
}

/** es_say: the files Spanish names for `tosay`; undefined for a type it does not say. */
export function sayEs(tosay: string, type: SayType, method: SayMethod, gender: number, clock: SayClock): string[] | undefined {
  const said = new Said(clock, gender);
  const runs: Partial<Record<SayType, () => void>> = {};
  for (const t of [SayType.NUMBER, SayType.ITEMS, SayType.PERSONS, SayType.MESSAGES]) runs[t] = () => generalCount(said, tosay, method);
  for (const t of [SayType.TIME_MEASUREMENT, SayType.CURRENT_DATE, SayType.CURRENT_TIME, SayType.CURRENT_DATE_TIME])
    runs[t] = () => dateTime(said, tosay, t);
  runs[SayType.IP_ADDRESS] = () => sayIp(said, tosay, method, (s, x, m) => generalCount(s, x, m));
  runs[SayType.NAME_SPELLED] = runs[SayType.NAME_PHONETIC] = () => saySpell(said, tosay, type);
  runs[SayType.CURRENCY] = () => money(said, tosay, method);
  return runSaying(said, runs[type], type);
}
