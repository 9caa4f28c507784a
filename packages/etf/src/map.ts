/**
 * An Erlang map. Keys are compared as Erlang terms (`=:=`), so tuples, pids, lists and binaries work
 * as keys: `m.get(t(atom('a'), 1))` finds an entry set with another, equal tuple.
 *
 * Order: the map remembers insertion order. The encoder emits a map that came from the decoder in
 * exactly that order (OTP's hash order for maps over 32 keys, so re-encoding is byte-exact). A map
 * built or changed in TS is emitted like OTP would: sorted in map-key order when it has at most 32
 * keys, in insertion order beyond (any pair order is valid on the wire).
 */
import { Atom, atom } from './atoms.ts';
import { compareKeys, equals, hash } from './compare.ts';
import { MapTerm } from './map_term.ts';
import type { Term } from './terms.ts';

/** Below this size lookups scan; above it a hash index is kept. */
const INDEX_THRESHOLD = 8;

export class ErlMap extends MapTerm<Term> {
  private readonly ks: Term[] = [];
  private readonly vs: Term[] = [];
  private index: Map<number, number[]> | null = null;
  private sortedCache: [Term, Term][] | null = null;
  /** @internal True while the pair order is the decoded one (see the class comment). */
  decodedOrder = false;

  constructor(entries?: Iterable<readonly [Term, Term]>) {
    super();
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }

  /** A map with atom keys from a plain object: `ErlMap.fromObject({ a: 1 })` is `#{a => 1}`. */
  static fromObject(obj: Record<string, Term>): ErlMap {
    const m = new ErlMap();
    for (const name of Object.keys(obj)) m.set(atom(name), obj[name]);
    return m;
  }

  override get size(): number {
    return this.ks.length;
  }

  private find(key: Term): number {
    const ks = this.ks;
    if (this.index === null) {
      if (key instanceof Atom) {
        for (let i = 0; i < ks.length; i++) if (ks[i] === key) return i;
        return -1;
      }
      for (let i = 0; i < ks.length; i++) if (equals(ks[i], key)) return i;
      return -1;
    }
    const bucket = this.index.get(hash(key));
    if (bucket === undefined) return -1;
    for (const i of bucket) if (equals(ks[i], key)) return i;
    return -1;
  }

  private buildIndex(): void {
    const index = new Map<number, number[]>();
    for (let i = 0; i < this.ks.length; i++) {
      const h = hash(this.ks[i]);
      const bucket = index.get(h);
      if (bucket === undefined) index.set(h, [i]);
      else bucket.push(i);
    }
    this.index = index;
  }

  override get(key: Term): Term | undefined {
    const i = this.find(key);
    return i < 0 ? undefined : this.vs[i];
  }

  override has(key: Term): boolean {
    return this.find(key) >= 0;
  }

  set(key: Term, value: Term): this {
    const i = this.find(key);
    if (i >= 0) {
      this.vs[i] = value;
      if (this.sortedCache !== null) this.sortedCache = null;
      return this;
    }
    this.append(key, value);
    this.decodedOrder = false;
    return this;
  }

  /** @internal Adds a key known to be absent; returns false (and adds nothing) if it is present. */
  addNew(key: Term, value: Term): boolean {
    if (this.find(key) >= 0) return false;
    this.append(key, value);
    return true;
  }

  private append(key: Term, value: Term): void {
    const i = this.ks.length;
    this.ks.push(key);
    this.vs.push(value);
    this.sortedCache = null;
    if (this.index !== null) {
      const h = hash(key);
      const bucket = this.index.get(h);
      if (bucket === undefined) this.index.set(h, [i]);
      else bucket.push(i);
    } else if (i + 1 > INDEX_THRESHOLD) {
      this.buildIndex();
    }
  }

  delete(key: Term): boolean {
    const i = this.find(key);
    if (i < 0) return false;
    this.ks.splice(i, 1);
    this.vs.splice(i, 1);
    this.sortedCache = null;
    this.decodedOrder = false;
    if (this.index !== null) {
      if (this.ks.length > INDEX_THRESHOLD) this.buildIndex();
      else this.index = null;
    }
    return true;
  }

  override keyAt(i: number): Term {
    return this.ks[i];
  }

  override valueAt(i: number): Term {
    return this.vs[i];
  }

  override *entries(): IterableIterator<[Term, Term]> {
    for (let i = 0; i < this.ks.length; i++) yield [this.ks[i], this.vs[i]];
  }

  override keys(): IterableIterator<Term> {
    return this.ks.slice()[Symbol.iterator]();
  }

  override values(): IterableIterator<Term> {
    return this.vs.slice()[Symbol.iterator]();
  }

  override [Symbol.iterator](): IterableIterator<[Term, Term]> {
    return this.entries();
  }

  /** Entries sorted in OTP's map-key order (integers before floats, then term order). */
  override sortedEntries(): [Term, Term][] {
    if (this.sortedCache === null) {
      const pairs: [Term, Term][] = this.ks.map((k, i) => [k, this.vs[i]]);
      pairs.sort((a, b) => compareKeys(a[0], b[0]));
      this.sortedCache = pairs;
    }
    return this.sortedCache;
  }

  /** @internal Keys and values in the order the encoder must emit them. */
  encodingOrder(): { keys: Term[]; values: Term[] } {
    if (this.decodedOrder || this.ks.length > 32 || this.ks.length < 2) return { keys: this.ks, values: this.vs };
    const sorted = this.sortedEntries();
    return { keys: sorted.map((e) => e[0]), values: sorted.map((e) => e[1]) };
  }
}
