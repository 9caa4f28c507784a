/**
 * The sounds a conference plays into itself, everyone in it hearing them (conference_member_add,
 * conference_member_del, conference_thread_run's hold music, the lock toggles). Each goes
 * through conference_file_play (Conference.filePlay), which fires nothing when it plays — only
 * play-file-done once the file is over or stopped — and play-file with an Error when the file
 * does not open.
 */
import type { Channel } from '../channel/channel.ts';
import { switchTrue } from '../internal/strings.ts';
import type { ConferenceFiles } from './file_play.ts';
import type { ConferenceFlag } from './flags.ts';
import type { Member } from './member.ts';
import type { ConferenceProfile } from './profile.ts';

/** conference_file_play's outcome: played, the file not found (or not given), or nothing to play it to. */
export type FilePlayStatus = 'success' | 'notfound' | 'false';

/** What the sounds need of their conference (conference.ts). */
export interface SoundHost {
  readonly count: number;
  readonly flags: ReadonlySet<ConferenceFlag>;
  readonly files: ConferenceFiles;
  readonly profile: ConferenceProfile;
  readonly mohSound: string | undefined;
  readonly perpetualSound: string | undefined;
  mohWait: number;
  /** conference_file_play. */
  filePlay(file: string | undefined, leadin: number, ch: Channel | undefined, async: boolean): FilePlayStatus;
}

/** CONF_DEFAULT_LEADIN: ticks of quiet before a sound (400 ms). */
export const CONF_DEFAULT_LEADIN = 20;
/** Ticks hold music waits after it failed to play (2 s). */
const MOH_RETRY_TICKS = 2000 / 20;

const permanentWaitModMoh = (m: Member) => switchTrue(m.channel.variable('conference_permanent_wait_mod_moh'));

/**
 * conference_member_add's, the member already counted: once others are in, hold music stops and
 * the enter sound (the channel's `conference_enter_sound`, else the profile's) plays; the first
 * one in hears the alone sound, unless the conference waits for a moderator or plays a perpetual
 * sound. (announce-count and a lone caller without an alone sound are spoken by TTS: no engine here.)
 */
export function joinSounds(conf: SoundHost, m: Member): void {
  const ch = m.channel;
  const waitMod = conf.flags.has('WAIT_MOD');
  if (conf.count > 1) {
    if ((conf.mohSound && !waitMod) || (waitMod && !permanentWaitModMoh(m))) conf.files.stop('async');
    if (conf.flags.has('ENTER_SOUND') && !m.has('SILENT'))
      conf.filePlay(ch.variable('conference_enter_sound') || conf.profile.sounds.enter, CONF_DEFAULT_LEADIN, ch, false);
  }
  const { announceCount } = conf.profile;
  const announced = announceCount > 1 && conf.count >= announceCount;
  const alone = conf.profile.sounds.alone;
  if (announced || conf.count !== 1 || conf.perpetualSound || waitMod || conf.flags.has('BRIDGE_TO')) return;
  if (alone && !m.has('GHOST')) {
    conf.files.stop('async');
    conf.filePlay(alone, CONF_DEFAULT_LEADIN, ch, false);
  }
}

/** The channel's `conference_exit_sound`, played as conference_member_del begins; whether there was one. */
export function exitSoundOfChannel(conf: SoundHost, m: Member): boolean {
  const own = m.channel.variable('conference_exit_sound');
  if (own !== undefined) conf.filePlay(own, CONF_DEFAULT_LEADIN, m.channel, false);
  return own !== undefined;
}

/**
 * conference_member_del's, when the conference goes on: hold music waiting for a moderator stops,
 * the exit sound plays (unless the channel had its own), and one left alone hears the alone sound.
 */
export function leaveSounds(conf: SoundHost, m: Member, ownExitSound: boolean): void {
  const ch = m.channel;
  const waitMod = conf.flags.has('WAIT_MOD');
  if (!permanentWaitModMoh(m) && waitMod) conf.files.stop('async');
  const { exit, alone } = conf.profile.sounds;
  if (!ownExitSound && exit && conf.flags.has('EXIT_SOUND') && !m.has('SILENT')) conf.filePlay(exit, 0, ch, false);
  if (conf.count === 1 && alone && !waitMod && !m.has('GHOST')) {
    conf.files.stop('async');
    conf.filePlay(alone, 0, ch, false);
  }
}

/**
 * conference_thread_run's hold music, once a tick before the mix: the perpetual sound whenever no
 * async file plays; else the hold music while one member is alone (none of the running members
 * `nomoh`) or the conference waits for a moderator, and nothing else plays. Hold music is the async
 * file, so a new one ends it; when it could not be played it is tried again 2 s later.
 */
export function holdMusic(conf: SoundHost, running: readonly Member[]): void {
  if (conf.mohWait > 0) {
    conf.mohWait--;
    return;
  }
  const { files } = conf;
  const perpetual = conf.perpetualSound;
  const moh = conf.mohSound;
  const nomoh = running.some((m) => m.has('NOMOH'));
  let status = 'success';
  if (perpetual && !files.playingAsync) status = conf.filePlay(perpetual, CONF_DEFAULT_LEADIN, undefined, true);
  else if (moh && ((!nomoh && conf.count === 1) || conf.flags.has('WAIT_MOD')) && !files.playingAsync && !files.queued)
    status = conf.filePlay(moh, CONF_DEFAULT_LEADIN, undefined, true);
  if (status !== 'success') conf.mohWait = MOH_RETRY_TICKS;
}

/** conference_loop_lock_toggle / conference_api_sub_lock: is-locked-sound / is-unlocked-sound, before the flag changes. */
export function lockSound(conf: SoundHost, locked: boolean): void {
  const { isLocked, isUnlocked } = conf.profile.sounds;
  const sound = locked ? isLocked : isUnlocked;
  if (sound) conf.filePlay(sound, CONF_DEFAULT_LEADIN, undefined, false);
}
