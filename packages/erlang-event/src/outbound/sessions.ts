/**
 * The outbound half (`CallControl`): every attached call is a `CallSession` process — the pure
 * session machine (session_machine.ts) hosted by core's StateMachine — under the module's `calls`
 * supervisor (simple_one_for_one, temporary). One bus subscription routes each call's events by
 * `Unique-ID` to its sessions, through each attachment's own subscription (default ALL).
 */
import {
  type ChildSpec,
  DOWN,
  type EffectFn,
  GenServer,
  type ProcessContext,
  StateMachine,
  Supervisor,
  type Where,
  inProcess,
  pidEquals,
  refKey,
} from '@beamline/core';
import { type Atom, Pid, type Ref, type Term, Tuple, atom, t } from '@beamline/etf';
import type { CallingSite, ChannelCall, EventSubscription, Switch, SwitchEvent } from '@beamline/switch';
import type { Encoding, EventFormat } from '../config.ts';
import { eventTerm, s } from '../encode.ts';
import { Subscription } from '../internal/subscription.ts';
import type { OutboundTarget } from './args.ts';
import type { CallControl, CallListener, HandlecallResult, SessionOp } from './call_control.ts';
import { type AttachKind, type ExitPolicy, type SessionEvent, type SessionInput, sessionMachine } from './session_machine.ts';

export interface OutboundHost {
  readonly sw: Switch;
  readonly fsPid: Pid;
  readonly config: { readonly encoding: Encoding; readonly eventFormat: EventFormat };
  /** FsPid links to `pid`. */
  link(pid: Pid): void;
  /** FsPid unlinks `pid`, after what it was asked to send before. */
  unlink(pid: Pid): void;
  /** Sends with FsPid as the sender, in order. */
  sendAsFs(to: Pid | readonly [name: string, node: string], term: Term): void;
  /** The listener for `peer`, connecting out when needed; undefined when that fails in time. */
  listenerFor(peer: string, timeoutMs: number): Promise<CallListener | undefined>;
  readonly runtime: Where & { makeRef(): Ref; isAlive(pid: Pid): boolean };
}

export interface OutboundOptions {
  /** What a handler's exit or its node's loss does to a parked outbound call (default hangup). */
  readonly exitPolicy?: ExitPolicy;
  /** Connecting out to a node not connected yet (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /** The get_pid / rpc handshake (default 5000 ms, as the original). */
  readonly pidTimeoutMs?: number;
  /** Events waiting for `{call, …}` per call (default 100,000). */
  readonly queueCapacity?: number;
}

interface Attachment {
  readonly uuid: string;
  readonly listener: CallListener;
  readonly kind: AttachKind;
  readonly target: OutboundTarget | undefined;
  handler: Pid | Atom | undefined;
  readonly sub: Subscription;
  /** The last Channel-State seen after attachment (`erlang sessions`). */
  state: string;
  proc: Pid | undefined;
  /** Session events that arrived before the process was up. */
  pending: SessionEvent[] | undefined;
  /** The handshake's ref, while the pid is awaited. */
  ref: Ref | undefined;
  /** The `erlang` application waits for this: true once a handler is known, false when none came. */
  readonly handled: Promise<boolean>;
  settle(ok: boolean): void;
  gone: boolean;
  /** `handlecall`: its `{call, Data}` already went (right after the command's reply, as the original's next loop pass sends it). */
  announced?: boolean;
}

/** The session's only monitor is its named handler's (watchHandler): its DOWN is a handler exit. */
const handlerDown = (m: unknown): SessionEvent | undefined => (m instanceof Tuple && m.elements[0] === DOWN ? { type: 'handler_exit' } : undefined);

/** Where mod_erlang_event makes the `{call, _}` event (its Event-Calling-* headers). */
const NOTIFY_NEW_SESSION: CallingSite = { file: 'mod_erlang_event.c', func: 'notify_new_session', line: 646 };
const A_OK = atom('ok');
const A_ERROR = atom('error');
const ALL = [atom('ALL')];

/** A reference as the original matches it: node and numbers, creation ignored (spec §1.23). */
const refId = (r: Ref) => `${r.node.name}|${r.ids.join('.')}`;

