/**
 * Erlang term equality (`=:=`), term order (`<`, `==`) and a structural hash consistent with `=:=`.
 *
 * Term order: number < atom < reference < fun < port < pid < tuple < map < nil < list < bitstring.
 * A JS number is an integer when it is a safe integer (and not -0), otherwise a float.
 */
import { Atom } from './atoms.ts';
import { MapTerm } from './map_term.ts';
import { BitBinary, ErlFloat, ExportFun, ImproperList, OpaqueFun, Pid, Port, Ref, Tuple, type Term } from './terms.ts';

// biome-ignore lint/suspicious/noConstEnum: file-local, so isolatedModules is fine; inlined in the comparison hot path
const enum Rank {
  Number = 0,
  Atom = 1,
  Ref = 2,
  Fun = 3,
  Port = 4,
  Pid = 5,
  Tuple = 6,
  Map = 7,
  Nil = 8,
  List = 9,
  Bits = 10,
}

function rank(x: Term): Rank {
  switch (typeof x) {
    case 'number':
    case 'bigint':
      return Rank.Number;
    case 'string':
      return Rank.Bits;
  }
  if (x instanceof Atom) return Rank.Atom;
  if (x instanceof Tuple) return Rank.Tuple;
  if (Array.isArray(x)) return x.length === 0 ? Rank.Nil : Rank.List;
  if (x instanceof Uint8Array || x instanceof BitBinary) return Rank.Bits;
  if (x instanceof ErlFloat) return Rank.Number;
  if (x instanceof MapTerm) return Rank.Map;
  if (x instanceof Pid) return Rank.Pid;
  if (x instanceof Ref) return Rank.Ref;
  if (x instanceof Port) return Rank.Port;
  if (x instanceof ImproperList) return x.elements.length === 0 ? rank(x.tail) : Rank.List;
  if (x instanceof ExportFun || x instanceof OpaqueFun) return Rank.Fun;
  throw new TypeError(`not an Erlang term: ${String(x)}`);
}

// ---- numbers ----

/** An integer as number|bigint, or a float as {f}. Integers in the safe range are always numbers. */
type Num = { int: number | bigint; float?: undefined } | { int?: undefined; float: number };

function num(x: number | bigint | ErlFloat): Num {
  if (typeof x === 'number') return Number.isSafeInteger(x) && !Object.is(x, -0) ? { int: x } : { float: x };
  if (typeof x === 'bigint') {
    return x >= -9007199254740991n && x <= 9007199254740991n ? { int: Number(x) } : { int: x };
  }
  return { float: x.value };
}

function cmpIntFloat(i: number | bigint, f: number): number {
  if (typeof i === 'number') return i < f ? -1 : i > f ? 1 : 0;
  if (Number.isInteger(f)) {
    const fb = BigInt(f);
    return i < fb ? -1 : i > fb ? 1 : 0;
  }
  const n = Number(i);
  return n < f ? -1 : n > f ? 1 : 0; // |i| > 2^53 and f has a fraction part: they cannot be equal
}

function compareNumbers(a: Num, b: Num, exact: boolean): number {
  if (a.int !== undefined && b.int !== undefined) return a.int < b.int ? -1 : a.int > b.int ? 1 : 0;
  if (a.float !== undefined && b.float !== undefined) {
    if (a.float < b.float) return -1;
    if (a.float > b.float) return 1;
    if (exact && a.float === 0) return Object.is(a.float, b.float) ? 0 : Object.is(a.float, -0) ? -1 : 1;
    return 0;
  }
  // Map key order puts every integer before every float.
  if (exact) return a.int !== undefined ? -1 : 1;
  return a.int !== undefined ? cmpIntFloat(a.int, b.float!) : -cmpIntFloat(b.int!, a.float!);
}

// ---- strings and bits ----

/** Compare by Unicode code point (UTF-8 byte order), not UTF-16 unit order. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1; // a surrogate pair encodes a code point above every BMP unit
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length;
}

const utf8 = new TextEncoder();

function bitsView(x: string | Uint8Array | BitBinary): { bytes: Uint8Array; bitLength: number } {
  if (typeof x === 'string') {
    const bytes = utf8.encode(x);
    return { bytes, bitLength: bytes.length * 8 };
  }
  if (x instanceof BitBinary) return { bytes: x.bytes, bitLength: x.bitLength };
  return { bytes: x, bitLength: x.length * 8 };
}

function compareBits(a: string | Uint8Array | BitBinary, b: string | Uint8Array | BitBinary): number {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  const x = bitsView(a);
  const y = bitsView(b);
  const common = Math.min(x.bitLength, y.bitLength);
  const fullBytes = common >>> 3;
  for (let i = 0; i < fullBytes; i++) {
    if (x.bytes[i] !== y.bytes[i]) return x.bytes[i] < y.bytes[i] ? -1 : 1;
  }
  const rest = common & 7;
  if (rest !== 0) {
    const mask = (0xff << (8 - rest)) & 0xff;
    const p = x.bytes[fullBytes] & mask;
    const q = y.bytes[fullBytes] & mask;
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.bitLength - y.bitLength;
}

// ---- lists ----

/** A list flattened to its elements and its final non-list tail ([] for a proper list). */
export function listParts(x: Term[] | ImproperList): { elements: Term[]; tail: Term } {
  if (Array.isArray(x)) return { elements: x, tail: [] };
  let tail = x.tail;
  if (!Array.isArray(tail) && !(tail instanceof ImproperList)) return { elements: x.elements, tail };
  const elements = x.elements.slice();
  for (;;) {
    if (Array.isArray(tail)) {
      for (const e of tail) elements.push(e);
      return { elements, tail: [] };
    }
    if (tail instanceof ImproperList) {
      for (const e of tail.elements) elements.push(e);
      tail = tail.tail;
      continue;
    }
    return { elements, tail };
  }
}

