/**
 * mod_conference's flags (conference_utils.c): the member flags a `+flags{…}` list or the
 * `conference_member_flags` variable sets, the conference flags of `conference_flags`, and the
 * variables both are read from.
 */
import { separateString, switchTrue, lookup } from '../internal/strings.ts';

/** The member flags this module acts on or reports (MFLAG_*). */
export type MemberFlag =
  | 'RUNNING'
  | 'CAN_SPEAK'
  | 'CAN_HEAR'
  | 'CAN_BE_SEEN'
  | 'CAN_SEE'
  | 'KICKED'
  | 'INTREE'
  | 'ENDCONF'
  | 'MANDATORY_MEMBER_ENDCONF'
  | 'TALKING'
  | 'MINTWO'
  | 'MUTE_DETECT'
  | 'DIST_DTMF'
  | 'SKIP_DTMF'
  | 'MOD'
  | 'NOMOH'
  | 'VIDEO_BRIDGE'
  | 'GHOST'
  | 'JOIN_ONLY'
  | 'FLIP_VIDEO'
  | 'POSITIONAL'
  | 'NO_POSITIONAL'
  | 'JOIN_VID_FLOOR'
  | 'NO_VIDEO_BLANKS'
  | 'NO_MINIMIZE_ENCODING'
  | 'SECOND_SCREEN'
  | 'SILENT'
  | 'TALK_DATA_EVENTS'
  | 'HOLD';

/** The conference flags (CFLAG_*); `conference list` names the ones set, in its order (LIST_FLAGS). */
export type ConferenceFlag =
  | 'RUNNING'
  | 'DYNAMIC'
  | 'ENFORCE_MIN'
  | 'DESTRUCT'
  | 'LOCKED'
  | 'ANSWERED'
  | 'BRIDGE_TO'
  | 'WAIT_MOD'
  | 'VID_FLOOR'
  | 'AUDIO_ALWAYS'
  | 'CONF_RESTART_AUTO_RECORD'
  | 'JSON_EVENTS'
  | 'LIVEARRAY_SYNC'
  | 'JSON_STATUS'
  | 'RFC4579'
  | 'POSITIONAL'
  | 'MINIMIZE_VIDEO_ENCODING'
  | 'VIDEO_BRIDGE_FIRST_TWO'
  | 'VIDEO_REQUIRED_FOR_CANVAS'
  | 'VIDEO_MUTE_EXIT_CANVAS'
  | 'MANAGE_INBOUND_VIDEO_BITRATE'
  | 'PERSONAL_CANVAS'
  | 'DED_VID_LAYER_AUDIO_FLOOR'
  | 'BREAKABLE'
  | 'EXIT_SOUND'
  | 'ENTER_SOUND';

const MEMBER_FLAG_WORDS: Readonly<Record<string, readonly MemberFlag[]>> = {
  'mute-detect': ['MUTE_DETECT'],
  'dist-dtmf': ['DIST_DTMF'],
  'skip-dtmf': ['SKIP_DTMF'],
  moderator: ['MOD'],
  nomoh: ['NOMOH'],
  endconf: ['ENDCONF'],
  mandatory_member_endconf: ['MANDATORY_MEMBER_ENDCONF'],
  mintwo: ['MINTWO'],
  'talk-data-events': ['TALK_DATA_EVENTS'],
  'video-bridge': ['VIDEO_BRIDGE'],
  ghost: ['GHOST'],
  'join-only': ['JOIN_ONLY'],
  'flip-video': ['FLIP_VIDEO'],
  positional: ['POSITIONAL'],
  'no-positional': ['NO_POSITIONAL'],
  'join-vid-floor': ['JOIN_VID_FLOOR'],
  'no-video-blanks': ['NO_VIDEO_BLANKS'],
  'no-minimize-encoding': ['NO_MINIMIZE_ENCODING'],
};

