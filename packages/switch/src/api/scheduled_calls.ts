/**
 * Scheduled tasks that act on a call by its uuid (switch_ivr_async.c's switch_ivr_schedule_*):
 * each task's description is the C function's name and its group the uuid, so `sched_del <uuid>`
 * and `sched_cancel` remove them. When the task runs it looks the channel up again; a channel
 * that is gone by then is left alone.
 */
import type { SwitchCore } from '../core/core.ts';
import { atol } from '../internal/strings.ts';
import { type BroadcastLegs, broadcast } from './media_commands.ts';
import { type ChannelReach, callChannel } from './uuid_commands.ts';

/** A `[+]<time>` word: `+N` is N seconds from now, anything else an epoch second (C atol). */
export function schedTime(word: string, now: number): number {
  return word.startsWith('+') ? now + atol(word.slice(1)) : atol(word);
}

/** switch_core_session_get_partner: `signal_bond`, else `originate_signal_bond`, if that channel exists. */
async function partnerOf(reach: ChannelReach, uuid: string): Promise<string | undefined> {
  for (const name of ['signal_bond', 'originate_signal_bond']) {
    const r = await callChannel<string | undefined>(reach, uuid, { op: 'getvar', name });
    if (r?.value) return reach.core.sessions.has(r.value) ? r.value : undefined;
  }
  return undefined;
}

/** switch_ivr_schedule_hangup: at `runtime`, hang up `uuid` — with `bleg`, its partner — with `cause`. */
export function scheduleHangup(core: SwitchCore, runtime: number, uuid: string, cause: number, bleg: boolean): number {
  return core.scheduler.add(
    runtime,
    async (_task, ctx) => {
      const reach = { ctx, core };
      if (!core.sessions.has(uuid)) return;
      if (!bleg) {
        await callChannel(reach, uuid, { op: 'hangup', cause });
        return;
      }
      const other = await partnerOf(reach, uuid);
      if (other === undefined) core.log('WARNING', 'No channel to hangup', uuid);
      else await callChannel(reach, other, { op: 'hangup', cause });
    },
    'switch_ivr_schedule_hangup',
    uuid,
  );
}

/** switch_ivr_schedule_transfer: at `runtime`, transfer `uuid` (switch_ivr_session_transfer: no extension = `service`). */
export function scheduleTransfer(
  core: SwitchCore,
  runtime: number,
  uuid: string,
  extension: string | undefined,
  dialplan: string | undefined,
  context: string | undefined,
): number {
  return core.scheduler.add(
    runtime,
    async (_task, ctx) => {
      if (!core.sessions.has(uuid)) return;
      await callChannel({ ctx, core }, uuid, { op: 'redirect', destination: extension ?? '', dialplan, context });
    },
    'switch_ivr_schedule_transfer',
    uuid,
  );
}

/** switch_ivr_schedule_broadcast: at `runtime`, uuid_broadcast's queued execute of `path` on the named legs. */
export function scheduleBroadcast(core: SwitchCore, runtime: number, uuid: string, path: string, legs: BroadcastLegs): number {
  return core.scheduler.add(
    runtime,
    async (_task, ctx) => {
      await broadcast({ ctx, core }, uuid, path, legs);
    },
    'switch_ivr_schedule_broadcast',
    uuid,
  );
}
