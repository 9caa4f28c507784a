/**
 * Call transfer by REFER (RFC 3515), as sofia_handle_sip_i_refer does it once the REFER has its
 * 202: the work on the switch's channels, in a worker process (channel_reach.ts), telling the
 * phone how it went in one NOTIFY whose message/sipfrag body is `SIP/2.0 200 OK` or
 * `SIP/2.0 403 Forbidden` (sofia-sip's early `100 Trying` NOTIFY is compiled out, so there is none).
 *
 * Blind (`Refer-To: <sip:EXT@host>`): the REFER leg's bridged partner is transferred to EXT in its
 * own dialplan and context (switch_ivr_session_transfer with neither given); the REFER leg is left
 * to its dialplan (the phone hangs it up). A leg with no partner: sofia::error and 403.
 *
 * Attended (`?Replaces=<call-id>…`, the dialog of the phone's other call here): the partners of the
 * two legs are bridged together (switch_ivr_uuid_bridge), the replaced leg parks and hangs up
 * ATTENDED_TRANSFER 2 s later unless the phone does first; with one partner only, it is
 * transferred to the other leg's destination and that leg hangs up ATTENDED_TRANSFER.
 */
import { GenServer } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { Cause, type Switch, type SwitchEvent, switchTrue, urlDecode } from '@beamline/switch';
import type { CallRequest } from './call_messages.ts';
import type { ChannelReach } from './channel_reach.ts';
import type { ProfileConfig } from './config.ts';
import { sofiaEvent } from './events.ts';
import { type SipUri, parseUri } from './sip/address.ts';
import { type SipRequest, header } from './sip/message.ts';

export const SIPFRAG_OK = 'SIP/2.0 200 OK\r\n';
export const SIPFRAG_FORBIDDEN = 'SIP/2.0 403 Forbidden\r\n';

/** A Refer-To value: the whole header (sip_refer_to), its URI, and the URI's `?headers`. */
export interface ReferTo {
  readonly full: string;
  readonly uri: SipUri;
  readonly headers: string | undefined;
}

export function parseReferTo(value: string): ReferTo {
  const inside = /<([^>]*)>/.exec(value)?.[1] ?? value.split(';')[0].trim();
  const q = inside.indexOf('?');
  return { full: value.trim(), uri: parseUri(inside), headers: q < 0 ? undefined : inside.slice(q + 1) };
}

/**
 * The Call-ID of the dialog a Refer-To's `Replaces=` names. sofia_handle_sip_i_refer unescapes the
 * value and cuts it at its first `;`, so the tags play no part: the dialog is found by Call-ID.
 */
export function replacesCallId(referTo: ReferTo): string | undefined {
  const at = referTo.headers?.toLowerCase().indexOf('replaces=') ?? -1;
  if (at < 0 || referTo.headers === undefined) return undefined;
  return urlDecode(referTo.headers.slice(at + 9)).split(';')[0] || undefined;
}

/** What the worker needs of a REFER that was accepted. */
export interface ReferJob {
  readonly profile: ProfileConfig;
  /** The process of the call the REFER came in, which sends the NOTIFY. */
  readonly call: Pid;
  /** The NOTIFY's Event: `refer;id=<the REFER's CSeq>`. */
  readonly event: string;
  /** The REFER leg's channel (channel_a). */
  readonly channel: string;
  readonly referTo: ReferTo;
  /** The whole Referred-By header, if there was one. */
  readonly referredBy: string | undefined;
  /** The user of the REFER's From (`transfer_fallback_extension`). */
  readonly fromUser: string;
  /** The call process of the dialog Replaces names, as the profile found it. */
  readonly replaced: Pid | undefined;
}

/** The worker's word to the call: NOTIFY the phone with this sipfrag. */
export interface ReferNotify {
  readonly referNotify: string;
  readonly event: string;
}

export const isReferNotify = (m: unknown): m is ReferNotify => typeof m === 'object' && m !== null && 'referNotify' in m;

function notify(reach: ChannelReach, job: ReferJob, sipfrag: string): void {
  reach.ctx.send(job.call, { referNotify: sipfrag, event: job.event } satisfies ReferNotify);
}

