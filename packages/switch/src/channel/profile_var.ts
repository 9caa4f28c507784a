/**
 * switch_channel_set_profile_var on the caller profile: the named fields (any case) take the
 * value (none: empty); the four numbering fields take its number, and only when there is a value
 * (without one they become soft fields like any other name); any other name is a soft field,
 * set in place when it is there, else added at the end.
 */
import { atoi, caseEqual } from '../internal/strings.ts';
import { type CallerProfile, NUMBER_FIELDS, TEXT_FIELDS } from './profile.ts';

/** Text fields switch_channel_set_profile_var does not name: set under these names they are soft fields. */
const NOT_NAMED = new Set(['orig_caller_id_name', 'orig_caller_id_number', 'transfer_source', 'profile_index']);
const TEXT = new Map(TEXT_FIELDS.filter(([name]) => !NOT_NAMED.has(name)));
/** The four it names: the caller's and the destination's type of number and numbering plan. */
const NUMBERS = new Map(NUMBER_FIELDS.slice(0, 4));

export function withProfileVar(profile: CallerProfile, name: string, value: string | undefined): CallerProfile {
  const v = value ?? '';
  const key = name.toLowerCase();
  const text = TEXT.get(key);
  if (text) return { ...profile, [text]: v };
  const number = NUMBERS.get(key);
  // a uint8_t
  if (number && v !== '') return { ...profile, [number]: atoi(v) & 0xff };
  const soft = profile.soft ?? [];
  const at = soft.findIndex(([n]) => caseEqual(n, name));
  const next = at < 0 ? [...soft, [name, v] as const] : soft.map((entry, i) => (i === at ? ([entry[0], v] as const) : entry));
  return { ...profile, soft: next };
}
