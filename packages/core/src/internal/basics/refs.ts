/** Reference and pid helpers: structural equality and map keys (wire-decoded terms are new objects). */
import { Pid, Ref, type Atom } from '@beamline/etf';

/** A key that is equal for equal references (`make_ref()` identity, not object identity). */
export function refKey(ref: Ref): string {
  const ids = ref.ids;
  let s = `${ref.node.name}|${ref.creation}`;
  for (let i = 0; i < ids.length; i++) s += `.${ids[i]}`;
  return s;
}

export function refEquals(a: unknown, b: Ref): boolean {
  if (a === b) return true;
  if (!(a instanceof Ref) || a.node !== b.node || a.creation !== b.creation || a.ids.length !== b.ids.length) return false;
  for (let i = 0; i < a.ids.length; i++) if (a.ids[i] !== b.ids[i]) return false;
  return true;
}

export function pidKey(pid: Pid): string {
  return `${pid.node.name}|${pid.creation}.${pid.id}.${pid.serial}`;
}

export function pidEquals(a: unknown, b: Pid): boolean {
  return a === b || (a instanceof Pid && a.id === b.id && a.serial === b.serial && a.node === b.node && a.creation === b.creation);
}

/** Makes references for one node incarnation: 3 words like Erlang's (18 bits, 32, 32). */
export class RefMaker {
  private counter = 0;
  private readonly salt = (Math.random() * 0x100000000) >>> 0;
  constructor(
    public node: Atom,
    public creation: number,
  ) {}
  make(): Ref {
    const c = ++this.counter;
    return new Ref(this.node, this.creation, [c & 0x3ffff, Math.floor(c / 0x40000) >>> 0, this.salt]);
  }
}
