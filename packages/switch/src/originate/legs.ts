/**
 * One leg of an originate (switch_core_session_outgoing_channel + the endpoint's
 * outgoing_channel): the new leg's caller profile (from the API arguments, or a copy of the
 * calling channel's with `effective_caller_id_*`), the `origination_*` overrides, the callee id
 * originate gives every leg (`Outbound Call` / the sanitized destination), and the endpoint
 * interface the dial string names (looked up in the switch's endpoint registry).
 */
import { GenServer, type ProcessContext } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { Cause } from '../channel/causes.ts';
import { Channel, type ChannelServices, type ChannelSpec, type Endpoint } from '../channel/channel.ts';
import { type CallerProfile, DEFAULT_CLID_NAME, DEFAULT_CLID_NUMBER, cloneProfile } from '../channel/profile.ts';
import type { OriginateApiProfile, OriginateCaller } from '../channel/originate_types.ts';
import { type DialLeg, type VarList, getVar } from '../endpoints/dial_string.ts';

const L16 = { name: 'L16', rate: 8000, bitRate: 128000 };

export type LegResult = { readonly ok: true; readonly uuid: string; readonly pid: Pid } | { readonly ok: false; readonly cause: number };

const optional = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };

/** switch_sanitize_number: an address keeps only what follows its last `/` or `:`, and loses `@…`. */
export function sanitizeNumber(n: string): string {
  if (!/[/:@]/.test(n)) return n;
  let p = n;
  const at = p.indexOf('@');
  if (at >= 0) p = p.slice(0, at);
  for (const c of ['/', ':']) {
    const i = p.lastIndexOf(c);
    if (i >= 0) p = p.slice(i + 1);
  }
  return p;
}

/** A leg the endpoint accepted but whose channel is not running yet (see prepareLeg). */
export interface PreparedLeg {
  readonly ok: true;
  readonly uuid: string;
  /** Starts the channel: its CHANNEL_OUTGOING, CS_INIT and the rest come from here on. */
  readonly start: () => Promise<LegResult>;
}

/** Creates and starts one leg; a refusal is the cause originate reports for it. */
export async function createLeg(...args: Parameters<typeof prepareLeg>): Promise<LegResult> {
  const prepared = await prepareLeg(...args);
  return prepared.ok ? prepared.start() : prepared;
}

/**
 * The first half of switch_core_session_outgoing_channel: the uuid, the profile and the endpoint's
 * outgoing_channel (where a refusal happens); `start` runs the channel. Originate calls `start` at
 * once, or when the leg's `leg_delay_start` is over (FreeSWITCH holds such a session with
 * CF_BLOCK_STATE; here its channel does not exist until then).
 */
