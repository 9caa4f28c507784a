/**
 * Wiring a @beamline/core Runtime to the wire: names the runtime after the transport's node
 * identity, installs the Router as its RemoteRouter, and gives the node a way to spawn processes
 * that end with a chosen exit reason (erpc).
 */
import { Atom, Ref, Tuple, atom, type Pid, type Term } from '@beamline/etf';
import { ExitError, type ProcessContext, type Runtime } from '@beamline/core';
import type { DistLogger } from './log.ts';
import { Router, type Codec } from './router.ts';
import type { DistTransportApi } from './transport.ts';

export interface RuntimeAttachment {
  /** Spawn a process; when `body` resolves with a term it exits with that reason, else normal. */
  spawnWithReason(body: (ctx: ProcessContext) => Promise<Term | undefined>): Pid;
  /** Remove the router from the runtime (node stopped). */
  detach(): void;
}

const ERPC_CLASSES = new Set([atom('return'), atom('throw'), atom('exit'), atom('error')]);

/** `{Ref, return|throw|exit, _}` / `{Ref, error, _, _}`: how erpc processes end (not a crash). */
export function isErpcExit(reason: unknown): boolean {
  return (
    reason instanceof Tuple &&
    (reason.elements.length === 3 || reason.elements.length === 4) &&
    reason.elements[0] instanceof Ref &&
    reason.elements[1] instanceof Atom &&
    ERPC_CLASSES.has(reason.elements[1])
  );
}

export function attachRuntime(
  rt: Runtime,
  transport: DistTransportApi,
  codec: Codec,
  logger: DistLogger,
): { router: Router; attachment: RuntimeAttachment } {
  if (rt.node.name !== transport.nodeName || rt.creation !== transport.creation) {
    rt.setNodeIdentity(transport.nodeName, transport.creation);
  }
  const router = new Router(rt.fromRemote, transport, codec, {
    nodeName: transport.nodeName,
    creation: transport.creation,
    logger,
    defaultSender: () => rt.initPid,
  });
  rt.setRemoteRouter(router);
  return {
    router,
    attachment: {
      spawnWithReason(body) {
        // erpc workers end with `{Ref, return, Value}` and friends by design: not crash reports
        return rt.spawn(
          async (ctx: ProcessContext) => {
            const reason = await body(ctx);
            if (reason !== undefined) throw new ExitError(reason);
          },
          { expectedExit: isErpcExit },
        );
      },
      detach() {
        if (rt.remoteRouter === router) rt.setRemoteRouter(undefined);
      },
    },
  };
}
