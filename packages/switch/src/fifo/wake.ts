/**
 * A caller joined a node: its waiting consumers are told, each in its own process (in the C they
 * see it from their read-frame callback).
 */
import { callChannel } from '../api/uuid_commands.ts';
import type { AppChannel } from '../applications/types.ts';
import type { FifoNode } from './nodes.ts';

export function wakeConsumers(ch: AppChannel, node: FifoNode): void {
  const waiting = [...node.consumers.values()].filter((c) => !c.bridged);
  if (waiting.length === 0) return;
  ch.aside(async (ctx) => {
    for (const c of waiting) await callChannel({ ctx, core: ch.core }, c.uuid, { op: 'work', work: () => c.wake() });
  });
}
