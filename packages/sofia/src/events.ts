/** mod_sofia's CUSTOM events (`sofia::register`, `sofia::gateway_state`, …): the subclass and its headers, in order. */
import type { CallingSite, Switch, SwitchEvent } from '@beamline/switch';
import type { Registration } from './registrations.ts';

const REGISTER_TOKEN = 'sofia_reg_handle_register_token';
const REFER = 'sofia_handle_sip_i_refer';

/** Where mod_sofia creates each event (its Event-Calling-File/-Function/-Line). */
const SITES: Readonly<Record<string, CallingSite>> = {
  'sofia::register': { file: 'sofia_reg.c', func: REGISTER_TOKEN, line: 2059 },
  'sofia::register_attempt': { file: 'sofia_reg.c', func: REGISTER_TOKEN, line: 1606 },
  'sofia::register_failure': { file: 'sofia_reg.c', func: REGISTER_TOKEN, line: 1792 },
  'sofia::pre_register': { file: 'sofia_reg.c', func: REGISTER_TOKEN, line: 1810 },
  'sofia::unregister': { file: 'sofia_reg.c', func: REGISTER_TOKEN, line: 2213 },
  'sofia::expire': { file: 'sofia_reg.c', func: 'sofia_reg_del_callback', line: 726 },
  'sofia::gateway_state': { file: 'sofia_reg.c', func: 'sofia_reg_fire_custom_gateway_state_event', line: 156 },
  'sofia::sip_user_state': { file: 'sofia_reg.c', func: 'sofia_reg_fire_custom_sip_user_state_event', line: 179 },
  'sofia::gateway_add': { file: 'sofia_reg.c', func: 'sofia_reg_add_gateway', line: 3723 },
  'sofia::replaced': { file: 'sofia.c', func: REFER, line: 9183 },
  'sofia::transferor': { file: 'sofia.c', func: REFER, line: 9189 },
  'sofia::transferee': { file: 'sofia.c', func: REFER, line: 9197 },
  'sofia::intercepted': { file: 'sofia.c', func: 'sofia_handle_sip_i_invite_replaces', line: 11827 },
};

/** A CUSTOM event of mod_sofia's, stamped where mod_sofia creates it. */
export function sofiaEvent(sw: Switch, subclass: string): SwitchEvent {
  return Object.hasOwn(SITES, subclass) ? sw.core.bus.create('CUSTOM', subclass, SITES[subclass]) : sw.core.bus.create('CUSTOM', subclass);
}

export function fireSofiaEvent(sw: Switch, subclass: string, headers: readonly (readonly [string, string])[]): void {
  const e = sofiaEvent(sw, subclass);
  for (const [name, value] of headers) e.addHeader(name, value);
  sw.core.fire(e);
}

/** `sofia::expire` for a registration that ends without an unREGISTER (expiry, a flush). */
export function fireExpire(sw: Switch, profileName: string, r: Registration): void {
  fireSofiaEvent(sw, 'sofia::expire', [
    ['profile-name', profileName],
    ['call-id', r.callId],
    ['user', r.user],
    ['username', r.user],
    ['host', r.host],
    ['contact', r.contact],
    ['expires', String(Math.floor(r.expiresAtMs / 1000))],
    ['user-agent', r.userAgent],
    ['realm', r.realm],
    ['network-ip', r.networkIp],
    ['network-port', String(r.networkPort)],
  ]);
}
