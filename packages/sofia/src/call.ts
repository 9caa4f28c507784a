/**
 * What inbound and outbound SIP calls share: the dialog, the RTP socket and the negotiated codec,
 * the channel they serve, and the in-dialog work either side may get (the far end's BYE, INFO
 * with or without a digit, a REFER, a re-INVITE that holds the call or moves its media, a digit on
 * RTP, our own BYE, re-INVITE and NOTIFY resent until answered). Each call is a process
 * (InboundCall, OutboundCall) whose state is a SipCall.
 */
import { DOWN, GenServer, type ProcessContext, noreply, normal, pidEquals, stop } from '@beamline/core';
import { Pid, Tuple } from '@beamline/etf';
import { Cause, type ChannelCast, type Switch } from '@beamline/switch';
import { type ChannelReach, spawnWorker } from './channel_reach.ts';
import type { ProfileConfig } from './config.ts';
import type { DialogMessage } from './dialog_message.ts';
import { ReferOut, referNotify, referResponse } from './deflect.ts';
import { receiveDialogMessage } from './message.ts';
import { type Dialog, ackFor, inDialogRequest } from './dialog.ts';
import { dtmfTypeOf, infoDigit, recvInfoEvent, takesInfoDigits } from './info.ts';
import { sdpIpFor, sipHostFor } from './ext_address.ts';
import { mediaVariables } from './media_variables.ts';
import { type ReferJob, type ReferNotify, type ReferTo, parseReferTo, transferByRefer } from './refer.ts';
import { Resender } from './resend.ts';
import { ProcessResources } from './process_resources.ts';
import { RtpSession } from './rtp.ts';
import { parseNameAddr } from './sip/address.ts';
import { cseqOf, responseTo } from './sip/build.ts';
import { reasonCause, reasonHeader } from './sip/causes.ts';
import { BYE_HEADER_PREFIX, acceptLanguageVariables, extraHeaderVariables } from './extra_headers.ts';
import { type SipRequest, type SipResponse, header, headerValues } from './sip/message.ts';
import { type AudioCodec, CODECS, type MediaOffer, type Negotiated, answerDirection, formatSdp, holds, negotiate, parseSdp } from './sip/sdp.ts';
import type { Address, SipTransport } from './transport.ts';

/** What the channel's endpoint asks of its call; `channelUuid`: a REFER's worker asks the call its Replaces names. */
/**
 * The answer to an `indicate` the far end cannot take: the variables the channel gets, and the
 * cause it hangs up with (else the switch's INCOMPATIBLE_DESTINATION for a refused indication).
 */
export interface IndicateRefusal {
  readonly refused: readonly (readonly [string, string])[];
  readonly cause?: number;
}

/** The payload type we offer telephone-event on (FreeSWITCH's default, 101). */
const OFFER_DTMF_PT = 101;

/** A datagram the profile routed to this call. */
export interface Routed {
  readonly sip: SipRequest | SipResponse;
  readonly source: Address;
  /** A REFER's: the call whose dialog its Refer-To's Replaces names (nua_handle_by_replaces). */
  readonly replaces?: Pid | undefined;
}

export interface RtpDigit {
  readonly rtpDigit: string;
  readonly duration: number;
}

export const isRouted = (m: unknown): m is Routed => typeof m === 'object' && m !== null && 'sip' in m && 'source' in m;
export const isRtpDigit = (m: unknown): m is RtpDigit => typeof m === 'object' && m !== null && 'rtpDigit' in m;

/** The DOWN of `pid` (a call monitors its profile). */
export const isDownOf = (m: unknown, pid: Pid | undefined): boolean =>
  pid !== undefined && m instanceof Tuple && m.elements[0] === DOWN && m.elements[3] instanceof Pid && pidEquals(m.elements[3], pid);

/** The channel's DOWN (the call monitors its channel). */
export const isChannelDown = (m: unknown): m is Tuple => m instanceof Tuple && m.elements[0] === DOWN && m.elements[3] instanceof Pid;

/** A call's process goes on until nothing is left for it to do (`done`). */
export function nextStep<C extends SipCall>(call: C) {
  return call.done ? stop(normal, call) : noreply(call);
}

/**
 * sofia_handle_sip_i_bye's own variables: `sip_bye_content_type` / `sip_bye_payload` (a body),
 * `sip_user_agent` (User-Agent, else Server) and the phones' call statistics (`sip_rtp_txstat`,
 * `sip_rtp_rxstat`, `sip_p_rtp_stat`).
 */
