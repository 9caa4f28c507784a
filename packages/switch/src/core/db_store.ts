/**
 * mod_db's two tables, `db_data` (realm, key, value) and `group_data` (group, url), one pair per
 * switch, in memory. FreeSWITCH keeps them in the `call_limit` SQLite database, so they outlive a
 * restart there (DECISIONS.md #141); what its queries return is kept: names compare exactly (case
 * matters), rows come back in the order they were added (a replaced row goes to the end), and
 * the list of realms is sorted by byte (the realm index SQLite walks for `select distinct`).
 */
import { separateString } from '../internal/strings.ts';
import type { SwitchCore } from './core.ts';

interface DbRow {
  readonly realm: string;
  readonly key: string;
  readonly value: string;
}

interface GroupRow {
  readonly group: string;
  readonly url: string;
}

const utf8 = new TextEncoder();
const byteOrder = (a: string, b: string) => Buffer.compare(utf8.encode(a), utf8.encode(b));

export class DbStore {
  #data: DbRow[] = [];
  #groups: GroupRow[] = [];

  /** `delete` then `insert` of the row: at most one value per realm and key. */
  insert(realm: string, key: string, value: string): void {
    this.delete(realm, key);
    this.#data.push({ realm, key, value });
  }

  delete(realm: string, key: string): void {
    this.#data = this.#data.filter((r) => r.realm !== realm || r.key !== key);
  }

  select(realm: string, key: string): string | undefined {
    return this.#data.find((r) => r.realm === realm && r.key === key)?.value;
  }

  /** `select distinct realm`: by byte order. */
  realms(): string[] {
    return [...new Set(this.#data.map((r) => r.realm))].sort(byteOrder);
  }

  /** `select distinct data_key … where realm`: in the order the rows were added. */
  keys(realm: string): string[] {
    return [...new Set(this.#data.filter((r) => r.realm === realm).map((r) => r.key))];
  }

  /** A row of `group_data`; the API removes the same url first, the application does not (so it may repeat). */
  groupInsert(group: string, url: string, replace: boolean): void {
    if (replace) this.groupDelete(group, url);
    this.#groups.push({ group, url });
  }

  /** The group's rows with this url, or all of them for `*` when `all` is allowed (the API). */
  groupDelete(group: string, url: string, all = false): void {
    this.#groups = this.#groups.filter((r) => r.group !== group || (url !== r.url && !(all && url === '*')));
  }

  groupUrls(group: string): string[] {
    return this.#groups.filter((r) => r.group === group).map((r) => r.url);
  }
}

const STORES = new WeakMap<SwitchCore, DbStore>();

/** The switch's mod_db tables, made at first use. */
export function dbStore(core: SwitchCore): DbStore {
  let store = STORES.get(core);
  if (!store) {
    store = new DbStore();
    STORES.set(core, store);
  }
  return store;
}

/**
 * What the query callbacks leave in a C buffer of `size` bytes for these rows: each row with
 * `separator` after it, cut at `size - 1` bytes (snprintf), then the last separator's length
 * taken off the end. A character cut in two reads as U+FFFD.
 */
export function rowsBuffer(rows: readonly string[], separator: string, size: number): string {
  const bytes = utf8.encode(rows.map((r) => r + separator).join(''));
  if (bytes.length === 0) return '';
  const filled = bytes.subarray(0, Math.min(bytes.length, size - 1));
  return Buffer.from(filled.subarray(0, Math.max(0, filled.length - utf8.encode(separator).length))).toString('utf8');
}

/** mod_db's argument words: none for an empty string, else switch_separate_string's. */
export const dbWords = (args: string, delim: string, max: number): string[] => (args === '' ? [] : separateString(args, delim, max));

/** A verb as mod_db compares it (strcasecmp with a lower-case word). */
export const isVerb = (word: string | undefined, verb: string): boolean => word !== undefined && word.toLowerCase() === verb;
