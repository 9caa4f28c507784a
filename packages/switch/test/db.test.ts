/**
 * mod_db: the `db` and `group` API commands and applications (mod_db.c) on the switch's own
 * tables, with mod_db's exact replies.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { setup, stopSetup as stop, callNull as call } from './switch_helpers.ts';

const plan = staticDialplan({
  default: {
    '100': [['db', 'insert/calls/${destination_number}/in use'], ['set', 'got=${db(select/calls/${destination_number})}'], ['park']],
    '101': [['db', 'delete/calls/100'], ['park']],
    '102': [['db', 'insert/calls/only'], ['db', 'select/calls/x'], ['db', 'calls'], ['park']],
    '110': [['group', 'insert:sales:user/1000'], ['group', 'insert:sales:user/1000'], ['group', 'insert:sales:sofia/gw/x@h:5060'], ['park']],
    '111': [['group', 'delete:sales:user/1000'], ['park']],
    '112': [['group', 'insert:sales'], ['group', 'call:sales:x'], ['park']],
    '113': [['group', 'delete:sales:*'], ['park']],
  },
});

describe('db API (db_api_function)', () => {
  it('insert, select, exists, delete: +OK, the value, true / false, no final newline', async () => {
    const t = await setup();
    expect(await t.sw.api('db insert/realm/key/a/b c')).toBe('+OK');
    expect(await t.sw.api('db select/realm/key')).toBe('a/b c');
    expect(await t.sw.api('db exists/realm/key')).toBe('true');
    expect(await t.sw.api('db insert/realm/key/new')).toBe('+OK');
    expect(await t.sw.api('db select/realm/key')).toBe('new');
    expect(await t.sw.api('db SELECT/Realm/key')).toBe('');
    expect(await t.sw.api('db exists/realm/KEY')).toBe('false');
    expect(await t.sw.api('db delete/realm/key')).toBe('+OK');
    expect(await t.sw.api('db select/realm/key')).toBe('');
    expect(await t.sw.api('db exists/realm/key')).toBe('false');
    expect(await t.sw.api('db delete/realm/nothing')).toBe('+OK');
    await stop(t);
  });

  it('an empty value (quoted: a final "/" adds no word) is stored but does not exist; delete without a key removes only "(NULL)"; select keeps 255 bytes', async () => {
    const t = await setup();
    expect(await t.sw.api('db insert/r/empty/')).toBe('!err!');
    expect(await t.sw.api("db insert/r/empty/''")).toBe('+OK');
    expect(await t.sw.api('db exists/r/empty')).toBe('false');
    expect(await t.sw.api('db count/r')).toBe('1');
    await t.sw.api('db insert/r/(NULL)/x');
    await t.sw.api('db insert/r/k/x');
    expect(await t.sw.api('db delete/r')).toBe('+OK');
    expect(await t.sw.api('db list/r')).toBe('empty,k');
    await t.sw.api(`db insert/r/long/${'é'.repeat(200)}`);
    // 255 bytes: 127 two-byte characters and the first byte of one, kept as that byte (byte_text.ts)
    expect(await t.sw.api('db select/r/long')).toBe(`${'é'.repeat(127)}\udcc3`);
    await stop(t);
  });

  it('count and list: realms in byte order, keys in the order they were (re)inserted', async () => {
    const t = await setup();
    expect(await t.sw.api('db count')).toBe('0');
    expect(await t.sw.api('db list')).toBe('');
    for (const row of ['zeta/k2', 'alpha/k9', 'zeta/k1', 'Beta/a', 'zeta/a0', 'zeta/k2', '\u{1F600}/k', '\uFF21/k'])
      await t.sw.api(`db insert/${row}/v`);
    expect(await t.sw.api('db count')).toBe('5');
    // UTF-8 bytes: U+FF21 (EF BC A1) before U+1F600 (F0 9F 98 80)
    expect(await t.sw.api('db list')).toBe('Beta,alpha,zeta,\uFF21,\u{1F600}');
    expect(await t.sw.api('db count/zeta')).toBe('3');
    expect(await t.sw.api('db list/zeta')).toBe('k1,a0,k2');
    expect(await t.sw.api('db count/none')).toBe('0');
    expect(await t.sw.api('db list/none')).toBe('');
    await stop(t);
  });

  it('list fills a 4096-byte buffer: 4095 bytes, then its last character dropped', async () => {
    const t = await setup();
    const keys = Array.from({ length: 500 }, (_, i) => `k${String(i).padStart(7, '0')}`);
    for (const k of keys) await t.sw.api(`db insert/many/${k}/v`);
    // 455 rows of 9 bytes ("k0000000,") fill 4095 bytes exactly
    expect(await t.sw.api('db list/many')).toBe(keys.slice(0, 455).join(','));
    expect(await t.sw.api('db count/many')).toBe('500');
    await stop(t);
  });

  it('!err! for a missing verb, word or value, an unknown verb, and count / list with a key', async () => {
    const t = await setup();
    for (const bad of [
      'db',
      'db insert/r/k',
      'db insert/r',
      'db select/r',
      'db exists/r',
      'db delete',
      'db count/r/k',
      'db list/r/k',
      'db drop/r/k',
      'db /r/k/v',
    ])
      expect([bad, await t.sw.api(bad)]).toEqual([bad, '!err!']);
    await stop(t);
  });

  it('each switch has its own tables', async () => {
    const a = await setup();
    const b = await setup();
    await a.sw.api('db insert/r/k/v');
    expect(await b.sw.api('db select/r/k')).toBe('');
    expect(await a.sw.api('db select/r/k')).toBe('v');
    await stop(a);
    await stop(b);
  });

  it('help lists db and group under mod_db', async () => {
    const t = await setup();
    expect(await t.sw.api('help db')).toBe('db,[insert|delete|select|exists|count|list]/<realm>/<key>/<value>,db get/set,mod_db\n');
    expect(await t.sw.api('help group')).toBe('group,[insert|delete|call]:<group name>:<url>,group [insert|delete|call],mod_db\n');
    await stop(t);
  });
});

describe('group API (group_api_function)', () => {
  it('insert (once per url), call joined by "," / order "|" / multi ":_:", delete one or *', async () => {
    const t = await setup();
    for (const url of ['user/1000', 'user/1001', 'user/1000', 'user/1002']) expect(await t.sw.api(`group insert:sales:${url}`)).toBe('+OK');
    await t.sw.api('group insert:other:user/2000');
    expect(await t.sw.api('group call:sales')).toBe('user/1001,user/1000,user/1002');
    expect(await t.sw.api('group call:sales:order')).toBe('user/1001|user/1000|user/1002');
    expect(await t.sw.api('group call:sales:MULTI')).toBe('user/1001:_:user/1000:_:user/1002');
    expect(await t.sw.api('group call:sales:other')).toBe('user/1001,user/1000,user/1002');
    expect(await t.sw.api('group delete:sales:user/1000')).toBe('+OK');
    expect(await t.sw.api('group call:sales')).toBe('user/1001,user/1002');
    expect(await t.sw.api('group delete:sales:*')).toBe('+OK');
    expect(await t.sw.api('group call:sales')).toBe('');
    expect(await t.sw.api('group call:other')).toBe('user/2000');
    await stop(t);
  });

  it('a url is cut at its next ":" unless escaped; !err! for missing words and unknown verbs', async () => {
    const t = await setup();
    await t.sw.api('group insert:gw:sofia/gw/x@h:5060');
    await t.sw.api('group insert:gw:sofia/gw/y@h\\:5080');
    expect(await t.sw.api('group call:gw')).toBe('sofia/gw/x@h,sofia/gw/y@h:5080');
    for (const bad of ['group', 'group call', 'group insert:g', 'group delete:g', 'group list:g'])
      expect([bad, await t.sw.api(bad)]).toEqual([bad, '!err!']);
    await stop(t);
  });
});

describe('db and group applications (db_function, group_function)', () => {
  it('db insert / delete from the dialplan, read back with ${db(select/…)}', async () => {
    const t = await setup({ dialplan: plan });
    const a = await call(t, '100');
    expect(await t.sw.api('db select/calls/100')).toBe('in use');
    expect(await t.sw.api(`uuid_getvar ${a} got`)).toBe('in use');
    await call(t, '101');
    expect(await t.sw.api('db exists/calls/100')).toBe('false');
    await stop(t);
  });

  it('a db insert without a value, another verb, or too few words: WARNING with the usage, nothing stored', async () => {
    const t = await setup({ dialplan: plan });
    await call(t, '102');
    expect(t.logs.filter((l) => l.includes('USAGE'))).toEqual([
      'WARNING USAGE: db [insert|delete]/<realm>/<key>/<val>',
      'WARNING USAGE: db [insert|delete]/<realm>/<key>/<val>',
      'WARNING USAGE: db [insert|delete]/<realm>/<key>/<val>',
    ]);
    expect(await t.sw.api('db count')).toBe('0');
    await stop(t);
  });

  it('group insert keeps a url twice and the rest of the url after ":"; delete removes every copy, and knows no *', async () => {
    const t = await setup({ dialplan: plan });
    await call(t, '110');
    expect(await t.sw.api('group call:sales')).toBe('user/1000,user/1000,sofia/gw/x@h:5060');
    await call(t, '111');
    expect(await t.sw.api('group call:sales')).toBe('sofia/gw/x@h:5060');
    await call(t, '113');
    expect(await t.sw.api('group call:sales')).toBe('sofia/gw/x@h:5060');
    await stop(t);
  });

  it('group with too few words warns with db’s usage text; an unknown verb does nothing', async () => {
    const t = await setup({ dialplan: plan });
    await call(t, '112');
    expect(t.logs.filter((l) => l.includes('USAGE'))).toEqual(['WARNING USAGE: group [insert|delete]/<realm>/<key>/<val>']);
    expect(await t.sw.api('group call:sales')).toBe('');
    await stop(t);
  });
});
