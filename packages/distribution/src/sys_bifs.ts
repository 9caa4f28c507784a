/**
 * `sys:get_state/1,2` and `sys:get_status/1,2` over rpc (`rpc:call(N, sys, get_state, [net_kernel])`),
 * as an operator asks any node about its servers. The system message goes from the rpc's own
 * process, so the server answers a local caller, in OTP 26.1+'s form (unwrapped here): the state
 * as it is, a JS state mapped as a reply is. A server that is not there exits the call with
 * `{noproc, {sys, Fn, Args}}` and a timeout with `{timeout, {sys, Fn, Args}}`, as OTP's sys does;
 * a name that is no process name at all is `function_clause`, as gen's lookup raises it.
 */
import { Atom, Pid, Tuple, atom, type Term } from '@beamline/etf';
import { genCall, type Dest, type ProcessContext, type Runtime, type Timeout } from '@beamline/core';
import { erlError, functionClause, type CallContext, type ModuleExports } from './exports.ts';

const A_SYSTEM = atom('system');

/** A name sys accepts: a pid, a local name, `{Name, Node}` or `{global, Name}`. */
function destOf(name: Term): Dest {
  if (name instanceof Pid || name instanceof Atom) return name;
  if (name instanceof Tuple && name.elements.length === 2 && name.elements.every((e) => e instanceof Atom)) return name;
  throw functionClause();
}

function timeoutOf(timeout: Term | undefined): Timeout | undefined {
  if (timeout === undefined) return undefined;
  if (timeout === atom('infinity')) return 'infinity';
  if (typeof timeout === 'number' && Number.isSafeInteger(timeout) && timeout >= 0) return timeout;
  throw functionClause();
}

function sysRequest(rt: Runtime, fn: string, request: Term, unwrap: (reply: unknown) => unknown = (r) => r) {
  return async function (this: CallContext, name: Term, timeout?: Term): Promise<unknown> {
    const args = timeout === undefined ? [] : [timeout];
    const where = (this.process as ProcessContext | undefined) ?? rt;
    return unwrap(await genCall(where, destOf(name), A_SYSTEM, request, timeoutOf(timeout), { mod: 'sys', fn, args }));
  };
}

/** A local server answers get_state in OTP 26.1+'s form: `{ok, State}`, or `{error, Reason}` that sys raises. */
function stateOf(reply: unknown): unknown {
  if (reply instanceof Tuple && reply.elements.length === 2) {
    if (reply.elements[0] === atom('ok')) return reply.elements[1];
    if (reply.elements[0] === atom('error')) throw erlError(reply.elements[1]);
  }
  return reply;
}

export function sysBifs(rt: Runtime): ModuleExports {
  const getState = sysRequest(rt, 'get_state', atom('get_state'), stateOf);
  const getStatus = sysRequest(rt, 'get_status', atom('get_status'));
  return {
    'get_state/1': getState,
    'get_state/2': getState,
    'get_status/1': getStatus,
    'get_status/2': getStatus,
  };
}
