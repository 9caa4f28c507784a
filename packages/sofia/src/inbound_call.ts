/**
 * One inbound SIP call (an INVITE from a phone): a process that owns the SIP dialog and the call's
 * RTP socket, and starts the switch channel that the dialplan routes. The channel's endpoint
 * (sofiaEndpoint) tells this process what the switch does (ring, pre-answer, answer, digits,
 * hangup); this process tells the channel what the phone does (BYE, CANCEL, digits).
 *
 *   INVITE → 100 Trying → [407 challenge] → channel started, CS_ROUTING …
 *   ring_ready → 180 · pre_answer → 183 + SDP · answer → 200 + SDP, resent until the ACK
 *   phone BYE → 200, hangup NORMAL_CLEARING · CANCEL → 200 + 487, hangup ORIGINATOR_CANCEL
 *   channel hangup → BYE with Reason (answered) or the cause's final response (not answered)
 *
 * A final response is resent until the ACK; a 2xx never ACKed ends the call (RFC 3261 §13.3.1.4).
 *
 * An INVITE without SDP (a late offer) is refused unless the profile has `enable-3pcc`: then our
 * 200 carries the offer and the phone's ACK the answer — `true` answers at once and starts the
 * channel, answered, at the ACK; `proxy` routes the channel first and sends the offering 200 when
 * the dialplan answers, which completes at the ACK.
 */
import { GenServer, type From, type ProcessContext, noreply, ok, reply } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { Cause, type Switch } from '@beamline/switch';
import { type AuthEnv, authenticate } from './auth.ts';
import { type CallCast, type CallRequest, type HangupHeaders, isProfileStopping } from './call_messages.ts';
import { type IndicateRefusal, SipCall, castChannel, isChannelDown, isDownOf, isRouted, isRtpDigit, nextStep } from './call.ts';
import { callCounted } from './call_counters.ts';
import { ChannelReach } from './channel_reach.ts';
import { type DeflectReply, type Redirect, type RedirectReply, deflect, isDeflectOverdue, redirectOf } from './deflect.ts';
import { contactUri } from './dialog.ts';
import { channelOfCall, isReferNotify } from './refer.ts';
import { parseReplaces, replaceDialog } from './replaces.ts';
import { sofiaEndpoint } from './endpoint.ts';
import { type ChannelFacts, channelFacts } from './inbound_facts.ts';
import { Resender, isResendTimer } from './resend.ts';
import type { RtpSession } from './rtp.ts';
import { responseTo, topBranch } from './sip/build.ts';
import { causeToSipStatus, reasonHeader, sipStatusToCause } from './sip/causes.ts';
import { type SipRequest, type SipResponse, header, headerValues } from './sip/message.ts';
import { type MediaOffer, type Negotiated, negotiate, parseSdp } from './sip/sdp.ts';
import type { Address, SipTransport } from './transport.ts';

export interface InboundArgs {
  readonly sw: Switch;
  readonly auth: AuthEnv;
  readonly transport: SipTransport;
  readonly invite: SipRequest;
  readonly source: Address;
  /** Our tag in the dialog (the profile routes the dialog's messages by it). */
  readonly localTag: string;
  /** The call process of the dialog the INVITE's Replaces names, as the profile found it. */
  readonly replacedCall?: Pid | undefined;
  /** The profile, told when the call ends unanswered (its FAILED-CALLS-IN); the call ends with it (call.ts's profileGone). */
  readonly profile?: Pid;
}

class Inbound extends SipCall {
  readonly localTag: string;
  readonly facts: ChannelFacts;
  /** The final response to the INVITE, resent until the ACK. */
  readonly final: Resender;
  /** The last response to the INVITE (sent again for a retransmitted INVITE). */
  lastResponse: SipResponse | undefined;
  inviteFinal = false;
  /** Our offer went in the 200 (the INVITE had none): the phone's answer is due in the ACK (TFLAG_3PCC). */
  lateOffer = false;
  /** `enable-3pcc=proxy`: the channel's answer, waiting for the ACK with the phone's answer. */
  pendingAnswer: From | undefined;
  /** A REDIRECT's final response, sent when the channel hangs up (tech_pvt->respond_dest / respond_code). */
  redirect: Redirect | undefined;

