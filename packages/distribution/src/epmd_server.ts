/**
 * Embedded EPMD server (spec §1), byte-compatible with erts/epmd for the requests a node uses:
 * ALIVE2 (120) → 118 (or 121 when HighestVersion < 6), PORT_PLEASE2 (122) → 119, NAMES (110),
 * DUMP (100), KILL (107), STOP (115, refused: no relaxed mode). Real `erl` nodes can register in
 * it and resolve through it (point them at it with ERL_EPMD_PORT when it is not on 4369).
 *
 * - A registration lives as long as its socket; closing it frees the name.
 * - Creation per name: a counter starting at the current Unix time (>= 4), +1 at each re-register.
 * - ALIVE2 is only honoured from a loopback peer (epmd's `local_peer` check).
 * - One request per connection, like epmd (ALIVE2 keeps its connection open).
 * - Flood guard: a socket is "pending" from its accept until its request is complete, and the
 *   pending ones are bounded like the distribution listener's handshakes (handshake_guard.ts):
 *   at most `maxPending` in all and `maxPendingPerAddress` from one address (a new socket evicts
 *   the one that has gone longest without progress), a socket silent for `firstByteTimeoutMs`
 *   and a request not complete `requestTimeoutMs` after the accept are closed. A silent flood
 *   therefore never stops a node from registering or resolving; each cut is logged, rate-limited.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { ByteQueue } from './byte_queue.ts';
import { addressKey, HandshakeGuard, type GuardCause, type PendingHandshake } from './handshake_guard.ts';
import { defaultLogger, LogLimiter, type DistLogger } from './log.ts';

interface Node {
  name: string;
  nameBytes: Uint8Array;
  port: number;
  nodeType: number;
  protocol: number;
  high: number;
  low: number;
  extra: Uint8Array;
  socket: Socket;
  creation: number;
}

export interface EpmdServerOptions {
  port?: number; // 0 = any (tests)
  host?: string; // default '0.0.0.0' (epmd listens on every address)
  logger?: DistLogger;
  /** Sockets whose request is not complete yet, in all (default 1024) and from one address (default 256; IPv6 by /64). */
  maxPending?: number;
  maxPendingPerAddress?: number;
  /** Close a socket that sends nothing this long after its accept (default 2000 ms). */
  firstByteTimeoutMs?: number;
  /** Close a socket whose request is not complete this long after its accept (default 5000 ms). */
  requestTimeoutMs?: number;
}

const MAX_REQUEST = 16 * 1024;

function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false;
  return addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
}

export class EpmdServer {
  private server: Server | undefined;
  private readonly nodes = new Map<string, Node>(); // by name, insertion order
  private readonly counters = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly logger: DistLogger;
  private readonly limiter: LogLimiter;
  private readonly guard: HandshakeGuard<Socket>;
  /** Sockets the guard closed, by cause. */
  readonly guardCounters = { evicted: 0, first_byte_timeout: 0, handshake_timeout: 0 };
  port = 0;

  constructor(private readonly opts: EpmdServerOptions = {}) {
    this.logger = opts.logger ?? defaultLogger;
    this.limiter = new LogLimiter(this.logger);
    const maxPending = opts.maxPending ?? 1024;
    this.guard = new HandshakeGuard<Socket>({
      maxPending,
      maxPerAddress: Math.min(opts.maxPendingPerAddress ?? 256, maxPending),
      firstByteMs: opts.firstByteTimeoutMs ?? 2000,
      deadlineMs: opts.requestTimeoutMs ?? 5000,
    });
  }

  /** Sockets whose request is not complete yet. */
  get pendingRequests(): number {
    return this.guard.size;
  }

