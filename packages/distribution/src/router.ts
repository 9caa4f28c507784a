/**
 * The router: the runtime's `RemoteRouter` (outbound) and the dispatcher of inbound frames.
 *
 *   inbound : transport.onFrame (node_frame.ts) or .onMessage → receive → decodeControl → handleControl
 *             → rt.fromRemote.*
 *   outbound: runtime → RemoteRouter.send/link/monitor/... → encodeControl → encode → conn.send
 *
 * The runtime (@beamline/core) keeps the links and monitors of its processes, remote ones
 * included. The router adds what only the wire needs (spec §4.3-§4.5):
 * - the UNLINK_ID protocol state of each remote link (links.ts);
 * - echoing the monitored name in MONITOR_P_EXIT;
 * - ALIAS_SEND both ways: replies to `[alias|Ref]` tags and sends to a remote alias go out as
 *   ALIAS_SEND where the peer negotiated DFLAG_ALIAS; inbound ALIAS_SENDs go to the runtime's
 *   aliases (`fromRemote.aliasSend`), which drop them once the alias is inactive;
 * - connecting on demand (signals queue, in order, while the connection is made); a failed
 *   connection is a node down for the signals that needed it (`noconnection`).
 */
import { Atom, EncodeError, Pid, type Ref, atom, charlist, t, type Term } from '@beamline/etf';
import { ErlangError, type RemoteInbound, type RemoteRouter, type SysStateForm } from '@beamline/core';
import { BadFrameError, ControlError, decodeControl, decodePart, encodeControl, type Control, type SendForms } from './control.ts';
import { RemoteLinks } from './links.ts';
import { DFLAG, hasFlag } from './flags.ts';
import type { DistLogger } from './log.ts';
import type { PeerConnection } from './transport.ts';
import { NotEncodableError, jsErrorTerm, toWireTerm } from './wire_values.ts';

/** `{Name, Node}` as the runtime passes it. */
export type RemoteName = [name: Atom, node: Atom];

/** The part of core's inbound hook the router drives (a seam for tests). */
export type RemoteInboundApi = Pick<
  RemoteInbound,
  'send' | 'aliasSend' | 'link' | 'unlink' | 'exit' | 'exit2' | 'monitor' | 'demonitor' | 'down' | 'nodeDown'
>;

/**
 * ETF codec seam (the etf package's encode/decode, with the 131 version byte). `encode` takes any
 * JS value and maps what is not a term (codec.ts, wire_values.ts); it throws for a value that has
 * no Erlang form (NotEncodableError).
 */
export interface Codec {
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): Term;
  /**
   * Set when `encode` is @beamline/etf's encoder after this mapping of JS values (codec.ts): the
   * router may then let a connection encode terms itself (`sendTerms`, one pass into the frame),
   * mapping with this on the encoder's refusal, with the same outcome.
   */
  readonly toTerm?: (value: unknown) => Term;
}

/** How the router reaches peers. */
export interface Connector {
  connection(node: string): PeerConnection | undefined;
  connect(node: string): Promise<PeerConnection>;
}

/** A SPAWN_REQUEST for the node to serve (erpc.ts). */
export type SpawnRequest = Extract<Control, { kind: 'spawn_request' }>;

/** A SEND or REG_SEND as it arrived (`from` of a SEND is set when the peer sends SEND_SENDER). */
export type InboundMessage = Extract<Control, { kind: 'send' | 'reg_send' }>;

/**
 * Sees every SEND / REG_SEND before the runtime does, with the peer it came from; returns true
 * when it took the message (the runtime then does not deliver it). This is how a C-node-like
 * module (mod_erlang_event) receives messages to any name, as an erl_interface node does.
 */
export type MessageInterceptor = (peer: string, message: InboundMessage) => boolean;

/** An EXIT2 (a peer's `exit(To, Reason)`) as it arrived. */
export type InboundExit = Extract<Control, { kind: 'exit2' }>;

/**
 * Sees every EXIT2 before the runtime applies it; returns true when it took the signal (it is then
 * not applied). How a C-node-like module keeps a pid that, as ei's, only hears of an `exit/2`
 * (mod_erlang_event takes one at FsPid, `kill` included, as news about the sender).
 */
export type ExitInterceptor = (peer: string, signal: InboundExit) => boolean;

const A_NOTSUP = atom('notsup');
const A_JS = atom('js');
const A_FILE = atom('file');
const A_LINE = atom('line');

