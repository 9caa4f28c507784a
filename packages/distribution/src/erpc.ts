/**
 * Serving SPAWN_REQUEST (spec §4.8): what `rpc:call`, `erpc:*` and `spawn/4` on an OTP 23+ node
 * send us.
 *
 * - `{erpc, execute_call, 4}` + `[Ref, M, F, A]`: spawn a process that runs the exported TS
 *   function and exits with erpc's reason (`{Ref, return, V}`, `{Ref, throw, V}`,
 *   `{Ref, exit, R}`, `{Ref, error, R, Stack}`); the requester's monitor (reference = ReqId)
 *   turns that into the caller's result.
 * - `{erpc, execute_cast, 3}` + `[M, F, A]`: run it, ignore the result.
 * - `{erlang, apply, 2}` + `[Fun, Args]` (`spawn(Node, Fun)`): the registry's `apply`; an Erlang
 *   fun cannot run here, so the process exits `{undef, [{Fun, Args, []}]}`, as an OTP node that
 *   lacks the fun's code does.
 * - any other `{M, F, Arity}`: spawn it as a process body; it ends as an OTP process would
 *   (`{undef, [{M, F, Args, []}]}` for a function the node does not export).
 * - a malformed request (arguments that do not match the arity, a bad erpc request): refused with
 *   `badarg`.
 *
 * SPAWN_REPLY goes out before the process can run, with the link / monitor flags set for the
 * options that were honoured.
 */
import { Atom, type Pid, Ref, atom, type Term } from '@beamline/etf';
import type { ProcessContext } from '@beamline/core';
import { SPAWN_FLAG_LINK, SPAWN_FLAG_MONITOR } from './control.ts';
import { erpcExitReason, spawnExitReason, type ModuleRegistry } from './exports.ts';
import type { RemoteInboundApi, Router, SpawnRequest } from './router.ts';
import type { PeerConnection } from './transport.ts';

const A_ERPC = atom('erpc');
const A_EXECUTE_CALL = atom('execute_call');
const A_EXECUTE_CAST = atom('execute_cast');
const A_LINK = atom('link');
const A_MONITOR = atom('monitor');
const A_BADARG = atom('badarg');
const A_ERLANG = atom('erlang');
const A_APPLY = atom('apply');

export interface ErpcHost {
  registry: ModuleRegistry;
  router: Router;
  /** The runtime's inbound remote hook (records the requester's monitor). */
  inbound: RemoteInboundApi;
  /**
   * Spawn a process running `body`. When `body` resolves with a term other than `undefined`
   * the process exits with that reason (`normal` otherwise).
   */
  spawn(body: (ctx: ProcessContext) => Promise<Term | undefined>): Pid;
}

/** The process body for a request, or undefined to refuse it with `badarg`. */
export function planSpawn(registry: ModuleRegistry, req: SpawnRequest): ((ctx: ProcessContext) => Promise<Term | undefined>) | undefined {
  if (req.module === A_ERPC && req.fun === A_EXECUTE_CALL && req.arity === 4 && req.args.length === 4) {
    const [ref, m, f, a] = req.args;
    if (!(ref instanceof Ref) || !(m instanceof Atom) || !(f instanceof Atom) || !Array.isArray(a)) return undefined;
    return async (ctx) => erpcExitReason(ref, await registry.invoke(m, f, a, ctx));
  }
  if (req.module === A_ERPC && req.fun === A_EXECUTE_CAST && req.arity === 3 && req.args.length === 3) {
    const [m, f, a] = req.args;
    if (!(m instanceof Atom) || !(f instanceof Atom) || !Array.isArray(a)) return undefined;
    return async (ctx) => {
      await registry.invoke(m, f, a, ctx);
      return undefined;
    };
  }
  if (req.args.length !== req.arity) return undefined;
  if (req.module === A_ERLANG && req.fun === A_APPLY && req.arity === 2) {
    const [fun, args] = req.args;
    return async (ctx) => spawnExitReason(await registry.apply(fun, args, ctx), A_ERLANG, A_APPLY, 2);
  }
  return async (ctx) => spawnExitReason(await registry.invoke(req.module, req.fun, req.args, ctx), req.module, req.fun, req.arity);
}

export function serveSpawnRequest(host: ErpcHost, conn: PeerConnection, req: SpawnRequest): void {
  const body = planSpawn(host.registry, req);
  if (!body) {
    host.router.sendControl(conn.peerName, { kind: 'spawn_reply', reqId: req.reqId, to: req.from, flags: 0, result: A_BADARG });
    return;
  }
  const link = req.opts.includes(A_LINK);
  const monitor = req.opts.includes(A_MONITOR);
  const pid = host.spawn(body);
  const flags = (link ? SPAWN_FLAG_LINK : 0) | (monitor ? SPAWN_FLAG_MONITOR : 0);
  host.router.sendControl(conn.peerName, { kind: 'spawn_reply', reqId: req.reqId, to: req.from, flags, result: pid });
  if (link) host.router.addSpawnLink(pid, req.from);
  // The requester's monitor on the new process uses the request id as its reference.
  if (monitor) host.inbound.monitor(req.from, pid, req.reqId);
}

export type { SpawnRequest };