function byeFacts(req: SipRequest): [string, string][] {
  const vars: [string, string][] = [];
  const add = (name: string, value: string | undefined) => {
    if (value) vars.push([name, value]);
  };
  add('sip_bye_content_type', header(req, 'content-type'));
  if (req.body.length > 0) add('sip_bye_payload', req.body.toString('utf8'));
  add('sip_user_agent', header(req, 'user-agent') ?? header(req, 'server'));
  add('sip_rtp_txstat', header(req, 'rtp-txstat'));
  add('sip_rtp_rxstat', header(req, 'rtp-rxstat'));
  add('sip_p_rtp_stat', header(req, 'p-rtp-stat'));
  return vars;
}

export function castChannel(ctx: ProcessContext, channel: Pid, msg: ChannelCast): void {
  GenServer.cast(ctx, channel, msg);
}

export abstract class SipCall {
  channel: Pid | undefined;
  /** The channel's uuid, once there is one: its audio goes through the switch's media table by it. */
  channelUuid: string | undefined;
  rtp: RtpSession | undefined;
  media: Negotiated | undefined;
  answered = false;
  /** The far end holds the call (its last offer would not receive). */
  held = false;
  /** The call is over on the SIP side (hung up by either end). */
  hungUp = false;
  readonly bye: Resender;
  /** Our re-INVITE (hold, unhold), resent until its final response. */
  readonly reinvite: Resender;
  /** Our NOTIFY of a REFER's outcome, resent until answered. */
  readonly notify: Resender;
  /** Our own REFER (a DEFLECT) and what its NOTIFYs said. */
  readonly referOut = new ReferOut();
  /** How the far end's digits come (switch_core_media_negotiate_sdp's outcome), once its SDP is known. */
  dtmfType: ProfileConfig['dtmfType'];
  /** The CSeq of the last REFER taken (a retransmission is answered again, not acted on twice). */
  #referSeq: number | undefined;
  readonly sessionId = Math.floor(Date.now() / 1000);
  /** The o= version: one up for each offer or answer that changes our media (RFC 3264 §8). */
  sdpVersion = this.sessionId + 1;
  #sdpDirection = 'sendrecv';
  /** The RTP socket and the channel's media entry, released however the call's process ends (process_resources.ts). */
  #resources: ProcessResources | undefined;
  /**
   * RTP auto-adjust: our stream follows where the far end's RTP comes from. On where a NAT was seen
   * (the INVITE's, or the registration's `fs_nat=yes`) or `rtp_auto_adjust` asks for it, unless
   * `disable_rtp_auto_adjust` / `disable-rtp-auto-adjust`; FreeSWITCH has it on for every call
   * (DECISIONS #210).
   */
  autoAdjust = false;
  /** Frames whose delivery threw (logged once a call). */
  #mediaFailures = 0;

  constructor(
    readonly sw: Switch,
    readonly profile: ProfileConfig,
    readonly transport: SipTransport,
    /** Where the far end's messages come from and ours go (an outbound call's changes when it follows a redirect). */
    public peer: Address,
    readonly dialog: Dialog,
  ) {
    this.bye = new Resender('bye', (m) => this.send(m));
    this.reinvite = new Resender('reinvite', (m) => this.send(m));
    this.notify = new Resender('notify', (m) => this.send(m));
    this.dtmfType = profile.dtmfType;
  }

  /** The shared resend of a timer's `what`, if it is one of them. */
  resenderOf(what: string): Resender | undefined {
    return what === 'bye' ? this.bye : what === 'reinvite' ? this.reinvite : what === 'notify' ? this.notify : undefined;
  }

  send(m: SipRequest | SipResponse): void {
    this.transport.send(m, this.peer);
  }

  /**
   * Our end of the dialog as our Via and Contact name it, on the transport the far end uses (TLS
   * has its own port): the profile's external address to a peer outside local-network-acl.
   */
  get localVia(): Address {
    const local = this.transport.localOn(this.peer.transport);
    return { ...local, address: sipHostFor(this.sw, this.profile, local.address, this.peer.address) };
  }

  /** The address our SDP names (ext_address.ts). */
  get sdpIp(): string {
    return sdpIpFor(this.sw, this.profile, this.peer.address);
  }

  /** The user of our Contact (an outbound call's `sip_contact_user`) and params added to its URI (`sip_invite_contact_params`). */
  contactUser = 'mod_sofia';
  contactParams: string | undefined;

