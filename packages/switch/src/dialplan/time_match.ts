/**
 * The dialplan's time-of-day conditions (switch_xml.c's switch_xml_std_datetime_check and the
 * comparison helpers of switch_utils.c). Pure: "now" and the zones come in as numbers.
 *
 * Attributes, tested in this order, each only while the previous ones passed:
 *   tz-offset (hours; equal to the zone's whole-hour offset), dst (`true`: daylight saving time in
 *   the switch's zone; any other value never matches, as FreeSWITCH), date-time (`Y-M-D h:m:s~Y-M-D
 *   h:m:s`, ranges separated by `,`, start inclusive, end exclusive, in the switch's local time),
 *   year, yday (1–366), mon (1–12), mday, week (yday / 7 + 1), mweek (week of the month, 1–6),
 *   wday (1 = Sunday … 7, or `sun`…`sat`, lists and ranges, `fri-mon` wraps), hour, minute,
 *   minute-of-day (1–1440: 00:00 is 1), time-of-day (`h:m[:s]-h:m[:s]`, inclusive, wraps).
 * Numbers are `a,b,c-d` lists; a reversed range `18-8` wraps. The zone: `tod_tz_offset` (whole
 * hours) if set and numeric, else `timezone` (an IANA name), else the switch's own zone.
 */
import type { XmlElement } from '../config/xml.ts';
import { attr } from '../config/xml.ts';
import { atoi, isNumber, switchTrue } from '../internal/strings.ts';

/** The broken-down time (struct tm) the checks read. */
export interface BrokenDownTime {
  readonly year: number;
  /** 0–11 */
  readonly mon: number;
  readonly mday: number;
  /** 0 = Sunday */
  readonly wday: number;
  /** 0–365 */
  readonly yday: number;
  readonly hour: number;
  readonly min: number;
  readonly sec: number;
  /** Seconds east of UTC. */
  readonly gmtoff: number;
}

export interface TimeContext {
  readonly epochMs: number;
  /** The switch's zone: minutes east of UTC at an instant. */
  readonly utcOffsetMinutes: (epochMs: number) => number;
  /** Channel variable `tod_tz_offset`. */
  readonly tzOffset?: string | undefined;
  /** Channel variable `timezone`. */
  readonly timezone?: string | undefined;
  readonly log?: (level: 'DEBUG' | 'ERR', text: string) => void;
}

const DOW = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** gmtime of `epochMs` shifted by `offsetSec`. */
export function explode(epochMs: number, offsetSec: number): BrokenDownTime {
  const d = new Date(Math.floor(epochMs / 1000) * 1000 + offsetSec * 1000);
  const year = d.getUTCFullYear();
  const yday = Math.floor((Date.UTC(year, d.getUTCMonth(), d.getUTCDate()) - Date.UTC(year, 0, 1)) / 86_400_000);
  return {
    year,
    mon: d.getUTCMonth(),
    mday: d.getUTCDate(),
    wday: d.getUTCDay(),
    yday,
    hour: d.getUTCHours(),
    min: d.getUTCMinutes(),
    sec: d.getUTCSeconds(),
    gmtoff: offsetSec,
  };
}

/** The offset (seconds east of UTC) of an IANA zone at `epochMs`; undefined for an unknown zone. */
export function zoneOffsetSeconds(zone: string, epochMs: number): number | undefined {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(new Date(epochMs));
  } catch {
    return undefined;
  }
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 1000);
}

/** strtol: leading space, sign, digits; `end` = where it stopped (the start when nothing was read). */
function strtol(s: string, at: number): { value: number; end: number } {
  const m = /^[ \t\n\v\f\r]*[+-]?\d+/.exec(s.slice(at));
  if (!m) return { value: 0, end: at };
  return { value: Number.parseInt(m[0].trim(), 10), end: at + m[0].length };
}

/** switch_number_cmp: `a,b-c,…`; a reversed range wraps. */
export function numberCmp(exp: string, val: number): boolean {
  let at = 0;
  for (;;) {
    const a = strtol(exp, at);
    at = a.end;
    if (exp[at] !== '-') {
      if (a.value === val) return true;
    } else {
      const b = strtol(exp, at + 1);
      at = b.end;
      if (a.value <= b.value ? val >= a.value && val <= b.value : val >= a.value || val <= b.value) return true;
    }
    if (exp[at] !== ',') return false;
    at++;
  }
}

