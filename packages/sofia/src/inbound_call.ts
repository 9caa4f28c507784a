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
 */
import { GenServer, type From, type ProcessContext, noreply, ok, reply } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { Cause, type Switch } from '@beamline/switch';
import { type AuthEnv, authenticate } from './auth.ts';
import { type CallCast, type CallRequest, SipCall, castChannel, isChannelDown, isRouted, isRtpDigit, nextStep } from './call.ts';
import { contactUri } from './dialog.ts';
import { isReferNotify } from './refer.ts';
import { sofiaEndpoint } from './endpoint.ts';
import { type ChannelFacts, channelFacts } from './inbound_facts.ts';
import { Resender, isResendTimer } from './resend.ts';
import type { RtpSession } from './rtp.ts';
import { responseTo, topBranch } from './sip/build.ts';
import { causeToSipStatus, reasonHeader, sipStatusToCause } from './sip/causes.ts';
import { type SipRequest, type SipResponse, header } from './sip/message.ts';
import { negotiate, parseSdp } from './sip/sdp.ts';
import type { Address, SipTransport } from './transport.ts';

export interface InboundArgs {
  readonly sw: Switch;
  readonly auth: AuthEnv;
  readonly transport: SipTransport;
  readonly invite: SipRequest;
  readonly source: Address;
  /** Our tag in the dialog (the profile routes the dialog's messages by it). */
  readonly localTag: string;
}

