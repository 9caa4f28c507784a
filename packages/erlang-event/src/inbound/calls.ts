/**
 * The call-related inbound messages (spec §1.16–§1.20, §1.23–§1.24), handed to the outbound
 * half through `CallControl` (outbound/call_control.ts).
 *
 * `{handlecall, UUID, Name}` and `{handlecall, Name, UUID}` are both accepted (DECISIONS.md): one
 * element is an atom, the other a string or binary, so the orders cannot be confused.
 */
import { Atom, Pid, Ref, type Term, Tuple, atom, t } from '@beamline/etf';
import type { CallListener, SessionOp } from '../outbound/call_control.ts';
import { decodeSB, leadingAtoms } from './decode.ts';
import type { InboundContext, Reply } from './context.ts';

const A_OK = atom('ok');
const A_ERROR = atom('error');
const BADARG = t(A_ERROR, atom('badarg'));

export async function handlecall(msg: Tuple, c: InboundContext, listener: CallListener, from: Pid | undefined): Promise<Reply> {
  const el = msg.elements;
  let uuidTerm: Term;
  let handler: Pid | Atom | undefined;
  if (el.length === 2) {
    uuidTerm = el[1] as Term;
    handler = from;
  } else if (el.length === 3) {
    const [, a, b] = el;
    if (a instanceof Atom && !(b instanceof Atom)) [handler, uuidTerm] = [a, b as Term];
    else if (b instanceof Atom && !(a instanceof Atom)) [handler, uuidTerm] = [b, a as Term];
    else return BADARG;
  } else return BADARG;
  if (handler === undefined) return undefined;
  const uuid = decodeSB(uuidTerm, 256);
  if (uuid === undefined) return BADARG;
  if (uuid === '') return t(A_ERROR, atom('baduuid'));
  if (!c.sw.core.sessions.has(uuid)) return t(A_ERROR, atom('badsession'));
  const r = await c.calls.handlecall(listener, uuid, handler);
  if (r === 'ok') {
    if (handler instanceof Pid) c.link(handler);
    return A_OK;
  }
  return t(A_ERROR, atom(r));
}

export function session(op: SessionOp, msg: Tuple | Atom, c: InboundContext, listener: CallListener, from: Pid | undefined): Reply {
  if (!from) return undefined;
  const atoms = msg instanceof Tuple ? msg.elements.slice(1) : [];
  if (msg instanceof Tuple && atoms.length === 0) return BADARG;
  return c.calls.session(listener, from, op, leadingAtoms(atoms)) ?? t(A_ERROR, atom('notlistening'));
}

/** `{Ref, Pid}`: a handler for a call waiting in `module:!` mode; no reply unless nobody waits. */
export function spawnReply(msg: Tuple, c: InboundContext, listener: CallListener): Reply {
  // handle_ref_tuple's warnings; the call goes on waiting for a handler
  const [ref, pid] = msg.elements;
  if (!(ref instanceof Ref)) {
    c.sw.core.log('WARNING', 'Invalid reference');
    return undefined;
  }
  if (!(pid instanceof Pid)) {
    c.sw.core.log('WARNING', 'Invalid pid in a reference/pid tuple');
    return undefined;
  }
  return c.calls.spawnReply(listener, ref, pid) ? undefined : t(A_ERROR, atom('notfound'));
}

/** `{rex, Result}`: the rpc of `module:function` mode answered; `Result` must be `{Ref, Pid}`. */
export function rexReply(msg: Tuple, c: InboundContext, listener: CallListener): Reply {
  const result = msg.elements[1];
  if (!(result instanceof Tuple)) {
    c.sw.core.log('DEBUG', 'Unknown rpc response');
    return undefined;
  }
  return spawnReply(result, c, listener);
}
