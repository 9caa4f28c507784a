/** mod_sofia's CUSTOM events (`sofia::register`, `sofia::gateway_state`, …): the subclass and its headers, in order. */
import type { Switch } from '@beamline/switch';
import type { Registration } from './registrations.ts';

export function fireSofiaEvent(sw: Switch, subclass: string, headers: readonly (readonly [string, string])[]): void {
  const e = sw.core.bus.create('CUSTOM', subclass);
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
