/**
 * Outcalls (conference_outcall, conference_outcall_bg): the switch dials a leg for a conference
 * and, once the leg has answered (or has early media), gives it the `conference` application as
 * its extension (`<name>[@<profile>][+flags{<flags>}]`), so it joins as any caller does.
 *
 * For a conference that exists, the caller id left empty is the profile's `caller-id-name` /
 * `caller-id-number`, and `originating` counts the dials under way. For one that does not exist
 * yet, the leg is dialled with `{ignore_early_media=true}` and the given caller id alone; the
 * `conference` application it runs creates the conference (with the default profile).
 *
 * A `bridge:` conference's caller dials as the originate's caller (its variables, its ringback,
 * its hangup cancels the dial); the profile's caller id then goes in as `origination_caller_id_*`
 * unless those are set already. It acts on the result in its own process.
 *
 * The background form runs in a process of its own and then fires `bgdial-result` (only for a
 * conference that existed when it was asked, as FreeSWITCH does).
 */
import { GenServer, type ProcessContext } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { Cause, causeName } from '../channel/causes.ts';
import type { ChannelServices } from '../channel/channel.ts';
import type { OriginateCaller, OriginateResult } from '../channel/originate_types.ts';
import { type VarList, getVar, setVar } from '../endpoints/dial_string.ts';
import { originateCall } from '../originate/originate.ts';
import { callChannel } from '../api/uuid_commands.ts';
import type { Conference } from './conference.ts';

export interface Outcall {
  /** The conference dialled for; undefined: it does not exist (yet), `name` is what the leg joins. */
  readonly conf: Conference | undefined;
  readonly name: string;
  readonly dial: string;
  /** Seconds (the API's dials: 60). */
  readonly timeoutSec: number;
  /** The member flags the leg joins with (`none`: none); its own `outcall_flags` variable wins. */
  readonly flags?: string;
  readonly cidName?: string;
  readonly cidNum?: string;
  /** The profile the leg names in its `conference` argument. */
  readonly profile?: string;
  /** Variables the leg is dialled with (before the dial string's). */
  readonly vars?: VarList;
  /** The channel dialling (a `bridge:` conference's caller): the originate's caller, for a conference that exists. */
  readonly caller?: OriginateCaller;
}

export interface OutcallResult {
  /** SWITCH_STATUS_SUCCESS. */
  readonly ok: boolean;
  /** The originate's cause (SUCCESS when it got a leg). */
  readonly cause: number;
  /** The leg that was sent into the conference. */
  readonly peerUuid?: string;
  /** The conference ended while the leg was dialled: the leg was hung up. */
  readonly gone?: true;
}

/** The leg's `conference` argument. */
export function outcallAppData(name: string, profile: string | undefined, flags: string | undefined): string {
  const withFlags = flags !== undefined && flags.toLowerCase() !== 'none';
  return `${name}${profile ? `@${profile}` : ''}${withFlags ? `+flags{${flags}}` : ''}`;
}

const apiProfile = (cidName: string | undefined, cidNum: string | undefined) => ({
  dialplan: 'XML',
  context: 'default',
  ...(cidName !== undefined ? { cidName } : {}),
  ...(cidNum !== undefined ? { cidNum } : {}),
});

async function hangupLeg(ctx: ProcessContext, pid: Pid, cause: number): Promise<void> {
  try {
    await GenServer.call(ctx, pid, { op: 'hangup', cause });
  } catch {
    // the leg is gone already
  }
}

/** conference_outcall, in `ctx`'s process. */
export async function conferenceOutcall(ctx: ProcessContext, services: ChannelServices, call: Outcall): Promise<OutcallResult> {
  const { conf } = call;
  let result: OriginateResult;
  if (!conf) {
    result = await originateCall(ctx, services, {
      dial: `{ignore_early_media=true}${call.dial}`,
      timeoutSec: 60,
      api: apiProfile(call.cidName, call.cidNum),
      ...(call.vars ? { baseVars: call.vars } : {}),
    });
    if (!result.ok) return { ok: false, cause: result.cause };
  } else {
    const cidName = call.cidName || conf.profile.callerIdName;
    const cidNum = call.cidNum || conf.profile.callerIdNumber;
    const baseVars = call.caller ? callerIdOverride(call.vars ?? [], cidName, cidNum) : call.vars;
    conf.originating++;
    try {
      result = await originateCall(ctx, services, {
        dial: call.dial,
        timeoutSec: call.timeoutSec,
        api: apiProfile(cidName, cidNum),
        ...(call.caller ? { caller: call.caller } : {}),
        ...(baseVars ? { baseVars } : {}),
      });
    } finally {
      conf.originating--;
    }
    if (!result.ok) {
      services.core.log('ERR', `Cannot create outgoing channel, cause: ${causeName(result.cause)}`, call.caller?.uuid);
      return { ok: false, cause: result.cause };
    }
    if (!conf.flags.has('RUNNING')) {
      services.core.log('ERR', 'Conference is gone now, nevermind..', call.caller?.uuid);
      await hangupLeg(ctx, result.winner.pid, Cause.NO_ROUTE_DESTINATION);
      return { ok: true, cause: Cause.SUCCESS, gone: true };
    }
  }
  const { uuid, pid, status } = result.winner;
  if (status !== 'answered' && status !== 'early') {
    await hangupLeg(ctx, pid, Cause.NO_ANSWER);
    return { ok: false, cause: Cause.SUCCESS };
  }
  const reach = { ctx, core: services.core };
  const own = await callChannel<string | undefined>(reach, uuid, { op: 'work', work: (ch) => ch.variable('outcall_flags') });
  const data = outcallAppData(call.name, call.profile, own?.value || call.flags);
  // a leg that hung up between its answer and here is not told
  await callChannel(reach, uuid, {
    op: 'setExtension',
    extension: { name: call.name, number: call.name, applications: [{ application: 'conference', data }] },
  });
  return { ok: true, cause: Cause.SUCCESS, peerUuid: uuid };
}

/** switch_ivr_originate's caller id overrides from a calling channel: `origination_caller_id_*` unless the variables have them. */
function callerIdOverride(vars: VarList, cidName: string, cidNum: string): VarList {
  let out = vars;
  if (getVar(out, 'origination_caller_id_name') === undefined) out = setVar(out, 'origination_caller_id_name', cidName);
  if (getVar(out, 'origination_caller_id_number') === undefined) out = setVar(out, 'origination_caller_id_number', cidNum);
  return out;
}

/**
 * conference_outcall_bg: the dial in a process spawned from `ctx`; `jobUuid` (bgdial's) is set on
 * the leg as `conference_bgdial_jobid`.
 */
export function conferenceOutcallBg(ctx: ProcessContext, services: ChannelServices, call: Outcall, jobUuid?: string): void {
  const vars = jobUuid === undefined ? call.vars : setVar(call.vars ?? [], 'conference_bgdial_jobid', jobUuid);
  ctx.spawn(async (bctx) => {
    const r = await conferenceOutcall(bctx, services, { ...call, ...(vars ? { vars } : {}) });
    const post: [string, string][] = [['Result', causeName(r.cause)]];
    if (jobUuid !== undefined) post.push(['Job-UUID', jobUuid]);
    if (r.peerUuid !== undefined) post.push(['Peer-UUID', r.peerUuid]);
    call.conf?.fireConference('bgdial-result', post);
  });
}
