/**
 * mod_say_fr: what French says, as the sound files it names. 1–19, 21 and 31 are whole files, 70s
 * and 90s are 60 or 80 and then 10–19 (71 is `60 11`), a hundred alone is `hundred`, and a one
 * (not in the teens) is `1_f` when the gender is feminine. Durations are feminine and singular
 * (`hour`, `minute`, `second`); dates are day (the 1st counted), month and year; the time is
 * 24-hour, `hour` after the hours. Telephone numbers, URLs, e-mail and postal addresses and account
 * numbers are spelled (their letters say nothing).
 */
import { atoi } from '../internal/strings.ts';
import { SayMethod, SayType } from './names.ts';
import {
  Said,
  SayGender,
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
  shortDay,
} from './say_support.ts';

function playGroup(said: Said, method: SayMethod, a: number, b: number, c: number, what: string | undefined): void {
  const tens = b * 10 + c;
  // 1–19, 21 and 31 are whole files
  const whole = tens <= 19 || tens === 21 || tens === 31;
  if (a) {
    if (a !== 1) said.file(`digits/${a}`);
    said.file('digits/hundred');
  }
  if (b && !whole) {
    if (c === 0) said.file(method === SayMethod.COUNTED ? `digits/h-${b}0` : `digits/${b}0`);
    else said.file(`digits/${b === 7 || b === 9 ? b - 1 : b}0`);
  }
  if (c || (whole && a && (b || c)) || (a === 0 && b === 1 && c === 0)) {
    let value = whole ? tens : c;
    if (b === 7 || b === 9) value += 10;
    if (method === SayMethod.COUNTED) said.file(`digits/h-${value}`);
    else if (b !== 1 && c === 1 && said.gender === SayGender.FEMININE) said.file(`digits/${value}_f`);
    else said.file(`digits/${value}`);
  }
  if (what && (a || b || c)) said.file(what);
}

/** fr_say_general_count. */
function generalCount(said: Said, tosay: string, method: SayMethod): void {
  const n = numberToSay(said, tosay, method, (d) => (d === '1' && said.gender === SayGender.FEMININE ? 'digits/1_f' : `digits/${d}`));
  if (n === undefined) return;
  sayGroups(said, n, method, playGroup);
}

/** The say_num macro; the gender it leaves set stays for what follows, as in the C. */
const sayNum = (said: Said, n: number, method: SayMethod, gender?: SayGender) => {
  if (gender !== undefined) said.gender = gender;
  generalCount(said, unsigned(n), method);
};

/** fr_say_time. */
function dateTime(said: Said, tosay: string, type: SayType): void {
  if (type === SayType.TIME_MEASUREMENT) {
    const parts = durationParts(tosay, said.clock.nowMs);
    said.gender = SayGender.FEMININE;
    ['time/hour', 'time/minute', 'time/second'].forEach((unit, i) => {
      const n = parts[i] as number;
      if (n) sayNum(said, n, SayMethod.PRONOUNCED);
      else said.file('digits/0');
      said.file(unit);
    });
    return;
  }
  const { tm, now } = targetAndNow(tosay, said.clock, false);
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
    if (tm.mday === 1) sayNum(said, 1, SayMethod.COUNTED, SayGender.MASCULINE);
    else sayNum(said, tm.mday, SayMethod.PRONOUNCED, SayGender.FEMININE);
    said.file(`time/mon-${tm.mon}`);
  }
  if (date) sayNum(said, tm.year, SayMethod.PRONOUNCED, SayGender.MASCULINE);
  if (!time) return;
  if (date || today || yesterday || dow) said.file('time/at');
  sayNum(said, tm.hour, SayMethod.PRONOUNCED, SayGender.FEMININE);
  said.file('time/hour');
  if (tm.min) sayNum(said, tm.min, SayMethod.PRONOUNCED);
}

/** fr_say_money: a count that cannot be read ends the saying. */
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

const SPELLED = [
  SayType.TELEPHONE_NUMBER,
  SayType.TELEPHONE_EXTENSION,
  SayType.URL,
  SayType.EMAIL_ADDRESS,
  SayType.POSTAL_ADDRESS,
  SayType.ACCOUNT_NUMBER,
  SayType.NAME_SPELLED,
  SayType.NAME_PHONETIC,
];

/** fr_say: the files French names for `tosay` in `gender`; undefined for a type it does not say. */
export function sayFr(tosay: string, type: SayType, method: SayMethod, gender: number, clock: SayClock): string[] | undefined {
  const said = new Said(clock, gender);
  const runs: Partial<Record<SayType, () => void>> = {};
  for (const t of [SayType.NUMBER, SayType.ITEMS, SayType.PERSONS, SayType.MESSAGES]) runs[t] = () => generalCount(said, tosay, method);
  for (const t of [SayType.TIME_MEASUREMENT, SayType.CURRENT_DATE, SayType.CURRENT_TIME, SayType.CURRENT_DATE_TIME, SayType.SHORT_DATE_TIME])
    runs[t] = () => dateTime(said, tosay, t);
  runs[SayType.IP_ADDRESS] = () => sayIp(said, tosay, method, (s, x, m) => generalCount(s, x, m));
  for (const t of SPELLED) runs[t] = () => saySpell(said, tosay, type);
  runs[SayType.CURRENCY] = () => money(said, tosay, method);
  return runSaying(said, runs[type], type);
}
