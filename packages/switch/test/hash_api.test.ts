/**
 * mod_hash: the `hash` API command and application on db_hash, `hash_dump`, and the walking order
 * of FreeSWITCH's hash table (switch_hashtable.c) that hash_dump prints in.
 */
import { describe, expect, it } from 'vitest';
import { SwitchHashtable } from '../src/core/switch_hashtable.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { setup, stopSetup as stop, callNull as call } from './switch_helpers.ts';

const plan = staticDialplan({
  default: {
    '100': [['hash', 'insert/r/k/first'], ['hash', 'insert_ifempty/r/k/second'], ['hash', 'insert_ifempty/r/new/x'], ['park']],
    '101': [['hash', 'delete_ifmatch/r/k/other'], ['hash', 'delete_ifmatch/r/new/x'], ['park']],
    '102': [['hash', 'delete/r/k'], ['park']],
    '103': [['hash', 'insert/r/k'], ['hash', 'select/r/k/v'], ['hash', 'r/k'], ['hash', 'delete_ifmatch/r/k'], ['park']],
    '200': [['limit', 'hash lim gw 5'], ['limit', 'hash lim rate 3/10'], ['park']],
  },
});

const USAGE = '-ERR Usage: hash insert|insert_ifempty|select|delete|delete_ifmatch/realm/key[/value]\n';

describe('hash API (hash_api_function)', () => {
  it('insert, select, insert_ifempty, delete, delete_ifmatch with their replies', async () => {
    const t = await setup();
    expect(await t.sw.api('hash insert/r/k/a/b')).toBe('+OK\n');
    expect(await t.sw.api('hash select/r/k')).toBe('a/b');
    expect(await t.sw.api('hash INSERT/r/k/v2')).toBe('+OK\n');
    expect(await t.sw.api('hash select/r/k')).toBe('v2');
    expect(await t.sw.api('hash insert_ifempty/r/k/v3')).toBe('-ERR key already exists\n');
    expect(await t.sw.api('hash insert_ifempty/r/k2/v3')).toBe('+OK\n');
    expect(await t.sw.api('hash select/r/k2')).toBe('v3');
    expect(await t.sw.api('hash delete_ifmatch/r/k/nope')).toBe("-ERR Doesn't match\n");
    expect(await t.sw.api('hash delete_ifmatch/r/k/v2')).toBe('+OK\n');
    expect(await t.sw.api('hash delete_ifmatch/r/k/v2')).toBe('-ERR Not found\n');
    expect(await t.sw.api('hash delete/r/k2')).toBe('+OK\n');
    expect(await t.sw.api('hash delete/r/k2')).toBe('-ERR Not found\n');
    expect(await t.sw.api('hash select/r/k2')).toBe('');
    await stop(t);
  });

  it('values are filed under <realm>_<key>, case-sensitive', async () => {
    const t = await setup();
    await t.sw.api('hash insert/a_b/c/1');
    expect(await t.sw.api('hash select/a/b_c')).toBe('1');
    expect(await t.sw.api('hash select/A_b/c')).toBe('');
    await stop(t);
  });

  it('the usage line for too few words, a missing value, an unknown verb', async () => {
    const t = await setup();
    for (const bad of ['hash', 'hash insert/r', 'hash insert/r/k', 'hash insert_ifempty/r/k', 'hash delete_ifmatch/r/k', 'hash drop/r/k/v'])
      expect([bad, await t.sw.api(bad)]).toEqual([bad, USAGE]);
    await stop(t);
  });

  it('shares nothing with the limit backend nor with mod_db, nor across switches', async () => {
    const t = await setup({ dialplan: plan });
    await call(t, '200');
    expect(await t.sw.api('limit_usage hash lim gw')).toBe('1');
    expect(await t.sw.api('hash select/lim/gw')).toBe('');
    await t.sw.api('db insert/r/k/db');
    expect(await t.sw.api('hash select/r/k')).toBe('');
    await t.sw.api('hash insert/r/k/hash');
    const other = await setup();
    expect(await other.sw.api('hash select/r/k')).toBe('');
    expect(await t.sw.api('db select/r/k')).toBe('db');
    await stop(other);
    await stop(t);
  });

  it('help lists hash and hash_dump under mod_hash', async () => {
    const t = await setup();
    expect(await t.sw.api('help hash')).toBe('hash,[insert|delete|select]/<realm>/<key>/<value>,hash get/set,mod_hash\n');
    expect(await t.sw.api('help hash_dump')).toBe('hash_dump,all|limit|db [<realm>],dump hash/limit_hash data (used for synchronization),mod_hash\n');
    await stop(t);
  });
});