/** The channel of another call of the profile (nua_handle_by_replaces' session), if it has one. */
export async function channelOfCall(reach: ChannelReach, call: Pid): Promise<string | undefined> {
  try {
    return await GenServer.call<string | undefined>(reach.ctx, call, { op: 'channelUuid' } satisfies CallRequest, 5000);
  } catch {
    return undefined;
  }
}

export async function transferByRefer(reach: ChannelReach, job: ReferJob): Promise<void> {
  const a = job.channel;
  await reach.setvar(a, 'transfer_disposition', 'recv_replace');
  if (job.referTo.uri.params) await reach.setvar(a, 'sip_refer_to_params', job.referTo.uri.params);
  if (replacesCallId(job.referTo) !== undefined) await attended(reach, job);
  else await blind(reach, job);
}

async function blind(reach: ChannelReach, job: ReferJob): Promise<void> {
  const a = job.channel;
  const exten = job.referTo.uri.user ?? '';
  const b = await reach.partner(a);
  await reach.setvar(a, 'transfer_to', `blind:${b ?? exten}`);
  await reach.setvar(a, 'transfer_destination', `blind:${exten}`);
  if (!b) {
    const error = sofiaEvent(reach.sw, 'sofia::error');
    error.addHeader('Error-Type', 'blind_transfer');
    error.addHeader('Transfer-Exten', exten);
    error.addHeader('Full-Refer-To', job.referTo.full);
    await reach.fire(error, a);
    reach.sw.core.log('ERR', 'Cannot Blind Transfer 1 Legged calls', a);
    await reach.setvar(a, 'endpoint_disposition', 'ATTENDED_TRANSFER_ERROR');
    notify(reach, job, SIPFRAG_FORBIDDEN);
    return;
  }
  await reach.setvar(a, 'transfer_fallback_extension', job.fromUser);
  await passReferHeaders(reach, b, job);
  await reach.setvar(a, 'endpoint_disposition', 'BLIND_TRANSFER');
  notify(reach, job, SIPFRAG_OK);
  if (job.referTo.uri.params) await reach.setvar(b, 'sip_h_X-FS-Refer-Params', job.referTo.uri.params);
  if (job.profile.fireTransferEvents) {
    await reach.fire(sofiaEvent(reach.sw, 'sofia::transferor'), a);
    await reach.fire(sofiaEvent(reach.sw, 'sofia::transferee'), b);
  }
  await reach.transfer(b, exten);
}

/** The REFER's Referred-By (as `sip_h_Referred-By`) and Refer-To (`sip_refer_to`) on the leg that moves. */
async function passReferHeaders(reach: ChannelReach, uuid: string, job: ReferJob): Promise<void> {
  if (job.referredBy) await reach.setvar(uuid, 'sip_h_Referred-By', job.referredBy);
  await reach.setvar(uuid, 'sip_refer_to', job.referTo.full);
}

