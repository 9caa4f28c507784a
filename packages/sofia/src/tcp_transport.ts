/**
 * SIP over TCP, and over TLS on top of it (RFC 3261 §18.3; sofia-sip's tport_type_tls is
 * tport_type_tcp with a TLS layer): each connection's bytes are cut into messages by
 * Content-Length, CRLF keep-alives between them are skipped, and a message goes back over the
 * connection its peer is on. A frame that cannot be a message (a bad Content-Length, more than
 * MAX_STREAM_MESSAGE bytes, or what the profile cannot parse) closes that connection only, with a
 * WARNING. On TCP (not TLS, as in sofia-sip) a double-CRLF ping is answered with a CRLF pong (RFC
 * 5626 §3.5.1; mod_sofia creates its agent with TPTAG_PONG2PING(1)), and with `keepaliveMs` a
 * connection we sent nothing on is pinged, closed after `pingpongMs` without an answer.
 *
 * A message for a peer with no connection opens one (sofia-sip's tport_by_name: connect, then send;
 * what comes back on it is read like an accepted connection's). The connections of both transports
 * share one table and its bounds (TcpLimits): a total and a number per remote address, a new one
 * taking the place of the oldest connection nothing uses, or refused when all are used; one unused
 * and silent for `idleMs` is closed (tport_base_timer). "Used" is the profile's word: a
 * registration or a dialog is on it. What differs between the transports is how a socket is made
 * ready (StreamSockets): TCP's as it connects, TLS's once its handshake is done and its peer passed.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';

/** The most a message may take on a stream (the most a UDP datagram can carry). */
export const MAX_STREAM_MESSAGE = 65_535;

export class SipFramingError extends Error {
  override readonly name = 'SipFramingError';
}

const HEADER_END = Buffer.from('\r\n\r\n');
const PING = '\r\n\r\n';
const PONG = '\r\n';
const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(.*?)[ \t]*$/im;

/** What takeFrames found: whole messages, the bytes left for later, and keep-alive pings. */
export interface Frames {
  readonly frames: Buffer[];
  readonly rest: Buffer;
  /** Double-CRLF pings seen where a message would start: each wants a pong. */
  readonly pings: number;
  /** CR/LF bytes seen at a message start that are not yet a ping: the next call's `crlf`. */
  readonly crlf: number;
}

/**
 * The whole messages at the front of a stream's bytes. `crlf` carries the CR/LF bytes of a ping
 * cut across reads (tport_recv_stream's tp_ping): four of them where a message would start are a
 * ping; any byte of a message starts the count again.
 */
export function takeFrames(bytes: Buffer, crlf = 0): Frames {
  const frames: Buffer[] = [];
  let rest = bytes;
  let pings = 0;
  for (;;) {
    let skip = 0;
    while (skip < rest.length && (rest[skip] === 0x0d || rest[skip] === 0x0a)) skip++;
    rest = rest.subarray(skip);
    crlf += skip;
    if (crlf >= 4) {
      pings++;
      crlf = 0;
    }
    if (rest.length > 0) crlf = 0;
    const headEnd = rest.indexOf(HEADER_END);
    if (headEnd < 0) {
      if (rest.length > MAX_STREAM_MESSAGE) throw new SipFramingError(`no end of headers in ${rest.length} bytes`);
      return { frames, rest, pings, crlf };
    }
    const lengthText = CONTENT_LENGTH.exec(rest.subarray(0, headEnd).toString('latin1'))?.[1] ?? '0';
    if (!/^\d{1,9}$/.test(lengthText)) throw new SipFramingError(`bad Content-Length: ${JSON.stringify(lengthText.slice(0, 40))}`);
    const total = headEnd + HEADER_END.length + Number(lengthText);
    if (total > MAX_STREAM_MESSAGE) throw new SipFramingError(`a message of ${total} bytes`);
    if (rest.length < total) return { frames, rest, pings, crlf };
    frames.push(rest.subarray(0, total));
    rest = rest.subarray(total);
  }
}

export type StreamTransportName = 'tcp' | 'tls';

/** A connection's far end (transport.ts's Address, on a stream). */
export interface StreamAddress {
  readonly address: string;
  readonly port: number;
  readonly transport: StreamTransportName;
}

type HostPort = Pick<StreamAddress, 'address' | 'port'>;

const keyOf = (a: StreamAddress) => `${a.transport}:${a.address}:${a.port}`;
const hostPortOf = (a: HostPort) => `${a.address}:${a.port}`;

export interface TcpLimits {
  /** The most connections the profile keeps, accepted and opened, TCP and TLS together. */
  readonly maxConnections: number;
  /** The most from (or to) one remote IP address. */
  readonly maxPerAddress: number;
  /** An unused connection with no bytes either way for this long is closed. */
  readonly idleMs: number;
  /** A TCP connection we sent nothing on for this long gets a double-CRLF ping (0: never). */
  readonly keepaliveMs?: number;
  /** A ping with nothing heard back for this long closes its TCP connection (0: never waits). */
  readonly pingpongMs?: number;
  /** The kernel's keep-alive probes on every socket after this long idle (0: none; sofia-sip sets 30). */
  readonly socketKeepaliveSeconds?: number;
}

