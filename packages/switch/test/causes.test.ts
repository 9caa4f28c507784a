import { describe, expect, it } from 'vitest';
import { CAUSES, Cause, causeName, causeNumber, causeQ850, parseCause } from '../src/index.ts';

describe('hangup causes', () => {
  it("has FreeSWITCH's table: 82 names with their numbers", () => {
    expect(CAUSES).toHaveLength(82);
    const spot: [string, number][] = [
      ['NONE', 0],
      ['UNALLOCATED_NUMBER', 1],
      ['NO_ROUTE_DESTINATION', 3],
      ['NORMAL_CLEARING', 16],
      ['USER_BUSY', 17],
      ['NO_ANSWER', 19],
      ['CALL_REJECTED', 21],
      ['DESTINATION_OUT_OF_ORDER', 27],
      ['NORMAL_TEMPORARY_FAILURE', 41],
      ['CHAN_NOT_IMPLEMENTED', 66],
      ['INCOMPATIBLE_DESTINATION', 88],
      ['MANDATORY_IE_MISSING', 96],
      ['WRONG_CALL_STATE', 101],
      ['INTERWORKING', 127],
      ['SUCCESS', 142],
      ['ORIGINATOR_CANCEL', 487],
      ['LOSE_RACE', 702],
      ['MANAGER_REQUEST', 703],
      ['BOWOUT', 814],
      ['REJECT_ALL', 825],
    ];
    for (const [name, n] of spot) {
      expect(causeNumber(name), name).toBe(n);
      expect(causeName(n)).toBe(name);
    }
    expect(new Set(CAUSES.map(([, n]) => n)).size).toBe(82);
    expect(Cause.SUBSCRIBER_ABSENT).toBe(20);
  });

  it('an unlisted number prints UNKNOWN; 0 prints NONE', () => {
    expect(causeName(4)).toBe('UNKNOWN');
    expect(causeName(999)).toBe('UNKNOWN');
    expect(causeName(0)).toBe('NONE');
  });

  it('parsing: names in any case, a leading digit reads a number, anything else is NORMAL_CLEARING', () => {
    expect(parseCause('user_busy')).toBe(17);
    expect(parseCause('User_Busy')).toBe(17);
    expect(parseCause('17')).toBe(17);
    expect(parseCause('17abc')).toBe(17);
    expect(parseCause('999')).toBe(999);
    expect(parseCause('0')).toBe(0);
    expect(parseCause('NONE')).toBe(0);
    expect(parseCause('whatever')).toBe(16);
    expect(parseCause('')).toBe(16);
    expect(parseCause(undefined)).toBe(16);
    expect(parseCause('-1')).toBe(16);
    expect(causeNumber('user_busy')).toBeUndefined();
  });

  it('hangup_cause_q850: up to 127 the cause, above it 16', () => {
    expect(causeQ850(17)).toBe(17);
    expect(causeQ850(127)).toBe(127);
    expect(causeQ850(142)).toBe(16);
    expect(causeQ850(703)).toBe(16);
  });
});
