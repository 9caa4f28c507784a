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
 *   binary          -> Uint8Array (a JS string encodes as a UTF-8 binary)
 *   bitstring       -> BitBinary
 *   map             -> ErlMap
 *   pid / ref / port-> Pid / Ref / Port
 *   fun             -> ExportFun (fun M:F/A) or OpaqueFun (kept as raw bytes)
 */

export class Atom {
  /** Use `atom(name)`; atoms are interned so `===` is term equality. */
  private constructor(readonly name: string) {}
  toString(): string {
    return /^[a-z][a-zA-Z0-9_@]*$/.test(this.name) ? this.name : `'${this.name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }
  /** @internal */
  static intern(name: string): Atom {
    let a = atomTable.get(name);
    if (a === undefined) {
      a = new Atom(name);
      atomTable.set(name, a);
    }
    return a;
  }
}
const atomTable = new Map<string, Atom>();

export function atom(name: string): Atom {
  return Atom.intern(name);
}

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

export class ImproperList {
  constructor(readonly elements: Term[], readonly tail: Term) {}
}

/** A float whose value is integral (1.0, -0.0): a plain JS number would encode as an integer. */
export class ErlFloat {
  constructor(readonly value: number) {}
}

export class BitBinary {
  /** `bits` is the number of used bits in the last byte, 1..8. */
  constructor(readonly bytes: Uint8Array, readonly bits: number) {}
}

export class Pid {
  constructor(
    readonly node: Atom,
    readonly id: number,
    readonly serial: number,
    readonly creation: number,
  ) {}
  toString(): string {
    return `<${this.node === localNode.name ? 0 : this.node.name}.${this.id}.${this.serial}>`;
  }
}

export class Ref {
  /** `ids` are the u32 words in wire order. */
  constructor(
    readonly node: Atom,
    readonly creation: number,
    readonly ids: readonly number[],
  ) {}
  toString(): string {
    const words = [...this.ids].reverse().join('.');
    return `#Ref<${this.node === localNode.name ? 0 : this.node.name}.${words}>`;
  }
}

export class Port {
  constructor(
    readonly node: Atom,
    readonly id: bigint | number,
    readonly creation: number,
  ) {}
  toString(): string {
    return `#Port<${this.node === localNode.name ? 0 : this.node.name}.${this.id}>`;
  }
}

export class ExportFun {
  constructor(readonly module: Atom, readonly name: Atom, readonly arity: number) {}
}

/** A local fun (NEW_FUN_EXT): not callable here, kept byte-exact so it can be forwarded. */
export class OpaqueFun {
  constructor(readonly raw: Uint8Array) {}
}

/**
 * The local node's identity as pids print it (`<0.42.0>` is local). The runtime updates it when
 * a node becomes alive; until then it is `nonode@nohost`.
 */
export const localNode: { name: Atom; creation: number } = { name: atom('nonode@nohost'), creation: 0 };

export type Term =
  | Atom
  | number
  | bigint
  | ErlFloat
  | string
  | Uint8Array
  | BitBinary
  | Tuple
  | Term[]
  | ImproperList
  | ErlMap
  | Pid
  | Ref
  | Port
  | ExportFun
  | OpaqueFun;

// ErlMap is defined in map.ts (structural keys); imported here for the Term union only.
import type { ErlMap } from './map.ts';
