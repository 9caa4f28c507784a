/**
 * One connection to one peer node: TCP connect, the handshake steps (handshake_steps.ts), then
 * 4-byte framing, ticks / net_ticktime, fragment reassembly (frame.ts) and the bounded outbound
 * queue. Its lifecycle phase (connecting → handshaking → up → down, or failed) changes only
 * through `advance`, which applies the transition table of connection_machine.ts.
 *
 * The transport (transport_impl.ts) supervises connections: it creates them, is told
 * synchronously when one comes up (before its first message is delivered) and when it goes
 * down, and owns the peer table. Children are `temporary` in OTP terms: a connection that dies
 * (any reason, including a crash in its own code) is cleaned up and reported as nodedown, never
 * restarted; the next connect() dials a fresh one, as net_kernel does.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { TermWriter, type Term } from '@beamline/etf';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { OutAtomCache, copyRange, distHeaderStart } from './atom_cache.ts';
import { ByteQueue } from './byte_queue.ts';
import { initialPhase, step, type ConnEvent, type ConnPhase } from './connection_machine.ts';
import { DFLAG, hasFlag, usesDistHeader } from './flags.ts';
import { TermSkipError } from './etf_skip.ts';
import { encodeDistHeader, encodePassThrough, FrameDecoder, FrameError, splitTerms, TICK } from './frame.ts';
import { runAcceptor, runInitiator, HandshakeFailure, type HandshakeConfig, type HandshakeHooks, type HandshakeResult } from './handshake_steps.ts';
import type { DistLogger } from './log.ts';
import { OutBuffer } from './out_buffer.ts';
import { PacketChannel, type ChannelWatch } from './packet_channel.ts';
import { ReadPacer, type ReadPacing } from './read_pacer.ts';
import type { ConnectionStats, DownReason, FrameHandler, PeerConnection } from './transport.ts';
import { whenConnected } from './dial.ts';

export interface ConnectionEnv {
  handshake: HandshakeConfig;
  ticktimeMs: number;
  highWaterBytes: number;
  maxQueueBytes: number;
  overflowPolicy: 'close' | 'drop';
  fragmentSize: number;
  maxMessageBytes: number;
  /** Drop an incomplete fragment sequence after this long without a fragment. */
  fragmentTimeoutMs: number;
  /** Inbound read pacing during floods (read_pacer.ts); undefined: read every chunk at once. */
  readPacing: ReadPacing | undefined;
  logger: DistLogger;
  /** TLS client options when the distribution runs over TLS (handshake packets are then 4-byte). */
  tlsClient?: ConnectionOptions;
  /** Synchronously, before the first message. Return false to refuse (the connection closes). */
  onUp(conn: Connection): boolean;
  onDown(conn: Connection, reason: DownReason): void;
  deliver(conn: Connection, control: Uint8Array, payload: Uint8Array | undefined): void;
  /** The transport's `onFrame`, when set: takes precedence over `deliver`. */
  readonly onFrame: FrameHandler | undefined;
}

export class Connection implements PeerConnection {
  peerName = '';
  peerFlags = 0n;
  peerCreation = 0;
  flags = 0n;
  readonly initiator: boolean;
  readonly down: Promise<DownReason>;
  private resolveDown!: (r: DownReason) => void;
  private lifecycle: ConnPhase;
  private socket: Socket | undefined;
  private readonly inq = new ByteQueue();
  private decoder: FrameDecoder | undefined;
  private distHeader = false;
  /** The sending half of the header's atom cache, when DIST_HDR_ATOM_CACHE was negotiated. */
  private atomCacheOut: OutAtomCache | undefined;
  /** sendTerms' encoding buffer (made on first use, dropped after a big message). */
  private scratch: TermWriter | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private pacer: ReadPacer | undefined;
  private lastReadAt = 0;
  private wroteSinceTick = false;
  // write coalescing: small buffers written in one tick are concatenated into one socket write
  private readonly out = new OutBuffer();
  private flushScheduled = false;
  private seq = 0n;
  private drainWaiters: (() => void)[] = [];
  private readonly st: Omit<ConnectionStats, 'readPauses'> = {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    ticksIn: 0,
    ticksOut: 0,
    queuedBytes: 0,
    maxQueuedBytes: 0,
    overflows: 0,
    dropped: 0,
    droppedNotUp: 0,
    fragmentsIn: 0,
    fragmentsOut: 0,
  };

