/**
 * pickup_send_presence: PRESENCE_IN for a pickup group (`proto: pickup`), sent whenever a leg
 * joins or leaves it: `Active (N call[s])` while legs ring in it, else `Idle`. The key is the
 * group's full key; its domain (else the switch's, else cluecon.com as in the C) names the group.
 * The C gives the group's name without its domain as `unique-id` of an active group, and with it
 * for an idle one; both are kept.
 */
import type { SwitchCore } from '../core/core.ts';

/** switch_core_get_domain: the global `domain`, else freeswitch.local. */
export const coreDomain = (core: SwitchCore): string => core.globals.get('domain') ?? 'freeswitch.local';

/** `count`: the legs ringing under a full key; `eventCount`: the module's running presence count. */
export function sendPickupPresence(core: SwitchCore, key: string, count: (id: string) => number, eventCount: number): void {
  const at = key.indexOf('@');
  const name = at < 0 ? key : key.slice(0, at);
  const domain = (at < 0 ? '' : key.slice(at + 1)) || coreDomain(core) || 'cluecon.com';
  const id = `${name}@${domain}`;
  const n = count(id);
  const event = core.bus.create('PRESENCE_IN');
  const active = n > 0;
  const headers: readonly (readonly [string, string])[] = [
    ['proto', 'pickup'],
    ['login', id],
    ['from', id],
    ['force-status', active ? `Active (${n} call${n === 1 ? '' : 's'})` : 'Idle'],
    ['rpid', active ? 'active' : 'unknown'],
    ['event_type', 'presence'],
    ['alt_event_type', 'dialog'],
    ['event_count', String(eventCount)],
    ['unique-id', active ? name : id],
    ['channel-state', active ? 'CS_ROUTING' : 'CS_HANGUP'],
    ['answer-state', active ? 'confirmed' : 'terminated'],
    ['call-direction', 'inbound'],
  ];
  for (const [h, v] of headers) event.addHeader(h, v);
  core.fire(event);
}
