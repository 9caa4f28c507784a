/**
 * Call limits: the `limit` application with the `hash` backend (mod_dptools, switch_limit.c,
 * mod_hash) and the limit API commands (mod_commands), on a TestClock starting at epoch T0.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { type Setup, setup, stopSetup as stop, callNull as call } from './switch_helpers.ts';

const plan = staticDialplan({
  default: {
    '100': [['limit', 'hash r gw 2'], ['set', 'passed=yes'], ['park']],
    '101': [['limit', 'hash r gw 2 full XML other'], ['park']],
    '102': [['limit', 'hash r gw 2 !USER_BUSY'], ['park']],
    '103': [['limit', 'hash r other'], ['park']],
    '104': [['limit', 'hash r gw 2'], ['limit', 'hash r gw 2'], ['limit', 'hash r b -'], ['park']],
    '105': [['set', 'limit_ignore_transfer=true'], ['limit', 'hash r gw 2'], ['park']],
    '106': [['limit', 'hash r other'], ['limit', 'hash r gw 2'], ['park']],
    '107': [['limit', 'hash r gw 2'], ['unset', 'limit_backend'], ['park']],
    '200': [['limit', 'hash r rate 2/10'], ['park']],
    '201': [['limit', 'hash r zero 0/10'], ['park']],
    '300': [['limit', 'hash r'], ['park']],
    '301': [['limit', 'odbc r gw 5'], ['park']],
    '302': [['limit_hash', 'r gw 2'], ['park']],
    '303': [['set', 'switch_limit_backwards_compat_flag=true'], ['limit_hash', 'r gw 2'], ['park']],
    '304': [['limit', '']],
    '305': [['set', 'switch_limit_backwards_compat_flag=true'], ['limit', 'r gw 2'], ['park']],
    '400': [['limit_execute', 'hash r ex 1 set ran=yes'], ['set', 'after=${limit_usage_r_ex}'], ['park']],
    '401': [['limit_execute', 'hash r ex 1 sleep 100000'], ['set', 'after=yes'], ['park']],
    '402': [['limit_execute', 'hash r ex 1 set ran=yes'], ['limit_execute', 'hash r ex 1'], ['limit_execute', 'hash r ex 1 park'], ['park']],
    '403': [
      ['limit_execute', 'hash r ex 1 transfer 1000'],
      ['set', 'never=yes'],
    ],
    '404': [['set', 'switch_limit_backwards_compat_flag=true'], ['limit_hash_execute', 'r ex2 1 set ran=yes'], ['park']],
    limit_exceeded: [['set', 'over=yes'], ['park']],
    '1000': [['park']],
  },
  other: { full: [['set', 'over=other'], ['park']] },
});

const start = () => setup({ dialplan: plan });

/** A null call into the dialplan at `dest`, once it has run up to its park. */

const getvar = (t: Setup, uuid: string, name: string) => t.sw.api(`uuid_getvar ${uuid} ${name}`);
const dest = (t: Setup, uuid: string) => getvar(t, uuid, 'destination_number');

