/**
 * The event handlers of one listener (spec §1.3–§1.8).
 *
 * Several handler pids per node (DECISIONS.md): each `register_event_handler` sender gets a
 * handler of its own, with its own subscriptions, filters and bounded queue. `event`, `nixevent`,
 * `setevent`, `noevents` and `filter` act on the sender's handler when the sender is one;
 * otherwise on the node's most recently registered handler (the original's one-handler meaning:
 * `freeswitch:start_event_handler/4` registers a spawned pid, then `freeswitch:event/2` is called
 * from another process). Before any handler exists they act on the node's pending state, which
 * the first handler to register takes over (the original keeps it on the listener).
 */
import { pidKey, type ProcessContext } from '@beamline/core';
import { type Pid, type Term, atom } from '@beamline/etf';
import type { SwitchEvent } from '@beamline/switch';
import type { ErlangEventConfig } from '../config.ts';
import { eventTerm } from '../encode.ts';
import { eventWire } from '../event_wire.ts';
import { type Filter, passes } from '../internal/filters.ts';
import { Pump } from '../internal/pump.ts';
import { Subscription } from '../internal/subscription.ts';

/** Subscriptions + filters + the "events on" flag. */
export class HandlerState {
  readonly sub = new Subscription();
  readonly filters: Filter[] = [];
  on = false;
}

export class EventHandler extends HandlerState {
  constructor(
    readonly pid: Pid,
    readonly pump: Pump<SwitchEvent>,
  ) {
    super();
  }
}

export interface EventHandlersHost {
  readonly config: ErlangEventConfig;
  /** The listener process (pumps are linked to it). */
  readonly ctx: ProcessContext;
  /** Sends one queued item to its handler (the listener sends them without a sender pid). */
  sendItem(to: Pid, msg: Term): void;
  drained(): Promise<void>;
  /** Lost events (CRIT log + TRAP event). */
  reportLost(what: 'events' | 'log lines', count: number): void;
}

export class EventHandlers {
  readonly #handlers = new Map<string, EventHandler>();
  /** The handlers in registration order, for the per-event loop (no iterator made per event). */
  #list: EventHandler[] = [];
  #primary: EventHandler | undefined;
  #pending: HandlerState | undefined = new HandlerState();
  /** Listener counters (`erlang listeners`). */
  sent = 0;
  creates = 0;
  hangups = 0;

  constructor(private readonly host: EventHandlersHost) {}

  get all(): readonly EventHandler[] {
    return this.#list;
  }

  /** What `event` & co. set before any handler registered (undefined once one took it over). */
  get pending(): HandlerState | undefined {
    return this.#pending;
  }

  get lost(): number {
    let n = 0;
    for (const h of this.#handlers.values()) n += h.pump.lost;
    return n;
  }

  get delivered(): number {
    let n = 0;
    for (const h of this.#handlers.values()) n += h.pump.sent;
    return n;
  }

  /** The state a command from `from` changes. */
  target(from: Pid | undefined): HandlerState {
    const own = from === undefined ? undefined : this.#handlers.get(pidKey(from));
    if (own) return own;
    if (this.#primary) return this.#primary;
    this.#pending ??= new HandlerState();
    return this.#pending;
  }

  register(pid: Pid): EventHandler {
    const key = pidKey(pid);
    const existing = this.#handlers.get(key);
    if (existing) {
      existing.on = true;
      this.#primary = existing;
      return existing;
    }
    // a remote handler gets the list with its headers already in bytes; a local one, the term
    const remote = pid.node !== this.host.ctx.self.node;
    const pump = new Pump<SwitchEvent>(this.host.ctx, pid, {
      capacity: this.host.config.eventQueueCapacity,
      bulk: this.host.config.maxEventBulk,
      encode: (e) => {
        const { encoding, eventFormat } = this.host.config;
        return remote && eventFormat === 'list' ? eventWire(e, encoding) : eventTerm(e, encoding, eventFormat);
      },
      send: (to, msg) => this.host.sendItem(to, msg),
      drained: () => this.host.drained(),
      onLost: (n) => this.host.reportLost('events', n),
    });
    const h = new EventHandler(pid, pump);
    const adopt = this.#handlers.size === 0 ? this.#pending : undefined;
    if (adopt) {
      h.sub.replaceWith(adopt.sub);
      h.filters.push(...adopt.filters);
      this.#pending = undefined;
    }
    h.on = true;
    this.#handlers.set(key, h);
    this.#list = [...this.#handlers.values()];
    this.#primary = h;
    return h;
  }

  /** The handler pid exited (§4.6): its queue, subscriptions and the handler go. */
  exited(pid: Pid): boolean {
    const key = pidKey(pid);
    const h = this.#handlers.get(key);
    if (!h) return false;
    h.pump.purge();
    this.host.ctx.exit(h.pump.pid, atom('kill'));
    this.#handlers.delete(key);
    this.#list = [...this.#handlers.values()];
    if (this.#primary === h) this.#primary = this.#list.at(-1);
    return true;
  }

  /** The pump processes (the listener ends them when it goes). */
  pumps(): Pid[] {
    return this.#list.map((h) => h.pump.pid);
  }

  /** An event from the bus: to every handler that wants it. */
  offer(e: SwitchEvent): void {
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      const h = list[i]!;
      if (!h.on || !h.sub.wants(e) || !passes(h.filters, e, this.host.config.filterSemantics)) continue;
      if (h.pump.push(e)) {
        this.sent++;
        if (e.type === 'CHANNEL_CREATE') this.creates++;
        else if (e.type === 'CHANNEL_HANGUP_COMPLETE') this.hangups++;
      }
    }
  }
}
