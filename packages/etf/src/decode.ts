/**
 * ETF decoder. Every failure is a DecodeError carrying the input offset; lengths are checked against
 * the bytes actually present before anything is allocated, so a hostile 4-GiB length costs nothing.
 */
import { inflateSync } from 'node:zlib';
import { type Atom, existingAtom, weakAtom } from './atoms.ts';
import { Binary } from './binary.ts';
import { DecodeError, type DecodeErrorCode } from './errors.ts';
import { ErlMap } from './map.ts';
import { VERSION } from './tags.ts';
import { BitBinary, ErlFloat, ExportFun, ImproperList, OpaqueFun, Pid, Port, Ref, Tuple, type LocalFunFields, type Term } from './terms.ts';

export interface DecodeOptions {
  /** Refuse atoms that do not already exist (like `binary_to_term(B, [safe])`). */
  safe?: boolean;
  /**
   * A nesting limit, if you want one: deeper input is a `too_deep` DecodeError. Default: none. The
   * decoder does not recurse (its stack of open containers is on the heap, and every level of
   * nesting takes at least two input bytes), so any term OTP can build decodes.
   */
  maxDepth?: number;
  /**
   * A decoded binary is a `Binary`: a window on the input (no copy), the way OTP's `binary_to_term`
   * makes sub-binaries of its input. It keeps the whole input alive and shows any later change to
   * those bytes. Default false. `true` makes binaries windows on one private copy of the input range
   * instead (inputs up to 8 KiB are copied into shared 64 KiB slabs): use it when the caller reuses
   * or rewrites its buffer after decoding (a socket's receive buffer). To keep one small binary of
   * a big input without keeping the input, copy it: `copyBinary(b)`.
   */
  copyBinaries?: boolean;
  /** `decode` only: ignore bytes after the term, as `binary_to_term/1` does. Default false. */
  allowTrailing?: boolean;
  /** Largest inflated size accepted for a compressed term. Default 256 MiB. */
  maxInflatedSize?: number;
  /** Atoms for ATOM_CACHE_REF (tag 82), indexed as in the distribution header of this frame. */
  atomCache?: readonly Atom[];
}

const DEFAULT_MAX_INFLATED = 256 * 1024 * 1024;

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

// Direct-mapped cache of recently decoded ASCII atoms, keyed by their bytes. It skips building a
// string and hashing it for the atoms that recur in every message. It holds at most
// ATOM_CACHE_SLOTS atoms strongly, which bounds what it can keep alive.
const ATOM_CACHE_SLOTS = 1024;
const cachedAtomBytes: (Uint8Array | undefined)[] = new Array(ATOM_CACHE_SLOTS).fill(undefined);
const cachedAtoms: (Atom | undefined)[] = new Array(ATOM_CACHE_SLOTS).fill(undefined);

// Decoded binaries of small inputs point into these shared slabs (see Decoder.binaryView). A binary
// that is kept alive keeps its whole slab alive: at most COPY_SLAB_SIZE per retained binary.
const COPY_SLAB_SIZE = 64 * 1024;
const COPY_SLAB_MAX_PIECE = 8 * 1024;
let copySlab = new Uint8Array(COPY_SLAB_SIZE);
let copySlabUsed = 0;

/** Forget the decoder's recent-atom cache (tests use it to let atoms be collected). */
export function clearDecodedAtomCache(): void {
  cachedAtomBytes.fill(undefined);
  cachedAtoms.fill(undefined);
}

// What an open container on the explicit stack is waiting for (see Decoder.run).
const K_TUPLE = 0; // `left` more elements
const K_LIST = 1; // `left` more elements (the next at index `at`), then a tail
const K_TAIL = 2; // the tail of an improper list
const K_MAP = 3; // `left` more keys and values (a key when `left` is even)
const K_FUN = 4; // `left` more free variables of a local fun

/** Lists up to this length are allocated at their size (see case 108 in Decoder.walk). */
const LIST_PREALLOCATE = 16 * 1024;

/** A local fun whose free variables are still being decoded. */
interface FunHead extends Omit<LocalFunFields, 'freeVars'> {
  numFree: number;
  /** Where the fun's bytes end, by its size field. */
  stop: number;
}

/**
 * The explicit stack of open containers: one slot per nesting level, in parallel arrays that grow on
 * the heap, so nesting is bounded by the input (every level takes at least two bytes), never by the
 * JS call stack. Decodes never nest (a compressed term decodes its inflated bytes instead of the
 * outer ones), so one stack serves them all; `busy` guards that anyway. Slots are cleared as they
 * are popped, so the stack keeps no term alive, and a stack that grew past STACK_KEEP is dropped (so is one a failed decode left filled).
 */