function compareLists(a: Term[] | ImproperList, b: Term[] | ImproperList, exact: boolean): number {
  const x = listParts(a);
  const y = listParts(b);
  const n = Math.min(x.elements.length, y.elements.length);
  for (let i = 0; i < n; i++) {
    const c = cmp(x.elements[i], y.elements[i], exact);
    if (c !== 0) return c;
  }
  const restX: Term = x.elements.length > n ? new ImproperList(x.elements.slice(n), x.tail) : x.tail;
  const restY: Term = y.elements.length > n ? new ImproperList(y.elements.slice(n), y.tail) : y.tail;
  if (x.elements.length === n && y.elements.length === n) return cmp(x.tail, y.tail, exact);
  return cmp(restX, restY, exact);
}

// ---- maps ----

function compareMaps(a: MapTerm<Term>, b: MapTerm<Term>, exact: boolean): number {
  if (a.size !== b.size) return a.size - b.size;
  const ea = a.sortedEntries();
  const eb = b.sortedEntries();
  for (let i = 0; i < ea.length; i++) {
    const c = cmp(ea[i][0], eb[i][0], true);
    if (c !== 0) return c;
  }
  for (let i = 0; i < ea.length; i++) {
    const c = cmp(ea[i][1], eb[i][1], exact);
    if (c !== 0) return c;
  }
  return 0;
}

function cmpN(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmp(a: Term, b: Term, exact: boolean): number {
  if (a === b) return 0;
  if (a instanceof ImproperList && a.elements.length === 0) return cmp(a.tail, b, exact);
  if (b instanceof ImproperList && b.elements.length === 0) return cmp(a, b.tail, exact);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case Rank.Number:
      return compareNumbers(num(a as number), num(b as number), exact);
    case Rank.Atom:
      return compareCodePoints((a as Atom).name, (b as Atom).name);
    case Rank.Bits:
      return compareBits(a as Uint8Array, b as Uint8Array);
    case Rank.Nil:
      return 0;
    case Rank.List: {
      return compareLists(a as Term[], b as Term[], exact);
    }
    case Rank.Tuple: {
      const x = (a as Tuple).elements;
      const y = (b as Tuple).elements;
      if (x.length !== y.length) return x.length - y.length;
      for (let i = 0; i < x.length; i++) {
        const c = cmp(x[i], y[i], exact);
        if (c !== 0) return c;
      }
      return 0;
    }
    case Rank.Map:
      return compareMaps(a as MapTerm<Term>, b as MapTerm<Term>, exact);
    case Rank.Pid: {
      const x = a as Pid;
      const y = b as Pid;
      return compareCodePoints(x.node.name, y.node.name) || cmpN(x.creation, y.creation) || cmpN(x.serial, y.serial) || cmpN(x.id, y.id);
    }
    case Rank.Port: {
      const x = a as Port;
      const y = b as Port;
      return compareCodePoints(x.node.name, y.node.name) || cmpN(x.creation, y.creation) || cmpN(x.id, y.id);
    }
    case Rank.Ref: {
      const x = a as Ref;
      const y = b as Ref;
      const c = compareCodePoints(x.node.name, y.node.name) || cmpN(x.creation, y.creation) || x.ids.length - y.ids.length;
      if (c !== 0) return c;
      for (let i = x.ids.length - 1; i >= 0; i--) if (x.ids[i] !== y.ids[i]) return cmpN(x.ids[i], y.ids[i]);
      return 0;
    }
    case Rank.Fun: {
      if (a instanceof ExportFun && b instanceof ExportFun) {
        return cmp(a.module, b.module, exact) || cmp(a.name, b.name, exact) || a.arity - b.arity;
      }
      if (a instanceof OpaqueFun && b instanceof OpaqueFun) {
        const x = a.fun;
        const y = b.fun;
        let c = cmp(x.module, y.module, exact) || x.index - y.index || compareBits(x.uniq, y.uniq) || cmp(x.pid, y.pid, exact);
        if (c !== 0) return c;
        c = x.freeVars.length - y.freeVars.length;
        for (let i = 0; c === 0 && i < x.freeVars.length; i++) c = cmp(x.freeVars[i], y.freeVars[i], exact);
        return c || x.arity - y.arity || x.oldIndex - y.oldIndex || x.oldUniq - y.oldUniq;
      }
      return a instanceof OpaqueFun ? -1 : 1;
    }
  }
  return 0;
}

