/**
 * The module on a running switch and node (mod_erlang_event's load):
 *
 *   erlang_event (one_for_one)
 *   ├── fs         the module's own process: its pid is FsPid (getpid, the sender of what the
 *   │              module sends, the end of every link it makes); it traps exits and routes each
 *   │              `{'EXIT', Pid, _}` to the listener of Pid's node (§4.6)
 *   └── listeners  (simple_one_for_one, temporary) one Listener per peer node
 *
 * Messages reach the module as they reach a C node: the node's message interceptor hands over
 * every REG_SEND to a name no local process holds (so `{foo, FsNode} ! X` works for any `foo`,
 * while `net_kernel` and `rex` keep answering ping and rpc) and every SEND to FsPid; a peer's
 * `exit(FsPid, _)` is taken the same way, as the exit of its sender, not applied.
 */
import { DOWN, EXIT, ExitError, type ProcessContext, Supervisor, type Where, isCleanExit, pidEquals, refKey } from '@beamline/core';
import type { BeamNode, InboundExit, InboundMessage } from '@beamline/distribution';
import { Pid, Ref, type Term, Tuple, isTagged } from '@beamline/etf';
import type { Switch } from '@beamline/switch';
import type { ErlangEventConfig } from './config.ts';
import { type ListenerHost, Listener, type ListenerMessage } from './listener.ts';
import { type ConsoleView, type HandlerView, type ListenerView, erlangCommand } from './console.ts';
import type { EventHandlers } from './handlers/events.ts';
import type { CallControl } from './outbound/call_control.ts';
import { outboundApplications } from './outbound/applications.ts';
import { OutboundCalls } from './outbound/sessions.ts';
import { FetchBindings } from './fetch/bindings.ts';

export interface LoadOptions {
  /** The outbound half (call sessions); default: OutboundCalls (outbound/sessions.ts) with the config's policy. */
  readonly calls?: CallControl;
  /** Where a peer's address comes from, for the ACL check (default: the connection's socket). */
  readonly peerAddress?: (peer: string) => string | undefined;
  /** `erlang bindings`: the XML-fetch bindings (default: this module's own, fetch/bindings.ts). */
  readonly bindings?: () => readonly { node: string; section: string }[];
}

interface Entry {
  readonly listener: Listener;
  pid: Pid | undefined;
  /** Messages that arrived while the listener process was being started. */
  buffer: ListenerMessage[] | undefined;
}

export class ErlangEvent implements ListenerHost, ConsoleView {
  readonly calls: CallControl;
  readonly fetch: FetchBindings;
  debug = false;
  #fsPid: Pid | undefined;
  #listenersSup: Pid | undefined;
  #top: Pid | undefined;
  readonly #entries = new Map<string, Entry>();
  /** Peers in connection order (newest last); `erlang listeners` lists newest first. */
  readonly #order: string[] = [];
  readonly #offs: (() => void)[] = [];
  #stopped = false;
  readonly #outbound: OutboundCalls | undefined;

  constructor(
    readonly sw: Switch,
    readonly node: BeamNode,
    readonly config: ErlangEventConfig,
    private readonly options: LoadOptions = {},
  ) {
    if (!options.calls) {
      const self = this;
      this.#outbound = new OutboundCalls(
        {
          sw,
          config,
          runtime: node.runtime,
          get fsPid() {
            return self.fsPid;
          },
          link: (pid) => this.link(pid),
          unlink: (pid) => this.unlink(pid),
          sendAsFs: (to, term) => this.sendAsFs(to, term),
          listenerFor: (peer, ms) => this.listenerFor(peer, ms),
        },
        { exitPolicy: config.outboundExitPolicy, connectTimeoutMs: config.outboundConnectTimeoutMs },
      );
    }
    this.calls = options.calls ?? (this.#outbound as OutboundCalls);
    const module = this;
    this.fetch = new FetchBindings({
      sw,
      config,
      get debug() {
        return module.debug;
      },
      link: (pid) => this.link(pid),
      sendAsFs: (to, term) => this.sendAsFs(to, term),
    });
  }

