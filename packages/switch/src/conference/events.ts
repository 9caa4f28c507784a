/**
 * The CUSTOM `conference::maintenance` events (conference_event.c, conference_member.c): the
 * conference's headers, then for a member its floor, its channel's basic data and its flags, in
 * FreeSWITCH's order; `Action` names what happened.
 */
import { addBasicChannelData } from '../channel/data.ts';
import type { SwitchEvent } from '../events/event.ts';
import type { Member } from './member.ts';

export const CONF_EVENT_MAINT = 'conference::maintenance';

/** What conference_event_add_data reads of a conference. */
export interface ConferenceData {
  readonly name: string;
  readonly domain: string;
  readonly count: number;
  readonly countGhosts: number;
  readonly profileName: string;
  readonly uuid: string;
  /** The conference's variables (`confvar_*` of the globals and the creating channel), merged in. */
  readonly variables: SwitchEvent;
  readonly floorHolder: number;
}

const bool = (b: boolean) => (b ? 'true' : 'false');

/** conference_event_add_data. */
export function addConferenceData(event: SwitchEvent, conf: ConferenceData): void {
  event.addHeader('Conference-Name', conf.name);
  event.addHeader('Conference-Domain', conf.domain);
  event.addHeader('Conference-Size', String(conf.count));
  event.addHeader('Conference-Ghosts', String(conf.countGhosts));
  event.addHeader('Conference-Profile-Name', conf.profileName);
  event.addHeader('Conference-Unique-ID', conf.uuid);
  for (const h of conf.variables.headers) event.addHeader(h.name, h.value);
}

/** conference_member_add_event_data (a profile's verbose-events would add the channel's variables too: not done). */
export function addMemberData(event: SwitchEvent, conf: ConferenceData, member: Member): void {
  addConferenceData(event, conf);
  event.addHeader('Floor', bool(member.id === conf.floorHolder));
  addBasicChannelData(event, member.channel.snapshot());
  event.addHeader('Video', 'false');
  event.addHeader('Hear', bool(member.has('CAN_HEAR')));
  event.addHeader('See', bool(member.has('CAN_BE_SEEN')));
  event.addHeader('Speak', bool(member.has('CAN_SPEAK')));
  event.addHeader('Talking', bool(member.has('TALKING')));
  event.addHeader('Mute-Detect', bool(member.has('MUTE_DETECT')));
  event.addHeader('Hold', bool(member.has('HOLD')));
  event.addHeader('Member-ID', String(member.id));
  event.addHeader('Member-Type', member.has('MOD') ? 'moderator' : 'member');
  event.addHeader('Member-Ghost', bool(member.has('GHOST')));
  event.addHeader('Energy-Level', String(member.energyLevel));
  event.addHeader('Current-Energy', String(member.score));
}