  private constructor(
    private readonly env: ConnectionEnv,
    initiator: boolean,
    peerName?: string,
  ) {
    this.initiator = initiator;
    if (peerName) this.peerName = peerName;
    this.down = new Promise((r) => (this.resolveDown = r));
    this.lifecycle = initialPhase(initiator);
  }

  /** The lifecycle phase: connecting / handshaking / up / down / failed. */
  get phase(): ConnPhase {
    return this.lifecycle;
  }

  get state(): 'up' | 'down' {
    return this.lifecycle === 'up' ? 'up' : 'down';
  }

  /** The only place the phase changes (throws IllegalTransition on an event the phase refuses). */
  private advance(event: ConnEvent): void {
    this.lifecycle = step(this.lifecycle, event);
  }

  get peerHidden(): boolean {
    return (this.peerFlags & DFLAG.PUBLISHED) === 0n;
  }

  // ---- establishing ---------------------------------------------------------------------------

  /** Dial host:port and run the initiator handshake. Resolves when up; rejects with HandshakeFailure. */
  static async dial(env: ConnectionEnv, peerName: string, host: string, port: number, hooks: HandshakeHooks): Promise<Connection> {
    const c = new Connection(env, true, peerName);
    let socket: Socket;
    try {
      socket = env.tlsClient
        ? await tlsDial(host, port, env.tlsClient, env.handshake.setupTimeMs)
        : await tcpConnect(host, port, env.handshake.setupTimeMs);
    } catch (e) {
      c.advance('fail');
      throw new HandshakeFailure('connect_failed', `${host}:${port}: ${(e as Error).message}`);
    }
    c.advance('tcp_up');
    return c.handshake(socket, (ch) => runInitiator(ch, env.handshake, peerName, hooks));
  }

  /** Run the acceptor handshake on an accepted socket; `watch` bounds and observes its channel
   *  (the listener's admission control, handshake_guard.ts), `handshake` overrides env.handshake. */
  static accept(env: ConnectionEnv, socket: Socket, hooks: HandshakeHooks, watch?: ChannelWatch, handshake?: HandshakeConfig): Promise<Connection> {
    const c = new Connection(env, false);
    return c.handshake(socket, (ch) => runAcceptor(ch, handshake ?? env.handshake, c.namingHooks(hooks)), watch);
  }

  /** The acceptor learns the peer's name when it arbitrates: record it (for logs) from then on. */
  private namingHooks(hooks: HandshakeHooks): HandshakeHooks {
    const arbitrate = hooks.arbitrate;
    if (!arbitrate) return hooks;
    return {
      ...hooks,
      arbitrate: (peer) => {
        this.peerName = peer;
        return arbitrate(peer);
      },
    };
  }

