/**
 * One listener per peer node (spec §0.1): a process that takes that node's commands in arrival
 * order, answers each before the next (so `api` holds the connection's later commands, as the
 * original), and owns the node's event handlers, log handler and their pumps. A listener that
 * crashes takes its pumps with it (they are linked); the module cleans up after it and the next
 * message from that node starts a new one.
 *
 * ACL (`apply-inbound-acl`): a peer whose address a list refuses gets `{error, acldeny}` to its
 * first message, then the connection is closed; it never appears in `erlang listeners`.
 */
import { EXIT, ExitError, type ProcessBehaviour, type ProcessContext, pidEquals } from '@beamline/core';
import type { BeamNode } from '@beamline/distribution';
import { type Atom, Pid, type Term, Tuple, atom, format, t } from '@beamline/etf';
import type { EventSubscription, Switch } from '@beamline/switch';
import type { ErlangEventConfig } from './config.ts';
import type { InboundContext } from './inbound/context.ts';
import { dispatch } from './inbound/dispatch.ts';
import { EventHandlers } from './handlers/events.ts';
import { LogHandler } from './handlers/logs.ts';
import type { CallControl, CallListener } from './outbound/call_control.ts';
import type { FetchBindings } from './fetch/bindings.ts';

/** Debug lines show at most this much of a term. */
const DEBUG_FORMAT = { maxLength: 4096 };

/** What the bus may hold for a listener between two microtasks (one synchronous burst). */
const BUS_BURST = 1_000_000;

export interface ListenerHost {
  readonly sw: Switch;
  readonly node: BeamNode;
  readonly config: ErlangEventConfig;
  readonly fsPid: Pid;
  readonly calls: CallControl;
  readonly fetch: FetchBindings;
  /** FsPid links to `pid`. */
  link(pid: Pid): void;
  /** Send with FsPid as the sender. */
  sendAsFs(to: Pid | readonly [name: string, node: string], term: Term): void;
  /** Debug mode: every term in and out is logged (`erlang debug on`). */
  readonly debug: boolean;
}

/** What the module sends a listener process. */
export type ListenerMessage =
  | { readonly kind: 'inbound'; readonly from: Pid | undefined; readonly message: Term }
  | { readonly kind: 'exited'; readonly pid: Pid }
  | { readonly kind: 'down' };

export class Listener implements ProcessBehaviour, InboundContext, CallListener {
  readonly behaviourName = 'erlang_event_listener';
  #ctx: ProcessContext | undefined;
  #bus: EventSubscription | undefined;
  #close = false;
  #closed = false;
  events!: EventHandlers;
  logs!: LogHandler;
  /** Commands taken (introspection). */
  commands = 0;
  /**
   * A command is being run. As the original's listener loop sends a command's reply before it
   * empties its queues, the handlers' pumps and the attached calls' messages wait until then.
   */
  #running = false;
  #held: [Pid | Atom, Term][] = [];
  #resume: (() => void)[] = [];

  constructor(
    private readonly host: ListenerHost,
    readonly peer: string,
    /** The peer's address failed an ACL list: answer `{error, acldeny}` once and close. */
    readonly denied: boolean,
  ) {}

  get config(): ErlangEventConfig {
    return this.host.config;
  }

  get sw(): Switch {
    return this.host.sw;
  }

  get fsPid(): Pid {
    return this.host.fsPid;
  }

  get calls(): CallControl {
    return this.host.calls;
  }

  get fetch(): FetchBindings {
    return this.host.fetch;
  }

  /** A command is being run (its reply not sent yet). */
  get running(): boolean {
    return this.#running;
  }