  constructor(readonly args: InboundArgs) {
    const to = header(args.invite, 'to') ?? '';
    const localTag = args.localTag;
    super(args.sw, args.auth.profile, args.transport, args.source, {
      callId: header(args.invite, 'call-id') ?? '',
      local: `${to};tag=${localTag}`,
      remote: header(args.invite, 'from') ?? '',
      remoteTarget: contactUri(header(args.invite, 'contact')) ?? args.invite.uri,
      localSeq: Math.floor(Math.random() * 10_000) + 1,
    });
    this.localTag = localTag;
    this.facts = channelFacts(args);
    this.autoAdjust = this.facts.nat;
    this.final = new Resender('final', (m) => this.send(m));
  }

  get invite(): SipRequest {
    return this.args.invite;
  }

  respond(status: number, o: { sdp?: boolean; headers?: [string, string][]; reason?: string } = {}): SipResponse {
    const r = responseTo(this.invite, status, {
      ...(o.reason ? { reason: o.reason } : {}),
      ...(status === 100 ? {} : { toTag: this.localTag }),
      // a Contact given (a redirect's) replaces ours
      headers: [
        ...(status === 100 || o.headers?.some(([n]) => n === 'Contact') ? [] : [this.contactHeader()]),
        ['User-Agent', this.profile.userAgent],
        ...(o.headers ?? []),
      ],
      ...(o.sdp && this.rtp ? { body: this.media ? this.sdp() : this.offerSdp() } : {}),
    });
    this.lastResponse = r;
    return r;
  }

  /** A final response, resent until the ACK. */
  finalResponse(status: number, headers: [string, string][], ctx: ProcessContext, reason?: string): void {
    this.inviteFinal = true;
    this.final.start(this.respond(status, { sdp: status === 200, headers, ...(reason ? { reason } : {}) }), ctx);
  }

  override get done(): boolean {
    return super.done && !this.final.active;
  }

  override stopSending(): void {
    super.stopSending();
    this.final.stop();
  }
}

export class InboundCall extends GenServer<
  Inbound,
  CallRequest,
  CallCast,
  boolean | string | IndicateRefusal | DeflectReply | RedirectReply | undefined,
  InboundArgs
