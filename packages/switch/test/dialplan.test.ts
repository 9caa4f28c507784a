// biome-ignore-all lint/suspicious/noTemplateCurlyInString: FreeSWITCH ${var} syntax is what these tests are about
import { describe, expect, it } from 'vitest';
import {
  NO_TIMES,
  asteriskToRegex,
  captures,
  huntDialplan,
  newVariables,
  parseXml,
  regexPerform,
  substitute,
  type CallerProfile,
  type DialplanEnv,
  type XmlElement,
} from '../src/index.ts';

describe('regular expressions (switch_regex_perform)', () => {
  it('plain PCRE, unanchored', () => {
    expect(regexPerform('91000', '1000').matched).toBe(true);
    expect(regexPerform('1000', '^(\\d{2})(\\d+)$').match?.slice(0, 3)).toEqual(['1000', '10', '00']);
  });

  it('/pattern/flags with i and s', () => {
    expect(regexPerform('ALICE', '/^alice$/i').matched).toBe(true);
    expect(regexPerform('a\nb', '/a.b/s').matched).toBe(true);
    expect(regexPerform('a\nb', '/a.b/').matched).toBe(false);
    expect(regexPerform('x', '/x').error).toContain("missing ending '/'");
  });

  it('_ patterns are Asterisk style', () => {
    expect(asteriskToRegex('NXXZ.')).toBe('^[2-9][0-9][0-9][1-9].*$');
    expect(regexPerform('2101', '_NXXZ').matched).toBe(true);
    expect(regexPerform('1101', '_NXXZ').matched).toBe(false);
  });

  it('PCRE-only constructs are translated', () => {
    expect(regexPerform('1000\n', '^1000$').matched).toBe(true);
    expect(regexPerform('ab', '\\Aab\\z').matched).toBe(true);
    expect(regexPerform('AB', '(?i)^ab$').matched).toBe(true);
    expect(regexPerform('55', '^(?P<d>\\d)(?P=d)$').matched).toBe(true);
    expect(regexPerform('[$]', '[$]').matched).toBe(true);
  });

  it('a compile error is no match, with the reason', () => {
    const r = regexPerform('x', '(');
    expect(r.matched).toBe(false);
    expect(r.error).toMatch(/^COMPILE ERROR/);
  });

  it('captures: group 0 and set groups up to the last set one', () => {
    expect(captures(regexPerform('ac', '^(a)(b)?(c)(d)?$').match)).toEqual(['ac', 'a', 'c']);
  });

  it('substitution: $N and ${N}; other $ stay; an unclosed ${N keeps the digits', () => {
    const m = regexPerform('1000', '^(\\d)(\\d+)$').match;
    expect(substitute(m, 'user/$1-$2 ${2}x $9|$ $a ${x}')).toBe('user/1-000 000x |$ $a ${x}');
    expect(substitute(m, '${1x')).toBe('1x');
    expect(substitute(m, '$300')).toBe('');
  });
});

const PROFILE: CallerProfile = {
  direction: 'inbound',
  logicalDirection: 'inbound',
  callerIdName: 'Alice',
  callerIdNumber: '1001',
  destinationNumber: '1000',
  context: 'default',
  dialplan: 'XML',
  times: NO_TIMES,
  screen: true,
  hideName: false,
  hideNumber: false,
};

interface TestEnv extends DialplanEnv {
  vars: ReturnType<typeof newVariables>;
  inline: string[];
  lines: string[];
}

function testEnv(profile: Partial<CallerProfile> = {}, preset: Record<string, string> = {}): TestEnv {
  const vars = newVariables();
  for (const [k, v] of Object.entries(preset)) vars.addHeader(k, v);
  const inline: string[] = [];
  const lines: string[] = [];
  const variable = (name: string) => vars.getHeader(name);
  const e: TestEnv = {
    vars,
    inline,
    lines,
    profile: { ...PROFILE, ...profile },
    channelName: 'loopback/1000-b',
    expansionVariable: (n, i) => (i >= 0 ? vars.getHeaderItem(n, i) : variable(n)),
    variable,
    setVariable: (n, v) => (v === undefined ? vars.delHeader(n) : vars.addHeader(n, v)),
    pushVariable: (n, v) => vars.addHeader(n, v, 'push'),
    deleteVariablesWithPrefix: (p) => {
      for (const h of [...vars.headers]) if (h.name.startsWith(p)) vars.delHeader(h.name);
    },
    executeInline: (app, data) => {
      inline.push(`${app}(${data})`);
      if (app === 'set') {
        const [k, ...v] = data.split('=');
        vars.addHeader(k!, v.join('='));
      }
    },
    log: (level, text) => lines.push(`${level} ${text}`),
  };
  return e;
}

function dialplan(contexts: string): XmlElement {
  return parseXml(`<section name="dialplan">${contexts}</section>`, 'test.xml');
}