/**
 * How one stream transport's sockets are made. `listen`'s server hands over each accepted socket
 * once it can carry SIP; an opened one can once `readyEvent` fires and `check` (if any) passes.
 */
export interface StreamSockets {
  readonly transport: StreamTransportName;
  createServer(onReady: (socket: Socket) => void): Server;
  connect(to: HostPort): Socket;
  readonly readyEvent: string;
  /** Why an opened connection to `to` may not be used (its peer failed verification), or undefined. */
  check?(socket: Socket, to: HostPort): string | undefined;
}

/** Plain TCP: a socket is ready as it connects. */
export const TCP_SOCKETS: StreamSockets = {
  transport: 'tcp',
  createServer: (onReady) => createServer(onReady),
  connect: (to) => connect({ host: to.address, port: to.port }),
  readyEvent: 'connect',
};

/** Told why a message could not go out (its connection could not be opened or was refused). */
export type Undelivered = (why: string) => void;

interface Queued {
  readonly bytes: Buffer;
  readonly undelivered: Undelivered | undefined;
}

interface Connection {
  readonly socket: Socket;
  readonly from: StreamAddress;
  lastActiveMs: number;
  /** When we last sent on it, a message or a ping (sofia-sip's tp_ktime). */
  lastSentMs: number;
  /** When the ping still unanswered was sent (tp_ptime): anything received clears it. */
  pingSentMs: number | undefined;
  /** What waits for an opening connection to be ready. */
  queued: Queued[] | undefined;
}

type OnMessage = (data: Buffer, from: StreamAddress) => void;

/** The profile's stream listeners (TCP, TLS) and their connections, by transport and far end. */
export class SipStreams {
  readonly #connections = new Map<string, Connection>();
  readonly #servers: Server[] = [];
  readonly #sockets = new Map<StreamTransportName, StreamSockets>();
  /** Whether a registration or a dialog is on the connection to `a` (it is then never evicted nor closed idle). */
  inUse: (a: StreamAddress) => boolean = () => false;
  /** Told of each connection that was up and has closed, whoever closed it (not as the profile closes). */
  closed: (a: StreamAddress) => void = () => {};
  #closing = false;

  constructor(
    private readonly onMessage: OnMessage,
    private readonly limits: TcpLimits,
    private readonly warn: (text: string) => void,
  ) {}

