/**
 * mod_dptools' `pickup <key>` (pickup_function): the oldest `pickup/<key>` leg ringing in the group
 * is taken. The picking channel gets that leg's originate variables, takes the leg's caller id as
 * its own (its own becomes its callee id) and fires CALL_UPDATE, then hibernates: its dialplan
 * stops. The leg is marked to be swapped for it and answered, so the originate dialling the leg
 * hangs the leg up PICKED_OFF and puts the picking channel in its place (originate/channel_swap.ts),
 * and the caller is bridged to it. With no leg waiting nothing happens and nothing is logged: the
 * dialplan goes on.
 */
import { callChannel } from '../api/uuid_commands.ts';
import { markSwap } from '../core/channel_swap.ts';
import { pickupLeg, pickupPop } from '../endpoints/pickup_queue.ts';
import type { Application } from './types.ts';

const PICKUP_SYNTAX = '[<key>]';

export const PICKUP_APP: Application = {
  name: 'pickup',
  run: async (ch, data, done) => {
    const core = ch.core;
    if (data === '') {
      core.log('WARNING', `Missing data.  Usage: pickup ${PICKUP_SYNTAX}`, ch.uuid);
      await done();
      return undefined;
    }
    const uuid = pickupPop(core, data);
    const leg = uuid === undefined ? undefined : pickupLeg(core, uuid);
    if (uuid === undefined || !leg || !core.sessions.has(uuid)) {
      await done();
      return undefined;
    }
    for (const [n, v] of leg.vars) ch.setVariable(n, v);
    markSwap(core, uuid, ch.uuid);
    const name = ch.variable('caller_id_name');
    const number = ch.variable('caller_id_number');
    ch.setProfileVar('caller_id_name', leg.callerIdName);
    ch.setProfileVar('caller_id_number', leg.callerIdNumber);
    ch.setProfileVar('callee_id_name', name);
    ch.setProfileVar('callee_id_number', number);
    const partner = ch.variable('signal_bond') || ch.variable('originate_signal_bond');
    ch.fire('CALL_UPDATE', undefined, [['Direction', 'RECV'], ...(partner ? ([['Bridged-To', partner]] as const) : [])]);
    await ch.send({ type: 'SET_STATE', state: 'CS_HIBERNATE' });
    // run from sendmsg inside park, park ends too (a pending state change ends its loop in the C)
    ch.interruptAll();
    let over = false;
    const finish = async () => {
      if (over) return;
      over = true;
      await done();
    };
    ch.aside(
      (ctx) =>
        callChannel({ ctx, core }, uuid, {
          op: 'work',
          work: (c) => {
            c.setVariable('channel_swap_uuid', ch.uuid);
            return c.send({ type: 'MARK_ANSWERED' });
          },
        }),
      finish,
    );
    return finish;
  },
};
