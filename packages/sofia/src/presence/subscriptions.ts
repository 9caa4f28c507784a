/**
 * A profile's subscriptions (mod_sofia's sip_subscriptions table): one row per SUBSCRIBE dialog,
 * keyed by Call-ID as the C keys it, found by the user and host subscribed to and the event
 * package, swept when they expire.
 */
import type { Address } from '../transport.ts';

export type SubscriptionEvent = 'presence' | 'dialog' | 'message-summary';

export interface Subscription {
  readonly callId: string;
  readonly event: SubscriptionEvent;
  /** `sip`, or the `<proto>+` prefix of the user subscribed to (`pickup+4000`: `pickup`). */
  readonly proto: string;
  /** The subscriber (From user and host). */
  readonly user: string;
  readonly host: string;
  /** Who is watched (the To user without a proto prefix, and its host). */
  readonly toUser: string;
  readonly toHost: string;
  /** The SUBSCRIBE's From as sent (our NOTIFY's To) and its To with our tag (our NOTIFY's From). */
  readonly fullFrom: string;
  readonly fullTo: string;
  /** The subscriber's Contact URI: our NOTIFY's Request-URI. */
  readonly contactUri: string;
  /** Where the SUBSCRIBE came from: where NOTIFYs go. */
  readonly source: Address;
  readonly userAgent: string;
  readonly expiresAtMs: number;
  /** The CSeq of our last NOTIFY in this dialog. */
  cseq: number;
  /** The dialog-info version of our last NOTIFY (-1 before the first, as the C inserts it). */
  version: number;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export class Subscriptions {
  readonly #byCallId = new Map<string, Subscription>();

  get(callId: string): Subscription | undefined {
    return this.#byCallId.get(callId);
  }

  /** Adds or refreshes a subscription; a refresh keeps its CSeq and version. */
  set(s: Subscription): Subscription {
    const old = this.#byCallId.get(s.callId);
    const row = old ? { ...s, cseq: old.cseq, version: old.version } : s;
    this.#byCallId.set(s.callId, row);
    return row;
  }

  delete(callId: string): Subscription | undefined {
    const s = this.#byCallId.get(callId);
    this.#byCallId.delete(callId);
    return s;
  }

  /**
   * The subscriptions an event for `user@host` reaches (the presence handler's select): of one of
   * `events`, of that proto, to that user, and to that host, or to the profile's own address, or
   * of a profile whose presence-hosts has the event's host.
   */
  matching(
    events: readonly string[],
    proto: string,
    user: string,
    host: string,
    own: readonly string[],
    presenceHosts: readonly string[],
  ): Subscription[] {
    const hostOk = (s: Subscription) => same(s.toHost, host) || own.some((h) => same(s.toHost, h)) || presenceHosts.some((h) => same(h, host));
    return [...this.#byCallId.values()].filter((s) => events.includes(s.event) && same(s.proto, proto) && s.toUser === user && hostOk(s));
  }

  /** Removes and returns the rows that expired at `nowMs`. */
  sweep(nowMs: number): Subscription[] {
    const gone: Subscription[] = [];
    for (const [id, s] of this.#byCallId)
      if (s.expiresAtMs <= nowMs) {
        gone.push(s);
        this.#byCallId.delete(id);
      }
    return gone;
  }

  all(): Subscription[] {
    return [...this.#byCallId.values()];
  }
}
