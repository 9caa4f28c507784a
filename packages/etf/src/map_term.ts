/**
 * What a map is to the rest of the term model: the read side that term order, equality and hashing
 * need (compare.ts). `ErlMap` (map.ts) is the implementation: construct that; the decoder returns
 * it, and `instanceof ErlMap` holds for every map term.
 *
 * The base breaks what would otherwise be import cycles: `Term` includes maps, and compare.ts walks
 * maps, while `ErlMap` hashes and compares its keys with compare.ts. terms.ts and compare.ts know
 * maps only as `MapTerm`; map.ts builds on terms.ts, compare.ts and this. This file imports nothing,
 * so it is generic in the term type `T`; terms.ts puts `MapTerm<Term>` in the `Term` union. (It is
 * its own module rather than a class in terms.ts for speed, too: on Node 20, `hash` over nested
 * maps ran ~8% slower with the class declared in terms.ts.)
 */
export abstract class MapTerm<T> implements Iterable<[T, T]> {
  abstract get size(): number;
  abstract get(key: T): T | undefined;
  abstract has(key: T): boolean;
  /** Pairs in insertion order. */
  abstract entries(): IterableIterator<[T, T]>;
  abstract keys(): IterableIterator<T>;
  abstract values(): IterableIterator<T>;
  abstract [Symbol.iterator](): IterableIterator<[T, T]>;
  /** The key at position `i` (0 <= i < size) in insertion order: an allocation-free walk. */
  abstract keyAt(i: number): T;
  /** The value at position `i` (0 <= i < size) in insertion order. */
  abstract valueAt(i: number): T;
  /** Pairs sorted in OTP's map-key order (integers before floats, then term order). */
  abstract sortedEntries(): [T, T][];
}
