/**
 * mod_dptools' execute_extension, wait_for_answer, system, bgsystem, set_user, strftime, privacy,
 * transfer_vars, break, queue_dtmf and early_hangup (mod_dptools.c, switch_core_session_execute_exten,
 * switch_ivr_set_user, switch_ivr_transfer_variable, switch_channel_queue_dtmf_string).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { type Setup, at, bridgedNulls, callNull as call, setup, stopSetup as stop } from './switch_helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'dptools-more-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plan = staticDialplan({
  default: {
    '200': [['wait_for_answer'], ['set', 'after=yes'], ['park']],
    '300': [['execute_extension', '301 XML default'], ['set', 'after=${y}'], ['park']],
    '301': [
      ['set', 'y=from301'],
      ['set', 'seen_dest=${destination_number}'],
    ],
    '302': [['execute_extension', '303 XML other'], ['execute_extension', 'nowhere'], ['execute_extension', ''], ['set', 'after=yes'], ['park']],
    '310': [['execute_extension', '311'], ['set', 'after=yes'], ['park']],
    '311': [
      ['set', 'inner=1'],
      ['hangup', 'USER_BUSY'],
      ['set', 'never=1'],
    ],
    '400': [['strftime', 'day=%Y-%m-%d'], ['strftime', 'eq=a=%H'], ['strftime', 'nothing'], ['park']],
    '500': [['privacy', 'name'], ['park']],
    '501': [['privacy', 'full'], ['privacy', 'off'], ['privacy', 'bogus'], ['privacy', ''], ['park']],
    '600': [['break'], ['playback', 'tone_stream://%(10000,0,350)'], ['set', 'after=yes'], ['park']],
    '700': [['queue_dtmf', '12@100+3'], ['queue_dtmf', 'xx'], ['park']],
    '800': [['early_hangup'], ['set', 'after=yes'], ['park']],
    '810': [['send_display', 'Bob|200'], ['park']],
    '811': [['set', 'ignore_display_updates=true'], ['send_display', 'Carol'], ['send_display', ''], ['park']],
  },
  other: { '303': [['set', 'y=other303']] },
});

const getvar = (t: Setup, uuid: string, name: string) => t.sw.api(`uuid_getvar ${uuid} ${name}`);

describe('wait_for_answer', () => {
  it('waits until the channel is answered, then the extension goes on', async () => {
    const t = await setup({ dialplan: plan });
    // loopback's B leg is inbound: it routes to 200 unanswered (its A leg's originate waits for it)
    let uuid = '';
    const sub = t.sw.events.subscribe({
      types: ['CHANNEL_CREATE'],
      handler: (e) => {
        if (e.getHeader('Channel-Name') === 'loopback/200-b') uuid = e.getHeader('Unique-ID') ?? '';
      },
    });
    const originated = t.sw.originate('loopback/200 &park()');
    await t.settle();
    sub.unsubscribe();
    expect(t.logs).toContain('DEBUG Waiting for answer');
    await at(t, 1000);
    expect(await getvar(t, uuid, 'after')).toBe('_undef_');
    await t.sw.api(`uuid_answer ${uuid}`);
    await at(t, 1200);
    expect(await getvar(t, uuid, 'after')).toBe('yes');
    expect(await originated).toMatch(/^\+OK /);
    await stop(t);
  });
});

describe('execute_extension (switch_core_session_execute_exten)', () => {
  it('runs the extension of another destination nested, then goes on; the channel keeps its destination', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '300');
    expect(await getvar(t, uuid, 'y')).toBe('from301');
    expect(await getvar(t, uuid, 'after')).toBe('from301');
    expect(await getvar(t, uuid, 'destination_number')).toBe('300');
    expect(t.logs).toContain('NOTICE Execute [depth=1] set(y=from301)');
    await stop(t);
  });

  it('takes the context given; an extension that is not found does nothing; no argument logs the usage', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '302');
    expect(await getvar(t, uuid, 'y')).toBe('other303');
    expect(await getvar(t, uuid, 'after')).toBe('yes');
    expect(t.logs).toContain('ERR Usage: <extension> <dialplan> <context>');
    await stop(t);
  });

  it('stops when the channel hangs up in the extension', async () => {
    const t = await setup({ dialplan: plan });
    const seen: string[] = [];
    const sub = t.sw.events.subscribe({ types: ['CHANNEL_HANGUP'], handler: (e) => void seen.push(e.getHeader('Hangup-Cause') ?? '') });
    await call(t, '310');
    sub.unsubscribe();
    expect(seen).toEqual(['USER_BUSY']);
    expect(t.logs.some((l) => l.includes('set(never=1)') || l.includes('set(after=yes)'))).toBe(false);
    await stop(t);
  });
});

describe('system and bgsystem', () => {
  it('system ends when the command has; bgsystem at once, the command running on', async () => {
    const slow = join(dir, 'system.out');
    const bg = join(dir, 'bgsystem.out');
    const t = await setup({
      dialplan: staticDialplan({
        default: {
          '900': [['system', `sleep 0.2; echo x > ${slow}`], ['bgsystem', `sleep 0.3; echo x > ${bg}`], ['set', 'after=yes'], ['park']],
        },
      }),
    });
    const completed: [string, boolean][] = [];
    const sub = t.sw.events.subscribe({
      types: ['CHANNEL_EXECUTE_COMPLETE'],
      handler: (e: SwitchEvent) => {
        const app = e.getHeader('Application') ?? '';
        if (app === 'system') completed.push([app, existsSync(slow)]);
        if (app === 'bgsystem') completed.push([app, existsSync(bg)]);
      },
    });
    const uuid = await call(t, '900');
    for (let i = 0; i < 200 && !existsSync(bg); i++) {
      await t.settle();
      await new Promise((r) => setTimeout(r, 10));
    }
    sub.unsubscribe();
    expect(completed).toEqual([
      ['system', true],
      ['bgsystem', false],
    ]);
    expect(existsSync(bg)).toBe(true);
    expect(await getvar(t, uuid, 'after')).toBe('yes');
    expect(t.logs).toContain(`NOTICE Executing command: sleep 0.2; echo x > ${slow}`);
    await stop(t);
  });
});

describe('set_user (switch_ivr_set_user)', () => {
  const CONF = `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="directory">
    <domain name="example.org">
      <variables><variable name="user_context" value="default"/><variable name="toll_allow" value="domestic"/></variables>
      <users>
        <user id="1001" number-alias="501">
          <variables><variable name="toll_allow" value="intl"/><variable name="accountcode" value="a1001"/></variables>
          <profile-variables><variable name="caller_id_name" value="Alice"/></profile-variables>
        </user>
      </users>
    </domain>
  </section>
</document>`;
  const userPlan = staticDialplan({
    default: {
      '100': [['set_user', '1001@example.org'], ['park']],
      '101': [['set_user', '501@example.org pre_'], ['park']],
      '102': [['set_user', '9999@example.org'], ['set_user', 'nodomain'], ['set_user', ''], ['park']],
    },
  });

  it('puts the user’s merged variables, number_alias, user_name and domain_name on the channel, its profile-variables on the profile', async () => {
    writeFileSync(join(dir, 'freeswitch.xml'), CONF);
    const t = await setup({ confDir: dir, dialplan: userPlan });
    const uuid = await call(t, '100');
    expect(await getvar(t, uuid, 'toll_allow')).toBe('intl');
    expect(await getvar(t, uuid, 'user_context')).toBe('default');
    expect(await getvar(t, uuid, 'accountcode')).toBe('a1001');
    expect(await getvar(t, uuid, 'number_alias')).toBe('501');
    expect(await getvar(t, uuid, 'user_name')).toBe('1001');
    expect(await getvar(t, uuid, 'domain_name')).toBe('example.org');
    const dump = JSON.parse(await t.sw.api(`uuid_dump ${uuid} json`)) as Record<string, string>;
    expect(dump['Caller-Caller-ID-Name']).toBe('Alice');
    await stop(t);
  });

  it('a prefix goes before each name; user_name is the id as given', async () => {
    writeFileSync(join(dir, 'freeswitch.xml'), CONF);
    const t = await setup({ confDir: dir, dialplan: userPlan });
    const uuid = await call(t, '101');
    expect(await getvar(t, uuid, 'pre_accountcode')).toBe('a1001');
    expect(await getvar(t, uuid, 'pre_user_name')).toBe('501');
    expect(await getvar(t, uuid, 'accountcode')).toBe('_undef_');
    await stop(t);
  });

  it('an unknown user is a warning, a missing @domain an error', async () => {
    writeFileSync(join(dir, 'freeswitch.xml'), CONF);
    const t = await setup({ confDir: dir, dialplan: userPlan });
    const uuid = await call(t, '102');
    expect(t.logs).toContain("WARNING can't find user [9999@example.org]");
    expect(t.logs.filter((l) => l === 'ERR No user@domain specified.')).toHaveLength(2);
    expect(await getvar(t, uuid, 'user_name')).toBe('_undef_');
    await stop(t);
  });
});

describe('strftime (the application)', () => {
  it('`<var>=<format>`: the local time now in the variable; no `=` does nothing', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '400');
    expect(await getvar(t, uuid, 'day')).toBe('2024-09-03');
    expect(await getvar(t, uuid, 'eq')).toBe('a=10');
    expect(await getvar(t, uuid, 'nothing')).toBe('_undef_');
    expect(t.logs).toContain('DEBUG SET [day]=[2024-09-03]');
    await stop(t);
  });
});

describe('privacy', () => {
  const flags = async (t: Setup, uuid: string) => {
    const dump = JSON.parse(await t.sw.api(`uuid_dump ${uuid} json`)) as Record<string, string>;
    return [dump['Caller-Screen-Bit'], dump['Caller-Privacy-Hide-Name'], dump['Caller-Privacy-Hide-Number']];
  };

  it('`name` hides the name and sets screening', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '500');
    expect(await flags(t, uuid)).toEqual(['true', 'true', 'false']);
    expect(t.logs).toContain('DEBUG Set Privacy to name [3]');
    await stop(t);
  });

  it('`full` hides both, `off` shows both; a bad mode and no mode are errors', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '501');
    expect(t.logs).toContain('DEBUG Set Privacy to full [7]');
    expect(t.logs).toContain('DEBUG Set Privacy to off [1]');
    expect(t.logs).toContain('ERR INVALID privacy mode specified. Use a valid mode [no|yes|name|full|number].');
    expect(t.logs).toContain('ERR No privacy mode specified.');
    expect(await flags(t, uuid)).toEqual(['true', 'false', 'false']);
    await stop(t);
  });
});

describe('transfer_vars (switch_ivr_transfer_variable)', () => {
  it('copies one variable, or every one with a `~` prefix, to the bridged partner; without one, the usage', async () => {
    const t = await setup({ dialplan: plan });
    const { a, b } = await bridgedNulls(t);
    for (const [n, v] of [
      ['tv_one', '1'],
      ['tv_two', '2'],
      ['single', 's'],
      ['other', 'o'],
    ])
      await t.sw.api(`uuid_setvar ${a} ${n} ${v}`);
    await t.sw.api(`uuid_broadcast ${a} transfer_vars::~tv_ aleg`);
    await t.settle();
    await t.sw.api(`uuid_broadcast ${a} transfer_vars::single aleg`);
    await t.settle();
    expect([await getvar(t, b, 'tv_one'), await getvar(t, b, 'tv_two'), await getvar(t, b, 'single'), await getvar(t, b, 'other')]).toEqual([
      '1',
      '2',
      's',
      '_undef_',
    ]);
    const lone = await call(t, '&park()', 3);
    await t.sw.api(`uuid_broadcast ${lone} transfer_vars::~tv_ aleg`);
    await t.settle();
    expect(t.logs).toContain('ERR Usage: <~variable_prefix|variable>');
    await stop(t);
  });
});

describe('break', () => {
  it('sets CF_BREAK: the next playback ends at once', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '600');
    expect(await getvar(t, uuid, 'after')).toBe('yes');
    await stop(t);
  });
});

describe('queue_dtmf (switch_channel_queue_dtmf_string)', () => {
  it('queues the digits on the channel itself (DTMF events, source APP), `@ms` setting the duration', async () => {
    const t = await setup({ dialplan: plan });
    const digits: string[] = [];
    const sub = t.sw.events.subscribe({
      types: ['DTMF'],
      handler: (e) => void digits.push(`${e.getHeader('DTMF-Digit')}/${e.getHeader('DTMF-Duration')}/${e.getHeader('DTMF-Source')}`),
    });
    await call(t, '700');
    sub.unsubscribe();
    expect(digits).toEqual(['1/800/APP', '2/800/APP', '3/2000/APP']);
    expect(t.logs).toContain('DEBUG null/1 Queue dtmf\ndigit=1 ms=100 samples=800');
    await stop(t);
  });
});

describe('early_hangup', () => {
  it('is there and lets the extension go on', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '800');
    expect(await getvar(t, uuid, 'after')).toBe('yes');
    expect(await t.sw.api('show application')).toContain('early_hangup,Enable early hangup,,mod_dptools');
    await stop(t);
  });
});

describe('send_display (SWITCH_MESSAGE_INDICATE_DISPLAY)', () => {
  it('`<name>|<number>`: kept as last_sent_callee_id_name / _number (also when display updates are ignored)', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '810');
    expect([await getvar(t, uuid, 'last_sent_callee_id_name'), await getvar(t, uuid, 'last_sent_callee_id_number')]).toEqual(['Bob', '200']);
    const other = await call(t, '811', 2);
    expect([await getvar(t, other, 'last_sent_callee_id_name'), await getvar(t, other, 'last_sent_callee_id_number')]).toEqual(['Carol', '_undef_']);
    await stop(t);
  });
});

describe('rename', () => {
  it('renames a file; a missing one is a DEBUG line, one path the usage', async () => {
    const from = join(dir, 'rename.from');
    const to = join(dir, 'rename.to');
    writeFileSync(from, 'x');
    const t = await setup({
      dialplan: staticDialplan({
        default: { '820': [['rename', `${from} ${to}`], ['rename', `${from} ${to}`], ['rename', from], ['park']] },
      }),
    });
    await call(t, '820');
    expect([existsSync(from), existsSync(to)]).toEqual([false, true]);
    expect(t.logs).toContain(`DEBUG null/1 RENAME: ${from} ${to}`);
    expect(t.logs).toContain(`DEBUG null/1 Can't rename ${from} to ${to}`);
    expect(t.logs).toContain('ERR Usage: <from_path> <to_path>');
    await stop(t);
  });
});
