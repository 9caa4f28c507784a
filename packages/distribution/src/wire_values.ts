/**
 * What a JS value becomes when it crosses the wire (README "What crosses the wire"). Inside one
 * runtime a message is passed by reference and may be anything; a message to another node must be
 * an Erlang term. Values of the term model (@beamline/etf) go as they are; the other JS values are
 * mapped here, once, on the way out:
 *
 *   true / false          -> true / false            (atoms)
 *   undefined             -> undefined               (atom; also an array hole)
 *   null                  -> null                    (atom, as OTP 27's json module, jiffy and jsx)
 *   plain object          -> map, binary keys        (own enumerable string keys; symbol keys skipped)
 *   Map                   -> map                     (keys and values mapped)
 *   Set                   -> list                    (insertion order)
 *   Date                  -> <<"2024-05-01T12:00:00.000Z">>   (ISO 8601, UTC: JSON's form)
 *   Error                 -> {js_error, <<"Name: message">>}
 *   an object with toJSON -> what toJSON() returns, mapped (as JSON.stringify; an xstate snapshot)
 *   other class instances -> {'$js', <<"ClassName">>}  (opaque: its fields do not cross)
 *   function, symbol, NaN, ±Infinity, a cycle, an invalid Date -> NotEncodableError
 *
 * The rule of thumb: a JSON-able value becomes what OTP 27's `json:decode(JSON.stringify(V))` gives.
 * The walk is copy-on-write: a subtree that is already a term is kept as is (so a map that came
 * from the decoder keeps its byte-exact order).
 */
import {
  Atom,
  Binary,
  BitBinary,
  EncodedTerm,
  ErlFloat,
  ErlMap,
  ExportFun,
  ImproperList,
  OpaqueFun,
  Pid,
  Port,
  Ref,
  Tuple,
  atom,
  t,
  type Term,
} from '@beamline/etf';
import { ErlangError } from '@beamline/core';

/** Why a value has no Erlang form. */
export type NotEncodableKind = 'function' | 'symbol' | 'nan' | 'infinity' | 'cycle' | 'too_deep' | 'invalid_date' | 'invalid_term';

const A_NOT_ENCODABLE = atom('not_encodable');

/**
 * A JS value that cannot cross the wire. An Erlang `error` (core's ErlangError) whose reason is
 * `{not_encodable, Kind, Path}`: `Kind` one of `NotEncodableKind` as an atom, `Path` a binary
 * naming where the value sits in what was sent (`$` is the message itself, `$.a[2]` a path into
 * it, JS style; a gen reply is `{Tag, Reply}`, so the reply is `$[1]`).
 */
export class NotEncodableError extends ErlangError {
  constructor(
    readonly kind: NotEncodableKind,
    readonly path: string,
    readonly detail: string,
  ) {
    super(t(A_NOT_ENCODABLE, atom(kind), path), `not encodable as an Erlang term: ${detail} at ${path}`);
    this.name = 'NotEncodableError';
  }
}

/** Nesting deeper than this is refused (`too_deep`) rather than risking the JS stack. */
export const MAX_WIRE_DEPTH = 2000;

const A_TRUE = atom('true');
const A_FALSE = atom('false');
const A_UNDEFINED = atom('undefined');
const A_NULL = atom('null');
const A_JS = atom('$js');
const A_JS_ERROR = atom('js_error');

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * `value` as an Erlang term by the mapping above; the same object when it already is one.
 * Throws NotEncodableError for a value with no Erlang form.
 */
export function toWireTerm(value: unknown): Term {
  const w = new Walk();
  try {
    return w.term(value, 0);
  } catch (e) {
    // a stack overflow before MAX_WIRE_DEPTH (a small stack): the same answer
    if (e instanceof RangeError) throw w.fail('too_deep', 'nesting too deep for the JS stack');
    throw e;
  }
}

/** An Error as a term: `{js_error, <<"Name: message">>}` (exit reasons use it too). */
export function jsErrorTerm(e: Error): Tuple {
  return t(A_JS_ERROR, `${e.name}: ${e.message}`);
}

/** The name an opaque `{'$js', Name}` carries. */
function className(x: object): string {
  const ctor = (Object.getPrototypeOf(x) as { constructor?: { name?: unknown } } | null)?.constructor;
  const name = typeof ctor?.name === 'string' ? ctor.name : '';
  return name === '' ? 'anonymous' : name;
}

