/** Small helpers to take terms apart without ceremony. */
import { Atom, atom } from './atoms.ts';
import { Binary } from './binary.ts';
import { equals, listParts } from './compare.ts';
import { ErlMap } from './map.ts';
import { ImproperList, Tuple, type Term } from './terms.ts';

/** `x` is an atom (named `name`, when given). */
export function isAtom(x: unknown, name?: string): x is Atom {
  return x instanceof Atom && (name === undefined || x.name === name);
}

/** `x` is a tuple (of `size` elements, when given). */
export function isTuple(x: unknown, size?: number): x is Tuple {
  return x instanceof Tuple && (size === undefined || x.elements.length === size);
}

/** `x` is a tuple whose first element is the atom `tag` (and of `size` elements, when given): `{ok, _}`. */
export function isTagged(x: unknown, tag: string, size?: number): x is Tuple {
  return x instanceof Tuple && x.elements.length >= 1 && isAtom(x.elements[0], tag) && (size === undefined || x.elements.length === size);
}

/** `x` is a proper or improper list (not `[]`-only check: `[]` is a list too). */
export function isList(x: unknown): x is Term[] | ImproperList {
  return Array.isArray(x) || x instanceof ImproperList;
}

function keyTerm(key: Term | string): Term {
  return typeof key === 'string' ? atom(key) : key;
}

/**
 * `proplists:get_value(Key, List, Default)`: the value of the first `{Key, Value}` tuple (a bare atom
 * `Key` means `true`). A string key means the atom of that name.
 */
export function getValue(list: Term, key: Term | string, fallback?: Term): Term | undefined {
  if (!isList(list)) return fallback;
  const k = keyTerm(key);
  for (const e of listParts(list).elements) {
    if (e instanceof Tuple && e.elements.length >= 1 && equals(e.elements[0], k)) return e.elements.length >= 2 ? e.elements[1] : fallback;
    if (e instanceof Atom && e === k) return atom('true');
  }
  return fallback;
}

/** `maps:get(Key, Map, Default)` with the same string-means-atom convenience. */
export function mapGet(map: Term, key: Term | string, fallback?: Term): Term | undefined {
  if (!(map instanceof ErlMap)) return fallback;
  const v = map.get(keyTerm(key));
  return v === undefined ? fallback : v;
}

const utf8 = new TextDecoder();

/** Text from a binary (UTF-8), a JS string, a charlist or an atom; undefined for anything else. */
export function text(x: Term): string | undefined {
  if (typeof x === 'string') return x;
  if (x instanceof Binary) return utf8.decode(x.bytes);
  if (x instanceof Uint8Array) return utf8.decode(x);
  if (x instanceof Atom) return x.name;
  if (Array.isArray(x)) {
    let s = '';
    for (const c of x) {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 0x10ffff) return undefined;
      s += String.fromCodePoint(c);
    }
    return s;
  }
  return undefined;
}
