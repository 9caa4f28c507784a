/**
 * The session reaper: a channel process that died without running its end (killed by `kill`)
 * would leave its uuid in the session table; this process monitors every channel and removes
 * what is left, then fires on the dead channel's behalf what a hangup fires (CHANNEL_HANGUP with
 * cause CRASH, CHANNEL_HANGUP_COMPLETE, CHANNEL_DESTROY, from the channel's last data; its bridge
 * partner told), so that everything that follows the call lets go of it. It is a worker of the
 * switch's supervisor: a restarted reaper monitors the channels already in the table before
 * taking new ones.
 */
import { DOWN, type ProcessContext, pidEquals, refKey } from '@beamline/core';
import { Tuple } from '@beamline/etf';
import type { Pid } from '@beamline/etf';
import type { SwitchCore } from './core.ts';

/** The message that asks the reaper to watch a channel. */
export interface ReaperWatch {
  readonly watch: Pid;
  readonly uuid: string;
}

export async function sessionReaper(ctx: ProcessContext, core: SwitchCore): Promise<void> {
  const watched = new Map<string, string>();
  const watch = (pid: Pid, uuid: string) => watched.set(refKey(ctx.monitor(pid)), uuid);
  for (const uuid of core.sessions.uuids()) {
    const pid = core.sessions.get(uuid);
    if (pid) watch(pid, uuid);
  }
  for (;;) {
    const msg = await ctx.receive();
    if (typeof msg === 'object' && msg !== null && 'watch' in msg) {
      const { watch: pid, uuid } = msg as ReaperWatch;
      watch(pid, uuid);
    } else if (msg instanceof Tuple && msg.elements[0] === DOWN) {
      const [, ref, , pid, reason] = msg.elements;
      const key = refKey(ref as never);
      const uuid = watched.get(key);
      watched.delete(key);
      const live = uuid === undefined ? undefined : core.sessions.get(uuid);
      if (uuid !== undefined && live !== undefined && pidEquals(pid, live)) {
        const onKilled = core.sessions.onKilled(uuid);
        core.sessions.remove(uuid);
        core.channels.remove(uuid);
        core.media.detach(uuid);
        core.log('CRIT', `channel ${uuid} died without hangup (${String(reason)}): removed from the session table`, uuid);
        // the rest of the node sees the call end as for any hangup (CRASH): DECISIONS #347
        try {
          onKilled?.(ctx);
        } catch (e) {
          core.log('ERR', `channel ${uuid}: its end could not be announced: ${e instanceof Error ? e.message : String(e)}`, uuid);
        }
      }
    }
  }
}
