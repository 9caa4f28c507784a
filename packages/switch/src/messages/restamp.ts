/** A created event whose Event-Calling-* headers name another site (the C function that made it). */
import { SwitchEvent } from '../events/event.ts';

export interface Site {
  readonly file: string;
  readonly func: string;
  readonly line: number;
}

export function restamp(event: SwitchEvent, site: Site): SwitchEvent {
  const out = new SwitchEvent(event.type, event.subclass);
  for (const h of event.headers) {
    let value = h.value;
    if (h.name === 'Event-Calling-File') value = site.file;
    else if (h.name === 'Event-Calling-Function') value = site.func;
    else if (h.name === 'Event-Calling-Line-Number') value = String(site.line);
    out.addHeader(h.name, value);
  }
  out.body = event.body;
  return out;
}

export const SENDMSG_SITE: Site = { file: 'handle_msg.c', func: 'handle_msg_sendmsg', line: 530 };
export const SENDEVENT_SITE: Site = { file: 'handle_msg.c', func: 'handle_msg_sendevent', line: 477 };
export const PARSE_EVENT_SITE: Site = { file: 'switch_ivr.c', func: 'switch_ivr_parse_next_event', line: 797 };