export interface RouterOptions {
  nodeName: string;
  creation: number;
  logger: DistLogger;
  /** Sender pid for REG_SEND from outside any process (Erlang always has a sender). */
  defaultSender?: () => Pid | undefined;
  /**
   * Signals held per node while its connection is being made (default 100,000). Beyond that they
   * are dropped, counted (`counters.pendingOverflow`) and logged: never an unbounded queue.
   */
  maxPending?: number;
}

export class Router implements RemoteRouter {
  readonly links = new RemoteLinks();
  /** Signals waiting for a connection being made, per node. */
  private readonly pending = new Map<string, Control[]>();
  private readonly selfAtom: Atom;
  onSpawnRequest: ((conn: PeerConnection, req: SpawnRequest) => void) | undefined;
  /** See MessageInterceptor; a throw in it is logged and the message delivered as usual. */
  interceptMessage: MessageInterceptor | undefined;
  /**
   * Names the interceptor answers for `peer` though no local process holds them. A monitor by
   * such a name is taken and stays quiet, as on a C node: its only DOWN is `noconnection`.
   */
  interceptedName: ((peer: string, name: string) => boolean) | undefined;
  /** See ExitInterceptor; a throw in it is logged and the signal applied as usual. */
  interceptExit: ExitInterceptor | undefined;
  /** RemoteRouter.whereisGlobal: set by a visible node (its `global` names); absent on a hidden one. */
  whereisGlobal: ((name: unknown) => Pid | undefined) | undefined;
  /**
   * Finds out which form a node's `sys:get_state` reads (the node asks the peer; see
   * `sysStateForm`). Absent: every node is taken as `'bare'`.
   */
  probeSysStateForm: ((node: string) => Promise<SysStateForm>) | undefined;
  /** What `probeSysStateForm` found, per connected node (a promise while it runs). */
  private readonly sysForms = new Map<string, SysStateForm | Promise<SysStateForm>>();
  /**
   * Counters (visible in node.stats()). `encodeErrors`: messages refused because a value in them
   * has no Erlang form (the sender got a NotEncodableError; each is logged with its reason) and
   * exit reasons that had to be replaced by `{not_encodable, Kind, Path}`.
   */
  readonly counters = { in: 0, out: 0, dropped: 0, encodeErrors: 0, protocolErrors: 0, pendingOverflow: 0 };

  constructor(
    private readonly inbound: RemoteInboundApi,
    private readonly net: Connector,
    private readonly codec: Codec,
    private readonly opts: RouterOptions,
  ) {
    this.selfAtom = atom(opts.nodeName);
  }

  // ---------------------------------------------------------------------------------------------
  // inbound

  /** transport.onMessage: decode and dispatch one frame; a bad frame closes that connection. */
  handleFrame(conn: PeerConnection, control: Uint8Array, payload: Uint8Array | undefined): void {
    this.receive(conn, () => [
      decodePart('control message', 0, () => this.codec.decode(control)),
      payload === undefined ? undefined : decodePart('payload', 0, () => this.codec.decode(payload)),
    ]);
  }

  /**
   * Every inbound path ends here (`handleFrame`, node_frame.ts's one-pass `onFrame`): `decodeTerms`
   * gives the control term and the payload. It throwing (a BadFrameError names the bad part), or a
   * malformed control message, counts a protocol error and closes that connection only, with a log
   * line that says what was wrong and in which part of the frame.
   */
  receive(conn: PeerConnection, decodeTerms: () => readonly [control: Term, payload: Term | undefined]): void {
    let c: Control;
    try {
      const [ctl, msg] = decodeTerms();
      c = decodeControl(ctl, msg);
    } catch (e) {
      this.counters.protocolErrors++;
      const bad = e instanceof BadFrameError ? e : badControl(e);
      this.opts.logger.warn(`closing connection: ${bad.message}`, { peer: conn.peerName, part: bad.part, problem: bad.problem, detail: bad.detail });
      conn.close(`protocol_error: ${bad.message}`);
      return;
    }
    this.counters.in++;
    try {
      this.handleControl(conn, c);
    } catch (e) {
      // A bug on our side must not take the other processes of the connection down with it.
      this.opts.logger.error('error while handling a control message', {
        peer: conn.peerName,
        kind: c.kind,
        error: e instanceof Error ? e.stack : String(e),
      });
    }
  }

