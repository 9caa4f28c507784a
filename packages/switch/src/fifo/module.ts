/**
 * Loading mod_fifo's outbound side with the switch: fifo.conf's nodes and members, and the node
 * thread (a process that watches the switch's supervisor and ends with it), started once a node
 * has members to dial.
 */
import { type ProcessContext, type Where, refEquals } from '@beamline/core';
import { type Pid, isTuple } from '@beamline/etf';
import type { ChannelServices } from '../channel/channel.ts';
import type { XmlElement } from '../config/xml.ts';
import { loadFifoConf } from './conf.ts';
import { ensureNodeThread, fifoTable } from './nodes.ts';
import { fifoNodeThread } from './outbound.ts';

export { FIFO_CONF } from './conf.ts';

export async function loadFifo(where: Where, services: ChannelServices, top: Pid, open: () => Promise<XmlElement | undefined>): Promise<void> {
  const core = services.core;
  fifoTable(core).startNodeThread = () => {
    where.spawn(async (ctx: ProcessContext) => {
      const ref = ctx.monitor(top);
      await fifoNodeThread(ctx, services, (m) => isTuple(m) && m.elements.length === 5 && refEquals(m.elements[1], ref));
    });
  };
  await loadFifoConf(core, open);
  if ([...fifoTable(core).nodes.values()].some((n) => n.hasOutbound)) ensureNodeThread(core);
}
