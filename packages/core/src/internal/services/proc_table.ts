/**
 * The process table: pid id -> process, as a dense array (a send is one array load). Ids of dead
 * processes are reused oldest-first, and only once many are free, with the serial bumped, so a
 * stale pid never reaches a new process (as Erlang reuses pid indexes with a new serial).
 */
import type { Proc } from '../process/process.ts';

/** Freed ids wait in a FIFO until this many are free before one is reused. */
const REUSE_AFTER = 4096;

export class ProcTable {
  private slots: (Proc | undefined)[] = [undefined]; // id 0 is the init pid
  private freeIds: number[] = [];
  private freeSerials: number[] = [];
  private freeHead = 0;
  size = 0;

  /** Reserve an id; returns it and writes its serial to `serialOut[0]`. */
  alloc(serialOut: number[]): number {
    if (this.freeIds.length - this.freeHead > REUSE_AFTER) {
      const id = this.freeIds[this.freeHead];
      serialOut[0] = this.freeSerials[this.freeHead];
      this.freeHead++;
      if (this.freeHead > 65536 && this.freeHead * 2 > this.freeIds.length) {
        this.freeIds = this.freeIds.slice(this.freeHead);
        this.freeSerials = this.freeSerials.slice(this.freeHead);
        this.freeHead = 0;
      }
      return id;
    }
    serialOut[0] = 0;
    const id = this.slots.length;
    this.slots.push(undefined);
    return id;
  }

  set(id: number, p: Proc): void {
    this.slots[id] = p;
    this.size++;
  }

  get(id: number): Proc | undefined {
    return this.slots[id];
  }

  /** Free the slot of `p` (its id becomes reusable with the next serial). */
  delete(p: Proc): void {
    const id = p.self.id;
    if (this.slots[id] !== p) return;
    this.slots[id] = undefined;
    this.size--;
    this.freeIds.push(id);
    this.freeSerials.push((p.self.serial + 1) & 0x7fffffff);
  }

  /** Give back an id reserved by `alloc` but never used. */
  release(id: number, serial: number): void {
    this.freeIds.push(id);
    this.freeSerials.push(serial);
  }

  *values(): IterableIterator<Proc> {
    const slots = this.slots;
    for (let i = 1; i < slots.length; i++) {
      const p = slots[i];
      if (p !== undefined) yield p;
    }
  }
}
