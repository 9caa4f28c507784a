/**
 * switch_xml_open_cfg: a module's `<configuration name="…">`, from an XML-fetch binding of the
 * `configuration` section (tag `configuration`, key `name`) first, else the static XML.
 */
import type { SwitchEvent } from '../events/event.ts';
import { type XmlElement, findChild } from './xml.ts';

export interface ConfigurationSource {
  locate(section: 'configuration', tag: string, key: string, value: string, params?: SwitchEvent): Promise<XmlElement | undefined>;
}

/** `params` go to the bindings with the request (conference.conf sends the conference's names). */
export async function openCfg(source: ConfigurationSource, name: string, params?: SwitchEvent): Promise<XmlElement | undefined> {
  const section = await source.locate('configuration', 'configuration', 'name', name, params);
  return section ? findChild(section, 'configuration', 'name', name) : undefined;
}
