/** mod_callcenter's CUSTOM `callcenter::info` events: optional channel data, then the CC-* headers in the C's order. */
import type { SwitchCore } from '../core/core.ts';

export const CALLCENTER_EVENT = 'callcenter::info';

export type Headers = readonly (readonly [string, string])[];

/** Fires a `callcenter::info` event: `data` (a channel's data headers, kept or read) first, then `headers`. */
export function fireCc(core: SwitchCore, headers: Headers, data: Headers = []): void {
  const event = core.bus.create('CUSTOM', CALLCENTER_EVENT);
  for (const [n, v] of data) event.addHeader(n, v);
  for (const [n, v] of headers) event.addHeader(n, v);
  core.fire(event);
}
