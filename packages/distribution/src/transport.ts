/**
 * @beamline/distribution — the TRANSPORT half: the contract the node half codes against.
 *
 * ```
 *   node half (node*.ts, control*.ts, net_kernel*.ts, rpc*.ts)
 *        │  send(control, payload?)            ▲ onMessage(conn, control, payload?)
 *        ▼                                     │ events: nodeup / nodedown
 *   DistTransport ── EPMD (epmd_client.ts / embedded epmd_server.ts)
 *        │  one PeerConnection per peer node (connection.ts; lifecycle
 *        │  connecting → handshaking → up → down, table in connection_machine.ts)
 *        ▼
 *   TCP: handshake (handshake.ts + handshake_*.ts), then 4-byte frames, ticks, fragments
 * ```
 *
 * ## Usage
 * ```ts
 * const tr = await DistTransport.listen({ nodeName: 'ts@localhost', cookie: 'secret' });
 * tr.onMessage = (conn, control, payload) => { ... };   // set BEFORE any peer can connect
 * tr.events.subscribe(ev => { if (ev.type === 'nodedown') ... });
 * const conn = await tr.connect('erl@localhost');
 * conn.send(encode(t(6, from, atom(''), atom('rex'))), encode(msg));
 * await tr.close();
 * ```
 *
 * ## The byte contract (stable)
 * - `conn.send(control, payload?)`: `control` and `payload` are each ONE complete ETF term in
 *   external format **including the leading version byte 131** (i.e. exactly what
 *   `term_to_binary/1` produces, uncompressed). The transport frames them as the negotiated
 *   flags require: pass-through `len | 112 | control | payload`, or (when FRAGMENTS or
 *   DIST_HDR_ATOM_CACHE is negotiated) the distribution header `len | 131 68 N refs | control' |
 *   payload'` with the 131s stripped, split into 64 KiB fragments when large. With
 *   DIST_HDR_ATOM_CACHE (negotiated by default; `removeFlags` turns it off) the atoms of a frame
 *   that is not fragmented become cache refs (atom_cache.ts), so OTP resolves them by slot, not by
 *   text. The node half never sees the difference.
 *   Frames are written in call order (one writer queue per connection; spec §3.5).
 *   The transport does not validate the terms it is given, and it keeps references to the two
 *   arrays until they are written (no copy): do not mutate or reuse them after `send()`.
 * - `onMessage(conn, control, payload)`: one call per complete (reassembled) inbound message.
 *   `control` is the control tuple as one ETF term **including the 131 version byte**;
 *   `payload` is the term that followed it (also **with** 131), or `undefined` when the frame
 *   held only the control term. Both are views into transport buffers, valid only during the
 *   call — decode them (or copy) before returning. Ticks never reach `onMessage`. Atom-cache
 *   references never appear: they are written back as the atoms' text for this path.
 * - `onFrame(conn, bytes, start, versioned, atoms)` (optional; when set, it replaces `onMessage`): the
 *   same message unsplit, so each byte is parsed once, by the decoder. `bytes[start..]` (to the
 *   end of `bytes`) holds the control term followed by the payload term when there is one:
 *   `versioned` true (pass-through frames) means each term starts with its 131 byte, false
 *   (dist header) means neither does. The transport has checked the frame header and fragments
 *   only; the handler must reject a malformed or missing control term, a malformed payload and
 *   trailing bytes itself (e.g. `conn.close('protocol_error: ...')`). `bytes` is a transport
 *   buffer, valid only during the call. `atoms` (dist header with atom cache refs only) are the
 *   atoms the terms' ATOM_CACHE_REFs name, by index (the decoder's `atomCache` option). The node
 *   half uses this (node_frame.ts).
 * - A frame the transport cannot split (malformed control term, wrong body format, trailing
 *   garbage in headers, bad fragment) closes that one connection with reason
 *   `{ kind: 'protocol_error', ... }`; other connections and the node are unaffected. If the node
 *   half finds a control term it cannot decode it should call `conn.close(...)` the same way.
 *
 * ## Ordering guarantees
 * - `events` emits `{type:'nodeup'}` for a connection synchronously BEFORE its first message is
 *   passed to `onMessage`, and `{type:'nodedown'}` exactly once, after its last message.
 * - `connect(peer)` for a peer that is already up resolves with the existing connection;
 *   concurrent calls share one attempt; a simultaneous connect from both sides yields one
 *   connection (spec §2.3 rule: the node with the greater name keeps its outgoing attempt).
 *
 * ## Back-pressure (never silent)
 * - `send()` returns `true` when the message was queued and the outbound queue is below
 *   `highWaterBytes`; `false` when it was queued but the queue is now above the high-water mark
 *   (slow down; `await conn.drained()` resolves when it is below again).
 * - If queuing would exceed `maxQueueBytes` the overflow policy applies: `'close'` (default:
 *   the connection goes down with reason `{kind:'queue_overflow'}`, which the node half turns
 *   into noconnection, as when a real peer stops answering) or `'drop'` (the message is dropped).
 *   Either way it is counted in `conn.stats()` and logged; `send()` then returns `false`.
 * - `send()` on a connection that is not up returns `false` and counts `droppedNotUp`.
 *
 * ## Identity
 * - `tr.nodeName` the full node name (`alive@host`), `tr.creation` our 32-bit non-zero creation
 *   (from EPMD ALIVE2, or random when `epmd: 'none'`): put it in every pid/ref/port we create.
 * - `tr.flags` the DFLAG_* word we advertise; `conn.flags` the negotiated (ANDed) word;
 *   `conn.peerFlags` what the peer advertised; `conn.peerCreation` the peer's creation.
 *   Use `hasFlag(conn.flags, DFLAG.SPAWN)` etc. (flags.ts) to pick control-message variants.
 *
 * ## Also supported
 * - TLS distribution (`tls` option; `-proto_dist inet_tls` peers), same contract.
 * - Nameless peers (`erl -sname undefined`, DFLAG_NAME_ME): our acceptor assigns them a random
 *   `XXXXXXXXXXXXX@host` name (`assignNames: false` refuses); we never ask for a name ourselves.
 * - The old v5 `'n'` handshake as acceptor (OTP 23/24 peers that skip EPMD).
 */
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import type { Atom, Term } from '@beamline/etf';
import type { Observable } from 'rxjs';
import type { DistLogger } from './log.ts';
import type { NameType } from './node_name.ts';
import type { ReadPacing } from './read_pacer.ts';

