/**
 * The atom table.
 *
 * Erlang never frees atoms, so a peer that sends a million distinct atoms exhausts the table. Here
 * every atom lives in one of two tiers:
 *   - pinned: atoms the program names itself via `atom('ok')`. They stay forever, like code literals.
 *   - weak:   atoms first seen while decoding. The table holds them through a WeakRef, and a
 *             FinalizationRegistry drops the entry once no term references the atom any more, so
 *             memory tracks the live terms, not the history of the connection.
 * Identity (`===`) is term equality for every atom that is alive, which is all that can be observed.
 * Calling `atom(name)` on a weak atom pins it.
 */

export class Atom {
  /** 32-bit hash of the name, used by ErlMap and by the decoder's atom cache. */
  readonly hash: number;
  /** @internal The encoded atom (tag, length, UTF-8 bytes), filled in by the encoder on first use. */
  encoded: Uint8Array | undefined = undefined;
  /** @internal The same for `minor_version` 1 (ATOM_EXT for latin-1 names). */
  encodedV1: Uint8Array | undefined = undefined;
  /** @internal Scratch for a writer's `atomRefs` hook (the distribution's atom cache slot); -1: unset. */
  refSlot = -1;
  private constructor(readonly name: string) {
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    this.hash = h >>> 0;
  }
  /** Erlang source form: `ok`, `'EXIT'`, `'hello world'`. */
  toString(): string {
    return formatAtomName(this.name);
  }
  /** The atom `name`, pinned (same as `atom(name)`). */
  static intern(name: string): Atom {
    return atom(name);
  }
  /** @internal Only the table calls this. */
  static create(name: string): Atom {
    return new Atom(name);
  }
}

const RESERVED = new Set([
  'after',
  'and',
  'andalso',
  'band',
  'begin',
  'bnot',
  'bor',
  'bsl',
  'bsr',
  'bxor',
  'case',
  'catch',
  'cond',
  'div',
  'end',
  'fun',
  'if',
  'let',
  'maybe',
  'not',
  'of',
  'or',
  'orelse',
  'receive',
  'rem',
  'try',
  'when',
  'xor',
]);

/** Quote an atom name the way `io:format("~p")` does for plain-ASCII names. */
export function formatAtomName(name: string): string {
  if (/^[a-z][a-zA-Z0-9_@]*$/.test(name) && !RESERVED.has(name)) return name;
  let out = "'";
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (ch === "'") out += "\\'";
    else if (ch === '\\') out += '\\\\';
    else if (c === 10) out += '\\n';
    else if (c === 9) out += '\\t';
    else if (c < 32 || c === 127) out += `\\${c.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

const pinned = new Map<string, Atom>();
const weak = new Map<string, WeakRef<Atom>>();
const collected = new FinalizationRegistry<string>((name) => {
  const ref = weak.get(name);
  if (ref !== undefined && ref.deref() === undefined) weak.delete(name);
});

/** The interned atom `name`, pinned for the life of the process. */
export function atom(name: string): Atom {
  const found = pinned.get(name);
  if (found !== undefined) return found;
  let a = weak.get(name)?.deref();
  if (a !== undefined) weak.delete(name);
  else a = Atom.create(name);
  pinned.set(name, a);
  return a;
}

/** The atom `name` as the decoder interns it: reclaimed when unused. */
export function weakAtom(name: string): Atom {
  const found = pinned.get(name);
  if (found !== undefined) return found;
  const ref = weak.get(name);
  if (ref !== undefined) {
    const a = ref.deref();
    if (a !== undefined) return a;
  }
  const a = Atom.create(name);
  weak.set(name, new WeakRef(a));
  collected.register(a, name);
  return a;
}

/** The atom if it already exists (pinned or alive), else undefined. Used by the `safe` decoder. */
export function existingAtom(name: string): Atom | undefined {
  return pinned.get(name) ?? weak.get(name)?.deref();
}

/** Sizes of the two tiers (weak entries may include atoms collected but not yet finalized). */
export function atomTableSize(): { pinned: number; weak: number } {
  return { pinned: pinned.size, weak: weak.size };
}
