/**
 * Call limits (switch_limit.c) with the one backend beamline has, `hash` (mod_hash's limit
 * interface): per `<realm>_<resource>` key, the channels counted and the uses within the last
 * rate interval. A channel's counts go when it reaches CS_HANGUP, or CS_ROUTING (a transfer)
 * unless `limit_ignore_transfer` is true: limit_state_handler, a state-change hook on the channel,
 * running in the channel's own process.
 */
import type { ChannelStateName } from '../channel/states.ts';
import type { EventBus } from '../events/bus.ts';
import type { SwitchEvent } from '../events/event.ts';
import { separateString, switchTrue } from '../internal/strings.ts';

/** The channel a count belongs to (an application's channel). */
export interface LimitChannel {
  readonly uuid: string;
  variable(name: string): string | undefined;
  setVariable(name: string, value: string | undefined): void;
  addStateHook(hook: (state: ChannelStateName) => boolean): void;
}

export interface LimitHashDeps {
  readonly bus: EventBus;
  readonly fire: (event: SwitchEvent) => void;
  readonly log: (level: 'DEBUG' | 'INFO' | 'WARNING' | 'ERR', text: string, uuid?: string) => void;
  /** Epoch seconds. */
  readonly nowSec: () => number;
}

/** Where an over-limit call goes when the application names no destination. */
export const LIMIT_DEF_XFER_EXTEN = 'limit_exceeded';
/** The CUSTOM subclass fired when a channel is counted. */
export const LIMIT_EVENT_USAGE = 'limit::usage';

export interface LimitHashItem {
  total: number;
  rate: number;
  /** Epoch second the rate window began. */
  lastCheck: number;
  interval: number;
}

const AFTER_HANGUP: ReadonlySet<string> = new Set(['CS_HANGUP', 'CS_REPORTING', 'CS_DESTROY']);

export class LimitHash {
  readonly #deps: LimitHashDeps;
  readonly #items = new Map<string, LimitHashItem>();
  /** The keys each channel is counted on; a channel's entry goes with the channel (CS_DESTROY). */
  readonly #channels = new Map<string, Map<string, LimitHashItem>>();
  /** Channels whose counts the state hook releases (limit_backend was set by a count). */
  readonly #armed = new Set<string>();

  constructor(deps: LimitHashDeps) {
    this.#deps = deps;
  }

