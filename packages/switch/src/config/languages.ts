/**
 * Languages (switch_xml_locate_language): the `languages` section, from an XML-fetch binding or
 * the static XML, and in it `<language name="…">` with its `<phrases><macros>`; a name with a `-`
 * that is not found is tried again without what follows the `-` (`en-US` → `en`). Each failure is
 * logged as FreeSWITCH logs it. The older `phrases` section is not read.
 */
import type { SwitchEvent } from '../events/event.ts';
import { type XmlElement, child, findChild } from './xml.ts';

export interface LanguageSource {
  locate(section: 'languages', tag: undefined, key: undefined, value: undefined, params: SwitchEvent): Promise<XmlElement | undefined>;
  log(level: 'ERR' | 'WARNING', text: string): void;
}

async function locateExactly(source: LanguageSource, lang: string, params: SwitchEvent): Promise<XmlElement | undefined> {
  const languages = await source.locate('languages', undefined, undefined, undefined, params);
  if (!languages) {
    source.log('ERR', 'Open of languages and phrases failed.');
    return undefined;
  }
  const language = findChild(languages, 'language', 'name', lang);
  if (!language) {
    source.log('ERR', `Can't find language ${lang}.`);
    return undefined;
  }
  const phrases = child(language, 'phrases');
  if (!phrases) {
    source.log('ERR', "Can't find phrases tag.");
    return undefined;
  }
  if (!child(phrases, 'macros')) {
    source.log('ERR', "Can't find macros tag.");
    return undefined;
  }
  return language;
}

/** The `<language>` element of `lang`; `params` (REQUEST_PARAMS) goes to the bindings, its `lang` set to the name tried. */
export async function locateLanguage(source: LanguageSource, lang: string, params: SwitchEvent): Promise<XmlElement | undefined> {
  const found = await locateExactly(source, lang, params);
  const dash = lang.indexOf('-');
  if (found || dash < 0) return found;
  const primary = lang.slice(0, dash);
  source.log('WARNING', `language ${lang} not found. trying ${primary} by removing ${lang.slice(dash + 1)}`);
  params.addHeader('lang', primary);
  return locateExactly(source, primary, params);
}