export class OutboundCalls implements CallControl {
  readonly exitPolicy: ExitPolicy;
  readonly connectTimeoutMs: number;
  readonly #pidTimeoutMs: number;
  readonly #queueCapacity: number;
  readonly #byUuid = new Map<string, Attachment[]>();
  readonly #byRef = new Map<string, Attachment>();
  #sup: Pid | undefined;
  #bus: EventSubscription | undefined;

  constructor(
    private readonly host: OutboundHost,
    options: OutboundOptions = {},
  ) {
    this.exitPolicy = options.exitPolicy ?? 'hangup';
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.#pidTimeoutMs = options.pidTimeoutMs ?? 5000;
    this.#queueCapacity = options.queueCapacity ?? 100_000;
  }

  /** The `calls` supervisor in the module's tree. */
  readonly childSpec: ChildSpec = {
    id: 'calls',
    type: 'supervisor',
    start: async (ctx: ProcessContext) => {
      const sup = await Supervisor.start(ctx, {
        strategy: 'simple_one_for_one',
        intensity: 1000,
        period: 1,
        children: [
          {
            id: 'call',
            restart: 'temporary',
            shutdown: 2000,
            start: (c: ProcessContext, a: Attachment, input: SessionInput) =>
              StateMachine.start(c, sessionMachine, { input, actions: this.#effects(a), toEvent: handlerDown }),
          },
        ],
      });
      // restarted (killed from outside): the calls attached before are gone with the old one
      if (this.#sup !== undefined) this.#dropAll();
      this.#sup = sup;
      return sup;
    },
  };

  /** The module started (the `calls` supervisor is up). Returns the unload. */
  started(): () => void {
    this.#bus = this.host.sw.events.subscribe({
      name: 'erlang_event calls',
      capacity: 1_000_000,
      handler: (e) => this.#route(e),
    });
    return () => this.#bus?.unsubscribe();
  }

  /**
   * The module stops: every session is told (`unload`) and waited for (at most `ms`), so that a
   * handler whose call is gone, or hung up by the exit policy, gets `{call_hangup, UUID}` while
   * its node is still connected (FreeSWITCH's listener sends it for each finished call before it
   * goes; the calls still up are orphaned). Then FsPid unlinks those handlers: FsPid's own
   * shutdown would otherwise kill a handler before it reads its `call_hangup` (DECISIONS O14).
   */
  async unload(ms = 2000): Promise<void> {
    const gone = new Set(['CS_HANGUP', 'CS_REPORTING', 'CS_DESTROY']);
    const procs: Pid[] = [];
    const handlers: Pid[] = [];
    for (const list of [...this.#byUuid.values()])
      for (const a of [...list]) {
        const callGone = !this.host.sw.core.sessions.has(a.uuid) || gone.has(a.state);
        if (a.proc) procs.push(a.proc);
        if (a.handler instanceof Pid) handlers.push(a.handler);
        this.#tell(a, { type: 'unload', callGone });
      }
    if (procs.length > 0) await this.#ended(procs, ms);
    for (const pid of handlers) this.host.unlink(pid);
  }

  /** Resolves when every one of `procs` has exited, or after `ms`. */
  #ended(procs: readonly Pid[], ms: number): Promise<void> {
    return inProcess(this.host.runtime, async (ctx) => {
      const refs = new Set(procs.map((p) => refKey(ctx.monitor(p))));
      const until = ctx.now() + ms;
      while (refs.size > 0) {
        const m = await ctx.receive((x) => x instanceof Tuple && x.elements[0] === DOWN, Math.max(0, until - ctx.now()));
        if (!(m instanceof Tuple)) return; // timed out
        refs.delete(refKey(m.elements[1] as Ref));
      }
    });
  }

  // ---- attaching -----------------------------------------------------------------------------------

  /** The attachment of `uuid` through `listener`, if any. */
  attachmentOf(listener: CallListener, uuid: string): { readonly handled: Promise<boolean> } | undefined {
    return this.#byUuid.get(uuid)?.find((a) => a.listener.peer === listener.peer && !a.gone);
  }

  /** The `erlang` application: attach `uuid` to `target` on `listener` (parked: the exit policy applies). */
  attachOutbound(listener: CallListener, uuid: string, target: OutboundTarget): Promise<boolean> {
    const a = this.#attach(listener, uuid, target.kind, target, target.kind === 'registered' ? atom(target.name) : undefined, true);
    return a.handled;
  }

  async handlecall(listener: CallListener, uuid: string, handler: Pid | Atom): Promise<HandlecallResult> {
    if (!this.host.sw.core.sessions.has(uuid)) return 'badsession';
    if (!this.#sup) return 'session_attach_failed';
    // the call's data as it is now: a hangup right after the command must not take the `{call, _}` away
    const headers = await this.#callData(uuid);
    if (headers === undefined) return 'badsession';
    // the same listener again: the new attachment replaces the old one (last wins)
    for (const old of this.#byUuid.get(uuid) ?? []) if (old.listener.peer === listener.peer) this.#detach(old);
    const a = this.#attach(listener, uuid, 'handlecall', undefined, handler, false);
    listener.deliver(handler, this.#callTerm(headers));
    a.announced = true;
    return 'ok';
  }

  /** The channel's data (switch_channel_event_set_data), or undefined when the channel is gone. */
  async #callData(uuid: string): Promise<readonly (readonly [string, string])[] | undefined> {
    const channel = this.host.sw.core.sessions.get(uuid);
    if (!channel) return undefined;
    // notify_new_session: the caller profile as `Channel-*`, then the channel data
    const req: ChannelCall = { op: 'data', basic: false, profilePrefix: 'Channel' };
    return GenServer.call<[string, string][]>(this.host.runtime, channel, req).catch(() => undefined);
  }

  /** notify_new_session's `{call, Event}`: the channel data as CHANNEL_DATA, with the reply headers. */
  #callTerm(headers: readonly (readonly [string, string])[]): Term {
    const event = this.host.sw.core.bus.create('CHANNEL_DATA', undefined, NOTIFY_NEW_SESSION);
    for (const [k, v] of headers) event.addHeader(k, v);
    event.addHeader('Content-Type', 'command/reply');
    event.addHeader('Reply-Text', '+OK\n');
    return t(atom('call'), eventTerm(event, this.host.config.encoding, this.host.config.eventFormat));
  }

  #attach(
    listener: CallListener,
    uuid: string,
    kind: AttachKind,
    target: OutboundTarget | undefined,
    handler: Pid | Atom | undefined,
    outbound: boolean,
  ): Attachment {
    let settle: (ok: boolean) => void = () => {};
    const handled = new Promise<boolean>((r) => {
      settle = r;
    });
    const sub = new Subscription();
    sub.add(ALL);
    const a: Attachment = {
      uuid,
      listener,
      kind,
      target,
      handler,
      sub,
      state: 'CS_NEW',
      proc: undefined,
      pending: [],
      ref: undefined,
      handled,
      settle,
      gone: false,
    };
    if (handler !== undefined) settle(true);
    const list = this.#byUuid.get(uuid) ?? [];
    list.push(a);
    this.#byUuid.set(uuid, list);
    const input: SessionInput = {
      uuid,
      kind,
      ...(handler === undefined ? {} : { handler }),
      outbound,
      policy: this.exitPolicy,
      pidTimeoutMs: this.#pidTimeoutMs,
      queueCapacity: this.#queueCapacity,
    };
    Supervisor.startChild(this.host.runtime, this.#sup as Pid, [a, input]).then(
      (r) => {
        if (!r.ok || !r.pid) {
          this.host.sw.core.log('ERR', `erlang_event: session for ${uuid} did not start: ${String(r.ok ? 'ignored' : r.error)}`, uuid);
          this.#forget(a);
          a.settle(false);
          return;
        }
        a.proc = r.pid;
        const pending = a.pending ?? [];
        a.pending = undefined;
        for (const e of pending) this.host.runtime.send(r.pid, e);
      },
      (e: unknown) => this.host.sw.core.log('ERR', `erlang_event: session for ${uuid}: ${String(e)}`, uuid),
    );
    return a;
  }

  #tell(a: Attachment, e: SessionEvent): void {
    if (a.gone) return;
    if (a.pending) a.pending.push(e);
    else if (a.proc && this.host.runtime.isAlive(a.proc)) this.host.runtime.send(a.proc, e);
    else if (a.proc) this.#lost(a); // the session process crashed (an effect threw)
  }

  /** The attachment's session process is gone: the attachment goes with it. */
  #lost(a: Attachment): void {
    this.host.sw.core.log('ERR', `erlang_event: the session of ${a.uuid} is gone; the call is no longer attached`, a.uuid);
    a.settle(false);
    this.#forget(a);
  }