export { DFLAG, hasFlag, flagNames } from './flags.ts';
export type { DistLogger } from './log.ts';

/** Why a connection (or a connect attempt) ended. `kind` is stable; `detail` is free text. */
export type DownReason =
  | { kind: 'closed'; detail?: string } // peer closed the socket / local close() without reason
  | { kind: 'local_close'; detail?: string } // conn.close() or tr.close()
  | { kind: 'tick_timeout'; detail?: string } // nothing read for net_ticktime
  | { kind: 'protocol_error'; detail: string } // malformed frame, bad fragment, wrong format
  | { kind: 'queue_overflow'; detail?: string } // outbound queue exceeded maxQueueBytes (policy close)
  | { kind: 'socket_error'; detail: string }
  | { kind: 'replaced'; detail?: string } // peer reconnected ('alive' → strue), old connection dropped
  | { kind: 'crashed'; detail: string }; // a bug in the connection's own code: it is cleaned up, never restarted

/** Why connect() failed (the promise rejects with a ConnectError carrying this). */
export type ConnectFailure =
  | 'no_epmd' // could not reach EPMD on the peer's host
  | 'not_registered' // EPMD does not know the peer's alive name
  | 'connect_failed' // TCP connect refused
  | 'not_allowed' // peer said not_allowed (e.g. flag mismatch) or we lack its mandatory flags
  | 'bad_cookie' // digest in the peer's 'a' ack wrong, or the peer closed after our 'r'
  | 'setup_timeout' // handshake stalled beyond setupTime
  | 'handshake_failed' // any other handshake protocol problem (wrong name in challenge, ...)
  | 'bad_name' // malformed / illegal node name (short vs long names, no '@', non-latin1)
  | 'closed'; // transport closed while connecting

export class ConnectError extends Error {
  constructor(
    readonly peer: string,
    readonly failure: ConnectFailure,
    detail?: string,
  ) {
    super(`connect to ${peer} failed: ${failure}${detail ? ` (${detail})` : ''}`);
    this.name = 'ConnectError';
  }
}

export type NodeEvent =
  | { type: 'nodeup'; peer: string; conn: PeerConnection; hidden: boolean }
  | { type: 'nodedown'; peer: string; conn: PeerConnection; reason: DownReason };

