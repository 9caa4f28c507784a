/**
 * The `gen` wire shapes the node's system processes (net_kernel, rex, global) read (spec §4.5):
 * a call is `{'$gen_call', {From, Tag}, Request}`, answered through core's `From` (which sends
 * `{Tag, Reply}` to the alias in the tag, else to From); a cast is `{'$gen_cast', Msg}`.
 */
import { Tuple, atom, type Term } from '@beamline/etf';
import { From, type ProcessContext } from '@beamline/core';

export { isTagged } from '@beamline/etf';

export const A_GEN_CALL = atom('$gen_call');
export const A_GEN_CAST = atom('$gen_cast');

export interface GenCall {
  from: From;
  request: Term;
}

/** `{'$gen_call', {From, Tag}, Req}` → the caller (answerable from `ctx`) and the request. */
export function asGenCall(ctx: ProcessContext, msg: unknown): GenCall | undefined {
  if (!(msg instanceof Tuple) || msg.elements.length !== 3 || msg.elements[0] !== A_GEN_CALL) return undefined;
  const from = From.fromTerm(ctx, msg.elements[1]);
  return from === undefined ? undefined : { from, request: msg.elements[2] };
}

/** `{'$gen_cast', Msg}` → Msg. */
export function asGenCast(msg: unknown): Term | undefined {
  if (msg instanceof Tuple && msg.elements.length === 2 && msg.elements[0] === A_GEN_CAST) return msg.elements[1];
  return undefined;
}