function hunt(xml: string, profile: Partial<CallerProfile> = {}, preset: Record<string, string> = {}) {
  const env = testEnv(profile, preset);
  const result = huntDialplan(dialplan(xml), env);
  const apps = result.extension?.applications.map((a) => `${a.application}(${a.data})`);
  return { result, apps, env };
}

const EXT_1000 = `
<context name="default">
  <extension name="x">
    <condition field="destination_number" expression="^1000$">
      <action application="set" data="foo=bar"/>
      <action application="park"/>
    </condition>
  </extension>
</context>`;

describe('XML dialplan hunt (mod_dialplan_xml)', () => {
  it('spec §2.5(a): a matching extension becomes the channel extension', () => {
    const { result, apps, env } = hunt(EXT_1000);
    expect(result.extension).toMatchObject({ name: 'x', number: '1000' });
    expect(apps).toEqual(['set(foo=bar)', 'park()']);
    expect(env.lines[0]).toBe('INFO Processing Alice <1001>->1000 in context default');
    expect(env.lines).toContain('DEBUG Dialplan: loopback/1000-b Regex (PASS) [x] destination_number(1000) =~ /^1000$/ break=on-false');
  });

  it('no match, or no context: no extension (no route)', () => {
    expect(hunt(EXT_1000, { destinationNumber: '2000' }).result.extension).toBeUndefined();
    const missing = hunt(EXT_1000, { context: 'public' });
    expect(missing.result.extension).toBeUndefined();
    expect(missing.env.lines).toContain('WARNING Context public not found');
  });

  it('the global context is the fallback; context names compare in any case', () => {
    const xml = '<context name="global"><extension name="g"><condition><action application="log" data="g"/></condition></extension></context>';
    expect(hunt(xml, { context: 'nowhere' }).apps).toEqual(['log(g)']);
    expect(hunt(EXT_1000, { context: 'DEFAULT' }).apps).toEqual(['set(foo=bar)', 'park()']);
  });

  it('captures become $1.. in action data (not in anti-actions) and DP_MATCH', () => {
    const xml = `<context name="default"><extension name="cap">
      <condition field="destination_number" expression="^(1)(\\d+)$">
        <action application="bridge" data="user/$1-$2@\${domain}"/>
        <anti-action application="log" data="$1"/>
      </condition></extension></context>`;
    const { apps, env } = hunt(xml);
    expect(apps).toEqual(['bridge(user/1-000@${domain})']);
    expect(env.vars.getHeader('DP_MATCH')).toBe('ARRAY::1000|:1|:000');
    expect(hunt(xml, { destinationNumber: 'x' }).apps).toEqual(['log($1)']);
  });

  it('fields: profile names, ${var} expressions, and expanded expressions', () => {
    const xml = `<context name="default"><extension name="v">
      <condition field="\${sip_user}" expression="^\${want}$"><action application="answer"/></condition>
      <condition field="caller_id_name" expression="/^alice$/i"><action application="park"/></condition>
    </extension></context>`;
    expect(hunt(xml, {}, { sip_user: 'bob', want: 'bob' }).apps).toEqual(['answer()', 'park()']);
    expect(hunt(xml, {}, { sip_user: 'bob', want: 'carol' }).apps).toBeUndefined();
  });

  it('an unset field is the empty string; a condition without field always matches', () => {
    const xml = `<context name="default"><extension name="e">
      <condition field="network_addr" expression="^$"/>
      <condition><action application="park"/></condition>
    </extension></context>`;
    expect(hunt(xml).apps).toEqual(['park()']);
  });

  it('break: on-false stops at a failed condition, on-true at a passed one, never goes on', () => {
    const ext = (brk: string, first: string) => `<context name="default"><extension name="b">
      <condition field="destination_number" expression="${first}" break="${brk}">
        <action application="a1"/><anti-action application="anti1"/>
      </condition>
      <condition><action application="a2"/></condition>
    </extension></context>`;
    expect(hunt(ext('on-false', '^9$')).apps).toEqual(['anti1()']);
    expect(hunt(ext('on-true', '^1000$')).apps).toEqual(['a1()']);
    expect(hunt(ext('on-true', '^9$')).apps).toEqual(['anti1()', 'a2()']);
    expect(hunt(ext('never', '^9$')).apps).toEqual(['anti1()', 'a2()']);
    expect(hunt(ext('always', '^1000$')).apps).toEqual(['a1()']);
    expect(hunt(ext('bogus', '^9$')).apps).toEqual(['anti1()']);
  });

  it('the last condition decides whether the extension matched', () => {
    const xml = `<context name="default">
      <extension name="first">
        <condition field="destination_number" expression="^1000$" break="never"><action application="kept"/></condition>
        <condition field="caller_id_number" expression="^nobody$" break="never"/>
      </extension>
      <extension name="second"><condition><action application="also"/></condition></extension>
    </context>`;
    const { result, apps } = hunt(xml);
    expect(apps).toEqual(['kept()', 'also()']);
    expect(result.extension?.name).toBe('first');
  });

  it('continue="true" keeps hunting; every match adds to the same extension', () => {
    const xml = `<context name="default">
      <extension name="one" continue="true"><condition><action application="a"/></condition></extension>
      <extension name="two"><condition field="destination_number" expression="^1000$"><action application="b"/></condition></extension>
      <extension name="three"><condition><action application="c"/></condition></extension>
    </context>`;
    expect(hunt(xml).apps).toEqual(['a()', 'b()']);
  });

  it('inline actions run during the hunt and their variables are seen by later conditions', () => {
    const xml = `<context name="default">
      <extension name="setter" continue="true"><condition><action application="set" data="tier=gold" inline="true"/></condition></extension>
      <extension name="gold"><condition field="\${tier}" expression="^gold$"><action application="park"/></condition></extension>
    </context>`;
    const { apps, env } = hunt(xml);
    expect(env.inline).toEqual(['set(tier=gold)']);
    expect(apps).toEqual(['park()']);
  });

  it('action data from the element text; loop repeats', () => {
    const xml = `<context name="default"><extension name="t"><condition>
      <action application="log">INFO text data</action>
      <action application="beep" loop="3"/>
      <action application="never" loop="0"/>
    </condition></extension></context>`;
    expect(hunt(xml).apps).toEqual(['log(INFO text data)', 'beep()', 'beep()', 'beep()']);
  });

  it('nested conditions run when the parent passed; require-nested="false" forgives their failure', () => {
    const nested = (req: string) => `<context name="default">
      <extension name="n">
        <condition field="destination_number" expression="^1000$"${req}>
          <action application="outer"/>
          <condition field="caller_id_number" expression="^9999$"><action application="inner"/></condition>
        </condition>
      </extension>
      <extension name="next"><condition><action application="fallback"/></condition></extension>
    </context>`;
    expect(hunt(nested('')).apps).toEqual(['outer()', 'fallback()']);
    expect(hunt(nested(' require-nested="false"')).apps).toEqual(['outer()']);
    expect(hunt(nested(''), { callerIdNumber: '9999' }).apps).toEqual(['outer()', 'inner()']);
  });

  it('regex="all|any|xor" with <regex> children; DP_REGEX_MATCH_N captures', () => {
    const xml = (mode: string) => `<context name="default"><extension name="r">
      <condition regex="${mode}">
        <regex field="destination_number" expression="^(10)(\\d+)$"/>
        <regex field="caller_id_number" expression="^1001$"/>
        <action application="ok" data="$2"/>
        <anti-action application="no"/>
      </condition></extension></context>`;
    const all = hunt(xml('all'));
    expect(all.apps).toEqual(['ok(00)']);
    expect(all.env.vars.getHeader('DP_REGEX_MATCH_1')).toBe('ARRAY::1000|:10|:00');
    expect(hunt(xml('all'), { callerIdNumber: '2' }).apps).toEqual(['no()']);
    expect(hunt(xml('any'), { callerIdNumber: '2', destinationNumber: 'x' }).apps).toEqual(['no()']);
    expect(hunt(xml('any'), { destinationNumber: 'x' }).apps).toEqual(['ok()']);
    expect(hunt(xml('xor')).apps).toEqual(['no()']);
    expect(hunt(xml('xor'), { callerIdNumber: '2' }).apps).toEqual(['ok(00)']);
  });

  it('auto_hunt starts at the extension named like the destination', () => {
    const xml = `<context name="default">
      <extension name="first"><condition><action application="first"/></condition></extension>
      <extension name="1000"><condition><action application="named"/></condition></extension>
    </context>`;
    expect(hunt(xml).apps).toEqual(['first()']);
    expect(hunt(xml, {}, { auto_hunt: 'true' }).apps).toEqual(['named()']);
  });

  it('<expression> child instead of the attribute', () => {
    const xml = `<context name="default"><extension name="e"><condition field="destination_number">
      <expression><![CDATA[^(1000|2000)$]]></expression><action application="hit" data="$1"/>
    </condition></extension></context>`;
    expect(hunt(xml).apps).toEqual(['hit(1000)']);
  });

  it('time-of-day attributes never match without a time evaluator', () => {
    const xml = `<context name="default"><extension name="t">
      <condition wday="1-7"><action application="day"/><anti-action application="night"/></condition>
    </extension></context>`;
    expect(hunt(xml).apps).toEqual(['night()']);
    const env = { ...testEnv(), timeMatch: () => 1 as const };
    expect(huntDialplan(dialplan(xml), env).extension?.applications.map((a) => a.application)).toEqual(['day']);
  });
});