  get ctx(): ProcessContext {
    if (!this.#ctx) throw new Error('listener not started');
    return this.#ctx;
  }

  init(ctx: ProcessContext): void {
    this.#ctx = ctx;
    const host = {
      config: this.host.config,
      ctx,
      logger: this.host.sw.core.logger,
      // as the original's ei_send: {SEND, '', To}, no sender pid for the receiving erl to decode
      sendItem: (to: Pid, msg: Term) => this.host.node.runtime.send(to, msg),
      drained: () => this.drained(),
      reportLost: (what: 'events' | 'log lines', n: number) => this.reportLost(what, n),
    };
    this.events = new EventHandlers(host);
    this.logs = new LogHandler(host);
    if (!this.denied) {
      this.#bus = this.host.sw.events.subscribe({
        name: `erlang_event ${this.peer}`,
        // emptied into the handlers' own bounded queues at every microtask: it holds one burst
        capacity: BUS_BURST,
        handler: (e) => this.events.offer(e),
      });
    }
  }

  async handleMessage(ctx: ProcessContext, msg: unknown): Promise<void> {
    if (msg instanceof Tuple && msg.elements[0] === EXIT) {
      // the supervisor (our parent) stops us
      if (pidEquals(msg.elements[1], ctx.parent as Pid)) throw new ExitError(msg.elements[2]);
      return;
    }
    const m = msg as ListenerMessage;
    switch (m.kind) {
      case 'inbound':
        // its node went while an earlier command ran: what it queued is not run for nobody
        if (!this.#closed) await this.#inbound(ctx, m.from, m.message);
        return;
      case 'exited':
        this.events.exited(m.pid);
        this.logs.exited(m.pid);
        this.host.calls.pidExited(this, m.pid);
        this.host.fetch.pidExited(m.pid);
        return;
      case 'down':
        throw new ExitError(atom('normal'));
    }
  }

  async #inbound(ctx: ProcessContext, from: Pid | undefined, message: Term): Promise<void> {
    this.commands++;
    if (this.denied) {
      if (from) ctx.send(from, t(atom('error'), atom('acldeny')));
      await this.#disconnect();
      return;
    }
    const debug = this.host.debug;
    if (debug) this.host.sw.core.log('DEBUG', `erlang_event: from ${this.peer}: ${format(message, DEBUG_FORMAT)}`);
    let reply: Term | undefined;
    this.#running = true;
    try {
      reply = await dispatch(message, this, this, from);
    } catch (e) {
      // a bug in a handler: the peer gets an answer, the listener stays
      this.host.sw.core.log('ERR', `erlang_event: ${this.peer}: command failed: ${e instanceof Error ? e.stack : String(e)}`);
      reply = t(atom('error'), atom('badarg'));
    }
    // its node went while the command ran: the reply has nowhere to go
    if (reply !== undefined && from && !this.#closed) {
      if (debug) this.host.sw.core.log('DEBUG', `erlang_event: to ${this.peer}: ${format(reply, DEBUG_FORMAT)}`);
      ctx.send(from, reply);
    }
    if (this.#close) this.#silence();
    this.#release();
    if (this.#close) await this.#disconnect();
  }

  /**
   * `exit` answered: the original's loop returns right after the reply, so no event or log line
   * follows it; what its queues held, or what is fired until the connection is closed, is dropped.
   */
  #silence(): void {
    this.#bus?.unsubscribe();
    this.#bus = undefined;
    this.logs.close();
    this.logs.off();
    for (const h of this.events.all) {
      h.on = false;
      h.pump.purge();
    }
  }

  /** The command is answered: what waited for it goes out (the calls' messages first, in order). */
  #release(): void {
    this.#running = false;
    const held = this.#held;
    this.#held = [];
    for (const [to, term] of held) this.send(to, term);
    const resume = this.#resume;
    this.#resume = [];
    for (const r of resume) r();
  }

  async #disconnect(): Promise<void> {
    const conn = this.host.node.connection(this.peer);
    if (conn) {
      await conn.drained();
      // the reply is written before the socket is closed
      await new Promise((r) => setTimeout(r, 20));
    }
    this.host.node.disconnect(this.peer);
  }

  terminate(): void {
    this.cleanup();
  }

  /** Idempotent: on exit, crash or node down. Attached calls are let go by the outbound half. */
  cleanup(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#bus?.unsubscribe();
    this.logs?.close();
    // the pumps are linked to the listener, but a `normal` exit does not take them down
    const pumps = [...(this.events?.pumps() ?? []), this.logs?.pump()];
    for (const p of pumps) if (p) this.host.node.runtime.exit(p, atom('kill'));
    this.host.calls.listenerDown(this);
    this.host.fetch.listenerDown(this.peer);
  }

  // ---- InboundContext / CallListener ---------------------------------------------------------------

  link(pid: Pid): void {
    this.host.link(pid);
  }

  /**
   * To a pid, or to `{Name, Peer}`; the sender is FsPid (spec §4.7). After `exit`'s reply, or once
   * the listener is gone with its node's connection (nodedown), nothing more goes to that node:
   * the original's sends die with its listener thread, and a send here would connect to the node
   * again.
   */
  send(to: Pid | Atom, term: Term): void {
    const gone = this.#close || (this.#closed && this.host.node.connection(this.peer)?.state !== 'up');
    if (gone && (!(to instanceof Pid) || to.node.name === this.peer)) return;
    this.host.sendAsFs(to instanceof Pid ? to : [to.name, this.peer], term);
  }

  /** An attached call's `call` / `call_event` / `call_hangup`: after the reply of a running command. */
  deliver(to: Pid | Atom, term: Term): void {
    if (this.#running) this.#held.push([to, term]);
    else this.send(to, term);
  }

  closeAfterReply(): void {
    this.#close = true;
  }

  /** Resolves when a pump may send: no command is running and the connection can take more. */
  drained(): Promise<void> {
    if (this.#running) return new Promise<void>((r) => this.#resume.push(r)).then(() => this.drained());
    const conn = this.host.node.connection(this.peer);
    return conn && conn.state === 'up' ? conn.drained() : Promise.resolve();
  }

  /** The original's overflow report: CRIT `Lost N events!` and a TRAP event `info: lost N events`. */
  reportLost(what: 'events' | 'log lines', n: number): void {
    this.host.sw.core.log('CRIT', `Lost ${n} ${what}!`);
    const trap = this.host.sw.core.bus.create('TRAP');
    trap.addHeader('info', `lost ${n} ${what}`);
    this.host.sw.core.fire(trap);
  }
}