class Stack {
  kinds: number[] = [];
  lefts: number[] = [];
  conts: (Term[] | ErlMap | undefined)[] = [];
  /** K_MAP: the key waiting for its value; K_FUN: the FunHead. */
  auxs: (Term | FunHead | undefined)[] = [];
  /** K_LIST: where the next element goes; K_MAP: the input offset of the current key (for duplicate_key); K_FUN: the fun's tag offset. */
  ats: number[] = [];
  busy = false;
}

const STACK_KEEP = 4096;
let shared = new Stack();

/**
 * The element array of a tuple of `n` elements, filled in place as they are decoded. Small ones are
 * array literals: exactly sized and PACKED in V8 (`new Array(n)` would be HOLEY, slower to read
 * later; pushing into `[]` over-allocates). The placeholders are all overwritten before use.
 */
const HOLE = undefined as unknown as Term;
const EMPTY = new Uint8Array(0);

/** The list of the `len` bytes at `b[q]` (a STRING_EXT), four at a time. */
function byteList(b: Uint8Array, q: number, len: number): number[] {
  const out = new Array<number>(len);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    out[i] = b[q + i];
    out[i + 1] = b[q + i + 1];
    out[i + 2] = b[q + i + 2];
    out[i + 3] = b[q + i + 3];
  }
  for (; i < len; i++) out[i] = b[q + i];
  return out;
}

function tupleSlots(n: number): Term[] {
  const u = HOLE;
  switch (n) {
    case 1:
      return [u];
    case 2:
      return [u, u];
    case 3:
      return [u, u, u];
    case 4:
      return [u, u, u, u];
    case 5:
      return [u, u, u, u, u];
    case 6:
      return [u, u, u, u, u, u];
    default: {
      const a: Term[] = [];
      for (let i = 0; i < n; i++) a.push(u);
      return a;
    }
  }
}

class Decoder {
  private readonly b: Uint8Array;
  p: number;
  private readonly start: number;
  private readonly end: number;
  private readonly maxDepth: number;
  private readonly safe: boolean;
  private readonly atomCache: readonly Atom[] | undefined;
  private readonly copyBinaries: boolean;
  /** Where decoded binaries point: the bytes, and the delta from input offsets to them. */
  private viewBytes: Uint8Array | undefined = undefined;
  private viewDelta = 0;
  /** Offset of `b` within the caller's input (non-zero for inflated compressed terms). */
  private readonly base: number;

  constructor(bytes: Uint8Array, start: number, end: number, opts: DecodeOptions | undefined, base = 0) {
    this.b = bytes;
    this.p = start;
    this.start = start;
    this.end = end;
    this.maxDepth = opts?.maxDepth ?? Number.POSITIVE_INFINITY;
    this.safe = opts?.safe === true;
    this.atomCache = opts?.atomCache;
    this.copyBinaries = opts?.copyBinaries === true;
    this.base = base;
  }

  fail(code: DecodeErrorCode, at: number, detail: string): never {
    throw new DecodeError(code, at + this.base, detail);
  }

  private need(n: number): void {
    if (this.p + n > this.end) this.fail('truncated', this.p, `need ${n} more bytes, have ${this.end - this.p}`);
  }

  /** A length field must fit in what is left of the input (each unit takes at least `unit` bytes). */
  private checkCount(count: number, unit: number, at: number): void {
    if (count * unit > this.end - this.p) this.fail('bad_length', at, `length ${count} is past the end of the input`);
  }

  private u16(): number {
    const b = this.b;
    const p = this.p;
    this.p = p + 2;
    return (b[p] << 8) | b[p + 1];
  }

  private u32(): number {
    const b = this.b;
    const p = this.p;
    this.p = p + 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }

  /** One term (see `walk`). */
  run(): Term {
    try {
      return this.walk();
    } catch (e) {
      // A failed decode leaves slots filled: drop that stack rather than clear it in the hot loop.
      shared = new Stack();
      throw e;
    }
  }