  private async handshake(socket: Socket, run: (ch: PacketChannel) => Promise<HandshakeResult>, watch?: ChannelWatch): Promise<Connection> {
    socket.setNoDelay(true);
    const ch = new PacketChannel(socket, this.env.tlsClient ? 4 : 2, watch);
    let res: HandshakeResult;
    try {
      res = await run(ch);
    } catch (e) {
      ch.detach();
      socket.on('error', () => {});
      socket.destroy();
      const f = e instanceof HandshakeFailure ? e : new HandshakeFailure('handshake_failed', String(e));
      this.advance('fail');
      throw f;
    }
    const leftover = ch.detach();
    this.socket = socket;
    this.peerName = res.peerName;
    this.peerFlags = res.peerFlags;
    this.peerCreation = res.peerCreation;
    this.flags = res.flags;
    this.distHeader = usesDistHeader(res.flags);
    const atomCache = hasFlag(res.flags, DFLAG.DIST_HDR_ATOM_CACHE);
    this.decoder = new FrameDecoder(this.distHeader, this.env.maxMessageBytes, atomCache);
    if (atomCache) this.atomCacheOut = new OutAtomCache();
    this.advance('handshake_ok');
    if (this.env.readPacing) this.pacer = new ReadPacer(socket, this.env.readPacing);
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('error', (e) => this.goDown({ kind: 'socket_error', detail: e.message }));
    socket.on('close', () => this.goDown({ kind: 'closed', detail: 'socket closed by peer' }));
    socket.on('drain', () => this.checkDrained());
    this.lastReadAt = Date.now();
    if (!this.env.onUp(this)) {
      this.goDown({ kind: 'local_close', detail: 'refused by transport (duplicate connection)' });
      throw new HandshakeFailure('handshake_failed', `a connection to ${res.peerName} already exists`);
    }
    const interval = Math.max(50, Math.floor(this.env.ticktimeMs / 4));
    this.ticker = setInterval(() => {
      try {
        this.onTickTimer();
      } catch (e) {
        this.env.logger.error('dist: connection crashed in its tick timer', { peer: this.peerName, error: String(e) });
        this.goDown({ kind: 'crashed', detail: String(e) });
      }
    }, interval);
    this.ticker.unref?.();
    for (const chunk of leftover) this.onData(chunk);
    return this;
  }

  // ---- inbound --------------------------------------------------------------------------------

  /**
   * Frames are cut out of the chunk in place; only a frame split across chunks goes through the
   * queue (the part of it in this chunk, then the rest of the chunk is parsed in place again).
   */
  private onData(c: Uint8Array): void {
    if (this.lifecycle !== 'up') return;
    const now = Date.now();
    this.lastReadAt = now;
    this.st.bytesIn += c.length;
    this.pacer?.onRead(c.length, now);
    const n = c.length;
    const base = c.byteOffset;
    const max = this.env.maxMessageBytes;
    let off = 0;
    try {
      const q = this.inq;
      if (q.length > 0) {
        if (q.length < 4) {
          off = Math.min(4 - q.length, n);
          q.push(new Uint8Array(c.buffer, base, off));
          if (q.length < 4) return;
        }
        const len = q.peekU32();
        if (len > max) throw new FrameError(`frame of ${len} bytes exceeds maxMessageBytes ${max}`);
        const want = 4 + len - q.length;
        if (want > n - off) {
          q.push(new Uint8Array(c.buffer, base + off, n - off));
          return;
        }
        q.push(new Uint8Array(c.buffer, base + off, want));
        off += want;
        q.skip(4);
        if (len === 0) this.st.ticksIn++;
        else this.frame(q.take(len));
      }
      while (n - off >= 4 && this.lifecycle === 'up') {
        const len = ((c[off]! << 24) | (c[off + 1]! << 16) | (c[off + 2]! << 8) | c[off + 3]!) >>> 0;
        if (len > max) throw new FrameError(`frame of ${len} bytes exceeds maxMessageBytes ${max}`);
        if (n - off - 4 < len) break;
        if (len === 0) this.st.ticksIn++;
        else this.frame(new Uint8Array(c.buffer, base + off + 4, len));
        off += 4 + len;
      }
      if (off < n && this.lifecycle === 'up') this.inq.push(new Uint8Array(c.buffer, base + off, n - off));
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      this.env.logger.error(`dist: malformed frame from ${this.peerName}, closing the connection`, { peer: this.peerName, error: detail });
      this.goDown({ kind: 'protocol_error', detail });
    }
  }

  /** One frame body (not a tick): reassemble, then hand it to onFrame or, split, to onMessage. */
  private frame(body: Uint8Array): void {
    this.st.framesIn++;
    const dec = this.decoder!;
    const done = dec.reassemble(body);
    this.st.fragmentsIn = dec.fragmentsIn;
    if (!done) return;
    const raw = this.env.onFrame;
    const msg = raw ? undefined : splitTerms(dec.bytes, dec.start, dec.versioned);
    try {
      if (raw) raw(this, dec.bytes, dec.start, dec.versioned, dec.atoms);
      else this.env.deliver(this, msg!.control, msg!.payload);
    } catch (e) {
      this.env.logger.error('dist: onMessage handler threw', { peer: this.peerName, error: String(e) });
    }
  }

