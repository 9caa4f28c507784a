/**
 * What a profile does when it stops (sofia_profile_thread_run once its loop ends: `sofia profile
 * <name> stop|restart`, the module unloading), in mod_sofia's order, before its transports close:
 *
 *   1. every call of the profile hangs up with MANAGER_REQUEST (switch_core_session_hupall_matching_var
 *      on `sofia_profile_name`); the profile waits for them while it still routes what their far
 *      ends answer, and refuses new work with 503 (sofia_event_callback when not PFLAG_RUNNING)
 *   2. every gateway is deleted (sofia_glue_del_every_gateway) and checked twice
 *      (sofia_reg_check_gateway): a registered one sends its REGISTER with Expires 0 and goes DOWN,
 *      then each goes with `sofia::gateway_delete`
 *
 * A profile killed (`exit(Pid, kill)`) runs none of this: its calls see it go (call.ts's profileGone).
 */
import { DOWN, type ProcessContext, TIMEOUT, pidEquals } from '@beamline/core';
import { Pid, Tuple } from '@beamline/etf';
import { Cause, type Switch } from '@beamline/switch';
import type { ProfileStopping } from './call_messages.ts';
import type { ProfileConfig } from './config.ts';
import { fireSofiaEvent } from './events.ts';
import type { Gateway } from './gateway.ts';

/** The cause a stopping profile hangs its calls up with. */
export const STOP_CAUSE = Cause.MANAGER_REQUEST;

/** How long a stopping profile waits for its calls (sofia waits up to 10 steps of its stack). */
export const STOP_WAIT_MS = 3000;

/** A profile's gateways, as its stop and its sweep change them. */
export interface GatewayList {
  readonly sw: Switch;
  readonly config: ProfileConfig;
  gateways: Gateway[];
}

/**
 * Hangs up `calls` and waits until each has ended or `waitMs` passed; meanwhile `onMessage` gets
 * every other message `routes` takes (the datagrams their far ends send). Returns the calls left.
 */
export async function hangUpCalls(
  ctx: ProcessContext,
  calls: readonly Pid[],
  o: {
    readonly waitMs: number;
    readonly routes: (m: unknown) => boolean;
    readonly onMessage: (m: unknown) => void;
    readonly onEnded: (pid: Pid) => void;
  },
): Promise<Pid[]> {
  let left = [...calls];
  for (const pid of left) ctx.send(pid, { profileStopping: STOP_CAUSE } satisfies ProfileStopping);
  const deadline = Date.now() + o.waitMs;
  while (left.length > 0) {
    const wait = deadline - Date.now();
    if (wait <= 0) break;
    const m = await ctx.receive((x) => endedCall(x, left) !== undefined || o.routes(x), wait);
    if (m === TIMEOUT) break;
    const ended = endedCall(m, left);
    if (ended) {
      left = left.filter((p) => !pidEquals(p, ended));
      o.onEnded(ended);
    } else o.onMessage(m);
  }
  return left;
}

/** The pid of the one of `calls` whose DOWN `m` is. */
function endedCall(m: unknown, calls: readonly Pid[]): Pid | undefined {
  if (!(m instanceof Tuple) || m.elements[0] !== DOWN) return undefined;
  const pid = m.elements[3];
  return pid instanceof Pid && calls.some((c) => pidEquals(c, pid)) ? pid : undefined;
}

/** sofia_glue_del_every_gateway, then sofia_reg_check_gateway twice. */
export function unregisterGateways(list: GatewayList, nowS: number): void {
  for (const g of list.gateways) g.remove();
  for (let i = 0; i < 2; i++) {
    dropDeletedGateways(list);
    for (const g of list.gateways) g.step(nowS);
  }
}

/** sofia_reg_check_gateway: a killed gateway goes once it is NOREG or DOWN, with `sofia::gateway_delete`. */
export function dropDeletedGateways(list: GatewayList): void {
  for (const g of list.gateways.filter((x) => x.deleted && (x.state === 'NOREG' || x.state === 'DOWN'))) {
    list.gateways = list.gateways.filter((x) => x !== g);
    list.sw.core.log('NOTICE', `Deleted gateway ${g.config.name}`);
    fireSofiaEvent(list.sw, 'sofia::gateway_delete', [
      ['profile-name', list.config.name],
      ['Gateway', g.config.name],
    ]);
  }
}