/** switch_dow_cmp: days 1–7 or three-letter names, `,` lists and `-` ranges (wrapping). */
export function dowCmp(exp: string, val: number, log?: TimeContext['log']): boolean {
  const EOF = -1;
  const HYPHEN = -3;
  const COMMA = -4;
  let at = 0;
  const read = (): number => {
    const c = exp[at];
    if (c === undefined) return EOF;
    if (c === '-') {
      at++;
      return HYPHEN;
    }
    if (c === ',') {
      at++;
      return COMMA;
    }
    if (c >= '1' && c <= '7') {
      at++;
      return Number(c);
    }
    const name = exp.slice(at, at + 3).toLowerCase();
    const i = DOW.indexOf(name);
    if (name.length === 3 && i >= 0) {
      at += 3;
      return i + 1;
    }
    return -2;
  };
  let prev = EOF;
  let rangeStart = EOF;
  for (let cur = read(); cur !== EOF; cur = read()) {
    if (cur === COMMA) {
      cur = EOF;
    } else if (cur === HYPHEN) {
      rangeStart = prev;
    } else if (cur === -2) {
      log?.('ERR', `Parse error for [${exp}] at position ${at} (${exp.slice(at, at + 6)})`);
      break;
    } else if (rangeStart !== EOF) {
      if (rangeStart <= cur ? val >= rangeStart && val <= cur : val >= rangeStart || val <= cur) return true;
      rangeStart = EOF;
    } else if (val === cur) {
      return true;
    }
    prev = cur;
  }
  return false;
}

/** switch_tod_cmp: `h:m[:s]-h:m[:s]` ranges separated by `,`, seconds since midnight. */
export function todCmp(exp: string, val: number): boolean {
  for (const cur of exp.split(',')) {
    const c1 = cur.indexOf(':');
    if (c1 < 0) continue;
    const minh = cur.slice(0, c1);
    const rest = cur.slice(c1 + 1);
    const dash = rest.indexOf('-');
    if (dash < 0) continue;
    const maxColon = rest.indexOf(':', dash);
    if (maxColon < 0) continue;
    const minPart = rest.slice(0, dash);
    const maxh = rest.slice(dash + 1, maxColon);
    const maxPart = rest.slice(maxColon + 1);
    const [minm, mins = '00'] = splitOnce(minPart);
    const [maxm, maxs = '00'] = splitOnce(maxPart);
    const start = atoi(minh) * 3600 + atoi(minm) * 60 + atoi(mins);
    const end = atoi(maxh) * 3600 + atoi(maxm) * 60 + atoi(maxs);
    if (start <= end ? val >= start && val <= end : val >= start || val <= end) return true;
  }
  return false;
}

function splitOnce(s: string): [string, string?] {
  const i = s.indexOf(':');
  return i < 0 ? [s] : [s.slice(0, i), s.slice(i + 1)];
}

/**
 * switch_str_time: `h:m:s` (today), `Y-M-D[ h[:m[:s]]]` or `YYYYMMDDhhmmss`, in the switch's local
 * time, as epoch ms; 0 when it does not parse.
 */
/** switch_str_time's time-of-day form (it is tried first, so all digits read as an hour). */
export const TIME_OF_DAY = /^(\d*):?(\d*):?(\d*)$/;

export function strTime(text: string, nowMs: number, utcOffsetMinutes: (epochMs: number) => number): number {
  let y: number;
  let mo: number;
  let d: number;
  let h: number;
  let mi: number;
  let s: number;
  const timeOnly = TIME_OF_DAY.exec(text);
  if (timeOnly) {
    const today = explode(nowMs, utcOffsetMinutes(nowMs) * 60);
    [y, mo, d] = [today.year, today.mon, today.mday];
    [h, mi, s] = [atoi(timeOnly[1]!), atoi(timeOnly[2]!), atoi(timeOnly[3]!)];
  } else {
    const m = /^(\d+)-(\d+)-(\d+)\s*(\d*):?(\d*):?(\d*)/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(text);
    if (!m) return 0;
    [y, mo, d, h, mi, s] = [atoi(m[1]!), atoi(m[2]!) - 1, atoi(m[3]!), atoi(m[4]!), atoi(m[5]!), atoi(m[6]!)];
  }
  const asUtc = Date.UTC(y, mo, d, h, mi, s);
  // the wall time read in the zone in force at that wall time (as APR's exp_get + gmtoff)
  const local = asUtc - utcOffsetMinutes(asUtc) * 60_000;
  return local;
}

