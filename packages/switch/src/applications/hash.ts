/**
 * mod_hash's `hash` application (hash_function): `insert|insert_ifempty|delete|delete_ifmatch/<realm>/<key>[/<value>]`
 * on the switch's db_hash (core/hash_db.ts), silently; a wrong argument list is a WARNING with the usage.
 */
import { hashDb, hashKey } from '../core/hash_db.ts';
import { separateString } from '../internal/strings.ts';
import { sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';

const USAGE = 'USAGE: hash [insert|insert_ifempty|delete|delete_ifmatch]/<realm>/<key>/<val>';

function hash(ch: AppChannel, data: string): void {
  const [verb = '', realm, key, value] = data === '' ? [] : separateString(data, '/', 4);
  if (realm === undefined || key === undefined) return ch.core.log('WARNING', USAGE, ch.uuid);
  const table = hashDb(ch.core);
  const name = hashKey(realm, key);
  const action = verb.toLowerCase();
  if (action === 'delete') table.delete(name);
  else if (value === undefined || !['insert', 'insert_ifempty', 'delete_ifmatch'].includes(action)) ch.core.log('WARNING', USAGE, ch.uuid);
  else if (action === 'insert' || (action === 'insert_ifempty' && !table.has(name))) table.set(name, value);
  else if (action === 'delete_ifmatch' && table.get(name) === value) table.delete(name);
}

export const HASH_APPLICATIONS: readonly Application[] = [{ name: 'hash', zombieExec: true, run: sync(hash) }];
