import type { Term } from './terms.ts';

/**
 * An Erlang map. Keys are compared as Erlang terms (`=:=`), so tuples, pids and lists work as keys.
 * Insertion order is kept; encoding order is decided by the codec.
 */
export class ErlMap {
  // Placeholder storage; the etf codec issue replaces this with structural hashing.
  private readonly entriesList: [Term, Term][] = [];
  constructor(entries?: Iterable<[Term, Term]>) {
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }
  get size(): number {
    return this.entriesList.length;
  }
  get(_key: Term): Term | undefined {
    throw new Error('ErlMap.get: not implemented yet');
  }
  set(_key: Term, _value: Term): this {
    throw new Error('ErlMap.set: not implemented yet');
  }
  entries(): IterableIterator<[Term, Term]> {
    return this.entriesList[Symbol.iterator]();
  }
}
