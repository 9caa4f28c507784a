/**
 * Conference profiles: conference_new's reading of conference.conf's `<profile name=…>` params.
 * A param's name may use `_` for `-` and any case; an empty value is skipped; the last of a name
 * wins. A profile the conf lacks is FreeSWITCH's `none`: conference_new's own defaults (energy
 * level 0, no comfort noise, no sounds, no pin). When there is no conference.conf at all the
 * switch keeps what it did before it read one: `default` is vanilla's default profile as far as
 * the mixer goes (energy-level 100, comfort-noise, domain `$${domain}`, no sounds), any other name
 * is `none`.
 */
import type { SwitchCore } from '../core/core.ts';
import { type XmlElement, attr, children } from '../config/xml.ts';
import { atoi, switchTrue, lookup } from '../internal/strings.ts';

/** The sound params: each a file (or `say:` text) or undefined. */
export interface ConferenceSounds {
  /** Into the conference when a member joins one that has others (enter-sound). */
  readonly enter: string | undefined;
  /** To the joining caller alone, before it is a member (member-enter-sound). */
  readonly memberEnter: string | undefined;
  /** Into the conference when a member leaves and others stay (exit-sound). */
  readonly exit: string | undefined;
  /** Into the conference when a member is the only one (alone-sound). */
  readonly alone: string | undefined;
  /** Hold music while one member is alone (moh-sound; `silence` and `indicate_hold` are none). */
  readonly moh: string | undefined;
  /** Played for ever, instead of hold music (perpetual-sound). */
  readonly perpetual: string | undefined;
  readonly muted: string | undefined;
  readonly unmuted: string | undefined;
  /** To a caller refused by a locked conference (locked-sound). */
  readonly locked: string | undefined;
  /** Into the conference when it is locked / unlocked. */
  readonly isLocked: string | undefined;
  readonly isUnlocked: string | undefined;
  /** To a kicked member once it is out (kicked-sound). */
  readonly kicked: string | undefined;
  /** To a caller refused by a full conference (max-members-sound). */
  readonly maxMembers: string | undefined;
  readonly pin: string | undefined;
  readonly badPin: string | undefined;
}

export interface ConferenceProfile {
  /** Conference-Profile-Name. */
  readonly name: string;
  /** No conference.conf was found: vanilla's controls are built in (controls.ts). */
  readonly builtin: boolean;
  /** The rate and interval asked for; the mixer runs 8000 Hz, 20 ms whatever they are. */
  readonly rate: number;
  readonly interval: number;
  readonly energyLevel: number;
  /** switch_generate_sln_silence's divisor; 0: silence is a packet of -1s. */
  readonly comfortNoise: number;
  /** The `domain` param (empty: none). */
  readonly domain: string | undefined;
  readonly callerIdName: string;
  readonly callerIdNumber: string;
  readonly callerControls: string | undefined;
  readonly moderatorControls: string | undefined;
  /** ms a partial digit sequence waits for its next digit (ivr-dtmf-timeout, at least 500). */
  readonly ivrDtmfTimeout: number;
  /** 0: no limit. */
  readonly maxMembers: number;
  readonly pin: string | undefined;
  readonly moderatorPin: string | undefined;
  readonly pinRetries: number;
  readonly sounds: ConferenceSounds;
  /** Where relative sound names are found (sound-prefix; else the first caller's `sound_prefix`). */
  readonly soundPrefix: string | undefined;
  readonly announceCount: number;
  readonly memberFlags: string | undefined;
  readonly conferenceFlags: string | undefined;
  readonly autoRecord: string | undefined;
  /** Seconds nobody talked after which a conference of two or more ends (0: never). */
  readonly terminateOnSilence: number;
  /** Seconds a conference outlives its last mandatory member (mandatory_member_endconf). */
  readonly endconfGraceTime: number;
  /** The speech engine and voice of `say`, `saymember` and `say:` sounds (tts-engine, tts-voice). */
  readonly ttsEngine: string | undefined;
  readonly ttsVoice: string | undefined;
}

type Log = (level: 'ERR' | 'WARNING', text: string) => void;

/** mod_conference_app_name and SWITCH_DEFAULT_CLID_NUMBER: the caller id of a profile that sets none. */
const DEFAULT_CALLER_ID_NAME = 'conference';
const DEFAULT_CALLER_ID_NUMBER = '0000000000';
const RATES = new Set([8000, 12000, 16000, 24000, 32000, 44100, 48000]);
/** SWITCH_MAX_INTERVAL. */
const MAX_INTERVAL = 120;

/** C `strtol(s, NULL, 0)`: `0x` hex, a leading `0` octal, else decimal; 0 when no digits. */
export function strtol(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m?.[2]) return 0;
  const digits = m[2];
  const n = /^0[xX]/.test(digits) ? Number.parseInt(digits.slice(2), 16) : digits.startsWith('0') ? Number.parseInt(digits, 8) : Number(digits);
  return m[1] === '-' ? -n : n;
}

/** A max-members value conference_new accepts: not negative as an int32, not 1. */
export const validMaxMembers = (n: number): boolean => n >= 0 && n <= 0x7fffffff && n !== 1;

const NO_SOUNDS: ConferenceSounds = {
  enter: undefined,
  memberEnter: undefined,
  exit: undefined,
  alone: undefined,
  moh: undefined,
  perpetual: undefined,
  muted: undefined,
  unmuted: undefined,
  locked: undefined,
  isLocked: undefined,
  isUnlocked: undefined,
  kicked: undefined,
  maxMembers: undefined,
  pin: undefined,
  badPin: undefined,
};

