/**
 * Outbound coalescing for one connection: small frames are copied, back to back, into a chunk,
 * and everything pending goes to the socket as one write. A flushed range is handed to the socket
 * (which keeps it until written), so the chunk is never rewritten: the next frames go after it,
 * and a new chunk is started when one is full.
 */
const CHUNK = 256 * 1024;

export class OutBuffer {
  // the first chunk is allocated by the first reserve: a connection that never comes up (an
  // inbound handshake that fails, of which a flood can make a thousand at once) costs nothing
  private buf = new Uint8Array(0);
  private start = 0; // first pending byte
  private end = 0; // write position

  /** Bytes pending (not yet taken). */
  get length(): number {
    return this.end - this.start;
  }

  /** Make room for n more bytes; returns the chunk to write into at `pos`. */
  reserve(n: number): Uint8Array {
    if (this.end + n > this.buf.length) {
      const pending = this.end - this.start;
      // not zero-filled: only bytes written are ever taken
      const size = Math.max(CHUNK, 2 * (pending + n));
      const raw = Buffer.allocUnsafeSlow(size);
      const next = new Uint8Array(raw.buffer, raw.byteOffset, size);
      next.set(this.buf.subarray(this.start, this.end));
      this.buf = next;
      this.start = 0;
      this.end = pending;
    }
    return this.buf;
  }

  get pos(): number {
    return this.end;
  }

  /** After writing n bytes at `pos` into the chunk `reserve` returned. */
  advance(n: number): void {
    this.end += n;
  }

  /** Append bytes `from..` of `src`. */
  append(src: Uint8Array, from = 0): void {
    const n = src.length - from;
    const b = this.reserve(n);
    const p = this.end;
    if (n <= 32) for (let i = 0; i < n; i++) b[p + i] = src[from + i]!;
    else b.set(from === 0 ? src : src.subarray(from), p);
    this.end = p + n;
  }

  /** The pending bytes, as a Buffer for socket.write; they are no longer pending. */
  take(): Buffer {
    const out = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.start, this.end - this.start);
    this.start = this.end;
    return out;
  }

  /** Forget what is pending. */
  clear(): void {
    this.start = this.end;
  }
}
