/**
 * mod_db's API commands on the switch's db tables (core/db_store.ts): `db` (db_api_function) and
 * `group` (group_api_function), with mod_db's replies: `+OK`, the value, `true` / `false`, a
 * count, a comma-separated list, a dial string, or `!err!` — none with a final newline.
 */
import { type DbStore, dbStore, dbWords as cut, isVerb as is, rowsBuffer } from '../core/db_store.ts';
import { copyString } from '../internal/c_buffer.ts';
import type { ApiCommand } from './registry.ts';

const ERR = '!err!';
/** switch_mprintf's `%q` of a NULL argument: what a missing key is compared with. */
const SQL_NULL = '(NULL)';

/** `<verb>/<realm>/<key>/<value>` (the value keeps any further `/`). */
function db(store: DbStore, args: string): string {
  const argv = cut(args, '/', 4);
  const [verb, realm, key, value] = argv;
  if (realm === undefined) {
    if (is(verb, 'count')) return String(store.realms().length);
    if (is(verb, 'list')) return rowsBuffer(store.realms(), ',', 4096);
    return ERR;
  }
  if (is(verb, 'insert')) {
    if (key === undefined || value === undefined) return ERR;
    store.insert(realm, key, value);
    return '+OK';
  }
  if (is(verb, 'delete')) {
    store.delete(realm, key ?? SQL_NULL);
    return '+OK';
  }
  if (is(verb, 'select')) return key === undefined ? ERR : copyString(store.select(realm, key) ?? '', 256);
  // an empty value reads as no row
  if (is(verb, 'exists')) return key === undefined ? ERR : String((store.select(realm, key) ?? '') !== '');
  if (argv.length > 2) return ERR;
  if (is(verb, 'count')) return String(store.keys(realm).length);
  if (is(verb, 'list')) return rowsBuffer(store.keys(realm), ',', 4096);
  return ERR;
}

/** The separators `group call` joins the urls with: `,` (all at once), `order` → `|`, `multi` → `:_:`. */
function callSeparator(how: string | undefined): string {
  if (is(how, 'order')) return '|';
  if (is(how, 'multi')) return ':_:';
  return ',';
}

/** `<verb>:<group>:<url>` (at most four `:`-separated words: a url with a `:` must escape it). */
function group(store: DbStore, args: string): string {
  const [verb, name, url] = cut(args, ':', 4);
  if (name === undefined) return ERR;
  if (is(verb, 'insert') || is(verb, 'delete')) {
    if (url === undefined) return ERR;
    if (is(verb, 'insert')) store.groupInsert(name, url, true);
    else store.groupDelete(name, url, true);
    return '+OK';
  }
  if (is(verb, 'call')) return rowsBuffer(store.groupUrls(name), callSeparator(url), 4096);
  return ERR;
}

export const DB_COMMANDS: readonly ApiCommand[] = [
  {
    name: 'db',
    syntax: '[insert|delete|select|exists|count|list]/<realm>/<key>/<value>',
    description: 'db get/set',
    module: 'mod_db',
    run: (args, env) => db(dbStore(env.core), args),
  },
  {
    name: 'group',
    syntax: '[insert|delete|call]:<group name>:<url>',
    description: 'group [insert|delete|call]',
    module: 'mod_db',
    run: (args, env) => group(dbStore(env.core), args),
  },
];
