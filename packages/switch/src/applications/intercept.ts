/**
 * mod_dptools' `intercept [-bleg] <uuid>` (switch_ivr_intercept_session): the channel running it
 * answers and takes the place of the leg `<uuid>` is dialling or talking to. That leg — the
 * target's partner — is hung up PICKED_OFF; the target is answered, parked (its dialling fails
 * PICKED_OFF) and bridged to this channel. `-bleg`: `<uuid>` is the ringing leg, the target the
 * one that dials it.
 */
import { GenServer } from '@beamline/core';
import { uuidBridge } from '../api/channel_commands.ts';
import { type ChannelReach, callChannel } from '../api/uuid_commands.ts';
import { Cause } from '../channel/causes.ts';
import type { Channel } from '../channel/channel.ts';
import { caseEqual, separateString, switchTrue } from '../internal/strings.ts';
import type { Application } from './types.ts';

const INTERCEPT_SYNTAX = '[-bleg] <uuid>';

/** switch_channel_get_partner_uuid: `signal_bond`, else `originate_signal_bond` (the leg it dials). */
const partnerUuid = (c: Channel) => c.variable('signal_bond') || c.variable('originate_signal_bond') || undefined;

/** switch_ivr_find_bridged_uuid: `originate_signal_bond`, else the partner uuid. */
const bridgedUuid = (c: Channel) => c.variable('originate_signal_bond') || partnerUuid(c);

/** What the interceptor needs of the target, read in the target's process. */
interface Target {
  readonly partner: string | undefined;
  readonly bridged: boolean;
  readonly answered: boolean;
}

/** The interceptor's `intercept_*` variables. */
interface InterceptOptions {
  readonly unbridgedOnly: boolean;
  readonly unansweredOnly: boolean;
  readonly preBond: boolean;
}

/** switch_ivr_intercept_session, from a process of its own; true when the bridge was made. */
async function intercept(env: ChannelReach, self: string, given: string, bleg: boolean, opts: InterceptOptions): Promise<boolean> {
  const debug = (text: string) => env.core.log('DEBUG', text, self);
  let uuid: string | undefined = given;
  if (bleg) {
    uuid = (await callChannel<string | undefined>(env, given, { op: 'work', work: bridgedUuid }))?.value;
    if (!uuid) {
      debug(`no uuid bridged to ${given}`);
      return false;
    }
  }
  const found = uuid
    ? await callChannel<Target>(env, uuid, {
        op: 'work',
        work: (c): Target => ({ partner: partnerUuid(c), bridged: c.bridgePartner !== undefined, answered: c.context.answered }),
      })
    : undefined;
  if (!uuid || !found) {
    debug(`no uuid ${uuid ?? ''}`);
    return false;
  }
  const target = found.value;
  if ((opts.unbridgedOnly && target.bridged) || (opts.unansweredOnly && target.answered)) return false;
  await callChannel(env, self, { op: 'answer' });
  const partner = target.partner && !caseEqual(target.partner, self) ? target.partner : undefined;
  if (partner) await callChannel(env, partner, { op: 'setvar', name: 'park_after_bridge', value: 'true' });
  // the partner is told to hang up before the target parks, so the PICKED_OFF reaches it before the
  // target's cancelled originate could hang it up ORIGINATOR_CANCEL
  const picked = partner ? env.core.sessions.get(partner) : undefined;
  await callChannel(env, uuid, {
    op: 'work',
    work: async (c) => {
      c.intercepted = true;
      // a bridged target leaves its bridge first, so its partner's PICKED_OFF does not end it too
      await c.leaveBridge();
      if (picked) GenServer.cast(c.ctx, picked, { op: 'hangup', cause: Cause.PICKED_OFF });
      if (!c.context.answered) await c.answer();
      await c.legHolding(false);
      await c.parkSession();
    },
  });
  if (opts.preBond) {
    await callChannel(env, self, { op: 'setvar', name: 'signal_bond', value: uuid });
    await callChannel(env, uuid, { op: 'setvar', name: 'signal_bond', value: self });
  }
  return uuidBridge(env, self, uuid);
}

export const INTERCEPT_APP: Application = {
  name: 'intercept',
  run: async (ch, data, done) => {
    const argv = separateString(data, ' ', 4);
    const bleg = argv[0] !== undefined && caseEqual(argv[0], '-bleg');
    const uuid = bleg ? argv[1] : argv[0];
    if (!uuid) {
      ch.core.log('ERR', `Usage: ${INTERCEPT_SYNTAX}`, ch.uuid);
      await done();
      return undefined;
    }
    let over = false;
    const finish = async () => {
      if (over) return;
      over = true;
      await done();
    };
    // the bridge, once made, ends the application (uuid_bridge moves the channel on)
    const own = (name: string) => switchTrue(ch.variable(name));
    const opts = {
      unbridgedOnly: own('intercept_unbridged_only'),
      unansweredOnly: own('intercept_unanswered_only'),
      preBond: own('intercept_pre_bond'),
    };
    ch.aside((ctx) => intercept({ ctx, core: ch.core }, ch.uuid, uuid, bleg, opts), finish);
    return finish;
  },
};
