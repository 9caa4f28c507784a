/**
 * valet_send_presence and the PRESENCE_PROBE answer (pres_event_handler), `proto: park`: each
 * park or leave sends the lot's state (`Active (N caller[s])` / `Empty`, login the lot's name
 * without its domain) and the slot's (`Holding` while parked, `Empty` once left, login the slot).
 * A lot named `<name>@<domain>` gives that domain, else the switch's (global `domain`), else
 * cluecon.com. A probe `to: park+<lot or slot>@<domain>` is answered with the state of that lot,
 * or of that slot in any lot of no domain or of that domain, else `Empty`.
 */
import type { SwitchCore } from '../core/core.ts';
import { coreDomain } from '../endpoints/pickup_presence.ts';
import type { SwitchEvent } from '../events/event.ts';
import { type ValetLot, type ValetTicket, epochSeconds, findLot, lotCount, valetLots } from './lots.ts';

const VALET_PROTO = 'park';

type Headers = readonly (readonly [string, string])[];

function firePresence(core: SwitchCore, headers: Headers, callId?: string): void {
  const event = core.bus.create('PRESENCE_IN');
  for (const [h, v] of headers) {
    event.addHeader(h, v);
    // the module's running count follows alt_event_type
    if (h === 'alt_event_type') event.addHeader('event_count', String(valetLots(core).eventCount++));
  }
  if (callId !== undefined) event.addHeader('call-id', callId);
  core.fire(event);
}

/** The lot's presence: `count` callers parked (Active) or none (Empty). `login` false: the probe's Empty answer, which has none. */
function lotHeaders(name: string, domain: string, count: number, login = true): Headers {
  const active = count > 0;
  return [
    ['proto', VALET_PROTO],
    ...(login ? ([['login', name]] as const) : []),
    ['from', `${name}@${domain}`],
    ['force-status', active ? `Active (${count} caller${count === 1 ? '' : 's'})` : 'Empty'],
    ['rpid', active ? 'active' : 'unknown'],
    ['event_type', 'presence'],
    ['alt_event_type', 'dialog'],
    ['unique-id', name],
    ['channel-state', active ? 'CS_ROUTING' : 'CS_HANGUP'],
    ['answer-state', active ? 'confirmed' : 'terminated'],
    ['presence-call-direction', 'inbound'],
  ];
}

/** A slot's presence: parked (Holding, or Active once bridged) or `Empty`. `rpid` false: the probe's answer for a slot, which has none. */
function slotHeaders(ext: string, domain: string, ticket: ValetTicket | undefined, rpid = true): Headers {
  if (!ticket) return lotHeaders(ext, domain, 0);
  return [
    ['proto', VALET_PROTO],
    ['login', ext],
    ['from', `${ext}@${domain}`],
    ['force-status', ticket.bridged ? 'Active' : 'Holding'],
    ...(rpid ? ([['rpid', 'active']] as const) : []),
    ['event_type', 'presence'],
    ['alt_event_type', 'dialog'],
    ['unique-id', ext],
    ['channel-state', 'CS_ROUTING'],
    ['answer-state', 'confirmed'],
    ['presence-call-direction', ticket.bridged ? 'inbound' : 'outbound'],
  ];
}

/** `<name>@<domain>` split; the domain defaults to the switch's, then cluecon.com. */
function splitLotName(core: SwitchCore, lotName: string): { name: string; domain: string } {
  const at = lotName.indexOf('@');
  const name = at < 0 ? lotName : lotName.slice(0, at);
  const domain = (at < 0 ? '' : lotName.slice(at + 1)) || coreDomain(core) || 'cluecon.com';
  return { name, domain };
}

/** valet_send_presence: the lot's state, then the slot's (parked when `parked`, else Empty). */
export function sendValetPresence(core: SwitchCore, lotName: string, lot: ValetLot, ticket: ValetTicket, parked: boolean): void {
  const { name, domain } = splitLotName(core, lotName);
  firePresence(core, lotHeaders(name, domain, lotCount(lot, epochSeconds(core))));
  firePresence(core, slotHeaders(ticket.ext, domain, parked ? ticket : undefined));
}

/** pres_event_handler: answers a PRESENCE_PROBE for `park+<lot or slot>@<domain>`. */
export function answerProbe(core: SwitchCore, probe: SwitchEvent): void {
  const to = probe.getHeader('to');
  if (!to?.toLowerCase().startsWith('park+') || !to.includes('@')) return;
  const rest = to.slice(5);
  const at = rest.indexOf('@');
  const name = rest.slice(0, at);
  const domain = rest.slice(at + 1);
  const callId = probe.getHeader('sub-call-id');
  const lot = findLot(core, name, false) ?? findLot(core, `${name}@${domain}`, false);
  if (lot) {
    const count = lotCount(lot, epochSeconds(core));
    firePresence(core, lotHeaders(name, domain, count, count > 0), callId);
    return;
  }
  for (const [lotName, l] of valetLots(core).lots) {
    if (lotName.includes('@') && !lotName.toLowerCase().includes(domain.toLowerCase())) continue;
    const ticket = l.tickets.get(name);
    if (ticket && !ticket.timeout) {
      firePresence(core, slotHeaders(name, domain, ticket, false), callId);
      return;
    }
  }
  firePresence(core, lotHeaders(name, domain, 0), callId);
}
