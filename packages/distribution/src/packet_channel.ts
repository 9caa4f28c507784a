/**
 * Length-prefixed packet I/O over a socket for the handshake phase (2-byte prefix over TCP,
 * spec §2.1). `next(timeoutMs)` waits for one packet; `detach()` hands the socket and every
 * byte already buffered (data frames may follow the final 'a' in the same segment) to the
 * connection.
 *
 * An accepted (unauthenticated) socket gets a `ChannelWatch`: its buffered bytes and packet
 * lengths are bounded, the transport hears of bytes and complete packets (progress), and can
 * abort the channel (the pending `next` rejects with `why: 'aborted'` and the abort reason as
 * `cause`).
 */
import type { Socket } from 'node:net';
import { ByteQueue } from './byte_queue.ts';

export class ChannelClosed extends Error {
  constructor(
    readonly why: 'closed' | 'timeout' | 'error' | 'oversize' | 'aborted',
    detail?: string,
    cause?: unknown,
  ) {
    super(`handshake channel ${why}${detail ? `: ${detail}` : ''}`, cause === undefined ? undefined : { cause });
    this.name = 'ChannelClosed';
  }
}

/** Limits and observers for a channel on an accepted socket. */
export interface ChannelWatch {
  /** Most bytes buffered at once, and the largest packet length accepted. */
  maxBytes: number;
  /** Aborting fails the channel with `ChannelClosed('aborted', ..., signal.reason)`. */
  signal?: AbortSignal;
  /** Bytes arrived. */
  onBytes?(): void;
  /** A complete packet was taken. */
  onPacket?(): void;
}

export class PacketChannel {
  private readonly q = new ByteQueue();
  private waiter: { resolve: (b: Uint8Array) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  private ended: ChannelClosed | undefined;
  private readonly onData = (c: Buffer) => {
    if (this.ended) return;
    this.q.push(new Uint8Array(c.buffer, c.byteOffset, c.length));
    const w = this.watch;
    if (w) {
      w.onBytes?.();
      if (this.q.length > w.maxBytes) {
        this.fail(new ChannelClosed('oversize', `more than ${w.maxBytes} bytes buffered during the handshake`));
        return;
      }
    }
    this.pump();
  };
  private readonly onClose = () => this.fail(new ChannelClosed('closed'));
  private readonly onError = (e: Error) => this.fail(new ChannelClosed('error', e.message));
  private readonly onAbort = () => {
    const reason: unknown = this.watch?.signal?.reason;
    this.fail(new ChannelClosed('aborted', reason instanceof Error ? reason.message : undefined, reason));
  };

  constructor(
    readonly socket: Socket,
    private readonly prefix: 2 | 4 = 2,
    private readonly watch?: ChannelWatch,
  ) {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('end', this.onClose);
    socket.on('error', this.onError);
    const signal = watch?.signal;
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
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
    // after a plain close the packets already buffered are still delivered; not after a cut
    const cut = this.ended !== undefined && (this.ended.why === 'aborted' || this.ended.why === 'oversize');
    if (this.q.length >= p && !cut) {
      const len = p === 2 ? this.q.peekU16() : this.q.peekU32();
      if (this.watch && len > this.watch.maxBytes) {
        this.ended = new ChannelClosed('oversize', `a handshake message of ${len} bytes (more than ${this.watch.maxBytes})`);
      } else if (this.q.length >= p + len) {
        this.q.skip(p);
        const body = this.q.take(len).slice();
        this.waiter = undefined;
        clearTimeout(w.timer);
        this.watch?.onPacket?.();
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
    this.watch?.signal?.removeEventListener('abort', this.onAbort);
    if (this.waiter) {
      clearTimeout(this.waiter.timer);
      this.waiter = undefined;
    }
    return this.q.drain();
  }
}
