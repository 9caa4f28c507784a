/**
 * conference.conf as mod_conference opens it (switch_xml_open_cfg): through the switch's
 * configuration lookup, so an XML-fetch binding (erl's `{bind, configuration}`) is asked first —
 * tag `configuration`, key `name`, value `conference.conf`, with the caller's params — and the
 * static XML after. It is opened again at each join (conference_function: the profile) and for
 * each member's caller controls (conference_member_bind_controls: the group).
 */
import type { SwitchCore } from '../core/core.ts';
import type { SwitchEvent } from '../events/event.ts';
import { openCfg } from '../config/open_cfg.ts';
import { type XmlElement, child, findChild } from '../config/xml.ts';

/** mod_conference_cf_name. */
export const CONF_NAME = 'conference.conf';

/** The switch's `configuration` lookup (LiveConf.locate). */
export type ConfigurationLocate = (
  section: 'configuration',
  tag: string,
  key: string,
  value: string,
  params: SwitchEvent,
) => Promise<XmlElement | undefined>;

/** The `<configuration name="conference.conf">` element, if any source has it. */
export function openConferenceConf(locate: ConfigurationLocate, params: SwitchEvent): Promise<XmlElement | undefined> {
  return openCfg({ locate }, CONF_NAME, params);
}

/** conference_function's params (a COMMAND event): the conference and profile names, the caller's uuid. */
export function joinParams(core: SwitchCore, conferenceName: string, profileName: string, uuid: string): SwitchEvent {
  const params = core.bus.create('COMMAND');
  params.addHeader('conference_name', conferenceName);
  params.addHeader('profile_name', profileName);
  params.addHeader('Fetch-Call-UUID', uuid);
  return params;
}

/** conference_member_bind_controls' params (a REQUEST_PARAMS event). */
export function controlsParams(core: SwitchCore, conferenceName: string, profileName: string, controls: string, uuid: string): SwitchEvent {
  const params = core.bus.create('REQUEST_PARAMS');
  params.addHeader('Conf-Name', conferenceName);
  params.addHeader('Conf-Profile', profileName);
  params.addHeader('Action', 'request-controls');
  params.addHeader('Controls', controls);
  params.addHeader('Fetch-Call-UUID', uuid);
  return params;
}

/** `<profiles><profile name=…>` (any case). */
export function findProfile(cfg: XmlElement, name: string): XmlElement | undefined {
  const profiles = child(cfg, 'profiles');
  return profiles ? findChild(profiles, 'profile', 'name', name) : undefined;
}
