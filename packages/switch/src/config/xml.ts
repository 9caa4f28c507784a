/**
 * The XML tree the switch works on (configuration, dialplan, directory), FreeSWITCH-style
 * lookups on it, and a small loader. The loader uses `fast-xml-parser`: its validator reports
 * the line and column of a syntax error, and its parser gives each element's position, so every
 * element knows its line. Like FreeSWITCH's own parser it tolerates a bare `&` or `<` inside an
 * attribute value.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { caseEqual } from '../internal/strings.ts';

export interface XmlElement {
  readonly name: string;
  /** Attributes by name (names are case-sensitive, as in FreeSWITCH). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The character data directly inside the element (CDATA included), entities decoded. */
  readonly text: string;
  /** 1-based line of the start tag. */
  readonly line: number;
  readonly file?: string;
}

/** switch_xml_attr: the attribute or undefined. */
export function attr(el: XmlElement, name: string): string | undefined {
  return Object.hasOwn(el.attributes, name) ? el.attributes[name] : undefined;
}

/** The children named `name`, in document order (ezxml's child → next chain). */
export function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** switch_xml_child: the first child named `name`. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** switch_xml_find_child: the first child named `name` whose attribute `attrName` equals `value` in any case. */
export function findChild(el: XmlElement, name: string, attrName: string, value: string): XmlElement | undefined {
  return el.children.find((c) => {
    if (c.name !== name) return false;
    const v = attr(c, attrName);
    return v !== undefined && caseEqual(v, value);
  });
}

/** A document that is not well-formed XML: where and why. */
export class XmlSyntaxError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
  constructor(file: string, line: number, column: number, reason: string) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = 'XmlSyntaxError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

const parser = new XMLParser({
  preserveOrder: true,
  captureMetaData: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: true,
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

const startIndex = (node: Node): number => (node as unknown as Record<symbol, { startIndex?: number } | undefined>)[META]?.startIndex ?? 0;

/**
 * Parses a whole document and returns its root element. A document that is not well-formed
 * throws XmlSyntaxError naming `file`, the line and the column.
 */
export function parseXml(source: string, file = '<string>'): XmlElement {
  const verdict = XMLValidator.validate(source, { allowBooleanAttributes: true });
  if (verdict !== true) throw new XmlSyntaxError(file, verdict.err.line ?? 1, verdict.err.col ?? 1, verdict.err.msg);
  const lineStarts = [0];
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (index: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const build = (node: Node): XmlElement | undefined => {
    const name = Object.keys(node).find((k) => k !== ':@');
    if (!name || name.startsWith('#') || name.startsWith('?')) return undefined;
    const kids = (node[name] as Node[]) ?? [];
    const elements: XmlElement[] = [];
    let text = '';
    for (const kid of kids) {
      if ('#text' in kid) text += String(kid['#text']);
      else if ('#cdata' in kid) text += (kid['#cdata'] as Node[]).map((t) => String(t['#text'] ?? '')).join('');
      else {
        const el = build(kid);
        if (el) elements.push(el);
      }
    }
    return { name, attributes: { ...(node[':@'] ?? {}) }, children: elements, text, line: lineOf(startIndex(node)), file };
  };
  const roots = (parser.parse(source) as Node[]).map(build).filter((e): e is XmlElement => e !== undefined);
  if (roots.length !== 1) throw new XmlSyntaxError(file, 1, 1, roots.length ? 'more than one root element' : 'document has no root element');
  return roots[0]!;
}