  /**
   * One term, without recursion: containers are opened on the explicit stack, and each finished
   * term is handed to the innermost open container, closing every container it completes.
   */
  private walk(): Term {
    let st = shared;
    if (st.busy) st = new Stack();
    st.busy = true;
    const kinds = st.kinds;
    const lefts = st.lefts;
    const conts = st.conts;
    const auxs = st.auxs;
    const ats = st.ats;
    const maxDepth = this.maxDepth;
    const b = this.b;
    const end = this.end;
    // The read position lives in `p`; `this.p` is synced around the helpers that read on their own.
    let p = this.p;
    let sp = 0;
    next: for (;;) {
      if (p >= end) this.fail('truncated', p, 'expected a term');
      const at = p;
      const tag = b[p++];
      let v: Term;
      switch (tag) {
        case 109: {
          // BINARY
          if (p + 4 > end) this.truncated(p, 4);
          const len = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
          p += 4;
          if (len > end - p) this.badLength(at, len);
          v = this.binaryWindow(p, len);
          p += len;
          break;
        }
        case 104: {
          // SMALL_TUPLE
          if (p >= end) this.truncated(p, 1);
          const n = b[p++];
          if (n > end - p) this.badLength(at, n);
          if (sp >= maxDepth) this.tooDeep(at);
          const elements = n === 2 ? [HOLE, HOLE] : tupleSlots(n);
          // Leading binaries, atoms, small integers and strings (the usual content of a small
          // tuple) are read here, without a stack slot; the slot, if any, is for the rest.
          let k = 0;
          while (k < n && p < end) {
            const t = b[p];
            if (t === 109) {
              // BINARY, as below
              if (p + 5 > end) break;
              const len = ((b[p + 1] << 24) | (b[p + 2] << 16) | (b[p + 3] << 8) | b[p + 4]) >>> 0;
              if (len > end - p - 5) break;
              elements[k++] = this.binaryWindow(p + 5, len);
              p += 5 + len;
            } else if (t === 119 || t === 97) {
              // SMALL_ATOM_UTF8, SMALL_INTEGER
              if (p + 2 > end) break;
              if (t === 97) {
                elements[k++] = b[p + 1];
                p += 2;
              } else {
                this.p = p + 1;
                elements[k++] = this.atomBody(t, p);
                p = this.p;
              }
            } else if (t === 107) {
              // STRING, as below
              if (p + 3 > end) break;
              const len = (b[p + 1] << 8) | b[p + 2];
              if (p + 3 + len > end) break;
              elements[k++] = byteList(b, p + 3, len);
              p += 3 + len;
            } else {
              break; // anything else (or a fault, reported by the main loop) takes the slow path
            }
          }
          if (k === n) {
            v = new Tuple(elements);
            break;
          }
          kinds[sp] = K_TUPLE;
          lefts[sp] = n - k;
          conts[sp] = elements;
          sp++;
          continue next;
        }
        case 119: // SMALL_ATOM_UTF8
        case 118: // ATOM_UTF8
        case 100: // ATOM (latin-1)
        case 115: // SMALL_ATOM (latin-1)
        case 82: // ATOM_CACHE_REF
          this.p = p;
          v = this.atomBody(tag, at);
          p = this.p;
          break;
        case 97: // SMALL_INTEGER
          if (p >= end) this.truncated(p, 1);
          v = b[p++];
          break;
        case 98: {
          // INTEGER
          if (p + 4 > end) this.truncated(p, 4);
          v = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
          p += 4;
          break;
        }
        case 106: // NIL
          v = [];
          break;
        case 108: {
          // LIST
          if (p + 4 > end) this.truncated(p, 4);
          const len = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
          p += 4;
          if (len > end - p) this.badLength(at, len);
          if (sp >= maxDepth) this.tooDeep(at);
          // Sized up front (growing by push costs three times as much for a list of 60); a long
          // one grows instead, as V8 would make `new Array(len)` a dictionary.
          const elements: Term[] = len <= LIST_PREALLOCATE ? new Array(len) : [];
          // Leading binaries, strings and small tuples of them (a header list, `[{Name, Value} |
          // ...]`) are read here, without a trip through the stack per element. A tuple that turns
          // out to hold anything else is left whole to the main loop, which reads it again (and
          // reports any fault in it).
          let k = 0;
          if (sp + 1 < maxDepth) {
            // What windows are on, set up at the first binary (with copyBinaries, that copies the input).
            let src = this.viewBytes;
            let d = this.viewDelta;
            while (k < len && p + 5 <= end) {
              const t = b[p];
              if (t === 109) {
                const l = ((b[p + 1] << 24) | (b[p + 2] << 16) | (b[p + 3] << 8) | b[p + 4]) >>> 0;
                if (l > end - p - 5) break;
                if (src === undefined) {
                  src = this.viewSource();
                  d = this.viewDelta;
                }
                elements[k] = new Binary(src, d + p + 5, l);
                p += 5 + l;
              } else if (t === 104 && p + 7 <= end && b[p + 1] === 2 && b[p + 2] === 109) {
                // {Binary, Binary}, checked field by field before anything is made of it
                const l1 = ((b[p + 3] << 24) | (b[p + 4] << 16) | (b[p + 5] << 8) | b[p + 6]) >>> 0;
                const q = p + 7 + l1;
                if (l1 > end - p - 7 || q + 5 > end || b[q] !== 109) break;
                const l2 = ((b[q + 1] << 24) | (b[q + 2] << 16) | (b[q + 3] << 8) | b[q + 4]) >>> 0;
                if (l2 > end - q - 5) break;
                if (src === undefined) {
                  src = this.viewSource();
                  d = this.viewDelta;
                }
                elements[k] = new Tuple([new Binary(src, d + p + 7, l1), new Binary(src, d + q + 5, l2)]);
                p = q + 5 + l2;
              } else if (t === 104) {
                const n = b[p + 1];
                const tuple = n === 2 ? [HOLE, HOLE] : tupleSlots(n);
                let q = p + 2;
                let j = 0;
                for (; j < n; j++) {
                  if (q + 3 > end) break;
                  const e = b[q];
                  if (e === 107) {
                    const l = (b[q + 1] << 8) | b[q + 2];
                    if (l > end - q - 3) break;
                    tuple[j] = byteList(b, q + 3, l);
                    q += 3 + l;
                    continue;
                  }
                  if (e !== 109 || q + 5 > end) break;
                  const l = ((b[q + 1] << 24) | (b[q + 2] << 16) | (b[q + 3] << 8) | b[q + 4]) >>> 0;
                  if (l > end - q - 5) break;
                  if (src === undefined) {
                    src = this.viewSource();
                    d = this.viewDelta;
                  }
                  tuple[j] = new Binary(src, d + q + 5, l);
                  q += 5 + l;
                }
                if (j !== n) break;
                elements[k] = new Tuple(tuple);
                p = q;
              } else if (t === 107) {
                const l = (b[p + 1] << 8) | b[p + 2];
                if (l > end - p - 3) break;
                elements[k] = byteList(b, p + 3, l);
                p += 3 + l;
              } else {
                break;
              }
              k++;
            }
          }
          kinds[sp] = K_LIST;
          lefts[sp] = len - k;
          conts[sp] = elements;
          ats[sp] = k;
          sp++;
          if (len !== k) continue next;
          this.p = p;
          const done = this.listTail(st, sp - 1, elements);
          p = this.p;
          if (done === undefined) continue next;
          sp--;
          conts[sp] = undefined;
          v = done;
          break;
        }
        case 107: {
          // STRING
          if (p + 2 > end) this.truncated(p, 2);
          const len = (b[p] << 8) | b[p + 1];
          p += 2;
          if (p + len > end) this.truncated(p, len);
          v = byteList(b, p, len);
          p += len;
          break;
        }
        case 116: {
          // MAP
          if (p + 4 > end) this.truncated(p, 4);
          const arity = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
          p += 4;
          if (2 * arity > end - p) this.badLength(at, arity);
          if (sp >= maxDepth) this.tooDeep(at);
          const m = new ErlMap();
          if (arity === 0) {
            m.decodedOrder = true;
            v = m;
            break;
          }
          kinds[sp] = K_MAP;
          lefts[sp] = 2 * arity;
          conts[sp] = m;
          ats[sp] = p;
          sp++;
          continue next;
        }
        case 105: {
          // LARGE_TUPLE
          if (p + 4 > end) this.truncated(p, 4);
          const n = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
          p += 4;
          if (n > end - p) this.badLength(at, n);
          if (sp >= maxDepth) this.tooDeep(at);
          if (n === 0) {
            v = new Tuple([]);
            break;
          }
          kinds[sp] = K_TUPLE;
          lefts[sp] = n;
          conts[sp] = tupleSlots(n);
          sp++;
          continue next;
        }
        case 112: {
          // NEW_FUN
          if (sp >= maxDepth) this.tooDeep(at);
          this.p = p;
          const head = this.funHead(at);
          p = this.p;
          if (head.numFree === 0) {
            v = this.closeFun(head, [], at);
            break;
          }
          kinds[sp] = K_FUN;
          lefts[sp] = head.numFree;
          conts[sp] = [];
          auxs[sp] = head;
          ats[sp] = at;
          sp++;
          continue next;
        }
        default:
          this.p = p;
          v = this.scalar(tag, at);
          p = this.p;
      }
      // Hand `v` to the innermost open container; each container it completes is handed on.
      while (sp !== 0) {
        const i = sp - 1;
        const kind = kinds[i];
        if (kind === K_TUPLE) {
          const elements = conts[i] as Term[];
          const left = lefts[i];
          elements[elements.length - left] = v;
          if (left !== 1) {
            lefts[i] = left - 1;
            continue next;
          }
          v = new Tuple(elements);
        } else if (kind === K_LIST) {
          const elements = conts[i] as Term[];
          const k = ats[i];
          elements[k] = v;
          ats[i] = k + 1;
          const left = lefts[i] - 1;
          lefts[i] = left;
          if (left !== 0) continue next;
          this.p = p;
          const done = this.listTail(st, i, elements);
          p = this.p;
          if (done === undefined) continue next;
          v = done;
        } else if (kind === K_MAP) {
          const left = lefts[i] - 1;
          lefts[i] = left;
          if ((left & 1) === 1) {
            auxs[i] = v; // a key: its value comes next
            continue next;
          }
          const m = conts[i] as ErlMap;
          if (!m.addNew(auxs[i] as Term, v)) this.fail('duplicate_key', ats[i], 'duplicate map key');
          auxs[i] = undefined;
          if (left !== 0) {
            ats[i] = p;
            continue next;
          }
          m.decodedOrder = true;
          v = m;
        } else if (kind === K_TAIL) {
          const elements = conts[i] as Term[];
          v = elements.length === 0 ? v : new ImproperList(elements, v);
        } else {
          // K_FUN
          const freeVars = conts[i] as Term[];
          freeVars.push(v);
          const left = lefts[i] - 1;
          lefts[i] = left;
          if (left !== 0) continue next;
          this.p = p;
          v = this.closeFun(auxs[i] as FunHead, freeVars, ats[i]);
          auxs[i] = undefined;
        }
        sp = i;
        conts[i] = undefined;
      }
      this.p = p;
      st.busy = false;
      if (kinds.length > STACK_KEEP && st === shared) shared = new Stack();
      return v;
    }
  }

