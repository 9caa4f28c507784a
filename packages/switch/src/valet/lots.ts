/**
 * mod_valet_parking's lots, one set per switch: each lot (created by the first `valet_park` that
 * names it) maps a slot number to its ticket (valet_token_t). A ticket is live while its
 * `timeout` is 0; a positive `timeout` marks it reserved until that epoch second (a call being
 * carried into the slot) or, at 1, left. Left and lapsed tickets are swept at most every
 * TOKEN_FREQ seconds, when a `valet_park` starts (check_timeouts). Lot names and slots are
 * case-sensitive; lots and slots keep the order they were made in.
 */
import type { SwitchCore } from '../core/core.ts';

/** How often (seconds) lapsed tickets are swept, and how long a carried call's slot stays reserved. */
export const TOKEN_FREQ = 5;

export interface ValetTicket {
  ext: string;
  /** The parked call, or the parker while a carried call is on its way (the call's `valet_ticket`). */
  uuid: string;
  /** 0: live; 1: left; else the epoch second a reservation lapses. */
  timeout: number;
  bridged: boolean;
  startTime: number;
}

export interface ValetLot {
  readonly name: string;
  readonly tickets: Map<string, ValetTicket>;
}

interface ValetLots {
  readonly lots: Map<string, ValetLot>;
  lastTimeoutCheck: number;
  /** The presence events' `event_count` (the module's counter). */
  eventCount: number;
}

const LOTS = new WeakMap<SwitchCore, ValetLots>();

export function valetLots(core: SwitchCore): ValetLots {
  let v = LOTS.get(core);
  if (!v) {
    v = { lots: new Map(), lastTimeoutCheck: 0, eventCount: 0 };
    LOTS.set(core, v);
  }
  return v;
}

export const epochSeconds = (core: SwitchCore): number => Math.floor(core.nowUs() / 1_000_000);

/** valet_find_lot. */
export function findLot(core: SwitchCore, name: string, create: boolean): ValetLot | undefined {
  const { lots } = valetLots(core);
  let lot = lots.get(name);
  if (!lot && create) {
    lot = { name, tickets: new Map() };
    lots.set(name, lot);
  }
  return lot;
}

const lapsed = (t: ValetTicket, now: number) => t.timeout > 0 && (t.timeout < now || t.timeout === 1);

/** check_timeouts: at most every TOKEN_FREQ seconds, left and lapsed tickets go. */
export function checkTimeouts(core: SwitchCore): void {
  const v = valetLots(core);
  const now = epochSeconds(core);
  if (now - v.lastTimeoutCheck < TOKEN_FREQ) return;
  v.lastTimeoutCheck = now;
  for (const lot of v.lots.values()) for (const [ext, t] of lot.tickets) if (lapsed(t, now)) lot.tickets.delete(ext);
}

/** valet_lot_count: the tickets neither left nor lapsed. */
export function lotCount(lot: ValetLot, now: number): number {
  let n = 0;
  for (const t of lot.tickets.values()) if (!lapsed(t, now)) n++;
  return n;
}

/** The C's atoi: leading digits (with a sign), else 0. */
export function atoi(s: string | undefined): number {
  const n = Number.parseInt(s ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

/** find_longest: the slot in min..max whose ticket is the oldest (by whole seconds, older than this one); 0 when none. */
function findLongest(lot: ValetLot, min: number, max: number, now: number): number {
  let longest = 0;
  let longestExt = 0;
  for (const t of lot.tickets.values()) {
    const cur = now - t.startTime;
    const i = atoi(t.ext);
    if (cur > longest && i >= min && i <= max) {
      longest = cur;
      longestExt = i;
    }
  }
  return longestExt;
}

/**
 * next_id: `in` takes the first free slot from `min` (1 when 0) to `max` (0: no end) for `uuid`;
 * out gives the longest-parked slot in the range, else the lowest live one. Undefined when the
 * lot is full (in) or has nobody (out).
 */
export function nextId(lot: ValetLot, uuid: string, min: number, max: number, inbound: boolean, now: number): ValetTicket | undefined {
  const from = min || 1;
  if (!inbound) {
    const longest = findLongest(lot, from, max, now);
    const t = longest > 0 ? lot.tickets.get(String(longest)) : undefined;
    if (t) return t;
    // without a top the C would search for ever; no slot above the highest taken one can match
    const top = max === 0 ? Math.max(0, ...[...lot.tickets.keys()].map(atoi)) : max;
    for (let i = from; i <= top; i++) {
      const found = lot.tickets.get(String(i));
      if (found && !found.timeout) return found;
    }
    return undefined;
  }
  for (let i = from; i <= max || max === 0; i++) {
    const ext = String(i);
    if (lot.tickets.has(ext)) continue;
    const t: ValetTicket = { ext, uuid, timeout: 0, bridged: false, startTime: now };
    lot.tickets.set(ext, t);
    return t;
  }
  return undefined;
}