export async function prepareLeg(
  ctx: ProcessContext,
  services: ChannelServices,
  leg: DialLeg,
  vars: VarList,
  from: { readonly caller: OriginateCaller } | { readonly api: OriginateApiProfile },
  watcher?: { readonly pid: Pid; readonly tag: number },
): Promise<PreparedLeg | { readonly ok: false; readonly cause: number }> {
  const core = services.core;
  const variable = (name: string) => getVar(vars, name);
  const requested = variable('origination_uuid');
  const taken = requested !== undefined && core.sessions.has(requested);
  if (taken && leg.endpoint.toLowerCase() === 'sofia') {
    // sofia_outgoing_channel asks for the uuid as it creates the session, and that fails
    core.log('CRIT', 'Error Creating Session');
    return { ok: false, cause: Cause.DESTINATION_OUT_OF_ORDER };
  }
  // any other endpoint: switch_core_session_outgoing_channel's switch_core_session_set_uuid fails,
  // CRIT, and the leg keeps the uuid it was made with
  const uuid = taken || requested === undefined ? core.newUuid() : requested;
  const destination = leg.destination;
  let base: CallerProfile;
  if ('caller' in from) {
    const c = from.caller;
    base = {
      ...c.profile,
      direction: 'outbound',
      logicalDirection: 'outbound',
      callerIdName: variable('origination_caller_id_name') ?? c.variable('effective_caller_id_name') ?? c.profile.callerIdName,
      callerIdNumber: variable('origination_caller_id_number') ?? c.variable('effective_caller_id_number') ?? c.profile.callerIdNumber,
      ...optional('ani', variable('origination_ani')),
      ...optional('aniii', variable('origination_aniii')),
    };
  } else {
    const a = from.api;
    const callerIdName = variable('origination_caller_id_name') ?? a.cidName ?? DEFAULT_CLID_NAME;
    const callerIdNumber = variable('origination_caller_id_number') ?? a.cidNum ?? DEFAULT_CLID_NUMBER;
    base = {
      direction: 'outbound',
      logicalDirection: 'outbound',
      dialplan: a.dialplan,
      // switch_caller_profile_new: the orig caller id starts as the caller id
      callerIdName,
      callerIdNumber,
      origCallerIdName: callerIdName,
      origCallerIdNumber: callerIdNumber,
      // switch_caller_profile_new: an empty ANI is the caller id number
      ani: variable('origination_ani') ?? variable('origination_caller_id_number') ?? a.cidNum ?? DEFAULT_CLID_NUMBER,
      ...optional('aniii', variable('origination_aniii')),
      source: 'src/switch_ivr_originate.c',
      context: a.context,
      screen: false,
      hideName: false,
      hideNumber: false,
    };
  }
  const makeSpec = (name: string, endpoint: Endpoint): ChannelSpec => ({
    uuid,
    name,
    direction: 'outbound',
    profile: {
      ...base,
      destinationNumber: destination,
      calleeIdName: variable('origination_callee_id_name') ?? 'Outbound Call',
      calleeIdNumber: variable('origination_callee_id_number') ?? sanitizeNumber(destination),
      uuid,
      chanName: name,
      profileIndex: '1',
    },
    variables: [
      ...vars.filter(([n]) => n.toLowerCase() !== 'origination_uuid'),
      ...('caller' in from && from.caller.variable('call_uuid') ? [['call_uuid', from.caller.variable('call_uuid') as string] as const] : []),
      ['originate_endpoint', leg.endpoint],
      ...(maxForwards !== undefined ? [['max_forwards', maxForwards] as const] : []),
      // switch_core_session_outgoing_channel: the leg names the channel dialling it; switch_ivr_originate: originating_leg_uuid
      ...('caller' in from
        ? [['originator', from.caller.uuid] as const, ['signal_bond', from.caller.uuid] as const, ['originating_leg_uuid', from.caller.uuid] as const]
        : []),
    ],
    endpoint,
    originating: true,
    outgoing: true,
    codec: L16,
    ...(watcher ? { watcher } : {}),
    ...('caller' in from ? { otherLeg: { type: 'originator' as const, profile: cloneProfile(from.caller.profile) } } : {}),
  });

  const iface = services.endpoints.get(leg.endpoint.toLowerCase());
  if (!iface) {
    core.log('ERR', `Could not locate channel type ${leg.endpoint}`);
    return { ok: false, cause: Cause.CHAN_NOT_IMPLEMENTED };
  }
  // switch_core_session_outgoing_channel: a leg dialled for a session counts its max_forwards down
  let maxForwards: string | undefined;
  if ('caller' in from) {
    const held = from.caller.variable('max_forwards');
    const left = held ? (Number.parseInt(held, 10) || 0) - 1 : 70;
    if (left <= 0) return { ok: false, cause: Cause.EXCHANGE_ROUTING_ERROR };
    maxForwards = String(left);
  }
  const made = await iface.outgoingChannel({
    ctx,
    services,
    destination,
    variable,
    vars,
    abandon: (name) => new Channel(makeSpec(name, {}), services, ctx).abandon(),
    from,
  });
  if ('cause' in made) return { ok: false, cause: made.cause };
  if ('session' in made) return { ok: true, uuid: made.session.uuid, start: () => takeOver(ctx, made.session, watcher) };
  if (taken) core.log('CRIT', `${made.name} set UUID=${requested} FAILED`, uuid);
  const spec = makeSpec(made.name, made.endpoint);
  const start = async (): Promise<LegResult> => {
    try {
      const pid = await services.startChannel(ctx, spec);
      // switch_core_session_outgoing_channel: the caller names the leg it dials
      const caller = 'caller' in from ? core.sessions.get(from.caller.uuid) : undefined;
      if (caller) {
        GenServer.cast(ctx, caller, { op: 'setvar', name: 'originate_signal_bond', value: uuid });
        // switch_ivr_originate: each leg it makes for a session is pushed onto that session's originated_legs
        const legEntry = `${uuid};${variable('callee_id_name') ?? ''};${variable('callee_id_number') ?? ''}`;
        GenServer.cast(ctx, caller, { op: 'originateTask', run: (c: Channel) => c.pushVariable('originated_legs', legEntry) });
      }
      return { ok: true, uuid, pid };
    } catch (err) {
      core.log('ERR', `Cannot create outgoing channel of type [${leg.endpoint}]: ${String(err)}`);
      return { ok: false, cause: Cause.DESTINATION_OUT_OF_ORDER };
    }
  };
  return { ok: true, uuid, start };
}

/**
 * A channel the endpoint's own originate won (`user/`) is this leg: it already runs, so this
 * originate only starts watching it (it reports where it is at once).
 */
async function takeOver(
  ctx: ProcessContext,
  session: { readonly uuid: string; readonly pid: Pid },
  watcher: { readonly pid: Pid; readonly tag: number } | undefined,
): Promise<LegResult> {
  if (!watcher) return { ok: true, ...session };
  try {
    await GenServer.call(ctx, session.pid, { op: 'work', work: (c: Channel) => c.handOverTo(watcher) });
    return { ok: true, ...session };
  } catch {
    return { ok: false, cause: Cause.DESTINATION_OUT_OF_ORDER };
  }
}

/** A leg's channel variable, as switch_ivr_originate reads it from the leg (undefined once it is gone). */
export async function legVariable(ctx: ProcessContext, leg: Pid, name: string): Promise<string | undefined> {
  try {
    return (await GenServer.call(ctx, leg, { op: 'getvar', name })) as string | undefined;
  } catch {
    return undefined;
  }
}
