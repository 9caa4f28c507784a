import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CTL_SYNTAX, type LogRecord, parseXml } from '../src/index.ts';
import { DEFAULT_CONF, copyConf, setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

const SWITCH_CONF = (params: string) => `<configuration name="switch.conf" description="Core Configuration">
  <settings>
${params}
  </settings>
</configuration>
`;

describe('startSwitch with confDir', () => {
  it('routes through the conf dialplan: 1000 = answer + park', async () => {
    const { sw, rt, sub, settle } = await setup({ confDir: DEFAULT_CONF, dialplan: undefined, timers: false });
    const r = await sw.originate('loopback/1000 &park()');
    expect(r).toMatch(UUID);
    await settle();
    const b = sub.take().filter((e) => e.getHeader('Channel-Name') === 'loopback/1000-b');
    expect(b.filter((e) => e.type === 'CHANNEL_EXECUTE').map((e) => e.getHeader('Application'))).toEqual(['answer', 'park']);
    await sw.stop();
    await rt.stop();
  });

  it('switch.conf params: max-sessions, sessions-per-second, loglevel, event-heartbeat-interval; a bad interval is logged', async () => {
    const dir = copyConf();
    writeFileSync(
      join(dir, 'autoload_configs/switch.conf.xml'),
      SWITCH_CONF(`    <param name="max-sessions" value="7"/>
    <param name="sessions-per-second" value="5"/>
    <param name="loglevel" value="notice"/>
    <param name="event-heartbeat-interval" value="0"/>`),
    );
    const { sw, rt, logs } = await setup({ confDir: dir, dialplan: undefined, timers: false });
    expect([sw.core.maxSessions, sw.core.sessionsPerSecond, sw.core.logger.level, sw.core.heartbeatIntervalSec]).toEqual([7, 5, 5, 20]);
    expect(logs).toEqual(['ERR heartbeat-interval must be a greater than 0']);
    expect((await sw.api('status')).split('\n')[5]).toBe('7 session(s) max');
    await sw.stop();
    await rt.stop();
  });

  it('event-heartbeat-interval from switch.conf', async () => {
    const dir = copyConf();
    writeFileSync(join(dir, 'autoload_configs/switch.conf.xml'), SWITCH_CONF('    <param name="event-heartbeat-interval" value="5"/>'));
    const { sw, rt, clock, sub, settle } = await setup({ confDir: dir, dialplan: undefined });
    await clock.advance(10_000);
    await settle();
    const hb = sub.take().filter((e) => e.type === 'HEARTBEAT');
    expect(hb.map((e) => e.getHeader('Uptime-msec'))).toEqual(['5000', '10000']);
    await sw.stop();
    await rt.stop();
  });

  it('a conf that does not parse stops startSwitch with the file and line', async () => {
    const dir = copyConf();
    writeFileSync(join(dir, 'dialplan/default/02_bad.xml'), '<include>\n  <extension name="x">\n    <condition>\n  </extension>\n</include>\n');
    await expect(setup({ confDir: dir, dialplan: undefined, timers: false })).rejects.toThrow(/02_bad\.xml:4: /);
  });
});

describe('reloadxml', () => {
  it('re-reads the conf: RELOADXML and +OK [Success]; a broken file keeps the old XML running', async () => {
    const dir = copyConf();
    const { sw, rt, sub, settle, logs } = await setup({ confDir: dir, dialplan: undefined, timers: false });
    writeFileSync(
      join(dir, 'dialplan/default/05_new.xml'),
      '<include>\n<extension name="new"><condition field="destination_number" expression="^2000$"><action application="answer"/><action application="park"/></condition></extension>\n</include>\n',
    );
    expect(await sw.api('reloadxml')).toBe('+OK [Success]\n');
    await settle();
    const reload = sub.take().filter((e) => e.type === 'RELOADXML');
    expect(reload).toHaveLength(1);
    expect(reload[0]!.headers.length).toBe(13);
    expect(await sw.originate('loopback/2000 &park()')).toMatch(UUID);

    writeFileSync(join(dir, 'dialplan/default/06_bad.xml'), '<include>\n<extension name="bad">\n<condition>\n</extension>\n</include>\n');
    const out = await sw.api('reloadxml');
    expect(out).toMatch(/^\+OK \[\[error near line \d+\]: .+\]\n$/);
    expect(logs.filter((l) => l.startsWith('ERR reloadxml:'))).toHaveLength(1);
    expect(logs.find((l) => l.startsWith('ERR reloadxml:'))).toMatch(/06_bad\.xml:4: .*; the old configuration stays$/);
    await settle();
    expect(sub.take().filter((e) => e.type === 'RELOADXML')).toEqual([]);
    expect(await sw.originate('loopback/2000 &park()')).toMatch(UUID);
    await sw.stop();
    await rt.stop();
  });

  it('reloadacl: the lists change only with reloadacl (which reloads the XML first)', async () => {
    const dir = copyConf();
    const { sw, rt } = await setup({ confDir: dir, dialplan: undefined, timers: false });
    writeFileSync(
      join(dir, 'autoload_configs/acl.conf.xml'),
      '<configuration name="acl.conf"><network-lists><list name="lan" default="deny"/></network-lists></configuration>\n',
    );
    expect(await sw.api('reloadxml')).toBe('+OK [Success]\n');
    expect(sw.conf.aclAllows('lan', '8.8.8.8')).toBe(true);
    expect(await sw.api('reloadacl reloadxml')).toBe('This option is deprecated, we now always reloadxml.\n+OK acl reloaded\n');
    expect(sw.conf.aclAllows('lan', '8.8.8.8')).toBe(false);
    writeFileSync(join(dir, 'autoload_configs/acl.conf.xml'), '<configuration name="acl.conf">\n<oops>\n</configuration>\n');
    expect(await sw.api('reloadacl')).toMatch(/^-Error \[\[error near line \d+\]: .+\]\n$/);
    expect(sw.conf.aclAllows('lan', '8.8.8.8')).toBe(false);
    await sw.stop();
    await rt.stop();
  });

  it('acl <ip> <list>: true / false as mod_commands (false on bad arguments); reloadacl takes acl.conf from a configuration binding first', async () => {
    const { sw, rt } = await setup({ confDir: copyConf(), dialplan: undefined, timers: false });
    expect(await sw.api('acl 127.0.0.1 loopback.auto')).toBe('true');
    expect(await sw.api('acl 10.0.0.1 loopback.auto')).toBe('false');
    expect(await sw.api('acl 10.1.2.3 from_binding')).toBe('false');
    expect(await sw.api('acl')).toBe('false');
    expect(await sw.api('acl 10.1.2.3')).toBe('false');
    const asked: string[] = [];
    const off = sw.conf.xmlBindings.bind('test', ['configuration'], async (r) => {
      asked.push(`${r.section} ${r.tagName} ${r.keyName} ${r.keyValue}`);
      return parseXml(
        '<document type="freeswitch/xml"><section name="configuration"><configuration name="acl.conf"><network-lists><list name="from_binding" default="deny"><node type="allow" cidr="10.1.0.0/16"/></list></network-lists></configuration></section></document>',
        'binding',
      );
    });
    expect(await sw.api('reloadacl')).toBe('+OK acl reloaded\n');
    expect(asked).toEqual(['configuration configuration name acl.conf']);
    expect(await sw.api('acl 10.1.2.3 from_binding')).toBe('true');
    expect(await sw.api('acl 10.2.0.1 from_binding')).toBe('false');
    off();
    expect(await sw.api('reloadacl')).toBe('+OK acl reloaded\n');
    expect(await sw.api('acl 10.1.2.3 from_binding')).toBe('false'); // the static acl.conf again
    await sw.stop();
    await rt.stop();
  });

  it('without a conf dir', async () => {
    const { sw, rt } = await setup({ timers: false });
    expect(await sw.api('reloadxml')).toBe('+OK [Cannot Open log directory or XML Root!]\n');
    await sw.stop();
    await rt.stop();
  });

  it('ACL lists of the conf are reachable from the switch', async () => {
    const { sw, rt } = await setup({ confDir: DEFAULT_CONF, dialplan: undefined, timers: false });
    expect(sw.conf.aclAllows('lan', '192.168.42.7')).toBe(false);
    expect(sw.conf.aclAllows('LOOPBACK.AUTO', '127.0.0.1')).toBe(true);
    expect(sw.conf.aclAllows('nope', '127.0.0.1')).toBe(false);
    await sw.stop();
    await rt.stop();
  });
});

describe('logging', () => {
  it('fsctl loglevel: names, numbers, the cap at DEBUG, bare = DISABLE, errors', async () => {
    const { sw, rt } = await setup({ timers: false });
    expect(await sw.api('fsctl loglevel warning')).toBe('+OK log level: WARNING [4]\n');
    expect(await sw.api('fsctl loglevel 9')).toBe('+OK log level: DEBUG [7]\n');
    expect(await sw.api('fsctl loglevel error')).toBe('-ERR syntax error, log level not set!\n');
    expect(await sw.api('fsctl loglevel 64')).toBe('-ERR syntax error, log level not set!\n');
    expect(await sw.api('fsctl loglevel')).toBe('+OK log level: DISABLE [-1]\n');
    expect(await sw.api('fsctl')).toBe(`-USAGE: ${CTL_SYNTAX}\n`);
    expect(await sw.api('fsctl frobnicate')).toBe(`-ERR Invalid command\nUSAGE: fsctl ${CTL_SYNTAX}\n`);
    expect(await sw.api('fsctl sps 50')).toBe('+OK sessions per second: 50\n');
    await sw.stop();
    await rt.stop();
  });

  it('the hard level filters everything; each subscriber has its own level; records carry the console line', async () => {
    const { sw, rt, clock, logs } = await setup({ timers: false });
    const notice: LogRecord[] = [];
    const debug: LogRecord[] = [];
    sw.core.logger.subscribe(5, (r) => notice.push(r));
    sw.core.logger.subscribe(7, (r) => debug.push(r));
    await clock.advance(1500.25);
    logs.length = 0;
    sw.core.log('NOTICE', 'hello', 'abc');
    sw.core.log('DEBUG', 'details');
    expect(notice.map((r) => r.data)).toEqual(['2024-09-03 10:11:13.500250 100.00% [NOTICE] switch_core.c:0 hello\n']);
    expect(notice[0]).toMatchObject({ level: 5, levelName: 'NOTICE', text: 'hello', userData: 'abc' });
    expect(debug.map((r) => r.text)).toEqual(['hello', 'details']);
    expect(await sw.api('fsctl loglevel err')).toBe('+OK log level: ERR [3]\n');
    sw.core.log('WARNING', 'dropped');
    sw.core.log('ERR', 'kept');
    expect(debug.map((r) => r.text)).toEqual(['hello', 'details', 'kept']);
    expect(logs).toEqual(['NOTICE hello', 'DEBUG details', 'ERR kept']);
    await sw.stop();
    await rt.stop();
  });
});
