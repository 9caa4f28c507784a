/**
 * mod_commands' utilities: cond, regex, url_encode / url_decode, md5, toupper / tolower, and the
 * directory commands user_exists, domain_exists, in_group, group_call, list_users, with the
 * replies and quirks of mod_commands.c.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cond } from '../src/api/cond.ts';
import { flattenDialString } from '../src/api/group_dial_string.ts';
import { parseXml } from '../src/config/xml.ts';
import { type Setup, setup, stopSetup as stop } from './switch_helpers.ts';

describe('cond (cond_function)', () => {
  it('compares numbers as numbers, other text by length, == / != as text when neither is a number', () => {
    expect(cond('1 == 1 ? yes : no')).toBe('yes');
    expect(cond('1 == 1.0 ? yes : no')).toBe('yes');
    expect(cond('10 > 9 ? yes : no')).toBe('yes');
    expect(cond('abc > ab ? longer : shorter')).toBe('longer');
    expect(cond('abc == abd ? same : differ')).toBe('differ');
    expect(cond('abc != abd ? differ : same')).toBe('differ');
    // a number against text: the text's length
    expect(cond('3 == abc ? three : no')).toBe('three');
    expect(cond('-2 < +1 ? yes : no')).toBe('yes');
    expect(cond('2 >= 2 ? ge : lt')).toBe('ge');
    expect(cond('2 <= 1 ? le : gt')).toBe('gt');
    // é is two bytes
    expect(cond('é == 2 ? bytes : chars')).toBe('bytes');
  });

  it('quoted operands are text; the character after the operator is skipped; b needs a space after it', () => {
    // a quoted operand is never a number: its length is compared with the number
    expect(cond("'10' == 2 ? yes : no")).toBe('yes');
    expect(cond("'10' == '2.' ? same : differ")).toBe('differ');
    expect(cond("'a b' == 'a b' ? same : differ")).toBe('same');
    expect(cond("'it\\'s' == 'it\\'s' ? same : differ")).toBe('same');
    expect(cond('1 >x0 ? yes : no')).toBe('yes');
    // b is "?", and no "?" follows
    expect(cond('1 >2 ? yes : no')).toBe('-ERR');
    expect(cond('1 ==x1 ? one : no')).toBe('one');
    expect(cond('1 ==x5 ? one : no')).toBe('no');
    expect(cond('1 <> 1 ? a : b')).toBe('b');
    expect(cond('1 == 1? yes : no')).toBe('-ERR');
    expect(cond("'a'== 'a' ? yes : no")).toBe('-ERR');
  });

  it('a false condition without a false value is empty; the false value keeps further ":"; values are cut as switch_separate_string cuts', () => {
    expect(cond('1 == 2 ? yes')).toBe('');
    expect(cond('1 == 1 ? yes')).toBe('yes');
    expect(cond('1 == 2 ? a : b : c')).toBe('b : c');
    expect(cond("1 == 1 ? 'x : y' : z")).toBe('x : y');
    expect(cond('1 == 1 ?  spaced  : no')).toBe('spaced');
  });

  it('-ERR for a missing operand, operator, "?" or value, and for "=" or "!" alone', () => {
    for (const bad of ['', '1', '1 ==', '1 == 2', '1 = 1 ? a : b', '1 ! 1 ? a : b', '1 == 1 ?', "'open == 1 ? a : b", '1 == 1 : a'])
      expect([bad, cond(bad)]).toEqual([bad, '-ERR']);
  });

  it('runs as an API command and in ${cond(…)}', async () => {
    const t = await setup();
    expect(await t.sw.api('cond 5 > 3 ? big : small')).toBe('big');
    expect(await t.sw.api('eval ${cond(2 == 3 ? same : differ)}')).toBe('differ');
    expect(await t.sw.api('help cond')).toBe('cond,<expr> ? <true val> : <false val>,Evaluate a conditional,mod_commands\n');
    await stop(t);
  });
});

describe('regex (regex_function)', () => {
  it('true / false without a substitution; the substitution with $N or %N; no match: the data, "" (n) or false (b)', async () => {
    const t = await setup();
    expect(await t.sw.api('regex 1000|^1\\d{3}$')).toBe('true');
    expect(await t.sw.api('regex 2000|^1\\d{3}$')).toBe('false');
    expect(await t.sw.api('regex 1234|^(\\d)(\\d+)$|$2-$1')).toBe('234-1');
    expect(await t.sw.api('regex 1234|^(\\d)(\\d+)$|%2-%1')).toBe('234-1');
    expect(await t.sw.api('regex abc|^(\\d+)$|$1')).toBe('abc');
    expect(await t.sw.api('regex abc|^(\\d+)$|$1|n')).toBe('');
    expect(await t.sw.api('regex abc|^(\\d+)$|$1|b')).toBe('false');
    expect(await t.sw.api('regex HELLO|/hello/i')).toBe('true');
    await stop(t);
  });

  it('m:<d> picks "~" or "/" as the separator; -ERR without a pattern; \\s in the arguments is a space', async () => {
    const t = await setup();
    expect(await t.sw.api('regex m:~a|b~^(a)\\|(b)$~$2$1')).toBe('ba');
    expect(await t.sw.api('regex m:/x/x')).toBe('true');
    expect(await t.sw.api('regex a\\sb|^a b$')).toBe('true');
    expect(await t.sw.api('regex a b|^a b$')).toBe('true');
    expect(await t.sw.api('regex onlydata')).toBe('-ERR');
    expect(await t.sw.api('regex')).toBe('-ERR');
    await stop(t);
  });

  it('the substitution fits a buffer of (data + substitution + 10) bytes per capture', async () => {
    const t = await setup();
    // one match, no group: (10 + 12 + 10) × 1 bytes, 31 of the 60 kept
    expect(await t.sw.api('regex aaaaaaaaaa|a+|$0$0$0$0$0$0')).toBe('a'.repeat(31));
    // a group too: (10 + 24 + 10) × 2 bytes, 87 of the 120 kept
    expect(await t.sw.api('regex aaaaaaaaaa|(a+)|$0$0$0$0$0$0$1$1$1$1$1$1')).toBe('a'.repeat(87));
    await stop(t);
  });

  it('a pattern that does not compile logs an error and does not match', async () => {
    const t = await setup();
    expect(await t.sw.api('regex abc|(unclosed|x')).toBe('abc');
    expect(t.logs.some((l) => l.startsWith('ERR '))).toBe(true);
    await stop(t);
  });
});

describe('url_encode, url_decode, md5, toupper, tolower', () => {
  it('as mod_commands writes them', async () => {
    const t = await setup();
    expect(await t.sw.api('url_encode a b&c=d/é')).toBe('a%20b%26c%3Dd/%C3%A9');
    expect(await t.sw.api('url_encode')).toBe('');
    expect(await t.sw.api('url_decode a%20b%26c+d%C3%A9')).toBe('a b&c+dé');
    expect(await t.sw.api('url_decode')).toBe('');
    expect(await t.sw.api('md5 hello')).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(await t.sw.api('md5')).toBe('!err!');
    expect(await t.sw.api('toupper abcé-x')).toBe('ABCé-X');
    expect(await t.sw.api('tolower ABCÉ-X')).toBe('abcÉ-x');
    expect(await t.sw.api('help md5')).toBe('md5,<data>,Return md5 hash,mod_commands\n');
    await stop(t);
  });
});

describe('group_call dial strings (output_flattened_dial_string)', () => {
  it('puts the {…} and <…> variables in front of each leg as […]', () => {
    expect(flattenDialString('user/1000@d')).toBe('user/1000@d');
    expect(flattenDialString('{a=1}{b=2}sofia/x/1,sofia/x/2')).toBe('[a=1][b=2]sofia/x/1,[a=1][b=2]sofia/x/2');
    expect(flattenDialString('<e=1>{a=1}null/a|null/b')).toBe('[a=1][e=1]null/a|[a=1][e=1]null/b');
    expect(flattenDialString('{x=1}null/a,[y=2]null/b')).toBe('[x=1]null/a,[x=1][y=2]null/b');
    expect(flattenDialString('{x=1,local_var_clobber=true}[y=2]null/a')).toBe('[y=2][x=1,local_var_clobber=true]null/a');
    expect(flattenDialString('{a=1}null/a:_:{b=2}null/b:_:null/c')).toBe('[a=1]null/a:_:[b=2]null/b:_:null/c');
    expect(flattenDialString('{a=1} {b=2}null/a')).toBe('[a=1] [b=2]null/a');
    expect(flattenDialString('<x=1,local_var_clobber=true>[y=2]null/a')).toBe('[y=2][x=1,local_var_clobber=true]null/a');
  });

  it('a separator in the last four characters ends the string', () => {
    expect(flattenDialString('null/a,')).toBe('null/a');
    expect(flattenDialString('null/abcd,x/y')).toBe('null/abcd');
    expect(flattenDialString('null/abcd,null/xyzw')).toBe('null/abcd,null/xyzw');
  });
});

const CONF = `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <X-PRE-PROCESS cmd="set" data="domain=example.org"/>
  <section name="directory">
    <domain name="example.org">
      <params><param name="dial-string" value="{presence_id=\${dialed_user}@\${dialed_domain}}\${echo loopback/\${dialed_user}}"/></params>
      <variables><variable name="user_context" value="default"/><variable name="callgroup" value="everyone"/></variables>
      <users><user id="5000"><variables><variable name="effective_caller_id_name" value="Direct"/></variables></user></users>
      <groups>
        <group name="default">
          <users>
            <user id="1000" number-alias="500"><variables><variable name="effective_caller_id_name" value="Alice"/></variables></user>
            <user id="1001"><params><param name="dial-string" value="error/user_busy"/></params><variables><variable name="user_context" value="public"/></variables></user>
            <user id="1002" mailbox="9002"/>
          </users>
        </group>
        <group name="sales">
          <variables><variable name="callgroup" value="sales"/></variables>
          <users><user id="1000" type="pointer"/><user id="1002" type="pointer"/><user id="1009" type="pointer"/></users>
        </group>
        <group name="support">
          <params><param name="group-dial-string" value="loopback/\${dialed_user}/\${dialed_group}"/><param name="dial-string" value="never"/></params>
          <users><user id="2000"/><user id="2001"><params><param name="dial-string" value="{x=1}null/a,[y=2]null/b"/></params></user></users>
        </group>
        <group name="split">
          <variables><variable name="effective_caller_id_number" value="99"/></variables>
          <users><user id="4000"/></users>
          <users><user id="4001"/><user id="5000" type="pointer"/></users>
        </group>
      </groups>
    </domain>
    <domain name="flat.org">
      <users><user id="7"/><user id="8"><variables><variable name="user_context" value="flat"/></variables></user><user id="3000" type="virtual"/></users>
    </domain>
  </section>
  <section name="dialplan">
    <context name="default">
      <extension name="g"><condition field="destination_number" expression="^77$"><action application="set" data="dest=\${group_call(support+F)}"/><action application="park"/></condition></extension>
    </context>
  </section>
</document>`;

describe('directory commands', () => {
  let dir: string;
  let t: Setup;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'utility-dir-'));
    writeFileSync(join(dir, 'freeswitch.xml'), CONF);
    t = await setup({
      confDir: dir,
      dialplan: undefined,
      // mod_sofia's contact lookup, which list_users asks for each user
      apiCommands: [{ name: 'sofia_contact', run: (args) => `contact:${args}` }],
    });
  });
  afterAll(async () => {
    await stop(t);
    rmSync(dir, { recursive: true, force: true });
  });

  it('user_exists <key> <user> <domain>: id or number-alias, any attribute; a pointer and a typed user match too', async () => {
    const ask = (args: string) => t.sw.api(`user_exists ${args}`);
    expect(await ask('id 1000 example.org')).toBe('true');
    expect(await ask('id 500 example.org')).toBe('true');
    expect(await ask('id 1000 EXAMPLE.ORG')).toBe('true');
    expect(await ask('mailbox 9002 example.org')).toBe('true');
    expect(await ask('id 9002 example.org')).toBe('false');
    expect(await ask('id 7 flat.org')).toBe('true');
    // only a group's first <users>; then the domain's own users
    expect(await ask('id 4001 example.org')).toBe('false');
    expect(await ask('id 5000 example.org')).toBe('true');
    expect(await ask('id 1000 nope.org')).toBe('false');
    expect(await ask('id 1000')).toBe('false');
    expect(await ask('')).toBe('false');
    // the pointer's own id, and `type` other than pointer matching any name (find_child_multi's "any test")
    expect(await ask('id 1009 example.org')).toBe('true');
    expect(await ask('id nobody flat.org')).toBe('true');
  });

  it('domain_exists: true / false, nothing for no argument; an XML-fetch binding is asked first', async () => {
    expect(await t.sw.api('domain_exists example.org')).toBe('true');
    expect(await t.sw.api('domain_exists nope.org')).toBe('false');
    expect(await t.sw.api('domain_exists')).toBe('');
    let asked = '';
    const off = t.sw.conf.xmlBindings.bind('dir', ['directory'], async (r) => {
      asked = r.params?.getHeader('domain') ?? '';
      return parseXml('<document type="freeswitch/xml"><section name="directory"><domain name="bound.org"/></section></document>');
    });
    expect(await t.sw.api('domain_exists bound.org')).toBe('true');
    expect(asked).toBe('bound.org');
    off();
  });

  it('a served directory without the domain asked for gives way to the static XML, as switch_xml_locate looks in the root then', async () => {
    const off = t.sw.conf.xmlBindings.bind('dir', ['directory'], async () =>
      parseXml('<document type="freeswitch/xml"><section name="directory"><domain name="other.org"/></section></document>'),
    );
    expect(await t.sw.api('domain_exists example.org')).toBe('true');
    expect(await t.sw.api('user_exists id 1000 example.org')).toBe('true');
    expect(await t.sw.api('domain_exists other.org')).toBe('true');
    off();
  });

  it('in_group <user>[@<domain>],<group>: the group’s users by id; the default domain is the global one', async () => {
    expect(await t.sw.api('in_group 1000@example.org,sales')).toBe('true');
    expect(await t.sw.api('in_group 1009@example.org,sales')).toBe('true');
    expect(await t.sw.api('in_group 2000@example.org,sales')).toBe('false');
    expect(await t.sw.api('in_group 1000,SALES')).toBe('true');
    expect(await t.sw.api('in_group 1000@example.org sales')).toBe('false');
    expect(await t.sw.api('in_group 1000@flat.org,sales')).toBe('false');
  });

  it('group_call: each member’s dial string flattened, joined by "," (+A), "|" (+F), ":_:" (+E); a pointer to nobody finds itself', async () => {
    expect(await t.sw.api('group_call sales@example.org')).toBe(
      '[presence_id=1000@example.org]loopback/1000,[presence_id=1002@example.org]loopback/1002,[presence_id=1009@example.org]loopback/1009',
    );
    expect(await t.sw.api('group_call default+E')).toBe(
      '[presence_id=1000@example.org]loopback/1000:_:error/user_busy:_:[presence_id=1002@example.org]loopback/1002',
    );
    expect(await t.sw.api('group_call support@example.org+EFA')).toBe('loopback/2000/support,[x=1]null/a,[x=1][y=2]null/b');
    expect(await t.sw.api('group_call support@example.org+F')).toBe('loopback/2000/support|[x=1]null/a,[x=1][y=2]null/b');
    expect(await t.sw.api('group_call split@example.org')).toBe('[presence_id=4000@example.org]loopback/4000');
    for (const none of ['', 'nobody@example.org', 'sales@nope.org', 'sales@'])
      expect([none, await t.sw.api(`group_call ${none}`)]).toEqual([none, 'error/NO_ROUTE_DESTINATION']);
  });

  it('group_call from ${group_call(…)} sets dialed_group / dialed_user / dialed_domain on the channel', async () => {
    const uuid = /^\+OK ([0-9a-f-]{36})\n$/.exec(await t.sw.originate('null/1 77'))?.[1];
    await t.settle();
    const get = (v: string) => t.sw.api(`uuid_getvar ${uuid} ${v}`);
    expect(await get('dest')).toBe('loopback/2000/support|[x=1]null/a,[x=1][y=2]null/b');
    expect([await get('dialed_group'), await get('dialed_user'), await get('dialed_domain')]).toEqual(['support', '2001', 'example.org']);
    await t.sw.api(`uuid_kill ${uuid}`);
  });

  it('list_users: one line per user; domain, group and user variables carried on as mod_commands carries them', async () => {
    expect(await t.sw.api('list_users')).toBe(
      'userid|context|domain|group|contact|callgroup|effective_caller_id_name|effective_caller_id_number\n' +
        '1000|default|example.org|default|contact:*/1000@example.org|everyone|Alice|(null)\n' +
        '1001|public|example.org|default|contact:*/1001@example.org|everyone|(null)|(null)\n' +
        '1002|default|example.org|default|contact:*/1002@example.org|everyone|(null)|(null)\n' +
        '1000|default|example.org|sales|contact:*/1000@example.org|sales|Alice|(null)\n' +
        '1002|default|example.org|sales|contact:*/1002@example.org|sales|(null)|(null)\n' +
        '1009|default|example.org|sales|contact:*/1009@example.org|sales|(null)|(null)\n' +
        '2000|default|example.org|support|contact:*/2000@example.org|sales|(null)|(null)\n' +
        '2001|default|example.org|support|contact:*/2001@example.org|sales|(null)|(null)\n' +
        '4000|default|example.org|split|contact:*/4000@example.org|sales|(null)|99\n' +
        '4001|default|example.org|split|contact:*/4001@example.org|sales|(null)|99\n' +
        // a pointer whose user is not in a group's first <users> stays itself
        '5000|default|example.org|split|contact:*/5000@example.org|sales|(null)|99\n' +
        '7|default|flat.org|split|contact:*/7@flat.org|sales|(null)|99\n' +
        '8|flat|flat.org|split|contact:*/8@flat.org|sales|(null)|99\n' +
        '3000|default|flat.org|split|contact:*/3000@flat.org|sales|(null)|99\n' +
        '\n+OK\n',
    );
  });

  it('list_users filters: group (a domain without groups is not filtered), domain, user, context; -USAGE for nine words', async () => {
    const body = async (args: string) => (await t.sw.api(`list_users ${args}`)).split('\n').slice(1, -3);
    expect(await body('group sales')).toEqual([
      '1000|default|example.org|sales|contact:*/1000@example.org|sales|Alice|(null)',
      '1002|default|example.org|sales|contact:*/1002@example.org|sales|(null)|(null)',
      '1009|default|example.org|sales|contact:*/1009@example.org|sales|(null)|(null)',
      '7|default|flat.org|split|contact:*/7@flat.org|sales|(null)|(null)',
      '8|flat|flat.org|split|contact:*/8@flat.org|sales|(null)|(null)',
      '3000|default|flat.org|split|contact:*/3000@flat.org|sales|(null)|(null)',
    ]);
    expect(await body('domain FLAT.org')).toEqual([
      '7|(null)|flat.org|(null)|contact:*/7@flat.org|(null)|(null)|(null)',
      '8|flat|flat.org|(null)|contact:*/8@flat.org|(null)|(null)|(null)',
      '3000|(null)|flat.org|(null)|contact:*/3000@flat.org|(null)|(null)|(null)',
    ]);
    expect(await body('user 1000 domain example.org')).toEqual([
      '1000|default|example.org|default|contact:*/1000@example.org|everyone|Alice|(null)',
      '1000|default|example.org|sales|contact:*/1000@example.org|sales|Alice|(null)',
    ]);
    expect(await body('context public')).toEqual(['1001|public|example.org|default|contact:*/1001@example.org|everyone|(null)|(null)']);
    expect(await t.sw.api('list_users a b c d e f g h i')).toBe('-USAGE: [group <group>] [domain <domain>] [user <user>] [context <context>]\n');
  });

  it('list_users without sofia_contact lists no user (mod_sofia not loaded)', async () => {
    const bare = await setup({ confDir: dir, dialplan: undefined });
    expect(await bare.sw.api('list_users')).toBe(
      'userid|context|domain|group|contact|callgroup|effective_caller_id_name|effective_caller_id_number\n\n+OK\n',
    );
    expect(bare.logs).toContain("DEBUG sofia_contact '*/7@flat.org' failed. status: 1 ");
    await stop(bare);
  });
});