  private onTickTimer(): void {
    if (this.lifecycle !== 'up') return;
    const now = Date.now();
    if (now - this.lastReadAt >= this.env.ticktimeMs) {
      this.env.logger.error(`** Node ${this.peerName} not responding ** ** Removing (timedout) connection **`, { peer: this.peerName });
      this.goDown({ kind: 'tick_timeout', detail: `nothing read for ${now - this.lastReadAt} ms (net_ticktime ${this.env.ticktimeMs} ms)` });
      return;
    }
    if (!this.wroteSinceTick) {
      this.write(TICK);
      this.st.ticksOut++;
    }
    this.wroteSinceTick = false;
    if (this.decoder && this.decoder.pendingSequences > 0) {
      const n = this.decoder.expire(now, this.env.fragmentTimeoutMs);
      if (n > 0) this.env.logger.warn('dist: dropped incomplete fragmented messages', { peer: this.peerName, sequences: n });
    }
  }

  // ---- outbound -------------------------------------------------------------------------------

  send(control: Uint8Array, payload?: Uint8Array): boolean {
    if (this.lifecycle !== 'up' || !this.socket) {
      this.st.droppedNotUp++;
      return false;
    }
    const size = control.length + (payload ? payload.length : 0) + 8;
    if (!this.admit(size)) return false;
    if (this.distHeader) {
      const dataLen = control.length - 1 + (payload ? payload.length - 1 : 0);
      ++this.seq;
      if (dataLen + 7 < COALESCE_LIMIT && dataLen <= this.env.fragmentSize) {
        const cache = this.atomCacheOut;
        if (cache === undefined || !this.appendWithAtomCache(cache, control, payload)) this.appendDistHeader(control, payload, dataLen);
        return this.sent(size, 1);
      }
      const frags = dataLen > this.env.fragmentSize ? Math.ceil(dataLen / this.env.fragmentSize) : 0;
      this.st.fragmentsOut += frags;
      for (const w of encodeDistHeader(control, payload, this.env.fragmentSize, this.seq)) this.write(w);
      return this.sent(size, frags || 1);
    }
    for (const w of encodePassThrough(control, payload)) this.write(w);
    return this.sent(size, 1);
  }

  /**
   * `send` for terms: encoded straight into the frame, in one pass, with the atom cache's refs
   * when it is on (no intermediate term bytes, no second walk to find the atoms). Throws the
   * encoder's EncodeError for a term it refuses: then nothing is sent and nothing has changed.
   */
  sendTerms(control: Term, payload: Term | undefined): boolean {
    if (this.lifecycle !== 'up' || !this.socket) {
      this.st.droppedNotUp++;
      return false;
    }
    const w = (this.scratch ??= new TermWriter(SCRATCH_SIZE));
    const cache = this.atomCacheOut;
    w.reset();
    cache?.begin();
    w.atomRefs = cache;
    const distHeader = this.distHeader;
    let ctlEnd: number;
    try {
      // behind a dist header the terms go without their 131: written so, they are copied in one piece
      ctlEnd = distHeader ? writeTerms(w, control, payload) : writeVersioned(w, control, payload);
    } catch (e) {
      cache?.begin();
      w.reset();
      throw e;
    } finally {
      w.atomRefs = undefined;
    }
    const bytes = w.buffer;
    const total = w.length;
    if (distHeader) {
      const dataLen = total;
      const head = cache === undefined ? 7 : cache.headLength(dataLen) - dataLen;
      if (head + dataLen < COALESCE_LIMIT && dataLen <= this.env.fragmentSize) {
        if (!this.admit(head + dataLen)) return false;
        const out = this.out;
        const b = out.reserve(head + dataLen);
        let p = out.pos;
        if (cache !== undefined) p = cache.commit(b, p, dataLen);
        else p = distHeaderStart(b, p, dataLen + 3, 0);
        copyRange(b, p, bytes, 0, total);
        out.advance(head + dataLen);
        this.scheduleFlush();
        ++this.seq;
        return this.sent(head + dataLen, 1);
      }
      // big: fragments (or one big write) without atom cache refs; re-encoded plain
      cache?.begin();
    } else if (total + 5 < COALESCE_LIMIT) {
      if (!this.admit(total + 5)) return false;
      const out = this.out;
      const b = out.reserve(total + 5);
      const p = out.pos;
      const len = total + 1;
      b[p] = len >>> 24;
      b[p + 1] = len >>> 16;
      b[p + 2] = len >>> 8;
      b[p + 3] = len;
      b[p + 4] = 112;
      copyRange(b, p + 5, bytes, 0, total);
      out.advance(total + 5);
      this.scheduleFlush();
      return this.sent(total + 5, 1);
    }
    // A big message: its own copy of the terms, each after its 131 (the socket keeps what it is given).
    if (distHeader) {
      w.reset();
      ctlEnd = writeVersioned(w, control, payload);
    }
    const copy = w.view().slice();
    w.reset();
    if (w.capacity > SCRATCH_KEEP) this.scratch = undefined;
    return this.send(copy.subarray(0, ctlEnd), payload === undefined ? undefined : copy.subarray(ctlEnd));
  }

