/**
 * `{sendevent, Name, Headers}`, `{sendevent, 'CUSTOM', Subclass, Headers}` and
 * `{sendmsg, UUID, Headers}` (spec §1.12–§1.13), performed by the switch.
 */
import { Atom, type Term, type Tuple, atom, t } from '@beamline/etf';
import { nameEvent } from '@beamline/switch';
import { atomText } from '../byte_text.ts';
import { decodeHeaders, decodeSB, isListHeader } from './decode.ts';
import type { InboundContext, Reply } from './context.ts';

const A_OK = atom('ok');
const A_ERROR = atom('error');
const BADARG = t(A_ERROR, atom('badarg'));

/** An unknown event name answers `{error, badarg}` (DECISIONS.md; the original sends nothing). */
export function sendevent(msg: Tuple, c: InboundContext): Reply {
  const [, nameTerm, second, third] = msg.elements;
  // atoms as ei_decode_atom reads them (Latin-1 bytes)
  const name = nameTerm instanceof Atom ? atomText(nameTerm.name) : undefined;
  if (name === undefined) return BADARG;
  const custom = nameEvent(name) === 'CUSTOM' && name.toUpperCase() === 'CUSTOM';
  let subclass: string | undefined;
  let headersTerm: Term;
  if (custom) {
    subclass = second instanceof Atom ? atomText(second.name) : undefined;
    if (subclass === undefined) return BADARG;
    headersTerm = third as Term;
  } else headersTerm = second as Term;
  const headers = decodeHeaders(headersTerm);
  if (headers === undefined) return BADARG;
  const r = c.sw.sendevent(custom ? 'CUSTOM' : name, headers, subclass);
  return r === 'ok' ? A_OK : BADARG;
}

export async function sendmsg(msg: Tuple, c: InboundContext): Promise<Reply> {
  const [, uuidTerm, headersTerm] = msg.elements;
  if (msg.elements.length < 3) return BADARG;
  // handle_msg_sendmsg: the uuid and the list's header, then the session, then the headers
  const uuid = decodeSB(uuidTerm as Term, 256);
  if (uuid === undefined || !isListHeader(headersTerm as Term)) return BADARG;
  // ei_decode_string_or_binary does not move past a term of size 0, so ei_decode_list_header then
  // reads that term: only `[]` / `""` passes (as an empty list); `<<>>`, 42, '' are badarg
  if (uuid === '' && !(Array.isArray(uuidTerm) && uuidTerm.length === 0)) return BADARG;
  if (uuid === '' || !c.sw.core.sessions.has(uuid)) return t(A_ERROR, atom('nosession'));
  const headers = decodeHeaders(headersTerm);
  if (headers === undefined) return BADARG;
  const r = await c.sw.sendmsg(uuid, headers);
  return r === 'ok' ? A_OK : t(A_ERROR, atom(r.error));
}
