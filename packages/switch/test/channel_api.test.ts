import { describe, expect, it } from 'vitest';
import { checkedStrftime, strftime } from '../src/api/strftime.ts';
import { row, setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

describe('strftime (pure)', () => {
  it('C conversions in the C locale', () => {
    const t = Date.UTC(2024, 1, 29, 13, 5, 9);
    expect(strftime('%Y-%m-%d %T', t, 0)).toBe('2024-02-29 13:05:09');
    expect(strftime('%a %A %b %B %e %j %I%p %y %F %R %s %% %q', t, 0)).toBe(
      'Thu Thursday Feb February 29 060 01PM 24 2024-02-29 13:05 1709211909 % %q',
    );
    expect(strftime('%H:%M %z', t, -90)).toBe('11:35 -0130');
    expect(strftime('%U %W %r', t, 0)).toBe('08 09 01:05:09 PM');
    expect(strftime('%U %W', Date.UTC(2023, 0, 1), 0)).toBe('01 00');
  });

  it('switch_strftime (the API and the application) refuses a conversion outside its checked set, and a date past 79 bytes', () => {
    const t = Date.UTC(2024, 1, 29, 13, 5, 9);
    expect(checkedStrftime('%Y-%m-%d %T %% %r', t, 0)).toBe('2024-02-29 13:05:09 % 01:05:09 PM');
    for (const f of ['%s', '%F', '%k', '%', 'x %q', '%Y%']) expect(checkedStrftime(f, t, 0)).toBe('');
    expect(checkedStrftime('%Y'.repeat(19), t, 0)).toBe('2024'.repeat(19));
    expect(checkedStrftime('%Y'.repeat(20), t, 0)).toBe('');
  });
});

describe('API commands on channels (exact texts)', () => {
  it('uuid_dump: txt, plain, json, xml; usage; no such channel', async () => {
    const { sw, settle, rt } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    await sw.api(`uuid_setvar ${uuid} my_var a b`);
    const txt = await sw.api(`uuid_dump ${uuid}`);
    expect(txt.startsWith('Event-Name: CHANNEL_DATA\nCore-UUID: 0b7c2d0e-1111-4222-8333-944455556666\n')).toBe(true);
    expect(txt).toContain(`Unique-ID: ${uuid}\n`);
    expect(txt).toContain('variable_my_var: a%20b\n');
    expect(txt.endsWith('\n\n')).toBe(true);
    expect(await sw.api(`uuid_dump ${uuid} plain`)).toContain('variable_my_var: [a b]\n');
    const json = JSON.parse(await sw.api(`uuid_dump ${uuid} json`)) as Record<string, string>;
    expect(json['Event-Name']).toBe('CHANNEL_DATA');
    expect(json.variable_my_var).toBe('a b');
    const xml = await sw.api(`uuid_dump ${uuid} xml`);
    expect(xml.startsWith('<event>\n  <headers>\n    <Event-Name>CHANNEL_DATA</Event-Name>\n')).toBe(true);
    expect(await sw.api('uuid_dump')).toBe('-USAGE: <uuid> [format]\n');
    expect(await sw.api('uuid_dump nope')).toBe('-ERR No such channel!\n');
    expect(await sw.api(`uuid_dump ${uuid.toUpperCase()}`)).toBe('-ERR No such channel!\n');
    await sw.stop();
    await rt.stop();
  });

  it('every channel starts with direction, uuid, call_uuid, session_id and channel_name, ahead of its other variables', async () => {
    const { sw, settle, rt } = await setup();
    const first = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    const second = UUID.exec(await sw.originate('{my_var=x}null/2 &park()'))?.[1] as string;
    await settle();
    const variables = (await sw.api(`uuid_dump ${second}`)).split('\n').filter((l) => l.startsWith('variable_'));
    expect(variables.slice(0, 5)).toEqual([
      'variable_direction: outbound',
      `variable_uuid: ${second}`,
      `variable_call_uuid: ${second}`,
      `variable_session_id: ${Number(await sw.api(`uuid_getvar ${first} session_id`)) + 1}`,
      'variable_channel_name: null/2',
    ]);
    expect(variables).toContain('variable_my_var: x');
    await sw.stop();
    await rt.stop();
  });

  it('uuid_park ends the running park (UNPARK, EXECUTE_COMPLETE) and parks in CS_PARK; uuid_kill ends it', async () => {
    const { sw, sub, settle, rt } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &sleep(100000)'))?.[1] as string;
    await settle();
    sub.take();
    expect(await sw.api(`uuid_park ${uuid}`)).toBe('+OK\n');
    await settle();
    const leg = sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
    expect(leg.map(row)).toEqual([
      // Channel-State-Number is the requested state (CS_PARK = 6) already
      'CHANNEL_EXECUTE_COMPLETE CS_EXECUTE/6 ACTIVE answered',
      'CHANNEL_STATE CS_PARK/6 ACTIVE answered',
      'CHANNEL_PARK CS_PARK/6 ACTIVE answered',
    ]);
    expect(leg.some((e) => e.type === 'CHANNEL_EXECUTE')).toBe(false);
    // an Erlang api call always passes an argument, if empty: park_function's usage is for none at all
    expect(await sw.api('uuid_park')).toBe('-ERR No such channel!\n');
    expect(await sw.api('uuid_park nope')).toBe('-ERR No such channel!\n');
    expect(await sw.api(`uuid_kill ${uuid}`)).toBe('+OK\n');
    await settle();
    const end = sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
    expect(end.map((e) => e.type).slice(0, 2)).toEqual(['CHANNEL_HANGUP', 'CHANNEL_UNPARK']);
    expect(end.at(-2)?.type).toBe('CHANNEL_DESTROY');
    await sw.stop();
    await rt.stop();
  });

  it('uuid_transfer ends park and routes the channel to the extension through the dialplan', async () => {
    const { sw, sub, settle, rt } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    sub.take();
    expect(await sw.api(`uuid_transfer ${uuid} 2000`)).toBe('+OK\n');
    await settle();
    const leg = sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
    const types = leg.map((e) => `${e.type}${e.getHeader('Application') ? ` ${e.getHeader('Application')}` : ''}`);
    expect(types.slice(0, 6)).toEqual([
      'CHANNEL_UNPARK',
      'CHANNEL_EXECUTE_COMPLETE park',
      'CHANNEL_STATE',
      'CHANNEL_STATE',
      'CHANNEL_EXECUTE set',
      'CHANNEL_EXECUTE_COMPLETE set',
    ]);
    expect(leg[2]?.getHeader('Channel-State')).toBe('CS_ROUTING');
    expect(leg[3]?.getHeader('Channel-State')).toBe('CS_EXECUTE');
    // switch_ivr_session_transfer: the new profile's RDNIS is the destination it had
    expect([leg[2]?.getHeader('Caller-Destination-Number'), leg[2]?.getHeader('Caller-RDNIS')]).toEqual(['2000', '1']);
    expect(leg.find((e) => e.type === 'CHANNEL_HANGUP')?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    expect(await sw.api('uuid_transfer')).toBe('-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n');
    expect(await sw.api('uuid_transfer x')).toBe('-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n');
    expect(await sw.api('uuid_transfer nope 1000')).toBe('-ERR No such channel!\n');
    await sw.stop();
    await rt.stop();
  });

  it('eval: globals, channel headers with uuid:, empty input', async () => {
    const { sw, settle, rt } = await setup({ globals: [['domain', 'example.org']] });
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    await sw.api(`uuid_setvar ${uuid} foo bar`);
    expect(await sw.api('eval ${domain}!')).toBe('example.org!');
    expect(await sw.api('eval')).toBe('');
    expect(await sw.api(`eval uuid:${uuid}`)).toBe('');
    expect(await sw.api(`eval uuid:${uuid} \${variable_foo} \${Channel-Name} \${Unique-ID} [\${foo}] \${domain}`)).toBe(
      `bar null/1 ${uuid} [] example.org`,
    );
    await sw.stop();
    await rt.stop();
  });

  it('expand: runs the command on its expanded arguments (globals, channel data, ${api args})', async () => {
    const { sw, settle, rt } = await setup({ globals: [['domain', 'example.org']] });
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    await sw.api(`uuid_setvar ${uuid} foo bar`);
    expect(await sw.api('expand echo ${domain} ${echo nested}')).toBe('example.org nested');
    expect(await sw.api(`expand uuid:${uuid} echo \${variable_foo}@\${domain}`)).toBe('bar@example.org');
    // the arguments are expanded, not the command line: a command that expands nothing of its own gets the values
    expect(await sw.api(`expand uuid_getvar ${uuid} foo`)).toBe('bar');
    expect(await sw.api('expand')).toBe('-ERR No input\n');
    // the inner switch_api_execute writes INVALID COMMAND! to the same stream first
    expect(await sw.api('expand nosuchcommand x')).toBe('INVALID COMMAND!\n-ERR Cannot execute command\n');
    await sw.stop();
    await rt.stop();
  });

  it('strftime: default format, format, epoch|format with the skipped character', async () => {
    const { sw, rt } = await setup();
    expect(await sw.api('strftime')).toBe('2024-09-03 10:11:12');
    expect(await sw.api('strftime %Y')).toBe('2024');
    expect(await sw.api('strftime 1700000000|%Y-%m')).toBe('Y-11');
    expect(await sw.api('strftime 1700000000| %Y-%m')).toBe('2023-11');
    // switch_strftime fails on a conversion it does not check through: no output at all
    expect(await sw.api('strftime %s')).toBe('');
    expect(await sw.api('strftime 1700000000| %F')).toBe('');
    await sw.stop();
    await rt.stop();
  });

  it('show channels as xml / show calls as xml', async () => {
    const { sw, settle, rt } = await setup();
    expect(await sw.api('show channels as xml')).toBe('<result row_count="0"/>\n');
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    const xml = await sw.api('show channels as xml');
    expect(xml.startsWith(`<result row_count="1">\n  <row row_id="1">\n    <uuid>${uuid}</uuid>\n    <direction>outbound</direction>\n`)).toBe(true);
    expect(xml.endsWith('  </row>\n</result>\n')).toBe(true);
    const calls = await sw.api('show calls as xml');
    expect(calls).toContain('    <call_created_epoch>');
    expect(await sw.api('show channels as yaml')).toBe('-ERR Cannot find format yaml\n');
    await sw.stop();
    await rt.stop();
  });

  it('help lists every command as FreeSWITCH does; help <cmd>; unknown', async () => {
    const { sw, rt } = await setup();
    const help = await sw.api('help');
    expect(
      help.startsWith(
        '\nValid Commands:\n\n...,,Shutdown,mod_commands\nacl,<ip> <list_name>,Compare an ip to an acl list,mod_commands\nalias,[add|stickyadd] <alias> <command> | del [<alias>|*],Alias,mod_commands\nbanner,,Return the system banner,mod_commands\nbg_spawn,<command>,Execute a spawn command in the background,mod_commands\nbg_system,<command>,Execute a system command in the background,mod_commands\nbgapi,<command>[ <arg>],Execute an api command in a thread,mod_commands\n',
      ),
    ).toBe(true);
    expect(help).toContain('\nhelp,,Show help for all the api commands,mod_commands\n');
    expect(help).toContain('\nstrftime,<format_string>,strftime,mod_dptools\n');
    const names = help
      .trim()
      .split('\n')
      .slice(2)
      .map((l) => l.split(',')[0]);
    expect(names).toEqual([...names].sort());
    expect(await sw.api('help uuid_kill')).toBe('uuid_kill,<uuid> [cause],Kill channel,mod_commands\n');
    expect(await sw.api('help nope')).toBe('-ERR No such command\n');
    await sw.stop();
    await rt.stop();
  });
});

describe('uuid_pre_answer, uuid_setvar_multi, msleep', () => {
  it('exact texts', async () => {
    const { sw, settle, rt, clock } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    expect(await sw.api(`uuid_pre_answer ${uuid}`)).toBe('+OK\n');
    expect(await sw.api('uuid_pre_answer nope')).toBe('-ERROR\n');
    expect(await sw.api('uuid_pre_answer')).toBe('-ERROR\n');
    expect(await sw.api(`uuid_setvar_multi ${uuid} a=1;b=2;c`)).toBe('+OK\n');
    expect(await sw.api(`uuid_getvar ${uuid} b`)).toBe('2');
    expect(await sw.api(`uuid_setvar_multi ${uuid} =1;b=3`)).toBe('-ERR No variable specified\n+OK\n');
    expect(await sw.api(`uuid_setvar_multi ${uuid} =1`)).toBe('-ERR No variable specified\n-USAGE: <uuid> <var>=<value>;<var>=<value>...\n');
    expect(await sw.api('uuid_setvar_multi nope a=1')).toBe('-ERR No such channel!\n-USAGE: <uuid> <var>=<value>;<var>=<value>...\n');
    expect(await sw.api('uuid_setvar_multi')).toBe('-USAGE: <uuid> <var>=<value>;<var>=<value>...\n');
    expect(await sw.api('msleep')).toBe('+OK');
    let slept = false;
    const p = sw.api('msleep 500').then((o) => {
      slept = true;
      return o;
    });
    await settle();
    expect(slept).toBe(false);
    await clock.advance(500);
    expect(await p).toBe('+OK');
    await sw.stop();
    await rt.stop();
  });
});