export interface ConnectionStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  ticksIn: number;
  ticksOut: number;
  queuedBytes: number; // currently waiting to be written
  maxQueuedBytes: number; // high-water seen
  overflows: number; // times maxQueueBytes would have been exceeded
  dropped: number; // messages dropped by the 'drop' policy
  droppedNotUp: number; // send() on a connection that was not up
  fragmentsIn: number;
  fragmentsOut: number;
  /** Times reading paused for a flood (read pacing, `TransportOptions.readPacing`). */
  readPauses: number;
  /**
   * With DIST_HDR_ATOM_CACHE: atoms sent as cache refs to a slot the peer already had (`old`),
   * as refs with their text (`new`), and left as text (`inline`: a slot taken by another atom of
   * the same frame, past 255 per frame, latin-1 or long atoms, fragmented messages). Undefined
   * when the atom cache is not in use on this connection.
   */
  atomCacheOut?: { old: number; new: number; inline: number } | undefined;
  /** With DIST_HDR_ATOM_CACHE: refs received to a slot filled earlier (`old`) or with their text (`new`). */
  atomCacheIn?: { old: number; new: number } | undefined;
}

/** One live (or dead) connection to one peer node. Owned by the transport. */
export interface PeerConnection {
  readonly peerName: string;
  readonly peerFlags: bigint;
  readonly peerCreation: number;
  /** Negotiated flags (ours AND peer's, spec §2.5). */
  readonly flags: bigint;
  /** The peer is hidden (did not set DFLAG_PUBLISHED). */
  readonly peerHidden: boolean;
  /** 'up' until the connection goes down, then 'down' forever (a reconnect is a new object). */
  readonly state: 'up' | 'down';
  /** Which side dialled. */
  readonly initiator: boolean;
  /** The peer's IP address, when known (an inbound-ACL check needs it). */
  readonly remoteAddress?: string | undefined;
  /** See "The byte contract" above. */
  send(control: Uint8Array, payload?: Uint8Array): boolean;
  /**
   * `send` for terms (the node half uses it): encoded straight into the frame in one pass, atoms
   * as cache refs when the atom cache is on. Throws @beamline/etf's EncodeError for a term the
   * encoder refuses; nothing is sent then. Same answer and back-pressure as `send`.
   */
  sendTerms?(control: Term, payload: Term | undefined): boolean;
  /** Resolves when the outbound queue is below the high-water mark (immediately if it is). */
  drained(): Promise<void>;
  /** Resolves (never rejects) with the reason once the connection is down. */
  readonly down: Promise<DownReason>;
  /** Close this connection; nodedown follows with `{kind:'local_close', detail}`. */
  close(detail?: string): void;
  stats(): ConnectionStats;
}

