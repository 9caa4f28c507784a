/** mod_sofia's CUSTOM events (`sofia::register`, `sofia::gateway_state`, …): the subclass and its headers, in order. */
import type { Switch } from '@beamline/switch';

export function fireSofiaEvent(sw: Switch, subclass: string, headers: readonly (readonly [string, string])[]): void {
  const e = sw.core.bus.create('CUSTOM', subclass);
  for (const [name, value] of headers) e.addHeader(name, value);
  sw.core.fire(e);
}
