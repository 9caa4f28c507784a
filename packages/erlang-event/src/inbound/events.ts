/**
 * register_event_handler, event, nixevent, setevent, noevents, filter (spec §1.3–§1.8); the
 * handlers themselves are in handlers/events.ts.
 */
import { Atom, type Pid, type Term, type Tuple, atom, t } from '@beamline/etf';
import { atomText } from '../byte_text.ts';
import { s } from '../encode.ts';
import { filterCommand } from '../internal/filters.ts';
import { Subscription } from '../internal/subscription.ts';
import { EventHandler } from '../handlers/events.ts';
import { leadingAtoms } from './decode.ts';
import type { InboundContext, Reply } from './context.ts';

const A_OK = atom('ok');
const A_ERROR = atom('error');
const BADARG = t(A_ERROR, atom('badarg'));

// ---- messages ------------------------------------------------------------------------------------

export function registerEventHandler(c: InboundContext, from: Pid | undefined): Reply {
  if (!from) return undefined;
  c.events.register(from);
  c.link(from);
  return A_OK;
}

export function event(msg: Tuple, c: InboundContext, from: Pid | undefined): Reply {
  if (msg.elements.length < 2) return BADARG;
  const st = c.events.target(from);
  st.on = true;
  st.sub.add(leadingAtoms(msg.elements.slice(1)));
  return A_OK;
}

export function nixevent(msg: Tuple, c: InboundContext, from: Pid | undefined): Reply {
  if (msg.elements.length < 2) return BADARG;
  c.events.target(from).sub.remove(leadingAtoms(msg.elements.slice(1)));
  return A_OK;
}

/** setevent with ALL: `{error, badarg}`, subscriptions unchanged (DECISIONS.md). */
export function setevent(msg: Tuple, c: InboundContext, from: Pid | undefined): Reply {
  if (msg.elements.length < 2) return BADARG;
  const { set, sawAll } = Subscription.build(leadingAtoms(msg.elements.slice(1)));
  if (sawAll) return BADARG;
  const st = c.events.target(from);
  st.sub.replaceWith(set);
  st.on = true;
  return A_OK;
}

export function noevents(c: InboundContext, from: Pid | undefined): Reply {
  const st = c.events.target(from);
  if (st instanceof EventHandler) st.pump.purge();
  if (!st.on) return t(A_ERROR, atom('notlistening'));
  st.on = false;
  st.sub.clear();
  return A_OK;
}

export function filter(msg: Tuple, c: InboundContext, from: Pid | undefined): Reply {
  if (msg.elements.length < 2) return BADARG;
  const st = c.events.target(from);
  const enc = c.config.encoding;
  const log: Term[] = msg.elements.slice(1).map((a) => {
    const command = a instanceof Atom ? atomText(a.name) : undefined; // ei_decode_atom: Latin-1
    const item = command === undefined ? 'invalid' : filterCommand(st.filters, command);
    return item === 'invalid' ? atom('-ERR invalid syntax') : t(s(item.op, enc), s(item.header, enc), s(item.value, enc));
  });
  return t(atom('filter_command_processing_log'), log);
}
