/**
 * `fail_on_single_reject` and `hangup_on_single_reject` (switch_ivr_originate): with either set,
 * one leg of a `,` group going down ends the group instead of the group waiting for the others.
 * `fail_on_single_reject` is `true` (any cause) or a text of cause names — a leg's cause is looked
 * for *inside* the text (switch_stristr, any case), and a leading `!` turns the test around;
 * `^^:A:B` only helps a dial string carry the list. `hangup_on_single_reject=true` also hangs the
 * calling channel up with the originate's cause once the originate is over.
 */
import { causeName } from '../channel/causes.ts';
import { asciiUpper, switchTrue } from '../internal/strings.ts';

export interface SingleReject {
  /** A leg going down ends its group (fail_on_single_reject is 1 or -1). */
  readonly on: boolean;
  /** The text of `fail_on_single_reject`; undefined when only `hangup_on_single_reject` is set. */
  readonly list: string | undefined;
  /** `fail_on_single_reject` is switch_true: every cause counts. */
  readonly any: boolean;
  /** `hangup_on_single_reject` is switch_true. */
  readonly hangupCaller: boolean;
}

export function readSingleReject(get: (name: string) => string | undefined): SingleReject {
  const hangupCaller = switchTrue(get('hangup_on_single_reject'));
  const list = get('fail_on_single_reject');
  return { on: list !== undefined || hangupCaller, list, any: switchTrue(list), hangupCaller };
}

/** switch_stristr(needle, haystack): needle found in haystack, ASCII case ignored (an empty needle never is). */
export function stristr(needle: string, haystack: string): boolean {
  return needle !== '' && asciiUpper(haystack).includes(asciiUpper(needle));
}

/** Does a leg's cause match the list: its name inside the text, inverted by a leading `!`. */
export function rejectMatches(list: string, cause: number): boolean {
  const found = stristr(causeName(cause), list);
  return list.startsWith('!') ? !found : found;
}