  handleControl(conn: PeerConnection, c: Control): void {
    const rt = this.inbound;
    switch (c.kind) {
      case 'send':
        if (this.intercepted(conn, c)) return;
        rt.send(c.to, c.message);
        return;
      case 'reg_send':
        if (this.intercepted(conn, c)) return;
        rt.send(c.name, c.message);
        return;
      case 'alias_send':
        // an inactive alias drops it (spec §4.5): a late gen reply
        if (rt.aliasSend(c.from, c.alias, c.message) === false) this.counters.dropped++;
        return;
      case 'link':
        // An entry already there (even one we are unlinking) means: ignore (spec §4.4).
        if (this.links.linkIn(c.to, c.from)) rt.link(c.from, c.to);
        return;
      case 'unlink_id':
        // The ack goes out before any other signal to that process (spec §4.4).
        this.emit(conn.peerName, { kind: 'unlink_id_ack', id: c.id, from: c.to, to: c.from });
        if (this.links.unlinkIn(c.to, c.from)) rt.unlink(c.from, c.to);
        return;
      case 'unlink':
        if (this.links.unlinkIn(c.to, c.from)) rt.unlink(c.from, c.to);
        return;
      case 'unlink_id_ack':
        this.links.unlinkAckIn(c.to, c.from, c.id);
        return;
      case 'exit':
        if (this.links.exitIn(c.to, c.from) !== 'inactive') rt.exit(c.from, c.to, c.reason);
        return;
      case 'exit2':
        if (this.intercepted(conn, c)) return;
        rt.exit2(c.from, c.to, c.reason);
        return;
      case 'monitor':
        if (c.to instanceof Atom && this.interceptedName?.(conn.peerName, c.to.name)) return;
        rt.monitor(c.from, c.to, c.ref);
        return;
      case 'demonitor':
        rt.demonitor(c.from, c.to, c.ref);
        return;
      case 'monitor_exit':
        rt.down(c.to, c.ref, c.reason);
        return;
      case 'spawn_request':
        if (this.onSpawnRequest) this.onSpawnRequest(conn, c);
        else this.emit(conn.peerName, { kind: 'spawn_reply', reqId: c.reqId, to: c.from, flags: 0, result: A_NOTSUP });
        return;
      case 'spawn_reply':
        // We never send SPAWN_REQUEST, so nothing waits for this.
        this.opts.logger.debug('unexpected SPAWN_REPLY dropped', { peer: conn.peerName });
        return;
      case 'group_leader':
      case 'node_link':
        return; // no group leaders across nodes here; NODE_LINK is ancient
    }
  }

