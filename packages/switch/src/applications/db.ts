/**
 * mod_db's applications on the switch's db tables (core/db_store.ts): `db insert|delete/<realm>/<key>[/<value>]`
 * (db_function) and `group insert|delete:<group>:<url>` (group_function). Unlike the API, the
 * `group` application's insert does not remove the same url first (a url can be in a group twice),
 * its delete knows no `*`, and its url keeps any further `:`. A wrong argument list is a WARNING
 * naming db's usage (for `group` too, as mod_db writes it).
 */
import { dbStore, dbWords as cut, isVerb as is } from '../core/db_store.ts';
import { sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';

const DB_USAGE = '[insert|delete]/<realm>/<key>/<val>';

const usage = (ch: AppChannel, app: string) => ch.core.log('WARNING', `USAGE: ${app} ${DB_USAGE}`, ch.uuid);

function db(ch: AppChannel, data: string): void {
  const [verb, realm, key, value] = cut(data, '/', 4);
  if (realm === undefined || key === undefined) return usage(ch, 'db');
  const store = dbStore(ch.core);
  if (is(verb, 'insert') && value !== undefined) store.insert(realm, key, value);
  else if (is(verb, 'delete')) store.delete(realm, key);
  else usage(ch, 'db');
}

function group(ch: AppChannel, data: string): void {
  const [verb, name, url] = cut(data, ':', 3);
  if (name === undefined || url === undefined) return usage(ch, 'group');
  const store = dbStore(ch.core);
  if (is(verb, 'insert')) store.groupInsert(name, url, false);
  else if (is(verb, 'delete')) store.groupDelete(name, url);
}

export const DB_APPLICATIONS: readonly Application[] = [
  { name: 'db', zombieExec: true, run: sync(db) },
  { name: 'group', zombieExec: true, run: sync(group) },
];
