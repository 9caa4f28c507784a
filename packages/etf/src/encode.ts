/**
 * ETF encoder. Emits the same bytes as OTP's `term_to_binary(T, [{minor_version, 2}])`: the smallest
 * integer form, UTF-8 atoms (119, or 118 past 255 bytes), STRING_EXT for lists of at most 65535
 * bytes, and maps in the order described in map.ts.
 */
import { Buffer } from 'node:buffer';
import { deflateSync } from 'node:zlib';
import { Atom } from './atoms.ts';
import { Binary, offsetOf, sourceOf } from './binary.ts';
import { EncodeError } from './errors.ts';
import { EncodedTerm } from './encoded.ts';
import { ErlMap } from './map.ts';
import { listParts } from './compare.ts';
import { VERSION } from './tags.ts';
import { BitBinary, ErlFloat, ExportFun, ImproperList, OpaqueFun, Pid, Port, Ref, Tuple, type Term } from './terms.ts';

const utf8 = new TextEncoder();

// What the encoder writes once a container's children are written (TermWriter.close).
const AFTER_NOTHING = 0;
const AFTER_NIL = 1; // a proper LIST_EXT's NIL tail
const AFTER_TAIL = 2; // an improper list's tail term
const AFTER_FUN = 3; // patch a NEW_FUN's size

/**
 * From this nesting depth on, the encoder watches for a cyclic JS value (an array that contains
 * itself), which would otherwise be written forever. It remembers the container it opened at each
 * power-of-two depth and fails when it opens that container again below it (Brent's cycle finding
 * on the path of open containers): the path of a cyclic value repeats, so it is found within about
 * twice its length; a deep term that is not cyclic costs one comparison per level, others nothing.
 * Also the size from which the writer gives the memory of its stack back after a term.
 */
const GUARD_DEPTH = 1024;

const SLAB_SIZE = 64 * 1024;
const SLAB_MAX_PIECE = 8 * 1024;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabUsed = 0;

/**
 * A growable output buffer that terms (and any framing bytes around them) are written into. It is
 * reused across calls; `take()` copies out what was written and resets it.
 */
export class TermWriter {
  protected buf: Uint8Array;
  protected dv: DataView;
  /** Write position: the number of bytes written so far. */
  length = 0;
  /** Atoms as OTP's `minor_version` 1 writes them: latin-1 names as ATOM_EXT (tag 100). */
  latin1Atoms = false;
  /**
   * When set, every atom (also a pid's, port's or reference's node) is first offered to the hook:
   * an index 0..254 it returns is written as ATOM_CACHE_REF (82, index), -1 writes the atom as
   * usual. The distribution's atom cache uses it to write a frame's terms in one pass.
   */
  atomRefs: AtomRefs | undefined = undefined;

  constructor(initialSize = 4096) {
    this.buf = new Uint8Array(initialSize);
    this.dv = new DataView(this.buf.buffer);
  }

  /** Drop everything written (keeps the memory). */
  reset(): void {
    this.length = 0;
  }

  /** A copy of the bytes written so far; resets the writer. */
  take(): Uint8Array {
    const n = this.length;
    this.length = 0;
    const b = this.buf;
    let out: Uint8Array;
    if (n <= SLAB_MAX_PIECE) {
      // Small results are carved from a shared slab: one view object instead of an ArrayBuffer each.
      if (slabUsed + n > SLAB_SIZE) {
        slab = new ArrayBuffer(SLAB_SIZE);
        slabUsed = 0;
      }
      out = new Uint8Array(slab, slabUsed, n);
      slabUsed = (slabUsed + n + 7) & ~7;
    } else {
      out = new Uint8Array(n);
    }
    if (n <= 16) for (let i = 0; i < n; i++) out[i] = b[i];
    else out.set(new Uint8Array(b.buffer, 0, n));
    return out;
  }

  /** A view of the bytes written so far (valid until the next write or reset). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** Bytes the writer can hold before it grows. */
  get capacity(): number {
    return this.buf.length;
  }

  /** The writer's buffer itself (bytes 0..length are written; valid until the next write or reset). */
  get buffer(): Uint8Array {
    return this.buf;
  }

  protected grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < this.length + need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  ensure(n: number): void {
    if (this.length + n > this.buf.length) this.grow(n);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    const b = this.buf;
    const p = this.length;
    b[p] = v >>> 8;
    b[p + 1] = v;
    this.length = p + 2;
  }

