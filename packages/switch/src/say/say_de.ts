/**
 * mod_say_de: what German says, as the sound files it names. Units come before the tens with `and`
 * between (21 is `1_n and 20`), a one before `hundred`, a group word or a ten is `1_n`, a lone
 * feminine one `1_f`; counted forms carry the gender (`h-3_m`, `h-3_n`, `h-3`). Durations end
 * `and` the seconds; dates are weekday, month and day (counted, masculine) — the year is asked for
 * as PRONOUNCED_YEAR, which the module's counting does not say; the time is 24-hour, `oclock`
 * after the hour and the minutes after a `0` when under ten.
 */
import { atoi } from '../internal/strings.ts';
import { SayMethod, SayType } from './names.ts';
import {
  Said,
  SayGender,
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

/** A counted file's ending for the gender: `_m`, `_n`, or none (feminine, or a gender not known). */
const genderSuffix = (gender: number): string => (gender === SayGender.MASCULINE ? '_m' : gender === SayGender.NEUTER ? '_n' : '');

function playGroup(said: Said, method: SayMethod, a: number, b: number, c: number, what: string | undefined): void {
  const counted = method === SayMethod.COUNTED;
  const suffix = genderSuffix(said.gender);
  if (a) {
    said.file(a === 1 ? 'digits/1_n' : `digits/${a}`);
    said.file('digits/hundred');
  }
  let units = c;
  if (b) {
    if (b > 1) {
      if (c > 0) {
        said.file(c === 1 ? 'digits/1_n' : `digits/${c}`);
        said.file('currency/and');
      }
      said.file(counted ? `digits/h-${b}0${suffix}` : `digits/${b}0`);
    } else said.file(counted ? `digits/h-${b}${c}${suffix}` : `digits/${b}${c}`);
    units = 0;
  }
  if (units) {
    if (counted) said.file(`digits/h-${units}${suffix}`);
    else if (units === 1 && said.gender === SayGender.FEMININE) said.file('digits/1_f');
    else if (units === 1 && what) said.file('digits/1_n');
    else said.file(`digits/${units}`);
  }
  if (what && (a || b || units)) said.file(what);
}

/** de_say_general_count (it says nothing of a PRONOUNCED_YEAR but 0). */
function generalCount(said: Said, tosay: string, method: SayMethod): void {
  const n = numberToSay(said, tosay, method);
  if (n === undefined) return;
  sayGroups(said, n, method, playGroup);
}

/** The say_num macro; the gender it leaves set stays for what follows, as in the C. */
const sayNum = (said: Said, n: number, method: SayMethod, gender?: SayGender) => {
  if (gender !== undefined) said.gender = gender;
  generalCount(said, unsigned(n), method);
};

/** de_say_time. */
function dateTime(said: Said, tosay: string, type: SayType): void {
  if (type === SayType.TIME_MEASUREMENT) {
    const [hours, minutes, seconds] = durationParts(tosay, said.clock.nowMs);
    const part = (n: number, one: string, unit: string, units: string) => {
      if (n === 1) {
        said.file(one);
        said.file(unit);
      } else {
        if (n) sayNum(said, n, SayMethod.PRONOUNCED);
        else said.file('digits/0');
        said.file(units);
      }
    };
    part(hours, 'digits/1_n', 'time/hour', 'time/hours');
    part(minutes, 'digits/1_f', 'time/minute', 'time/minutes');
    said.file('currency/and');
    part(seconds, 'digits/1_f', 'time/second', 'time/seconds');
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
    const day = shortDay(tm, now, true);
    date = day === 'date';
    today = day === 'today';
    yesterday = day === 'yesterday';
    dow = day === 'weekday' || day === 'monthDay';
    monthDay = day === 'monthDay';
  }
  if (date) {
    monthDay = dow = true;
    today = yesterday = false;
  }
  if (today) said.file('time/today');
  if (yesterday) said.file('time/yesterday');
  if (dow) said.file(`time/day-${tm.wday}`);
  if (monthDay) {
    said.file(`time/mon-${tm.mon}`);
    sayNum(said, tm.mday, SayMethod.COUNTED, SayGender.MASCULINE);
  }
  if (date) sayNum(said, tm.year, SayMethod.PRONOUNCED_YEAR, SayGender.NEUTER);
  if (!time) return;
  if (date || today || yesterday || dow) said.file('time/at');
  sayNum(said, tm.hour, SayMethod.PRONOUNCED, tm.hour === 1 ? SayGender.NEUTER : undefined);
  said.file('time/oclock');
  if (tm.min < 10) said.file('digits/0');
  sayNum(said, tm.min, SayMethod.PRONOUNCED);
}

/** de_say_money: one is `1_n`; a count that cannot be read is logged and passed over. */
function money(said: Said, tosay: string, method: SayMethod): void {
  const { negative, dollars, cents } = moneyParts(said, tosay);
  if (negative) said.file('currency/negative');
  if (atoi(dollars) === 1) {
    said.file('digits/1_n');
    said.file('currency/dollar');
  } else {
    ignoringParseError(() => generalCount(said, dollars, method));
    said.file('currency/dollars');
  }
  if (cents === undefined) {
    said.file('digits/0');
    said.file('currency/cents');
    return;
  }
  said.file('currency/and');
  if (atoi(cents) === 1) {
    said.file('digits/1_n');
    said.file('currency/cent');
  } else {
    ignoringParseError(() => generalCount(said, cents, method));
    said.file('currency/cents');
  }
}

/** de_say: the files German names for `tosay` in `gender`; undefined for a type it does not say. */
export function sayDe(tosay: string, type: SayType, method: SayMethod, gender: number, clock: SayClock): string[] | undefined {
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