async function attended(reach: ChannelReach, job: ReferJob): Promise<void> {
  const a = job.channel;
  const b = job.replaced && (await channelOfCall(reach, job.replaced));
  if (!job.replaced) {
    // mod_sofia would look for the dialog on another server (its "nightmare transfer"); not here
    reach.sw.core.log('ERR', `Invalid Transfer! [${(await reach.partner(a)) ?? '(null)'}]`, a);
    await reach.setvar(a, 'endpoint_disposition', 'ATTENDED_TRANSFER_ERROR');
    notify(reach, job, SIPFRAG_FORBIDDEN);
    return;
  }
  if (!b || !reach.exists(b)) return; // a dialog with no channel (any more): nothing to say
  await reach.setvar(a, 'refer_uuid', b);
  await reach.setvar(b, 'transfer_disposition', 'replaced');
  const brA = await reach.partner(a);
  const brB = await reach.partner(b);
  if (await denied(reach, [a, b, brA, brB])) {
    reach.sw.core.log('NOTICE', 'Denying Attended Transfer, variable [deny_refer_requests] was set to true', a);
    notify(reach, job, SIPFRAG_FORBIDDEN);
    return;
  }
  if (brA && brB) {
    reach.sw.core.log('NOTICE', `Attended Transfer [${brA}][${brB}]`, a);
    await reach.setvar(brB, 'transfer_disposition', 'bridge');
    await reach.setvar(a, 'transfer_to', `att:${brB}`);
    await markTransferRecord(reach, a, brA, brB);
    if (job.profile.fireTransferEvents)
      await fireTransferEvents(reach, { replaced: b, replacedBy: brA, transferor: a, original: brA, destination: brB, peer: b, transferee: brA });
    await reach.sw.execute('uuid_bridge', `${brA} ${brB}`);
    await reach.setvar(b, 'endpoint_disposition', 'ATTENDED_TRANSFER');
    notify(reach, job, SIPFRAG_OK);
    await reach.setvar(b, 'park_timeout', '2:attended_transfer');
    await reach.call(b, { op: 'park' });
    return;
  }
  if (!brA && !brB) {
    reach.sw.core.log('WARNING', 'Cannot transfer channels that are not in a bridge.', a);
    notify(reach, job, SIPFRAG_FORBIDDEN);
    return;
  }
  // one leg is bridged: its partner goes where the other leg was going, and that leg hangs up
  const [moving, hangingUp] = brA ? [brA, b] : [brB as string, a];
  if (!brA) await reach.hangup(b, Cause.ATTENDED_TRANSFER);
  await passReferHeaders(reach, moving, job);
  if (job.profile.fireTransferEvents) {
    const peer = await reach.partner(moving);
    await fireTransferEvents(reach, { transferor: a, original: hangingUp, destination: moving, peer, transferee: moving });
  }
  const inline = await reach.getvar(hangingUp, 'inline_destination');
  if (inline) await reach.transfer(moving, inline, 'inline');
  else await reach.transfer(moving, (await reach.getvar(hangingUp, 'destination_number')) ?? '');
  notify(reach, job, SIPFRAG_OK);
  await reach.hangup(hangingUp, Cause.ATTENDED_TRANSFER);
}

/** `deny_refer_requests` true on any of the legs. */
async function denied(reach: ChannelReach, legs: readonly (string | undefined)[]): Promise<boolean> {
  for (const leg of legs) if (leg && switchTrue((await reach.getvar(leg, 'deny_refer_requests')) ?? '')) return true;
  return false;
}

/**
 * fire-transfer-events of an attended transfer: sofia::replaced on the replaced leg (when both
 * partners are bridged), sofia::transferor on the REFER leg, sofia::transferee on the leg that moves.
 */
async function fireTransferEvents(
  reach: ChannelReach,
  e: {
    readonly replaced?: string;
    readonly replacedBy?: string;
    readonly transferor: string;
    readonly original: string;
    readonly destination: string;
    readonly peer: string | undefined;
    readonly transferee: string;
  },
): Promise<void> {
  if (e.replaced) await reach.fire(sofiaEvent(reach.sw, 'sofia::replaced'), e.replaced, [['att_xfer_replaced_by', e.replacedBy]]);
  await reach.fire(sofiaEvent(reach.sw, 'sofia::transferor'), e.transferor, [
    ['att_xfer_original_call_id', e.original],
    ['att_xfer_destination_call_id', e.destination],
    ['att_xfer_destination_peer_uuid', e.peer],
  ]);
  await reach.fire(sofiaEvent(reach.sw, 'sofia::transferee'), e.transferee);
}

/**
 * mark_transfer_record: each bridged partner's `transfer_history` gets (and `transfer_source` is)
 * `<epoch>:<its profile's uuid>:att_xfer:<REFER leg's user@host>/<its user@host>`, the From of an
 * inbound leg, the To of an outbound one (C's printf writes a missing value as `(null)`). The
 * profile's uuid_str is its own, never the channel's (a fresh one here, of `fsctl uuid_version`'s
 * kind). The uuid_bridge that follows pushes its own `uuid_br` record after it (DECISIONS #432).
 */