  get fsPid(): Pid {
    if (!this.#fsPid) throw new Error('erlang_event not started');
    return this.#fsPid;
  }

  /** The module's supervisor (`fs`, `listeners`, `calls`), for a host's tree. */
  get supervisor(): Pid {
    if (!this.#top) throw new Error('erlang_event not started');
    return this.#top;
  }

  /** Live listeners, newest first (ACL-denied peers are not listed). */
  listeners(): Listener[] {
    return [...this.#order]
      .reverse()
      .map((p) => this.#entries.get(p)?.listener)
      .filter((l): l is Listener => l !== undefined && !l.denied);
  }

  listener(peer: string): Listener | undefined {
    return this.#entries.get(peer)?.listener;
  }

  /** The listener process for `peer` (introspection, tests). */
  listenerPid(peer: string): Pid | undefined {
    return this.#entries.get(peer)?.pid;
  }

  async start(where: Where = this.node.runtime): Promise<void> {
    this.#top = await Supervisor.start(where, {
      strategy: 'one_for_one',
      intensity: 5,
      period: 10,
      children: [
        { id: 'fs', start: (ctx) => ctx.spawnLink((c) => this.#fs(c), { trapExit: true }) },
        {
          id: 'listeners',
          type: 'supervisor',
          start: async (ctx) => {
            const sup = await Supervisor.start(ctx, {
              strategy: 'simple_one_for_one',
              intensity: 1000,
              period: 1,
              children: [
                {
                  id: 'listener',
                  restart: 'temporary',
                  shutdown: 2000,
                  start: (c: ProcessContext, l: Listener) => c.spawnLink(l, { trapExit: true }),
                },
              ],
            });
            // restarted (killed from outside): its listeners went with the old one; the next message from a peer starts a new one
            this.#listenersSup = sup;
            return sup;
          },
        },
        ...(this.#outbound ? [this.#outbound.childSpec] : []),
      ],
    });
    const kids = await Supervisor.whichChildren(where, this.#top);
    const pidOf = (id: string) => {
      const p = kids.find((k) => k.id === id)?.pid;
      if (!p || p === 'restarting') throw new Error(`erlang_event: ${id} did not start`);
      return p;
    };
    this.#fsPid = pidOf('fs');
    if (this.#outbound) {
      // the outbound half: its bus subscription, its two applications
      this.#offs.push(this.#outbound.started());
      const apps = outboundApplications({
        calls: this.#outbound,
        config: this.config,
        listenerFor: (p, ms) => this.listenerFor(p, ms),
        sendAsFs: (to, term) => this.sendAsFs(to, term),
      });
      for (const app of apps) this.#offs.push(this.sw.addApplication(app));
    }
    this.#offs.push(
      this.node.interceptMessages((peer, m) => this.#intercept(peer, m), {
        // a monitor by any such name stays up as on FreeSWITCH's C node (noconnection only)
        answersName: (_peer, name) => !this.#stopped && this.node.runtime.whereis(name) === undefined,
        takesExit: (peer, signal) => this.#takeExit(peer, signal),
      }),
    );
    this.#offs.push(this.node.on('nodeup', (e) => void this.#ensure(e.node)));
    this.#offs.push(
      this.node.on('nodedown', (e) => {
        const entry = this.#entries.get(e.node);
        if (entry) this.#deliver(e.node, entry, { kind: 'down' });
        // a command running now runs to its end, as on the original's listener thread (an originate
        // rings out and hangs up its legs, or its call goes on); its reply goes nowhere
        this.#forget(e.node);
      }),
    );
    for (const peer of this.node.nodes()) void this.#ensure(peer);
    this.sw.registry.add({
      name: 'erlang',
      syntax: '<command> [<args>]',
      description: 'erlang information',
      module: 'mod_erlang_event',
      run: (args) => erlangCommand(args, this),
    });
  }

  // ---- ConsoleView -----------------------------------------------------------------------------------

  /** Listeners as `erlang listeners` shows them, newest first. */
  listenerViews(): ListenerView[] {
    return this.listeners().map((l) => ({
      peer: l.peer,
      sessions: this.calls.sessions(l.peer),
      eventsSent: l.events.delivered,
      eventsLost: l.events.lost,
      logsSent: l.logs.sent,
      logsLost: l.logs.lost,
      creates: l.events.creates,
      hangups: l.events.hangups,
      handlers: handlerViews(l.events),
    }));
  }

  bindings(): readonly { node: string; section: string }[] {
    return this.options.bindings?.() ?? this.fetch.list();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    // the sessions first, while the bus and the peers' connections still serve them
    await this.#outbound?.unload();
    for (const off of this.#offs) off();
    for (const e of this.#entries.values()) e.listener.cleanup();
    this.fetch.stop();
    if (this.#top) await Supervisor.stop(this.node.runtime, this.#top);
  }

  link(pid: Pid): void {
    if (this.#fsPid) this.node.runtime.send(this.#fsPid, { link: pid });
  }

  /** FsPid unlinks `pid` (after what FsPid was asked to send before). */
  unlink(pid: Pid): void {
    if (this.#fsPid) this.node.runtime.send(this.#fsPid, { unlink: pid });
  }

  /**
   * Send `term` with FsPid as the sender (spec §4.7: what the module sends to registered names —
   * `call`, `call_event`, `get_pid`, `freeswitch_sendmsg` — comes from FsPid). Messages sent
   * this way keep their order.
   */
  sendAsFs(to: Pid | readonly [name: string, node: string], term: Term): void {
    if (this.#fsPid) this.node.runtime.send(this.#fsPid, { forward: to, term });
  }

  /**
   * The listener for `peer`, connecting first when the node is not connected (outbound mode):
   * undefined when the connection cannot be made within `timeoutMs` (the original has no bound).
   */
  async listenerFor(peer: string, timeoutMs = this.config.outboundConnectTimeoutMs): Promise<Listener | undefined> {
    const known = this.#entries.get(peer);
    if (known) return known.listener;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), timeoutMs);
    });
    const connected = this.node.connect(peer).then((ok) => ok || ('failed' as const));
    const ok = await Promise.race([connected, timeout]);
    clearTimeout(timer);
    if (ok !== true) {
      // new_outbound_listener_locked's line (it has no errno to give; the timeout is this module's, O2)
      this.sw.core.log('ERR', `Error connecting to node ${peer}${ok === false ? ` (no connection within ${timeoutMs} ms)` : ''}!`);
      return undefined;
    }
    return this.#ensure(peer).listener;
  }

  // ---- routing --------------------------------------------------------------------------------------

  #intercept(peer: string, m: InboundMessage): boolean {
    if (this.#stopped) return false;
    if (m.kind === 'reg_send') {
      if (this.node.runtime.whereis(m.name.name) !== undefined) return false;
    } else if (!this.#fsPid || !pidEquals(m.to, this.#fsPid)) return false;
    const entry = this.#ensure(peer);
    if (!entry.listener.denied && isTagged(m.message, 'fetch_reply', 3)) {
      // not queued behind the command the listener may be running: an `api` originate whose routing
      // asks this same node for its dialplan would otherwise wait out the 5 s fetch timeout
      const reply = this.fetch.fetchReply(m.message);
      if (m.from) this.node.runtime.send(m.from, reply);
      return true;
    }
    this.#deliver(peer, entry, { kind: 'inbound', from: m.from, message: m.message });
    return true;
  }

  /**
   * exit/2 at FsPid, `kill` included: the C node reads ERL_EXIT2 as handle_exit of the sender and
   * lives on, so one peer cannot end every peer's links to FsPid (O29).
   */
  #takeExit(peer: string, signal: InboundExit): boolean {
    if (this.#stopped || !this.#fsPid || !pidEquals(signal.to, this.#fsPid)) return false;
    this.#deliver(peer, this.#ensure(peer), { kind: 'exited', pid: signal.from });
    return true;
  }

  #deliver(peer: string, entry: Entry, msg: ListenerMessage): void {
    if (entry.buffer) entry.buffer.push(msg);
    else if (entry.pid && this.node.runtime.isAlive(entry.pid)) this.node.runtime.send(entry.pid, msg);
    else if (msg.kind === 'inbound') {
      // the listener died (a crash): a fresh one takes the message
      this.#forget(peer);
      this.#deliver(peer, this.#ensure(peer), msg);
    }
  }

  #ensure(peer: string): Entry {
    const known = this.#entries.get(peer);
    if (known) return known;
    const address = (this.options.peerAddress ?? ((p: string) => this.node.connection(p)?.remoteAddress))(peer);
    const denied = address !== undefined && this.config.inboundAcls.some((acl) => !this.sw.conf.aclAllows(acl, address));
    if (denied) this.sw.core.log('WARNING', `Connection from ${address} (${peer}) denied by apply-inbound-acl`);
    const entry: Entry = { listener: new Listener(this, peer, denied), pid: undefined, buffer: [] };
    this.#entries.set(peer, entry);
    this.#order.push(peer);
    const sup = this.#listenersSup;
    if (!sup) return entry;
    Supervisor.startChild(this.node.runtime, sup, [entry.listener]).then(
      (r) => {
        const buffered = entry.buffer ?? [];
        entry.buffer = undefined;
        if (!r.ok || !r.pid) {
          this.sw.core.log('ERR', `erlang_event: listener for ${peer} did not start: ${String(r.ok ? 'ignored' : r.error)}`);
          this.#forget(peer);
          return;
        }
        entry.pid = r.pid;
        this.node.runtime.send(this.#fsPid as Pid, { watch: r.pid, peer });
        for (const m of buffered) this.node.runtime.send(r.pid, m);
      },
      (e: unknown) => this.sw.core.log('ERR', `erlang_event: listener for ${peer}: ${String(e)}`),
    );
    return entry;
  }

  #forget(peer: string): void {
    const entry = this.#entries.get(peer);
    if (!entry) return;
    this.#entries.delete(peer);
    const i = this.#order.indexOf(peer);
    if (i >= 0) this.#order.splice(i, 1);
    entry.listener.cleanup();
  }

  /** FsPid's process: links on request, exits of linked pids to their listener, listener deaths. */
  async #fs(ctx: ProcessContext): Promise<void> {
    // a restart (by the supervisor) makes a new FsPid: getpid and the links use the live one
    this.#fsPid = ctx.self;
    const watched = new Map<string, string>(); // monitor ref key → peer
    for (const [peer, e] of this.#entries) if (e.pid) watched.set(refKey(ctx.monitor(e.pid)), peer);
    for (;;) {
      const msg = await ctx.receive();
      if (msg instanceof Tuple && msg.elements[0] === EXIT) {
        const p = msg.elements[1];
        if (!(p instanceof Pid)) continue;
        if (ctx.parent && pidEquals(p, ctx.parent)) throw new ExitError(msg.elements[2]); // shutdown
        const entry = this.#entries.get(p.node.name);
        if (entry) this.#deliver(p.node.name, entry, { kind: 'exited', pid: p });
        continue;
      }
      if (msg instanceof Tuple && msg.elements[0] === DOWN && msg.elements[1] instanceof Ref) {
        const key = refKey(msg.elements[1]);
        const peer = watched.get(key);
        watched.delete(key);
        const entry = peer === undefined ? undefined : this.#entries.get(peer);
        if (peer !== undefined && entry?.pid && pidEquals(msg.elements[3], entry.pid)) {
          // as a supervisor reports: normal, shutdown and {shutdown, _} are orderly ends
          const reason = msg.elements[4];
          this.sw.core.log(isCleanExit(reason) ? 'DEBUG' : 'ERR', `erlang_event: listener for ${peer} exited: ${String(reason)}`);
          this.#forget(peer);
        }
        continue;
      }
      const m = msg as { link?: Pid; unlink?: Pid; watch?: Pid; peer?: string; forward?: Pid | readonly [string, string]; term?: Term };
      if (m.forward) {
        try {
          ctx.send(m.forward instanceof Pid ? m.forward : [m.forward[0], m.forward[1]], m.term);
        } catch (e) {
          // a term with no Erlang form: the sender's bug, not a reason for FsPid to die
          this.sw.core.log('ERR', `erlang_event: not sent to ${String(m.forward)}: ${e instanceof Error ? e.message : String(e)}`);
        }
      } else if (m.link) ctx.link(m.link);
      else if (m.unlink) ctx.unlink(m.unlink);
      else if (m.watch && m.peer !== undefined) watched.set(refKey(ctx.monitor(m.watch)), m.peer);
    }
  }
}

/**
 * A listener's section of `erlang handlers`: one per handler pid (DECISIONS.md #3); with none, the
 * listener's own (its pending subscriptions, or nothing: the C prints every listener's list).
 */
function handlerViews(events: EventHandlers): HandlerView[] {
  if (events.all.length > 0) return events.all.map((h) => ({ pid: String(h.pid), types: h.sub.types, subclasses: h.sub.subclasses }));
  const sub = events.pending?.sub;
  return [{ pid: undefined, types: sub?.types ?? new Set(), subclasses: sub?.subclasses ?? new Set() }];
}
