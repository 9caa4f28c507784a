import { describe, expect, it } from 'vitest';
import { eventAppHeaders, logLevel } from '../src/applications/variables_events.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

const dialplan = staticDialplan({
  default: {
    '3000': [['set', 'reached=3000'], ['park']],
    delayed: [['set', 'answer_delay=500'], ['answer'], ['set', 'after=1'], ['answer'], ['set', 'again=1'], ['park']],
    '4000': [
      ['transfer', '3000'],
      ['set', 'never=1'],
    ],
  },
});

describe('application helpers (pure)', () => {
  it('log levels as switch_log_str2level', () => {
    expect(logLevel('info')).toBe('INFO');
    expect(logLevel('ERROR')).toBe('ERR');
    expect(logLevel('3')).toBe('ERR');
    expect(logLevel('0')).toBe('CONSOLE');
    expect(logLevel('bogus')).toBeUndefined();
  });
  it('event headers: comma separated, spaces around = trimmed, Event-Name / Event-Subclass noted', () => {
    expect(eventAppHeaders(' a = 1,Event-Name=CUSTOM, Event-Subclass=x::y,junk')).toEqual({
      type: 'CUSTOM',
      subclass: 'x::y',
      pairs: [
        ['a', '1'],
        ['Event-Name', 'CUSTOM'],
        ['Event-Subclass', 'x::y'],
      ],
    });
  });
});

async function parked() {
  const t = await setup({ dialplan });
  const uuid = UUID.exec(await t.sw.originate('null/1 &park()'))?.[1] as string;
  await t.settle();
  t.sub.take();
  const run = async (app: string, data: string) => {
    await t.sw.sendExecute(uuid, app, data);
    await t.settle();
    return t.sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
  };
  return { ...t, uuid, run };
}