  /** The `calls` supervisor was restarted: the sessions it had went with the old one. */
  #dropAll(): void {
    for (const list of [...this.#byUuid.values()]) for (const a of [...list]) if (a.proc && !this.host.runtime.isAlive(a.proc)) this.#lost(a);
  }

  #detach(a: Attachment): void {
    this.#tell(a, { type: 'detach' });
    this.#forget(a);
  }

  #forget(a: Attachment): void {
    if (a.ref !== undefined) this.#byRef.delete(refId(a.ref));
    const list = this.#byUuid.get(a.uuid);
    const i = list?.indexOf(a) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
    if (list?.length === 0) this.#byUuid.delete(a.uuid);
    // a pending `detach` still reaches the process
    if (a.pending) a.pending.push({ type: 'detach' });
    a.gone = true;
  }

  // ---- events -----------------------------------------------------------------------------------------

  #route(e: SwitchEvent): void {
    if (this.#byUuid.size === 0) return; // no call attached: spare the header lookup
    const uuid = e.getHeader('Unique-ID');
    if (uuid === undefined) return;
    const list = this.#byUuid.get(uuid);
    if (!list) return;
    // mod_erlang_event's state_handler: the state changes since the attach, not every event's Channel-State
    const state = e.type === 'CHANNEL_STATE' ? e.getHeader('Channel-State') : undefined;
    for (const a of [...list]) {
      if (state !== undefined) a.state = state;
      // CS_DESTROY ends the attachment; CHANNEL_DESTROY itself is not delivered (spec §3.3)
      if (e.type === 'CHANNEL_DESTROY') this.#tell(a, { type: 'destroyed' });
      else if (a.sub.wants(e)) this.#tell(a, { type: 'event', term: eventTerm(e, this.host.config.encoding, this.host.config.eventFormat) });
    }
  }

  // ---- CallControl ----------------------------------------------------------------------------------

  session(listener: CallListener, from: Pid, op: SessionOp, atoms: readonly Atom[]): Term | undefined {
    let found: Attachment | undefined;
    for (const list of this.#byUuid.values())
      for (const a of list) if (!found && a.listener.peer === listener.peer && a.handler instanceof Pid && pidEquals(a.handler, from)) found = a;
    if (!found) return undefined;
    switch (op) {
      case 'session_event':
        found.sub.add(atoms);
        return A_OK;
      case 'session_nixevent':
        found.sub.remove(atoms);
        return A_OK;
      case 'session_setevent': {
        const { set, sawAll } = Subscription.build(atoms);
        if (sawAll) return t(A_ERROR, atom('badarg'));
        found.sub.replaceWith(set);
        return A_OK;
      }
      case 'session_noevents':
        found.sub.clear();
        this.#tell(found, { type: 'purge' });
        return A_OK;
    }
  }

  spawnReply(_listener: CallListener, ref: Ref, pid: Pid): boolean {
    const a = this.#byRef.get(refId(ref));
    if (!a) return false;
    this.#byRef.delete(refId(ref));
    a.ref = undefined;
    a.handler = pid;
    a.settle(true);
    this.#tell(a, { type: 'pid', pid });
    return true;
  }

  pidExited(_listener: CallListener, pid: Pid): void {
    for (const list of this.#byUuid.values())
      for (const a of [...list]) if (a.handler instanceof Pid && pidEquals(a.handler, pid)) this.#tell(a, { type: 'handler_exit' });
  }

  listenerDown(listener: CallListener): void {
    for (const list of [...this.#byUuid.values()])
      for (const a of [...list])
        if (a.listener.peer === listener.peer) {
          this.#tell(a, { type: 'listener_down' });
          this.#forget(a);
        }
  }

  sessions(peer: string): readonly { uuid: string; state: string }[] {
    const out: { uuid: string; state: string }[] = [];
    for (const list of this.#byUuid.values())
      for (const a of list)
        if (a.listener.peer === peer && (!a.proc || this.host.runtime.isAlive(a.proc))) out.push({ uuid: a.uuid, state: a.state });
    return out;
  }

  // ---- the session machine's effects -------------------------------------------------------------------

  #effects(a: Attachment): Record<string, EffectFn> {
    const host = this.host;
    const sw = host.sw;
    const enc = () => host.config.encoding;
    const toHandler = (term: Term) => {
      if (a.handler !== undefined) a.listener.deliver(a.handler, term);
    };
    const hangup = () => void sw.api(`uuid_kill ${a.uuid} DESTINATION_OUT_OF_ORDER`).catch(() => {});
    return {
      requestPid: () => {
        if (a.ref !== undefined) this.#byRef.delete(refId(a.ref));
        const ref = host.runtime.makeRef();
        a.ref = ref;
        this.#byRef.set(refId(ref), a);
        const target = a.target;
        if (target?.kind === 'get_pid') a.listener.send(atom(target.module), t(atom('get_pid'), s(a.uuid, enc()), ref, host.fsPid));
        else if (target?.kind === 'rpc')
          host.sendAsFs(['rex', a.listener.peer], t(host.fsPid, t(atom('call'), atom(target.module), atom(target.function), [ref], atom('user'))));
      },
      linkHandler: () => {
        if (a.handler instanceof Pid) host.link(a.handler);
      },
      // a remote monitor by name: DOWN when the process registered under it now dies (noproc at once when none is)
      watchHandler: (ctx) => {
        if (a.handler !== undefined && !(a.handler instanceof Pid)) ctx.monitor([a.handler.name, a.listener.peer]);
      },
      fetchCallData: (ctx) => {
        const self = ctx.self;
        // an announced call's data went with its `{call, _}`; the session only needs to go on
        if (a.announced) return host.runtime.send(self, { type: 'call_data', headers: [] });
        this.#callData(a.uuid).then((headers) => host.runtime.send(self, { type: 'call_data', headers }));
      },
      sendCall: (_ctx, _info, p: { headers: readonly (readonly [string, string])[]; queue: readonly Term[] }) => {
        if (!a.announced) toHandler(this.#callTerm(p.headers));
        for (const term of p.queue) toHandler(t(atom('call_event'), term));
      },
      sendEvent: (_ctx, _info, p: { term: Term }) => toHandler(t(atom('call_event'), p.term)),
      sendCallHangup: () => toHandler(t(atom('call_hangup'), s(a.uuid, enc()))),
      hangupCall: () => {
        // says why: a registered name nobody holds yet ends the call at once under this policy
        const by =
          a.handler === undefined
            ? 'its handler'
            : `its handler ${a.handler instanceof Pid ? String(a.handler) : `{${a.handler.name}, ${a.listener.peer}}`}`;
        sw.core.log('WARNING', `Hanging up ${a.uuid}: ${by} or its node is gone (outbound-exit-policy hangup; keep leaves the call parked)`, a.uuid);
        hangup();
      },
      pidTimedOut: () => {
        // ei_hash_ref names the handshake: the ref's first three words @ its node
        const hash = a.ref ? `${a.ref.ids.slice(0, 3).join('.')}@${a.ref.node.name}` : '';
        sw.core.log('WARNING', `Timed out when waiting for outbound pid ${hash} ${a.uuid}`, a.uuid);
        a.settle(false);
        hangup();
      },
      orphan: () => sw.core.log('ERR', `Orphaning call ${a.uuid}`, a.uuid),
      lostEvents: (_ctx, _info, p: { n: number }) => {
        if (p.n > 0) sw.core.log('CRIT', `Lost ${p.n} events for ${a.uuid} while waiting for its handler!`, a.uuid);
      },
      release: () => {
        a.settle(false);
        if (!a.gone) this.#forget(a);
      },
    };
  }
}