/** switch_fulldate_cmp: `start~end` ranges separated by `,`; start ≤ now < end. */
export function fulldateCmp(exp: string, nowMs: number, utcOffsetMinutes: (epochMs: number) => number, log?: TimeContext['log']): boolean {
  for (const cur of exp.split(',')) {
    const tilde = cur.indexOf('~');
    if (tilde < 0) continue;
    const startText = cur.slice(0, tilde);
    const endText = cur.slice(tilde + 1);
    const start = strTime(startText, nowMs, utcOffsetMinutes);
    const end = strTime(endText, nowMs, utcOffsetMinutes);
    if (start === 0 || end === 0) {
      log?.('ERR', `Parse error for date time range (${startText}~${endText})`);
      return false;
    }
    if (start <= nowMs && end > nowMs) return true;
  }
  return false;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** switch_xml_std_datetime_check: -1 without time attributes, else 1 (all match) or 0. */
export function datetimeCheck(el: XmlElement, t: TimeContext): -1 | 0 | 1 {
  const a = (name: string) => attr(el, name);
  const xdt = a('date-time');
  const xyear = a('year');
  const xyday = a('yday');
  const xmon = a('mon');
  const xmday = a('mday');
  const xweek = a('week');
  const xmweek = a('mweek');
  const xwday = a('wday');
  const xhour = a('hour');
  const xminute = a('minute');
  const xminday = a('minute-of-day');
  const xtod = a('time-of-day');
  const tzoff = a('tz-offset');
  const isdst = a('dst');

  const now = t.epochMs;
  const localOffsetSec = t.utcOffsetMinutes(now) * 60;
  let offsetSec = localOffsetSec;
  let channelOffsetHours: number | undefined;
  if (t.tzOffset !== undefined && t.tzOffset !== '' && isNumber(t.tzOffset)) {
    channelOffsetHours = atoi(t.tzOffset);
    offsetSec = channelOffsetHours * 3600;
  } else if (t.timezone) {
    const z = zoneOffsetSeconds(t.timezone, now);
    if (z === undefined) t.log?.('ERR', `Unknown time zone ${t.timezone}: the switch's own zone is used`);
    else offsetSec = z;
  }
  const tm = explode(now, offsetSec);
  const zoneHours = channelOffsetHours ?? Math.trunc(tm.gmtoff / 3600);

  let match = true;
  let any = false;
  // FreeSWITCH logs the date-time check at DEBUG and the others at DEBUG9 (never shown here)
  const check = (present: string | undefined, test: () => boolean, what?: () => string) => {
    if (present === undefined || !match) return;
    any = true;
    match = test();
    if (what) t.log?.('DEBUG', `XML DateTime Check: ${what()} =~ ${present} (${match ? 'PASS' : 'FAIL'})`);
  };

  check(tzoff, () => (tzoff !== '' && isNumber(tzoff!) ? atoi(tzoff!) : zoneHours) === zoneHours);
  const dst = isdst !== undefined && isdst !== '' ? switchTrue(isdst) : undefined;
  check(dst === undefined ? undefined : isdst, () => localIsDst(now, t.utcOffsetMinutes) && dst === true);
  check(
    xdt,
    () => fulldateCmp(xdt!, now, t.utcOffsetMinutes, t.log),
    () => `date time[${tm.year}-${pad(tm.mon + 1)}-${pad(tm.mday)} ${pad(tm.hour)}:${pad(tm.min)}:${pad(tm.sec)}]`,
  );
  check(xyear, () => numberCmp(xyear!, tm.year));
  check(xyday, () => numberCmp(xyday!, tm.yday + 1));
  check(xmon, () => numberCmp(xmon!, tm.mon + 1));
  check(xmday, () => numberCmp(xmday!, tm.mday));
  check(xweek, () => numberCmp(xweek!, Math.trunc(tm.yday / 7) + 1));
  // the weekday of the 1st (C's % truncates, as JavaScript's), then the week of the month
  const firstDow = (7 - ((tm.mday - (tm.wday + 1)) % 7)) % 7;
  const mweek = Math.ceil((tm.mday + firstDow) / 7);
  check(xmweek, () => numberCmp(xmweek!, mweek));
  check(xwday, () => dowCmp(xwday!, tm.wday + 1, t.log));
  check(xhour, () => numberCmp(xhour!, tm.hour));
  check(xminute, () => numberCmp(xminute!, tm.min));
  const minuteOfDay = tm.hour * 60 + tm.min + 1;
  check(xminday, () => numberCmp(xminday!, minuteOfDay));
  check(xtod, () => todCmp(xtod!, tm.hour * 3600 + tm.min * 60 + tm.sec));
  if (!any) return -1;
  return match ? 1 : 0;
}

/** tm_isdst of the switch's zone: its offset now is larger than its smaller offset of the year. */
function localIsDst(nowMs: number, utcOffsetMinutes: (epochMs: number) => number): boolean {
  const year = new Date(nowMs).getUTCFullYear();
  const standard = Math.min(utcOffsetMinutes(Date.UTC(year, 0, 1)), utcOffsetMinutes(Date.UTC(year, 6, 1)));
  return utcOffsetMinutes(nowMs) > standard;
}