  u32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    const p = this.length;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.length = p + 4;
  }

  bytes(src: Uint8Array): void {
    this.range(src, 0, src.length);
  }

  /** `src[from..to)` (a loop for a few bytes, where `set` costs more). */
  private range(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    this.ensure(n);
    const b = this.buf;
    const p = this.length;
    if (n <= 16) for (let i = 0; i < n; i++) b[p + i] = src[from + i]!;
    else b.set(from === 0 && to === src.length ? src : src.subarray(from, to), p);
    this.length = p + n;
  }

  // The explicit stack of containers being written (see `term`): one slot per nesting level, in
  // parallel arrays that grow on the heap, so a term nested a million deep encodes. Slot i holds
  // the children still to write (`items`, from `next` on) and what to write after them.
  private items: (readonly Term[] | undefined)[] = [];
  private next: number[] = [];
  private after: number[] = [];
  /** AFTER_TAIL: the tail. */
  private tails: (Term | undefined)[] = [];
  /** AFTER_FUN: where the fun's size field is. */
  private starts: number[] = [];
  /** The cycle check (see GUARD_DEPTH): the container opened at the last power-of-two depth. */
  private checkDepth = 0;
  private checkOwner: object | undefined = undefined;
  private sp = 0;

  /** Write a term without a version byte. */
  term(x: Term): void {
    const base = this.sp;
    try {
      this.walk(x, base);
    } catch (e) {
      this.unwind(base);
      if (e instanceof RangeError) throw new EncodeError(`term too large to encode: ${e.message}`);
      throw e;
    } finally {
      // The window cache must not keep a decoded message's buffer alive past the term.
      this.windowSource = undefined;
      this.windowView = undefined;
    }
  }

  /**
   * Write `x` and everything in it, without recursion: each container being written is a slot on
   * the explicit stack, holding its children and what comes after them. `sp` is kept in a local
   * here and in `this.sp` around the calls that may open a slot (`other`, `close`).
   */
  private walk(x: Term, base: number): void {
    const items = this.items;
    const next = this.next;
    const after = this.after;
    let sp = this.sp;
    for (;;) {
      // Write `x`: a leaf at once; a container writes its head and opens a slot for its children.
      if (typeof x === 'object') {
        if (x instanceof Tuple) {
          const elements = x.elements;
          const n = elements.length;
          // Leading leaves are written in place (see `tupleLeaves`): a slot only for the rest.
          const k = this.tupleLeaves(elements, n);
          if (k !== n) {
            items[sp] = elements;
            next[sp] = k;
            after[sp] = AFTER_NOTHING;
            if (++sp > GUARD_DEPTH) this.checkCycle(sp - 1, elements);
          }
        } else if (Array.isArray(x)) {
          const n = x.length;
          if (n === 0)
            this.u8(106); // NIL
          else if (!this.string(x)) {
            // Leading binaries and tuples of leaves are written in place (see `listLeaves`).
            const k = this.listLeaves(x, n);
            if (k === n) {
              this.u8(106); // NIL
            } else {
              items[sp] = x;
              next[sp] = k + 1;
              after[sp] = AFTER_NIL;
              if (++sp > GUARD_DEPTH) this.checkCycle(sp - 1, x);
              const started = this.started;
              if (started < 0) {
                next[sp - 1] = k;
              } else {
                // x[k] is a tuple whose head and first `started` elements are written.
                const elements = (x[k] as Tuple).elements;
                items[sp] = elements;
                next[sp] = started;
                after[sp] = AFTER_NOTHING;
                if (++sp > GUARD_DEPTH) this.checkCycle(sp - 1, elements);
              }
            }
          }
        } else if (x instanceof Atom) {
          this.atom(x);
        } else if (x instanceof Uint8Array) {
          this.binary(x);
        } else if (x instanceof Binary) {
          this.window(x);
        } else {
          this.sp = sp;
          this.rare(x);
          sp = this.sp;
        }
      } else if (typeof x === 'number' && Number.isSafeInteger(x) && (x !== 0 || !Object.is(x, -0))) {
        this.integer(x);
      } else {
        this.sp = sp;
        this.rare(x);
        sp = this.sp;
      }
      // Then the next child of the innermost open container, closing the containers that are done.
      for (;;) {
        if (sp === base) {
          this.sp = sp;
          if (sp === 0 && items.length > GUARD_DEPTH) this.shrinkStack(); // after a deep term
          return;
        }
        const i = sp - 1;
        const children = items[i]!;
        const k = next[i];
        if (k < children.length) {
          next[i] = k + 1;
          x = children[k];
          break;
        }
        sp = i;
        items[i] = undefined;
        const then = after[i];
        if (then === AFTER_NOTHING) continue;
        if (then === AFTER_NIL) {
          this.u8(106); // NIL
          continue;
        }
        this.sp = sp;
        const tail = this.close(i, then);
        if (tail !== undefined) {
          x = tail;
          break;
        }
      }
    }
  }

  /** The tuple's head and its leading leaves (see `leavesFrom`); returns how many elements it wrote. */
  private tupleLeaves(elements: readonly Term[], n: number): number {
    if (n <= 255) {
      const p = this.length;
      if (p + 2 > this.buf.length) this.grow(2);
      const b = this.buf;
      b[p] = 104; // SMALL_TUPLE
      b[p + 1] = n;
      this.length = p + 2;
    } else {
      this.u8(105); // LARGE_TUPLE
      this.u32(n);
    }
    return this.leavesFrom(elements, 0, n);
  }

  /**
   * Write `elements[k..n)` while they are leaves (binaries, strings, atoms, integers and what `leaf` writes);
   * returns the index of the first one that is not. Binaries, the usual content of a tuple (`{Name,
   * Value}` pairs), are written here with the write position in a local.
   */
  private leavesFrom(elements: readonly Term[], k: number, n: number): number {
    let p = this.length;
    for (; k < n; k++) {
      const e = elements[k];
      if (e instanceof Uint8Array) {
        p = this.binaryAt(p, e);
        continue;
      }
      this.length = p;
      if (Array.isArray(e)) {
        // A byte list (a charlist header) is a leaf; another list is not.
        if (e.length === 0)
          this.u8(106); // NIL
        else if (!this.string(e)) return k;
      } else if (e instanceof Atom) this.atom(e);
      else if (typeof e === 'string') this.utf8Binary(e);
      else if (typeof e === 'number' && Number.isSafeInteger(e) && (e !== 0 || !Object.is(e, -0))) this.integer(e);
      else if (e instanceof Binary) this.window(e);
      else if (!this.leaf(e)) return k;
      p = this.length;
    }
    this.length = p;
    return k;
  }

  /** Where `listLeaves` stopped in a tuple it started: its next element, or -1 when it started none. */
  private started = -1;

  /**
   * The head of the non-empty list `x` that is not a string, then its leading elements while they
   * are binaries, strings, atoms or tuples of leaves (a list of headers, `[{Name, Value} | ...]`), written in place:
   * returns the index of the first element not written. When that element is a tuple whose head and
   * leading leaves are written, `started` says where it stopped (else -1).
   */
  private listLeaves(x: readonly Term[], n: number): number {
    let p = this.room(this.length, 5);
    const b = this.buf;
    b[p] = 108; // LIST
    b[p + 1] = n >>> 24;
    b[p + 2] = n >>> 16;
    b[p + 3] = n >>> 8;
    b[p + 4] = n;
    p += 5;
    for (let i = 0; i < n; i++) {
      const e = x[i];
      // Tuples first: in a header list all but the head are `{Name, Value}`.
      if (!(e instanceof Tuple)) {
        if (e instanceof Uint8Array) {
          p = this.binaryAt(p, e);
          continue;
        }
        if (e instanceof Atom || typeof e === 'string') {
          // e.g. the `undefined` that heads an event without a Unique-ID: the pairs after it stay here
          this.length = p;
          if (typeof e === 'string') this.utf8Binary(e);
          else this.atom(e);
          p = this.length;
          continue;
        }
        if (e instanceof Binary) {
          p = this.windowAt(p, e);
          continue;
        }
        return this.leftAt(p, i);
      }
      const elements = e.elements;
      const tn = elements.length;
      if (tn > 255) return this.leftAt(p, i);
      const f = elements[0];
      const g = elements[1];
      if (tn === 2 && f instanceof Uint8Array && g instanceof Uint8Array) {
        // {Binary, Binary}: one room check for the pair
        const m = f.length;
        const mg = g.length;
        p = this.room(p, 12 + m + mg);
        const b = this.buf;
        const dv = this.dv;
        b[p] = 104; // SMALL_TUPLE
        b[p + 1] = 2;
        p = putBinary(b, dv, putBinary(b, dv, p + 2, f, m), g, mg);
        continue;
      }
      if (tn === 2 && f instanceof Binary && g instanceof Binary) {
        // {Binary, Binary} as decoded: one room check for the pair
        p = this.room(p, 12 + f.length + g.length);
        this.buf[p] = 104; // SMALL_TUPLE
        this.buf[p + 1] = 2;
        p = this.putWindow(this.putWindow(p + 2, f), g);
        continue;
      }
      p = this.room(p, 2);
      this.buf[p] = 104; // SMALL_TUPLE
      this.buf[p + 1] = tn;
      p += 2;
      let k = 0;
      for (; k < tn; k++) {
        const v = elements[k];
        if (!(v instanceof Uint8Array)) break;
        p = this.binaryAt(p, v);
      }
      if (k !== tn) {
        this.length = p;
        k = this.leavesFrom(elements, k, tn);
        if (k !== tn) {
          this.started = k;
          return i;
        }
        p = this.length;
      }
    }
    this.length = p;
    return n;
  }

  /** `listLeaves` stops before element `i`, which it did not start, at write position `p`. */
  private leftAt(p: number, i: number): number {
    this.length = p;
    this.started = -1;
    return i;
  }

  /** `p`, after growing the buffer when `n` bytes from `p` do not fit (the write position is `p`). */
  private room(p: number, n: number): number {
    if (p + n > this.buf.length) {
      this.length = p;
      this.grow(n);
    }
    return p;
  }

  /** BINARY_EXT of `x` at `p` (the write position), growing the buffer first if needed; the position after it. */
  private binaryAt(p: number, x: Uint8Array): number {
    const m = x.length;
    const at = this.room(p, 5 + m); // first: it may replace the buffer
    return putBinary(this.buf, this.dv, at, x, m);
  }

  /** As binaryAt, for a decoded binary. */
  private windowAt(p: number, x: Binary): number {
    return this.putWindow(this.room(p, 5 + x.length), x);
  }

  /** The source of the last decoded binary written in this term, and a DataView of it (see putWindow). */
  private windowSource: Uint8Array | undefined = undefined;
  private windowView: DataView | undefined = undefined;

  /**
   * BINARY_EXT of a `Binary` at `p`. A decoded one is a window on a larger source, which set()
   * can copy only through a subarray, made per binary (about 50 ns). A byte loop is no cheaper
   * past a dozen bytes, so they go four at a time through a DataView of the source, made once for
   * all the binaries of one decoded input.
   */
  private putWindow(p: number, x: Binary): number {
    const b = this.buf;
    const m = x.length;
    const src = sourceOf(x);
    const off = offsetOf(x);
    if (off === 0 && m === src.length) return putBinary(b, this.dv, p, src, m); // all of its source: binary('...')
    b[p] = 109; // BINARY
    this.dv.setUint32(p + 1, m);
    const q = p + 5;
    if (m > 256) {
      b.set(src.subarray(off, off + m), q);
      return q + m;
    }
    let sv = this.windowView;
    if (src !== this.windowSource || sv === undefined) {
      sv = new DataView(src.buffer, src.byteOffset, src.length);
      this.windowSource = src;
      this.windowView = sv;
    }
    const dv = this.dv;
    let i = 0;
    for (; i + 4 <= m; i += 4) dv.setUint32(q + i, sv.getUint32(off + i));
    for (; i < m; i++) b[q + i] = src[off + i];
    return q + m;
  }

  /**
   * Write `x` if it is one of the other usual leaves of a tuple (`[]`, a byte list, a pid, a ref)
   * and say so; `walk` writes binaries, atoms and integers itself and opens a slot for the rest.
   */
  private leaf(x: Term): boolean {
    if (Array.isArray(x)) {
      if (x.length === 0)
        this.u8(106); // NIL
      else return this.string(x);
    } else if (x instanceof Pid) this.pid(x);
    else if (x instanceof Ref) this.ref(x);
    else if (x instanceof EncodedTerm) this.encoded(x);
    else return false;
    return true;
  }

  /** Its bytes as they are; its listed atoms written by `atom` when atoms are rewritten. */
  private encoded(x: EncodedTerm): void {
    const atoms = x.atoms;
    if (atoms === undefined || (this.atomRefs === undefined && !this.latin1Atoms)) return this.bytes(x.bytes);
    const src = x.bytes;
    let from = 0;
    for (let i = 0; i < atoms.length; i++) {
      const { offset, atom } = atoms[i]!;
      this.range(src, from, offset);
      this.atom(atom);
      // skip the atom's text: a 1-byte length after SMALL_ATOM_UTF8 (119) / SMALL_ATOM (115), else 2
      const tag = src[offset];
      from = tag === 119 || tag === 115 ? offset + 2 + src[offset + 1]! : offset + 3 + ((src[offset + 1]! << 8) | src[offset + 2]!);
    }
    this.range(src, from, src.length);
  }

  /** Every term but the ones `walk` writes itself (integers, tuples, lists, atoms, binaries). */
  private rare(x: Term): void {
    switch (typeof x) {
      case 'number':
        this.float(x);
        return;
      case 'string':
        this.utf8Binary(x);
        return;
      case 'bigint':
        this.bigint(x);
        return;
      case 'object':
        if (x === null) break;
        if (x instanceof Pid) return this.pid(x);
        if (x instanceof ErlMap) return this.map(x);
        if (x instanceof Ref) return this.ref(x);
        if (x instanceof ErlFloat) return this.float(x.value);
        if (x instanceof ImproperList) return this.improperList(x);
        if (x instanceof BitBinary) return this.bitBinary(x);
        if (x instanceof Port) return this.port(x);
        if (x instanceof ExportFun) return this.exportFun(x);
        if (x instanceof OpaqueFun) return this.localFun(x);
        if (x instanceof EncodedTerm) return this.encoded(x);
        break;
    }
    throw new EncodeError(`cannot encode ${describe(x)} as an Erlang term`);
  }

  /** Any term, its children (if any) in a slot opened for `walk`. */
  private other(x: Term): void {
    if (typeof x === 'number') {
      if (Number.isSafeInteger(x) && (x !== 0 || !Object.is(x, -0))) this.integer(x);
      else this.float(x);
      return;
    }
    if (x instanceof Atom) return this.atom(x);
    if (x instanceof Tuple) return this.tuple(x);
    if (Array.isArray(x)) return this.list(x);
    if (x instanceof Uint8Array) return this.binary(x);
    if (x instanceof Binary) return this.window(x);
    this.rare(x);
  }

  /** Open a slot (at `this.sp`) whose `items` are written next, then `after` (AFTER_*). */
  private open(owner: object, items: readonly Term[], after: number): number {
    const i = this.sp;
    this.items[i] = items;
    this.next[i] = 0;
    this.after[i] = after;
    this.sp = i + 1;
    if (i >= GUARD_DEPTH) this.checkCycle(i, owner);
    return i;
  }

  /** The cycle check of a slot opened at depth `i` (see GUARD_DEPTH). */
  private checkCycle(i: number, owner: object): void {
    if ((i & (i - 1)) === 0) {
      this.checkDepth = i;
      this.checkOwner = owner;
    } else if (owner === this.checkOwner && this.checkDepth < i) {
      throw new EncodeError('cannot encode a cyclic value (a container that contains itself)');
    }
  }

  /** Slot `i` (popped) is done and has more to write: the tail of an improper list (returned), or a fun's size. */
  private close(i: number, then: number): Term | undefined {
    if (then === AFTER_TAIL) {
      const tail = this.tails[i];
      this.tails[i] = undefined;
      return tail;
    }
    // AFTER_FUN
    const start = this.starts[i];
    const size = this.length - start - 1;
    const b = this.buf;
    b[start + 1] = size >>> 24;
    b[start + 2] = size >>> 16;
    b[start + 3] = size >>> 8;
    b[start + 4] = size;
    return undefined;
  }

  /** After a failure: empty the slots from `base` on, so the writer keeps no term alive. */
  private unwind(base: number): void {
    for (let i = base; i < this.items.length; i++) {
      this.items[i] = undefined;
      this.tails[i] = undefined;
    }
    this.sp = base;
    if (base === 0) this.shrinkStack();
  }

  private shrinkStack(): void {
    if (this.items.length > GUARD_DEPTH) {
      this.items = [];
      this.next = [];
      this.after = [];
      this.tails = [];
      this.starts = [];
    }
    this.checkOwner = undefined;
  }

  private integer(v: number): void {
    if (v >= 0 && v <= 255) {
      this.ensure(2);
      this.buf[this.length] = 97; // SMALL_INTEGER
      this.buf[this.length + 1] = v;
      this.length += 2;
    } else if (v >= -0x80000000 && v <= 0x7fffffff) {
      this.ensure(5);
      const b = this.buf;
      const p = this.length;
      b[p] = 98; // INTEGER
      b[p + 1] = v >>> 24;
      b[p + 2] = v >>> 16;
      b[p + 3] = v >>> 8;
      b[p + 4] = v;
      this.length = p + 5;
    } else {
      let mag = Math.abs(v);
      this.ensure(3 + 8);
      const b = this.buf;
      const start = this.length;
      b[start] = 110; // SMALL_BIG
      b[start + 2] = v < 0 ? 1 : 0;
      let n = 0;
      while (mag > 0) {
        b[start + 3 + n] = mag % 256;
        mag = Math.floor(mag / 256);
        n++;
      }
      b[start + 1] = n;
      this.length = start + 3 + n;
    }
  }

  private bigint(v: bigint): void {
    if (v >= -0x80000000n && v <= 0x7fffffffn) return this.integer(Number(v));
    const negative = v < 0n;
    const hex = (negative ? -v : v).toString(16);
    const n = (hex.length + 1) >> 1;
    this.ensure(6 + n);
    const b = this.buf;
    let p = this.length;
    if (n <= 255) {
      b[p++] = 110; // SMALL_BIG
      b[p++] = n;
    } else {
      b[p++] = 111; // LARGE_BIG
      b[p++] = n >>> 24;
      b[p++] = n >>> 16;
      b[p++] = n >>> 8;
      b[p++] = n;
    }
    b[p++] = negative ? 1 : 0;
    // Digits are little-endian: walk the hex string from its end, two characters per byte.
    for (let i = hex.length; i > 0; i -= 2) b[p++] = Number.parseInt(hex.slice(Math.max(0, i - 2), i), 16);
    this.length = p;
  }

  private float(v: number): void {
    if (!Number.isFinite(v)) throw new EncodeError(`${v} is not an Erlang float`);
    this.ensure(9);
    this.buf[this.length] = 70; // NEW_FLOAT
    this.dv.setFloat64(this.length + 1, v);
    this.length += 9;
  }

  atom(a: Atom): void {
    if (this.atomRefs !== undefined && this.atomRef(a)) return;
    const enc = this.atomBytes(a);
    const n = enc.length;
    this.ensure(n);
    const b = this.buf;
    const p = this.length;
    if (n <= 16) for (let i = 0; i < n; i++) b[p + i] = enc[i];
    else b.set(enc, p);
    this.length = p + n;
  }

  /** ATOM_CACHE_REF for `a` if the hook gives it an index (and true), else nothing written (false). */
  private atomRef(a: Atom): boolean {
    const r = this.atomRefs!.ref(a);
    if (r < 0) return false;
    this.ensure(2);
    this.buf[this.length] = 82;
    this.buf[this.length + 1] = r;
    this.length += 2;
    return true;
  }

  /** `a` as the hook has it: an ATOM_CACHE_REF's two bytes, or its usual encoding. */
  private atomRefBytes(a: Atom): Uint8Array {
    const r = this.atomRefs!.ref(a);
    return r < 0 ? this.atomBytes(a) : Uint8Array.of(82, r);
  }

  /** The atom's encoding (tag, length, name), made once per atom and form. */
  private atomBytes(a: Atom): Uint8Array {
    if (this.latin1Atoms) return (a.encodedV1 ??= encodeAtomV1(a.name));
    return (a.encoded ??= encodeAtom(a.name));
  }

  /** `tag`, then the atom `node`, with room for `rest` more bytes; returns where those go. */
  private nodeHead(tag: number, node: Atom, rest: number): number {
    if (this.atomRefs !== undefined) {
      this.u8(tag);
      this.atom(node);
      this.ensure(rest);
      return this.length;
    }
    const enc = this.atomBytes(node);
    const n = enc.length;
    this.ensure(1 + n + rest);
    const b = this.buf;
    const p = this.length;
    b[p] = tag;
    if (n <= 16) for (let i = 0; i < n; i++) b[p + 1 + i] = enc[i];
    else b.set(enc, p + 1);
    return p + 1 + n;
  }

  private utf8Binary(s: string): void {
    const n = s.length;
    this.ensure(5 + n);
    const b = this.buf;
    const start = this.length;
    b[start] = 109; // BINARY
    let p = start + 5;
    let i = 0;
    // ASCII four characters at a time (a quarter of the compares), then one at a time
    for (; i + 4 <= n; i += 4) {
      const c0 = s.charCodeAt(i);
      const c1 = s.charCodeAt(i + 1);
      const c2 = s.charCodeAt(i + 2);
      const c3 = s.charCodeAt(i + 3);
      if ((c0 | c1 | c2 | c3) >= 0x80) break;
      b[p] = c0;
      b[p + 1] = c1;
      b[p + 2] = c2;
      b[p + 3] = c3;
      p += 4;
    }
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      b[p++] = c;
    }
    if (i < n) {
      const rest = s.length - i;
      this.length = p;
      this.ensure(rest * 3);
      const written = utf8.encodeInto(s.slice(i), this.buf.subarray(this.length)).written;
      p = this.length + written;
    }
    const len = p - start - 5;
    const out = this.buf;
    out[start + 1] = len >>> 24;
    out[start + 2] = len >>> 16;
    out[start + 3] = len >>> 8;
    out[start + 4] = len;
    this.length = p;
  }

  private binary(x: Uint8Array): void {
    this.length = this.binaryAt(this.length, x);
  }

  private window(x: Binary): void {
    this.length = this.windowAt(this.length, x);
  }

  private bitBinary(x: BitBinary): void {
    if (!Number.isInteger(x.bits) || x.bits < 1 || x.bits > 8) throw new EncodeError(`BitBinary bits must be 1..8, got ${x.bits}`);
    if (x.bits === 8 || x.bytes.length === 0) return this.binary(x.bytes);
    this.u8(77); // BIT_BINARY
    this.u32(x.bytes.length);
    this.u8(x.bits);
    this.bytes(x.bytes);
    this.buf[this.length - 1] &= (0xff << (8 - x.bits)) & 0xff;
  }

  private tuple(x: Tuple): void {
    const elements = x.elements;
    const n = elements.length;
    if (n <= 255) {
      this.ensure(2);
      this.buf[this.length] = 104; // SMALL_TUPLE
      this.buf[this.length + 1] = n;
      this.length += 2;
    } else {
      this.u8(105); // LARGE_TUPLE
      this.u32(n);
    }
    if (n !== 0) this.open(elements, elements, AFTER_NOTHING);
  }

  private list(x: Term[]): void {
    const n = x.length;
    if (n === 0) return this.u8(106); // NIL
    if (this.string(x)) return;
    this.u8(108); // LIST
    this.u32(n);
    this.open(x, x, AFTER_NIL);
  }

  /** A non-empty list of at most 65535 bytes as a STRING; false (nothing written) for any other list. */
  private string(x: Term[]): boolean {
    const n = x.length;
    if (n > 65535 || typeof x[0] !== 'number') return false;
    // Write it as a STRING while checking that every element is a byte; give up if one is not.
    this.ensure(3 + n);
    const b = this.buf;
    const p = this.length;
    b[p] = 107; // STRING
    b[p + 1] = n >>> 8;
    b[p + 2] = n;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (typeof v !== 'number' || (v & 255) !== v || (v === 0 && 1 / v < 0)) return false; // -0 is a float
      b[p + 3 + i] = v;
    }
    this.length = p + 3 + n;
    return true;
  }

  private improperList(x: ImproperList): void {
    const { elements, tail } = listParts(x);
    if (Array.isArray(tail)) return this.list(elements);
    if (elements.length === 0) return this.other(tail);
    this.u8(108); // LIST
    this.u32(elements.length);
    const i = this.open(x, elements, AFTER_TAIL);
    this.tails[i] = tail;
  }

  private map(m: ErlMap): void {
    const { keys, values } = m.encodingOrder();
    const n = keys.length;
    this.u8(116); // MAP
    this.u32(n);
    if (n === 0) return;
    const pairs: Term[] = [];
    for (let i = 0; i < n; i++) pairs.push(keys[i], values[i]);
    this.open(m, pairs, AFTER_NOTHING);
  }

  private pid(x: Pid): void {
    const p = this.nodeHead(88, x.node, 12); // NEW_PID
    const b = this.buf;
    const id = x.id;
    const serial = x.serial;
    const creation = x.creation;
    b[p] = id >>> 24;
    b[p + 1] = id >>> 16;
    b[p + 2] = id >>> 8;
    b[p + 3] = id;
    b[p + 4] = serial >>> 24;
    b[p + 5] = serial >>> 16;
    b[p + 6] = serial >>> 8;
    b[p + 7] = serial;
    b[p + 8] = creation >>> 24;
    b[p + 9] = creation >>> 16;
    b[p + 10] = creation >>> 8;
    b[p + 11] = creation;
    this.length = p + 12;
  }

  private ref(x: Ref): void {
    const n = x.ids.length;
    if (n < 1 || n > 5) throw new EncodeError(`a reference has 1..5 words, this one ${n}`);
    const enc = this.atomRefs !== undefined ? this.atomRefBytes(x.node) : this.atomBytes(x.node);
    const m = enc.length;
    this.ensure(3 + m + 4 + 4 * n);
    const b = this.buf;
    let p = this.length;
    b[p] = 90; // NEWER_REFERENCE
    b[p + 1] = n >>> 8;
    b[p + 2] = n;
    p += 3;
    if (m <= 16) for (let i = 0; i < m; i++) b[p + i] = enc[i];
    else b.set(enc, p);
    p += m;
    const creation = x.creation;
    b[p] = creation >>> 24;
    b[p + 1] = creation >>> 16;
    b[p + 2] = creation >>> 8;
    b[p + 3] = creation;
    p += 4;
    const ids = x.ids;
    for (let i = 0; i < n; i++) {
      const w = ids[i];
      b[p] = w >>> 24;
      b[p + 1] = w >>> 16;
      b[p + 2] = w >>> 8;
      b[p + 3] = w;
      p += 4;
    }
    this.length = p;
  }

  private port(x: Port): void {
    const id = x.id;
    if (x.v4 || id > 0xffffffff) {
      this.u8(120); // V4_PORT
      this.atom(x.node);
      if (typeof id === 'bigint') {
        this.u32(Number(id >> 32n));
        this.u32(Number(id & 0xffffffffn));
      } else {
        this.u32(Math.floor(id / 0x100000000));
        this.u32(id % 0x100000000);
      }
    } else {
      this.u8(89); // NEW_PORT
      this.atom(x.node);
      this.u32(Number(id));
    }
    this.u32(x.creation);
  }

  private exportFun(x: ExportFun): void {
    this.u8(113); // EXPORT
    this.atom(x.module);
    this.atom(x.name);
    this.u8(97);
    this.u8(x.arity);
  }

  private localFun(x: OpaqueFun): void {
    const f = x.fun;
    if (f.uniq.length !== 16) throw new EncodeError('a fun uniq is 16 bytes');
    const start = this.length;
    this.u8(112); // NEW_FUN
    this.u32(0); // size, patched below
    this.u8(f.arity);
    this.bytes(f.uniq);
    this.u32(f.index);
    this.u32(f.freeVars.length);
    this.atom(f.module);
    this.integer(f.oldIndex);
    this.integer(f.oldUniq);
    this.pid(f.pid);
    const i = this.open(x, f.freeVars, AFTER_FUN);
    this.starts[i] = start; // the size is patched in once the free variables are written
  }
}

