/**
 * Length-prefixed packet I/O over a socket for the handshake phase (2-byte prefix over TCP,
 * spec §2.1). `next(timeoutMs)` waits for one packet; `detach()` hands the socket and every
 * byte already buffered (data frames may follow the final 'a' in the same segment) to the
 * connection.
 */
import type { Socket } from 'node:net';
import { ByteQueue } from './byte_queue.ts';

export class ChannelClosed extends Error {
  constructor(
    readonly why: 'closed' | 'timeout' | 'error',
    detail?: string,
  ) {
    super(`handshake channel ${why}${detail ? `: ${detail}` : ''}`);
    this.name = 'ChannelClosed';
  }
}

export class PacketChannel {
  private readonly q = new ByteQueue();
  private waiter: { resolve: (b: Uint8Array) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  private ended: ChannelClosed | undefined;
  private readonly onData = (c: Buffer) => {
    this.q.push(new Uint8Array(c.buffer, c.byteOffset, c.length));
    this.pump();
  };
  private readonly onClose = () => this.fail(new ChannelClosed('closed'));
  private readonly onError = (e: Error) => this.fail(new ChannelClosed('error', e.message));

  constructor(
    readonly socket: Socket,
    private readonly prefix: 2 | 4 = 2,
  ) {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('end', this.onClose);
    socket.on('error', this.onError);
  }

  send(body: Uint8Array): void {
    const hdr = new Uint8Array(this.prefix);
    const dv = new DataView(hdr.buffer);
    if (this.prefix === 2) dv.setUint16(0, body.length);
    else dv.setUint32(0, body.length);
    this.socket.cork();
    this.socket.write(hdr);
    this.socket.write(body);
    this.socket.uncork();
  }

  next(timeoutMs: number): Promise<Uint8Array> {
    if (this.waiter) return Promise.reject(new Error('PacketChannel.next: already waiting'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new ChannelClosed('timeout'));
      }, timeoutMs);
      this.waiter = { resolve, reject, timer };
      this.pump();
    });
  }

  private pump(): void {
    const w = this.waiter;
    if (!w) return;
    const p = this.prefix;
    if (this.q.length >= p) {
      const len = p === 2 ? this.q.peekU16() : this.q.peekU32();
      if (this.q.length >= p + len) {
        this.q.skip(p);
        const body = this.q.take(len).slice();
        this.waiter = undefined;
        clearTimeout(w.timer);
        w.resolve(body);
        return;
      }
    }
    if (this.ended) {
      this.waiter = undefined;
      clearTimeout(w.timer);
      w.reject(this.ended);
    }
  }

  private fail(e: ChannelClosed): void {
    if (!this.ended) this.ended = e;
    this.pump();
  }

  /** Stop listening; return the buffered bytes. */
  detach(): Uint8Array[] {
    this.socket.removeListener('data', this.onData);
    this.socket.removeListener('close', this.onClose);
    this.socket.removeListener('end', this.onClose);
    this.socket.removeListener('error', this.onError);
    if (this.waiter) {
      clearTimeout(this.waiter.timer);
      this.waiter = undefined;
    }
    return this.q.drain();
  }
}
