/**
 * switch_channel_set_profile_var on the caller profile: the named fields (any case) take the
 * value (none: empty); the four numbering fields take its number, and only when there is a value
 * (without one they become soft fields like any other name); any other name is a soft field,
 * set in place when it is there, else added at the end.
 */
import { atoi, caseEqual } from '../internal/strings.ts';
import type { CallerProfile } from './profile.ts';

type TextField =
  | 'dialplan'
  | 'username'
  | 'callerIdName'
  | 'callerIdNumber'
  | 'calleeIdName'
  | 'calleeIdNumber'
  | 'ani'
  | 'aniii'
  | 'networkAddr'
  | 'rdnis'
  | 'destinationNumber'
  | 'uuid'
  | 'source'
  | 'context'
  | 'chanName';
type NumberField = 'callerTon' | 'callerNumplan' | 'destinationNumberTon' | 'destinationNumberNumplan';

const TEXT: ReadonlyMap<string, TextField> = new Map<string, TextField>([
  ['dialplan', 'dialplan'],
  ['username', 'username'],
  ['caller_id_name', 'callerIdName'],
  ['caller_id_number', 'callerIdNumber'],
  ['callee_id_name', 'calleeIdName'],
  ['callee_id_number', 'calleeIdNumber'],
  ['ani', 'ani'],
  ['aniii', 'aniii'],
  ['network_addr', 'networkAddr'],
  ['rdnis', 'rdnis'],
  ['destination_number', 'destinationNumber'],
  ['uuid', 'uuid'],
  ['source', 'source'],
  ['context', 'context'],
  ['chan_name', 'chanName'],
]);

const NUMBERS: ReadonlyMap<string, NumberField> = new Map<string, NumberField>([
  ['caller_ton', 'callerTon'],
  ['caller_numplan', 'callerNumplan'],
  ['destination_number_ton', 'destinationNumberTon'],
  ['destination_number_numplan', 'destinationNumberNumplan'],
]);

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
