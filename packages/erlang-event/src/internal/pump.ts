/**
 * A bounded queue with a process that empties it towards one remote pid (an event or log
 * handler). The queue never grows past `capacity`: what does not fit is dropped and counted, and
 * the owner hears about it (`onLost`) at the next item that fits, as the original reports lost
 * events (CRIT log + TRAP event). The process sends a turn of items (`bulk`, at least 256), then
 * waits until the connection's outbound queue is below its high-water mark, so a slow peer fills
 * this queue (and its overflow count) instead of the node's memory.
 */
import type { ProcessContext } from '@beamline/core';
import type { Pid, Term } from '@beamline/etf';

const WAKE = Symbol('wake');
/** Items one turn sends at least, between two back-pressure checks. */
const MIN_TURN = 256;
const RING_START = 64;
/** An emptied ring longer than this is let go. */
const RING_KEEP = 4096;

export interface PumpOptions<T> {
  readonly capacity: number;
  readonly bulk: number;
  readonly encode: (item: T) => Term;
  /** How an item goes to the destination; by default, from the pump process. */
  readonly send?: (dest: Pid, msg: Term) => void;
  /** Resolves when the connection to the peer can take more. */
  readonly drained: () => Promise<void>;
  /** Items were dropped since the last report; called (from a microtask) at the next accepted push. */
  readonly onLost: (count: number) => void;
}

export class Pump<T> {
  readonly pid: Pid;
  #dest: Pid;
  // a ring (its length a power of two, doubled when full): no garbage per item
  #ring: (T | undefined)[] = new Array(RING_START);
  #head = 0;
  #count = 0;
  #waiting = false;
  #unreported = 0;
  /** Items sent, items dropped (all time). */
  sent = 0;
  lost = 0;
  readonly #send: (pid: Pid, msg: unknown) => void;

  /** Spawns the pump process linked to the caller (`owner`), so it ends with it. */
  constructor(
    owner: ProcessContext,
    dest: Pid,
    private readonly o: PumpOptions<T>,
  ) {
    this.#dest = dest;
    this.pid = owner.spawnLink((ctx) => this.#run(ctx));
    this.#send = (pid, msg) => owner.send(pid, msg);
  }

  get dest(): Pid {
    return this.#dest;
  }

  set dest(pid: Pid) {
    this.#dest = pid;
  }

  get queued(): number {
    return this.#count;
  }

  /** Queue one item; false when the queue is full (the item is dropped and counted). */
  push(item: T): boolean {
    if (this.queued >= this.o.capacity) {
      this.lost++;
      this.#unreported++;
      return false;
    }
    if (this.#count === this.#ring.length) this.#grow();
    this.#ring[(this.#head + this.#count++) & (this.#ring.length - 1)] = item;
    if (this.#unreported > 0) {
      const n = this.#unreported;
      this.#unreported = 0;
      queueMicrotask(() => this.o.onLost(n));
    }
    if (this.#waiting) {
      this.#waiting = false;
      this.#send(this.pid, WAKE);
    }
    return true;
  }

  /** Drop everything queued (noevents / nolog purge the queue). */
  purge(): void {
    this.#ring = new Array(RING_START);
    this.#head = 0;
    this.#count = 0;
  }

  #take(): T | undefined {
    if (this.#count === 0) return undefined;
    const ring = this.#ring;
    const item = ring[this.#head];
    ring[this.#head] = undefined;
    this.#head = (this.#head + 1) & (ring.length - 1);
    if (--this.#count === 0 && ring.length > RING_KEEP) this.purge(); // a burst's ring is not kept
    return item;
  }

  #grow(): void {
    const old = this.#ring;
    const ring = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.#count; i++) ring[i] = old[(this.#head + i) & (old.length - 1)];
    this.#ring = ring;
    this.#head = 0;
  }

  async #run(ctx: ProcessContext): Promise<void> {
    // a turn costs one microtask here, not the original's 10 ms loop pass: `bulk` is a floor
    const bulk = Math.max(MIN_TURN, this.o.bulk);
    const send = this.o.send ?? ((dest: Pid, msg: Term) => ctx.send(dest, msg));
    for (;;) {
      if (this.queued === 0) {
        this.#waiting = true;
        await ctx.receive((m) => m === WAKE);
        continue;
      }
      await this.o.drained();
      for (let i = 0; i < bulk; i++) {
        const item = this.#take();
        if (item === undefined) break;
        send(this.#dest, this.o.encode(item));
        this.sent++;
      }
    }
  }
}