  private truncated(at: number, n: number): never {
    return this.fail('truncated', at, `need ${n} more bytes, have ${this.end - at}`);
  }

  private badLength(at: number, count: number): never {
    return this.fail('bad_length', at, `length ${count} is past the end of the input`);
  }

  private tooDeep(at: number): never {
    return this.fail('too_deep', at, `nesting deeper than ${this.maxDepth}`);
  }

  /**
   * The list at stack slot `i` has read all the elements it announced: read its tail. NIL ends a
   * proper list, a STRING tail is appended, a LIST tail announces more elements (OTP accepts those
   * forms); anything else is the tail of an improper list, decoded as the next term. Returns the
   * finished list, or undefined when more terms must be read first.
   */
  private listTail(st: Stack, i: number, elements: Term[]): Term | undefined {
    const b = this.b;
    for (;;) {
      if (this.p >= this.end) this.fail('truncated', this.p, 'expected a list tail');
      const tailAt = this.p;
      const tag = b[tailAt];
      if (tag === 106) {
        this.p++;
        return elements;
      }
      if (tag === 107) {
        this.p++;
        this.need(2);
        const len = this.u16();
        this.need(len);
        const p = this.p;
        for (let k = 0; k < len; k++) elements.push(b[p + k]);
        this.p = p + len;
        return elements;
      }
      if (tag === 108) {
        this.p++;
        this.need(4);
        const len = this.u32();
        this.checkCount(len, 1, tailAt);
        if (len === 0) continue;
        st.lefts[i] = len;
        return undefined;
      }
      st.kinds[i] = K_TAIL;
      return undefined;
    }
  }