  #known(backend: string, uuid?: string): boolean {
    if (backend === 'hash') return true;
    this.#deps.log('DEBUG', `Unable to locate limit backend: ${backend}`);
    this.#deps.log('ERR', `Limit subsystem ${backend} not found!`, uuid);
    return false;
  }

  /**
   * switch_limit_incr: counts `ch` on the key; false when over the limit (or an unknown backend).
   * `max` -1: no maximum; `interval` > 0: `max` uses per `interval` seconds.
   */
  incr(backend: string, ch: LimitChannel, realm: string, resource: string, max: number, interval: number): boolean {
    if (!this.#known(backend, ch.uuid)) return false;
    this.#deps.log('DEBUG', `incr called: ${realm}_${resource} max:${max}, interval:${interval}`, ch.uuid);
    if (!this.#hashIncr(ch, realm, resource, max, interval)) return false;
    const existing = ch.variable('limit_backend');
    if (existing !== undefined) {
      if (!existing.includes(backend)) ch.setVariable('limit_backend', `${existing},${backend}`);
    } else {
      ch.setVariable('limit_backend', backend);
      this.#armed.add(ch.uuid);
    }
    return true;
  }

  /** limit_incr_hash. */
  #hashIncr(ch: LimitChannel, realm: string, resource: string, max: number, interval: number): boolean {
    const key = `${realm}_${resource}`;
    let item = this.#items.get(key);
    if (!item) {
      item = { total: 0, rate: 0, lastCheck: 0, interval: 0 };
      this.#items.set(key, item);
    }
    let held = this.#channels.get(ch.uuid);
    if (!held) {
      held = new Map();
      this.#channels.set(ch.uuid, held);
      ch.addStateHook((state) => this.#stateHook(ch, state));
    }
    // a channel is counted once per key, however often it asks
    const increment = held.has(key) ? 0 : 1;
    const now = this.#deps.nowSec();
    if (interval > 0) {
      item.interval = interval;
      if (item.lastCheck <= now - interval) {
        item.rate = 1;
        item.lastCheck = now;
      } else {
        item.rate++;
        if (max >= 0 && item.rate > max) {
          this.#deps.log('INFO', `Usage for ${key} exceeds maximum rate of ${max}/${interval}s, now at ${item.rate}`, ch.uuid);
          return false;
        }
      }
    } else if (max >= 0 && item.total + increment > max) {
      this.#deps.log('INFO', `Usage for ${key} is already at max value (${item.total})`, ch.uuid);
      return false;
    }
    if (increment) {
      item.total++;
      held.set(key, item);
      const usage = max === -1 ? `${item.total}` : interval === 0 ? `${item.total}/${max}` : `${item.rate}/${max} for the last ${interval} seconds`;
      this.#deps.log('DEBUG', `Usage for ${key} is now ${usage}`, ch.uuid);
      const event = this.#deps.bus.create('CUSTOM', LIMIT_EVENT_USAGE);
      event.addHeader('backend', 'hash');
      event.addHeader('realm', realm);
      event.addHeader('key', resource);
      event.addHeader('usage', String(item.total));
      event.addHeader('rate', String(item.rate));
      event.addHeader('max', String(max));
      event.addHeader('ratemax', String(Math.max(max, 0)));
      this.#deps.fire(event);
    }
    ch.setVariable('limit_usage', String(item.total));
    ch.setVariable(`limit_usage_${key}`, String(item.total));
    ch.setVariable('limit_rate', String(item.rate));
    ch.setVariable(`limit_rate_${key}`, String(item.rate));
    return true;
  }

  /** switch_limit_release of every key the channel holds (realm and resource not given). */
  #releaseAll(backend: string, uuid: string): void {
    if (!this.#known(backend, uuid)) return;
    const held = this.#channels.get(uuid);
    if (!held) return;
    for (const [key, item] of held) {
      item.total--;
      this.#deps.log('DEBUG', `Usage for ${key} is now ${item.total}`, uuid);
      if (item.total === 0 && item.rate === 0) this.#items.delete(key);
    }
    held.clear();
  }

  /**
   * switch_limit_release (uuid_limit_release): without realm and resource every key the channel
   * holds, else the one key `<realm>_<resource>` (a missing one prints as C's `(null)`).
   */
  release(backend: string, uuid: string, realm?: string, resource?: string): void {
    if (realm === undefined && resource === undefined) return this.#releaseAll(backend, uuid);
    if (!this.#known(backend, uuid)) return;
    const held = this.#channels.get(uuid);
    const key = `${realm ?? '(null)'}_${resource ?? '(null)'}`;
    const item = held?.get(key);
    if (!held || !item) return;
    item.total--;
    this.#deps.log('DEBUG', `Usage for ${key} is now ${item.total}`, uuid);
    held.delete(key);
    if (item.total === 0 && item.rate === 0) this.#items.delete(key);
  }

  /** switch_limit_usage: [channels counted, uses in the rate window]; 0/0 for an unknown backend. */
  usage(backend: string, realm: string, resource: string): [number, number] {
    if (!this.#known(backend)) return [0, 0];
    const item = this.#items.get(`${realm}_${resource}`);
    return item ? [item.total, item.rate] : [0, 0];
  }

  /** The counted keys (`<realm>_<resource>`) in the order they were made, for mod_hash's `hash_dump limit`. */
  *entries(): IterableIterator<[string, Readonly<LimitHashItem>]> {
    yield* this.#items;
  }

  /** switch_limit_interval_reset: the key's rate starts again at 0 from now. */
  intervalReset(backend: string, realm: string, resource: string): void {
    if (!this.#known(backend)) return;
    const item = this.#items.get(`${realm}_${resource}`);
    if (item) {
      item.rate = 0;
      item.lastCheck = this.#deps.nowSec();
    }
  }

  /** switch_limit_reset: the hash backend has no reset (failure). */
  reset(backend: string): boolean {
    this.#known(backend);
    return false;
  }

  /** switch_limit_status. */
  status(backend: string): string {
    return this.#known(backend) ? '-ERR not supported yet (locking problems).' : '-ERR';
  }

  /** The channel's state hook: limit_state_handler while armed; the channel's entry goes at CS_DESTROY. */
  #stateHook(ch: LimitChannel, state: ChannelStateName): boolean {
    if (this.#armed.has(ch.uuid)) {
      const backends = ch.variable('limit_backend');
      if (!backends) this.#deps.log('DEBUG', 'Unset limit backendlist!', ch.uuid);
      else if (AFTER_HANGUP.has(state) || (state === 'CS_ROUTING' && !switchTrue(ch.variable('limit_ignore_transfer')))) {
        for (const backend of separateString(backends, ',', 6)) this.#releaseAll(backend, ch.uuid);
        this.#armed.delete(ch.uuid);
        ch.setVariable('limit_backend', undefined);
      }
    }
    if (state !== 'CS_DESTROY') return true;
    this.#channels.delete(ch.uuid);
    this.#armed.delete(ch.uuid);
    return false;
  }
}
