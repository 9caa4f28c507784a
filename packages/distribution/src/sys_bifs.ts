/**
 * `sys:get_state/1,2` and `sys:get_status/1,2` over rpc (`rpc:call(N, sys, get_state, [net_kernel])`),
 * as an operator asks any node about its servers, answered as the peer's own sys:get_state({Name,
 * N}) would be: a server of this node is asked on behalf of the peer's caller (callAs), so it
 * shows the state it shows other nodes. A server that is not there exits the call with
 * `{noproc, {sys, Fn, Args}}` and a timeout with `{timeout, {sys, Fn, Args}}`, as OTP's sys does;
 * a name that is no process name at all is `function_clause`, as gen's lookup raises it.
 */
import { Atom, ImproperList, Pid, Ref, Tuple, atom, equals, t, type Term } from '@beamline/etf';
import { DOWN, TIMEOUT, genCall, refEquals, type Dest, type ProcessContext, type Runtime, type SysStateForm, type Timeout } from '@beamline/core';
import { erlError, erlExit, functionClause, type CallContext, type ModuleExports } from './exports.ts';
import { callOrigin } from './call_origin.ts';

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

const A_ALIAS = atom('alias');

/** The local process `dest` names, if it is one (undefined: another node's, or a global name). */
function localTarget(rt: Runtime, dest: Dest): Pid | null | undefined {
  if (dest instanceof Pid) return dest.node === rt.node ? dest : undefined;
  if (dest instanceof Atom) return rt.whereis(dest.name) ?? null;
  const [name, node] = (dest as Tuple).elements as [Atom, Atom];
  return node === rt.node && name !== atom('global') ? (rt.whereis(name.name) ?? null) : undefined;
}

/**
 * The system request as the peer that asked for the rpc would make it: `{system, {Caller,
 * [alias|Ref]}, Req}`, the reply coming to this process through the alias. A server answers a
 * caller on another node with the state it shows other nodes (a Supervisor's OTP record, where a
 * local caller gets JS start functions that cannot cross), in the form that node's sys reads.
 */
async function callAs(ctx: ProcessContext, caller: Pid, server: Pid, request: Term, timeout: Timeout | undefined, mfa: Tuple): Promise<unknown> {
  const mref = ctx.monitor(server, { alias: 'demonitor' });
  const tag = new ImproperList([A_ALIAS], mref);
  ctx.send(server, t(A_SYSTEM, t(caller, tag), request));
  const isAnswer = (m: unknown): boolean =>
    m instanceof Tuple &&
    ((m.elements.length === 2 && m.elements[0] instanceof ImproperList && equals(m.elements[0], tag)) ||
      (m.elements[0] === DOWN && m.elements[1] instanceof Ref && refEquals(m.elements[1], mref)));
  const msg = await ctx.receive(isAnswer, timeout === 'infinity' ? undefined : (timeout ?? 5000));
  ctx.demonitor(mref, { flush: true });
  if (msg === TIMEOUT) throw erlExit(t(atom('timeout'), mfa));
  const [first, second, , , reason] = (msg as Tuple).elements;
  if (first === DOWN) throw erlExit(t(reason as Term, mfa));
  return second;
}

function sysRequest(host: SysHost, fn: string, request: Term, unwrap: (reply: unknown, form: SysStateForm) => unknown) {
  return async function (this: CallContext, name: Term, timeout?: Term): Promise<unknown> {
    const args = timeout === undefined ? [] : [timeout];
    const ctx = this.process as ProcessContext | undefined;
    const dest = destOf(name);
    const ms = timeoutOf(timeout);
    const caller = callOrigin(ctx).caller;
    const server = ctx && caller && caller.node !== host.rt.node ? localTarget(host.rt, dest) : undefined;
    if (ctx && caller && server) {
      const mfa = t(atom('sys'), atom(fn), [name, ...args]);
      const reply = await callAs(ctx, caller, server, request, ms, mfa);
      return unwrap(reply, await host.stateForm(caller.node));
    }
    if (server === null) throw erlExit(t(atom('noproc'), t(atom('sys'), atom(fn), [name, ...args])));
    return unwrap(await genCall(ctx ?? host.rt, dest, A_SYSTEM, request, ms, { mod: 'sys', fn, args }), 'ok');
  };
}

/** A get_state reply in `form`: `{ok, State}` gives State, `{error, Reason}` is raised, as sys does. */
function stateOf(reply: unknown, form: SysStateForm): unknown {
  if (form === 'ok' && reply instanceof Tuple && reply.elements.length === 2) {
    if (reply.elements[0] === atom('ok')) return reply.elements[1];
    if (reply.elements[0] === atom('error')) throw erlError(reply.elements[1]);
  }
  return reply;
}

export interface SysHost {
  rt: Runtime;
  /** The get_state form `node`'s sys reads (the router's, which the servers use as well). */
  stateForm(node: Atom): SysStateForm | Promise<SysStateForm>;
}

export function sysBifs(host: SysHost): ModuleExports {
  const getState = sysRequest(host, 'get_state', atom('get_state'), stateOf);
  const getStatus = sysRequest(host, 'get_status', atom('get_status'), (r) => r);
  return {
    'get_state/1': getState,
    'get_state/2': getState,
    'get_status/1': getStatus,
    'get_status/2': getStatus,
  };
}
