/**
 * DistTransport: owns the listen socket, the EPMD registration (embedded server or a real
 * epmd), the handshake arbitration (pending / alive / simultaneous connect), and supervises one
 * Connection per peer. See transport.ts for the contract.
 *
 * Inbound sockets are unauthenticated until their handshake ends, so each one is admitted
 * through a HandshakeGuard (handshake_guard.ts): bounded in number (in all and per source
 * address, evicting the least recently progressing one at a cap), cut when silent past the
 * first-byte deadline or unfinished past the handshake deadline, and bounded in buffered bytes
 * (MAX_HANDSHAKE_BYTES). What they make us log goes through a LogLimiter.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { Subject } from 'rxjs';
import { Connection, type ConnectionEnv } from './connection.ts';
import { resolveCookie } from './cookie.ts';
import { acquireEmbeddedEpmd } from './epmd_server.ts';
import { epmdPortFromEnv, epmdProbe, portPlease, registerNode, type PortInfo, type Registration } from './epmd_client.ts';
import { DEFAULT_FLAGS, DFLAG, REQUIRED_FROM_PEER } from './flags.ts';
import { addressKey, HandshakeGuard, resolveGuardLimits, type GuardCause, type PendingHandshake } from './handshake_guard.ts';
import { HandshakeFailure, type HandshakeConfig } from './handshake_steps.ts';
import { defaultLogger, LogLimiter, type DistLogger } from './log.ts';
import type { ChannelWatch } from './packet_channel.ts';
import { DEFAULT_READ_PACING } from './read_pacer.ts';
import { checkPeerName, NodeNameError, resolveOwnName, type NameType } from './node_name.ts';
import { ConnectError, type DistTransportApi, type DownReason, type NodeEvent, type PeerConnection, type TransportOptions } from './transport.ts';

interface Pending {
  promise: Promise<PeerConnection>;
  resolve: (c: PeerConnection) => void;
  reject: (e: Error) => void;
  /** Our own attempt gave way to the peer's (nok / ok_simultaneous): wait for the inbound one. */
  yielded: boolean;
  timer?: NodeJS.Timeout;
}

/** One accepted, not yet authenticated socket (the guard's item). */
interface Inbound {
  /** The accepted TCP socket (under TLS: the one beneath the TLS socket). */
  readonly raw: Socket;
  /** `address:port`, for logs. */
  readonly from: string;
  /** Aborts the handshake channel once it runs (before that, under TLS, only `raw` exists). */
  abort: AbortController | undefined;
}

/** Most bytes an inbound handshake may buffer (its largest message is under 300 bytes). */
export const MAX_HANDSHAKE_BYTES = 4096;

/**
 * The address the listener binds when `listenHost` is not given: loopback for a node whose host
 * is `localhost` (127.0.0.1) or a loopback address (that address), since no other machine can
 * reach a node by such a name (it would resolve the name to itself); all IPv4 interfaces
 * otherwise, as erl listens.
 */
/** Whether `host` is an IPv4 loopback address or `::1`. */
function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1';
}

export function defaultListenHost(nodeName: string): string {
  const host = nodeName.slice(nodeName.indexOf('@') + 1).toLowerCase();
  if (host === 'localhost' || host === 'localhost.localdomain') return '127.0.0.1';
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return host;
  return '0.0.0.0';
}