  /** Listen. Rejects with the socket error (EADDRINUSE when a real epmd is running). */
  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      const srv = createServer((s) => this.onConnection(s));
      srv.once('error', reject);
      srv.listen({ port: this.opts.port ?? 4369, host: this.opts.host ?? '0.0.0.0', exclusive: true }, () => {
        srv.removeListener('error', reject);
        srv.on('error', (e) => this.logger.error('embedded epmd: server error', { error: String(e) }));
        this.server = srv;
        this.port = (srv.address() as { port: number }).port;
        this.logger.info('embedded epmd listening', { port: this.port });
        resolve(this.port);
      });
    });
  }

  async stop(): Promise<void> {
    const srv = this.server;
    this.server = undefined;
    this.guard.stopSweeping();
    for (const e of this.guard.pending()) this.guard.release(e);
    this.limiter.flush();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.nodes.clear();
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  registered(): { name: string; port: number; creation: number }[] {
    return [...this.nodes.values()].map((n) => ({ name: n.name, port: n.port, creation: n.creation }));
  }

  private onConnection(s: Socket): void {
    this.sockets.add(s);
    const q = new ByteQueue();
    let handled = false;
    const address = addressKey(s.remoteAddress);
    const atAddressCap = this.guard.countFor(address) >= this.guard.limits.maxPerAddress;
    const { entry, evicted } = this.guard.admit(s, address, Date.now());
    for (const v of evicted) this.cut(v, 'evicted', atAddressCap ? `${address} is at its cap of ${this.guard.limits.maxPerAddress}` : undefined);
    this.guard.startSweeping((x) => this.cut(x.entry, x.cause));
    s.on('error', () => {});
    s.on('close', () => {
      this.guard.release(entry);
      this.sockets.delete(s);
      for (const [name, n] of this.nodes) {
        if (n.socket === s) {
          this.nodes.delete(name);
          this.logger.debug('embedded epmd: unregistered', { name });
        }
      }
    });
    s.on('data', (c: Buffer) => {
      if (handled) return; // ALIVE2 sockets send nothing more; ignore anything else
      this.guard.sawBytes(entry, Date.now());
      q.push(new Uint8Array(c.buffer, c.byteOffset, c.length));
      if (q.length < 2) return;
      const len = q.peekU16();
      if (len === 0 || len > MAX_REQUEST) {
        s.destroy();
        return;
      }
      if (q.length < 2 + len) return;
      q.skip(2);
      const req = q.take(len).slice();
      handled = true;
      this.guard.release(entry);
      try {
        this.handle(s, req);
      } catch (e) {
        this.logger.warn('embedded epmd: bad request', { error: String(e) });
        s.destroy();
      }
    });
  }

  /** Close a pending socket the guard picked. */
  private cut(entry: PendingHandshake<Socket>, cause: GuardCause, why?: string): void {
    this.guardCounters[cause]++;
    const { limits } = this.guard;
    const what =
      cause === 'evicted'
        ? `closed to admit a newer socket: ${why ?? `${limits.maxPending} requests pending`}; it had gone longest without progress`
        : cause === 'first_byte_timeout'
          ? `nothing received within ${limits.firstByteMs} ms`
          : `request not complete within ${limits.deadlineMs} ms`;
    this.limiter.log('warn', `epmd ${cause}`, `embedded epmd: a socket from ${entry.address} ${what}`, { cause });
    entry.item.destroy();
  }

  private handle(s: Socket, req: Uint8Array): void {
    const dv = new DataView(req.buffer, req.byteOffset, req.byteLength);
    switch (req[0]) {
      case 120: {
        // ALIVE2_REQ
        if (!isLoopback(s.remoteAddress)) {
          this.logger.warn('embedded epmd: ALIVE2 from a non-local peer ignored', { peer: s.remoteAddress });
          s.destroy();
          return;
        }
        if (req.length < 13) throw new Error('ALIVE2 too short');
        const port = dv.getUint16(1);
        const nodeType = req[3]!;
        const protocol = req[4]!;
        const high = dv.getUint16(5);
        const low = dv.getUint16(7);
        const nlen = dv.getUint16(9);
        if (req.length < 11 + nlen + 2) throw new Error('ALIVE2 truncated');
        const nameBytes = req.slice(11, 11 + nlen);
        const elen = dv.getUint16(11 + nlen);
        if (req.length < 13 + nlen + elen) throw new Error('ALIVE2 extra truncated');
        const extra = req.slice(13 + nlen, 13 + nlen + elen);
        const name = Buffer.from(nameBytes).toString('utf8');
        const v6 = high >= 6;
        const valid = nlen > 0 && !nameBytes.includes(0) && [...name].length <= 255;
        if (!valid || this.nodes.has(name)) {
          // epmd answers an error with creation 99 ("name occupied") and, like epmd, leaves
          // the socket for the client to close
          s.write(v6 ? Uint8Array.of(118, 1, 0, 0, 0, 99) : Uint8Array.of(121, 1, 0, 99));
          return;
        }
        let counter = this.counters.get(name);
        counter = counter === undefined ? Math.max(4, Math.floor(Date.now() / 1000)) : counter + 1;
        if (counter > 0xffffffff) counter = 4;
        this.counters.set(name, counter);
        this.nodes.set(name, { name, nameBytes, port, nodeType, protocol, high, low, extra, socket: s, creation: counter });
        this.logger.debug('embedded epmd: registered', { name, port, creation: counter });
        if (v6) {
          const r = new Uint8Array(6);
          r[0] = 118;
          new DataView(r.buffer).setUint32(2, counter >>> 0);
          s.write(r);
        } else {
          const r = new Uint8Array(4);
          r[0] = 121;
          new DataView(r.buffer).setUint16(2, (counter % 3) + 1);
          s.write(r);
        }
        s.setKeepAlive(true);
        return;
      }
      case 122: {
        // PORT_PLEASE2_REQ
        const name = Buffer.from(req.subarray(1)).toString('utf8');
        const n = this.nodes.get(name);
        if (!n) {
          s.end(Uint8Array.of(119, 1));
          return;
        }
        const r = new Uint8Array(12 + n.nameBytes.length + 2 + n.extra.length);
        const rv = new DataView(r.buffer);
        r[0] = 119;
        r[1] = 0;
        rv.setUint16(2, n.port);
        r[4] = n.nodeType;
        r[5] = n.protocol;
        rv.setUint16(6, n.high);
        rv.setUint16(8, n.low);
        rv.setUint16(10, n.nameBytes.length);
        r.set(n.nameBytes, 12);
        rv.setUint16(12 + n.nameBytes.length, n.extra.length);
        r.set(n.extra, 14 + n.nameBytes.length);
        s.end(r);
        return;
      }
      case 110: {
        // NAMES_REQ: newest registration first, like epmd's list
        const head = new Uint8Array(4);
        new DataView(head.buffer).setUint32(0, this.port);
        const lines = [...this.nodes.values()]
          .reverse()
          .map((n) => `name ${n.name} at port ${n.port}\n`)
          .join('');
        s.write(head);
        s.end(Buffer.from(lines, 'utf8'));
        return;
      }
      case 100: {
        // DUMP_REQ (local peers only)
        if (!isLoopback(s.remoteAddress)) {
          s.destroy();
          return;
        }
        const head = new Uint8Array(4);
        new DataView(head.buffer).setUint32(0, this.port);
        s.write(head);
        for (const n of [...this.nodes.values()].reverse()) {
          s.write(
            Buffer.concat([
              Buffer.from(
                `active name     <${n.name}> at port ${n.port}, fd = ${(n.socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1}\n`,
                'utf8',
              ),
              Buffer.of(0),
            ]),
          );
        }
        s.end();
        return;
      }
      case 107: {
        // KILL_REQ: refused while nodes are registered (epmd without relaxed checking)
        if (!isLoopback(s.remoteAddress) || this.nodes.size > 0) {
          s.end(Buffer.from('NO'));
          return;
        }
        s.end(Buffer.from('OK'));
        void this.stop();
        return;
      }
      case 115: {
        // STOP_REQ: only honoured with relaxed command checking, which we do not offer
        s.destroy();
        return;
      }
      default:
        this.logger.warn('embedded epmd: unknown request', { tag: req[0] });
        s.destroy();
    }
  }
}

// ---- process-wide sharing: one embedded server per port, reference counted ---------------------

const shared = new Map<number, { server: EpmdServer; refs: number; ready: Promise<number> }>();

/** Start (or share) the embedded server on `port`. Rejects with EADDRINUSE if another listens. */
export async function acquireEmbeddedEpmd(
  port: number,
  logger?: DistLogger,
  host?: string,
): Promise<{ server: EpmdServer; release: () => Promise<void> }> {
  let entry = shared.get(port);
  if (!entry) {
    const server = new EpmdServer({ port, logger, host });
    const ready = server.start();
    const created = { server, refs: 0, ready };
    entry = created;
    shared.set(port, created);
    ready.catch(() => {
      if (shared.get(port) === created) shared.delete(port);
    });
  }
  await entry.ready;
  entry.refs++;
  const e = entry;
  let released = false;
  return {
    server: e.server,
    release: async () => {
      if (released) return;
      released = true;
      e.refs--;
      if (e.refs === 0) {
        if (shared.get(port) === e) shared.delete(port);
        await e.server.stop();
      }
    },
  };
}
