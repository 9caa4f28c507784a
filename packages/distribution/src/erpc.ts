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
 *   `badarg`; an option an OTP node's spawn would not take (`spawnOptsOk`): refused with `badopt`.
 *
 * SPAWN_REPLY goes out before the process can run, with the link / monitor flags set for the
 * options that were honoured.
 */
import { Atom, ErlMap, type Pid, Ref, Tuple, atom, type Term } from '@beamline/etf';
import type { ProcessContext } from '@beamline/core';
import { SPAWN_FLAG_LINK, SPAWN_FLAG_MONITOR } from './control.ts';
import { erpcExitReason, spawnExitReason, type ModuleRegistry } from './exports.ts';
import type { RemoteInboundApi, Router, SpawnRequest } from './router.ts';
import type { PeerConnection } from './transport.ts';
import { setCallOrigin } from './call_origin.ts';

const A_ERPC = atom('erpc');
const A_EXECUTE_CALL = atom('execute_call');
const A_EXECUTE_CAST = atom('execute_cast');
const A_LINK = atom('link');
const A_MONITOR = atom('monitor');
const A_BADARG = atom('badarg');
const A_BADOPT = atom('badopt');
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

/** The smallest `max_heap_size` other than 0 an OTP node takes (erts' MIN_HEAP_SIZE, in words). */
const MIN_MAX_HEAP_SIZE = 233;

const isCount = (v: Term): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isBool = (v: Term): boolean => v === atom('true') || v === atom('false');
const isHeapLimit = (v: Term): boolean => isCount(v) && (v === 0 || (v as number) >= MIN_MAX_HEAP_SIZE);

/** A `max_heap_size` value: a limit, or a map with a `size` limit and boolean flags (other keys are ignored, as by erts). */
function maxHeapSizeOk(v: Term): boolean {
  if (!(v instanceof ErlMap)) return isHeapLimit(v);
  const size = v.get(atom('size'));
  if (size === undefined || !isHeapLimit(size)) return false;
  return ['kill', 'error_logger', 'include_shared_binaries'].every((k) => {
    const flag = v.get(atom(k));
    return flag === undefined || isBool(flag);
  });
}

const OPTION_VALUE: Record<string, (v: Term) => boolean> = {
  priority: (v) => ['low', 'normal', 'high', 'max'].some((p) => v === atom(p)),
  fullsweep_after: isCount,
  min_heap_size: isCount,
  min_bin_vheap_size: isCount,
  max_heap_size: maxHeapSizeOk,
  message_queue_data: (v) => v === atom('off_heap') || v === atom('on_heap'),
  async_dist: isBool,
};

/**
 * Whether an OTP node's spawn would take these options (what reaches the wire once the
 * requester kept its local ones: `link`, `monitor`, and the process settings). They mean
 * nothing to a JS process, but a wrong one is still `badopt`, as erl answers it.
 */
export function spawnOptsOk(opts: Term[]): boolean {
  return opts.every((o) => {
    if (o === A_LINK || o === A_MONITOR) return true;
    if (!(o instanceof Tuple) || o.elements.length !== 2 || !(o.elements[0] instanceof Atom)) return false;
    const check = Object.hasOwn(OPTION_VALUE, o.elements[0].name) ? OPTION_VALUE[o.elements[0].name] : undefined;
    return check?.(o.elements[1]) === true;
  });
}

export function serveSpawnRequest(host: ErpcHost, conn: PeerConnection, req: SpawnRequest): void {
  const refuse = (reason: Atom) =>
    host.router.sendControl(conn.peerName, { kind: 'spawn_reply', reqId: req.reqId, to: req.from, flags: 0, result: reason });
  const body = planSpawn(host.registry, req);
  if (!body) return refuse(A_BADARG);
  if (!spawnOptsOk(req.opts)) return refuse(A_BADOPT);
  const link = req.opts.includes(A_LINK);
  const monitor = req.opts.includes(A_MONITOR);
  const pid = host.spawn((ctx) => {
    setCallOrigin(ctx, req.from, req.groupLeader); // io:format in the call writes to the caller's group leader
    return body(ctx);
  });
  const flags = (link ? SPAWN_FLAG_LINK : 0) | (monitor ? SPAWN_FLAG_MONITOR : 0);
  host.router.sendControl(conn.peerName, { kind: 'spawn_reply', reqId: req.reqId, to: req.from, flags, result: pid });
  if (link) host.router.addSpawnLink(pid, req.from);
  // The requester's monitor on the new process uses the request id as its reference.
  if (monitor) host.inbound.monitor(req.from, pid, req.reqId);
}

export type { SpawnRequest };
