/**
 * mod_dptools' mutex (do_mutex): one holder per key, the others waiting in line, every 20 ms
 * looking whether their turn came; `off` or the holder's hangup passes the key on.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { type Setup, callNull, setup, stopSetup } from './switch_helpers.ts';

const plan = staticDialplan({
  default: {
    m: [['mutex', 'room'], ['set', 'got=yes'], ['park']],
    t: [['set', 'mutex_timeout=1'], ['mutex', 'room'], ['set', 'after=yes'], ['park']],
    f: [['set', 'mutex_feedback=silence'], ['mutex', 'room'], ['set', 'got=yes'], ['park']],
    bad: [['mutex', 'nokey off'], ['mutex', ''], ['set', 'after=yes'], ['park']],
  },
});

async function advance(t: Setup, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 20) {
    await t.clock.advance(20);
    await t.settle();
  }
}

const getvar = (t: Setup, uuid: string, name: string) => t.sw.api(`uuid_getvar ${uuid} ${name}`);

describe('mutex', () => {
  it('the first channel holds the key; the next waits until `off`, the one after until the holder hangs up', async () => {
    const t = await setup({ dialplan: plan });
    const a = await callNull(t, 'm', 1);
    expect(await getvar(t, a, 'got')).toBe('yes');
    const b = await callNull(t, 'm', 2);
    const c = await callNull(t, 'm', 3);
    await advance(t, 200);
    expect([await getvar(t, b, 'got'), await getvar(t, c, 'got')]).toEqual(['_undef_', '_undef_']);
    expect(t.logs).toContain('DEBUG null/2 mutex _mutex_key_room is busy, waiting...');
    expect(await t.sw.sendExecute(a, 'mutex', 'room off')).toBe(true);
    await advance(t, 40);
    expect(await getvar(t, b, 'got')).toBe('yes');
    expect(await getvar(t, c, 'got')).toBe('_undef_');
    await t.sw.api(`uuid_kill ${b}`);
    await advance(t, 40);
    expect(await getvar(t, c, 'got')).toBe('yes');
    // off from a channel that holds nothing is an invalid state
    await t.sw.sendExecute(a, 'mutex', 'room off');
    await t.settle();
    expect(t.logs).toContain('ERR INVALID STATE');
    await stopSetup(t);
  });

  it('mutex_timeout gives up after its seconds and the extension goes on; a waiter that hangs up leaves the line', async () => {
    const t = await setup({ dialplan: plan });
    const a = await callNull(t, 'm', 1);
    const b = await callNull(t, 't', 2);
    const c = await callNull(t, 'f', 3);
    await advance(t, 900);
    expect(await getvar(t, b, 'after')).toBe('_undef_');
    await advance(t, 200);
    expect(await getvar(t, b, 'after')).toBe('yes');
    // c waits with feedback (a playback); the holder's hangup gives it the key
    expect(t.sub.take().some((e) => e.type === 'PLAYBACK_START' && e.getHeader('Unique-ID') === c)).toBe(true);
    await t.sw.api(`uuid_kill ${a}`);
    await advance(t, 40);
    expect(await getvar(t, c, 'got')).toBe('yes');
    const d = await callNull(t, 'f', 4);
    await t.sw.api(`uuid_kill ${d}`);
    await t.sw.api(`uuid_kill ${c}`);
    await advance(t, 40);
    const e = await callNull(t, 'm', 5);
    expect(await getvar(t, e, 'got')).toBe('yes');
    await stopSetup(t);
  });

  it('bad data: a missing key is an error, off for a key not held an invalid state; the call goes on', async () => {
    const t = await setup({ dialplan: plan });
    const a = await callNull(t, 'bad');
    expect(t.logs).toContain('ERR INVALID STATE');
    expect(t.logs).toContain('ERR Missing keyname');
    expect(await getvar(t, a, 'after')).toBe('yes');
    await stopSetup(t);
  });
});
