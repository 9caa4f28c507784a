/**
 * The layout switch_xml_toxml gives a tree built with switch_xml_new / _add_child_d (no header):
 * two spaces a level, an element always written open and closed (`<a></a>`: its text is never
 * null), attributes in the order they were set, text and attribute values ampencoded.
 */
export interface XmlNode {
  readonly name: string;
  readonly attrs: [string, string][];
  readonly children: XmlNode[];
  text?: string;
}

export const xmlNode = (name: string, attrs: [string, string][] = []): XmlNode => ({ name, attrs, children: [] });

/** switch_xml_ampencode (no UTF-8 escaping); `attr`: quotes, newlines and tabs too. */
function ampencode(s: string, attr: boolean): string {
  let out = '';
  for (const c of s) {
    if (c === '&') out += '&amp;';
    else if (c === '<') out += '&lt;';
    else if (c === '>') out += '&gt;';
    else if (c === '"') out += attr ? '&quot;' : c;
    else if (c === '\n') out += attr ? '&#xA;' : c;
    else if (c === '\t') out += attr ? '&#x9;' : c;
    else if (c === '\r') out += '&#xD;';
    else out += c;
  }
  return out;
}

export function toXml(root: XmlNode): string {
  let s = '';
  const write = (n: XmlNode, depth: number) => {
    if (s.endsWith('>')) s += '\n';
    s += '  '.repeat(depth);
    s += `<${n.name}`;
    for (const [k, v] of n.attrs) s += ` ${k}="${ampencode(v, true)}"`;
    s += '>';
    if (n.children.length > 0) for (const c of n.children) write(c, depth + 1);
    else s += ampencode(n.text ?? '', false);
    if (s.endsWith('\n')) s += '  '.repeat(depth);
    s += `</${n.name}>\n`;
  };
  write(root, 0);
  return s;
}
