/**
 * Erlang term equality (`=:=`), term order (`<`, `==`) and a structural hash consistent with `=:=`.
 *
 * Term order: number < atom < reference < fun < port < pid < tuple < map < nil < list < bitstring.
 * A JS number is an integer when it is a safe integer (and not -0), otherwise a float.
 */
import { Atom } from './atoms.ts';
import { Binary, offsetOf, sourceOf } from './binary.ts';
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
  if (x instanceof Binary || x instanceof Uint8Array || x instanceof BitBinary) return Rank.Bits;
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

type Bits = string | Binary | Uint8Array | BitBinary;

function bitsView(x: Bits): { bytes: Uint8Array; bitLength: number } {
  if (typeof x === 'string') {
    const bytes = utf8.encode(x);
    return { bytes, bitLength: bytes.length * 8 };
  }
  if (x instanceof BitBinary) return { bytes: x.bytes, bitLength: x.bitLength };
  if (x instanceof Binary) return { bytes: x.bytes, bitLength: x.length * 8 };
  return { bytes: x, bitLength: x.length * 8 };
}

function compareBits(a: Bits, b: Bits): number {
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

function cmpN(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- the walk ----
//
// Comparing and hashing walk both terms without recursion: each pair of containers being compared
// (each container being hashed) is a frame on an explicit stack that grows on the heap, so a term
// nested a million deep compares and hashes like any other. Frames are reused between calls; a call
// made from inside another (a map's sortedEntries compares its keys) works above the caller's frames.

/**
 * From this nesting depth on, a walk watches for a cyclic JS value (an array that contains itself),
 * which it would otherwise walk forever: it remembers the container it opened at each power-of-two
 * depth and throws a TypeError when it opens that container again below it (Brent's cycle finding
 * on the path of open containers, found within about twice the cycle's depth). A deep term that is
 * not cyclic costs one comparison per level. Also the size from which frames are not kept.
 */
const GUARD_DEPTH = 1024;

/** The cycle check of one walk (see GUARD_DEPTH); `depth` counts from the walk's first frame. */
class CycleCheck {
  private depth = 0;
  private owner: object | undefined = undefined;
  open(depth: number, owner: object): void {
    if ((depth & (depth - 1)) === 0) {
      this.depth = depth;
      this.owner = owner;
    } else if (owner === this.owner && this.depth < depth) {
      throw new TypeError('not an Erlang term: a cyclic value (a container that contains itself)');
    }
  }
}

/**
 * How many levels of nesting a comparison or a hash walks by plain recursion (a few KB of JS stack
 * at most) before it continues on its explicit stack: shallow terms, the usual ones, go at the
 * speed of recursion, and nesting of any depth still cannot overflow the stack.
 */
const RECURSION_LIMIT = 64;

/** `cmpHead`'s answer when both terms are containers whose children decide. */
const OPEN = 0.5; // no comparison gives a fraction

const CMP_SEQ = 0; // tuple elements
const CMP_LIST = 1; // list elements, then the pair of what is left of both lists
const CMP_MAP = 2; // keys (always exact), then values
const CMP_FUN = 3; // free variables, then `post`

class CmpFrame {
  kind = CMP_SEQ;
  xs: readonly Term[] = [];
  ys: readonly Term[] = [];
  /** CMP_MAP: the sorted entries. */
  ex: [Term, Term][] = [];
  ey: [Term, Term][] = [];
  i = 0;
  n = 0;
  exact = false;
  /** CMP_LIST: the lists' final tails; CMP_FUN: the comparison that follows the free variables. */
  tx: Term = [];
  ty: Term = [];
  post = 0;
}

const cmpFrames: CmpFrame[] = [];
let cmpSp = 0;

/** An empty-headed improper list is its tail. */
function unwrap(x: Term): Term {
  while (x instanceof ImproperList && x.elements.length === 0) x = x.tail;
  return x;
}

/**
 * Compare what decides without looking inside containers: -1/0/1-like (any sign), or OPEN when both
 * are containers of the same kind and shape whose children must be compared (in order).
 */
function cmpHead(a: Term, b: Term, exact: boolean): number {
  if (a === b) return 0;
  a = unwrap(a);
  b = unwrap(b);
  if (a === b) return 0;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case Rank.Number:
      return compareNumbers(num(a as number), num(b as number), exact);
    case Rank.Atom:
      return compareCodePoints((a as Atom).name, (b as Atom).name);
    case Rank.Bits:
      return compareBits(a as Bits, b as Bits);
    case Rank.Nil:
      return 0;
    case Rank.List:
      return OPEN;
    case Rank.Tuple: {
      const x = (a as Tuple).elements;
      const y = (b as Tuple).elements;
      if (x.length !== y.length) return x.length - y.length;
      return x.length === 0 ? 0 : OPEN;
    }
    case Rank.Map: {
      const x = a as MapTerm<Term>;
      const y = b as MapTerm<Term>;
      if (x.size !== y.size) return x.size - y.size;
      return x.size === 0 ? 0 : OPEN;
    }
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
        return compareCodePoints(a.module.name, b.module.name) || compareCodePoints(a.name.name, b.name.name) || a.arity - b.arity;
      }
      if (a instanceof OpaqueFun && b instanceof OpaqueFun) {
        const x = a.fun;
        const y = b.fun;
        const c =
          compareCodePoints(x.module.name, y.module.name) ||
          x.index - y.index ||
          compareBits(x.uniq, y.uniq) ||
          cmpHead(x.pid, y.pid, exact) ||
          x.freeVars.length - y.freeVars.length;
        if (c !== 0) return c;
        return x.freeVars.length === 0 ? x.arity - y.arity || x.oldIndex - y.oldIndex || x.oldUniq - y.oldUniq : OPEN;
      }
      return a instanceof OpaqueFun ? -1 : 1;
    }
  }
  return 0;
}