  /** Every tag that is not a container (the less frequent ones, kept out of run's loop). */
  private scalar(tag: number, at: number): Term {
    const b = this.b;
    switch (tag) {
      case 70: {
        // NEW_FLOAT
        this.need(8);
        const v = readFloat64(b, this.p);
        this.p += 8;
        return this.float(v, at);
      }
      case 110: {
        // SMALL_BIG
        this.need(2);
        const n = b[this.p++];
        return this.big(n, at);
      }
      case 111: {
        // LARGE_BIG
        this.need(5);
        const n = this.u32();
        return this.big(n, at);
      }
      case 77: {
        // BIT_BINARY
        this.need(5);
        const len = this.u32();
        const bits = b[this.p++];
        this.checkCount(len, 1, at);
        if (len === 0 && bits === 0) return new Binary(EMPTY);
        if (bits < 1 || bits > 8 || len === 0) this.fail('bad_value', at, `bit count ${bits} for ${len} bytes`);
        const p = this.p;
        this.p = p + len;
        const bytes = this.binaryWindow(p, len);
        return bits === 8 ? bytes : new BitBinary(bytes.bytes, bits);
      }
      case 88: // NEW_PID
      case 103: // PID (old)
        return this.pid(tag);
      case 90: // NEWER_REFERENCE
      case 114: {
        // NEW_REFERENCE (old)
        this.need(2);
        const len = this.u16();
        if (len < 1 || len > 5) this.fail('bad_length', at, `reference with ${len} words`);
        const node = this.atomField();
        this.need(tag === 90 ? 4 + 4 * len : 1 + 4 * len);
        const creation = tag === 90 ? this.u32() : b[this.p++];
        const ids: number[] = new Array(len);
        for (let i = 0; i < len; i++) ids[i] = this.u32();
        return new Ref(node, creation, ids);
      }
      case 101: {
        // REFERENCE (old)
        const node = this.atomField();
        this.need(5);
        const id = this.u32();
        return new Ref(node, b[this.p++], [id]);
      }
      case 89: {
        // NEW_PORT
        const node = this.atomField();
        this.need(8);
        return new Port(node, this.u32(), this.u32());
      }
      case 102: {
        // PORT (old)
        const node = this.atomField();
        this.need(5);
        return new Port(node, this.u32(), b[this.p++]);
      }
      case 120: {
        // V4_PORT
        const node = this.atomField();
        this.need(12);
        const hi = this.u32();
        const lo = this.u32();
        const id = hi < 0x200000 ? hi * 0x100000000 + lo : (BigInt(hi) << 32n) | BigInt(lo);
        return new Port(node, id, this.u32(), true);
      }
      case 113: {
        // EXPORT
        const module = this.atomField();
        const name = this.atomField();
        this.need(2);
        if (b[this.p] !== 97) this.fail('bad_value', this.p, 'export arity must be a SMALL_INTEGER');
        const arity = b[this.p + 1];
        this.p += 2;
        return new ExportFun(module, name, arity);
      }
      case 99: {
        // FLOAT (old, 31-byte text)
        this.need(31);
        let text = '';
        for (let i = 0; i < 31 && b[this.p + i] !== 0; i++) text += String.fromCharCode(b[this.p + i]);
        this.p += 31;
        if (!/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text)) this.fail('bad_float', at, `bad float text "${text}"`);
        return this.float(Number.parseFloat(text), at);
      }
      case 80:
        return this.fail('bad_tag', at, 'a compressed term is only allowed at the top level');
      case 117:
        return this.fail('bad_tag', at, 'FUN_EXT (tag 117) is obsolete');
      case 121:
        return this.fail('bad_tag', at, 'LOCAL_EXT (tag 121) is node-private');
      default:
        return this.fail('bad_tag', at, `unknown tag ${tag}`);
    }
  }

  private float(v: number, at: number): number | ErlFloat {
    if (!Number.isFinite(v)) this.fail('bad_float', at, `float ${v} is not an Erlang float`);
    return Number.isInteger(v) ? new ErlFloat(v) : v;
  }

  private pid(tag: number): Pid {
    const node = this.atomField();
    if (tag === 88) {
      this.need(12);
      return new Pid(node, this.u32(), this.u32(), this.u32());
    }
    this.need(9);
    return new Pid(node, this.u32(), this.u32(), this.b[this.p++]);
  }

  private binaryWindow(p: number, len: number): Binary {
    return new Binary(this.viewBytes ?? this.viewSource(), this.viewDelta + p, len);
  }

  /** The bytes binaries are windows on (set up at the first one), and `viewDelta`. */
  private viewSource(): Uint8Array {
    let src: Uint8Array;
    if (this.copyBinaries) {
      // One copy of the input range serves every binary in this decode. Small inputs are copied
      // into a shared slab, so a decode does not pay for allocating an ArrayBuffer of its own.
      const n = this.end - this.start;
      const input = new Uint8Array(this.b.buffer, this.b.byteOffset + this.start, n);
      if (n <= COPY_SLAB_MAX_PIECE) {
        if (copySlabUsed + n > COPY_SLAB_SIZE) {
          copySlab = new Uint8Array(COPY_SLAB_SIZE);
          copySlabUsed = 0;
        }
        copySlab.set(input, copySlabUsed);
        src = copySlab;
        this.viewDelta = copySlabUsed - this.start;
        copySlabUsed = (copySlabUsed + n + 7) & ~7;
      } else {
        src = input.slice();
        this.viewDelta = -this.start;
      }
    } else {
      src = this.b;
      this.viewDelta = 0;
    }
    this.viewBytes = src;
    return src;
  }

  private big(n: number, at: number): number | bigint {
    this.need(1);
    const sign = this.b[this.p++];
    if (sign > 1) this.fail('bad_value', at, `bignum sign byte ${sign}`);
    this.checkCount(n, 1, at);
    const b = this.b;
    const p = this.p;
    this.p = p + n;
    let top = n;
    while (top > 0 && b[p + top - 1] === 0) top--; // non-canonical leading zeros are accepted
    if (top <= 6) {
      let v = 0;
      for (let i = top - 1; i >= 0; i--) v = v * 256 + b[p + i];
      return sign === 0 || v === 0 ? v : -v;
    }
    let hex = '';
    for (let i = top - 1; i >= 0; i--) hex += HEX[b[p + i]];
    const mag = BigInt(`0x${hex}`);
    if (mag <= 9007199254740991n) return sign === 0 ? Number(mag) : -Number(mag);
    return sign === 0 ? mag : -mag;
  }

  private atomField(): Atom {
    if (this.p >= this.end) this.fail('truncated', this.p, 'expected an atom');
    const at = this.p;
    const tag = this.b[this.p++];
    if (tag !== 119 && tag !== 118 && tag !== 100 && tag !== 115 && tag !== 82) this.fail('bad_tag', at, `expected an atom, got tag ${tag}`);
    return this.atomBody(tag, at);
  }

  private atomBody(tag: number, at: number): Atom {
    const b = this.b;
    if (tag === 82) {
      this.need(1);
      const index = b[this.p++];
      const a = this.atomCache?.[index];
      if (a === undefined) this.fail('bad_atom', at, `atom cache reference ${index} is not in this frame's header`);
      return a;
    }
    let len: number;
    if (tag === 119 || tag === 115) {
      this.need(1);
      len = b[this.p++];
    } else {
      this.need(2);
      len = this.u16();
    }
    this.need(len);
    const p = this.p;
    this.p = p + len;
    const utf8 = tag === 119 || tag === 118;
    // The cache slot hashes the length and three of the bytes (the byte compare below settles it),
    // so a hit reads the name once; only a miss checks that it is ASCII.
    const h = len === 0 ? 0 : Math.imul(len, 0x9e3779b1) ^ b[p] ^ (b[p + (len >> 1)] << 8) ^ (b[p + len - 1] << 16);
    const slot = (h ^ (h >>> 13)) & (ATOM_CACHE_SLOTS - 1);
    const known = cachedAtomBytes[slot];
    if (known !== undefined && known.length === len) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (known[i] !== b[p + i]) {
          same = false;
          break;
        }
      }
      if (same) return cachedAtoms[slot]!;
    }
    let ascii = true;
    for (let i = 0; i < len; i++) {
      if (b[p + i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      if (len > 255) this.fail('bad_atom', at, `atom of ${len} characters (the limit is 255)`);
      const name = len <= 24 ? String.fromCharCode.apply(null, b.subarray(p, p + len) as unknown as number[]) : latin1.decode(b.subarray(p, p + len));
      const a = this.intern(name, at);
      cachedAtomBytes[slot] = copyOf(b, p, p + len);
      cachedAtoms[slot] = a;
      return a;
    }
    let name: string;
    if (utf8) {
      try {
        name = utf8Fatal.decode(b.subarray(p, p + len));
      } catch {
        return this.fail('bad_utf8', at, 'atom text is not valid UTF-8');
      }
      if (len > 255) {
        let chars = 0;
        for (const _ of name) chars++;
        if (chars > 255) this.fail('bad_atom', at, `atom of ${chars} characters (the limit is 255)`);
      }
    } else {
      if (len > 255) this.fail('bad_atom', at, `atom of ${len} characters (the limit is 255)`);
      name = latin1.decode(b.subarray(p, p + len));
    }
    return this.intern(name, at);
  }

  private intern(name: string, at: number): Atom {
    if (!this.safe) return weakAtom(name);
    const a = existingAtom(name);
    if (a === undefined) this.fail('unknown_atom', at, `atom '${name}' does not exist (safe mode)`);
    return a;
  }

  /** OldIndex and OldUniq of a local fun: an integer that fits a number (a leaf, read in place). */
  private funInt(): number {
    const at = this.p;
    if (at >= this.end) this.fail('truncated', at, 'expected a term');
    const tag = this.b[this.p++];
    let v: Term | undefined;
    if (tag === 97) {
      this.need(1);
      v = this.b[this.p++];
    } else if (tag === 98) {
      this.need(4);
      v = this.u32() | 0;
    } else if (tag === 110) {
      this.need(2);
      v = this.big(this.b[this.p++], at);
    } else if (tag === 111) {
      this.need(5);
      v = this.big(this.u32(), at);
    }
    if (typeof v !== 'number') return this.fail('bad_value', at, 'expected an integer');
    return v;
  }

  /** NEW_FUN up to its free variables: size, arity, uniq, index, NumFree, module, old index/uniq, pid. */
  private funHead(at: number): FunHead {
    this.need(4 + 1 + 16 + 4 + 4);
    const size = this.u32();
    if (size < 29 || size - 4 > this.end - this.p) this.fail('bad_length', at, `fun size ${size} is past the end of the input`);
    const b = this.b;
    const arity = b[this.p++];
    const uniq = copyOf(b, this.p, this.p + 16);
    this.p += 16;
    const index = this.u32();
    const numFree = this.u32();
    this.checkCount(numFree, 1, at);
    const module = this.atomField();
    const oldIndex = this.funInt();
    const oldUniq = this.funInt();
    const pidAt = this.p;
    if (pidAt >= this.end) this.fail('truncated', pidAt, 'expected a pid');
    const pidTag = b[pidAt];
    if (pidTag !== 88 && pidTag !== 103) this.fail('bad_value', pidAt, 'a fun needs a pid');
    this.p++;
    const pid = this.pid(pidTag);
    return { arity, uniq, index, numFree, module, oldIndex, oldUniq, pid, stop: at + 1 + size };
  }

  private closeFun(head: FunHead, freeVars: Term[], at: number): OpaqueFun {
    if (this.p !== head.stop) this.fail('bad_length', at, `fun size ${head.stop - at - 1} does not match its contents`);
    const { arity, uniq, index, module, oldIndex, oldUniq, pid } = head;
    return new OpaqueFun({ arity, uniq, index, module, oldIndex, oldUniq, pid, freeVars });
  }

  /** The compressed form after 131,80: inflate, then decode the inner term. */
  compressed(opts: DecodeOptions | undefined): Term {
    const at = this.p - 1;
    this.need(4);
    const size = this.u32();
    const limit = opts?.maxInflatedSize ?? DEFAULT_MAX_INFLATED;
    if (size > limit) this.fail('too_large', at, `compressed term claims ${size} bytes (limit ${limit})`);
    let inflated: Uint8Array;
    try {
      inflated = inflateSync(this.b.subarray(this.p, this.end), { maxOutputLength: Math.max(size, 1) });
    } catch (e) {
      return this.fail('bad_compressed', at, `zlib: ${(e as Error).message}`);
    }
    if (inflated.length !== size) this.fail('bad_compressed', at, `inflated to ${inflated.length} bytes, header says ${size}`);
    this.p = this.end;
    // The inflated bytes are the decoder's own: binaries are views into them, whatever copyBinaries says.
    const inner = new Decoder(inflated, 0, inflated.length, opts?.copyBinaries === true ? { ...opts, copyBinaries: false } : opts, 0);
    const term = inner.run();
    if (inner.p !== inflated.length) inner.fail('trailing_data', inner.p, 'bytes after the compressed term');
    return term;
  }
}

