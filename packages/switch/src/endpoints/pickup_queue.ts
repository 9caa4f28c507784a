/**
 * mod_dptools' pickup hash, one per switch: for each group key the `pickup/<key>` legs ringing in
 * it, oldest first, and what each leg keeps of its originate (pickup_pvt_t). A key without `@`
 * is filed under `<key>@<domain>` (the global `domain`, else freeswitch.local), so `pickup/sales`
 * and `pickup sales@freeswitch.local` meet. Keys are case-sensitive. Every change that adds or
 * takes a leg sends the group's presence (pickup_presence.ts).
 */
import type { SwitchCore } from '../core/core.ts';
import { coreDomain, sendPickupPresence } from './pickup_presence.ts';

/** What the pickup leg keeps (pickup_pvt_t, and its caller id for the picking channel). */
export interface PickupLeg {
  /** The key as dialled (`pickup/<key>`). */
  readonly key: string;
  /** The originate's variables of the leg, set on the channel that picks it up. */
  readonly vars: readonly (readonly [string, string])[];
  readonly callerIdName: string | undefined;
  readonly callerIdNumber: string | undefined;
}

interface PickupHash {
  readonly queues: Map<string, string[]>;
  readonly legs: Map<string, PickupLeg>;
  /** The presence events' `event_count` (a counter of the module). */
  eventCount: number;
}

const HASHES = new WeakMap<SwitchCore, PickupHash>();

function pickupHash(core: SwitchCore): PickupHash {
  let h = HASHES.get(core);
  if (!h) {
    h = { queues: new Map(), legs: new Map(), eventCount: 0 };
    HASHES.set(core, h);
  }
  return h;
}

const fullKey = (core: SwitchCore, key: string) => (key.includes('@') ? key : `${key}@${coreDomain(core)}`);

/** pickup_send_presence for the group filed under `key`. */
function presence(core: SwitchCore, h: PickupHash, key: string): void {
  sendPickupPresence(core, key, (id) => h.queues.get(id)?.length ?? 0, h.eventCount++);
}

/** pickup_add_session: the leg joins the end of its group. */
export function pickupAdd(core: SwitchCore, uuid: string, leg: PickupLeg): void {
  const h = pickupHash(core);
  const key = fullKey(core, leg.key);
  h.legs.set(uuid, leg);
  const queue = h.queues.get(key);
  if (queue) queue.push(uuid);
  else h.queues.set(key, [uuid]);
  presence(core, h, key);
}

/** pickup_pop_uuid: the group's oldest leg taken from it, or the leg `uuid` when given. */
export function pickupPop(core: SwitchCore, key: string, uuid?: string): string | undefined {
  const h = HASHES.get(core);
  const k = fullKey(core, key);
  const queue = h?.queues.get(k);
  if (!h || !queue) return undefined;
  const at = uuid === undefined ? 0 : queue.indexOf(uuid);
  const popped = at < 0 ? undefined : queue.splice(at, 1)[0];
  if (queue.length === 0) h.queues.delete(k);
  if (popped !== undefined) presence(core, h, k);
  return popped;
}

/** What the leg kept (switch_core_session_get_private), while it exists. */
export const pickupLeg = (core: SwitchCore, uuid: string): PickupLeg | undefined => HASHES.get(core)?.legs.get(uuid);

/** The leg is destroyed: what it kept goes. */
export function pickupForget(core: SwitchCore, uuid: string): void {
  HASHES.get(core)?.legs.delete(uuid);
}