  private intercepted(conn: PeerConnection, c: InboundMessage | InboundExit): boolean {
    try {
      return c.kind === 'exit2' ? this.interceptExit?.(conn.peerName, c) === true : this.interceptMessage?.(conn.peerName, c) === true;
    } catch (e) {
      this.opts.logger.error(`${c.kind === 'exit2' ? 'exit' : 'message'} interceptor threw; delivered as usual`, {
        peer: conn.peerName,
        error: e instanceof Error ? e.stack : String(e),
      });
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // outbound: RemoteRouter

  /**
   * A message to a remote process. JS values in it are mapped (wire_values.ts); one that has no
   * Erlang form is not sent: the call throws NotEncodableError (an ErlangError, so the sending
   * process gets an `error` it can catch, and core's gen reply answers `{error, Reason}` instead),
   * after counting (`encodeErrors`) and logging it.
   */
  send(from: Pid | undefined, to: Pid | RemoteName, msg: unknown): void {
    if (Array.isArray(to)) {
      const sender = from ?? this.opts.defaultSender?.();
      if (!sender) {
        this.counters.dropped++;
        return;
      }
      this.emit(to[1].name, { kind: 'reg_send', from: sender, name: to[0], message: msg as Term });
      return;
    }
    this.emit(to.node.name, { kind: 'send', from, to, message: msg as Term });
  }

  /**
   * A send to a remote alias: ALIAS_SEND, which needs a sender (outside a process: the default
   * one) and a peer with DFLAG_ALIAS (not yet connected: assumed, as every OTP 24+ node has it).
   * Without them the owner is unknown here and the message is dropped.
   */
  aliasSend(from: Pid | undefined, alias: Ref, msg: unknown): void {
    const node = alias.node.name;
    const conn = this.net.connection(node);
    const sender = from ?? this.opts.defaultSender?.();
    if (sender === undefined || (conn !== undefined && !hasFlag(conn.flags, DFLAG.ALIAS))) {
      this.counters.dropped++;
      return;
    }
    this.emit(node, { kind: 'alias_send', from: sender, alias, message: msg as Term });
  }

  /** Whether `node` can get ALIAS_SEND (not yet connected: assumed). */
  canAlias(node: Atom): boolean {
    const conn = this.net.connection(node.name);
    return conn === undefined || hasFlag(conn.flags, DFLAG.ALIAS);
  }

  /**
   * RemoteRouter.sysStateForm: OTP 26.1 changed the get_state reply `sys` reads to `{ok, State}`,
   * and nothing in the handshake tells the releases apart, so the peer is asked, once per
   * connection, when the first sys:get_state between us needs it.
   */
  sysStateForm(node: Atom): SysStateForm | Promise<SysStateForm> {
    const known = this.sysForms.get(node.name);
    if (known !== undefined) return known;
    const probe = this.probeSysStateForm;
    if (probe === undefined) return 'bare';
    const pending: Promise<SysStateForm> = probe(node.name)
      .catch((): SysStateForm => 'bare')
      .then((form) => {
        if (this.sysForms.get(node.name) === pending) this.sysForms.set(node.name, form);
        return form;
      });
    this.sysForms.set(node.name, pending);
    return pending;
  }

  link(from: Pid, to: Pid): void {
    if (this.links.linkOut(from, to)) this.emit(to.node.name, { kind: 'link', from, to });
  }

  unlink(from: Pid, to: Pid): void {
    const id = this.links.unlinkOut(from, to);
    if (id !== undefined) this.emit(to.node.name, { kind: 'unlink_id', id, from, to }, false);
  }

  exit(from: Pid, to: Pid, reason: unknown): void {
    this.emit(to.node.name, { kind: 'exit2', from, to, reason: this.reasonTerm(reason, to.node.name) });
  }

  linkExit(from: Pid, to: Pid, reason: unknown): void {
    // 'none' too: the runtime answers a LINK to a dead process with linkExit(noproc).
    if (this.links.forget(from, to) !== 'inactive') {
      this.emit(to.node.name, { kind: 'exit', from, to, reason: this.reasonTerm(reason, to.node.name) }, false);
    }
  }

  monitor(from: Pid, target: Pid | RemoteName, ref: Ref): void {
    const node = target instanceof Pid ? target.node.name : target[1].name;
    this.emit(node, { kind: 'monitor', from, to: target instanceof Pid ? target : target[0], ref });
  }

  demonitor(from: Pid, target: Pid | RemoteName, ref: Ref): void {
    const node = target instanceof Pid ? target.node.name : target[1].name;
    this.emit(node, { kind: 'demonitor', from, to: target instanceof Pid ? target : target[0], ref }, false);
  }

  monitorExit(target: Pid | RemoteName, watcher: Pid, ref: Ref, reason: unknown): void {
    const from = target instanceof Pid ? target : target[0];
    this.emit(watcher.node.name, { kind: 'monitor_exit', from, to: watcher, ref, reason: this.reasonTerm(reason, watcher.node.name) }, false);
  }

  /**
   * An exit reason for the wire (wireReason). A signal must not be lost, so a reason with no
   * Erlang form is replaced by `{not_encodable, Kind, Path}`, counted and logged.
   */
  private reasonTerm(reason: unknown, node: string): Term {
    return wireReason(reason, (e) => {
      this.counters.encodeErrors++;
      this.opts.logger.warn('exit reason not encodable as an Erlang term: sent as {not_encodable, Kind, Path}', { node, error: e.message });
    });
  }

  // ---------------------------------------------------------------------------------------------
  // for the node (erpc, system processes)

  /** Send a control message the node builds itself (SPAWN_REPLY). */
  sendControl(node: string, c: Control): void {
    this.emit(node, c);
  }

  /** A link made by a spawn request's `link` option: active on both sides from the start. */
  addSpawnLink(local: Pid, remote: Pid): void {
    if (this.links.linkIn(local, remote)) this.inbound.link(remote, local);
  }

  // ---------------------------------------------------------------------------------------------
  // connections

  private formsOf(conn: PeerConnection): SendForms {
    // the last connection's, remembered: the flag tests are bigint operations, which allocate
    if (conn === this.formsConn) return this.forms;
    const forms = FORMS[(hasFlag(conn.flags, DFLAG.EXIT_PAYLOAD) ? 1 : 0) | (hasFlag(conn.flags, DFLAG.SEND_SENDER) ? 2 : 0)]!;
    this.formsConn = conn;
    this.forms = forms;
    return forms;
  }

  private formsConn: PeerConnection | undefined = undefined;
  private forms: SendForms = FORMS[0]!;

  /**
   * Send one control message to `node`, connecting first if needed (signals keep their order).
   * `autoConnect` false: only over a live (or coming) connection; else dropped, as a signal to a
   * node we are not connected to has nobody to reach. A message (SEND, REG_SEND, ALIAS_SEND) that
   * cannot be encoded throws here, to the sender: at once over a live connection, and mapped
   * before it is queued otherwise.
   */
  private emit(node: string, c: Control, autoConnect = true): void {
    const queue = this.pending.get(node);
    if (queue) {
      if (queue.length >= (this.opts.maxPending ?? 100_000)) {
        if (this.counters.pendingOverflow++ === 0 || this.counters.pendingOverflow % 10_000 === 0) {
          this.opts.logger.warn('signals to a node being connected: queue full, dropping', {
            node,
            kind: c.kind,
            dropped: this.counters.pendingOverflow,
          });
        }
        return;
      }
      queue.push(this.mapped(node, c));
      return;
    }
    const conn = this.net.connection(node);
    if (conn && conn.state === 'up') {
      this.write(conn, c, true);
      return;
    }
    if (!autoConnect || node === this.opts.nodeName) {
      this.counters.dropped++;
      return;
    }
    this.pending.set(node, [this.mapped(node, c)]);
    this.net.connect(node).then(
      (cn) => this.flush(node, cn),
      (err) => this.connectFailed(node, err),
    );
  }

  /** A message about to wait for a connection, with its JS values mapped now (throws to the sender). */
  private mapped(node: string, c: Control): Control {
    if (!isMessage(c)) return c;
    try {
      const message = toWireTerm(c.message);
      return message === c.message ? c : { ...c, message };
    } catch (e) {
      throw this.notEncodable(node, c, e);
    }
  }

  /** Count and log a message or signal that cannot be encoded; the error for its sender. */
  private notEncodable(node: string, c: Control, e: unknown): NotEncodableError {
    const err = e instanceof NotEncodableError ? e : new NotEncodableError('invalid_term', '$', e instanceof Error ? e.message : String(e));
    this.counters.encodeErrors++;
    this.opts.logger.warn('not encodable as an Erlang term: not sent', {
      node,
      kind: c.kind,
      from: 'from' in c && c.from !== undefined ? c.from.toString() : undefined,
      error: err.message,
    });
    return err;
  }

  private flush(node: string, conn: PeerConnection): void {
    const q = this.pending.get(node) ?? [];
    this.pending.delete(node);
    for (const c of q) this.write(conn, c, false);
  }

  /** Auto-connect failed: like a node down for everything that needed that node. */
  private connectFailed(node: string, err: unknown): void {
    const q = this.pending.get(node) ?? [];
    this.pending.delete(node);
    this.counters.dropped += q.length;
    this.opts.logger.debug('auto-connect failed', { node, error: err instanceof Error ? err.message : String(err) });
    this.nodeDown(node);
  }

  /**
   * Encode and send. An encoding failure is never silent: counted and logged with its reason; a
   * message written on its sender's behalf (`toSender`) throws to the sender; a signal that
   * carries a reason goes out once more with `{not_encodable, Kind, Path}` as its reason.
   */
  private write(conn: PeerConnection, c: Control, toSender: boolean, retry = true): void {
    let control: Uint8Array | undefined;
    let message: Uint8Array | undefined;
    try {
      const enc = encodeControl(c, this.formsOf(conn));
      const toTerm = this.codec.toTerm;
      if (toTerm !== undefined && conn.sendTerms !== undefined) {
        this.sendTerms(conn, toTerm, enc.control, enc.message);
        this.counters.out++;
        return;
      }
      control = this.codec.encode(enc.control);
      message = enc.message === undefined ? undefined : this.codec.encode(enc.message);
    } catch (e) {
      const err = this.notEncodable(conn.peerName, c, e);
      if (isMessage(c)) {
        if (toSender) throw err;
      } else if (retry && 'reason' in c) {
        this.write(conn, { ...c, reason: err.reason as Term }, false, false);
      }
      return;
    }
    this.counters.out++;
    conn.send(control!, message);
  }

  /** conn.sendTerms, with JS values mapped (toTerm) when the encoder refuses the terms as they are. */
  private sendTerms(conn: PeerConnection, toTerm: (v: unknown) => Term, control: Term, message: Term | undefined): void {
    try {
      conn.sendTerms!(control, message);
      return;
    } catch (e) {
      if (!(e instanceof EncodeError)) throw e;
    }
    const c = toTerm(control);
    const m = message === undefined ? undefined : toTerm(message);
    try {
      conn.sendTerms!(c, m);
    } catch (e) {
      // mapped, and still refused by the encoder (an atom too long, ...)
      if (e instanceof EncodeError) throw new NotEncodableError('invalid_term', '$', e.message);
      throw e;
    }
  }

  /**
   * The connection to `node` is gone: `noconnection` to every local process linked to or
   * monitoring a process there (the runtime does the fan-out); protocol state is forgotten.
   */
  nodeDown(node: string): void {
    this.links.nodeDown(node);
    this.sysForms.delete(node);
    this.inbound.nodeDown(node);
  }

  /** Sizes of the tables (tests, introspection); aliases live in the runtime (node.stats()). */
  stats(): { links: number; pendingNodes: number } {
    return { links: this.links.size, pendingNodes: this.pending.size };
  }

  /** Whether `p` is one of ours (node and creation). */
  isLocal(p: Pid): boolean {
    return p.node === this.selfAtom && p.creation === this.opts.creation;
  }
}

/** The four SendForms, by EXIT_PAYLOAD (1) | SEND_SENDER (2): one object each, not one per message. */
const FORMS: readonly SendForms[] = [0, 1, 2, 3].map((i) => ({ exitPayload: (i & 1) !== 0, sendSender: (i & 2) !== 0 }));

/** SEND, REG_SEND, ALIAS_SEND: what a sender sends (the others are signals the runtime makes). */
function isMessage(c: Control): c is Extract<Control, { kind: 'send' | 'reg_send' | 'alias_send' }> {
  return c.kind === 'send' || c.kind === 'reg_send' || c.kind === 'alias_send';
}

/**
 * An exit reason as it crosses the wire: `undefined` is `normal`; an exit that carries an Erlang
 * reason (core's ExitError, CallError) is that reason; an error-class one (core's ErlangError,
 * BadArg) is `{Reason, Stacktrace}`, as a process that died of `error(Reason)` exits in Erlang;
 * any other JS error is `{js_error, <<"Name: message">>}`; JS values are mapped as in messages
 * (wire_values.ts). A reason with no Erlang form becomes `{not_encodable, Kind, Path}`
 * (`onNotEncodable` hears of it): an exit signal is never dropped.
 */
export function wireReason(reason: unknown, onNotEncodable?: (e: NotEncodableError) => void): Term {
  if (reason instanceof Atom) return reason;
  if (reason instanceof ErlangError && !(reason instanceof NotEncodableError)) {
    return t(wireReason(reason.reason, onNotEncodable), stacktraceTerm(reason));
  }
  if (reason instanceof Error) {
    const r = (reason as { reason?: unknown }).reason;
    if (r !== undefined && reason.name.endsWith('Error') && 'reason' in reason) return wireReason(r, onNotEncodable);
    return jsErrorTerm(reason);
  }
  if (reason === undefined) return atom('normal');
  try {
    return toWireTerm(reason);
  } catch (e) {
    if (!(e instanceof NotEncodableError)) throw e;
    onNotEncodable?.(e);
    return e.reason as Term;
  }
}

/**
 * A JS error's stack as an Erlang stacktrace: up to 8 frames `{js, Function, 0, [{file, File},
 * {line, Line}]}` (module `js`: the frames are JavaScript's).
 */
function stacktraceTerm(e: Error): Term[] {
  const frames: Term[] = [];
  for (const line of (e.stack ?? '').split('\n').slice(1)) {
    const m = /^\s*at (?:(.+?) \()?(.*?):(\d+):\d+\)?$/.exec(line);
    if (!m) continue;
    const fn = (m[1] ?? 'anonymous').slice(0, 255);
    frames.push(t(A_JS, atom(fn), 0, [t(A_FILE, charlist(m[2]!.slice(-255))), t(A_LINE, Number(m[3]))]));
    if (frames.length === 8) break;
  }
  return frames;
}

export { ControlError };

/** What decodeControl threw, as a BadFrameError of the control message. */
function badControl(e: unknown): BadFrameError {
  if (!(e instanceof ControlError)) return new BadFrameError('control message', 'undecodable', e instanceof Error ? e.message : String(e));
  // `malformed control message (why): {the term}` → `why: {the term}`
  const m = /^malformed control message \(([^)]*)\): ([\s\S]*)$/.exec(e.message);
  return new BadFrameError('control message', 'malformed', m ? `${m[1]}: ${m[2]}` : e.message);
}
