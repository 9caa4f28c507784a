/**
 * The `gen` wire shapes the node's system processes speak (spec §4.5): a call is
 * `{'$gen_call', {From, Tag}, Request}` and its reply `{Tag, Reply}` sent to From. The Tag is
 * echoed exactly as received (OTP 24+ uses `[alias|Ref]`; the router turns such replies into
 * ALIAS_SEND).
 */
import { Pid, Tuple, atom, t, type Term } from '@beamline/etf';

export const A_GEN_CALL = atom('$gen_call');
export const A_GEN_CAST = atom('$gen_cast');

export interface GenCall {
  from: Pid;
  tag: Term;
  request: Term;
}

/** `{'$gen_call', {From, Tag}, Req}` → its parts; undefined for anything else. */
export function asGenCall(msg: unknown): GenCall | undefined {
  if (!(msg instanceof Tuple) || msg.elements.length !== 3 || msg.elements[0] !== A_GEN_CALL) return undefined;
  const ft = msg.elements[1];
  if (!(ft instanceof Tuple) || ft.elements.length !== 2 || !(ft.elements[0] instanceof Pid)) return undefined;
  return { from: ft.elements[0], tag: ft.elements[1], request: msg.elements[2] };
}

/** `{'$gen_cast', Msg}` → Msg. */
export function asGenCast(msg: unknown): Term | undefined {
  if (msg instanceof Tuple && msg.elements.length === 2 && msg.elements[0] === A_GEN_CAST) return msg.elements[1];
  return undefined;
}

/** The reply message for a call. */
export function genReply(call: GenCall, reply: Term): Tuple {
  return t(call.tag, reply);
}

/** Tuple with an atom tag and exact size: `isTagged(m, 'is_auth', 2)`. */
export function isTagged(msg: unknown, tag: string, size: number): msg is Tuple {
  return msg instanceof Tuple && msg.elements.length === size && msg.elements[0] === atom(tag);
}