describe('hash application (hash_function)', () => {
  it('insert, insert_ifempty (only when empty), delete_ifmatch (only on a match), delete', async () => {
    const t = await setup({ dialplan: plan });
    await call(t, '100');
    expect(await t.sw.api('hash select/r/k')).toBe('first');
    expect(await t.sw.api('hash select/r/new')).toBe('x');
    await call(t, '101');
    expect(await t.sw.api('hash select/r/k')).toBe('first');
    expect(await t.sw.api('hash select/r/new')).toBe('');
    await call(t, '102');
    expect(await t.sw.api('hash select/r/k')).toBe('');
    await stop(t);
  });

  it('a missing value, select, too few words: WARNING with the usage, nothing changed', async () => {
    const t = await setup({ dialplan: plan });
    await call(t, '103');
    const usage = 'WARNING USAGE: hash [insert|insert_ifempty|delete|delete_ifmatch]/<realm>/<key>/<val>';
    expect(t.logs.filter((l) => l.includes('USAGE'))).toEqual([usage, usage, usage, usage]);
    expect(await t.sw.api('hash_dump db')).toBe('');
    await stop(t);
  });
});

describe('hash_dump (hash_dump_function)', () => {
  it('db: D/<key>/<value> in the table’s order; a realm keeps keys holding "<realm>_" anywhere', async () => {
    const t = await setup();
    for (const [realm, key] of [
      ['r', 'a'],
      ['r', 'b'],
      ['r', 'c'],
      ['x', 'k1'],
      ['realm', 'key'],
      ['realm', 'ké'],
    ])
      await t.sw.api(`hash insert/${realm}/${key}/${realm}${key}`);
    // the order switch_hashtable.c walks these keys in (checked against a C build of the table)
    expect(await t.sw.api('hash_dump db')).toBe('D/r_c/rc\nD/x_k1/xk1\nD/r_b/rb\nD/realm_ké/realmké\nD/realm_key/realmkey\nD/r_a/ra\n');
    expect(await t.sw.api('hash_dump db r')).toBe('D/r_c/rc\nD/r_b/rb\nD/r_a/ra\n');
    expect(await t.sw.api('hash_dump db m')).toBe('D/realm_ké/realmké\nD/realm_key/realmkey\n');
    // a realm only as the second of exactly two words
    expect((await t.sw.api('hash_dump db r extra')).split('\n')).toHaveLength(7);
    await stop(t);
  });

  it('limit: L/<key>/<usage>/<rate>/<interval>/<last check>; all: limit then db; usage otherwise', async () => {
    const t = await setup({ dialplan: plan });
    await call(t, '200');
    await t.sw.api('hash insert/r/k/v');
    const now = Math.floor(t.clock.now() / 1000 + 1_725_358_272);
    const limit = `L/lim_rate/1/1/10/${now}\nL/lim_gw/1/0/0/0\n`;
    expect(await t.sw.api('hash_dump limit')).toBe(limit);
    expect(await t.sw.api('hash_dump limit r')).toBe(limit);
    expect(await t.sw.api('hash_dump all')).toBe(`${limit}D/r_k/v\n`);
    for (const bad of ['', 'ALL', 'dump']) expect(await t.sw.api(`hash_dump ${bad}`)).toBe('Usage: all|limit|db [<realm>]\n');
    await stop(t);
  });
});

describe('SwitchHashtable (switch_hashtable.c)', () => {
  it('walks buckets in order, newest first, and keeps that order through growing past 35 entries', () => {
    const table = new SwitchHashtable<number>();
    for (let i = 1; i <= 40; i++) table.set(`k${i}`, i);
    table.delete('k7');
    table.set('k7', 7);
    table.set('k41', 41);
    expect(table.size).toBe(41);
    // as a C build of the table prints it
    expect([...table.entries()].map(([k]) => k).join(' ')).toBe(
      'k13 k37 k1 k12 k29 k36 k40 k25 k10 k5 k19 k21 k2 k6 k15 k23 k14 k11 k3 k16 k18 k35 k17 k33 k41 k39 k22 k9 k8 k28 k4 k38 k24 k27 k32 k31 k26 k20 k34 k7 k30',
    );
    expect(table.get('k7')).toBe(7);
    expect(table.get('k42')).toBeUndefined();
  });
});
