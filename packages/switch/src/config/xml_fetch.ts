/**
 * XML search bindings (switch_xml_bind_search_function / switch_xml_locate): modules that serve
 * configuration, directory, dialplan… documents at lookup time (mod_xml_curl, mod_erlang_event).
 * A lookup asks each binding for the section in binding order; the first that gives a document
 * with that section wins; a document whose `result` section says `not found`, or none, passes to
 * the next binding; the static XML is the fallback.
 */
import type { SwitchEvent } from '../events/event.ts';
import { type XmlElement, attr, child, findChild } from './xml.ts';

/** The sections FreeSWITCH looks up (switch_xml_section_t). */
export const XML_SECTIONS = ['configuration', 'directory', 'dialplan', 'languages', 'chatplan', 'channels'] as const;
export type XmlSectionName = (typeof XML_SECTIONS)[number];

export interface XmlFetchRequest {
  readonly section: XmlSectionName;
  /** Tag name, key name and key value; undefined = NULL (the dialplan lookup passes none). */
  readonly tagName: string | undefined;
  readonly keyName: string | undefined;
  readonly keyValue: string | undefined;
  /** The lookup's parameters (a REQUEST_PARAMS event), if any. */
  readonly params: SwitchEvent | undefined;
}

/** A binding's search function: the document (`<document>` root or the `<section>` itself), or nothing. */
export type XmlSearchFunction = (request: XmlFetchRequest) => Promise<XmlElement | undefined>;

interface Binding {
  readonly name: string;
  readonly sections: ReadonlySet<XmlSectionName>;
  readonly search: XmlSearchFunction;
}

export class XmlBindings {
  readonly #bindings: Binding[] = [];

  constructor(private readonly log: (level: 'ERR' | 'DEBUG', text: string) => void = () => {}) {}

  /** Adds a binding for `sections`; returns its removal. */
  bind(name: string, sections: readonly XmlSectionName[], search: XmlSearchFunction): () => void {
    const b: Binding = { name, sections: new Set(sections), search };
    this.#bindings.push(b);
    return () => {
      const i = this.#bindings.indexOf(b);
      if (i >= 0) this.#bindings.splice(i, 1);
    };
  }

  /** Whether any binding serves `section` (a lookup without one stays synchronous). */
  serves(section: XmlSectionName): boolean {
    return this.#bindings.some((b) => b.sections.has(section));
  }

  /** The `<section name=…>` the first binding that has it gives; undefined: fall back to the static XML. */
  async fetch(request: XmlFetchRequest): Promise<XmlElement | undefined> {
    for (const b of [...this.#bindings]) {
      if (!b.sections.has(request.section)) continue;
      let doc: XmlElement | undefined;
      try {
        doc = await b.search(request);
      } catch (e) {
        this.log('ERR', `XML binding ${b.name} failed: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      if (!doc) continue;
      const result = doc.name === 'section' ? doc : findChild(doc, 'section', 'name', 'result');
      if (result && attr(result, 'name') === 'result') {
        const status = child(result, 'result');
        this.log('DEBUG', `XML binding ${b.name}: result ${status ? (attr(status, 'status') ?? '') : ''}`);
        continue;
      }
      const section = doc.name === 'section' ? doc : findChild(doc, 'section', 'name', request.section);
      if (section && attr(section, 'name') === request.section) return section;
    }
    return undefined;
  }
}
