/**
 * The mod_commands API commands Erlang applications send that came last: uuid_pause / pause,
 * uuid_ring_ready, uuid_simplify, coalesce, strftime_tz, xml_locate, find_user_xml,
 * module_exists, load / unload / reload, getcputime, is_lan_addr, interface_ip, xml_flush_cache,
 * xml_wrap, time_test, timer_test, spawn / bg_spawn and log — each with mod_commands.c's replies.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coalesce, strftimeTz } from '../src/api/text_log_commands.ts';
import { isLanAddr } from '../src/api/host_commands.ts';
import { type Setup, parkedNull, setup, stopSetup as stop } from './switch_helpers.ts';

describe('uuid_pause / pause, uuid_ring_ready, uuid_simplify', () => {
  let t: Setup;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => stop(t));

  it('pause: nothing on success, -ERR No such channel! otherwise, the usage without <uuid> <on|off>', async () => {
    const uuid = await parkedNull(t);
    expect(await t.sw.api(`uuid_pause ${uuid} on`)).toBe('');
    expect(await t.sw.api(`pause ${uuid} off`)).toBe('');
    expect(await t.sw.api('uuid_pause 00000000-0000-4000-8000-000000000000 on')).toBe('-ERR No such channel!\n');
    for (const bad of ['uuid_pause', `uuid_pause ${uuid}`, 'pause']) expect(await t.sw.api(bad)).toBe('-USAGE: <uuid> <on|off>\n');
  });

  it('uuid_ring_ready: +OK, -ERROR for no channel, the usage for no uuid or a second word other than queued', async () => {
    const uuid = await parkedNull(t);
    expect(await t.sw.api(`uuid_ring_ready ${uuid}`)).toBe('+OK\n');
    expect(await t.sw.api(`uuid_ring_ready ${uuid} QUEUED`)).toBe('+OK\n');
    expect(await t.sw.api('uuid_ring_ready 00000000-0000-4000-8000-000000000000')).toBe('-ERROR\n');
    expect(await t.sw.api(`uuid_ring_ready ${uuid} ringing`)).toBe('-USAGE: <uuid> [queued]\n');
    expect(await t.sw.api('uuid_ring_ready')).toBe('-USAGE: <uuid> [queued]\n');
  });

  it('uuid_simplify: +OK Success for a session that takes the message, -ERR Operation failed for none', async () => {
    const uuid = await parkedNull(t);
    expect(await t.sw.api(`uuid_simplify ${uuid}`)).toBe('+OK Success\n');
    expect(await t.sw.api('uuid_simplify 00000000-0000-4000-8000-000000000000')).toBe('-ERR Operation failed\n');
    expect(await t.sw.api('uuid_simplify')).toBe('-USAGE: <uuid>\n');
  });
});

describe('coalesce, strftime_tz, log', () => {
  it('coalesce: the first non-empty value; ^^<d> another separator; the usage for nothing', () => {
    expect(coalesce(',,b,c')).toBe('b');
    expect(coalesce('a,b')).toBe('a');
    expect(coalesce('^^;;x;y')).toBe('x');
    expect(coalesce(',,')).toBe('');
    expect(coalesce('')).toBe('-USAGE: [^^<delim>]<value1>,<value2>,...\n');
    expect(coalesce('^^;')).toBe('-USAGE: [^^<delim>]<value1>,<value2>,...\n');
    // written as it is, not as a printf format
    expect(coalesce(',100%s')).toBe('100%s');
  });

  it('strftime_tz: the zone by name, GMT without one, an epoch before |, the default format; -ERR for an unknown zone', () => {
    const now = Date.UTC(2024, 0, 15, 12, 0, 0);
    expect(strftimeTz('America/New_York 1700000000|%Y-%m-%d %H:%M', now)).toBe('2023-11-14 17:13');
    expect(strftimeTz('Europe/Berlin 1700000000|%H:%M', now)).toBe('23:13');
    expect(strftimeTz('Asia/Kolkata', now)).toBe('2024-01-15 17:30:00');
    expect(strftimeTz('', now)).toBe('2024-01-15 12:00:00');
    // the character after | is the format's first (strftime skips it, strftime_tz does not)
    expect(strftimeTz('UTC 0|%Y', now)).toBe('2024');
    expect(strftimeTz('Nowhere/Atall', now)).toBe('-ERR Invalid timezone/format\n');
  });

  it('strftime_tz and log through the API: log writes the line at its level (DEBUG when unknown), an empty DEBUG line without text (switch_api_execute passes "", never NULL)', async () => {
    const t = await setup();
    const lines: string[] = [];
    t.sw.core.logger.subscribe(7, (r) => lines.push(r.data));
    expect(await t.sw.api('strftime_tz UTC 86400|%Y-%m-%d')).toBe('1970-01-02');
    expect(await t.sw.api('log NOTICE hello from erlang')).toBe('+OK\n');
    expect(await t.sw.api('log bogus some text')).toBe('+OK\n');
    expect(await t.sw.api('log lonely')).toBe('+OK\n');
    expect(await t.sw.api('log')).toBe('+OK\n');
    expect(t.logs.at(-1)).toBe('DEBUG ');
    expect(t.logs).toContain('NOTICE hello from erlang');
    expect(t.logs).toContain('DEBUG some text');
    expect(t.logs).toContain('DEBUG lonely');
    // logged where mod_commands' log_function logs it
    expect(lines.filter((l) => l.includes('hello from erlang'))).toEqual([
      expect.stringMatching(/ \[NOTICE\] mod_commands\.c:7247 hello from erlang\n$/),
    ]);
    await stop(t);
  });
});

const CONF = `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="configuration">
    <configuration name="acl.conf" description="Network Lists">
      <network-lists/>
    </configuration>
  </section>
  <section name="directory">
    <domain name="example.org">
      <params><param name="dial-string" value="{x=1}user/\${dialed_user}"/></params>
      <variables><variable name="user_context" value="default"/><variable name="toll_allow" value="domestic"/></variables>
      <groups>
        <group name="sales">
          <variables><variable name="user_context" value="sales"/></variables>
          <users>
            <user id="1000" number-alias="500">
              <params><param name="password" value="pw"/></params>
              <variables><variable name="toll_allow" value="intl"/></variables>
            </user>
          </users>
        </group>
      </groups>
    </domain>
  </section>
</document>
`;

describe('xml_locate, find_user_xml, xml_flush_cache, xml_wrap', () => {
  let dir: string;
  let t: Setup;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'commands-xml-'));
    writeFileSync(join(dir, 'freeswitch.xml'), CONF);
    t = await setup({ confDir: dir, dialplan: undefined });
  });
  afterAll(async () => {
    await stop(t);
    rmSync(dir, { recursive: true, force: true });
  });

  it('xml_locate <section> <tag> <attr> <value>: the element; root: the document; -ERR bad args; nothing found', async () => {
    expect(await t.sw.api('xml_locate configuration configuration name ACL.conf')).toBe(
      '<configuration name="acl.conf" description="Network Lists">\n  <network-lists></network-lists>\n</configuration>\n',
    );
    expect(await t.sw.api('xml_locate root')).toMatch(/^<document type="freeswitch\/xml">\n {2}<section name="configuration">/);
    expect(await t.sw.api('xml_locate')).toBe('-ERR bad args\n');
    expect(await t.sw.api('xml_locate directory domain name')).toBe('-ERR bad args\n');
    expect(await t.sw.api('xml_locate directory domain name nowhere.org')).toBe("can't find anything\n");
    // a section alone: switch_xml_find_child without a tag name answers the section itself
    expect(await t.sw.api('xml_locate configuration')).toMatch(/^<section name="configuration">\n {2}<configuration name="acl.conf"/);
    expect(await t.sw.api('xml_locate nosuchsection')).toBe("can't find anything\n");
  });

  it("find_user_xml: the user with its group and domain merged in, domain-name set; -ERR bad args / can't find user", async () => {
    expect(await t.sw.api('find_user_xml id 1000 example.org')).toBe(
      [
        '<user id="1000" number-alias="500" domain-name="example.org">',
        '  <params>',
        '    <param name="password" value="pw"></param>',
        '    <param name="dial-string" value="{x=1}user/${dialed_user}"></param>',
        '  </params>',
        '  <variables>',
        '    <variable name="toll_allow" value="intl"></variable>',
        '    <variable name="user_context" value="sales"></variable>',
        '  </variables>',
        '  <profile-variables></profile-variables>',
        '</user>',
        '',
      ].join('\n'),
    );
    expect(await t.sw.api('find_user_xml number-alias 500 example.org')).toMatch(/^<user id="1000"/);
    expect(await t.sw.api('find_user_xml id 1000')).toBe('-ERR bad args\n');
    expect(await t.sw.api('find_user_xml id 2000 example.org')).toBe("-ERR can't find user\n");
  });

  it('xml_flush_cache: +OK cleared 0 entries (no cache); xml_wrap: the output in <result>, encoded on request', async () => {
    expect(await t.sw.api('xml_flush_cache id 1000 example.org')).toBe('+OK cleared 0 entries\n');
    expect(await t.sw.api('xml_flush_cache')).toBe('+OK cleared 0 entries\n');
    expect(await t.sw.api('xml_wrap echo hi there')).toBe('<result>\n  <row id="1">\n    <data>hi there</data>\n  </row>\n</result>\n');
    expect(await t.sw.api('xml_wrap encoded echo a b')).toBe('<result>\n  <row id="1">\n    <data>a%20b</data>\n  </row>\n</result>\n');
    expect(await t.sw.api('xml_wrap nosuchcommand')).toBe('<result>\n  <row id="1">\n    <data>INVALID COMMAND!\n</data>\n  </row>\n</result>\n');
    expect(await t.sw.api('xml_wrap')).toBe('-ERR Invalid syntax\n');
  });
});

describe('module_exists, load, unload, reload', () => {
  let t: Setup;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => stop(t));

  it('module_exists: true for a built-in module, false for another name (case counts), nothing for none', async () => {
    expect(await t.sw.api('module_exists mod_commands')).toBe('true');
    expect(await t.sw.api('module_exists mod_dptools')).toBe('true');
    expect(await t.sw.api('module_exists MOD_COMMANDS')).toBe('false');
    expect(await t.sw.api('module_exists mod_nothere')).toBe('false');
    expect(await t.sw.api('module_exists')).toBe('');
  });

  it('load: a built-in module is already loaded, another file does not load; the XML is re-read first', async () => {
    expect(await t.sw.api('load mod_commands')).toBe('-ERR [Module already loaded]\n');
    expect(await t.sw.api('load mod_commands.so')).toBe('-ERR [Module already loaded]\n');
    expect(await t.sw.api('load mod_nothere')).toBe('-ERR [module load file routine returned an error]\n');
    expect(await t.sw.api('load')).toBe('-USAGE: <mod_name>\n');
  });

  it('unload / reload: a built-in module is not unloadable, another is no such module; -f is read and passed over', async () => {
    expect(await t.sw.api('unload mod_commands')).toBe('-ERR [Module is not unloadable]\n');
    expect(await t.sw.api('unload -f mod_dptools')).toBe('-ERR [Module is not unloadable]\n');
    expect(await t.sw.api('unload mod_nothere')).toBe('-ERR [No such module!]\n');
    expect(await t.sw.api('unload -f')).toBe('-ERR [No such module!]\n');
    expect(await t.sw.api('unload')).toBe('-USAGE: [-f] <mod_name>\n');
    expect(await t.sw.api('reload mod_commands')).toBe(
      '-ERR unloading module [Module is not unloadable]\n-ERR loading module [Module already loaded]\n',
    );
    expect(await t.sw.api('reload mod_nothere')).toBe(
      '-ERR unloading module [No such module!]\n-ERR loading module [module load file routine returned an error]\n',
    );
    expect(await t.sw.api('reload')).toBe('-USAGE: [-f] <mod_name>\n');
    // the module's commands still answer
    expect(await t.sw.api('echo still here')).toBe('still here');
  });

  it('with a conf/ loaded, load and reload say +OK Reloading XML first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'commands-mod-'));
    writeFileSync(join(dir, 'freeswitch.xml'), CONF);
    const c = await setup({ confDir: dir, dialplan: undefined });
    expect(await c.sw.api('load mod_sofia')).toBe('+OK Reloading XML\n-ERR [module load file routine returned an error]\n');
    expect(await c.sw.api('reload mod_commands')).toBe(
      '+OK Reloading XML\n-ERR unloading module [Module is not unloadable]\n-ERR loading module [Module already loaded]\n',
    );
    await stop(c);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('getcputime, is_lan_addr, interface_ip, spawn / bg_spawn, time_test, timer_test', () => {
  let t: Setup;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => stop(t));

  it('getcputime: "<user ms>, <kernel ms>"; reset counts from now on', async () => {
    const first = await t.sw.api('getcputime');
    expect(first).toMatch(/^\d+, \d+$/);
    const [user] = first.split(', ').map(Number);
    expect(user).toBeGreaterThan(0);
    await t.sw.api('getcputime reset');
    const [after] = (await t.sw.api('getcputime')).split(', ').map(Number);
    expect(after).toBeLessThan(user ?? 0);
  });

  it('is_lan_addr: switch_is_lan_addr prefixes as text', async () => {
    for (const ip of ['10.1.2.3', '192.168.0.1', '127.0.0.1', '172.16.0.1', '172.31.9.9', '169.254.1.1', '192.0.2.5', '1.2.3.4', '0.0.0.0'])
      expect([ip, isLanAddr(ip)]).toEqual([ip, true]);
    for (const ip of ['8.8.8.8', '172.32.0.1', '11.0.0.1', '', '::1']) expect([ip, isLanAddr(ip)]).toEqual([ip, false]);
    expect(await t.sw.api('is_lan_addr 192.168.1.1')).toBe('true');
    expect(await t.sw.api('is_lan_addr 8.8.4.4')).toBe('false');
    expect(await t.sw.api('is_lan_addr')).toBe('false');
  });

  it("interface_ip: the interface's first address of the family; nothing for no interface; the usage", async () => {
    const lo = networkInterfaces().lo ?? [];
    const v4 = lo.find((a) => a.family === 'IPv4')?.address;
    expect(await t.sw.api('interface_ip ipv4 lo')).toBe(v4 ?? '');
    expect(await t.sw.api('interface_ip AUTO lo')).toBe(lo[0]?.address ?? '');
    expect(await t.sw.api('interface_ip ipv4 nosuchif0')).toBe('');
    expect(await t.sw.api('interface_ip lo')).toBe('USAGE: interface_ip [auto|ipv4|ipv6] <ifname>\n');
    expect(await t.sw.api('interface_ip ipv5 lo')).toBe('USAGE: interface_ip [auto|ipv4|ipv6] <ifname>\n');
  });

  it('spawn runs a program without a shell and waits; bg_spawn does not wait; both +OK; the usage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'commands-spawn-'));
    const file = join(dir, 'out');
    expect(await t.sw.api(`spawn /usr/bin/touch ${file}`)).toBe('+OK\n');
    expect(existsSync(file)).toBe(true);
    // no shell: the redirection is an argument
    expect(await t.sw.api(`spawn /bin/echo hi > ${file}.shell`)).toBe('+OK\n');
    expect(existsSync(`${file}.shell`)).toBe(false);
    expect(await t.sw.api(`bg_spawn /bin/cp ${file} ${file}.bg`)).toBe('+OK\n');
    for (let i = 0; i < 50 && !existsSync(`${file}.bg`); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(`${file}.bg`)).toBe(true);
    expect(await t.sw.api('spawn /nonexistent/program')).toBe('+OK\n');
    expect(await t.sw.api('spawn /bin/false')).toBe('+OK\n');
    expect(t.logs).toContain('WARNING Failed to execute posix_spawnp: /nonexistent/program');
    expect(t.logs).toContain('WARNING Exit status (256): /bin/false');
    expect(t.logs).toContain(`NOTICE Executing command: /usr/bin/touch ${file}`);
    expect(await t.sw.api('spawn')).toBe('-USAGE: <command>\n');
    expect(await t.sw.api('bg_spawn')).toBe('-USAGE: <command>\n');
    expect(readFileSync(file, 'utf8')).toBe('');
    rmSync(dir, { recursive: true, force: true });
  });

  it('time_test: one line per sleep and the average; parameter missing', async () => {
    const out = await t.sw.api('time_test 2000 3');
    const lines = out.split('\n');
    expect(lines).toHaveLength(5);
    for (let i = 0; i < 3; i++) {
      const m = /^test (\d) sleep 2000 (\d+)$/.exec(lines[i] ?? '');
      expect(m?.[1]).toBe(String(i + 1));
      expect(Number(m?.[2])).toBeGreaterThanOrEqual(1500);
    }
    expect(lines[3]).toMatch(/^avg \d+$/);
    expect(await t.sw.api('time_test')).toBe('parameter missing\n');
  });

  it('timer_test: ticks logged at CONSOLE, then the average and total; parameter missing; Timer Error! for another timer', async () => {
    const began = performance.now();
    const out = await t.sw.api('timer_test 10 3');
    // a fixed schedule: 4 ticks of 10 ms (the first unmeasured), then 250 ms; a late first tick makes
    // the next intervals shorter (the soft timer catches up), so only the sum is bounded
    expect(performance.now() - began).toBeGreaterThanOrEqual(40 + 250 - 1);
    const m = /^Avg: (\d+\.\d{3})ms Total Time: (\d+\.\d{3})ms\n$/.exec(out);
    const [avg, total] = [Number(m?.[1]), Number(m?.[2])];
    expect(total).toBeGreaterThan(0);
    expect(Math.abs(avg * 3 - total)).toBeLessThan(0.01);
    expect(t.logs.filter((l) => /^CONSOLE Timer Test: \d sleep 10 \d+$/.test(l))).toHaveLength(3);
    expect(await t.sw.api('timer_test 15')).toBe('parameter missing: <10|20|40|60|120> [<1..200>] [<timer_name>]\n');
    expect(await t.sw.api('timer_test')).toBe('parameter missing: <10|20|40|60|120> [<1..200>] [<timer_name>]\n');
    expect(await t.sw.api('timer_test 20 2 posix')).toBe('Timer Error!\n');
  });
});

describe('show api and help name them as mod_commands does', () => {
  it('each command is registered with its syntax and module', async () => {
    const t = await setup();
    expect(await t.sw.api('help uuid_simplify')).toBe('uuid_simplify,<uuid>,Try to cut out of a call path / attended xfer,mod_commands\n');
    expect(await t.sw.api('help xml_locate')).toBe('xml_locate,[root | <section> <tag> <tag_attr_name> <tag_attr_val>],Find some xml,mod_commands\n');
    expect(await t.sw.api('help unload')).toBe('unload,[-f] <mod_name>,Unload module,mod_commands\n');
    await stop(t);
  });
});
