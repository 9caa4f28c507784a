import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfError, aclCheck, attr, children, loadConf } from '../src/index.ts';

const DEFAULT_CONF = join(dirname(fileURLToPath(import.meta.url)), '..', 'conf');

export function confDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'beamline-conf-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('conf loading', () => {
  it('the shipped default conf: switch.conf, acl lists, the dialplan with its included extensions', () => {
    const conf = loadConf(DEFAULT_CONF, [['local_ip_v4', '10.0.0.5']]);
    expect(conf.globals.get('domain')).toBe('10.0.0.5');
    expect(conf.globals.get('default_context')).toBe('default');
    expect([...conf.switchConf.params]).toEqual([
      ['loglevel', 'debug'],
      ['max-sessions', '1000'],
      ['sessions-per-second', '30'],
      ['event-heartbeat-interval', '20'],
    ]);
    expect(aclCheck(conf.acl.get('lan')!, '192.168.42.1')).toBe(false);
    expect(aclCheck(conf.acl.get('loopback.auto')!, '127.0.0.1')).toBe(true);
    const ctx = children(conf.dialplan!, 'context')[0]!;
    expect(children(ctx, 'extension').map((e) => [attr(e, 'name'), e.file?.replace(DEFAULT_CONF, ''), e.line])).toEqual([
      ['park_1000', '/dialplan/default.xml', 3],
      ['echo', '/dialplan/default/01_echo.xml', 2],
    ]);
  });

  it('set and $${} expansion, include globs relative to the including file, sorted', () => {
    const dir = confDir({
      'freeswitch.xml': `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <X-PRE-PROCESS cmd="set" data="who = world "/>
  <section name="dialplan">
    <X-PRE-PROCESS cmd="include" data="dp/*.xml"/>
  </section>
</document>`,
      'dp/b.xml': '<include>\n<context name="b"/>\n</include>\n',
      'dp/a.xml': '<include>\n<context name="a" x="$${who}" y="$${nope}"/>\n<X-PRE-PROCESS cmd="include" data="more/*.xml"/>\n</include>\n',
      'dp/more/c.xml': '<context name="c"/>\n',
      'dp/z.txt': '<broken',
    });
    const conf = loadConf(dir);
    expect(conf.globals.get('who')).toBe('world ');
    expect(children(conf.dialplan!, 'context').map((c) => [attr(c, 'name'), c.file?.slice(dir.length), c.line])).toEqual([
      ['a', '/dp/a.xml', 2],
      ['c', '/dp/more/c.xml', 1],
      ['b', '/dp/b.xml', 2],
    ]);
    expect(children(conf.dialplan!, 'context')[0]!.attributes).toEqual({ name: 'a', x: 'world ', y: '' });
    expect(conf.messages).toEqual([]);
  });

  it('an include that matches nothing is logged at INFO', () => {
    const dir = confDir({ 'freeswitch.xml': '<document>\n<X-PRE-PROCESS cmd="include" data="none/*.xml"/>\n</document>\n' });
    expect(loadConf(dir).messages).toEqual([{ level: 'INFO', text: `No files to include at ${join(dir, 'none/*.xml')}` }]);
  });

  /** The ConfError of a freeswitch.xml that includes `c/<name>` with `text` in its configuration section. */
  const includedError = (name: string, text: string): { dir: string; e: ConfError } => {
    const dir = confDir({
      'freeswitch.xml': '<document>\n<section name="configuration">\n<X-PRE-PROCESS cmd="include" data="c/*.xml"/>\n</section>\n</document>\n',
      [`c/${name}`]: text,
    });
    try {
      loadConf(dir);
    } catch (e) {
      if (e instanceof ConfError) return { dir, e };
      throw e;
    }
    throw new Error('loadConf accepted a broken document');
  };

  it('a syntax error names the included file and its line; FreeSWITCH text counts lines of the combined document', () => {
    const { dir, e } = includedError(
      'x.xml',
      '<configuration name="x.conf">\n  <settings>\n    <param name="a" value="1">\n  </settings>\n</configuration>\n',
    );
    expect([e.file.slice(dir.length), e.line]).toEqual(['/c/x.xml', 4]);
    expect(e.message).toMatch(/x\.xml:4: /);
    expect(e.fsText).toMatch(/^\[error near line 6\]: /);
    // the unclosed tag's line is the included file's, not the combined document's
    expect(e.message).toContain(`(opened at ${join(dir, 'c/x.xml')}:3, col `);
    expect(e.fsText).toMatch(/\(opened in line 5, col \d+\)/);
  });

  it('an element left open at the end of an included file: the error also names the end of that file', () => {
    const { dir, e } = includedError('zz.xml', '<configuration name="zz.conf">\n</configuration>\n<junk\n');
    expect([e.file, e.line]).toEqual([join(dir, 'freeswitch.xml'), 4]);
    expect(e.message).toContain(`(the line before is the last of ${join(dir, 'c/zz.xml')}, line 3)`);
  });

  it('a missing root: FreeSWITCH text', () => {
    expect(() => loadConf(confDir({}))).toThrow(ConfError);
    try {
      loadConf(confDir({}));
    } catch (e) {
      expect((e as ConfError).fsText).toBe('Cannot Open log directory or XML Root!');
    }
  });
});

