/**
 * mod_hash's `db_hash`: the values its `hash` API and application keep, one table per switch, by
 * `<realm>_<key>` (so realm `a_b` key `c` is realm `a` key `b_c`). It shares nothing with the
 * limit backend's table (core/limit_hash.ts); only `hash_dump` reads both.
 */
import type { SwitchCore } from './core.ts';
import { SwitchHashtable } from './switch_hashtable.ts';

const TABLES = new WeakMap<SwitchCore, SwitchHashtable<string>>();

/** The switch's db_hash, made at first use. */
export function hashDb(core: SwitchCore): SwitchHashtable<string> {
  let table = TABLES.get(core);
  if (!table) {
    table = new SwitchHashtable();
    TABLES.set(core, table);
  }
  return table;
}

/** The key mod_hash files a value under. */
export const hashKey = (realm: string, key: string) => `${realm}_${key}`;
