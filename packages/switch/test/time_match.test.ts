/** The dialplan's time-of-day conditions (switch_xml_std_datetime_check) at fixed instants. */
import { describe, expect, it } from 'vitest';
import { datetimeCheck, dowCmp, explode, fulldateCmp, numberCmp, strTime, todCmp, zoneOffsetSeconds } from '../src/dialplan/time_match.ts';
import type { XmlElement } from '../src/index.ts';

const el = (attributes: Record<string, string>): XmlElement => ({ name: 'condition', attributes, children: [], text: '', line: 1 });
const utc = () => 0;
// Tuesday 2024-09-03 10:11:12 UTC
const TUE = Date.UTC(2024, 8, 3, 10, 11, 12);
const at = (
  epochMs: number,
  attributes: Record<string, string>,
  more: { tzOffset?: string; timezone?: string; zone?: (ms: number) => number } = {},
) => datetimeCheck(el(attributes), { epochMs, utcOffsetMinutes: more.zone ?? utc, tzOffset: more.tzOffset, timezone: more.timezone });

describe('switch_number_cmp', () => {
  it('lists, ranges and reversed (wrapping) ranges', () => {
    expect(numberCmp('5', 5)).toBe(true);
    expect(numberCmp('1,3,5', 3)).toBe(true);
    expect(numberCmp('1,3,5', 4)).toBe(false);
    expect(numberCmp('9-17', 9)).toBe(true);
    expect(numberCmp('9-17', 17)).toBe(true);
    expect(numberCmp('9-17', 18)).toBe(false);
    expect(numberCmp('18-8', 23)).toBe(true);
    expect(numberCmp('18-8', 3)).toBe(true);
    expect(numberCmp('18-8', 12)).toBe(false);
    expect(numberCmp('1-3,7', 7)).toBe(true);
    expect(numberCmp(' 4', 4)).toBe(true);
    expect(numberCmp('x', 0)).toBe(true); // strtol reads nothing: 0, as C
  });
});

describe('switch_dow_cmp', () => {
  it('numbers 1 (Sunday) to 7, names, lists and wrapping ranges', () => {
    expect(dowCmp('3', 3)).toBe(true);
    expect(dowCmp('tue', 3)).toBe(true);
    expect(dowCmp('TUE', 3)).toBe(true);
    expect(dowCmp('mon-fri', 3)).toBe(true);
    expect(dowCmp('mon-fri', 1)).toBe(false);
    expect(dowCmp('fri-mon', 1)).toBe(true);
    expect(dowCmp('fri-mon', 4)).toBe(false);
    expect(dowCmp('1,7', 7)).toBe(true);
    expect(dowCmp('2-6', 7)).toBe(false);
  });

  it('a parse error stops with an ERR line; what matched before it still counts', () => {
    const lines: string[] = [];
    expect(dowCmp('2,x', 5, (_l, t) => lines.push(t))).toBe(false);
    expect(lines).toEqual(['Parse error for [2,x] at position 2 (x)']);
    expect(dowCmp('2,x', 2)).toBe(true);
  });
});

describe('switch_tod_cmp', () => {
  it('h:m[:s]-h:m[:s] inclusive, wrapping past midnight, lists', () => {
    const s = (h: number, m: number, sec = 0) => h * 3600 + m * 60 + sec;
    expect(todCmp('09:00-17:30', s(9, 0))).toBe(true);
    expect(todCmp('09:00-17:30', s(17, 30))).toBe(true);
    expect(todCmp('09:00-17:30', s(17, 30, 1))).toBe(false);
    expect(todCmp('09:00:30-09:00:45', s(9, 0, 40))).toBe(true);
    expect(todCmp('22:00-06:00', s(23, 0))).toBe(true);
    expect(todCmp('22:00-06:00', s(5, 0))).toBe(true);
    expect(todCmp('22:00-06:00', s(12, 0))).toBe(false);
    expect(todCmp('01:00-02:00,12:00-13:00', s(12, 30))).toBe(true);
    expect(todCmp('12-13', s(12, 30))).toBe(false); // no ':' is no range
  });
});

describe('switch_fulldate_cmp / switch_str_time', () => {
  it('start inclusive, end exclusive, in the switch zone', () => {
    expect(fulldateCmp('2024-09-03 10:11:12~2024-09-03 10:11:13', TUE, utc)).toBe(true);
    expect(fulldateCmp('2024-09-03 10:00:00~2024-09-03 10:11:12', TUE, utc)).toBe(false);
    expect(fulldateCmp('2024-01-01 00:00:00~2024-02-01 00:00:00,2024-09-01~2024-10-01', TUE, utc)).toBe(true);
    // local 12:11 in a UTC+2 switch is 10:11 UTC
    expect(fulldateCmp('2024-09-03 12:00~2024-09-03 12:30', TUE, () => 120)).toBe(true);
    expect(fulldateCmp('2024-09-03 10:00~2024-09-03 10:30', TUE, () => 120)).toBe(false);
  });

  it('time only means today; YYYYMMDDhhmmss is a date; junk is a parse error', () => {
    expect(strTime('10:00:00', TUE, utc)).toBe(Date.UTC(2024, 8, 3, 10));
    expect(strTime('2024-09-03', TUE, utc)).toBe(Date.UTC(2024, 8, 3));
    expect(strTime('x2024', TUE, utc)).toBe(0);
    const lines: string[] = [];
    expect(fulldateCmp('junk~2024-10-01', TUE, utc, (_l, t) => lines.push(t))).toBe(false);
    expect(lines).toEqual(['Parse error for date time range (junk~2024-10-01)']);
  });
});

