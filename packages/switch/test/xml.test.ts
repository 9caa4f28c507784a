import { describe, expect, it } from 'vitest';
import { XmlSyntaxError, attr, child, children, findChild, parseXml } from '../src/index.ts';

const DOC = `<?xml version="1.0"?>
<!-- the default context -->
<include>
  <context name="Default">
    <extension name="a &amp; b">
      <condition field="destination_number" expression="^1000$">
        <action application="log">INFO hi &lt;there&gt;</action>
        <action application="set" data="x=1 & 2"/>
      </condition>
    </extension>
  </context>
  <X-PRE-PROCESS cmd="include" data="default/*.xml"/>
</include>
`;

describe('XML loader', () => {
  it('builds the element tree with attributes, text and the line of each element', () => {
    const root = parseXml(DOC, 'dialplan/default.xml');
    expect(root.name).toBe('include');
    expect(root.line).toBe(3);
    const context = findChild(root, 'context', 'name', 'default')!;
    expect(context.line).toBe(4);
    const ext = child(context, 'extension')!;
    expect(attr(ext, 'name')).toBe('a & b');
    const actions = children(child(ext, 'condition')!, 'action');
    expect(actions.map((a) => [a.line, a.text, attr(a, 'data')])).toEqual([
      [7, 'INFO hi <there>', undefined],
      [8, '', 'x=1 & 2'],
    ]);
    expect(child(root, 'X-PRE-PROCESS')).toMatchObject({
      attributes: { cmd: 'include', data: 'default/*.xml' },
      line: 12,
      file: 'dialplan/default.xml',
    });
    expect(attr(root, 'nope')).toBeUndefined();
  });

  it('a syntax error names the file, the line and the column', () => {
    const broken = '<include>\n  <context name="default">\n    <extension name="x">\n  </context>\n</include>\n';
    let error: unknown;
    try {
      parseXml(broken, 'dialplan/default.xml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XmlSyntaxError);
    const e = error as XmlSyntaxError;
    expect(e.file).toBe('dialplan/default.xml');
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/^dialplan\/default\.xml:4:\d+: .*extension/);
  });

  it('a stray & in text, an empty document and two roots are errors too', () => {
    expect(() => parseXml('<a>\n  1 & 2\n</a>', 'f.xml')).toThrow(/^f\.xml:2:\d+: /);
    expect(() => parseXml('', 'e.xml')).toThrow(/^e\.xml:1:1: /);
    expect(() => parseXml('<a/><b/>', 'two.xml')).toThrow(XmlSyntaxError);
  });
});
