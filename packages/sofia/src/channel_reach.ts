/**
 * Switch channels as sofia's short-lived worker processes reach them: their variables, their
 * partner, a transfer, a hangup, and events carrying their data. A call's own process never calls
 * its channel (the channel calls it, so each would wait on the other); what needs answers from
 * channels (a REFER, an INFO's event) runs in a worker spawned for it.
 */
import { GenServer, type ProcessContext } from '@beamline/core';
import type { CallerProfile, ChannelCall, Switch, SwitchEvent } from '@beamline/switch';

const TIMEOUT_MS = 5000;

export class ChannelReach {
  constructor(
    readonly sw: Switch,
    readonly ctx: ProcessContext,
  ) {}

  /** `req` answered by the channel `uuid`, or undefined when it is gone. */
  async call<T>(uuid: string, req: ChannelCall): Promise<T | undefined> {
    const pid = this.sw.core.sessions.get(uuid);
    if (!pid) return undefined;
    try {
      return await GenServer.call<T>(this.ctx, pid, req, TIMEOUT_MS);
    } catch {
      return undefined; // it hung up meanwhile
    }
  }

  exists(uuid: string | undefined): uuid is string {
    return uuid !== undefined && this.sw.core.sessions.has(uuid);
  }

  getvar(uuid: string, name: string): Promise<string | undefined> {
    return this.call<string | undefined>(uuid, { op: 'getvar', name });
  }

  async setvar(uuid: string, name: string, value: string | undefined): Promise<void> {
    await this.call(uuid, { op: 'setvar', name, value });
  }

  profile(uuid: string): Promise<CallerProfile | undefined> {
    return this.call<CallerProfile>(uuid, { op: 'profile' });
  }

  /** switch_channel_get_partner_uuid: `signal_bond`, else `originate_signal_bond`, if that channel exists. */
  async partner(uuid: string): Promise<string | undefined> {
    const bond = (await this.getvar(uuid, 'signal_bond')) ?? (await this.getvar(uuid, 'originate_signal_bond'));
    return this.exists(bond) ? bond : undefined;
  }

  /** switch_ivr_session_transfer; no dialplan or context: the channel's own (or its force_transfer_*). */
  async transfer(uuid: string, destination: string, dialplan?: string, context?: string): Promise<void> {
    await this.call(uuid, { op: 'redirect', destination, ...(dialplan ? { dialplan } : {}), ...(context ? { context } : {}) });
  }

  async hangup(uuid: string, cause: number): Promise<void> {
    await this.call(uuid, { op: 'hangup', cause });
  }

  /**
   * switch_channel_event_set_data, then fire: the channel's data after the headers `event` has,
   * then `trailing` (headers mod_sofia adds after the data).
   */
  async fire(event: SwitchEvent, uuid: string, trailing: readonly (readonly [string, string | undefined])[] = []): Promise<void> {
    const data = await this.call<[string, string][]>(uuid, { op: 'data', basic: false });
    for (const [name, value] of [...(data ?? []), ...trailing]) event.addHeader(name, value);
    this.sw.core.fire(event);
  }
}

/** Runs `work` in a process of its own (a worker of the calling process). */
export function spawnWorker(sw: Switch, ctx: ProcessContext, work: (reach: ChannelReach) => Promise<void>): void {
  ctx.spawn(async (c) => {
    try {
      await work(new ChannelReach(sw, c));
    } catch (e) {
      sw.core.log('ERR', `sofia: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}
