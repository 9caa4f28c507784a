/**
 * Process aliases (OTP 24+ `alias/1`, `unalias/1`, `monitor(process, P, [{alias, Mode}])`): a ref
 * owned by a process. A message sent to an active alias reaches the owner; once the alias is
 * deactivated (unalias, the owner's exit, the monitor going away, a `reply` alias used once) it is
 * dropped. gen calls rely on it so that a reply arriving after the caller gave up is lost.
 */
import { ImproperList, Ref, atom } from '@beamline/etf';
import { refKey } from '../basics/refs.ts';
import { DEAD, type Proc } from '../process/process.ts';

interface Alias {
  readonly owner: Proc;
  readonly ref: Ref;
  /** Deactivate on the first message delivered. */
  readonly reply: boolean;
  /** Tied to the monitor of the same ref (demonitor / reply_demonitor). */
  readonly monitor: boolean;
}

export class Aliases {
  private readonly table = new Map<string, Alias>();

  /**
   * @param creation the node incarnation whose aliases this table holds
   * @param dropMonitor removes the monitor of a `reply_demonitor` alias once its reply came
   */
  constructor(
    private readonly creation: () => number,
    private readonly dropMonitor: (owner: Proc, ref: Ref) => void,
  ) {}

  get size(): number {
    return this.table.size;
  }

  create(p: Proc, ref: Ref, reply: boolean, monitor: boolean): void {
    if (p.flags & DEAD) return;
    const key = refKey(ref);
    this.table.set(key, { owner: p, ref, reply, monitor });
    (p.aliases ??= new Set()).add(key);
  }

  /** unalias/1: only the owner can deactivate; returns whether the alias was active. */
  unalias(p: Proc, ref: Ref): boolean {
    const key = refKey(ref);
    const a = this.table.get(key);
    if (a === undefined || a.owner !== p) return false;
    this.table.delete(key);
    p.aliases?.delete(key);
    return true;
  }

  /** A message to a local alias: delivered while active, else dropped (returns false). */
  send(ref: Ref, msg: unknown): boolean {
    if (this.table.size === 0 || ref.creation !== this.creation()) return false;
    const key = refKey(ref);
    const a = this.table.get(key);
    if (a === undefined) return false;
    const p = a.owner;
    if (a.reply) {
      this.table.delete(key);
      p.aliases?.delete(key);
      if (a.monitor) this.dropMonitor(p, a.ref);
    }
    p.deliver(msg);
    return true;
  }

  /** `p` exits: its aliases die with it. */
  exiting(p: Proc): void {
    const keys = p.aliases;
    if (keys === null) return;
    p.aliases = null;
    for (const key of keys) this.table.delete(key);
  }
}

const A_ALIAS = atom('alias');

/** The gen call tag `[alias|Ref]`. */
export function aliasTag(ref: Ref): ImproperList {
  return new ImproperList([A_ALIAS], ref);
}

/** `[alias|Ref]` or `[[alias|Ref]|_]` → Ref (the tags gen:reply sends to the alias); else undefined. */
export function tagAlias(tag: unknown): Ref | undefined {
  if (Array.isArray(tag)) return tag.length >= 1 && tag[0] instanceof ImproperList ? tagAlias(tag[0]) : undefined;
  if (!(tag instanceof ImproperList)) return undefined;
  const e = tag.elements;
  if (e.length === 1 && e[0] === A_ALIAS && tag.tail instanceof Ref) return tag.tail;
  if (e.length >= 1 && e[0] instanceof ImproperList) return tagAlias(e[0]);
  return undefined;
}