/**
 * A copy of a binary that shares no memory with it (a Buffer's own `slice()` is a view): keep a
 * small binary of a big decoded input this way without keeping the input alive.
 */
export function copyBinary(b: Binary): Binary {
  return new Binary(Uint8Array.prototype.slice.call(b.bytes));
}

/** A real copy even when `b` is a Buffer (whose slice() is a view). */
function copyOf(b: Uint8Array, start: number, end: number): Uint8Array {
  return Uint8Array.prototype.slice.call(b, start, end);
}

// A big-endian float64 is read through these 8 bytes: a DataView on the input would be one more
// object per decode.
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function readFloat64(b: Uint8Array, p: number): number {
  const out = F64_BYTES;
  if (LITTLE_ENDIAN) for (let i = 0; i < 8; i++) out[i] = b[p + 7 - i];
  else for (let i = 0; i < 8; i++) out[i] = b[p + i];
  return F64[0];
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

function checkRange(bytes: Uint8Array, offset: number, end: number): void {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decode: input must be a Uint8Array');
  if (!Number.isInteger(offset) || !Number.isInteger(end) || offset < 0 || end > bytes.length || offset > end) {
    throw new RangeError(`decode: bad range ${offset}..${end} of ${bytes.length} bytes`);
  }
}

/** `binary_to_term`: a term with its 131 version byte (plain or compressed). */
export function decode(bytes: Uint8Array, opts?: DecodeOptions): Term {
  checkRange(bytes, 0, bytes.length);
  const d = new Decoder(bytes, 0, bytes.length, opts);
  if (bytes.length === 0) d.fail('truncated', 0, 'empty input');
  if (bytes[0] !== VERSION) d.fail('bad_version', 0, `version byte ${bytes[0]}, expected 131`);
  d.p = 1;
  if (bytes.length > 1 && bytes[1] === 80) {
    d.p = 2;
    return d.compressed(opts);
  }
  const term = d.run();
  if (d.p !== bytes.length && opts?.allowTrailing !== true) d.fail('trailing_data', d.p, `${bytes.length - d.p} bytes after the term`);
  return term;
}

/** One term without a version byte at `offset` (a dist frame body). Returns it and where it ended. */
export function decodeAt(bytes: Uint8Array, offset: number, opts?: DecodeOptions): { term: Term; next: number } {
  checkRange(bytes, offset, bytes.length);
  const d = new Decoder(bytes, offset, bytes.length, opts);
  const term = d.run();
  return { term, next: d.p };
}

/** Every term (no version bytes) in `bytes[offset..end)`, back to back; one that overruns `end` fails. */
export function decodeMany(bytes: Uint8Array, offset = 0, end = bytes.length, opts?: DecodeOptions): Term[] {
  checkRange(bytes, offset, end);
  const d = new Decoder(bytes, offset, end, opts);
  const out: Term[] = [];
  while (d.p < end) out.push(d.run());
  return out;
}
