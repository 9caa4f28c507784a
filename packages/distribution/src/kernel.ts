/**
 * Keeps the node's own registered services (`net_kernel`, `rex`) running. A peer may
 * `exit(Pid, kill)` either; on OTP that takes kernel_sup (one_for_all, intensity 0) and with it
 * the whole node down. A service node must neither die of it nor run on without them (no
 * net_kernel: a peer's `net_adm:ping` never answers; no rex: `rpc:block_call`, ei_rpc and beamctl
 * get no reply), so a service that ends is started again under its name, with a warning.
 *
 * The keeper is not a supervisor: they stay outside the supervision trees (`beamline:tree` and
 * beamctl list them as not supervised). It starts them from the runtime, whose init process is
 * their parent (as net_sup is on OTP: a peer's `{'EXIT', Pid, R}` message naming any process of
 * its own, or the server itself, is only a message), and monitors rather than links to them, so
 * a keeper that is killed leaves them running.
 */
import { type Pid, Ref, Tuple } from '@beamline/etf';
import { DOWN, refEquals, type ProcessContext } from '@beamline/core';

export interface KernelService {
  name: string;
  /** Starts the service registered as `name` (a GenServer, as OTP's are); the keeper's context is given. */
  start(ctx: ProcessContext): Promise<Pid>;
}

export function kernelKeeper(services: KernelService[], restarted: (name: string, reason: unknown) => void) {
  return async (ctx: ProcessContext): Promise<void> => {
    const running: [Ref, KernelService][] = [];
    const start = async (s: KernelService) => running.push([ctx.monitor(await s.start(ctx)), s]);
    for (const s of services) await start(s);
    for (;;) {
      const m = await ctx.receive();
      if (!(m instanceof Tuple) || m.elements.length !== 5 || m.elements[0] !== DOWN) continue;
      const [, ref, , , reason] = m.elements;
      const i = running.findIndex(([r]) => ref instanceof Ref && refEquals(r, ref));
      if (i < 0) continue;
      const [[, s]] = running.splice(i, 1);
      restarted(s.name, reason);
      await start(s);
    }
  };
}
