/**
 * The event bus (switch_event.c's dispatch): `create` stamps the standard headers when an event is
 * made (spec §1.2: the sequence and date are the creation's, so an API event carries a smaller
 * sequence than the channel events its command fired); `fire` delivers it.
 *
 * Delivery runs on an rxjs Subject. Each subscriber has a filter (event types, CUSTOM subclasses,
 * or ALL) and a bounded queue: events wait there until the subscriber takes them (a handler is
 * called from a microtask, or the owner pulls with `take`/`next`). A full queue drops the new
 * event, counts it in `overflow` and logs one line per overflow — never a silent loss.
 */
import { Subject, type Subscription as RxSubscription } from 'rxjs';
import { type CallingSite, type EventStamp, type SwitchEvent, type SwitchIdentity, stampedEvent } from './event.ts';
import { callingSite } from './calling.ts';
import type { EventTypeName } from './types.ts';

export const DEFAULT_QUEUE_CAPACITY = 10_000;

export interface SubscribeOptions {
  /** Event types; empty or absent (or containing `ALL`) means every event. */
  readonly types?: readonly EventTypeName[];
  /** CUSTOM subclasses; when given, CUSTOM events only of these subclasses pass. */
  readonly subclasses?: readonly string[];
  /** Queue bound (default 10,000). */
  readonly capacity?: number;
  /** Called (from a microtask) for each queued event; without it, the owner pulls. */
  readonly handler?: (event: SwitchEvent) => void;
  /** A name for the overflow log line. */
  readonly name?: string;
}

export interface EventSubscription {
  readonly name: string;
  /** Events dropped because the queue was full. */
  readonly overflow: number;
  readonly queued: number;
  /** Takes every queued event. */
  take(): SwitchEvent[];
  /** The next event (waits when the queue is empty). */
  next(): Promise<SwitchEvent>;
  unsubscribe(): void;
}

export interface EventBusOptions {
  readonly identity: SwitchIdentity;
  /** Microseconds since the Unix epoch. */
  readonly nowUs: () => number;
  readonly utcOffsetMinutes: (epochMs: number) => number;
  readonly log?: (line: string) => void;
}

export class EventBus {
  readonly #subject = new Subject<SwitchEvent>();
  readonly #options: EventBusOptions;
  #sequence = 0;
  // the zone offset changes only on whole seconds: asked once per second
  #offsetSecond = Number.NaN;
  #offset = 0;
  readonly #subscriptions = new Set<Subscriber>();

  constructor(options: EventBusOptions) {
    this.#options = options;
  }

  /** The last sequence number given out. */
  get sequence(): number {
    return this.#sequence;
  }

  /**
   * switch_event_create: a new event with the standard headers and the next Event-Sequence;
   * `calling` names the C site that creates it where that is not the type's usual one.
   */
  create(type: EventTypeName, subclass?: string, calling: CallingSite = callingSite(type)): SwitchEvent {
    const timeUs = this.#options.nowUs();
    const second = Math.floor(timeUs / 1e6);
    if (second !== this.#offsetSecond) {
      this.#offsetSecond = second;
      this.#offset = this.#options.utcOffsetMinutes(Math.floor(timeUs / 1000));
    }
    const stamp: EventStamp = {
      identity: this.#options.identity,
      timeUs,
      utcOffsetMinutes: this.#offset,
      sequence: ++this.#sequence,
      calling,
    };
    return stampedEvent(type, stamp, subclass);
  }

  fire(event: SwitchEvent): void {
    this.#subject.next(event);
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    const sub = new Subscriber(options, this.#options.log ?? (() => {}), () => this.#subscriptions.delete(sub));
    sub.attach(this.#subject.subscribe((e) => sub.offer(e)));
    this.#subscriptions.add(sub);
    return sub;
  }

  /** Every subscriber's name, queue length and overflow count. */
  stats(): { name: string; queued: number; overflow: number }[] {
    return [...this.#subscriptions].map((s) => ({ name: s.name, queued: s.queued, overflow: s.overflow }));
  }

  close(): void {
    this.#subject.complete();
  }
}

let subscriberCount = 0;

class Subscriber implements EventSubscription {
  readonly name: string;
  #overflow = 0;
  readonly #queue: SwitchEvent[] = [];
  readonly #capacity: number;
  readonly #types: ReadonlySet<string> | undefined;
  readonly #subclasses: ReadonlySet<string> | undefined;
  readonly #handler: ((event: SwitchEvent) => void) | undefined;
  readonly #log: (line: string) => void;
  readonly #onClose: () => void;
  #rx: RxSubscription | undefined;
  #waiter: ((e: SwitchEvent) => void) | undefined;
  #drainScheduled = false;

  constructor(o: SubscribeOptions, log: (line: string) => void, onClose: () => void) {
    this.name = o.name ?? `subscriber-${++subscriberCount}`;
    this.#capacity = Math.max(1, o.capacity ?? DEFAULT_QUEUE_CAPACITY);
    const types = o.types?.length && !o.types.includes('ALL') ? new Set<string>(o.types) : undefined;
    this.#types = types;
    this.#subclasses = o.subclasses?.length ? new Set(o.subclasses) : undefined;
    this.#handler = o.handler;
    this.#log = log;
    this.#onClose = onClose;
  }

  attach(rx: RxSubscription): void {
    this.#rx = rx;
  }

  get overflow(): number {
    return this.#overflow;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** The subscription's filter (switch_event.c: event id, then subclass for CUSTOM). */
  wants(e: SwitchEvent): boolean {
    if (this.#types && !this.#types.has(e.type)) return false;
    if (e.type === 'CUSTOM' && this.#subclasses) return e.subclass !== undefined && this.#subclasses.has(e.subclass);
    return true;
  }

  offer(e: SwitchEvent): void {
    if (!this.wants(e)) return;
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w(e);
      return;
    }
    if (this.#queue.length >= this.#capacity) {
      this.#overflow++;
      this.#log(
        `event queue of ${this.name} full (${this.#capacity}): dropped ${e.type} #${e.getHeader('Event-Sequence') ?? '?'}, ${this.#overflow} lost so far`,
      );
      return;
    }
    this.#queue.push(e);
    if (this.#handler && !this.#drainScheduled) {
      this.#drainScheduled = true;
      queueMicrotask(() => this.#drain());
    }
  }

  #drain(): void {
    this.#drainScheduled = false;
    const handler = this.#handler;
    if (!handler) return;
    for (const e of this.take()) {
      try {
        handler(e);
      } catch (err) {
        this.#log(`event handler of ${this.name} threw: ${String(err)}`);
      }
    }
  }

  take(): SwitchEvent[] {
    return this.#queue.splice(0, this.#queue.length);
  }

  next(): Promise<SwitchEvent> {
    const e = this.#queue.shift();
    if (e) return Promise.resolve(e);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  unsubscribe(): void {
    this.#rx?.unsubscribe();
    this.#queue.length = 0;
    this.#onClose();
  }
}