/** Erlang term order (`==` semantics for numbers: `compare(1, float(1)) === 0`). */
export function compare(a: Term, b: Term): number {
  const c = cmp(a, b, false);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/** The order OTP sorts map keys in (`=:=` semantics: all integers before all floats, -0.0 < 0.0). */
export function compareKeys(a: Term, b: Term): number {
  const c = cmp(a, b, true);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/** Exact equality, Erlang's `=:=` (1 and 1.0 differ, 0.0 and -0.0 differ as in OTP 27). */
export function equals(a: Term, b: Term): boolean {
  if (a === b) return true;
  const ta = typeof a;
  if (ta === 'number' && typeof b === 'number') return Object.is(a, b);
  if (a instanceof Atom || b instanceof Atom) return false;
  return cmp(a, b, true) === 0;
}

// ---- hash ----

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x5bd1e995);
  return (h ^ (h >>> 15)) | 0;
}

function hashBytes(h: number, bytes: Uint8Array, n: number): number {
  for (let i = 0; i < n; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h;
}

function hashFloat(f: number): number {
  scratch.setFloat64(0, f);
  return mix(scratch.getInt32(0), scratch.getInt32(4));
}
const scratch = new DataView(new ArrayBuffer(8));

function hashInt(i: number | bigint): number {
  if (typeof i === 'number') {
    if (i >= -0x80000000 && i <= 0x7fffffff) return mix(0x1234, i | 0);
    return mix(mix(0x1234, (i % 0x100000000) | 0), Math.floor(i / 0x100000000) | 0);
  }
  let h = 0x4321;
  let v = i < 0n ? -i : i;
  while (v > 0n) {
    h = mix(h, Number(v & 0xffffffffn) | 0);
    v >>= 32n;
  }
  return mix(h, i < 0n ? 1 : 0);
}

/** A 32-bit hash consistent with `equals`. */
export function hash(x: Term): number {
  switch (typeof x) {
    case 'number':
      return Number.isSafeInteger(x) && !Object.is(x, -0) ? hashInt(x) : hashFloat(x);
    case 'bigint':
      return x >= -9007199254740991n && x <= 9007199254740991n ? hashInt(Number(x)) : hashInt(x);
    case 'string': {
      let h = 0x811c9dc5;
      for (let i = 0; i < x.length; i++) {
        const c = x.charCodeAt(i);
        if (c >= 0x80) {
          const bytes = utf8.encode(x);
          return hashBytes(0x811c9dc5, bytes, bytes.length) | 0;
        }
        h = Math.imul(h ^ c, 0x01000193);
      }
      return h | 0;
    }
  }
  if (x instanceof Atom) return x.hash | 0;
  if (x instanceof Uint8Array) return hashBytes(0x811c9dc5, x, x.length) | 0;
  if (x instanceof Tuple) {
    let h = mix(0x7e, x.elements.length);
    for (const e of x.elements) h = mix(h, hash(e));
    return h;
  }
  if (Array.isArray(x) || x instanceof ImproperList) {
    const { elements, tail } = listParts(x);
    if (elements.length === 0) return Array.isArray(tail) ? 0x6a : hash(tail);
    let h = 0x1157;
    for (const e of elements) h = mix(h, hash(e));
    return mix(h, hash(tail));
  }
  if (x instanceof ErlFloat) return hashFloat(x.value);
  if (x instanceof MapTerm) {
    let h = 0;
    for (let i = 0, n = x.size; i < n; i++) h = (h + mix(hash(x.keyAt(i)), hash(x.valueAt(i)))) | 0;
    return mix(0x3a9, h);
  }
  if (x instanceof Pid) return mix(mix(mix(x.node.hash | 0, x.id), x.serial), x.creation);
  if (x instanceof Ref) {
    let h = mix(x.node.hash | 0, x.creation);
    for (const w of x.ids) h = mix(h, w);
    return h;
  }
  if (x instanceof Port) return mix(mix(x.node.hash | 0, hashInt(x.id)), x.creation);
  if (x instanceof BitBinary) {
    if (x.bits === 8 || x.bytes.length === 0) return hashBytes(0x811c9dc5, x.bytes, x.bytes.length) | 0;
    const full = x.bytes.length - 1;
    let h = hashBytes(0x811c9dc5, x.bytes, Math.max(full, 0));
    if (full >= 0) h = mix(h, x.bytes[full] & ((0xff << (8 - x.bits)) & 0xff));
    return mix(h, x.bits);
  }
  if (x instanceof ExportFun) return mix(mix(x.module.hash | 0, x.name.hash | 0), x.arity);
  if (x instanceof OpaqueFun) return mix(mix(x.fun.module.hash | 0, x.fun.index), x.fun.arity);
  throw new TypeError(`not an Erlang term: ${String(x)}`);
}
