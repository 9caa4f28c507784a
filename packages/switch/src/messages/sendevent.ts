/**
 * sendevent (spec §4.2): an event name (any case), a subclass for CUSTOM, and header pairs →
 * the event to create. Pure: `badarg` for a malformed request, `unknown` for an unknown name
 * (MEE gives no reply at all then).
 */
import { type EventTypeName, nameEvent } from '../events/types.ts';
import { type Header, isHeaderList } from './sendmsg.ts';

export interface SendeventRequest {
  readonly type: EventTypeName;
  readonly subclass?: string;
  readonly headers: readonly Header[];
}

export function parseSendevent(name: unknown, headers: unknown, subclass?: unknown): SendeventRequest | 'badarg' | 'unknown' {
  if (typeof name !== 'string' || !isHeaderList(headers)) return 'badarg';
  if (subclass !== undefined && typeof subclass !== 'string') return 'badarg';
  const type = nameEvent(name);
  if (!type) return 'unknown';
  if (type === 'CUSTOM') {
    if (subclass === undefined) return 'badarg';
    // handle_msg_sendevent: an empty subclass atom is switch_event_create's CUSTOM, with no subclass
    return subclass === '' ? { type, headers } : { type, subclass, headers };
  }
  if (subclass !== undefined) return 'badarg';
  return { type, headers };
}
