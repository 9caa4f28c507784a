/**
 * Whom a process serving a peer's call works for: the caller's pid and group leader, as erpc's
 * SPAWN_REQUEST and rex's `{call, M, F, A, GL}` hand them over. io over rpc writes to the group
 * leader (io_bifs.ts); sys over rpc asks a server on the caller's behalf (sys_bifs.ts).
 */
import { Pid, type Term } from '@beamline/etf';
import type { ProcessContext } from '@beamline/core';

export interface CallOrigin {
  readonly caller?: Pid;
  readonly groupLeader?: Pid;
}

const origins = new WeakMap<ProcessContext, CallOrigin>();

export function setCallOrigin(ctx: ProcessContext, caller: Term | undefined, groupLeader: Term | undefined): void {
  origins.set(ctx, {
    caller: caller instanceof Pid ? caller : undefined,
    groupLeader: groupLeader instanceof Pid ? groupLeader : undefined,
  });
}

export function callOrigin(ctx: ProcessContext | undefined): CallOrigin {
  return (ctx && origins.get(ctx)) ?? {};
}