describe('switch_xml_std_datetime_check', () => {
  it('no time attributes: -1', () => {
    expect(at(TUE, {})).toBe(-1);
    expect(at(TUE, { field: 'destination_number' })).toBe(-1);
  });

  it('each field of Tuesday 2024-09-03 10:11:12 UTC', () => {
    expect(explode(TUE, 0)).toMatchObject({ year: 2024, mon: 8, mday: 3, wday: 2, yday: 246, hour: 10, min: 11, sec: 12 });
    expect(at(TUE, { year: '2024' })).toBe(1);
    expect(at(TUE, { year: '2023' })).toBe(0);
    expect(at(TUE, { yday: '247' })).toBe(1);
    expect(at(TUE, { mon: '9' })).toBe(1);
    expect(at(TUE, { mday: '1-5' })).toBe(1);
    expect(at(TUE, { week: '36' })).toBe(1); // 246 / 7 + 1
    expect(at(TUE, { mweek: '1' })).toBe(1); // September 2024 starts on a Sunday: the 3rd is in week 1
    expect(at(Date.UTC(2024, 8, 8), { mweek: '2' })).toBe(1);
    expect(at(TUE, { wday: 'tue' })).toBe(1);
    expect(at(TUE, { wday: '2-6' })).toBe(1);
    expect(at(TUE, { wday: 'sat-sun' })).toBe(0);
    expect(at(TUE, { hour: '9-17' })).toBe(1);
    expect(at(TUE, { minute: '11' })).toBe(1);
    expect(at(TUE, { 'minute-of-day': '612' })).toBe(1); // 10*60 + 11 + 1
    expect(at(TUE, { 'minute-of-day': '611' })).toBe(0);
    expect(at(TUE, { 'time-of-day': '10:11:12-10:11:12' })).toBe(1);
    expect(at(TUE, { 'date-time': '2024-09-03 00:00:00~2024-09-04 00:00:00' })).toBe(1);
  });

  it('every attribute must match', () => {
    expect(at(TUE, { wday: '2-6', hour: '9-17' })).toBe(1);
    expect(at(TUE, { wday: '2-6', hour: '18-8' })).toBe(0);
    expect(at(TUE, { year: '2020', hour: '10' })).toBe(0);
  });

  it('the week of the month when the month starts late in the week (C % truncation)', () => {
    // March 2024 starts on a Friday: the 1st and 2nd are week 1, Sunday the 3rd week 2, the 31st week 6
    expect(at(Date.UTC(2024, 2, 2), { mweek: '1' })).toBe(1);
    expect(at(Date.UTC(2024, 2, 3), { mweek: '2' })).toBe(1);
    expect(at(Date.UTC(2024, 2, 31), { mweek: '6' })).toBe(1);
  });

  it('the zone: tod_tz_offset hours, else the timezone name, else the switch zone', () => {
    expect(at(TUE, { hour: '10' })).toBe(1);
    expect(at(TUE, { hour: '12' }, { zone: () => 120 })).toBe(1);
    expect(at(TUE, { hour: '5' }, { tzOffset: '-5' })).toBe(1);
    expect(at(TUE, { hour: '6' }, { timezone: 'America/New_York' })).toBe(1); // EDT, UTC-4
    expect(at(Date.UTC(2024, 0, 3, 10), { hour: '5' }, { timezone: 'America/New_York' })).toBe(1); // EST
    expect(at(TUE, { hour: '5' }, { tzOffset: '-5', timezone: 'Asia/Tokyo' })).toBe(1); // the offset wins
    expect(at(TUE, { wday: 'wed', hour: '0' }, { timezone: 'Pacific/Kiritimati' })).toBe(1); // UTC+14: already Wednesday
    expect(zoneOffsetSeconds('Not/AZone', TUE)).toBeUndefined();
    expect(at(TUE, { hour: '10' }, { timezone: 'Not/AZone' })).toBe(1);
  });

  it('tz-offset compares whole hours with the zone in force; dst needs daylight time in the switch zone', () => {
    expect(at(TUE, { 'tz-offset': '0' })).toBe(1);
    expect(at(TUE, { 'tz-offset': '2' })).toBe(0);
    expect(at(TUE, { 'tz-offset': '-5' }, { tzOffset: '-5' })).toBe(1);
    expect(at(TUE, { 'tz-offset': '-4' }, { timezone: 'America/New_York' })).toBe(1);
    const berlin = (ms: number) => (zoneOffsetSeconds('Europe/Berlin', ms) ?? 0) / 60;
    expect(at(TUE, { dst: 'true' }, { zone: berlin })).toBe(1);
    expect(at(Date.UTC(2024, 0, 3), { dst: 'true' }, { zone: berlin })).toBe(0);
    expect(at(TUE, { dst: 'false' }, { zone: berlin })).toBe(0); // FreeSWITCH: dst=false never matches
    expect(at(TUE, { dst: 'true' })).toBe(0); // UTC has no daylight time
  });
});
