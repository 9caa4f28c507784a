/**
 * What the `conference` API's member commands and the caller controls do alike
 * (conference_api_sub_mute, _unmute, _deaf, _undeaf, called with or without a stream): the flag
 * changed and the event fired; the reply is the caller's.
 */
import type { Conference } from './conference.ts';
import type { Member } from './member.ts';

export function muteMember(conf: Conference, m: Member): void {
  m.flags.delete('CAN_SPEAK');
  m.flags.delete('TALKING');
  m.setScoreIir(conf, 0);
  conf.fireMember(m, 'mute-member');
}

export function unmuteMember(conf: Conference, m: Member): void {
  m.flags.add('CAN_SPEAK');
  conf.fireMember(m, 'unmute-member');
}

export function deafMember(conf: Conference, m: Member): void {
  m.flags.delete('CAN_HEAR');
  conf.fireMember(m, 'deaf-member');
}

export function undeafMember(conf: Conference, m: Member): void {
  m.flags.add('CAN_HEAR');
  conf.fireMember(m, 'undeaf-member');
}
