/**
 * The Erlang term model shared by every beamline package.
 *
 * JS mapping (one convention, used everywhere):
 *   atom            -> Atom (interned: `atom('ok') === atom('ok')`)
 *   integer         -> number when safe, bigint beyond Number.MAX_SAFE_INTEGER
 *   float           -> number when not integral; ErlFloat for integral floats (1.0, -0.0)
 *   tuple           -> Tuple
 *   proper list     -> Term[] (a charlist is a number[] of code points)
 *   improper list   -> ImproperList
 *   binary          -> Binary (binary.ts); a Uint8Array, or a JS string as UTF-8, also encodes as one
 *   bitstring       -> BitBinary
 *   map             -> ErlMap (map.ts; the union names it by its base, MapTerm<Term>)
 *   pid / ref / port-> Pid / Ref / Port
 *   fun             -> ExportFun (fun M:F/A) or OpaqueFun (a local fun, fields kept for re-encoding)
 */
import { Atom, atom, formatAtomName } from './atoms.ts';
import { Binary } from './binary.ts';
import { MapTerm } from './map_term.ts';

export { Atom, atom, Binary, formatAtomName, MapTerm };

export class Tuple {
  readonly elements: Term[];
  constructor(elements: Term[]) {
    this.elements = elements;
  }
  get size(): number {
    return this.elements.length;
  }
  get(i: number): Term {
    return this.elements[i];
  }
}

/** Build a tuple: `t(atom('ok'), 42)`. */
export function t(...elements: Term[]): Tuple {
  return new Tuple(elements);
}

/** `[e1, e2, ... | tail]` where tail is not a proper list. */
export class ImproperList {
  constructor(
    readonly elements: Term[],
    readonly tail: Term,
  ) {}
}

/**
 * A float. Needed for integral values (1.0, -0.0, 1e300): as a plain JS number they would encode
 * as integers. The decoder returns ErlFloat only for integral floats; other floats are numbers.
 */
export class ErlFloat {
  constructor(readonly value: number) {}
}

/** Build a float term from any number: `float(1)` is `1.0`. */
export function float(value: number): ErlFloat | number {
  return Number.isInteger(value) || Object.is(value, -0) ? new ErlFloat(value) : value;
}

export class BitBinary {
  /** `bits` is the number of used bits in the last byte, 1..8 (MSB first). */
  constructor(
    readonly bytes: Uint8Array,
    readonly bits: number,
  ) {}
  /** Length in bits. */
  get bitLength(): number {
    return this.bytes.length === 0 ? 0 : (this.bytes.length - 1) * 8 + this.bits;
  }
}

/**
 * The node part of a printed pid, ref or port. Erlang prints `0` for the local node and, for a
 * remote one, an index into its node table (`<5249.84.0>`), meaningless outside that node. A
 * term here has no node table and no notion of "local" (several runtimes, each its own node, can
 * share one JS process), so it prints the node's name as an atom (`<ts@localhost.84.0>`,
 * `<'a@h.example.com'.84.0>`), and `0` only when the caller names the local node: `format(pid,
 * { localNode })` or `pid.format(localNode)`. The creation is not printed, as in Erlang.
 */
function nodeLabel(node: Atom, localNode: Atom | string | undefined): string {
  if (localNode !== undefined && node.name === (typeof localNode === 'string' ? localNode : localNode.name)) return '0';
  return formatAtomName(node.name);
}

export class Pid {
  constructor(
    readonly node: Atom,
    readonly id: number,
    readonly serial: number,
    readonly creation: number,
  ) {}
  /** `<0.N.S>` when `localNode` is this pid's node, else `<Node.N.S>` (see `nodeLabel`). */
  format(localNode?: Atom | string): string {
    return `<${nodeLabel(this.node, localNode)}.${this.id}.${this.serial}>`;
  }
  /** The node-qualified form, `<Node.N.S>`: a pid alone does not know which node is local. */
  toString(): string {
    return this.format();
  }
}

export class Ref {
  /** `ids` are the u32 words in wire order. */
  constructor(
    readonly node: Atom,
    readonly creation: number,
    readonly ids: readonly number[],
  ) {}
  /** `#Ref<0.W3.W2.W1>` when `localNode` is this ref's node, else `#Ref<Node.W3.W2.W1>`. */
  format(localNode?: Atom | string): string {
    const words = [...this.ids].reverse().join('.');
    return `#Ref<${nodeLabel(this.node, localNode)}.${words}>`;
  }
  /** The node-qualified form, `#Ref<Node.W3.W2.W1>`. */
  toString(): string {
    return this.format();
  }
}

export class Port {
  /**
   * `v4` records that the port came as V4_PORT_EXT (OTP 26+ `term_to_binary` always uses it), so it
   * re-encodes the same way; ids over 32 bits always use V4_PORT_EXT.
   */
  constructor(
    readonly node: Atom,
    readonly id: bigint | number,
    readonly creation: number,
    readonly v4: boolean = false,
  ) {}
  /** `#Port<0.N>` when `localNode` is this port's node, else `#Port<Node.N>`. */
  format(localNode?: Atom | string): string {
    return `#Port<${nodeLabel(this.node, localNode)}.${this.id}>`;
  }
  /** The node-qualified form, `#Port<Node.N>`. */
  toString(): string {
    return this.format();
  }
}

/** `fun Module:Name/Arity`. */
export class ExportFun {
  constructor(
    readonly module: Atom,
    readonly name: Atom,
    readonly arity: number,
  ) {}
}

/** The parts of a NEW_FUN_EXT, in wire order. */
export interface LocalFunFields {
  arity: number;
  /** 16 bytes, the MD5 of the module. */
  uniq: Uint8Array;
  index: number;
  module: Atom;
  oldIndex: number;
  oldUniq: number;
  pid: Pid;
  freeVars: Term[];
}

/**
 * A local fun (NEW_FUN_EXT). Not callable here; kept field by field so it re-encodes byte-exact
 * (including inside dist frames, where atoms may have come from the atom cache).
 */
export class OpaqueFun {
  constructor(readonly fun: LocalFunFields) {}
  get module(): Atom {
    return this.fun.module;
  }
  get arity(): number {
    return this.fun.arity;
  }
}

export type Term =
  | Atom
  | number
  | bigint
  | ErlFloat
  | string
  | Binary
  | Uint8Array
  | BitBinary
  | Tuple
  | Term[]
  | ImproperList
  | MapTerm<Term>
  | Pid
  | Ref
  | Port
  | ExportFun
  | OpaqueFun;

/** A charlist (Erlang string): the list of the string's code points. */
export function charlist(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i)!;
    out.push(c);
    if (c > 0xffff) i++;
  }
  return out;
}

/** A binary of `s` as UTF-8 (what a JS string encodes to anyway), or of a copy of `bytes`. */
export function binary(x: string | Uint8Array): Binary {
  return Binary.from(x);
}