export interface TransportOptions {
  /** `alive@host`; a bare `alive` gets the host appended: the short hostname (FQDN cut at the
   *  first dot) or, with `longNames`, the FQDN. `x@localhost` = short, `x@127.0.0.1` = long. */
  nodeName: string;
  /** Use long names for a bare `alive` (default: inferred from the host: a dot → long). */
  longNames?: boolean;
  /** Cookie; default from `cookieFile` / `~/.erlang.cookie` (created like erl does if absent). */
  cookie?: string;
  cookieFile?: string;
  /** Hidden node (default true). false = normal node: advertises DFLAG_PUBLISHED (spec §4.11). */
  hidden?: boolean;
  /** EPMD port (default: env ERL_EPMD_PORT, else 4369). */
  epmdPort?: number;
  /** 'auto' (default): use a running epmd, otherwise start our embedded EPMD server on epmdPort.
   *  'embedded': always start ours (fails if the port is taken). 'external': require a running
   *  one. 'none': no registration (random creation; peers must know our port). */
  epmd?: 'auto' | 'embedded' | 'external' | 'none';
  /** Distribution listen port (default 0 = any free port). */
  listenPort?: number;
  /** Listen address. Default: loopback when our host is `localhost` ('127.0.0.1') or a 127.x
   *  address (that address): no other machine can dial a node by such a name; otherwise
   *  '0.0.0.0' (all IPv4 interfaces, as erl). '127.0.0.1' binds loopback only whatever the name;
   *  '::' takes IPv6 peers too. */
  listenHost?: string;
  /** net_ticktime in seconds (default 60). Ticks every ticktime/4; peer down after ticktime silent. */
  ticktime?: number;
  /** Handshake timeout in ms (net_setuptime; default 7000). */
  setupTimeMs?: number;
  /** Extra DFLAG bits to add / remove from the default advertised word (tests, interop). */
  addFlags?: bigint;
  removeFlags?: bigint;
  /** Outbound queue: high-water (default 8 MiB) and hard limit (default 256 MiB) in bytes. */
  highWaterBytes?: number;
  maxQueueBytes?: number;
  overflowPolicy?: 'close' | 'drop';
  /** Fragment outbound messages larger than this many bytes when FRAGMENTS is negotiated (64 KiB). */
  fragmentSize?: number;
  /**
   * Inbound read pacing (read_pacer.ts): while a peer floods us with small messages (in one
   * millisecond, `floodReads` reads (default 64) bringing `floodBytes` (default 16 KiB)), read
   * every `pauseMs` (default 1) instead of as each message lands, so the peer's writes queue in
   * its socket and it sends them in big segments: an erl sender then spends about half the CPU
   * per message. Messages arriving during a flood wait up to `pauseMs`. `false` turns it off.
   */
  readPacing?: Partial<ReadPacing> | false;
  /** Max bytes of one inbound frame / reassembled message (default 1 GiB). */
  maxMessageBytes?: number;
  /**
   * Admission control for inbound sockets (unauthenticated until their handshake ends; see
   * handshake_guard.ts). At most `maxHandshakes` (default 1024) are pending at once, and at most
   * `maxHandshakesPerAddress` (default 256; an IPv6 source counts by its /64) from one address.
   * A new socket is always accepted: at a cap the pending handshake that has gone longest without
   * progress (a complete handshake message; a silent socket counts from its accept) is closed.
   * A socket that sends nothing for `firstByteTimeoutMs` (default 2000, at most setupTimeMs) and
   * a handshake not finished `handshakeTimeoutMs` after the accept (default setupTimeMs) are
   * closed. A pending handshake buffers at most 4 KiB. Each action is logged, rate-limited.
   */
  maxHandshakes?: number;
  maxHandshakesPerAddress?: number;
  firstByteTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** Answer dynamic-name requests (NAME_ME, spec §2.8) from nameless peers (default true). */
  assignNames?: boolean;
  /** TLS distribution (`-proto_dist inet_tls`, spec §7): the whole cluster must use it. */
  tls?: DistTlsOptions;
  logger?: DistLogger;
}

/**
 * TLS distribution. The handshake messages then carry 4-byte length prefixes (inet_tls_dist uses
 * {packet,4}); EPMD is unchanged; the cookie challenge still runs inside TLS.
 */
export interface DistTlsOptions {
  /** Our TLS server (inbound): key, cert, ca, requestCert, rejectUnauthorized, ... */
  server: TlsOptions;
  /** Outbound: ca, cert, key, rejectUnauthorized, ... `servername` defaults to the peer's host
   *  when it is a name (OTP sends SNI = the target host). */
  client: ConnectionOptions;
}

/** See `onFrame` in the byte contract. */
export type FrameHandler = (conn: PeerConnection, bytes: Uint8Array, start: number, versioned: boolean, atoms?: readonly Atom[]) => void;

/** The surface of the transport the node half uses. Implemented by transport_impl.ts. */
export interface DistTransportApi {
  readonly nodeName: string;
  readonly creation: number;
  readonly flags: bigint;
  readonly hidden: boolean;
  /** Our distribution listen port, and the address the listener is bound to. */
  readonly port: number;
  readonly listenHost: string;
  readonly nameType: NameType;
  readonly ticktimeMs: number;
  readonly setupTimeMs: number;
  /** The EPMD port this node registers with (and asks other hosts' EPMDs on). */
  readonly epmdPort: number;
  readonly cookie: string;
  /** nodeup / nodedown for every connection, in order. */
  readonly events: Observable<NodeEvent>;
  /** Inbound messages of every connection (see the byte contract). Set before connecting. */
  onMessage: (conn: PeerConnection, control: Uint8Array, payload: Uint8Array | undefined) => void;
  /** Inbound messages unsplit (see the byte contract); when set, `onMessage` is not called. */
  onFrame?: FrameHandler | undefined;
  /** Dial `peer` (`alive@host`), or return the existing connection. Rejects with ConnectError. */
  connect(peer: string): Promise<PeerConnection>;
  /** The live connection to `peer`, if any. */
  connection(peer: string): PeerConnection | undefined;
  connections(): PeerConnection[];
  /** Close every connection, unregister from EPMD, stop listening (and the embedded EPMD). */
  close(): Promise<void>;
}
