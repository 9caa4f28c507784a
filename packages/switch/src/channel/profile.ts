/**
 * The caller profile (switch_caller.c): who is calling whom, and when things happened. Its
 * headers (`Caller-*`, `Other-Leg-*`, `Hunt-*`) and its fields by name (dialplan conditions,
 * `${caller_id_number}`).
 */
import type { SwitchEvent } from '../events/event.ts';
import { caseEqual } from '../internal/strings.ts';
import type { CallDirection } from './states.ts';

/** Microseconds since the epoch; 0 = not reached. */
export interface ProfileTimes {
  readonly profileCreated: number;
  readonly created: number;
  readonly answered: number;
  readonly progress: number;
  readonly progressMedia: number;
  readonly hungup: number;
  readonly transferred: number;
  readonly resurrected: number;
  readonly bridged: number;
  readonly lastHold: number;
  readonly holdAccum: number;
}

export interface CallerProfile {
  readonly direction: CallDirection;
  readonly logicalDirection: CallDirection;
  readonly username?: string;
  readonly dialplan?: string;
  readonly callerIdName?: string;
  readonly callerIdNumber?: string;
  readonly origCallerIdName?: string;
  readonly origCallerIdNumber?: string;
  readonly calleeIdName?: string;
  readonly calleeIdNumber?: string;
  readonly networkAddr?: string;
  readonly ani?: string;
  readonly aniii?: string;
  readonly destinationNumber?: string;
  /** The channel's UUID. */
  readonly uuid?: string;
  /** The module that made the channel (`mod_loopback`, `mod_sofia`, ...). */
  readonly source?: string;
  readonly transferSource?: string;
  readonly context?: string;
  readonly rdnis?: string;
  readonly chanName?: string;
  /** `1` for the first profile, +1 per transfer (a string, as FreeSWITCH keeps it). */
  readonly profileIndex?: string;
  /** set_profile_var extras; headers `<prefix>-<name>` when `softPrefix`, else bare `<name>`. */
  readonly soft?: readonly (readonly [string, string])[];
  readonly softPrefix?: boolean;
  /** Soft fields are found by name lookups (SWITCH_CPF_SOFT_LOOKUP). */
  readonly softLookup?: boolean;
  readonly times?: ProfileTimes;
  /** SWITCH_CPF_SCREEN, set by default. */
  readonly screen: boolean;
  readonly hideName: boolean;
  readonly hideNumber: boolean;
  readonly callerTon?: number;
  readonly callerNumplan?: number;
  readonly destinationNumberTon?: number;
  readonly destinationNumberNumplan?: number;
  readonly aniTon?: number;
  readonly aniNumplan?: number;
  readonly rdnisTon?: number;
  readonly rdnisNumplan?: number;
}

export const DEFAULT_CLID_NAME = '';
export const DEFAULT_CLID_NUMBER = '0000000000';
const UNDEF = 255;

export const NO_TIMES: ProfileTimes = Object.freeze({
  profileCreated: 0,
  created: 0,
  answered: 0,
  progress: 0,
  progressMedia: 0,
  hungup: 0,
  transferred: 0,
  resurrected: 0,
  bridged: 0,
  lastHold: 0,
  holdAccum: 0,
});

/** `<prefix>-<name>` strings made once per prefix: every channel event adds ~30 of them. */
const PREFIXED = new Map<string, Map<string, string>>();

function prefixedNames(prefix: string): Map<string, string> {
  let names = PREFIXED.get(prefix);
  if (names === undefined) {
    names = new Map();
    if (PREFIXED.size < 64) PREFIXED.set(prefix, names);
  }
  return names;
}

function prefixed(names: Map<string, string>, prefix: string, name: string): string {
  let full = names.get(name);
  if (full === undefined) {
    full = `${prefix}-${name}`;
    if (names.size < 256) names.set(name, full);
  }
  return full;
}

/**
 * switch_caller_profile_event_set_data: `<prefix>-Direction` and `-Logical-Direction` always,
 * the text fields only when non-empty, soft fields, the eleven times when the profile has times,
 * then Screen-Bit and the two privacy flags. The orig caller id headers appear when the current
 * caller id field is non-empty (and carry the orig value).
 */
export function addProfileHeaders(event: SwitchEvent, p: CallerProfile, prefix: string): void {
  // a writer object, not closures: this runs for every channel event
  const w = new PrefixedHeaders(event, prefix);
  w.add('Direction', p.direction);
  w.add('Logical-Direction', p.logicalDirection);
  w.opt('Username', p.username);
  w.opt('Dialplan', p.dialplan);
  w.opt('Caller-ID-Name', p.callerIdName);
  w.opt('Caller-ID-Number', p.callerIdNumber);
  if (p.callerIdName) w.add('Orig-Caller-ID-Name', p.origCallerIdName);
  if (p.callerIdNumber) w.add('Orig-Caller-ID-Number', p.origCallerIdNumber);
  w.opt('Callee-ID-Name', p.calleeIdName);
  w.opt('Callee-ID-Number', p.calleeIdNumber);
  w.opt('Network-Addr', p.networkAddr);
  w.opt('ANI', p.ani);
  w.opt('ANI-II', p.aniii);
  w.opt('Destination-Number', p.destinationNumber);
  w.opt('Unique-ID', p.uuid);
  w.opt('Source', p.source);
  w.opt('Transfer-Source', p.transferSource);
  w.opt('Context', p.context);
  w.opt('RDNIS', p.rdnis);
  w.opt('Channel-Name', p.chanName);
  w.opt('Profile-Index', p.profileIndex);
  for (const [name, value] of p.soft ?? []) event.addHeader(p.softPrefix ? `${prefix}-${name}` : name, value);
  const t = p.times;
  if (t) {
    w.add('Profile-Created-Time', String(t.profileCreated));
    w.add('Channel-Created-Time', String(t.created));
    w.add('Channel-Answered-Time', String(t.answered));
    w.add('Channel-Progress-Time', String(t.progress));
    w.add('Channel-Progress-Media-Time', String(t.progressMedia));
    w.add('Channel-Hangup-Time', String(t.hungup));
    w.add('Channel-Transfer-Time', String(t.transferred));
    w.add('Channel-Resurrect-Time', String(t.resurrected));
    w.add('Channel-Bridged-Time', String(t.bridged));
    w.add('Channel-Last-Hold', String(t.lastHold));
    w.add('Channel-Hold-Accum', String(t.holdAccum));
  }
  w.add('Screen-Bit', String(p.screen));
  w.add('Privacy-Hide-Name', String(p.hideName));
  w.add('Privacy-Hide-Number', String(p.hideNumber));
}

