/**
 * FreeSWITCH's hash table (switch_hashtable.c, as switch_core_hash_init makes it: case-sensitive
 * keys), kept for the order it walks its entries in, which `hash_dump` prints: bucket by bucket,
 * the newest entry of a bucket first. The key's bytes are hashed (switch_hash_default), the hash
 * is mixed as the table does, the index is the hash modulo a prime size that grows when the
 * table is 65 % full, and growing moves each bucket's entries to the new table in reverse.
 */

const PRIMES = [
  53, 97, 193, 389, 769, 1543, 3079, 6151, 12289, 24593, 49157, 98317, 196613, 393241, 786433, 1572869, 3145739, 6291469, 12582917, 25165843,
  50331653, 100663319, 201326611, 402653189, 805306457, 1610612741,
];
/** A C `float`: the load limit is computed in single precision. */
const MAX_LOAD_FACTOR = Math.fround(0.65);
const utf8 = new TextEncoder();

interface Entry<V> {
  readonly key: string;
  readonly hash: number;
  value: V;
  next: Entry<V> | undefined;
}

/** switch_hash_default over the key's UTF-8 bytes, then the table's mixing step; unsigned 32 bits. */
export function switchHash(key: string): number {
  let h = 0;
  for (const c of utf8.encode(key)) h = (c + (h << 6) + (h << 16) - h) >>> 0;
  h = (h + ~(h << 9)) >>> 0;
  h = (h ^ ((h >>> 14) | (h << 18))) >>> 0;
  h = (h + (h << 4)) >>> 0;
  return (h ^ ((h >>> 10) | (h << 22))) >>> 0;
}

export class SwitchHashtable<V> {
  /** switch_core_hash_init asks for 16 entries: the first prime above, 53 buckets. */
  #table: (Entry<V> | undefined)[] = new Array(PRIMES[0]);
  #primeIndex = 0;
  #count = 0;

  get size(): number {
    return this.#count;
  }

  get(key: string): V | undefined {
    const hash = switchHash(key);
    for (let e = this.#table[hash % this.#table.length]; e; e = e.next) if (e.hash === hash && e.key === key) return e.value;
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** switch_core_hash_insert (HASHTABLE_DUP_CHECK): an old entry of the key goes, the new one heads its bucket. */
  set(key: string, value: V): void {
    const hash = switchHash(key);
    this.#remove(key, hash);
    this.#count++;
    if (this.#count > Math.ceil(Math.fround(this.#table.length * MAX_LOAD_FACTOR))) this.#expand();
    const index = hash % this.#table.length;
    this.#table[index] = { key, hash, value, next: this.#table[index] };
  }

  delete(key: string): boolean {
    return this.#remove(key, switchHash(key));
  }

  /** switch_core_hash_first / _next: bucket by bucket, each bucket newest first. */
  *entries(): IterableIterator<[string, V]> {
    for (const head of this.#table) for (let e = head; e; e = e.next) yield [e.key, e.value];
  }

  #remove(key: string, hash: number): boolean {
    const index = hash % this.#table.length;
    let prev: Entry<V> | undefined;
    for (let e = this.#table[index]; e; prev = e, e = e.next) {
      if (e.hash !== hash || e.key !== key) continue;
      if (prev) prev.next = e.next;
      else this.#table[index] = e.next;
      this.#count--;
      return true;
    }
    return false;
  }

  /** hashtable_expand: the next prime; each old bucket's entries pushed onto the new buckets in turn. */
  #expand(): void {
    if (this.#primeIndex === PRIMES.length - 1) return;
    const next: (Entry<V> | undefined)[] = new Array(PRIMES[++this.#primeIndex]);
    for (const head of this.#table) {
      for (let e = head; e; ) {
        const after: Entry<V> | undefined = e.next;
        const index = e.hash % next.length;
        e.next = next[index];
        next[index] = e;
        e = after;
      }
    }
    this.#table = next;
  }
}
