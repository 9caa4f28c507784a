/**
 * An INVITE with a Replaces header (RFC 3891), as sofia_handle_sip_i_invite and
 * sofia_handle_sip_i_invite_replaces take it: the new channel gets `sip_replaces_call_id` and a
 * `sip_replaces_<param>` per parameter whether or not the dialog is found; when it is (one of the
 * profile's dialogs, else a channel whose uuid is the Call-ID) and has a channel, the new call is
 * routed in the `inline` dialplan to take that leg's place:
 *
 *   the leg has a partner   `answer,intercept:<partner>` (intercept hangs the leg up PICKED_OFF),
 *                           `sofia::intercepted`; `hangup:CALL_REJECTED` for `early-only` while bridged
 *   it has none             `answer,<its current application>[:<data>]`, `sofia::replaced`, and the
 *                           leg hangs up ATTENDED_TRANSFER at once
 *   `a-leg` parameter       `answer,intercept:<the Replaces Call-ID>`, `sofia::intercepted`
 *
 * and the replaced leg's caller and callee ids. A Replaces naming nothing here changes nothing
 * else: neither sofia-sip nor mod_sofia refuses it (no 481), the call is routed as any other.
 */
import { Cause, type CallerProfile, switchTrue } from '@beamline/switch';
import type { ChannelReach } from './channel_reach.ts';
import type { ProfileConfig } from './config.ts';
import { sofiaEvent } from './events.ts';

/** A Replaces value: the Call-ID and its parameters in order (a flag has no value). */
export interface Replaces {
  readonly callId: string;
  readonly params: readonly (readonly [name: string, value: string | undefined])[];
}

/** sip_replaces_make: `call-id *( ;param[=value] )`; undefined without a Call-ID. */
export function parseReplaces(value: string): Replaces | undefined {
  const [callId = '', ...rest] = value.split(';').map((s) => s.trim());
  if (callId === '') return undefined;
  const params = rest
    .filter((p) => p !== '')
    .map((p): [string, string | undefined] => {
      const eq = p.indexOf('=');
      return eq < 0 ? [p, undefined] : [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
    });
  return { callId, params };
}

/** The tags' part of the dialog lookup (nta_leg_by_replaces: our tag is its to-tag). */
export function replacesToTag(r: Replaces): string | undefined {
  return r.params.find(([n]) => n.toLowerCase() === 'to-tag')?.[1];
}

/** `sip_replaces_call_id`, then `sip_replaces_<name>` = the value, or `true` for a flag. */
export function replacesVariables(r: Replaces): [string, string][] {
  return [['sip_replaces_call_id', r.callId], ...r.params.map(([n, v]): [string, string] => [`sip_replaces_${n}`, v ?? 'true'])];
}

/**
 * sofia_handle_sip_i_invite_replaces reads `early-only` with switch_find_parameter on the first
 * parameter alone, as `early-only=<true>`: the RFC's bare flag, or one later in the list, is not seen.
 */
function earlyOnly(r: Replaces): boolean {
  const [first] = r.params;
  return first !== undefined && first[0].toLowerCase() === 'early-only' && switchTrue(first[1] ?? '');
}

/** What the new channel takes from the leg it replaces: the inline destination and the ids. */
export interface ReplacingRoute {
  /** undefined: the replaced leg runs no application, and the INVITE's own destination stays. */
  readonly destination: string | undefined;
  readonly callerIdName: string | undefined;
  readonly callerIdNumber: string | undefined;
  readonly calleeIdName: string | undefined;
  readonly calleeIdNumber: string | undefined;
}

export interface ReplacesJob {
  readonly profile: ProfileConfig;
  readonly replaces: Replaces;
  /** The replaced leg's channel. */
  readonly replaced: string;
  /** The new INVITE's Call-ID (`intercepted_by`, `att_xfer_replaced_by`). */
  readonly callId: string;
  /** X-FS-Refer-For / X-FS-Refer-From, put on the replaced leg (a transfer across servers). */
  readonly referFor: string | undefined;
  readonly referFrom: string | undefined;
}

interface ReplacedLeg {
  readonly profile: CallerProfile;
  readonly partner: string | undefined;
  readonly bridged: boolean;
  readonly app: string | undefined;
  readonly data: string | undefined;
}

/** sofia_handle_sip_i_invite_replaces (no SLA Call-Info): the new channel's route; undefined when the leg is gone. */
export async function replaceDialog(reach: ChannelReach, job: ReplacesJob): Promise<ReplacingRoute | undefined> {
  const b = job.replaced;
  const leg = await reach.call<ReplacedLeg>(b, {
    op: 'work',
    work: (ch): ReplacedLeg => ({
      profile: ch.profile,
      partner: ch.variable('signal_bond') || ch.variable('originate_signal_bond') || undefined,
      bridged: ch.bridgePartner !== undefined,
      app: ch.variable('current_application') || undefined,
      data: ch.variable('current_application_data') || undefined,
    }),
  });
  if (!leg) return undefined;
  const ids = {
    callerIdName: leg.profile.callerIdName,
    callerIdNumber: leg.profile.callerIdNumber,
    calleeIdName: leg.profile.calleeIdName,
    calleeIdNumber: leg.profile.calleeIdNumber,
  };
  let partner = leg.partner;
  if (partner !== undefined && !reach.exists(partner)) {
    reach.sw.core.log('WARNING', `could not locate partner_uuid ${partner}, resetting`, b);
    partner = undefined;
  }
  const fire = async (subclass: string, header: string) => {
    if (job.profile.fireTransferEvents) await reach.fire(sofiaEvent(reach.sw, subclass), b, [[header, job.callId]]);
  };
  const unhold = () => reach.call(b, { op: 'work', work: (ch) => ch.legHolding(false) });
  const aLeg = job.replaces.params.some(([n, v]) => n.toLowerCase() === 'a-leg' && switchTrue(v ?? 'true'));
  if (aLeg) {
    await unhold();
    await fire('sofia::intercepted', 'intercepted_by');
    return { ...ids, destination: `answer,intercept:${job.replaces.callId}` };
  }
  if (job.referFor !== undefined) await reach.setvar(b, 'transfer_refer_for', job.referFor);
  if (job.referFrom !== undefined) await reach.setvar(b, 'transfer_refer_from', job.referFrom);
  if (partner !== undefined) {
    if (leg.bridged && earlyOnly(job.replaces)) return { ...ids, destination: 'hangup:CALL_REJECTED' };
    await unhold();
    await fire('sofia::intercepted', 'intercepted_by');
    return { ...ids, destination: `answer,intercept:${partner}` };
  }
  const destination = leg.app === undefined ? undefined : leg.data === undefined ? `answer,${leg.app}` : `answer,${leg.app}:${leg.data}`;
  await fire('sofia::replaced', 'att_xfer_replaced_by');
  await reach.hangup(b, Cause.ATTENDED_TRANSFER);
  return { ...ids, destination };
}