> {
  override init(args: InboundArgs, ctx: ProcessContext) {
    const call = new Inbound(args);
    if (args.profile) ctx.monitor(args.profile);
    call.send(call.respond(100));
    // the rest waits on the directory and the switch; the profile has this pid by then
    return ok(call, { continue: 'setup' });
  }

  override async handleContinue(_cont: unknown, call: Inbound, ctx: ProcessContext) {
    const { args, facts } = call;
    if (call.profile.authCalls) {
      const auth = await authenticate(args.auth, args.invite, args.source);
      if (!auth.ok) return refuse(call, auth.status, auth.headers, ctx);
      facts.authenticated(auth.user, auth.username, auth.realm);
    }
    await takeReplaces(call, ctx);
    if (args.invite.body.length === 0) return lateOffer(call, ctx);
    let offer: MediaOffer;
    try {
      offer = parseSdp(args.invite.body.toString('utf8'));
    } catch {
      return refuse(call, 488, [], ctx);
    }
    const media = negotiate(offer);
    if (!media) return refuse(call, 488, [], ctx);
    if (!(await openRtp(call, ctx))) return refuse(call, 503, [], ctx);
    return startChannel(call, ctx, { offer, media, sdp: args.invite.body.toString('utf8') });
  }

  override handleCall(req: CallRequest, from: From, call: Inbound, ctx: ProcessContext) {
    if (req.op === 'channelUuid') return reply<string | undefined, Inbound>(call.channelUuid, call);
    if (req.op === 'respond') {
      respondApp(
        call,
        req.data,
        ctx,
        (req.headers ?? []).map(([n, v]): [string, string] => [n, v]),
      );
      return reply(true, call);
    }
    if (req.op === 'deflect') {
      const r = deflect(call, req, from, ctx);
      return r ? reply<DeflectReply, Inbound>(r, call) : noreply(call);
    }
    if (req.op === 'redirect') return reply<RedirectReply, Inbound>(redirectCall(call, req.uri), call);
    if (call.hungUp || call.inviteFinal) return reply(req.what !== 'ANSWER' || call.answered, call);
    const headers = (req.headers ?? []).map(([n, v]): [string, string] => [n, v]);
    switch (req.what) {
      case 'RINGING':
        // sofia_receive_message's RINGING: an inbound channel learns its local tag
        if (call.channel) castChannel(ctx, call.channel, { op: 'setvar', name: 'sip_to_tag', value: call.localTag });
        call.send(call.respond(180, { headers: [...headers] }));
        break;
      case 'PROGRESS':
        // no offer from the phone, nothing to answer it with (sofia's INDICATE_PROGRESS)
        if (call.lateOffer) return reply<IndicateRefusal, Inbound>(noEarlyMedia(call), call);
        call.send(call.respond(183, { sdp: true, headers: [...headers] }));
        break;
      case 'ANSWER':
        call.answered = true;
        call.finalResponse(200, [...headers], ctx);
        if (call.lateOffer) {
          // it is answered once the ACK brings the phone's answer (sofia_answer_channel's 3pcc proxy wait)
          call.pendingAnswer = from;
          return noreply(call);
        }
        break;
    }
    return reply(true, call);
  }

  override handleCast(msg: CallCast, call: Inbound, ctx: ProcessContext) {
    if (msg.op === 'sendDtmf') call.rtp?.sendDigit(msg.digit, msg.duration);
    else if (msg.op === 'hold') call.holdFarEnd(msg.on, ctx);
    else if (msg.op === 'dialogMessage') call.sendDialogMessage(msg.message);
    else channelHungUp(call, msg.cause, ctx, msg.headers, msg.status, msg.reason);
    return nextStep(call);
  }

  override async handleInfo(msg: unknown, call: Inbound, ctx: ProcessContext) {
    if (isRouted(msg)) {
      if (msg.sip.kind === 'response') call.inDialogResponse(msg.sip, ctx);
      else if (msg.sip.method === 'ACK' && call.lateOffer) await answerInAck(call, msg.sip, ctx);
      else sipRequest(call, msg.sip, ctx, msg.replaces);
    } else if (isResendTimer(msg)) {
      const resender = call.resenderOf(msg.what) ?? call.final;
      if (resender.tick(msg, ctx) === 'expired' && resender === call.final && call.answered && !call.hungUp) {
        call.sw.core.log('WARNING', `sofia/${call.profile.name}: no ACK for the 200 OK of ${call.dialog.callId}; hanging up`);
        call.endChannel(Cause.RECOVERY_ON_TIMER_EXPIRE, 'send_bye', ctx);
        call.sendBye(Cause.RECOVERY_ON_TIMER_EXPIRE, ctx);
      }
    } else if (isRtpDigit(msg)) call.rtpDigit(msg, ctx);
    else if (isReferNotify(msg)) call.notifyRefer(msg, ctx);
    else if (isDeflectOverdue(msg)) call.referOut.release(msg.gen);
    else if (isProfileStopping(msg)) call.hangUpForProfile(msg.profileStopping, ctx, (cause) => channelHungUp(call, cause, ctx));
    else if (isDownOf(msg, call.args.profile)) call.profileGone(Cause.MANAGER_REQUEST, ctx);
    else if (isChannelDown(msg)) {
      // the channel is gone; one that crashed never told us it hung up
      call.channel = undefined;
      channelHungUp(call, Cause.NORMAL_CLEARING, ctx);
    }
    return nextStep(call);
  }

  override terminate(_reason: unknown, call: Inbound, ctx: ProcessContext): void {
    call.closeMedia();
    // refused before its channel, or its channel hung up unanswered (sofia_on_hangup's ib_failed_calls)
    if (!call.answered && call.args.profile) ctx.send(call.args.profile, callCounted('ibFailedCalls'));
  }
}