/**
 * BINARY_EXT of `x` (`m` bytes) at `b[p]`, which has room for it; `dv` views the same memory as
 * `b`. Returns the position after it.
 */
function putBinary(b: Uint8Array, dv: DataView, p: number, x: Uint8Array, m: number): number {
  b[p] = 109; // BINARY
  dv.setUint32(p + 1, m); // one store where four byte stores were
  // set() has a fixed cost about that of a byte loop of 4 to 8 (each loop store is checked).
  if (m <= 4) for (let i = 0; i < m; i++) b[p + 5 + i] = x[i];
  else b.set(x, p + 5);
  return p + 5 + m;
}

function encodeAtom(name: string): Uint8Array {
  const bytes = utf8.encode(name);
  if (bytes.length > 255) {
    let chars = 0;
    for (const _ of name) chars++;
    if (chars > 255) throw new EncodeError(`atom of ${chars} characters (the limit is 255)`);
    const out = new Uint8Array(3 + bytes.length);
    out[0] = 118; // ATOM_UTF8
    out[1] = bytes.length >>> 8;
    out[2] = bytes.length;
    out.set(bytes, 3);
    return out;
  }
  const out = new Uint8Array(2 + bytes.length);
  out[0] = 119; // SMALL_ATOM_UTF8
  out[1] = bytes.length;
  out.set(bytes, 2);
  return out;
}