const NONE: ConferenceProfile = {
  name: 'none',
  builtin: false,
  rate: 8000,
  interval: 20,
  energyLevel: 0,
  comfortNoise: 0,
  domain: undefined,
  callerIdName: DEFAULT_CALLER_ID_NAME,
  callerIdNumber: DEFAULT_CALLER_ID_NUMBER,
  callerControls: undefined,
  moderatorControls: undefined,
  ivrDtmfTimeout: 500,
  maxMembers: 0,
  pin: undefined,
  moderatorPin: undefined,
  pinRetries: 3,
  sounds: NO_SOUNDS,
  soundPrefix: undefined,
  announceCount: 0,
  memberFlags: undefined,
  conferenceFlags: undefined,
  autoRecord: undefined,
  terminateOnSilence: 0,
  endconfGraceTime: 0,
  ttsEngine: undefined,
  ttsVoice: undefined,
};

/** The profile when the switch has no conference.conf (see above). */
export function builtinProfile(name: string, core: SwitchCore): ConferenceProfile {
  if (name !== 'default') return { ...NONE, builtin: true };
  return { ...NONE, name, builtin: true, energyLevel: 100, comfortNoise: 1400, domain: core.globals.get('domain') || undefined };
}

/** The sound params by their conf names. */
const SOUND_PARAMS: Readonly<Record<string, keyof ConferenceSounds>> = {
  'enter-sound': 'enter',
  'member-enter-sound': 'memberEnter',
  'exit-sound': 'exit',
  'alone-sound': 'alone',
  'moh-sound': 'moh',
  'perpetual-sound': 'perpetual',
  'muted-sound': 'muted',
  'unmuted-sound': 'unmuted',
  'locked-sound': 'locked',
  'is-locked-sound': 'isLocked',
  'is-unlocked-sound': 'isUnlocked',
  'kicked-sound': 'kicked',
  'max-members-sound': 'maxMembers',
  'pin-sound': 'pin',
  'bad-pin-sound': 'badPin',
};

/** switch_is_moh: hold music that is not silence or a hold indication. */
const isMoh = (s: string) => !/^(silence|indicate_hold)$/i.test(s);

/** conference_new's profile: `el` is the `<profile>` (undefined: the conf has none of that name). */
export function parseProfile(el: XmlElement | undefined, log: Log): ConferenceProfile {
  if (!el) return NONE;
  const p: { -readonly [K in keyof ConferenceProfile]: ConferenceProfile[K] } = { ...NONE, name: attr(el, 'name') ?? '' };
  const sounds: { -readonly [K in keyof ConferenceSounds]: ConferenceSounds[K] } = { ...NO_SOUNDS };
  let energy: string | undefined;
  for (const param of children(el, 'param')) {
    const name = (attr(param, 'name') ?? '').replaceAll('_', '-').toLowerCase();
    const val = attr(param, 'value') ?? '';
    if (val === '') continue;
    const sound = lookup(SOUND_PARAMS, name);
    if (sound) {
      if (sound !== 'moh' || isMoh(val)) sounds[sound] = val;
      continue;
    }
    switch (name) {
      case 'rate': {
        const n = atoi(val);
        if (n === 0 && val.toLowerCase() === 'auto') p.rate = 8000;
        else if (RATES.has(n)) p.rate = n;
        break;
      }
      case 'interval': {
        const n = atoi(val);
        if (n === 0 && val.toLowerCase() === 'auto') p.interval = 20;
        else if (n > 0 && n <= MAX_INTERVAL && n % 10 === 0) p.interval = n;
        else log('WARNING', `Interval must be multipe of 10 and less than ${MAX_INTERVAL}, Using default of 20`);
        break;
      }
      case 'domain':
        p.domain = val;
        break;
      case 'energy-level':
        energy = val;
        break;
      case 'comfort-noise': {
        const n = atoi(val);
        if (n > 1 && n < 10000) p.comfortNoise = n;
        else if (switchTrue(val)) p.comfortNoise = 1400;
        break;
      }
      case 'caller-id-name':
        p.callerIdName = val;
        break;
      case 'caller-id-number':
        p.callerIdNumber = val;
        break;
      case 'caller-controls':
        p.callerControls = val;
        break;
      case 'moderator-controls':
        p.moderatorControls = val;
        break;
      case 'ivr-dtmf-timeout': {
        const n = atoi(val);
        if (n < 500) log('WARNING', `not very smart value for ivr-dtmf-timeout found (${n}), defaulting to 500ms`);
        p.ivrDtmfTimeout = Math.max(n, 500);
        break;
      }
      case 'max-members': {
        const n = strtol(val);
        p.maxMembers = validMaxMembers(n) ? n : 0;
        if (!validMaxMembers(n)) log('ERR', `max-members ${val} is invalid, not setting a limit`);
        break;
      }
      case 'pin':
        p.pin = val;
        break;
      case 'moderator-pin':
        p.moderatorPin = val;
        break;
      case 'pin-retries': {
        const n = atoi(val);
        if (n >= 0) p.pinRetries = n;
        break;
      }
      case 'sound-prefix':
        p.soundPrefix = val;
        break;
      case 'announce-count':
        p.announceCount = strtol(val);
        break;
      case 'member-flags':
        p.memberFlags = val;
        break;
      case 'conference-flags':
        p.conferenceFlags = val;
        break;
      case 'auto-record':
        p.autoRecord = val;
        break;
      case 'terminate-on-silence':
        p.terminateOnSilence = atoi(val);
        break;
      case 'endconf-grace-time':
        p.endconfGraceTime = atoi(val);
        break;
      case 'tts-engine':
        p.ttsEngine = val;
        break;
      case 'tts-voice':
        p.ttsVoice = val;
        break;
    }
  }
  if (energy !== undefined) p.energyLevel = Math.max(atoi(energy), 0);
  return { ...p, sounds };
}