class Inbound extends SipCall {
  readonly localTag: string;
  readonly facts: ChannelFacts;
  /** The final response to the INVITE, resent until the ACK. */
  readonly final: Resender;
  /** The last response to the INVITE (sent again for a retransmitted INVITE). */
  lastResponse: SipResponse | undefined;
  inviteFinal = false;

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
    this.final = new Resender('final', (m) => this.send(m));
  }

  get invite(): SipRequest {
    return this.args.invite;
  }

  respond(status: number, o: { sdp?: boolean; headers?: [string, string][]; reason?: string } = {}): SipResponse {
    const r = responseTo(this.invite, status, {
      ...(o.reason ? { reason: o.reason } : {}),
      ...(status === 100 ? {} : { toTag: this.localTag }),
      headers: [...(status === 100 ? [] : [this.contactHeader()]), ['User-Agent', this.profile.userAgent], ...(o.headers ?? [])],
      ...(o.sdp && this.rtp && this.media ? { body: this.sdp() } : {}),
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
}

export class InboundCall extends GenServer<Inbound, CallRequest, CallCast, boolean | string | undefined, InboundArgs> {
  override init(args: InboundArgs) {
    const call = new Inbound(args);
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
    let offer: ReturnType<typeof parseSdp>;
    try {
      if (args.invite.body.length === 0) throw new Error('no SDP offer');
      offer = parseSdp(args.invite.body.toString('utf8'));
    } catch {
      return refuse(call, 488, [], ctx);
    }
    const media = negotiate(offer);
    if (!media) return refuse(call, 488, [], ctx);
    let rtp: RtpSession;
    try {
      rtp = await call.openRtp(ctx);
    } catch (e) {
      args.sw.core.log('ERR', `sofia/${call.profile.name}: ${e instanceof Error ? e.message : String(e)}`);
      return refuse(call, 503, [], ctx);
    }
    const spec = facts.spec(sofiaEndpoint(ctx.self), {
      codec: media.codec,
      remote: offer,
      localMediaPort: rtp.port,
      localMediaIp: call.profile.rtpIp,
      remoteSdp: args.invite.body.toString('utf8'),
    });
    call.channelUuid = spec.uuid;
    call.agreeMedia(offer, media);
    try {
      call.channel = await args.sw.startChannel(ctx, spec);
    } catch {
      return refuse(call, 503, [], ctx); // session limits (the switch logged why)
    }
    ctx.monitor(call.channel);
    return noreply(call);
  }

  override handleCall(req: CallRequest, _from: From, call: Inbound, ctx: ProcessContext) {
    if (req.op === 'channelUuid') return reply<string | undefined, Inbound>(call.channelUuid, call);
    if (req.op === 'respond') {
      respondApp(call, req.data, ctx);
      return reply(true, call);
    }
    if (call.hungUp || call.inviteFinal) return reply(req.what !== 'ANSWER' || call.answered, call);
    switch (req.what) {
      case 'RINGING':
        call.send(call.respond(180));
        break;
      case 'PROGRESS':
        call.send(call.respond(183, { sdp: true }));
        break;
      case 'ANSWER':
        call.answered = true;
        call.finalResponse(200, [], ctx);
        break;
    }
    return reply(true, call);
  }

  override handleCast(msg: CallCast, call: Inbound, ctx: ProcessContext) {
    if (msg.op === 'sendDtmf') call.rtp?.sendDigit(msg.digit, msg.duration);
    else if (msg.op === 'hold') call.holdFarEnd(msg.on, ctx);
    else channelHungUp(call, msg.cause, ctx);
    return nextStep(call);
  }

  override handleInfo(msg: unknown, call: Inbound, ctx: ProcessContext) {
    if (isRouted(msg)) {
      if (msg.sip.kind === 'response') call.inDialogResponse(msg.sip);
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
    else if (isChannelDown(msg)) {
      // the channel is gone; one that crashed never told us it hung up
      call.channel = undefined;
      channelHungUp(call, Cause.NORMAL_CLEARING, ctx);
    }
    return nextStep(call);
  }

  override terminate(_reason: unknown, call: Inbound): void {
    call.closeMedia();
  }
}

/** A refusal before any channel exists: the final response, resent until the ACK, then the end. */
function refuse(call: Inbound, status: number, headers: [string, string][], ctx: ProcessContext) {
  call.hungUp = true;
  call.finalResponse(status, headers, ctx);
  return noreply(call);
}

function sipRequest(call: Inbound, req: SipRequest, ctx: ProcessContext, replaces: Pid | undefined): void {
  const isInvite = topBranch(req) === topBranch(call.invite);
  if (req.method === 'INVITE' && isInvite) {
    if (call.lastResponse) call.send(call.lastResponse); // a retransmission
  } else if (req.method === 'ACK') {
    call.final.stop();
  } else if (req.method === 'CANCEL') {
    call.send(responseTo(req, 200, { toTag: call.localTag }));
    if (!call.inviteFinal && !call.hungUp) {
      call.endChannel(Cause.ORIGINATOR_CANCEL, 'recv_cancel', ctx);
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
function respondApp(call: Inbound, data: string, ctx: ProcessContext): void {
  const m = /^\s*(\d+)\s*(.*)$/.exec(data);
  const code = m && Number(m[1]) > 0 ? Number(m[1]) : 488;
  const reason = m?.[2]?.trim() || undefined;
  if (call.inviteFinal || call.hungUp || code === 100) return;
  if (code < 200) {
    call.send(call.respond(code, { sdp: code === 183, ...(reason ? { reason } : {}) }));
    return;
  }
  if (code < 300) {
    call.sw.core.log('WARNING', `sofia/${call.profile.name}: respond ${code}: a call is answered with the answer application`);
    return;
  }
  call.finalResponse(code, [], ctx, reason);
  if (call.channel) castChannel(ctx, call.channel, { op: 'setvar', name: 'sip_term_status', value: String(code) });
  call.endChannel(sipStatusToCause(code), 'send_refuse', ctx);
}

/** sofia_on_hangup for an inbound call: a BYE once answered, else the cause's final response. */
function channelHungUp(call: Inbound, cause: number, ctx: ProcessContext): void {
  if (call.hungUp) return;
  call.hungUp = true;
  if (call.answered) {
    call.final.stop(); // no more 200s, even if the ACK never came
    call.sendBye(cause, ctx);
  } else if (!call.inviteFinal) call.finalResponse(causeToSipStatus(cause), [['Reason', reasonHeader(cause)]], ctx);
}