function encodeAtomV1(name: string): Uint8Array {
  let latin1 = true;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) > 255) latin1 = false;
  if (!latin1) return encodeAtom(name);
  const out = new Uint8Array(3 + name.length);
  out[0] = 100; // ATOM
  out[1] = name.length >>> 8;
  out[2] = name.length;
  for (let i = 0; i < name.length; i++) out[3 + i] = name.charCodeAt(i);
  return out;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'no prototype'})`;
  return `${typeof x} ${String(x)}`;
}

/** See TermWriter.atomRefs. */
export interface AtomRefs {
  ref(a: Atom): number;
}

export interface EncodeOptions {
  /**
   * 2 (default): all atoms UTF-8, like OTP 26+ and the dist wire. 1: latin-1 atoms as ATOM_EXT, like
   * OTP 25's default `term_to_binary/1` (and what older decoders such as erlpack understand).
   */
  minorVersion?: 1 | 2;
  /** Compress like `term_to_binary(T, [compressed])`: true is zlib level 6, or give 0..9. */
  compressed?: boolean | number;
}

/**
 * The writer behind `encode`: it writes each term straight into a shared 64 KiB slab and returns a
 * view of it (no copy), the next term going right after. `length` counts from the slab's start
 * (this class is not exported, so no caller sees that); `base` is where the current term starts.
 * A term that outgrows the slab moves, with what is written of it, to a buffer of its own; one
 * bigger than SLAB_MAX_PIECE keeps that buffer to itself, and the next term starts a new slab.
 */
class SlabWriter extends TermWriter {
  private base = 0;
  /** `buf.buffer`, kept: the typed-array accessor is slow. */
  private ab: ArrayBufferLike = this.buf.buffer;

  constructor() {
    super(SLAB_SIZE);
  }

  override reset(): void {
    this.length = this.base;
  }

  override take(): Uint8Array {
    const base = this.base;
    const end = this.length;
    const out = new Uint8Array(this.ab, base, end - base);
    const next = (end + 7) & ~7;
    if (end - base > SLAB_MAX_PIECE || next + SLAB_MAX_PIECE > this.buf.length) this.fresh(SLAB_SIZE);
    else this.length = this.base = next;
    return out;
  }

  override view(): Uint8Array {
    return this.buf.subarray(this.base, this.length);
  }

  protected override grow(need: number): void {
    // The term so far moves to the same offsets in a bigger buffer: positions kept while writing
    // (a fun's size field, patched at its end) stay right.
    const base = this.base;
    const end = this.length;
    let size = SLAB_SIZE;
    while (size < end + need) size *= 2;
    const old = this.buf.subarray(base, end);
    this.fresh(size);
    this.buf.set(old, base);
    this.base = base;
    this.length = end;
  }

  private fresh(size: number): void {
    // Not zero-filled (that memset is a visible share of encoding): every byte a result covers is
    // written before it is returned. As with Node's Buffer pool, the ArrayBuffer behind a result
    // (`out.buffer`) also holds other results and bytes not written yet.
    const raw = Buffer.allocUnsafeSlow(size);
    this.buf = new Uint8Array(raw.buffer, raw.byteOffset, size);
    this.ab = this.buf.buffer;
    this.dv = new DataView(this.ab);
    this.length = this.base = 0;
  }
}

const shared = new SlabWriter();

/** `term_to_binary(T, [{minor_version, 2}])`: the term with its 131 version byte. */
export function encode(x: Term, opts?: EncodeOptions): Uint8Array {
  const w = shared;
  w.reset();
  w.u8(VERSION);
  if (opts === undefined) {
    w.term(x);
    return w.take();
  }
  w.latin1Atoms = opts.minorVersion === 1;
  try {
    w.term(x);
  } finally {
    w.latin1Atoms = false;
  }
  if (opts.compressed !== undefined && opts.compressed !== false) {
    const level = opts.compressed === true ? 6 : opts.compressed;
    const plain = w.view().subarray(1);
    const packed = deflateSync(plain, { level });
    // OTP keeps the plain form when compressing does not make it smaller.
    if (packed.length + 5 < plain.length) {
      const out = new Uint8Array(6 + packed.length);
      out[0] = VERSION;
      out[1] = 80; // COMPRESSED
      new DataView(out.buffer).setUint32(2, plain.length);
      out.set(packed, 6);
      w.reset();
      return out;
    }
  }
  return w.take();
}

/** The term without a version byte (the form inside a dist frame after a 131,68 header). */
export function encodeNoVersion(x: Term): Uint8Array {
  const w = shared;
  w.reset();
  w.term(x);
  return w.take();
}

/** Append the term (no version byte) to `writer`, e.g. after a dist header written into the same writer. */
export function encodeTo(writer: TermWriter, x: Term): void {
  writer.term(x);
}
