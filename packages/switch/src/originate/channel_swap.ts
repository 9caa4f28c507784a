/**
 * The start of switch_ivr_originate's check_channel_status: a leg marked CF_CHANNEL_SWAP (a
 * `pickup/` leg the `pickup` application took, core/channel_swap.ts) is hung up PICKED_OFF and the
 * channel the mark names takes its place in the originate — answered, with `picked_up_uuid`
 * naming the leg, its `execute_on_pickup` / `api_on_pickup` hooks run — so that it wins.
 */
import { GenServer, type ProcessContext } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { Cause } from '../channel/causes.ts';
import type { Channel } from '../channel/channel.ts';
import type { LegStatus } from '../channel/originate_types.ts';
import { takeSwap } from '../core/channel_swap.ts';
import type { SwitchCore } from '../core/core.ts';

/** What took the leg's place, or `gone`: the channel the mark named no longer exists. */
export type SwapOutcome = { readonly uuid: string; readonly pid: Pid; readonly status: LegStatus } | 'gone';

/** The swap of the leg `uuid` if it is marked (its mark cleared); undefined when it is not. */
export async function swapLeg(ctx: ProcessContext, core: SwitchCore, uuid: string, legPid: Pid): Promise<SwapOutcome | undefined> {
  const to = takeSwap(core, uuid);
  if (to === undefined) return undefined;
  let legName = '';
  try {
    legName = (await GenServer.call(ctx, legPid, {
      op: 'work',
      work: async (c: Channel) => {
        await c.send({ type: 'HANGUP', cause: Cause.PICKED_OFF });
        return c.name;
      },
    })) as string;
  } catch {
    // the leg was already going
  }
  const pid = core.sessions.get(to);
  if (!pid) return 'gone';
  try {
    const status = (await GenServer.call(ctx, pid, {
      op: 'work',
      work: async (c: Channel) => {
        core.log('DEBUG', `Swapping ${c.name} for ${legName}`, uuid);
        await c.answer();
        c.setVariable('picked_up_uuid', uuid);
        await c.runHooks('pickup');
        return c.legStatus;
      },
    })) as LegStatus;
    return { uuid: to, pid, status };
  } catch {
    return 'gone';
  }
}