class PrefixedHeaders {
  readonly #names: Map<string, string>;
  constructor(
    readonly event: SwitchEvent,
    readonly prefix: string,
  ) {
    this.#names = prefixedNames(prefix);
  }

  add(name: string, value: string | undefined): void {
    this.event.addHeader(prefixed(this.#names, this.prefix, name), value);
  }

  /** Only a non-empty value. */
  opt(name: string, value: string | undefined): void {
    if (value) this.add(name, value);
  }
}

/** The caller profile's text fields by their variable names. */
export const TEXT_FIELDS: readonly (readonly [string, keyof CallerProfile])[] = [
  ['dialplan', 'dialplan'],
  ['username', 'username'],
  ['caller_id_name', 'callerIdName'],
  ['caller_id_number', 'callerIdNumber'],
  ['orig_caller_id_name', 'origCallerIdName'],
  ['orig_caller_id_number', 'origCallerIdNumber'],
  ['callee_id_name', 'calleeIdName'],
  ['callee_id_number', 'calleeIdNumber'],
  ['ani', 'ani'],
  ['aniii', 'aniii'],
  ['network_addr', 'networkAddr'],
  ['rdnis', 'rdnis'],
  ['destination_number', 'destinationNumber'],
  ['uuid', 'uuid'],
  ['source', 'source'],
  ['transfer_source', 'transferSource'],
  ['context', 'context'],
  ['chan_name', 'chanName'],
  ['profile_index', 'profileIndex'],
];

/** Its numbering fields (type of number, numbering plan) by their variable names. */
export const NUMBER_FIELDS: readonly (readonly [string, keyof CallerProfile])[] = [
  ['caller_ton', 'callerTon'],
  ['caller_numplan', 'callerNumplan'],
  ['destination_number_ton', 'destinationNumberTon'],
  ['destination_number_numplan', 'destinationNumberNumplan'],
  ['ani_ton', 'aniTon'],
  ['ani_numplan', 'aniNumplan'],
  ['rdnis_ton', 'rdnisTon'],
  ['rdnis_numplan', 'rdnisNumplan'],
];

const TIME_FIELDS: readonly (readonly [string, keyof ProfileTimes])[] = [
  ['profile_created_time', 'profileCreated'],
  ['created_time', 'created'],
  ['answered_time', 'answered'],
  ['progress_time', 'progress'],
  ['progress_media_time', 'progressMedia'],
  ['hungup_time', 'hungup'],
  ['transferred_time', 'transferred'],
];

/**
 * switch_caller_get_field_by_name: a profile field by its lower-case name (any case), as dialplan
 * conditions and `${...}` see it; undefined when the field is unset or unknown.
 */
export function profileField(p: CallerProfile, name: string): string | undefined {
  // an exact lower-case name is one map lookup; other spellings are lowered (ASCII only, as strcasecmp)
  let get = FIELD_GETTERS.get(name);
  if (get === undefined && /[A-Z]/.test(name)) get = FIELD_GETTERS.get(name.replace(/[A-Z]+/g, (m) => m.toLowerCase()));
  if (get !== undefined) return get(p);
  if (p.softLookup) for (const [key, value] of p.soft ?? []) if (caseEqual(key, name)) return value;
  return undefined;
}

/**
 * switch_caller_profile_clone as originate and bridge use it for the other leg's profile
 * (`Other-Leg-*`): the text fields are copied, the profile index and transfer source are not,
 * the logical direction is the zero value (inbound), and the times are the original's as they are
 * now (switch_caller_profile_dup keeps them as old_times, which the event headers print).
 */
export function cloneProfile(p: CallerProfile): CallerProfile {
  const { profileIndex: _i, transferSource: _t, ...rest } = p;
  return { ...rest, logicalDirection: 'inbound' };
}

/** Lower-case field name → its value, built once (dialplan conditions and `${…}` ask for fields on every event). */
const FIELD_GETTERS: ReadonlyMap<string, (p: CallerProfile) => string | undefined> = new Map<string, (p: CallerProfile) => string | undefined>([
  ...TEXT_FIELDS.map(([key, field]) => [key, (p: CallerProfile) => p[field] as string | undefined] as const),
  ...NUMBER_FIELDS.map(([key, field]) => [key, (p: CallerProfile) => String((p[field] as number | undefined) ?? UNDEF)] as const),
  ['screen_bit', (p: CallerProfile) => String(p.screen)] as const,
  ['privacy_hide_name', (p: CallerProfile) => String(p.hideName)] as const,
  ['privacy_hide_number', (p: CallerProfile) => String(p.hideNumber)] as const,
  ...TIME_FIELDS.map(([key, field]) => [key, (p: CallerProfile) => String((p.times ?? NO_TIMES)[field])] as const),
]);