/** The flags each word clears (the rest of MEMBER_FLAG_WORDS only set). */
const MEMBER_FLAG_CLEARS: Readonly<Record<string, readonly MemberFlag[]>> = {
  mute: ['CAN_SPEAK', 'TALKING'],
  vmute: ['CAN_BE_SEEN'],
  deaf: ['CAN_HEAR'],
  blind: ['CAN_SEE'],
  'second-screen': ['CAN_SPEAK', 'TALKING', 'CAN_HEAR'],
};

const CONFERENCE_FLAG_WORDS: Readonly<Record<string, ConferenceFlag>> = {
  'wait-mod': 'WAIT_MOD',
  'video-floor-only': 'VID_FLOOR',
  'audio-always': 'AUDIO_ALWAYS',
  'restart-auto-record': 'CONF_RESTART_AUTO_RECORD',
  'json-events': 'JSON_EVENTS',
  'livearray-sync': 'LIVEARRAY_SYNC',
  'livearray-json-status': 'JSON_STATUS',
  'rfc-4579': 'RFC4579',
  'auto-3d-position': 'POSITIONAL',
  'minimize-video-encoding': 'MINIMIZE_VIDEO_ENCODING',
  'video-bridge-first-two': 'VIDEO_BRIDGE_FIRST_TWO',
  'video-required-for-canvas': 'VIDEO_REQUIRED_FOR_CANVAS',
  'video-mute-exit-canvas': 'VIDEO_MUTE_EXIT_CANVAS',
  'manage-inbound-video-bitrate': 'MANAGE_INBOUND_VIDEO_BITRATE',
  'video-muxing-personal-canvas': 'PERSONAL_CANVAS',
  'ded-vid-layer-audio-floor': 'DED_VID_LAYER_AUDIO_FLOOR',
  breakable: 'BREAKABLE',
};

/** The words of a flag list: `,` counts as `|`, at most `max` (the C argv's size). */
const flagWords = (flags: string, max: number) => separateString(flags.replaceAll(',', '|'), '|', max).map((w) => w.toLowerCase());

/** conference_utils_set_mflags: a list (`mute|deaf|moderator`) applied to `f`; the first ten words count. */
export function setMemberFlags(flags: string | undefined, f: Set<MemberFlag>): void {
  if (flags === undefined) return;
  f.add('CAN_SPEAK').add('CAN_HEAR').add('CAN_BE_SEEN');
  for (const word of flagWords(flags, 10)) {
    for (const flag of lookup(MEMBER_FLAG_CLEARS, word) ?? []) f.delete(flag);
    for (const flag of lookup(MEMBER_FLAG_WORDS, word) ?? []) f.add(flag);
    if (word === 'second-screen') f.add('SECOND_SCREEN').add('SILENT');
  }
}

/** conference_utils_set_cflags: the first 25 words count. */
export function setConferenceFlags(flags: string | undefined, f: Set<ConferenceFlag>): void {
  if (flags === undefined) return;
  for (const word of flagWords(flags, 25)) {
    const flag = lookup(CONFERENCE_FLAG_WORDS, word);
    if (flag) f.add(flag);
  }
}

/**
 * conference_utils_combine_flag_var: every global then channel variable named `name` (any case),
 * `|`-joined, plus `<name>_<flag>` variables that are true. As in FreeSWITCH, a `<name>_<flag>`
 * before any value joins onto the C string "(null)", an unknown word.
 */
export function combineFlagVar(variables: readonly (readonly [string, string])[], name: string): string | undefined {
  const lower = name.toLowerCase();
  let ret: string | undefined;
  for (const [n, v] of variables) {
    const ln = n.toLowerCase();
    if (ln === lower) ret = ret ? `${ret}|${v}` : v;
    else if (ln.startsWith(lower) && switchTrue(v) && n[name.length] === '_' && n.length > name.length + 1)
      ret = `${ret ?? '(null)'}|${n.slice(name.length + 1)}`;
  }
  return ret;
}
