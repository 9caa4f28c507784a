/**
 * Event-type and CUSTOM-subclass subscriptions (spec §1.4–§1.7, also the per-call set of
 * §1.17–§1.20). Pure: atoms in, set changes out.
 *
 * Names resolve as switch_name_event (any case, the 13-character suffix rule); unknown names are
 * ignored; once CUSTOM is met every later atom is a subclass name.
 */
import type { Atom } from '@beamline/etf';
import { EVENT_NAMES, type SwitchEvent, nameEvent } from '@beamline/switch';

export class Subscription {
  /** The type bits, ALL included as its own bit (as the original's `event_list[ALL]`). */
  readonly types = new Set<string>();
  readonly subclasses = new Set<string>();

  get all(): boolean {
    return this.types.has('ALL');
  }

  get empty(): boolean {
    return this.types.size === 0 && this.subclasses.size === 0;
  }

  clear(): void {
    this.types.clear();
    this.subclasses.clear();
  }

  /** `{event, ...}`: add (union). */
  add(atoms: readonly Atom[]): void {
    let custom = false;
    for (const a of atoms) {
      if (custom) {
        this.subclasses.add(a.name);
        continue;
      }
      const type = nameEvent(a.name);
      if (type === undefined) continue;
      if (type === 'ALL') for (const n of EVENT_NAMES) this.types.add(n);
      else this.types.add(type);
      if (type === 'CUSTOM') custom = true;
    }
  }

  /**
   * `{nixevent, ...}`: ALL clears every bit (subclasses stay); CUSTOM only enters subclass mode
   * (its bit stays); another type first expands ALL into the individual bits.
   */
  remove(atoms: readonly Atom[]): void {
    let custom = false;
    for (const a of atoms) {
      if (custom) {
        this.subclasses.delete(a.name);
        continue;
      }
      const type = nameEvent(a.name);
      if (type === undefined) continue;
      if (type === 'ALL') this.types.clear();
      else if (type === 'CUSTOM') custom = true;
      else {
        if (this.types.has('ALL')) {
          this.types.delete('ALL');
          for (const n of EVENT_NAMES) if (n !== 'ALL') this.types.add(n);
        }
        this.types.delete(type);
      }
    }
  }

  /**
   * `{setevent, ...}`: a fresh set from the atoms; ALL is refused. Returns the set built from the
   * atoms before the first ALL and whether an ALL stopped it (the original installs that partial set).
   */
  static build(atoms: readonly Atom[]): { set: Subscription; sawAll: boolean } {
    const set = new Subscription();
    let custom = false;
    for (const a of atoms) {
      if (custom) {
        set.subclasses.add(a.name);
        continue;
      }
      const type = nameEvent(a.name);
      if (type === undefined) continue;
      if (type === 'ALL') return { set, sawAll: true };
      set.types.add(type);
      if (type === 'CUSTOM') custom = true;
    }
    return { set, sawAll: false };
  }

  replaceWith(other: Subscription): void {
    this.clear();
    for (const x of other.types) this.types.add(x);
    for (const x of other.subclasses) this.subclasses.add(x);
  }

  /**
   * The delivery rule: ALL → yes; else the type bit, except a CUSTOM event whose subclass is not
   * subscribed (a CUSTOM event without a subclass passes).
   */
  wants(e: SwitchEvent): boolean {
    if (this.types.has('ALL')) return true;
    if (!this.types.has(e.type)) return false;
    if (e.type === 'CUSTOM' && e.subclass !== undefined && e.subclass !== '') return this.subclasses.has(e.subclass);
    return true;
  }
}
