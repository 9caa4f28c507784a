/** The deep terms of tools/erl/etf_interop.erl's deep_terms/1, built the same way in TypeScript. */
import { ErlMap, ImproperList, atom, t, type Term } from '../../src/index.ts';

export const DEEP_SHAPES = ['list in a list', '{I, Prev} chain', 'map / improper list / tuple chain'] as const;

function u32(i: number): Uint8Array {
  return Uint8Array.of(i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255);
}

/** Each nested `depth` levels, in DEEP_SHAPES order. */
export function deepTerms(depth: number): Term[] {
  let list: Term = [];
  let chain: Term = atom('nil');
  let mixed: Term = [];
  for (let i = 1; i <= depth; i++) {
    list = [list];
    chain = t(i, chain);
    switch (i % 3) {
      case 0:
        mixed = new ErlMap([
          [i, mixed],
          [atom('k'), u32(i)],
        ]);
        break;
      case 1:
        mixed = new ImproperList([i, atom('x')], t(mixed));
        break;
      default:
        mixed = t(mixed);
    }
  }
  return [list, chain, mixed];
}