/** Push the frame comparing containers `a` and `b` (cmpHead said OPEN). */
function openCmp(a: Term, b: Term, exact: boolean, cycles: CycleCheck | undefined, base: number): CycleCheck | undefined {
  a = unwrap(a);
  b = unwrap(b);
  // Sorting a map's entries compares its keys, a walk of its own above ours: before taking a frame.
  const ex = a instanceof MapTerm ? a.sortedEntries() : undefined;
  const ey = b instanceof MapTerm ? b.sortedEntries() : undefined;
  const i = cmpSp;
  const f = (cmpFrames[i] ??= new CmpFrame());
  f.i = 0;
  f.exact = exact;
  if (a instanceof Tuple) {
    f.kind = CMP_SEQ;
    f.xs = a.elements;
    f.ys = (b as Tuple).elements;
    f.n = a.elements.length;
  } else if (a instanceof MapTerm) {
    f.kind = CMP_MAP;
    f.ex = ex!;
    f.ey = ey!;
    f.n = 2 * a.size;
  } else if (a instanceof OpaqueFun) {
    const x = a.fun;
    const y = (b as OpaqueFun).fun;
    f.kind = CMP_FUN;
    f.xs = x.freeVars;
    f.ys = y.freeVars;
    f.n = x.freeVars.length;
    f.post = x.arity - y.arity || x.oldIndex - y.oldIndex || x.oldUniq - y.oldUniq;
  } else {
    const x = listParts(a as Term[] | ImproperList);
    const y = listParts(b as Term[] | ImproperList);
    f.kind = CMP_LIST;
    f.xs = x.elements;
    f.ys = y.elements;
    f.tx = x.tail;
    f.ty = y.tail;
    f.n = Math.min(x.elements.length, y.elements.length);
  }
  cmpSp = i + 1;
  if (i - base >= GUARD_DEPTH) {
    cycles ??= new CycleCheck();
    cycles.open(i - base, a as object);
  }
  return cycles;
}

