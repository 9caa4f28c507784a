/**
 * Loading mod_callcenter with the switch: callcenter.conf's queues, agents and tiers, and the
 * dispatch thread (a process that watches the switch's supervisor and ends with it), started once
 * a member joins a queue.
 */
import { type ProcessContext, type Where, refEquals } from '@beamline/core';
import { type Pid, isTuple } from '@beamline/etf';
import type { ApiCommand } from '../api/registry.ts';
import type { ChannelServices } from '../channel/channel.ts';
import type { XmlElement } from '../config/xml.ts';
import { CALLCENTER_CONFIG_COMMAND } from './api.ts';
import { CALLCENTER_APPLICATIONS } from './application.ts';
import { ccDispatchThread } from './dispatch.ts';
import { loadCallcenterConf } from './queues.ts';
import { ccTables } from './tables.ts';

export { CALLCENTER_CONF } from './queues.ts';

export const CALLCENTER_COMMANDS: readonly ApiCommand[] = [CALLCENTER_CONFIG_COMMAND];
export { CALLCENTER_APPLICATIONS };

export async function loadCallcenter(where: Where, services: ChannelServices, top: Pid, open: () => Promise<XmlElement | undefined>): Promise<void> {
  const t = ccTables(services.core);
  t.startDispatch = () => {
    where.spawn(async (ctx: ProcessContext) => {
      const ref = ctx.monitor(top);
      await ccDispatchThread(ctx, services, (m) => isTuple(m) && m.elements.length === 5 && refEquals(m.elements[1], ref));
    });
  };
  await loadCallcenterConf(services.core, open);
}