  /** The overflow policy for `size` more bytes: false when the message cannot be queued. */
  private admit(size: number): boolean {
    const queued = this.queuedBytes();
    if (queued + size <= this.env.maxQueueBytes) return true;
    this.st.overflows++;
    if (this.env.overflowPolicy === 'drop') {
      this.st.dropped++;
      this.env.logger.warn('dist: outbound queue full, message dropped', { peer: this.peerName, queued, size, dropped: this.st.dropped });
    } else {
      this.env.logger.error('dist: outbound queue full, closing the connection', { peer: this.peerName, queued, size });
      this.goDown({ kind: 'queue_overflow', detail: `${queued} bytes queued + ${size} > ${this.env.maxQueueBytes}` });
    }
    return false;
  }

  /** Count a queued message of `size` bytes in `frames` frames; send()'s answer (below the high-water mark?). */
  private sent(size: number, frames: number): boolean {
    this.st.framesOut += frames;
    this.st.bytesOut += size;
    this.wroteSinceTick = true;
    const q = this.queuedBytes();
    if (q > this.st.maxQueuedBytes) this.st.maxQueuedBytes = q;
    return q < this.env.highWaterBytes;
  }

  /**
   * The frame with its atoms as cache refs (atom_cache.ts), straight into the out buffer; false
   * (nothing written, the cache unchanged) when a term is malformed: the transport does not
   * validate terms, so such a frame goes out as given, without refs.
   */
  private appendWithAtomCache(cache: OutAtomCache, control: Uint8Array, payload: Uint8Array | undefined): boolean {
    try {
      cache.write(this.out, control, payload);
    } catch (e) {
      if (e instanceof TermSkipError) return false;
      throw e;
    }
    this.scheduleFlush();
    return true;
  }

  /** `len | 131 68 0 | control | payload` (both without their 131) straight into the out buffer. */
  private appendDistHeader(control: Uint8Array, payload: Uint8Array | undefined, dataLen: number): void {
    const out = this.out;
    const b = out.reserve(7 + dataLen);
    // both terms without their 131
    const p = copyRange(b, distHeaderStart(b, out.pos, dataLen + 3, 0), control, 1, control.length);
    if (payload) copyRange(b, p, payload, 1, payload.length);
    out.advance(7 + dataLen);
    this.scheduleFlush();
  }

  /** Bytes accepted by send() and not yet handed to the kernel. */
  private queuedBytes(): number {
    return (this.socket?.writableLength ?? 0) + this.out.length;
  }

  private write(w: Uint8Array): void {
    if (w.length >= COALESCE_LIMIT) {
      this.flush();
      this.socket!.write(w);
      return;
    }
    this.out.append(w);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.out.length >= COALESCE_LIMIT) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  private flush(): void {
    if (this.out.length === 0) return;
    if (!this.socket || this.socket.destroyed) {
      this.out.clear();
      return;
    }
    this.socket.write(this.out.take());
  }