  /** Our Contact: the profile's URL, `;transport=tcp` on TCP (sofia's tcp_contact), its TLS URL `;transport=tls` on TLS (tls_contact). */
  contactHeader(): [string, string] {
    const { address, port } = this.localVia;
    const t = this.peer.transport;
    const params = `${t === 'tcp' || t === 'tls' ? `;transport=${t}` : ''}${this.contactParams ? `;${this.contactParams}` : ''}`;
    return ['Contact', `<sip:${this.contactUser}@${address}:${port}${params}>`];
  }

  /** Opens the call's RTP socket: its digits come to this process, its audio goes to the media table. */
  async openRtp(ctx: ProcessContext): Promise<RtpSession> {
    const media = this.sw.core.media;
    this.#resources ??= ProcessResources.of(ctx, (e) => this.sw.core.log('ERR', `sofia/${this.profile.name}: ${String(e)}`, this.channelUuid));
    const resources = this.#resources;
    this.rtp = await RtpSession.open(
      { ip: this.profile.rtpIp, portStart: this.profile.rtpPortStart, portEnd: this.profile.rtpPortEnd },
      {
        digit: (digit, duration) => ctx.send(ctx.self, { rtpDigit: digit, duration } satisfies RtpDigit),
        audio: (frame) => {
          if (this.channelUuid !== undefined) media.deliver(this.channelUuid, frame);
        },
        failed: (e) => {
          if (this.#mediaFailures++ === 0)
            this.sw.core.log(
              'ERR',
              `sofia/${this.profile.name}: a frame of ${this.dialog.callId} could not be delivered: ${String(e)}`,
              this.channelUuid,
            );
        },
        adjusted: (from, to) => {
          this.sw.core.log('INFO', `Auto Changing audio port from ${from.address}:${from.port} to ${to.address}:${to.port}`, this.channelUuid);
          if (this.channel)
            for (const [name, value] of [
              ['remote_audio_ip_reported', from.address],
              ['remote_audio_ip', to.address],
              ['remote_audio_port_reported', String(from.port)],
              ['remote_audio_port', String(to.port)],
              ['rtp_auto_adjust_audio', 'true'],
            ] as const)
              castChannel(ctx, this.channel, { op: 'setvar', name, value });
        },
      },
    );
    resources.hold(() => this.#dropMedia());
    this.rtp.autoAdjust = !this.profile.disableRtpAutoAdjust && this.autoAdjust;
    return this.rtp;
  }

  /** The far end's SDP agreed on `media`: our stream goes to its address, and the channel's audio to us. */
  agreeMedia(offer: MediaOffer, media: Negotiated): void {
    this.media = media;
    this.dtmfType = dtmfTypeOf(this.profile, media.dtmfPt);
    if (!this.rtp) return;
    this.rtp.peer = { address: offer.address, port: offer.port, codec: media.codec, dtmfPt: media.dtmfPt };
    if (this.channelUuid !== undefined) this.sw.core.media.attach(this.channelUuid, this.rtp);
  }

  /** The media variables of the far end's SDP on a channel already running (its first SDP came after the channel). */
  setMediaVariables(offer: MediaOffer, media: Negotiated, remoteSdp: string, ctx: ProcessContext): void {
    if (!this.channel || !this.rtp) return;
    const facts = {
      codec: media.codec,
      remote: offer,
      localMediaIp: this.profile.rtpIp,
      advertisedMediaIp: this.sdpIp,
      localMediaPort: this.rtp.port,
      remoteSdp,
    };
    for (const [name, value] of mediaVariables(facts)) castChannel(ctx, this.channel, { op: 'setvar', name, value });
  }

  /** The call's process ends: its socket closes and the channel has no media any more. */
  closeMedia(): void {
    if (this.#resources) this.#resources.release();
    else this.#dropMedia();
  }

  #dropMedia(): void {
    this.rtp?.close();
    if (this.channelUuid !== undefined) this.sw.core.media.detach(this.channelUuid);
  }

  /** Our SDP: the negotiated codec, or `offer` (every codec we have) before there is one. */
  sdp(offer?: readonly AudioCodec[], dtmfPt?: number, direction = 'sendrecv'): string {
    if (direction !== this.#sdpDirection) {
      this.#sdpDirection = direction;
      this.sdpVersion++;
    }
    return formatSdp({
      address: this.sdpIp,
      port: this.rtp?.port ?? 0,
      sessionId: this.sessionId,
      version: this.sdpVersion,
      codecs: offer ?? (this.media ? [this.media.codec] : []),
      dtmfPt: offer ? dtmfPt : this.media?.dtmfPt,
      ptime: this.media?.ptime ?? 20,
      direction,
    });
  }

  /** An offer of every codec we have (an outbound INVITE's, or the 200 answering a late offer). */
  offerSdp(): string {
    return this.sdp(CODECS, OFFER_DTMF_PT);
  }

  /**
   * SWITCH_MESSAGE_INDICATE_HOLD / _UNHOLD (sofia_glue_do_invite): a re-INVITE offering our media
   * sendonly, or sendrecv again; only in an answered call.
   */
  holdFarEnd(on: boolean, ctx: ProcessContext): void {
    if (this.hungUp || !this.answered || !this.rtp) return;
    const req = inDialogRequest(this.dialog, 'INVITE', this.localVia, this.profile.userAgent, [
      this.contactHeader(),
      ['Content-Type', 'application/sdp'],
    ]);
    this.reinvite.start({ ...req, body: Buffer.from(this.sdp(undefined, undefined, on ? 'sendonly' : 'sendrecv')) }, ctx);
  }

  /** dialog_message.ts's request, sent once in the dialog (an answered or early one). */
  sendDialogMessage(m: DialogMessage): void {
    if (this.hungUp || (m.display && !this.profile.sendDisplayUpdate)) return;
    const extra: [string, string][] = m.headers.map(([n, v]) => [n, v]);
    if (m.identity) extra.push(['P-Asserted-Identity', `"${m.identity.name}" <sip:${m.identity.number}@${this.localVia.address}>`]);
    if (m.method === 'UPDATE' || m.method === 'NOTIFY') extra.push(this.contactHeader());
    const req = inDialogRequest(this.dialog, m.method, this.localVia, this.profile.userAgent, extra);
    this.send({ ...req, body: Buffer.from(m.body ?? '') });
  }

  /**
   * A response to a request we sent inside the dialog: our BYE's final one stops its resending; our
   * re-INVITE's stops it at any answer and its final one is ACKed; our REFER's is the channel's
   * `sip_refer_status_code`. False for any other response.
   */
  inDialogResponse(res: SipResponse, ctx: ProcessContext): boolean {
    const cseq = cseqOf(res);
    if (cseq?.method === 'INFO' || cseq?.method === 'MESSAGE' || cseq?.method === 'UPDATE') return true; // sendDialogMessage's: sent once
    if (cseq?.method === 'REFER') {
      referResponse(this, res, ctx);
      return true;
    }
    if (cseq?.method === 'BYE' || cseq?.method === 'NOTIFY') {
      if (res.status >= 200) (cseq.method === 'BYE' ? this.bye : this.notify).stop();
      return true;
    }
    const reinvite = this.reinvite.message;
    if (cseq?.method !== 'INVITE' || reinvite?.kind !== 'request' || cseqOf(reinvite)?.seq !== cseq.seq) return false;
    this.reinvite.stop();
    if (res.status >= 200 && !res.local) this.send(ackFor(reinvite, res, this.dialog, this.localVia));
    return true;
  }

  /**
   * A re-INVITE's offer: the media moves where it says (unless it names no address), and a change
   * of hold is the channel's (switch_core_media_toggle_hold). Returns the direction of our answer.
   */
  reOffer(body: Buffer, ctx: ProcessContext): string {
    let offer: MediaOffer;
    try {
      offer = parseSdp(body.toString('utf8'));
    } catch {
      return 'sendrecv'; // no SDP (or none we read): nothing changes
    }
    const media = negotiate(offer);
    if (media && offer.address !== '0.0.0.0') this.agreeMedia(offer, media);
    const hold = holds(offer);
    if (hold !== this.held && this.channel) {
      this.held = hold;
      castChannel(ctx, this.channel, { op: 'legHolding', on: hold });
    }
    return answerDirection(offer.direction);
  }

  /** A BYE with the cause's Reason (or `reason`; `''` for none), resent until answered (sofia_on_hangup, answered calls). */
  sendBye(cause: number, ctx: ProcessContext, reason = reasonHeader(cause), extra: readonly (readonly [string, string])[] = []): void {
    const headers: [string, string][] = [
      ...(reason ? [['Reason', reason] as [string, string]] : []),
      ...extra.map(([n, v]): [string, string] => [n, v]),
    ];
    this.bye.start(inDialogRequest(this.dialog, 'BYE', this.localVia, this.profile.userAgent, headers), ctx);
  }

  /** The SIP side is over: the channel hangs up with `cause`, saying how (sip_hangup_disposition). */
  /** `first`: done in a worker before the channel hangs up (what must reach other channels before its hangup does). */
  endChannel(cause: number, disposition: string, ctx: ProcessContext, first?: (reach: ChannelReach) => Promise<void>): void {
    if (this.hungUp) return;
    this.hungUp = true;
    this.referOut.release(undefined, true); // a DEFLECT's wait ends with the call (sofia_wait_for_reply's channel_ready)
    const channel = this.channel;
    if (!channel) return;
    castChannel(ctx, channel, { op: 'setvar', name: 'sip_hangup_disposition', value: disposition });
    if (!first) {
      castChannel(ctx, channel, { op: 'hangup', cause });
      return;
    }
    spawnWorker(this.sw, ctx, async (reach) => {
      try {
        await first(reach);
      } finally {
        castChannel(reach.ctx, channel, { op: 'hangup', cause });
      }
    });
  }

  /**
   * The far end's BYE (sofia_handle_sip_i_bye): its Reason's Q.850 cause, else NORMAL_CLEARING, is
   * the hangup cause; `sip_reason`, `sip_term_status` 200, `proto_specific_hangup_cause` sip:200,
   * `sip_term_cause` and byeFacts say so on the channel first.
   */
  byeReceived(req: SipRequest, ctx: ProcessContext): void {
    const reason = headerValues(req, 'reason')[0];
    const cause = reasonCause(reason) ?? Cause.NORMAL_CLEARING;
    if (this.channel && !this.hungUp) {
      const vars: [string, string][] = [
        ...(reason ? [['sip_reason', reason] as [string, string]] : []),
        ['sip_term_status', '200'],
        ['proto_specific_hangup_cause', 'sip:200'],
        ['sip_term_cause', String(cause)],
        ...extraHeaderVariables(req, BYE_HEADER_PREFIX),
        ...acceptLanguageVariables(req),
        ...byeFacts(req),
      ];
      for (const [name, value] of vars) castChannel(ctx, this.channel, { op: 'setvar', name, value });
    }
    this.endChannel(cause, 'recv_bye', ctx);
  }

  /**
   * The profile stops (call_messages.ts's ProfileStopping): the channel hangs up with `cause`, which
   * comes back as the channel's hangup; a call with no channel yet ends its SIP side with `hangUp`.
   */
  hangUpForProfile(cause: number, ctx: ProcessContext, hangUp: (cause: number) => void): void {
    if (this.hungUp) return;
    if (this.channel) castChannel(ctx, this.channel, { op: 'hangup', cause });
    else hangUp(cause);
  }

  /**
   * The profile's process ended without stopping its calls (a kill): its transports are closed, so
   * nothing more is sent or resent; the channel hangs up with `cause` and the call ends with it.
   */
  profileGone(cause: number, ctx: ProcessContext): void {
    if (!this.hungUp) {
      this.hungUp = true;
      this.referOut.release(undefined, true);
      if (this.channel) castChannel(ctx, this.channel, { op: 'hangup', cause });
    }
    this.stopSending();
  }

  /** Stops every resend (a side with more of its own stops those too). */
  stopSending(): void {
    this.bye.stop();
    this.reinvite.stop();
    this.notify.stop();
  }

  /** In-dialog requests both sides answer the same way; false when `req` is not one of them. */
  inDialog(req: SipRequest, ctx: ProcessContext, toTag?: string, replaces?: Pid): boolean {
    const tag = toTag === undefined ? {} : { toTag };
    switch (req.method) {
      case 'BYE':
        this.send(responseTo(req, 200, { ...tag, headers: [['User-Agent', this.profile.userAgent]] }));
        this.bye.stop();
        this.byeReceived(req, ctx);
        return true;
      case 'INVITE': {
        // a re-INVITE: hold, unhold, the media moved
        const direction = this.reOffer(req.body, ctx);
        this.send(
          responseTo(req, 200, { ...tag, headers: [this.contactHeader()], ...(this.rtp ? { body: this.sdp(undefined, undefined, direction) } : {}) }),
        );
        return true;
      }
      case 'INFO':
        this.info(req, ctx);
        this.send(responseTo(req, 200, tag));
        return true;
      case 'REFER':
        this.refer(req, ctx, tag, replaces);
        return true;
      case 'NOTIFY':
        if (!referNotify(this, req, ctx, tag)) this.send(responseTo(req, 200, tag));
        return true;
      case 'OPTIONS':
      case 'UPDATE':
        this.send(responseTo(req, 200, tag));
        return true;
      case 'MESSAGE':
        receiveDialogMessage(this, req, toTag);
        return true;
      case 'ACK':
        return false;
      default:
        this.send(responseTo(req, 501, tag));
        return true;
    }
  }

  /**
   * sofia_handle_sip_i_info: a digit the INFO carries is the channel's DTMF (Source ENDPOINT) when
   * the call takes INFO digits, else a WARNING; either way RECV_INFO with the channel's data.
   */
  info(req: SipRequest, ctx: ProcessContext): void {
    const digit = infoDigit(header(req, 'content-type'), req.body.toString('utf8'));
    if (digit && this.channel) {
      if (takesInfoDigits(this.profile, this.dtmfType)) castChannel(ctx, this.channel, { op: 'dtmf', ...digit, source: 'ENDPOINT' });
      else this.sw.core.log('WARNING', `IGNORE INFO DTMF(${digit.digit}) (This channel was not configured to use INFO DTMF!)`, this.channelUuid);
    }
    const event = recvInfoEvent(this.sw, req);
    const uuid = this.channelUuid;
    if (uuid === undefined) this.sw.core.fire(event);
    else spawnWorker(this.sw, ctx, (reach) => reach.fire(event, uuid));
  }

  /**
   * sofia_handle_sip_i_refer's SIP side: 403 when the profile has `disable-transfer`, else 202
   * (Expires 60) at once; no Refer-To is an ERROR and nothing more; the transfer runs in a worker
   * (refer.ts), which asks for the NOTIFY.
   */
  refer(req: SipRequest, ctx: ProcessContext, tag: { toTag?: string }, replaces: Pid | undefined): void {
    if (this.profile.disableTransfer) {
      this.send(responseTo(req, 403, tag));
      return;
    }
    let referTo: ReferTo | undefined;
    let fromUser: string;
    try {
      const value = header(req, 'refer-to');
      referTo = value === undefined ? undefined : parseReferTo(value);
      fromUser = parseNameAddr(header(req, 'from') ?? '').uri.user ?? '';
    } catch (e) {
      this.send(responseTo(req, 400, { ...tag, reason: e instanceof Error ? e.message.slice(0, 60) : 'Bad Request' }));
      return;
    }
    this.send(responseTo(req, 202, { ...tag, headers: [this.contactHeader(), ['Expires', '60']] }));
    const seq = cseqOf(req)?.seq ?? 0;
    if (seq === this.#referSeq) return;
    this.#referSeq = seq;
    const channel = this.channelUuid;
    if (!referTo) {
      this.sw.core.log('ERR', 'Missing Refer-To', channel);
      return;
    }
    if (channel === undefined || this.hungUp) return;
    const job: ReferJob = {
      profile: this.profile,
      call: ctx.self,
      event: `refer;id=${seq}`,
      channel,
      referTo,
      referredBy: header(req, 'referred-by'),
      fromUser,
      replaced: replaces,
    };
    spawnWorker(this.sw, ctx, (reach) => transferByRefer(reach, job));
  }

  /** The NOTIFY a REFER's worker asked for (nua_notify): the outcome as message/sipfrag, the subscription over. */
  notifyRefer(n: ReferNotify, ctx: ProcessContext): void {
    if (this.hungUp) return;
    const req = inDialogRequest(this.dialog, 'NOTIFY', this.localVia, this.profile.userAgent, [
      this.contactHeader(),
      ['Event', n.event],
      ['Subscription-State', 'terminated;reason=noresource'],
      ['Content-Type', 'message/sipfrag;version=2.0'],
    ]);
    this.notify.start({ ...req, body: Buffer.from(n.referNotify) }, ctx);
  }

  /** A digit the far end sent as a telephone-event: the channel's DTMF (Source RTP). */
  rtpDigit(d: RtpDigit, ctx: ProcessContext): void {
    if (this.channel) castChannel(ctx, this.channel, { op: 'dtmf', digit: d.rtpDigit, duration: d.duration, source: 'RTP' });
  }

  /** Nothing is left: the channel is gone, the SIP side is over and nothing is being resent. */
  get done(): boolean {
    return this.hungUp && this.channel === undefined && !this.bye.active;
  }
}