export class DistTransport implements DistTransportApi {
  readonly events: Subject<NodeEvent> = new Subject<NodeEvent>();
  onMessage: DistTransportApi['onMessage'] = (conn) => {
    this.logger.warn('dist: message received but no onMessage handler is set', { peer: conn.peerName });
  };
  onFrame: DistTransportApi['onFrame'] = undefined;
  /** 'embedded' when we run the EPMD server, 'external' when a real epmd serves us, 'none'. */
  epmdMode: 'embedded' | 'external' | 'none' = 'none';
  readonly epmdPort: number;
  private readonly conns = new Map<string, Connection>();
  private readonly pending = new Map<string, Pending>();
  private readonly guard: HandshakeGuard<Inbound>;
  /** TLS: inbound sockets whose TLS handshake is still running, by `address:port`. */
  private readonly tlsPending = new Map<string, PendingHandshake<Inbound>>();
  private readonly limiter: LogLimiter;
  /** env.handshake with a rate-limited logger: what inbound (unauthenticated) peers make us log. */
  private readonly acceptHandshake: HandshakeConfig;
  private readonly env: ConnectionEnv;
  private closed = false;
  private server!: Server;
  private registration: Registration | undefined;
  private releaseEpmd: (() => Promise<void>) | undefined;
  readonly logger: DistLogger;
  port = 0;
  /** The address the listener is bound to (`listenHost`, or `defaultListenHost(nodeName)`). */
  listenHost = '';
  /** Where the EPMD this node started listens (when `epmdMode` is 'embedded'; a shared one keeps its first address). */
  embeddedEpmdHost = '';
  creation = 0;

  get ticktimeMs(): number {
    return this.env.ticktimeMs;
  }

  get setupTimeMs(): number {
    return this.env.handshake.setupTimeMs;
  }

  private constructor(
    private readonly opts: TransportOptions,
    readonly nodeName: string,
    readonly nameType: NameType,
    readonly alive: string,
    readonly cookie: string,
    readonly hidden: boolean,
    readonly flags: bigint,
  ) {
    this.logger = opts.logger ?? defaultLogger;
    this.epmdPort = opts.epmdPort ?? epmdPortFromEnv();
    const self = this;
    const hsConfig = (logger: DistLogger): HandshakeConfig => ({
      ourName: nodeName,
      ourFlags: flags,
      get creation() {
        return self.creation;
      },
      cookie,
      setupTimeMs: opts.setupTimeMs ?? 7000,
      requiredFlags: REQUIRED_FROM_PEER,
      logger,
    });
    this.guard = new HandshakeGuard(resolveGuardLimits(opts));
    this.limiter = new LogLimiter(this.logger);
    this.acceptHandshake = hsConfig(this.limiter.asLogger('inbound handshake'));
    this.env = {
      handshake: hsConfig(this.logger),
      ticktimeMs: (opts.ticktime ?? 60) * 1000,
      highWaterBytes: opts.highWaterBytes ?? 8 * 1024 * 1024,
      maxQueueBytes: opts.maxQueueBytes ?? 256 * 1024 * 1024,
      overflowPolicy: opts.overflowPolicy ?? 'close',
      fragmentSize: opts.fragmentSize ?? 64 * 1024,
      maxMessageBytes: opts.maxMessageBytes ?? 1024 * 1024 * 1024,
      fragmentTimeoutMs: 30_000,
      readPacing: opts.readPacing === false ? undefined : { ...DEFAULT_READ_PACING, ...opts.readPacing },
      logger: this.logger,
      tlsClient: opts.tls?.client,
      onUp: (c) => this.connUp(c),
      onDown: (c, r) => this.connDown(c, r),
      deliver: (c, control, payload) => this.onMessage(c, control, payload),
      get onFrame() {
        return self.onFrame;
      },
    };
  }

  /** Validate options, listen, register with EPMD. */
  static async listen(opts: TransportOptions): Promise<DistTransport> {
    const name = resolveOwnName(opts.nodeName, opts.longNames);
    const cookie = resolveCookie(opts);
    const hidden = opts.hidden ?? true;
    let flags = DEFAULT_FLAGS | (hidden ? 0n : DFLAG.PUBLISHED);
    if (opts.addFlags) flags |= opts.addFlags;
    if (opts.removeFlags) flags &= ~opts.removeFlags;
    const tr = new DistTransport(opts, name.full, name.type, name.alive, cookie, hidden, flags);
    await tr.start();
    return tr;
  }

