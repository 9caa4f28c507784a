/**
 * An append-only chunk queue for socket input: length-prefixed packets are cut out without
 * re-copying the whole buffer on every chunk (a 64 MB frame arriving in 64 KiB chunks is
 * concatenated once, when complete).
 */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0; // offset into chunks[0]
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Byte at offset i from the start (i < length). */
  byteAt(i: number): number {
    let off = this.head + i;
    for (const c of this.chunks) {
      if (off < c.length) return c[off]!;
      off -= c.length;
    }
    throw new RangeError('ByteQueue.byteAt out of range');
  }

  peekU16(): number {
    return (this.byteAt(0) << 8) | this.byteAt(1);
  }

  peekU32(): number {
    return ((this.byteAt(0) << 24) >>> 0) + ((this.byteAt(1) << 16) | (this.byteAt(2) << 8) | this.byteAt(3));
  }

  /** Remove and return the first n bytes (a view when they sit in one chunk, else one copy). */
  take(n: number): Uint8Array {
    if (n > this.total) throw new RangeError('ByteQueue.take beyond length');
    if (n === 0) return new Uint8Array(0);
    const first = this.chunks[0]!;
    if (first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.head += n;
      this.total -= n;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const avail = c.length - this.head;
      const k = Math.min(avail, n - filled);
      out.set(c.subarray(this.head, this.head + k), filled);
      filled += k;
      this.head += k;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.total -= n;
    return out;
  }

  skip(n: number): void {
    this.take(n);
  }

  /** Everything left (used when the handshake hands its buffer over to the connection). */
  drain(): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.chunks.length) {
      out.push(this.chunks[0]!.subarray(this.head));
      for (let i = 1; i < this.chunks.length; i++) out.push(this.chunks[i]!);
    }
    this.chunks = [];
    this.head = 0;
    this.total = 0;
    return out.filter((c) => c.length > 0);
  }
}
