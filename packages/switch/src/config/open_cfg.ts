/**
 * switch_xml_open_cfg: a module's `<configuration name="…">`, from an XML-fetch binding of the
 * `configuration` section (tag `configuration`, key `name`) first, else the static XML.
 */
import { type XmlElement, findChild } from './xml.ts';

export interface ConfigurationSource {
  locate(section: 'configuration', tag: string, key: string, value: string): Promise<XmlElement | undefined>;
}

export async function openCfg(source: ConfigurationSource, name: string): Promise<XmlElement | undefined> {
  const section = await source.locate('configuration', 'configuration', 'name', name);
  return section ? findChild(section, 'configuration', 'name', name) : undefined;
}
