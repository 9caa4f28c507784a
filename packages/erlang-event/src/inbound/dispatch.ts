/**
 * Payload dispatch (spec §0.3, §1): an atom or a tuple tagged with an atom goes to its family;
 * `{Ref, Pid, …}` is a spawn reply; everything else is `{error, undef}`. Tags compare exactly.
 */
import { Atom, type Pid, Ref, type Term, Tuple, atom, t } from '@beamline/etf';
import { atomText } from '../byte_text.ts';
import type { CallListener } from '../outbound/call_control.ts';
import { api, bgapi } from './api.ts';
import { handlecall, rexReply, session, spawnReply } from './calls.ts';
import type { InboundContext, Reply } from './context.ts';
import { event, filter, nixevent, noevents, registerEventHandler, setevent } from './events.ts';
import { nolog, registerLogHandler, setLogLevel } from './logs.ts';
import { sendevent, sendmsg } from './messages.ts';

export const UNDEF: Tuple = t(atom('error'), atom('undef'));
const A_OK = atom('ok');

const BADARG: Tuple = t(atom('error'), atom('badarg'));

export async function dispatch(message: Term, c: InboundContext, listener: CallListener, from: Pid | undefined): Promise<Reply> {
  // ei_decode_atom (Latin-1) fails on an atom with a character past U+00FF: badarg, not undef
  if (message instanceof Atom) return atomText(message.name) === undefined ? BADARG : dispatchAtom(message.name, message, c, listener, from);
  if (!(message instanceof Tuple) || message.elements.length === 0) return UNDEF;
  const tag = message.elements[0];
  // handle_ref_tuple reads the ref and the pid, whatever follows them
  if (tag instanceof Ref) return spawnReply(message, c, listener);
  if (!(tag instanceof Atom)) return UNDEF;
  if (atomText(tag.name) === undefined) return BADARG;
  switch (tag.name) {
    case 'api':
      return api(message, c);
    case 'bgapi':
      return bgapi(message, c, from);
    case 'event':
      return event(message, c, from);
    case 'nixevent':
      return nixevent(message, c, from);
    case 'setevent':
      return setevent(message, c, from);
    case 'filter':
      return filter(message, c, from);
    case 'set_log_level':
      return setLogLevel(message, c);
    case 'sendevent':
      return sendevent(message, c);
    case 'sendmsg':
      return sendmsg(message, c);
    case 'handlecall':
      return handlecall(message, c, listener, from);
    case 'session_event':
    case 'session_nixevent':
    case 'session_setevent':
      return session(tag.name, message, c, listener, from);
    case 'rex':
      return rexReply(message, c, listener);
    case 'bind':
      return c.fetch.bind(message, c.peer, from);
    case 'fetch_reply':
      return c.fetch.fetchReply(message);
    default:
      return UNDEF;
  }
}

function dispatchAtom(name: string, message: Atom, c: InboundContext, listener: CallListener, from: Pid | undefined): Reply {
  switch (name) {
    case 'register_event_handler':
      return registerEventHandler(c, from);
    case 'noevents':
      return noevents(c, from);
    case 'register_log_handler':
      return registerLogHandler(c, from);
    case 'nolog':
      return nolog(c);
    case 'session_noevents':
      return session('session_noevents', message, c, listener, from);
    case 'getpid':
      return t(A_OK, c.fsPid);
    case 'exit':
      c.closeAfterReply();
      return A_OK;
    case 'link':
      if (from) c.link(from);
      return undefined;
    default:
      return UNDEF;
  }
}