function popCmp(i: number): void {
  const f = cmpFrames[i];
  f.xs = f.ys = f.tx = f.ty = [];
  f.ex = f.ey = [];
  cmpSp = i;
}

function cmp(a: Term, b: Term, exact: boolean): number {
  return cmpNear(a, b, exact, 0);
}

/**
 * The first RECURSION_LIMIT levels by plain recursion (the fast way for the usual, shallow terms);
 * any pair of containers deeper than that is compared by `cmpWalk` on the explicit stack.
 */
function cmpNear(a: Term, b: Term, exact: boolean, depth: number): number {
  if (a === b) return 0;
  if (a instanceof Tuple && b instanceof Tuple && depth < RECURSION_LIMIT) {
    // The most frequent container, without cmpHead's dispatch.
    const x = a.elements;
    const y = b.elements;
    if (x.length !== y.length) return x.length - y.length;
    for (let i = 0; i < x.length; i++) {
      const c = cmpNear(x[i], y[i], exact, depth + 1);
      if (c !== 0) return c;
    }
    return 0;
  }
  const head = cmpHead(a, b, exact);
  if (head !== OPEN) return head;
  if (depth >= RECURSION_LIMIT) return cmpWalk(a, b, exact);
  a = unwrap(a);
  b = unwrap(b);
  const d = depth + 1;
  if (a instanceof Tuple) {
    const x = a.elements;
    const y = (b as Tuple).elements;
    for (let i = 0; i < x.length; i++) {
      const c = cmpNear(x[i], y[i], exact, d);
      if (c !== 0) return c;
    }
    return 0;
  }
  if (a instanceof MapTerm) {
    const ea = a.sortedEntries();
    const eb = (b as MapTerm<Term>).sortedEntries();
    for (let i = 0; i < ea.length; i++) {
      const c = cmpNear(ea[i][0], eb[i][0], true, d);
      if (c !== 0) return c;
    }
    for (let i = 0; i < ea.length; i++) {
      const c = cmpNear(ea[i][1], eb[i][1], exact, d);
      if (c !== 0) return c;
    }
    return 0;
  }
  if (a instanceof OpaqueFun) {
    const x = a.fun;
    const y = (b as OpaqueFun).fun;
    for (let i = 0; i < x.freeVars.length; i++) {
      const c = cmpNear(x.freeVars[i], y.freeVars[i], exact, d);
      if (c !== 0) return c;
    }
    return x.arity - y.arity || x.oldIndex - y.oldIndex || x.oldUniq - y.oldUniq;
  }
  const x = listParts(a as Term[] | ImproperList);
  const y = listParts(b as Term[] | ImproperList);
  const n = Math.min(x.elements.length, y.elements.length);
  for (let i = 0; i < n; i++) {
    const c = cmpNear(x.elements[i], y.elements[i], exact, d);
    if (c !== 0) return c;
  }
  // Equal up to the shorter one: compare the tails, or what is left of the longer list with the other's tail.
  const restX = x.elements.length > n ? new ImproperList(x.elements.slice(n), x.tail) : x.tail;
  const restY = y.elements.length > n ? new ImproperList(y.elements.slice(n), y.tail) : y.tail;
  return cmpNear(restX, restY, exact, d);
}

