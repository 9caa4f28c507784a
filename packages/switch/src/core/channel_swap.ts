/**
 * CF_CHANNEL_SWAP with its `channel_swap_uuid`, one table per switch: a leg being dialled that is
 * marked here is to be replaced, in the originate dialling it, by the channel it names (mod_dptools'
 * `pickup` marks the `pickup/` leg it takes with the picking channel). The mark is kept here rather
 * than in the leg's process because the originate, the leg's endpoint and the picking channel each
 * read or clear it from their own processes, as the C tests a channel flag from any thread.
 */
import type { SwitchCore } from './core.ts';

const TABLES = new WeakMap<SwitchCore, Map<string, string>>();

function table(core: SwitchCore): Map<string, string> {
  let t = TABLES.get(core);
  if (!t) {
    t = new Map();
    TABLES.set(core, t);
  }
  return t;
}

/** The leg `uuid` is to be swapped for the channel `swapUuid`. */
export function markSwap(core: SwitchCore, uuid: string, swapUuid: string): void {
  table(core).set(uuid, swapUuid);
}

/** The channel the leg is to be swapped for, if it is marked. */
export function swapOf(core: SwitchCore, uuid: string): string | undefined {
  return TABLES.get(core)?.get(uuid);
}

/** The mark cleared; what it named, if anything. */
export function takeSwap(core: SwitchCore, uuid: string): string | undefined {
  const t = TABLES.get(core);
  const swap = t?.get(uuid);
  t?.delete(uuid);
  return swap;
}
