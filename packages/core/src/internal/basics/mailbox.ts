/**
 * A process mailbox: a growable ring buffer. `push` at the tail, `shift` from the head, and
 * `removeAt` for selective receive (the remaining messages keep their order). Indexes are logical
 * (0 = oldest), so a receive can remember where it stopped scanning while new messages arrive.
 */
export const EMPTY: unique symbol = Symbol('empty');

export class Mailbox {
  private buf: unknown[];
  private head = 0;
  size = 0;

  constructor(capacity = 4) {
    this.buf = new Array(capacity);
  }

  push(msg: unknown): void {
    const buf = this.buf;
    if (this.size === buf.length) {
      this.grow();
      this.buf[(this.head + this.size) & (this.buf.length - 1)] = msg;
    } else {
      buf[(this.head + this.size) & (buf.length - 1)] = msg;
    }
    this.size++;
  }

  shift(): unknown {
    if (this.size === 0) return EMPTY;
    const buf = this.buf;
    const msg = buf[this.head];
    buf[this.head] = undefined;
    this.head = (this.head + 1) & (buf.length - 1);
    this.size--;
    return msg;
  }

  at(i: number): unknown {
    return this.buf[(this.head + i) & (this.buf.length - 1)];
  }

  /** Remove the message at logical index `i`; later messages move up one place. */
  removeAt(i: number): unknown {
    if (i === 0) return this.shift();
    const buf = this.buf;
    const mask = buf.length - 1;
    const msg = buf[(this.head + i) & mask];
    for (let j = i; j < this.size - 1; j++) buf[(this.head + j) & mask] = buf[(this.head + j + 1) & mask];
    buf[(this.head + this.size - 1) & mask] = undefined;
    this.size--;
    return msg;
  }

  /** Remove every message for which `pred` is true (order of the rest is kept). */
  removeWhere(pred: (msg: unknown) => boolean): number {
    let removed = 0;
    for (let i = 0; i < this.size; ) {
      if (pred(this.at(i))) {
        this.removeAt(i);
        removed++;
      } else i++;
    }
    return removed;
  }

  toArray(): unknown[] {
    const out = new Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.at(i);
    return out;
  }

  clear(): void {
    this.buf = new Array(4);
    this.head = 0;
    this.size = 0;
  }

  private grow(): void {
    const old = this.buf;
    const next = new Array(old.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.buf = next;
    this.head = 0;
  }
}