interface RemoteMedia {
  readonly offer: MediaOffer;
  readonly media: Negotiated;
  /** The phone's SDP as it came. */
  readonly sdp: string;
}

async function openRtp(call: Inbound, ctx: ProcessContext): Promise<RtpSession | undefined> {
  try {
    return await call.openRtp(ctx);
  } catch (e) {
    call.sw.core.log('ERR', `sofia/${call.profile.name}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/**
 * The call's channel, with the phone's media when known. `answered`: the 200 went out before the
 * channel existed (`enable-3pcc=true`).
 */
async function startChannel(call: Inbound, ctx: ProcessContext, remote: RemoteMedia | undefined, answered = false) {
  const media = remote && {
    codec: remote.media.codec,
    remote: remote.offer,
    localMediaPort: call.rtp?.port ?? 0,
    localMediaIp: call.profile.rtpIp,
    advertisedMediaIp: call.sdpIp,
    remoteSdp: remote.sdp,
  };
  const spec = call.facts.spec(sofiaEndpoint(ctx.self, answered), media, call.lateOffer ? [['endpoint_disposition', 'RECEIVED_NOSDP']] : []);
  call.channelUuid = spec.uuid;
  if (remote) call.agreeMedia(remote.offer, remote.media);
  try {
    call.channel = await call.sw.startChannel(ctx, spec, true);
  } catch {
    // max-sessions reached since the INVITE arrived (the switch logged it)
    if (!answered) return refuse(call, 503, [], ctx);
    call.hungUp = true;
    call.sendBye(Cause.SWITCH_CONGESTION, ctx);
    return noreply(call);
  }
  ctx.monitor(call.channel);
  return noreply(call);
}

/**
 * A Replaces header naming a leg here (sofia_handle_sip_i_invite: the dialog the profile found,
 * else a channel whose uuid is the Call-ID): the new channel takes its place (replaces.ts). This
 * happens before the offer is looked at, as sofia does it at nua_i_invite.
 */
async function takeReplaces(call: Inbound, ctx: ProcessContext): Promise<void> {
  const replaces = parseReplaces(header(call.invite, 'replaces') ?? '');
  if (!replaces) return;
  const reach = new ChannelReach(call.sw, ctx);
  const found = call.args.replacedCall;
  const replaced = found ? await channelOfCall(reach, found) : reach.exists(replaces.callId) ? replaces.callId : undefined;
  if (!reach.exists(replaced)) return;
  const route = await replaceDialog(reach, {
    profile: call.profile,
    replaces,
    replaced,
    callId: call.dialog.callId,
    referFor: header(call.invite, 'x-fs-refer-for'),
    referFrom: header(call.invite, 'x-fs-refer-from'),
  });
  if (route) call.facts.replacing(route);
}

/**
 * An INVITE without SDP (sofia_handle_sip_i_state, nua_callstate_received with no r_sdp): without
 * `enable-3pcc`, INFO and MANDATORY_IE_MISSING (hangup_cause_to_sip makes that 480); `true`: our
 * offer in a 200 at once, the channel waits for the ACK; `proxy`: the channel is routed now.
 */
async function lateOffer(call: Inbound, ctx: ProcessContext) {
  const mode = call.profile.enable3pcc;
  if (mode === 'off') {
    call.sw.core.log('INFO', 'No SDP in INVITE and 3pcc not enabled, hanging up.');
    const cause = Cause.MANDATORY_IE_MISSING;
    return refuse(call, causeToSipStatus(cause), [['Reason', reasonHeader(cause)]], ctx);
  }
  if (!(await openRtp(call, ctx))) return refuse(call, 503, [], ctx);
  call.lateOffer = true;
  if (mode === 'proxy') return startChannel(call, ctx, undefined);
  call.answered = true;
  call.finalResponse(200, [], ctx);
  return noreply(call);
}

/** INDICATE_PROGRESS with no offer to answer: WARNING, and the channel refuses its pre-answer. */
function noEarlyMedia(call: Inbound): IndicateRefusal {
  call.sw.core.log('WARNING', 'CODEC NEGOTIATION ERROR.  SDP:\nNO SDP!\n', call.channelUuid);
  return { refused: [['endpoint_disposition', 'CODEC NEGOTIATION ERROR']] };
}

/**
 * The ACK of the 200 that carried our offer (nua_callstate_ready): its SDP is the phone's answer.
 * None: sofia-sip's process_ack_error BYEs (`No answer to offer`) and the call ends
 * MANDATORY_IE_MISSING with sip_term_status 488; no codec of ours: `NO CODECS`,
 * INCOMPATIBLE_DESTINATION. Else the media flow and the call is answered.
 */
async function answerInAck(call: Inbound, ack: SipRequest, ctx: ProcessContext): Promise<void> {
  call.final.stop();
  call.lateOffer = false;
  const sdp = ack.body.toString('utf8');
  let offer: MediaOffer | undefined;
  try {
    offer = sdp === '' ? undefined : parseSdp(sdp);
  } catch {
    offer = undefined;
  }
  const media = offer && negotiate(offer);
  if (!offer || !media) {
    const cause = offer ? Cause.INCOMPATIBLE_DESTINATION : Cause.MANDATORY_IE_MISSING;
    call.hungUp = true;
    call.sendBye(cause, ctx, offer ? reasonHeader(cause) : 'SIP;cause=488;text="No answer to offer"');
    const refused: IndicateRefusal['refused'] = [offer ? ['endpoint_disposition', 'NO CODECS'] : ['sip_term_status', '488']];
    if (call.pendingAnswer) GenServer.reply(call.pendingAnswer, { refused, cause } satisfies IndicateRefusal);
    call.pendingAnswer = undefined;
    return;
  }
  if (!call.pendingAnswer) {
    await startChannel(call, ctx, { offer, media, sdp }, true);
    return;
  }
  call.agreeMedia(offer, media);
  call.setMediaVariables(offer, media, sdp, ctx);
  GenServer.reply(call.pendingAnswer, true);
  call.pendingAnswer = undefined;
}

/** A refusal before any channel exists: the final response, resent until the ACK, then the end. */
function refuse(call: Inbound, status: number, headers: [string, string][], ctx: ProcessContext) {
  call.hungUp = true;
  call.finalResponse(status, headers, ctx);
  return noreply(call);
}

/**
 * What a phone's CANCEL says on the channel (sofia_event_callback's nua_i_cancel):
 * `sip_invite_failure_status` 487, `sip_invite_failure_phrase` CANCEL, and its Reason as `sip_reason`.
 */
function cancelVariables(reason: string | undefined): [string, string][] {
  return [
    ['sip_invite_failure_status', '487'],
    ['sip_invite_failure_phrase', 'CANCEL'],
    ...(reason ? [['sip_reason', reason] as [string, string]] : []),
  ];
}

/**
 * nua_i_cancel's switch_channel_set_variable_partner: the Reason is the partner's `sip_reason` too
 * (the leg being dialled, whose own CANCEL then carries it), before the hangup cancels that leg.
 */
const reasonToPartner =
  (uuid: string, reason: string) =>
  async (reach: ChannelReach): Promise<void> => {
    const partner = await reach.partner(uuid);
    if (partner) await reach.setvar(partner, 'sip_reason', reason);
  };

function sipRequest(call: Inbound, req: SipRequest, ctx: ProcessContext, replaces: Pid | undefined): void {
  const isInvite = topBranch(req) === topBranch(call.invite);
  if (req.method === 'INVITE' && isInvite) {
    if (call.lastResponse) call.send(call.lastResponse); // a retransmission
  } else if (req.method === 'ACK') {
    call.final.stop();
  } else if (req.method === 'CANCEL') {
    call.send(responseTo(req, 200, { toTag: call.localTag }));
    if (!call.inviteFinal && !call.hungUp) {
      const reason = headerValues(req, 'reason')[0];
      if (call.channel) for (const [name, value] of cancelVariables(reason)) castChannel(ctx, call.channel, { op: 'setvar', name, value });
      const uuid = call.channelUuid;
      call.endChannel(Cause.ORIGINATOR_CANCEL, 'recv_cancel', ctx, reason && uuid ? reasonToPartner(uuid, reason) : undefined);
      call.finalResponse(487, [], ctx);
    }
  } else call.inDialog(req, ctx, call.localTag, replaces);
}

/**
 * SWITCH_MESSAGE_INDICATE_RESPOND (the `respond` application): `<code> [<reason>]`, 488 when the
 * code is not a number; 100 sends nothing more; a provisional goes out (183 with our SDP); a final
 * response ends the call: sent (with the reason, else the code's phrase), then the channel hangs up
 * with the code's cause, as when sofia sees the dialog end. Once the INVITE has its final response
 * there is nothing to respond to.
 */
function respondApp(call: Inbound, data: string, ctx: ProcessContext, headers: [string, string][]): void {
  const m = /^\s*(\d+)\s*(.*)$/.exec(data);
  const code = m && Number(m[1]) > 0 ? Number(m[1]) : 488;
  const reason = m?.[2]?.trim() || undefined;
  if (call.inviteFinal || call.hungUp || code === 100) return;
  if (code < 200) {
    call.send(call.respond(code, { sdp: code === 183, headers, ...(reason ? { reason } : {}) }));
    return;
  }
  if (code < 300) {
    call.sw.core.log('WARNING', `sofia/${call.profile.name}: respond ${code}: a call is answered with the answer application`);
    return;
  }
  call.finalResponse(code, headers, ctx, reason);
  if (call.channel) castChannel(ctx, call.channel, { op: 'setvar', name: 'sip_term_status', value: String(code) });
  call.endChannel(sipStatusToCause(code), 'send_refuse', ctx);
}

/**
 * SWITCH_MESSAGE_INDICATE_REDIRECT: on a call not answered, the redirect is kept for the final
 * response and the channel hangs up with its cause; too late once answered (a WARNING only).
 */
function redirectCall(call: Inbound, uri: string): RedirectReply {
  if (call.answered || call.hungUp || call.inviteFinal) {
    call.sw.core.log('WARNING', 'Too late for redirecting, already answered', call.channelUuid);
    return { cause: undefined };
  }
  const r = redirectOf(uri);
  if (!r) return { cause: undefined };
  call.sw.core.log('DEBUG', `Redirecting to ${r.contact}`, call.channelUuid);
  call.redirect = r;
  return { cause: r.cause };
}

/** sofia_on_hangup for an inbound call: a BYE once answered, else the cause's final response (a redirect's, with its Contact). */
function channelHungUp(call: Inbound, cause: number, ctx: ProcessContext, extra?: HangupHeaders, status?: number, reasonText?: string): void {
  if (call.hungUp) return;
  call.hungUp = true;
  call.referOut.release();
  const reason = reasonText ?? reasonHeader(cause);
  const bye = (extra?.bye ?? []).map(([n, v]): [string, string] => [n, v]);
  if (call.answered) {
    call.final.stop(); // no more 200s, even if the ACK never came
    call.sendBye(cause, ctx, reason, bye);
    return;
  }
  if (call.inviteFinal) return;
  const headers: [string, string][] = [
    ...(reason ? [['Reason', reason] as [string, string]] : []),
    ...bye,
    ...(extra?.response ?? []).map(([n, v]): [string, string] => [n, v]),
  ];
  if (call.redirect) call.finalResponse(call.redirect.status, [...headers, ['Contact', call.redirect.contact]], ctx, call.redirect.phrase);
  else call.finalResponse(status ?? causeToSipStatus(cause), headers, ctx);
}