  drained(): Promise<void> {
    if (!this.socket || this.lifecycle !== 'up' || this.queuedBytes() < this.env.highWaterBytes) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  private checkDrained(): void {
    if (!this.socket || this.queuedBytes() < this.env.highWaterBytes || this.lifecycle !== 'up') {
      const ws = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of ws) w();
    }
  }

  /** Test hook: write raw bytes to the socket, bypassing framing (malformed-frame tests). */
  writeRaw(bytes: Uint8Array): void {
    this.flush();
    this.socket?.write(bytes);
  }

  /** Test hook: stop reading from the socket (the peer's writes back up). */
  pauseReading(): void {
    if (this.pacer) this.pacer.hold();
    else this.socket?.pause();
  }

  /** The peer's IP address (undefined once the socket is gone). */
  get remoteAddress(): string | undefined {
    return this.socket?.remoteAddress;
  }

  stats(): ConnectionStats {
    const c = this.atomCacheOut?.counters;
    return {
      ...this.st,
      queuedBytes: this.queuedBytes(),
      readPauses: this.pacer?.pauses ?? 0,
      atomCacheOut: c ? { ...c } : undefined,
      atomCacheIn: this.decoder?.atomCacheCounters,
    };
  }

  // ---- down -----------------------------------------------------------------------------------

  close(detail?: string): void {
    this.goDown({ kind: 'local_close', detail });
  }

  /** Used by the transport to drop a connection superseded by an `alive` → `strue` reconnect. */
  replace(): void {
    this.goDown({ kind: 'replaced', detail: 'the peer reconnected' });
  }

  /** Tear an up connection down; a no-op in any other phase (already down, or never up). */
  private goDown(reason: DownReason): void {
    if (this.lifecycle !== 'up') return;
    this.advance('down');
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    this.pacer?.stop();
    const s = this.socket;
    if (s) {
      s.removeAllListeners('data');
      s.on('error', () => {});
      if (reason.kind === 'local_close' || reason.kind === 'replaced') {
        this.flush();
        s.end(() => s.destroy());
      } else {
        s.destroy();
      }
      setTimeout(() => s.destroy(), 1000).unref?.();
    }
    this.checkDrained();
    this.resolveDown(reason);
    this.env.logger.info(`dist: nodedown ${this.peerName}`, { peer: this.peerName, reason });
    this.env.onDown(this, reason);
  }
}

const SCRATCH_SIZE = 16 * 1024;
/** A scratch buffer grown past this by a big message is not kept. */
const SCRATCH_KEEP = 1024 * 1024;

/** Buffers at least this big are written as they are; smaller ones are coalesced per tick. */
const COALESCE_LIMIT = 64 * 1024;

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<Socket> {
  const s = netConnect({ host, port, family: host.includes(':') ? 6 : 4 });
  return whenConnected(s, 'connect', timeoutMs, (cause) => (cause === 'timeout' ? new Error('connect timeout') : cause));
}

function tlsDial(host: string, port: number, opts: ConnectionOptions, timeoutMs: number): Promise<Socket> {
  const s = tlsConnect({
    ...opts,
    host,
    port,
    family: host.includes(':') ? 6 : 4,
    servername: opts.servername ?? (isIP(host) ? undefined : host),
  } as ConnectionOptions);
  return whenConnected(s, 'secureConnect', timeoutMs, (cause) => (cause === 'timeout' ? new Error('TLS connect timeout') : cause));
}

/** `control [payload]` into `w`; returns where the control ends. */
function writeTerms(w: TermWriter, control: Term, payload: Term | undefined): number {
  w.term(control);
  const ctlEnd = w.length;
  if (payload !== undefined) w.term(payload);
  return ctlEnd;
}

/** `131 control [131 payload]` into `w`; returns where the control ends. */
function writeVersioned(w: TermWriter, control: Term, payload: Term | undefined): number {
  w.u8(131);
  w.term(control);
  const ctlEnd = w.length;
  if (payload !== undefined) {
    w.u8(131);
    w.term(payload);
  }
  return ctlEnd;
}