/** Compare containers `a` and `b` (cmpHead said OPEN) on the explicit stack. */
function cmpWalk(a: Term, b: Term, exact: boolean): number {
  const base = cmpSp;
  let cycles: CycleCheck | undefined;
  try {
    cycles = openCmp(a, b, exact, cycles, base);
    while (cmpSp > base) {
      const i = cmpSp - 1;
      const f = cmpFrames[i];
      let x: Term;
      let y: Term;
      let ex = f.exact;
      const k = f.i;
      if (k < f.n) {
        f.i = k + 1;
        if (f.kind === CMP_MAP) {
          const half = f.n >> 1;
          if (k < half) {
            x = f.ex[k][0];
            y = f.ey[k][0];
            ex = true; // keys compare as in map-key order whatever the outer comparison
          } else {
            x = f.ex[k - half][1];
            y = f.ey[k - half][1];
          }
        } else {
          x = f.xs[k];
          y = f.ys[k];
        }
      } else if (f.kind === CMP_LIST) {
        // Equal up to the shorter one: compare the tails, or what is left of the longer list with
        // the other's tail.
        const n = f.n;
        x = f.xs.length > n ? new ImproperList(f.xs.slice(n), f.tx) : f.tx;
        y = f.ys.length > n ? new ImproperList(f.ys.slice(n), f.ty) : f.ty;
        popCmp(i);
      } else {
        const post = f.kind === CMP_FUN ? f.post : 0;
        popCmp(i);
        if (post !== 0) return post;
        continue;
      }
      const c = cmpHead(x, y, ex);
      if (c === OPEN) cycles = openCmp(x, y, ex, cycles, base);
      else if (c !== 0) return c;
    }
    return 0;
  } finally {
    while (cmpSp > base) popCmp(cmpSp - 1);
    if (base === 0 && cmpFrames.length > GUARD_DEPTH) cmpFrames.length = 0;
  }
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

function hashBytes(h: number, bytes: Uint8Array, n: number, from = 0): number {
  for (let i = from; i < from + n; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
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

/** The hash of a term that is not a non-empty container; undefined for those (hashDeep walks them). */
function hashLeaf(x: Term): number | undefined {
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
  if (x instanceof Binary) return hashBytes(0x811c9dc5, sourceOf(x), x.length, offsetOf(x)) | 0;
  if (x instanceof Uint8Array) return hashBytes(0x811c9dc5, x, x.length) | 0;
  if (x instanceof Tuple) return x.elements.length === 0 ? mix(0x7e, 0) : undefined;
  if (Array.isArray(x)) return x.length === 0 ? 0x6a : undefined;
  if (x instanceof ErlFloat) return hashFloat(x.value);
  if (x instanceof MapTerm) return x.size === 0 ? mix(0x3a9, 0) : undefined;
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
  if (x instanceof ImproperList) {
    const parts = listParts(x);
    if (parts.elements.length !== 0) return undefined;
    // `[|T]` is T, which is no list: a leaf, or a tuple or map for the walk (one level, no more).
    return Array.isArray(parts.tail) ? 0x6a : hashLeaf(parts.tail);
  }
  throw new TypeError(`not an Erlang term: ${String(x)}`);
}

const HASH_SEQ = 0; // a tuple: mix in each element's hash
const HASH_LIST = 1; // a list: each element's hash, then the tail's
const HASH_MAP = 2; // a map: the sum of mix(key hash, value hash)

class HashFrame {
  kind = HASH_SEQ;
  items: readonly Term[] = [];
  map: MapTerm<Term> | undefined = undefined;
  tail: Term = [];
  /** Children hashed so far, and how many there are. */
  i = 0;
  n = 0;
  acc = 0;
  /** HASH_MAP: the hash of the key whose value comes next. */
  key = 0;
}

const hashFrames: HashFrame[] = [];
let hashSp = 0;

/** A 32-bit hash consistent with `equals`. */
export function hash(x: Term): number {
  return hashNear(x, 0);
}

/** The first RECURSION_LIMIT levels by plain recursion; deeper containers by `hashWalk`. */
function hashNear(x: Term, depth: number): number {
  const h = hashLeaf(x);
  if (h !== undefined) return h;
  if (depth >= RECURSION_LIMIT) return hashDeep(x);
  const d = depth + 1;
  if (x instanceof Tuple) {
    const e = x.elements;
    let acc = mix(0x7e, e.length);
    for (let i = 0; i < e.length; i++) acc = mix(acc, hashNear(e[i], d));
    return acc;
  }
  if (x instanceof MapTerm) {
    let acc = 0;
    for (let i = 0, n = x.size; i < n; i++) acc = (acc + mix(hashNear(x.keyAt(i), d), hashNear(x.valueAt(i), d))) | 0;
    return mix(0x3a9, acc);
  }
  const { elements, tail } = listParts(x as Term[] | ImproperList);
  if (elements.length === 0) return hashNear(tail, d); // `[|T]` is T
  let acc = 0x1157;
  for (let i = 0; i < elements.length; i++) acc = mix(acc, hashNear(elements[i], d));
  return mix(acc, hashNear(tail, d));
}

/** The hash of container `x` on the explicit stack. */
function hashDeep(x: Term): number {
  const base = hashSp;
  try {
    return hashWalk(x, base);
  } catch (e) {
    while (hashSp > base) popHash(hashSp - 1);
    throw e;
  }
}

/**
 * The hash of container `x`, by the same definition as a recursive one (a container mixes its
 * children's hashes in), on frames: each open container's children are hashed in order, leaves at
 * once, containers by opening a frame of their own.
 */
function hashWalk(x: Term, base: number): number {
  let cycles: CycleCheck | undefined;
  let t = x; // a container to open
  for (;;) {
    const i = hashSp;
    const f = (hashFrames[i] ??= new HashFrame());
    f.i = 0;
    if (t instanceof Tuple) {
      f.kind = HASH_SEQ;
      f.items = t.elements;
      f.n = t.elements.length;
      f.acc = mix(0x7e, f.n);
    } else if (t instanceof MapTerm) {
      f.kind = HASH_MAP;
      f.map = t;
      f.n = 2 * t.size;
      f.acc = 0;
    } else {
      const { elements, tail } = listParts(t as Term[] | ImproperList);
      f.kind = HASH_LIST;
      f.items = elements;
      f.tail = tail;
      f.n = elements.length + 1;
      f.acc = 0x1157;
    }
    hashSp = i + 1;
    if (i - base >= GUARD_DEPTH) {
      cycles ??= new CycleCheck();
      cycles.open(i - base, t as object);
    }
    // Hash the children of the innermost frame; close each frame whose children are all done.
    inner: for (;;) {
      const g = hashFrames[hashSp - 1];
      while (g.i < g.n) {
        let c = hashChild(g);
        const h = hashLeaf(c);
        if (h === undefined) {
          if (c instanceof ImproperList) {
            const parts = listParts(c);
            if (parts.elements.length === 0) c = parts.tail; // `[|T]` is T, a tuple or a map here
          }
          t = c;
          break inner;
        }
        absorb(g, h);
      }
      const h = g.kind === HASH_MAP ? mix(0x3a9, g.acc) : g.acc;
      popHash(hashSp - 1);
      if (hashSp === base) {
        if (base === 0 && hashFrames.length > GUARD_DEPTH) hashFrames.length = 0;
        return h;
      }
      absorb(hashFrames[hashSp - 1], h);
    }
  }
}

/** Mix the hash of the next child of `f` in. */
function absorb(f: HashFrame, h: number): void {
  const k = f.i;
  if (f.kind === HASH_MAP) {
    if ((k & 1) === 0) f.key = h;
    else f.acc = (f.acc + mix(f.key, h)) | 0;
  } else {
    f.acc = mix(f.acc, h);
  }
  f.i = k + 1;
}

/** The child of `f` to hash next (`f.i` of them are done). */
function hashChild(f: HashFrame): Term {
  const k = f.i;
  if (f.kind === HASH_MAP) return (k & 1) === 0 ? f.map!.keyAt(k >> 1) : f.map!.valueAt(k >> 1);
  return k < f.items.length ? f.items[k] : f.tail;
}

function popHash(i: number): void {
  const f = hashFrames[i];
  f.items = [];
  f.tail = [];
  f.map = undefined;
  hashSp = i;
}