async function markTransferRecord(reach: ChannelReach, a: string, brA: string, brB: string): Promise<void> {
  const party = async (uuid: string) => {
    const inbound = (await reach.profile(uuid))?.direction === 'inbound';
    const side = inbound ? 'sip_from' : 'sip_to';
    const value = async (n: string) => (await reach.getvar(uuid, `${side}_${n}`)) ?? '(null)';
    return `${await value('user')}@${await value('host')}`;
  };
  const referrer = await party(a);
  for (const uuid of [brB, brA]) {
    const record = `${Math.floor(Date.now() / 1000)}:${reach.sw.core.newUuid()}:att_xfer:${referrer}/${await party(uuid)}`;
    await reach.call(uuid, { op: 'work', work: (ch) => ch.pushVariable('transfer_history', record) });
    await reach.setvar(uuid, 'transfer_source', record);
  }
}

/** sofia_glue_get_url_from_contact: the URI inside `<…>`, or the text itself without a leading `<`. */
function urlOf(value: string): string {
  const t = value.trim().replace(/^"[^"]*"\s*/, '');
  return /<([^>]*)>/.exec(t)?.[1] ?? t.replace(/^</, '');
}

function uriOf(text: string | undefined): SipUri | undefined {
  try {
    return text === undefined ? undefined : parseUri(text);
  } catch {
    return undefined;
  }
}

/** switch_find_parameter: `name=value` in a `;`-separated list. */
function parameter(list: string, name: string): string | undefined {
  return new RegExp(`(?:^|;)\\s*${name}=([^;>]*)`, 'i').exec(list)?.[1];
}

/**
 * A REFER outside any dialog (mod_sofia's nua_i_refer without a session, answered 202 with a To
 * tag): CALL_SETUP_REQ asking whoever listens to place the call it describes. `method=` in the
 * Refer-To (INVITE, the default, is `call`; BYE is `end`) says what to do with it.
 */
export function callSetupRequest(sw: Switch, profile: string, req: SipRequest): SwitchEvent {
  const referTo = header(req, 'refer-to');
  let target: ReferTo | undefined;
  try {
    target = referTo === undefined ? undefined : parseReferTo(referTo);
  } catch {
    target = undefined;
  }
  const semi = referTo?.indexOf(';') ?? -1;
  const urlParams = target?.uri.params;
  const params = urlParams && /method=/i.test(urlParams) ? urlParams : semi < 0 ? undefined : referTo?.slice(semi + 1);
  const method = (params && parameter(params, 'method')) || 'INVITE';
  const action = method.toUpperCase() === 'INVITE' ? 'call' : method.toUpperCase() === 'BYE' ? 'end' : method;
  const targetUri = referTo === undefined ? undefined : urlOf(semi < 0 ? referTo : referTo.slice(0, semi));
  const by = header(req, 'referred-by') ?? header(req, 'to');
  const byUri = by === undefined ? undefined : urlOf(by);
  const to = header(req, 'to');
  const toUri = uriOf(to === undefined ? undefined : urlOf(to));
  const byUser = uriOf(byUri)?.user;
  const e = sw.core.bus.create('CALL_SETUP_REQ');
  e.addHeader('Requesting-Component', 'mod_sofia');
  e.addHeader('Target-Component', toUri?.user);
  e.addHeader('Target-Domain', toUri?.host);
  e.addHeader('Request-Action', action);
  e.addHeader('Request-Target', `sofia/${profile}/${targetUri ?? '(null)'}`);
  e.addHeader('Request-Target-URI', targetUri ?? '(null)');
  e.addHeader('Request-Target-Extension', target?.uri.user);
  e.addHeader('Request-Target-Domain', target?.uri.host);
  if (params && switchTrue(parameter(params, 'full_url') ?? '')) e.addHeader('full_url', 'true');
  e.addHeader('Request-Call-ID', header(req, 'call-id'));
  if (byUri) e.addHeader('Request-Sender', `sofia/${profile}/${byUri}`);
  e.addHeader('var_origination_caller_id_number', byUser);
  e.addHeader('var_origination_caller_id_name', byUser);
  return e;
}