describe('applications on a running channel', () => {
  it('export sets the variable and appends it to export_vars; nolocal: keeps the prefix on the local name', async () => {
    const { sw, rt, uuid, run } = await parked();
    await run('export', 'a=1');
    await run('export', 'b=2');
    await run('export', 'nolocal:c=3');
    expect(await sw.api(`uuid_getvar ${uuid} a`)).toBe('1');
    expect(await sw.api(`uuid_getvar ${uuid} export_vars`)).toBe('a,b,nolocal:c');
    await sw.stop();
    await rt.stop();
  });

  it('unset and multiset (space or ^^ delimiter)', async () => {
    const { sw, rt, uuid, run, logs } = await parked();
    await run('multiset', 'x=1 y=2');
    await run('multiset', '^^;p=a b;q=c');
    expect(await sw.api(`uuid_getvar ${uuid} y`)).toBe('2');
    expect(await sw.api(`uuid_getvar ${uuid} p`)).toBe('a b');
    await run('unset', 'x');
    expect(await sw.api(`uuid_getvar ${uuid} x`)).toBe('_undef_');
    await run('unset', '');
    expect(logs).toContain('ERR No variable name specified.');
    await sw.stop();
    await rt.stop();
  });

  it('log and info write to the log at the given level, from mod_dptools’ log_function and info_function', async () => {
    const { sw, rt, run, logs } = await parked();
    const sites: string[] = [];
    sw.core.logger.subscribe(7, (r) => sites.push(`${r.file}:${r.func}:${r.line}`));
    await run('log', 'WARNING hello there');
    await run('log', 'plain');
    await run('log', 'nolevel text');
    await run('info', '');
    expect(logs).toContain('WARNING hello there');
    expect(logs).toContain('DEBUG plain');
    expect(logs).toContain('DEBUG text');
    const info = logs.find((l) => l.startsWith('INFO CHANNEL_DATA:\n'));
    expect(info).toContain('\nChannel-Name: [null/1]\n');
    expect(sites.filter((x) => x.startsWith('mod_dptools'))).toEqual([
      ...Array(3).fill('mod_dptools.c:log_function:1865'),
      'mod_dptools.c:info_function:1884',
    ]);
    await sw.stop();
    await rt.stop();
  });

  it('event fires CHANNEL_APPLICATION or the named type, with headers and channel data', async () => {
    const { sw, rt, run, uuid } = await parked();
    let evs = await run('event', 'foo=bar,baz=qux');
    const app = evs.find((e) => e.type === 'CHANNEL_APPLICATION');
    expect(app?.getHeader('foo')).toBe('bar');
    expect(app?.getHeader('Unique-ID')).toBe(uuid);
    expect(evs.map((e) => e.type)).toEqual(['CHANNEL_EXECUTE', 'CHANNEL_APPLICATION', 'CHANNEL_EXECUTE_COMPLETE']);
    evs = await run('event', 'Event-Name=CUSTOM,Event-Subclass=my::thing,k=v');
    const custom = evs.find((e) => e.type === 'CUSTOM');
    expect(custom?.subclass).toBe('my::thing');
    expect(custom?.getHeader('Event-Name')).toBe('CUSTOM');
    expect(custom?.headers.filter((h) => h.name === 'Event-Name')).toHaveLength(1);
    expect(custom?.getHeader('Event-Subclass')).toBe('my::thing');
    expect(custom?.getHeader('k')).toBe('v');
    await sw.stop();
    await rt.stop();
  });

  it('respond does nothing without SIP; transfer routes to the extension (park ended first)', async () => {
    const { sw, rt, run, uuid } = await parked();
    const r = await run('respond', '486');
    expect(r.map((e) => e.type)).toEqual(['CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE']);
    const evs = await run('transfer', '3000 XML default');
    const names = evs.map((e) => `${e.type}${e.getHeader('Application') ? ` ${e.getHeader('Application')}` : ''}`);
    expect(names.slice(0, 6)).toEqual([
      'CHANNEL_EXECUTE transfer',
      'CHANNEL_EXECUTE_COMPLETE transfer',
      'CHANNEL_UNPARK',
      'CHANNEL_EXECUTE_COMPLETE park',
      'CHANNEL_STATE',
      'CHANNEL_STATE',
    ]);
    expect(await sw.api(`uuid_getvar ${uuid} reached`)).toBe('3000');
    await sw.stop();
    await rt.stop();
  });

  it('transfer as a dialplan action stops the extension there', async () => {
    const { sw, rt, settle } = await setup({ dialplan });
    const uuid = UUID.exec(await sw.originate('null/1 4000'))?.[1] as string;
    await settle();
    expect(await sw.api(`uuid_getvar ${uuid} reached`)).toBe('3000');
    expect(await sw.api(`uuid_getvar ${uuid} never`)).toBe('_undef_');
    await sw.stop();
    await rt.stop();
  });
});

describe('applications added to a running switch (a module load)', () => {
  it('addApplication: a channel runs it by name (any case); removal restores the built-in or makes it invalid', async () => {
    const { sw, uuid, run } = await parked();
    const ran: string[] = [];
    const off = sw.addApplication({
      name: 'Mine',
      run: (_ch, data, done) => {
        ran.push(data);
        void done();
        return undefined;
      },
    });
    await run('mine', 'one');
    expect(ran).toEqual(['one']);
    off();
    const events = await run('mine', 'two');
    expect(ran).toEqual(['one']);
    expect(events.map((e) => e.getHeader('Event-Name'))).toContain('CHANNEL_HANGUP');
    expect(await sw.api(`uuid_exists ${uuid}`)).toBe('false');
    await sw.stop();
  });
});

describe('answer', () => {
  it('answer_delay: the answer is marked at once, then the application waits that long (switch_channel_perform_answer); an answered channel does not wait', async () => {
    const t = await setup({ dialplan });
    expect(await t.sw.originate('loopback/delayed &park()')).toMatch(UUID);
    await t.settle();
    const completes = () =>
      t.sub
        .take()
        .filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application') === 'answer')
        .map((e) => [e.getHeader('Channel-Name'), e.getHeader('Answer-State')]);
    expect(completes()).toEqual([]);
    expect(t.logs).toContain('DEBUG Answer delay for 500 msec');
    await t.clock.advance(499);
    await t.settle();
    expect(completes()).toEqual([]);
    await t.clock.advance(1);
    await t.settle();
    // the second answer finds the channel answered: no delay
    expect(completes()).toEqual([
      ['loopback/delayed-b', 'answered'],
      ['loopback/delayed-b', 'answered'],
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });
});