  /** Listens on `ip:port` with `sockets`' transport, which may then open connections too. */
  listen(ip: string, port: number, sockets: StreamSockets): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = sockets.createServer((socket) => this.#accept(socket, sockets.transport));
      server.once('error', reject);
      server.listen(port, ip, () => {
        server.off('error', reject);
        server.on('error', (e) => this.warn(`${sockets.transport} ${ip}:${port}: ${e.message}`));
        this.#servers.push(server);
        this.#sockets.set(sockets.transport, sockets);
        const bound = server.address();
        resolve(typeof bound === 'object' && bound ? bound.port : port);
      });
    });
  }

  /** Whether messages can go over `transport`. */
  has(transport: StreamTransportName): boolean {
    return this.#sockets.has(transport);
  }

  #accept(socket: Socket, transport: StreamTransportName): void {
    const from: StreamAddress = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, transport };
    if (!this.#makeRoom(from)) {
      socket.destroy();
      return;
    }
    this.#attach(socket, from, undefined);
  }

  /**
   * Room for one more connection with `to`: the oldest unused one of its address (over
   * maxPerAddress), else of all (over maxConnections), is closed; false when every one is used.
   */
  #makeRoom(to: StreamAddress): boolean {
    const all = [...this.#connections.values()];
    const mine = all.filter((c) => c.from.address === to.address);
    for (const [list, max, what] of [
      [mine, this.limits.maxPerAddress, `${to.address}'s ${this.limits.maxPerAddress}`],
      [all, this.limits.maxConnections, `the profile's ${this.limits.maxConnections}`],
    ] as const) {
      if (list.length < max) continue;
      const oldest = list.filter((c) => !this.inUse(c.from)).sort((a, b) => a.lastActiveMs - b.lastActiveMs)[0];
      if (!oldest) {
        this.warn(`refused a ${to.transport} connection with ${hostPortOf(to)}: ${what} tcp connections are all in use`);
        return false;
      }
      this.drop(oldest.from, `${what} tcp connections are taken: the oldest unused one makes room`);
    }
    return true;
  }

  #attach(socket: Socket, from: StreamAddress, queued: Queued[] | undefined): Connection {
    const key = keyOf(from);
    // tport_tcp_init_secondary: TCP_NODELAY, and SO_KEEPALIVE with TCP_KEEPIDLE
    socket.setNoDelay(true);
    const keepaliveSeconds = this.limits.socketKeepaliveSeconds ?? 0;
    if (keepaliveSeconds > 0) socket.setKeepAlive(true, keepaliveSeconds * 1000);
    const now = Date.now();
    const conn: Connection = { socket, from, lastActiveMs: now, lastSentMs: now, pingSentMs: undefined, queued };
    this.#connections.set(key, conn);
    let pending = Buffer.alloc(0);
    let crlf = 0;
    socket.on('data', (chunk: Buffer) => {
      conn.lastActiveMs = Date.now();
      conn.pingSentMs = undefined;
      let cut: Frames;
      try {
        cut = takeFrames(pending.length === 0 ? chunk : Buffer.concat([pending, chunk]), crlf);
      } catch (e) {
        this.drop(from, e instanceof Error ? e.message : String(e));
        return;
      }
      pending = Buffer.from(cut.rest);
      crlf = cut.crlf;
      if (cut.pings > 0 && from.transport === 'tcp' && !conn.queued) socket.write(PONG.repeat(cut.pings));
      for (const frame of cut.frames) this.onMessage(frame, from);
    });
    socket.on('error', (e) => {
      if (conn.queued) this.#connectFailed(conn, e.message);
    }); // 'close' follows
    socket.on('close', () => {
      if (this.#connections.get(key) === conn) this.#connections.delete(key);
      if (conn.queued)
        this.#connectFailed(conn, 'closed before it was ready'); // dropped or evicted while opening
      else if (!this.#closing) this.closed(from);
    });
    return conn;
  }

  /**
   * Writes to the connection `to` is on, opening one when there is none; false when none may be
   * opened. `undelivered` hears of a connection that could not be opened before `data` went out.
   */
  send(data: Buffer, to: StreamAddress, undelivered?: Undelivered): boolean {
    let conn = this.#connections.get(keyOf(to));
    if (conn?.socket.destroyed) conn = undefined;
    if (!conn) {
      const sockets = this.#sockets.get(to.transport);
      if (!sockets || !this.#makeRoom(to)) return false;
      conn = this.#open(sockets, to);
    }
    conn.lastActiveMs = conn.lastSentMs = Date.now();
    if (conn.queued) conn.queued.push({ bytes: data, undelivered });
    else conn.socket.write(data);
    return true;
  }

  /** An opening connection that will carry nothing: what waited for it is undelivered. */
  #connectFailed(conn: Connection, why: string): void {
    this.warn(`could not connect to ${hostPortOf(conn.from)} over ${conn.from.transport}: ${why}`);
    const queued = conn.queued ?? [];
    conn.queued = undefined;
    for (const q of queued) q.undelivered?.(why);
  }

  #open(sockets: StreamSockets, to: StreamAddress): Connection {
    const socket = sockets.connect(to);
    const opening = this.#attach(socket, { address: to.address, port: to.port, transport: to.transport }, []);
    socket.once(sockets.readyEvent, () => {
      const refused = sockets.check?.(socket, to);
      if (refused !== undefined) {
        this.#connectFailed(opening, refused);
        socket.destroy();
        return;
      }
      for (const q of opening.queued ?? []) socket.write(q.bytes);
      opening.queued = undefined;
    });
    return opening;
  }

  /** Closes the connection `to` is on, saying why. */
  drop(to: StreamAddress, why: string): void {
    const conn = this.#connections.get(keyOf(to));
    if (!conn) return;
    this.#connections.delete(keyOf(to));
    this.warn(`closed the ${to.transport} connection from ${hostPortOf(to)}: ${why}`);
    conn.socket.destroy();
  }

  /**
   * The connections' timers at `nowMs` (tport_base_timer, and tport_tcp_timer's keep-alives): one
   * unused and silent for longer than `idleMs` is closed; a TCP one whose ping went unanswered for
   * `pingpongMs` is closed; a TCP one we sent nothing on for `keepaliveMs` gets a ping.
   */
  tick(nowMs: number): void {
    const { idleMs, keepaliveMs = 0, pingpongMs = 0 } = this.limits;
    for (const [key, c] of this.#connections) {
      if (nowMs - c.lastActiveMs > idleMs && !this.inUse(c.from)) {
        this.#connections.delete(key);
        c.socket.destroy();
        continue;
      }
      if (c.from.transport !== 'tcp' || c.queued) continue;
      if (pingpongMs > 0 && c.pingSentMs !== undefined && nowMs - c.pingSentMs > pingpongMs) {
        this.drop(c.from, `no pong within ${pingpongMs} ms`);
        continue;
      }
      if (keepaliveMs > 0 && nowMs - c.lastSentMs > keepaliveMs) {
        c.socket.write(PING);
        c.lastSentMs = nowMs;
        c.pingSentMs ??= nowMs;
      }
    }
  }

  /** The connections open now, of one transport or of both. */
  connections(transport?: StreamTransportName): number {
    if (transport === undefined) return this.#connections.size;
    let n = 0;
    for (const c of this.#connections.values()) if (c.from.transport === transport) n++;
    return n;
  }

  close(): void {
    this.#closing = true;
    for (const c of this.#connections.values()) {
      c.queued = undefined; // the profile is going: nobody is left to answer
      c.socket.destroy();
    }
    this.#connections.clear();
    for (const s of this.#servers) s.close();
  }
}
