/**
 * The mod_commands commands added with uuid_displace: utilities (file_exists, replace, escape,
 * quote_shell_arg, sql_escape, getenv, host_lookup, gethost, unsched_api, system, bg_system,
 * user_data, domain_data) and call control (uuid_dual_transfer, uuid_outgoing_answer, uuid_limit,
 * uuid_limit_release, uuid_media), with mod_commands.c's replies.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transferTarget } from '../src/api/uuid_call_commands.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { type Setup, bridgedNulls, parkedNull, setup, stopSetup as stop } from './switch_helpers.ts';

const NOBODY = '4a0f9c36-0000-4000-8000-000000000000';

describe('text and system utilities', () => {
  let t: Setup;
  let dir: string;
  beforeAll(async () => {
    t = await setup();
    dir = mkdtempSync(join(tmpdir(), 'cmds-more-'));
  });
  afterAll(async () => {
    await stop(t);
    rmSync(dir, { recursive: true, force: true });
  });

  it('file_exists: a file or a folder is true; nothing given is false', async () => {
    writeFileSync(join(dir, 'a.txt'), 'x');
    expect(await t.sw.api(`file_exists ${join(dir, 'a.txt')}`)).toBe('true');
    expect(await t.sw.api(`file_exists ${dir}`)).toBe('true');
    expect(await t.sw.api(`file_exists ${join(dir, 'b.txt')}`)).toBe('false');
    expect(await t.sw.api('file_exists')).toBe('false');
  });

  it('replace: every occurrence; m:<d> picks the delimiter; fewer than three parts is -ERR', async () => {
    expect(await t.sw.api('replace a-b-c|-|+')).toBe('a+b+c');
    expect(await t.sw.api('replace m:~a|b|c~|~/')).toBe('a/b/c');
    expect(await t.sw.api('replace abc|x')).toBe('-ERR');
    expect(await t.sw.api('replace')).toBe('-ERR');
  });

  it('escape, quote_shell_arg, sql_escape', async () => {
    expect(await t.sw.api('escape a b$c\td')).toBe('a\\sb\\$c\\td');
    expect(await t.sw.api('escape')).toBe('');
    expect(await t.sw.api("quote_shell_arg it's")).toBe("'it'\\''s'");
    expect(await t.sw.api('quote_shell_arg')).toBe('');
    expect(await t.sw.api("sql_escape o'brien")).toBe("o''brien");
    // switch_api_execute passes "", never NULL: the usage is unreachable
    expect(await t.sw.api('sql_escape')).toBe('');
  });

  it('getenv: the value, or _undef_', async () => {
    process.env.BEAMLINE_CMDS_TEST = 'here';
    expect(await t.sw.api('getenv BEAMLINE_CMDS_TEST')).toBe('here');
    expect(await t.sw.api('getenv BEAMLINE_CMDS_NOT_SET')).toBe('_undef_');
    delete process.env.BEAMLINE_CMDS_TEST;
  });

  it('host_lookup and gethost: an address, or their error texts', async () => {
    expect(await t.sw.api('host_lookup 127.0.0.1')).toBe('127.0.0.1');
    expect(await t.sw.api('host_lookup ::1')).toBe('::1');
    expect(await t.sw.api('host_lookup no-such-host.invalid')).toBe('!err!');
    expect(await t.sw.api('host_lookup')).toBe('parameter missing\n');
    expect(await t.sw.api('gethost 127.0.0.1')).toBe('127.0.0.1');
    expect(await t.sw.api('gethost')).toBe('-ERR');
  });

  it('unsched_api: +OK for a task, -ERR No such id, nothing for id 0 or for nothing', async () => {
    const out = await t.sw.api('sched_api +60 none eval x');
    const id = /^\+OK Added: (\d+)\n$/.exec(out)?.[1];
    expect(id).toBeDefined();
    expect(await t.sw.api(`unsched_api ${id}`)).toBe('+OK\n');
    expect(await t.sw.api(`unsched_api ${id}`)).toBe('-ERR No such id\n');
    expect(await t.sw.api('unsched_api abc')).toBe('');
    expect(await t.sw.api('unsched_api')).toBe('');
  });

  it('system: the command’s output; bg_system: +OK at once, the command runs', async () => {
    expect(await t.sw.api('system echo one; echo two')).toBe('one\ntwo\n');
    expect(await t.sw.api('system')).toBe('-USAGE: <command>\n');
    const marker = join(dir, 'bg');
    expect(await t.sw.api(`bg_system touch ${marker}`)).toBe('+OK\n');
    for (let i = 0; i < 100 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(marker)).toBe(true);
    expect(await t.sw.api('bg_system')).toBe('-USAGE: <command>\n');
  });
});

const CONF = `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <X-PRE-PROCESS cmd="set" data="domain=example.org"/>
  <section name="directory">
    <domain name="example.org" tier="gold">
      <params><param name="dial-string" value="domain-dial"/><param name="vm-enabled" value="true"/></params>
      <variables><variable name="user_context" value="default"/><variable name="toll_allow" value="local"/></variables>
      <groups>
        <group name="sales">
          <variables><variable name="toll_allow" value="national"/><variable name="callgroup" value="sales"/></variables>
          <users>
            <user id="1000" number-alias="500" mailbox="9000">
              <params><param name="password" value="first"/><param name="PASSWORD" value="second"/></params>
              <variables><variable name="user_context" value="sales"/></variables>
            </user>
          </users>
        </group>
      </groups>
    </domain>
  </section>
</document>`;

describe('user_data and domain_data', () => {
  let dir: string;
  let t: Setup;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cmds-dir-'));
    writeFileSync(join(dir, 'freeswitch.xml'), CONF);
    t = await setup({ confDir: dir, dialplan: undefined });
  });
  afterAll(async () => {
    await stop(t);
    rmSync(dir, { recursive: true, force: true });
  });

  it('user_data: the user’s own entry (the last of a name) before its group’s and its domain’s; attr; nothing when not found', async () => {
    const ask = (args: string) => t.sw.api(`user_data ${args}`);
    expect(await ask('1000@example.org param password')).toBe('second');
    expect(await ask('1000@example.org var user_context')).toBe('sales');
    expect(await ask('1000@example.org var toll_allow')).toBe('national');
    expect(await ask('1000@example.org var callgroup')).toBe('sales');
    expect(await ask('1000@example.org param vm-enabled')).toBe('true');
    expect(await ask('500@example.org attr mailbox')).toBe('9000');
    expect(await ask('1000@example.org attr domain-name')).toBe('example.org');
    // the default domain (the global `domain`)
    expect(await ask('1000 param dial-string')).toBe('domain-dial');
    expect(await ask('1000@example.org param nope')).toBe('');
    expect(await ask('1999@example.org param password')).toBe('');
    expect(await ask('1000@example.org param')).toBe('');
  });

  it('domain_data: the domain’s params, variables, attributes', async () => {
    const ask = (args: string) => t.sw.api(`domain_data ${args}`);
    expect(await ask('example.org param dial-string')).toBe('domain-dial');
    expect(await ask('example.org var toll_allow')).toBe('local');
    expect(await ask('example.org attr tier')).toBe('gold');
    expect(await ask('nope.org attr tier')).toBe('');
    expect(await ask('example.org attr')).toBe('');
  });
});

describe('call control by uuid', () => {
  it('transferTarget: exten/dialplan/context, and /inline kept whole', () => {
    expect(transferTarget('1000')).toEqual({ destination: '1000' });
    expect(transferTarget('1000/XML/public')).toEqual({ destination: '1000', dialplan: 'XML', context: 'public' });
    expect(transferTarget('1000/XML')).toEqual({ destination: '1000', dialplan: 'XML' });
    expect(transferTarget('set:x=a/b,park/inline')).toEqual({ destination: 'set:x=a/b,park', dialplan: 'inline' });
    expect(transferTarget('a/inline/x')).toEqual({ destination: 'a', dialplan: 'inline', context: 'x' });
  });

  it('uuid_dual_transfer: each leg of a bridge to its own destination; usage; no such channel', async () => {
    const t = await setup({ dialplan: staticDialplan({ default: { '7001': [['park']], '7002': [['park']] } }) });
    const { a, b } = await bridgedNulls(t);
    const usage = '-USAGE: <uuid> <A-dest-exten>[/<A-dialplan>][/<A-context>] <B-dest-exten>[/<B-dialplan>][/<B-context>]\n';
    expect(await t.sw.api(`uuid_dual_transfer ${a} 7001`)).toBe(usage);
    expect(await t.sw.api('uuid_dual_transfer')).toBe(usage);
    expect(await t.sw.api(`uuid_dual_transfer ${NOBODY} 7001 7002`)).toBe('-ERR No such channel!\n');
    expect(await t.sw.api(`uuid_dual_transfer ${a} 7001 7002/XML/default`)).toBe('+OK\n');
    await t.settle();
    const transfers = t.sub.take().filter((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'park');
    expect(new Set(transfers.map((e) => e.getHeader('Unique-ID')))).toEqual(new Set([a, b]));
    expect(transfers.find((e) => e.getHeader('Unique-ID') === a)?.getHeader('Caller-Destination-Number')).toBe('7001');
    expect(transfers.find((e) => e.getHeader('Unique-ID') === b)?.getHeader('Caller-Destination-Number')).toBe('7002');
    await stop(t);
  });

  it('uuid_outgoing_answer: +OK for an outbound leg; an inbound one is refused', async () => {
    const t = await setup();
    const out = await t.sw.originate('loopback/1000 &park()');
    const uuid = /^\+OK (\S+)\n$/.exec(out)?.[1] ?? '';
    await t.settle();
    const inbound = t.sub
      .take()
      .find((e) => e.type === 'CHANNEL_CREATE' && e.getHeader('Call-Direction') === 'inbound')
      ?.getHeader('Unique-ID');
    expect(inbound).toBeDefined();
    expect(await t.sw.api('uuid_outgoing_answer')).toBe('-USAGE: <uuid>\n');
    expect(await t.sw.api(`uuid_outgoing_answer ${NOBODY}`)).toBe('-ERR No such channel!\n');
    expect(await t.sw.api(`uuid_outgoing_answer ${inbound}`)).toBe('-ERR Not an outbound channel!\n');
    expect(await t.sw.api(`uuid_outgoing_answer ${uuid}`)).toBe('+OK\n');
    await stop(t);
  });

  it('uuid_limit / uuid_limit_release: counts the channel on hash, over the max transfers it, release gives the count back', async () => {
    const t = await setup({ dialplan: staticDialplan({ default: { limit_exceeded: [['park']] } }) });
    const a = await parkedNull(t, 1);
    const b = await parkedNull(t, 2);
    expect(await t.sw.api('uuid_limit a b c')).toBe(
      'USAGE: uuid_limit <uuid> <backend> <realm> <resource> [<max>[/interval]] [number [dialplan [context]]]\n',
    );
    expect(await t.sw.api(`uuid_limit ${NOBODY} hash r x 1`)).toBe(`-ERR Cannot find session with uuid ${NOBODY}\n`);
    expect(await t.sw.api(`uuid_limit ${a} hash r x 1`)).toBe('+OK');
    expect(await t.sw.api('limit_usage hash r x')).toBe('1');
    t.sub.take();
    expect(await t.sw.api(`uuid_limit ${b} hash r x 1`)).toBe('+OK');
    await t.settle();
    const moved = t.sub.take().find((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Unique-ID') === b);
    expect(moved?.getHeader('Caller-Destination-Number')).toBe('limit_exceeded');
    expect(await t.sw.api(`uuid_limit ${b} hash r y -1 !USER_BUSY`)).toBe('+OK');
    expect(await t.sw.api('limit_usage hash r y')).toBe('1');
    expect(await t.sw.api(`uuid_limit_release ${a}`)).toBe('USAGE: uuid_limit_release <uuid> <backend> [realm] [resource]\n');
    expect(await t.sw.api(`uuid_limit_release ${a} hash r nope`)).toBe('+OK');
    expect(await t.sw.api('limit_usage hash r x')).toBe('1');
    // over the limit with !<cause>: hung up with that cause
    const c = await parkedNull(t, 3);
    t.sub.take();
    expect(await t.sw.api(`uuid_limit ${c} hash r x 1 !USER_BUSY`)).toBe('+OK');
    await t.settle();
    const hangup = t.sub.take().find((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === c);
    expect(hangup?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    expect(await t.sw.api(`uuid_limit_release ${a} hash r x`)).toBe('+OK');
    expect(await t.sw.api('limit_usage hash r x')).toBe('0');
    // a channel lets go of a key once: a second release of it changes nothing
    expect(await t.sw.api(`uuid_limit ${a} hash r z`)).toBe('+OK');
    expect(await t.sw.api(`uuid_limit ${b} hash r z`)).toBe('+OK');
    expect(await t.sw.api(`uuid_limit_release ${a} hash r z`)).toBe('+OK');
    expect(await t.sw.api(`uuid_limit_release ${a} hash r z`)).toBe('+OK');
    expect(await t.sw.api('limit_usage hash r z')).toBe('1');
    expect(await t.sw.api(`uuid_limit ${b} hash r x 5`)).toBe('+OK');
    expect(await t.sw.api('limit_usage hash r x')).toBe('1');
    expect(await t.sw.api(`uuid_limit_release ${b} hash`)).toBe('+OK');
    expect(await t.sw.api('limit_usage hash r y')).toBe('0');
    expect(await t.sw.api(`uuid_limit_release ${NOBODY} hash`)).toBe(`-ERR Cannot find session with uuid ${NOBODY}\n`);
    await stop(t);
  });

  it('uuid_media: usage; every leg is in the media path and cannot leave it, so the C’s failure', async () => {
    const t = await setup();
    const a = await parkedNull(t);
    expect(await t.sw.api('uuid_media')).toBe('-USAGE: [off] <uuid>\n');
    expect(await t.sw.api(`uuid_media ${a}`)).toBe('-ERR Operation failed\n');
    expect(await t.sw.api(`uuid_media off ${a}`)).toBe('-ERR Operation failed\n');
    await stop(t);
  });
});