function keyLabel(k: unknown, i: number): string {
  if (typeof k === 'string') return JSON.stringify(k);
  if (typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean') return String(k);
  if (k instanceof Atom) return k.name;
  return `#${i}`;
}

class Walk {
  /** Path segments from the top (`.a`, `[2]`), for the error. */
  private readonly path: string[] = [];
  /** Containers on the current path: meeting one again is a cycle. */
  private readonly open = new Set<object>();

  fail(kind: NotEncodableKind, detail: string): NotEncodableError {
    return new NotEncodableError(kind, `$${this.path.join('')}`, detail);
  }

  term(x: unknown, depth: number): Term {
    switch (typeof x) {
      case 'string':
      case 'bigint':
        return x;
      case 'number':
        if (Number.isFinite(x)) return x;
        throw this.fail(Number.isNaN(x) ? 'nan' : 'infinity', String(x));
      case 'boolean':
        return x ? A_TRUE : A_FALSE;
      case 'undefined':
        return A_UNDEFINED;
      case 'symbol':
        throw this.fail('symbol', `a symbol (${x.toString()})`);
      case 'function':
        throw this.fail('function', `a function (${x.name === '' ? 'anonymous' : x.name})`);
    }
    if (x === null) return A_NULL;
    const o = x as object;
    if (
      o instanceof Atom ||
      o instanceof Binary ||
      o instanceof Uint8Array ||
      o instanceof Pid ||
      o instanceof Ref ||
      o instanceof ErlFloat ||
      o instanceof BitBinary ||
      o instanceof Port ||
      o instanceof ExportFun ||
      o instanceof OpaqueFun ||
      o instanceof EncodedTerm // pre-encoded for the wire: the encoder copies it
    )
      return o as Term;
    if (depth >= MAX_WIRE_DEPTH) throw this.fail('too_deep', `nesting deeper than ${MAX_WIRE_DEPTH}`);
    if (this.open.has(o)) throw this.fail('cycle', `a reference back to a ${className(o)} being sent`);
    this.open.add(o);
    try {
      return this.container(o, depth + 1);
    } finally {
      this.open.delete(o);
    }
  }

  private at<T>(segment: string, fn: () => T): T {
    this.path.push(segment);
    const r = fn();
    this.path.pop();
    return r;
  }

  private container(o: object, depth: number): Term {
    if (Array.isArray(o)) return this.list(o, depth);
    if (o instanceof Tuple) {
      const els = this.list(o.elements, depth);
      return els === o.elements ? o : new Tuple(els);
    }
    if (o instanceof ErlMap) return this.erlMap(o, depth);
    if (o instanceof ImproperList) {
      const els = this.list(o.elements, depth);
      const tail = this.at('.tail', () => this.term(o.tail, depth));
      return els === o.elements && tail === o.tail ? o : new ImproperList(els, tail);
    }
    // what JSON.stringify would send (an xstate snapshot, a URL, a decimal, ...); Date keeps its own check below
    const toJSON = (o as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function' && !(o instanceof Date)) return this.at('.toJSON()', () => this.term(toJSON.call(o, ''), depth));
    const proto = Object.getPrototypeOf(o) as object | null;
    if (proto === Object.prototype || proto === null) return this.object(o as Record<string, unknown>, depth);
    if (o instanceof Map) return this.jsMap(o, depth);
    if (o instanceof Set) return this.at('.values()', () => this.list([...o], depth));
    if (o instanceof Date) {
      if (Number.isNaN(o.getTime())) throw this.fail('invalid_date', 'an invalid Date');
      return o.toISOString();
    }
    if (o instanceof Error) return jsErrorTerm(o);
    return t(A_JS, className(o));
  }

  /** Copy-on-write: the same array when every element already is a term. */
  private list(xs: readonly unknown[], depth: number): Term[] {
    let out: Term[] | undefined;
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i];
      this.path.push(`[${i}]`);
      const c = this.term(v, depth);
      this.path.pop();
      if (out === undefined && c !== v) out = xs.slice(0, i) as Term[];
      if (out !== undefined) out.push(c);
    }
    return out ?? (xs as Term[]);
  }

  private object(o: Record<string, unknown>, depth: number): ErlMap {
    const m = new ErlMap();
    for (const k of Object.keys(o)) {
      m.set(
        k,
        this.at(IDENT.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`, () => this.term(o[k], depth)),
      );
    }
    return m;
  }

  private erlMap(m: ErlMap, depth: number): ErlMap {
    let changed = false;
    const pairs: [Term, Term][] = [];
    for (let i = 0; i < m.size; i++) {
      const k0 = m.keyAt(i);
      const v0 = m.valueAt(i);
      const k = this.at(`.keys()[${i}]`, () => this.term(k0, depth));
      const v = this.at(`[${keyLabel(k0, i)}]`, () => this.term(v0, depth));
      if (k !== k0 || v !== v0) changed = true;
      pairs.push([k, v]);
    }
    return changed ? new ErlMap(pairs) : m;
  }

  private jsMap(m: Map<unknown, unknown>, depth: number): ErlMap {
    const out = new ErlMap();
    let i = 0;
    for (const [k0, v0] of m) {
      const k = this.at(`.keys()[${i}]`, () => this.term(k0, depth));
      out.set(
        k,
        this.at(`.get(${keyLabel(k0, i)})`, () => this.term(v0, depth)),
      );
      i++;
    }
    return out;
  }
}