describe('pre-processor comments and exec-set / env-set', () => {
  it('<!--#include "…"--> and <!--#set--> as comments; an open comment skips lines to its -->', () => {
    const dir = confDir({
      'freeswitch.xml': `<document type="freeswitch/xml">
  <!--#set "who=comment"-->
  <section name="dialplan">
    <!--#include "dp/a.xml"-->
    <!--#include "dp/b.xml"
    <context name="hidden"/>
    still inside --> <context name="after" x="$\${who}"/>
  </section>
</document>`,
      'dp/a.xml': '<context name="a"/>\n',
      'dp/b.xml': '<context name="b"/>\n',
    });
    const conf = loadConf(dir);
    expect(conf.globals.get('who')).toBe('comment');
    expect(children(conf.dialplan!, 'context').map((c) => [attr(c, 'name'), c.file?.slice(dir.length), c.line])).toEqual([
      ['a', '/dp/a.xml', 1],
      ['b', '/dp/b.xml', 1],
      ['after', '/freeswitch.xml', 7],
    ]);
    expect(children(conf.dialplan!, 'context')[2]!.attributes).toEqual({ name: 'after', x: 'comment' });
  });

  it('exec-set takes a command output (trailing spaces/newlines cut); a failing command logs ERR; env-set reads $VAR', () => {
    process.env.BEAMLINE_CONF_TEST = 'from-env';
    const dir = confDir({
      'freeswitch.xml': `<document type="freeswitch/xml">
  <X-PRE-PROCESS cmd="exec-set" data="out=printf 'hi there \\n\\n'"/>
  <X-PRE-PROCESS cmd="exec-set" data="bad=exit 3"/>
  <X-PRE-PROCESS cmd="env-set" data="e=$BEAMLINE_CONF_TEST"/>
  <X-PRE-PROCESS cmd="env-set" data="unset=$BEAMLINE_CONF_NOT_SET"/>
  <X-PRE-PROCESS cmd="env-set" data="nodollar=BEAMLINE_CONF_TEST"/>
  <!--#exec-set "c=echo comment"-->
  <X-PRE-PROCESS cmd="stun-set" data="ip=stun.example.org"/>
  <section name="x" a="$\${out}|$\${e}|$\${c}"/>
</document>`,
    });
    const conf = loadConf(dir);
    delete process.env.BEAMLINE_CONF_TEST;
    expect(conf.globals.get('out')).toBe('hi there');
    expect(conf.globals.has('bad')).toBe(false);
    expect(conf.globals.get('e')).toBe('from-env');
    expect(conf.globals.has('unset')).toBe(false);
    expect(conf.globals.has('nodollar')).toBe(false);
    expect(conf.globals.get('c')).toBe('comment');
    expect(children(conf.root, 'section')[0]!.attributes.a).toBe('hi there|from-env|comment');
    expect(conf.messages.map((m) => `${m.level} ${m.text}`)).toEqual([
      'ERR Error while executing command: exit 3',
      `ERR X-PRE-PROCESS stun-set is not supported (${join(dir, 'freeswitch.xml')})`,
    ]);
  });
});
