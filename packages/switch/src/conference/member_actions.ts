/**
 * What the `conference` API's member commands and the caller controls do alike
 * (conference_api_sub_mute, _unmute, _deaf, _undeaf, called with or without a stream): the flag
 * changed and the event fired; the reply is the caller's. Muting and unmuting are said to the
 * member (the profile's muted-sound / unmuted-sound) unless `indicate` is false (`quiet`).
 */
import type { Conference } from './conference.ts';
import type { Member } from './member.ts';

export function muteMember(conf: Conference, m: Member, indicate = true): void {
  m.flags.delete('CAN_SPEAK');
  m.flags.delete('TALKING');
  if (indicate) indicateToMember(conf, m, conf.profile.sounds.muted);
  m.setScoreIir(conf, 0);
  conf.fireMember(m, 'mute-member');
}

export function unmuteMember(conf: Conference, m: Member, indicate = true): void {
  m.flags.add('CAN_SPEAK');
  if (indicate) indicateToMember(conf, m, conf.profile.sounds.unmuted);
  conf.fireMember(m, 'unmute-member');
}

/**
 * conference_loop_output's MFLAG_INDICATE_MUTE / _UNMUTE: the sound to the member alone, over what
 * it hears; without one FreeSWITCH says "Muted" / "Un-Muted" by TTS, which has no engine here.
 */
function indicateToMember(conf: Conference, m: Member, sound: string | undefined): void {
  if (sound) conf.memberPlayFile(m, sound, true);
}

export function deafMember(conf: Conference, m: Member): void {
  m.flags.delete('CAN_HEAR');
  conf.fireMember(m, 'deaf-member');
}

export function undeafMember(conf: Conference, m: Member): void {
  m.flags.add('CAN_HEAR');
  conf.fireMember(m, 'undeaf-member');
}