  private async start(): Promise<void> {
    if (this.opts.tls) {
      const srv = createTlsServer({ ...this.opts.tls.server, handshakeTimeout: this.guard.limits.deadlineMs }, (s) => this.onSecure(s));
      // the TCP socket, before TLS: admitted (and counted) from here on
      srv.prependListener('connection', (raw: Socket) => this.onConnection(raw, false));
      srv.on('tlsClientError', (e, s) =>
        this.limiter.log('warn', 'inbound TLS handshake', 'dist: inbound TLS handshake failed', { from: s.remoteAddress, error: e.message }),
      );
      this.server = srv;
    } else {
      this.server = createServer((s) => this.onConnection(s, true));
    }
    this.listenHost = this.opts.listenHost ?? defaultListenHost(this.nodeName);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port: this.opts.listenPort ?? 0, host: this.listenHost }, () => {
        this.server.removeListener('error', reject);
        resolve();
      });
    });
    this.server.on('error', (e) => this.logger.error('dist: listen socket error', { error: String(e) }));
    this.port = (this.server.address() as { port: number }).port;
    try {
      await this.startEpmd();
    } catch (e) {
      await new Promise<void>((r) => this.server.close(() => r()));
      if (this.releaseEpmd) await this.releaseEpmd();
      throw e;
    }
    this.logger.info(`dist: ${this.nodeName} listening`, {
      host: this.listenHost,
      port: this.port,
      creation: this.creation,
      epmd: this.epmdMode,
      epmdPort: this.epmdPort,
    });
  }

  private async startEpmd(): Promise<void> {
    const mode = this.opts.epmd ?? 'auto';
    if (mode === 'none') {
      this.epmdMode = 'none';
      this.creation = randomCreation();
      return;
    }
    await this.ensureEpmd(mode);
    this.creation = (await this.register()) || randomCreation();
  }

  /** An EPMD to register with: the one answering on the port, else (auto, embedded) our own. */
  private async ensureEpmd(mode: 'auto' | 'embedded' | 'external'): Promise<void> {
    const probe = mode === 'auto' ? await epmdProbe(this.epmdPort) : undefined;
    if (mode === 'embedded' || probe !== undefined) {
      try {
        // a node kept on loopback keeps the EPMD it embeds there too
        this.embeddedEpmdHost = isLoopback(this.listenHost) ? '127.0.0.1' : '0.0.0.0';
        const { release } = await acquireEmbeddedEpmd(this.epmdPort, this.logger, this.embeddedEpmdHost);
        this.releaseEpmd = release;
        this.epmdMode = 'embedded';
      } catch (e) {
        if (mode === 'embedded' || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
        // the port was held when probed, by something that did not answer as EPMD: registering
        // with it would only wait out the reply timeout
        if (probe !== undefined && probe.code !== 'unreachable') throw probe;
        this.epmdMode = 'external'; // lost a race with another epmd: step aside
      }
    } else {
      this.epmdMode = 'external';
    }
  }

  /** ALIVE2 with the EPMD; resolves with the creation it gave. A lost registration is made again. */
  private async register(): Promise<number> {
    const registration = await registerNode({ alive: this.alive, port: this.port, hidden: this.hidden, epmdPort: this.epmdPort });
    this.registration = registration;
    registration.socket.on('close', () => {
      if (this.closed || this.registration !== registration) return;
      this.logger.error('dist: the EPMD registration socket closed; peers can no longer resolve this node until it registers again', {
        epmdPort: this.epmdPort,
      });
      void this.registerAgain();
    });
    return registration.creation;
  }

  /**
   * After the EPMD went away (another node's embedded one that stopped, a restarted epmd): an
   * EPMD is found or, in auto mode, embedded again, and the node registers with it, retrying with
   * a growing pause. The node keeps its creation: the pids it handed out stay valid.
   */
  private async registerAgain(): Promise<void> {
    const mode = this.opts.epmd ?? 'auto';
    if (mode === 'none') return;
    for (let pause = 250; !this.closed; pause = Math.min(2 * pause, 5_000)) {
      await new Promise((r) => setTimeout(r, pause).unref());
      if (this.closed) return;
      try {
        if (this.epmdMode !== 'embedded') await this.ensureEpmd(mode);
        await this.register();
        if (this.closed) this.registration?.close();
        else
          this.logger.warn(`dist: registered with ${this.epmdMode === 'embedded' ? 'its own embedded' : 'the'} EPMD on port ${this.epmdPort} again`);
        return;
      } catch (e) {
        this.logger.debug('dist: registering with EPMD again failed', { error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  // ---- accept ---------------------------------------------------------------------------------

  /** A TCP connection arrived (under TLS: before the TLS handshake, `started` false). */
  private onConnection(raw: Socket, started: boolean): void {
    if (this.closed) {
      raw.destroy();
      return;
    }
    raw.on('error', () => {});
    const from = `${raw.remoteAddress}:${raw.remotePort}`;
    const address = addressKey(raw.remoteAddress);
    const atAddressCap = this.guard.countFor(address) >= this.guard.limits.maxPerAddress;
    const { entry, evicted } = this.guard.admit({ raw, from, abort: undefined }, address, Date.now(), started);
    for (const v of evicted) this.cut(v, 'evicted', atAddressCap ? `${address} is at its cap of ${this.guard.limits.maxPerAddress}` : undefined);
    raw.once('close', () => {
      this.guard.release(entry);
      if (this.tlsPending.get(from) === entry) this.tlsPending.delete(from);
    });
    if (started) this.runAcceptor(entry, raw);
    else this.tlsPending.set(from, entry);
    this.guard.startSweeping((x) => this.cut(x.entry, x.cause));
  }

  /** TLS: the TLS handshake of an admitted socket is done; the distribution handshake starts. */
  private onSecure(s: TLSSocket): void {
    const key = `${s.remoteAddress}:${s.remotePort}`;
    const entry = this.tlsPending.get(key);
    this.tlsPending.delete(key);
    if (this.closed || !entry) {
      s.destroy();
      return;
    }
    s.on('error', () => {});
    const now = Date.now();
    this.guard.start(entry, now);
    this.guard.progressed(entry, now);
    this.runAcceptor(entry, s);
  }

  private runAcceptor(entry: PendingHandshake<Inbound>, s: Socket): void {
    const ac = new AbortController();
    entry.item.abort = ac;
    const watch: ChannelWatch = {
      maxBytes: MAX_HANDSHAKE_BYTES,
      signal: ac.signal,
      onBytes: () => this.guard.sawBytes(entry, Date.now()),
      onPacket: () => this.guard.progressed(entry, Date.now()),
    };
    const hooks = {
      arbitrate: (peer: string) => this.arbitrate(peer),
      replaceAlive: (peer: string) => this.conns.get(peer)?.replace(),
      assignName: this.opts.assignNames === false ? undefined : (host: string) => this.assignName(host),
    };
    Connection.accept(this.env, s, hooks, watch, this.acceptHandshake).then(
      () => this.guard.release(entry),
      (e: unknown) => {
        this.guard.release(entry);
        const f = e instanceof HandshakeFailure ? e : undefined;
        const failure = f?.failure ?? 'other';
        const level = failure === 'bad_cookie' || failure === 'setup_timeout' || failure === 'evicted' ? 'warn' : 'info';
        this.limiter.log(level, `inbound handshake ${failure}`, `dist: inbound handshake from ${entry.item.from} failed: ${(e as Error).message}`, {
          failure,
        });
      },
    );
  }

  /** Close a pending inbound handshake the guard picked. */
  private cut(entry: PendingHandshake<Inbound>, cause: GuardCause, why?: string): void {
    const { limits } = this.guard;
    const f =
      cause === 'evicted'
        ? new HandshakeFailure(
            'evicted',
            `closed to admit a newer socket: ${why ?? `${limits.maxPending} inbound handshakes pending`}; it had gone longest without progress`,
          )
        : cause === 'first_byte_timeout'
          ? new HandshakeFailure('setup_timeout', `nothing received within ${limits.firstByteMs} ms`)
          : new HandshakeFailure('setup_timeout', `handshake not finished within ${limits.deadlineMs} ms`);
    const { abort, raw, from } = entry.item;
    if (abort)
      abort.abort(f); // the handshake fails with f and logs it
    else
      this.limiter.log('warn', `inbound handshake ${f.failure}`, `dist: inbound handshake from ${from} failed: ${f.message}`, { failure: f.failure });
    raw.destroy();
  }

  /** Inbound handshakes in progress, in all and by source address (what the guard holds). */
  pendingHandshakes(): { total: number; byAddress: Record<string, number> } {
    const byAddress: Record<string, number> = {};
    for (const e of this.guard.pending()) byAddress[e.address] = (byAddress[e.address] ?? 0) + 1;
    return { total: this.guard.size, byAddress };
  }

  /** A dynamic name for a NAME_ME peer: 13 random [A-Z0-9] characters, like OTP. */
  private assignName(host: string): { name: string; creation: number } {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    for (;;) {
      const bytes = randomBytes(13);
      let alive = '';
      for (const b of bytes) alive += chars[b % chars.length];
      const name = `${alive}@${host}`;
      if (!this.conns.has(name) && !this.pending.has(name)) {
        this.logger.info('dist: assigned a dynamic node name', { name });
        return { name, creation: randomCreation() };
      }
    }
  }

  /** Status for an inbound handshake from `peer` (spec §2.3). */
  private arbitrate(peer: string): 'ok' | 'ok_simultaneous' | 'nok' | 'alive' | 'not_allowed' {
    if (this.closed || peer === this.nodeName) return 'not_allowed';
    if (this.conns.has(peer)) return 'alive';
    const p = this.pending.get(peer);
    if (p && !p.yielded) {
      if (peer > this.nodeName) {
        p.yielded = true; // the peer's attempt wins; ours will be told nok
        this.logger.info('dist: simultaneous connect, the peer wins: ok_simultaneous', { peer });
        return 'ok_simultaneous';
      }
      this.logger.info('dist: simultaneous connect, we win: nok', { peer });
      return 'nok';
    }
    return 'ok';
  }

  // ---- connect --------------------------------------------------------------------------------

  connect(peer: string): Promise<PeerConnection> {
    const up = this.conns.get(peer);
    if (up) return Promise.resolve(up);
    const existing = this.pending.get(peer);
    if (existing) return existing.promise;
    if (this.closed) return Promise.reject(new ConnectError(peer, 'closed'));
    let resolve!: (c: PeerConnection) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<PeerConnection>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const p: Pending = { promise, resolve, reject, yielded: false };
    this.pending.set(peer, p);
    this.dial(peer, p).catch((e: unknown) => this.failPending(peer, p, e));
    return promise;
  }

  private failPending(peer: string, p: Pending, e: unknown): void {
    if (this.pending.get(peer) !== p) return;
    if (e instanceof HandshakeFailure && e.failure === 'nok') {
      // The peer keeps its own attempt (simultaneous connect): wait for it to come up.
      p.yielded = true;
      p.timer = setTimeout(() => {
        if (this.pending.get(peer) !== p) return;
        this.pending.delete(peer);
        p.reject(new ConnectError(peer, 'setup_timeout', 'the simultaneous inbound connection never came up'));
      }, 2 * this.env.handshake.setupTimeMs);
      return;
    }
    if (p.yielded && e instanceof HandshakeFailure) {
      // we told the peer ok_simultaneous; its connection will resolve us
      p.timer = setTimeout(() => {
        if (this.pending.get(peer) !== p) return;
        this.pending.delete(peer);
        p.reject(new ConnectError(peer, 'setup_timeout', 'the simultaneous inbound connection never came up'));
      }, 2 * this.env.handshake.setupTimeMs);
      return;
    }
    this.pending.delete(peer);
    if (e instanceof ConnectError) p.reject(e);
    else if (e instanceof HandshakeFailure)
      p.reject(
        new ConnectError(peer, e.failure === 'refused' || e.failure === 'nok' || e.failure === 'evicted' ? 'handshake_failed' : e.failure, e.message),
      );
    else if (e instanceof NodeNameError) p.reject(new ConnectError(peer, 'bad_name', e.message));
    else p.reject(new ConnectError(peer, 'handshake_failed', String(e)));
    this.logger.info(`dist: connect to ${peer} failed`, { error: String(e) });
  }

  private async dial(peer: string, p: Pending): Promise<void> {
    if (peer === this.nodeName) throw new ConnectError(peer, 'bad_name', 'cannot connect to ourselves');
    const { alive, host } = checkPeerName(peer, this.nameType);
    let info: PortInfo | undefined;
    try {
      info = await portPlease(alive, { epmdHost: host, epmdPort: this.epmdPort, timeoutMs: this.env.handshake.setupTimeMs });
    } catch (e) {
      throw new ConnectError(peer, 'no_epmd', (e as Error).message);
    }
    if (!info) throw new ConnectError(peer, 'not_registered', `EPMD on ${host}:${this.epmdPort} does not know ${alive}`);
    if (this.closed || this.pending.get(peer) !== p) return;
    await Connection.dial(this.env, peer, host, info.port, {
      // `alive`: we have no live connection (we only dial when we have none): we are reconnecting.
      answerAlive: (name) => !this.conns.has(name),
    });
  }

  // ---- supervision ----------------------------------------------------------------------------

  private connUp(c: Connection): boolean {
    if (this.closed) return false;
    const old = this.conns.get(c.peerName);
    if (old && old.state === 'up') {
      this.logger.warn('dist: duplicate connection refused', { peer: c.peerName });
      return false;
    }
    this.conns.set(c.peerName, c);
    this.logger.info(`dist: nodeup ${c.peerName}`, { peer: c.peerName, initiator: c.initiator, flags: c.flags, peerCreation: c.peerCreation });
    this.events.next({ type: 'nodeup', peer: c.peerName, conn: c, hidden: c.peerHidden });
    const p = this.pending.get(c.peerName);
    if (p) {
      this.pending.delete(c.peerName);
      if (p.timer) clearTimeout(p.timer);
      p.resolve(c);
    }
    return true;
  }

  private connDown(c: Connection, reason: DownReason): void {
    if (this.conns.get(c.peerName) !== c) return;
    this.conns.delete(c.peerName);
    this.events.next({ type: 'nodedown', peer: c.peerName, conn: c, reason });
  }

  connection(peer: string): PeerConnection | undefined {
    return this.conns.get(peer);
  }

  connections(): PeerConnection[] {
    return [...this.conns.values()];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [peer, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new ConnectError(peer, 'closed'));
    }
    this.pending.clear();
    this.guard.stopSweeping();
    for (const e of this.guard.pending()) {
      e.item.abort?.abort(new HandshakeFailure('closed', 'transport closed'));
      e.item.raw.destroy();
      this.guard.release(e);
    }
    this.tlsPending.clear();
    const downs = [...this.conns.values()].map((c) => {
      c.close('transport closed');
      return c.down;
    });
    await Promise.all(downs);
    await new Promise<void>((r) => this.server.close(() => r()));
    this.registration?.close();
    if (this.releaseEpmd) await this.releaseEpmd();
    this.limiter.flush();
    this.events.complete();
  }
}

function randomCreation(): number {
  let c = 0;
  while (c === 0) c = randomBytes(4).readUInt32BE(0);
  return c;
}