describe('limit hash: counting (limit_function, limit_incr_hash)', () => {
  it('counts each channel once per realm and resource; the call over the maximum goes to limit_exceeded', async () => {
    const t = await start();
    const usage: SwitchEvent[] = [];
    t.sw.events.subscribe({ types: ['CUSTOM'], subclasses: ['limit::usage'], handler: (e) => void usage.push(e) });
    const a = await call(t, '100');
    expect(await getvar(t, a, 'limit_usage')).toBe('1');
    expect(await getvar(t, a, 'limit_usage_r_gw')).toBe('1');
    expect(await getvar(t, a, 'limit_rate')).toBe('0');
    expect(await getvar(t, a, 'limit_rate_r_gw')).toBe('0');
    expect(await getvar(t, a, 'limit_backend')).toBe('hash');
    // no limit_realm / limit_id / limit_max: the hash backend sets only these four
    expect(await getvar(t, a, 'limit_max')).toBe('_undef_');
    const b = await call(t, '100');
    expect(await getvar(t, b, 'limit_usage')).toBe('2');
    expect(await t.sw.api('limit_usage hash r gw')).toBe('2');
    const c = await call(t, '100');
    expect(await dest(t, c)).toBe('limit_exceeded');
    expect(await getvar(t, c, 'over')).toBe('yes');
    expect(await getvar(t, c, 'passed')).toBe('_undef_');
    // the refused call sets no usage variables and is not counted
    expect(await getvar(t, c, 'limit_usage')).toBe('_undef_');
    expect(await getvar(t, c, 'limit_backend')).toBe('_undef_');
    expect(await t.sw.api('limit_usage hash r gw')).toBe('2');
    expect(t.logs).toContain('INFO Usage for r_gw is already at max value (2)');
    expect(t.logs).toContain('DEBUG Usage for r_gw is now 2/2');
    // another resource of the realm is counted apart, and without a maximum is a counter only
    const d = await call(t, '103');
    expect(await dest(t, d)).toBe('103');
    expect(await t.sw.api('limit_usage hash r other')).toBe('1');
    expect(t.logs).toContain('DEBUG Usage for r_other is now 1');
    // limit::usage for each count (none for the refused call)
    expect(usage.map((e) => ['backend', 'realm', 'key', 'usage', 'rate', 'max', 'ratemax'].map((h) => e.getHeader(h)).join(' '))).toEqual([
      'hash r gw 1 0 2 2',
      'hash r gw 2 0 2 2',
      'hash r other 1 0 -1 0',
    ]);
    await stop(t);
  });

  it('a channel asking twice for the same resource is counted once; `-` as the maximum only counts', async () => {
    const t = await start();
    const a = await call(t, '104');
    expect(await t.sw.api('limit_usage hash r gw')).toBe('1');
    expect(await t.sw.api('limit_usage hash r b')).toBe('1');
    expect(await getvar(t, a, 'limit_usage')).toBe('1');
    await call(t, '104');
    expect(await t.sw.api('limit_usage hash r gw')).toBe('2');
    expect(await t.sw.api('limit_usage hash r b')).toBe('2');
    await stop(t);
  });

  it('over the limit: the given destination, dialplan and context; `!<cause>` hangs up with that cause', async () => {
    const t = await start();
    await call(t, '100');
    await call(t, '100');
    const x = await call(t, '101');
    expect(await dest(t, x)).toBe('full');
    expect(await getvar(t, x, 'over')).toBe('other');
    const events: SwitchEvent[] = [];
    t.sw.events.subscribe({ types: ['CHANNEL_HANGUP'], handler: (e) => void events.push(e) });
    const y = await call(t, '102');
    expect(events.find((e) => e.getHeader('Unique-ID') === y)?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    expect(await t.sw.api(`uuid_exists ${y}`)).toBe('false');
    await stop(t);
  });
});

describe('limit hash: release (limit_state_handler, limit_release_hash)', () => {
  it("a hangup releases the channel's counts, so the next call fits", async () => {
    const t = await start();
    const a = await call(t, '104');
    const b = await call(t, '100');
    expect(await t.sw.api('limit_usage hash r gw')).toBe('2');
    await t.sw.api(`uuid_kill ${a}`);
    await t.settle();
    expect(await t.sw.api('limit_usage hash r gw')).toBe('1');
    expect(await t.sw.api('limit_usage hash r b')).toBe('0');
    expect(t.logs).toContain('DEBUG Usage for r_b is now 0');
    const c = await call(t, '100');
    expect(await dest(t, c)).toBe('100');
    await t.sw.api(`uuid_kill ${b}`);
    await t.sw.api(`uuid_kill ${c}`);
    await t.settle();
    expect(await t.sw.api('limit_usage hash r gw')).toBe('0');
    await stop(t);
  });

  it('a transfer releases them too (limit_backend unset), unless limit_ignore_transfer is true', async () => {
    const t = await start();
    const a = await call(t, '100');
    expect(await t.sw.api(`uuid_transfer ${a} 1000`)).toBe('+OK\n');
    await t.settle();
    expect(await dest(t, a)).toBe('1000');
    expect(await t.sw.api('limit_usage hash r gw')).toBe('0');
    expect(await getvar(t, a, 'limit_backend')).toBe('_undef_');
    const b = await call(t, '105');
    await t.sw.api(`uuid_transfer ${b} 1000`);
    await t.settle();
    expect(await dest(t, b)).toBe('1000');
    expect(await t.sw.api('limit_usage hash r gw')).toBe('1');
    expect(await getvar(t, b, 'limit_backend')).toBe('hash');
    await t.sw.api(`uuid_kill ${b}`);
    await t.settle();
    expect(await t.sw.api('limit_usage hash r gw')).toBe('0');
    await stop(t);
  });

  it('the release follows limit_backend: a channel that unset it keeps its counts after hanging up', async () => {
    const t = await start();
    const a = await call(t, '107');
    await t.sw.api(`uuid_kill ${a}`);
    await t.settle();
    expect(t.logs).toContain('DEBUG Unset limit backendlist!');
    expect(await t.sw.api('limit_usage hash r gw')).toBe('1');
    await stop(t);
  });

  it("the over-limit transfer releases the refused channel's other counts", async () => {
    const t = await start();
    await call(t, '100');
    await call(t, '100');
    const c = await call(t, '106');
    expect(await dest(t, c)).toBe('limit_exceeded');
    expect(t.logs).toContain('DEBUG Usage for r_other is now 0');
    expect(await t.sw.api('limit_usage hash r other')).toBe('0');
    await stop(t);
  });
});

describe('limit hash: rates (`<max>/<interval>`)', () => {
  it('max uses per interval seconds, counted per check; the window starts again after the interval', async () => {
    const t = await start();
    const a = await call(t, '200');
    expect(await getvar(t, a, 'limit_rate')).toBe('1');
    expect(await getvar(t, a, 'limit_rate_r_rate')).toBe('1');
    const b = await call(t, '200');
    expect(await getvar(t, b, 'limit_rate')).toBe('2');
    expect(t.logs).toContain('DEBUG Usage for r_rate is now 2/2 for the last 10 seconds');
    const c = await call(t, '200');
    expect(await dest(t, c)).toBe('limit_exceeded');
    expect(t.logs).toContain('INFO Usage for r_rate exceeds maximum rate of 2/10s, now at 3');
    // a refused check still counts in the rate; the channels counted are the two
    expect(await t.sw.api('limit_usage hash r rate rate')).toBe('2/3');
    await t.clock.advance(9_000);
    await t.settle();
    expect(await dest(t, await call(t, '200'))).toBe('limit_exceeded');
    await t.clock.advance(1_000);
    await t.settle();
    const d = await call(t, '200');
    expect(await dest(t, d)).toBe('200');
    expect(await getvar(t, d, 'limit_rate')).toBe('1');
    // the rate ignores the channels still up
    expect(await t.sw.api('limit_usage hash r rate rate')).toBe('3/1');
    await stop(t);
  });

  it('limit_interval_reset starts the window again at 0 from now', async () => {
    const t = await start();
    await call(t, '200');
    await call(t, '200');
    expect(await t.sw.api('limit_interval_reset hash r rate')).toBe('+OK');
    expect(await t.sw.api('limit_usage hash r rate rate')).toBe('2/0');
    const c = await call(t, '200');
    expect(await dest(t, c)).toBe('200');
    expect(await getvar(t, c, 'limit_rate')).toBe('1');
    await stop(t);
  });

  it('a maximum of 0 per interval still lets the first check of each window through (it only resets the rate)', async () => {
    const t = await start();
    const a = await call(t, '201');
    expect(await dest(t, a)).toBe('201');
    const b = await call(t, '201');
    expect(await dest(t, b)).toBe('limit_exceeded');
    // emptied (no channel, rate reset) and released, the entry is freed: the next check opens a new window
    expect(await t.sw.api('limit_interval_reset hash r zero')).toBe('+OK');
    await t.sw.api(`uuid_kill ${a}`);
    await t.settle();
    expect(await t.sw.api('limit_usage hash r zero rate')).toBe('0/0');
    expect(await dest(t, await call(t, '201'))).toBe('201');
    await stop(t);
  });
});

describe('limit_execute (limit_execute_function)', () => {
  it('runs the application nested while counted and releases the count once it is over', async () => {
    const t = await start();
    const a = await call(t, '400');
    expect(await getvar(t, a, 'ran')).toBe('yes');
    // the increment set limit_usage_r_ex; the count itself was released before the next application
    expect(await getvar(t, a, 'after')).toBe('1');
    expect(await t.sw.api('limit_usage hash r ex')).toBe('0');
    expect(t.logs).toContain('INFO immediately releasing');
    const completes = t.sub
      .take()
      .filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Unique-ID') === a)
      .map((e) => e.getHeader('Application'));
    expect(completes.slice(0, 2)).toEqual(['set', 'limit_execute']);
    await stop(t);
  });

  it('a waiting application holds the count until it ends; over the limit nothing runs; fewer than six words is the usage', async () => {
    const t = await start();
    const a = await call(t, '401');
    expect(await t.sw.api('limit_usage hash r ex')).toBe('1');
    const b = await call(t, '402');
    // b: over the limit, its set is not run; then two usage errors (the C wants the application's arguments too)
    expect(await t.sw.api('limit_usage hash r ex')).toBe('1');
    expect(await getvar(t, b, 'ran')).toBe('_undef_');
    expect(t.logs.filter((l) => l.startsWith('ERR USAGE: limit_execute'))).toHaveLength(2);
    // a's park ends with a break: the count is released and the extension goes on
    await t.sw.api(`uuid_break ${a}`);
    await t.settle();
    expect(await t.sw.api('limit_usage hash r ex')).toBe('0');
    expect(await getvar(t, a, 'after')).toBe('yes');
    await stop(t);
  });

  it('a channel that left CS_EXECUTE is not released by it; limit_hash_execute with the compatibility flag', async () => {
    const t = await start();
    const a = await call(t, '403');
    expect(await dest(t, a)).toBe('1000');
    expect(await getvar(t, a, 'never')).toBe('_undef_');
    // not released by limit_execute: the transfer's own release (limit_state_handler) did it
    expect(t.logs).not.toContain('INFO immediately releasing');
    expect(await t.sw.api('limit_usage hash r ex')).toBe('0');
    const b = await call(t, '404');
    expect(await getvar(t, b, 'ran')).toBe('yes');
    await stop(t);
  });
});

describe('limit API commands (mod_commands)', () => {
  it('limit_usage, limit_hash_usage, limit_status, limit_reset and limit_interval_reset: their replies', async () => {
    const t = await start();
    await call(t, '100');
    expect(await t.sw.api('limit_usage hash r gw')).toBe('1');
    expect(await t.sw.api('limit_usage hash r gw RATE')).toBe('1/0');
    expect(await t.sw.api('limit_usage hash r gw other')).toBe('1');
    expect(await t.sw.api('limit_usage hash r nothing')).toBe('0');
    expect(await t.sw.api('limit_hash_usage r gw')).toBe('1');
    expect(await t.sw.api('limit_hash_usage r gw rate')).toBe('1/0');
    expect(await t.sw.api('limit_status hash')).toBe('-ERR not supported yet (locking problems).');
    expect(await t.sw.api('limit_status db')).toBe('-ERR');
    expect(t.logs).toContain('ERR Limit subsystem db not found!');
    // the hash backend has no reset
    expect(await t.sw.api('limit_reset hash')).toBe('-ERR');
    expect(await t.sw.api('limit_usage hash r gw')).toBe('1');
    expect(await t.sw.api('limit_interval_reset db r gw')).toBe('+OK');
    const help = await t.sw.api('help');
    expect(help).toContain('limit_interval_reset,<backend> <realm> <resource>,Reset the interval counter for a limited resource,mod_commands');
    await stop(t);
  });

  it('missing arguments: the usage lines; two words are the old form, on the db backend', async () => {
    const t = await start();
    expect(await t.sw.api('limit_usage')).toBe('USAGE: limit_usage <backend> <realm> <id> [rate]\n');
    expect(await t.sw.api('limit_usage hash')).toBe('USAGE: limit_usage <backend> <realm> <id> [rate]\n');
    expect(await t.sw.api('limit_usage r gw')).toBe('0');
    expect(t.logs).toContain("WARNING Using deprecated limit api: Please specify backend.  Defaulting to 'db' backend.");
    expect(t.logs).toContain('ERR Limit subsystem db not found!');
    expect(await t.sw.api('limit_hash_usage')).toBe(
      'USAGE: limit_hash_usage <realm> <id> [rate] (Using deprecated limit api, check limit_usage with backend param)\n',
    );
    expect(await t.sw.api('limit_status')).toBe('USAGE: limit_status <backend>\n');
    expect(await t.sw.api('limit_reset')).toBe('USAGE: limit_reset <backend>\n');
    expect(await t.sw.api('limit_interval_reset hash r')).toBe('USAGE: limit_interval_reset <backend> <realm> <resource>\n');
    await stop(t);
  });
});

describe('limit application: bad arguments and the deprecated limit_hash', () => {
  it('too few arguments log the usage and go on; an unknown backend counts as over the limit', async () => {
    const t = await start();
    const a = await call(t, '300');
    expect(await dest(t, a)).toBe('300');
    expect(t.logs).toContain('ERR USAGE: limit <backend> <realm> <id> [<max>[/interval]] [number [dialplan [context]]]');
    const b = await call(t, '301');
    expect(await dest(t, b)).toBe('limit_exceeded');
    expect(t.logs).toContain('ERR Limit subsystem odbc not found!');
    const before = t.logs.filter((l) => l.startsWith('ERR USAGE: limit ')).length;
    await call(t, '304');
    expect(t.logs.filter((l) => l.startsWith('ERR USAGE: limit ')).length).toBe(before + 1);
    await stop(t);
  });

  it('with switch_limit_backwards_compat_flag, an unknown backend is the old form: `db` put before the arguments', async () => {
    const t = await start();
    const a = await call(t, '305');
    expect(t.logs.some((l) => l.startsWith("WARNING Unknown backend 'r'.  To maintain backwards compatability, falling back on db backend"))).toBe(
      true,
    );
    // beamline has no db backend: the over-limit path
    expect(t.logs).toContain('ERR Limit subsystem db not found!');
    expect(await dest(t, a)).toBe('limit_exceeded');
    await stop(t);
  });

  it('limit_hash works only with switch_limit_backwards_compat_flag, as `limit hash …`', async () => {
    const t = await start();
    await call(t, '302');
    expect(t.logs).toContain("ERR 'limit_hash' (deprecated) is only available after loading mod_limit.");
    expect(await t.sw.api('limit_usage hash r gw')).toBe('0');
    const b = await call(t, '303');
    expect(t.logs).toContain("WARNING Using deprecated 'limit_hash' api: Please use 'limit hash'.");
    expect(await t.sw.api('limit_usage hash r gw')).toBe('1');
    expect(await getvar(t, b, 'limit_usage_r_gw')).toBe('1');
    await stop(t);
  });
});
