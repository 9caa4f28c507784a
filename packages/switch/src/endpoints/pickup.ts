/**
 * mod_dptools' `pickup` endpoint (pickup_outgoing_channel): `pickup/<key>` makes a channel named
 * `pickup/<key>` that neither rings nor answers by itself. It waits in its group (pickup_queue.ts)
 * until the `pickup` application takes it — the originate dialling it then swaps it for the
 * picking channel (originate/channel_swap.ts) — or until the originate gives up on it. It has
 * `process_cdr=false` and no `presence_id`. At its hangup it leaves its group, and a picking
 * channel it was still marked to be swapped for is hung up PICKED_OFF (pickup_event_handler).
 */
import { GenServer } from '@beamline/core';
import { Cause } from '../channel/causes.ts';
import type { Endpoint, EndpointInterface } from '../channel/channel.ts';
import { takeSwap } from '../core/channel_swap.ts';
import { caseEqual } from '../internal/strings.ts';
import { pickupAdd, pickupForget, pickupPop } from './pickup_queue.ts';

type Vars = readonly (readonly [string, string])[];

function pickupChannel(key: string, vars: Vars): Endpoint {
  return {
    onState(ch, state) {
      const core = ch.core;
      if (state === 'CS_INIT') {
        ch.setVariable('process_cdr', 'false');
        ch.setVariable('presence_id', undefined);
        const p = ch.profile;
        pickupAdd(core, ch.uuid, {
          key,
          vars: vars.filter(([n]) => !caseEqual(n, 'presence_id')),
          callerIdName: p.callerIdName,
          callerIdNumber: p.callerIdNumber,
        });
      } else if (state === 'CS_HANGUP') {
        const swap = takeSwap(core, ch.uuid);
        const picker = swap ? core.sessions.get(swap) : undefined;
        if (picker) GenServer.cast(ch.ctx, picker, { op: 'hangup', cause: Cause.PICKED_OFF });
        pickupPop(core, key, ch.uuid);
        pickupForget(core, ch.uuid);
      }
      return true;
    },
  };
}

export const PICKUP_ENDPOINT: EndpointInterface = {
  outgoingChannel({ destination, vars }) {
    if (destination === '') return { cause: Cause.DESTINATION_OUT_OF_ORDER };
    return { name: `pickup/${destination}`, endpoint: pickupChannel(destination, vars) };
  },
};
