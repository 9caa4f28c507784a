/**
 * The switch's `local_streams` supervisor: simple_one_for_one, a process per stream (its `run`),
 * transient, so a stream's process that is killed is started again and the stream goes on where
 * the clock is (its listeners keep listening); one that ends by itself (stop, a full reload, a
 * directory gone) is not. A supervisor that is restarted starts empty: its start gives every
 * stream still in mod_local_stream's table a process again (DECISIONS #390).
 */
import { type ChildSpec, type ProcessContext, Supervisor } from '@beamline/core';
import type { SwitchCore } from '../core/core.ts';
import { localStreams } from './module.ts';
import type { LocalStream } from './stream.ts';

export function localStreamsSupervisor(core: SwitchCore): ChildSpec {
  return {
    id: 'local_streams',
    type: 'supervisor',
    start: async (ctx) => {
      const sup = await Supervisor.start(ctx, {
        strategy: 'simple_one_for_one',
        children: [{ id: 'local_stream', restart: 'transient', start: (c: ProcessContext, s: LocalStream) => c.spawnLink((p) => s.run(p)) }],
      });
      // at the switch's start the module is not loaded yet: its load launches the streams
      await localStreams(core)?.resume(async (stream) => {
        const r = await Supervisor.startChild(ctx, sup, [stream]);
        if (!r.ok) throw new Error(String(r.error));
      });
      return sup;
    },
  };
}
