/**
 * mod_hash's API commands: `hash` (hash_api_function) on the switch's db_hash (core/hash_db.ts)
 * and `hash_dump` (hash_dump_function) over it and the limit backend's table, with mod_hash's
 * replies and usage texts.
 */
import { hashDb, hashKey } from '../core/hash_db.ts';
import type { SwitchCore } from '../core/core.ts';
import { SwitchHashtable } from '../core/switch_hashtable.ts';
import { separateString } from '../internal/strings.ts';
import type { ApiCommand } from './registry.ts';

const HASH_USAGE = '-ERR Usage: hash insert|insert_ifempty|select|delete|delete_ifmatch/realm/key[/value]\n';
const DUMP_SYNTAX = 'all|limit|db [<realm>]';

/** `<verb>/<realm>/<key>[/<value>]` (the value keeps any further `/`). */
function hash(core: SwitchCore, args: string): string {
  const [verb = '', realm, key, value] = args === '' ? [] : separateString(args, '/', 4);
  if (realm === undefined || key === undefined) return HASH_USAGE;
  const table = hashDb(core);
  const name = hashKey(realm, key);
  const found = table.get(name);
  switch (verb.toLowerCase()) {
    case 'insert':
      if (value === undefined) return HASH_USAGE;
      table.set(name, value);
      return '+OK\n';
    case 'insert_ifempty':
      if (value === undefined) return HASH_USAGE;
      if (found !== undefined) return '-ERR key already exists\n';
      table.set(name, value);
      return '+OK\n';
    case 'delete':
      if (found === undefined) return '-ERR Not found\n';
      table.delete(name);
      return '+OK\n';
    case 'delete_ifmatch':
      if (value === undefined) return HASH_USAGE;
      if (found === undefined) return '-ERR Not found\n';
      if (found !== value) return "-ERR Doesn't match\n";
      table.delete(name);
      return '+OK\n';
    case 'select':
      return found ?? '';
    default:
      return HASH_USAGE;
  }
}

/**
 * `all|limit|db [<realm>]`: `L/<key>/<usage>/<rate>/<interval>/<last check>` per limit entry, then
 * `D/<key>/<value>` per db_hash entry, each table in its own walking order. A realm (only as the
 * second of exactly two words) keeps the db entries whose key holds `<realm>_` anywhere.
 */
function hashDump(core: SwitchCore, args: string): string {
  const usage = `Usage: ${DUMP_SYNTAX}\n`;
  if (args === '') return usage;
  const argv = separateString(args, ' ', 4);
  const mode = argv[0];
  if (mode !== 'all' && mode !== 'limit' && mode !== 'db') return usage;
  const realm = argv.length === 2 ? `${argv[1]}_` : undefined;
  let out = '';
  if (mode !== 'db') {
    // the limit backend keeps a Map: replayed into FreeSWITCH's table for its walking order
    const limits = new SwitchHashtable<string>();
    for (const [key, i] of core.limitHash.entries()) limits.set(key, `${i.total}/${i.rate}/${i.interval}/${i.lastCheck}`);
    for (const [key, line] of limits.entries()) out += `L/${key}/${line}\n`;
  }
  if (mode !== 'limit')
    for (const [key, value] of hashDb(core).entries()) if (realm === undefined || key.includes(realm)) out += `D/${key}/${value}\n`;
  return out;
}

export const HASH_COMMANDS: readonly ApiCommand[] = [
  {
    name: 'hash',
    syntax: '[insert|delete|select]/<realm>/<key>/<value>',
    description: 'hash get/set',
    module: 'mod_hash',
    run: (args, env) => hash(env.core, args),
  },
  {
    name: 'hash_dump',
    syntax: DUMP_SYNTAX,
    description: 'dump hash/limit_hash data (used for synchronization)',
    module: 'mod_hash',
    run: (args, env) => hashDump(env.core, args),
  },
];
