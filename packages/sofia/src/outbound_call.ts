/**
 * One outbound SIP call (`sofia/<profile>/<user>@<host>[:port]` in a dial string): a process that
 * sends the INVITE with an SDP offer when the channel reaches CS_INIT (sofia_on_init →
 * sofia_glue_do_invite) and turns what comes back into the channel's progress:
 *
 *   180/182 → ring-ready · any 1xx with SDP → early media (a 180 with SDP: both) · 2xx → ACK, answered
 *   401 / 407 → ACK, the INVITE again with the answer to the challenge (sip_auth_username /
 *               sip_auth_password), once
 *   300 / 301 / 302 / 305 → ACK, the INVITE again to the Contact, or the partner transferred
 *               (outbound_redirect.ts)
 *   ≥ 300 → ACK, hangup with the status's cause (sofia_glue_sip_cause_to_freeswitch)
 *   no answer at all within 64·T1 → RECOVERY_ON_TIMER_EXPIRE (Timer B)
 *   channel hangup → BYE once answered, else CANCEL
 */
import { GenServer, type From, type ProcessContext, noreply, ok, reply } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { Cause, type ChannelEvent, type Switch } from '@beamline/switch';
import { SipCall, castChannel, isChannelDown, isDownOf, isRouted, isRtpDigit, nextStep } from './call.ts';
import { type CallCast, type CallRequest, isProfileStopping } from './call_messages.ts';
import type { ProfileConfig } from './config.ts';
import { ackFor, contactUri, viaHeader } from './dialog.ts';
import { checkNat } from './ext_address.ts';
import { dialTarget } from './endpoint.ts';
import { type InviteUris, uriWithParams } from './invite_uris.ts';
import { spawnWorker } from './channel_reach.ts';
import { REDIRECT_STATUSES, type RedirectOptions, redirectOf as redirectResponse } from './outbound_redirect.ts';
import { type DeflectReply, type RedirectReply, deflect, isDeflectOverdue, redirectOf } from './deflect.ts';
import { PROGRESS_HEADER_PREFIX, RESPONSE_HEADER_PREFIX, acceptLanguageVariables, extraHeaderVariables } from './extra_headers.ts';
import { isReferNotify } from './refer.ts';
import { parseNameAddr, parseUri, tagOf } from './sip/address.ts';
import { Resender, T1, isResendTimer } from './resend.ts';
import { cseqOf } from './sip/build.ts';
import { reasonCause, reasonHeader, sipStatusToCause } from './sip/causes.ts';
import { answerChallenge } from './sip/digest.ts';
import { type SipRequest, type SipResponse, header, headerValues } from './sip/message.ts';
import { negotiate, parseSdp } from './sip/sdp.ts';
import type { Address, SipTransport } from './transport.ts';

const FINAL_OVERDUE = 'final_overdue';

export interface OutboundArgs {
  readonly sw: Switch;
  readonly profile: ProfileConfig;
  readonly transport: SipTransport;
  readonly callId: string;
  /** `sip:user@host[:port]`. */
  readonly requestUri: string;
  readonly sendTo: Address;
  readonly channel: Pid;
  readonly channelUuid: string;
  readonly callerIdName: string;
  readonly callerIdNumber: string;
  /** `sip_auth_username` / `sip_auth_password` (or a gateway's): answers a 401 / 407 from the far end (once). */
  readonly auth?: { readonly username: string; readonly password: string } | undefined;
  /** The From URI (a gateway's); default the caller id number at our address. */
  readonly fromUri?: string | undefined;
  /** Our tag in the dialog (the profile routes the dialog's messages by it). */
  readonly localTag: string;
  /** RTP auto-adjust for the call (see call.ts's `autoAdjust`). */
  readonly autoAdjust?: boolean;
  /** The profile that started it: the call ends with it (call.ts's profileGone). */
  readonly profilePid?: Pid;
  /** Headers the INVITE carries for the channel (its `sip_h_*` variables). */
  readonly extraHeaders?: readonly (readonly [string, string])[];
  /** The channel's partner (the channel that dialled it), told of a refusal. */
  readonly partnerUuid?: string | undefined;
  readonly copyCustomHeaders?: boolean;
  /** `sip_auto_answer`: Call-Info `<sip:<our ip>>;answer-after=0`, and `intercom=true` for the Request-URI's params. */
  readonly autoAnswer?: boolean;
  /** `sip_invite_params`, appended to the Request-URI. */
  readonly inviteParams?: string | undefined;
  /** `rpid` (the default), `pid`, or anything else for none, with the caller profile's flags. */
  readonly cidType?: string;
  readonly cidFlags?: { readonly screen: boolean; readonly hideName: boolean; readonly hideNumber: boolean };
  /** What a 3xx does (outbound_redirect.ts). */
  readonly redirect?: RedirectOptions;
  /** `ignore_q850_reason`: a refusal's cause is its status's even when it has a Q.850 Reason. */
  readonly ignoreQ850Reason?: boolean;
  /** The channel's Request-URI, To and From variables (invite_uris.ts). */
  readonly uris?: InviteUris;
  /** The channel's `max_forwards`: the INVITE's Max-Forwards (default 70). */
  readonly maxForwards?: string | undefined;
}

/**
 * sofia_glue_do_invite's caller identity: with cid_type rpid (the profile default)
 * `Remote-Party-ID: "<name>" <sip:<number>@<From's host>>;party=calling;screen=yes|no;privacy=off|name|full`;
 * with pid a P-Asserted-Identity (a screened caller) or P-Preferred-Identity and `Privacy: none` or
 * `id`; none otherwise.
 */
function callerIdHeaders(args: OutboundArgs, from: string): [string, string][] {
  const type = args.cidType ?? 'none';
  if (type !== 'rpid' && type !== 'pid') return [];
  let domain: string;
  try {
    domain = parseUri(/<([^>]*)>/.exec(from)?.[1] ?? '').host;
  } catch {
    return [];
  }
  const flags = args.cidFlags ?? { screen: false, hideName: false, hideNumber: false };
  const name = args.callerIdName && args.callerIdName !== '_undef_' ? `"${args.callerIdName.replace(/(["\\])/g, '\\$1')}" ` : '';
  const uri = `<sip:${args.callerIdNumber}@${domain}>`;
  if (type === 'pid') {
    const privacy: [string, string][] = flags.hideNumber ? [['Privacy', 'id']] : [['Privacy', 'none']];
    return [[flags.screen ? 'P-Asserted-Identity' : 'P-Preferred-Identity', `${name}${uri}`], ...privacy];
  }
  const privacy = flags.hideNumber ? 'full' : flags.hideName ? 'name' : 'off';
  return [['Remote-Party-ID', `${name}${uri};party=calling;screen=${flags.screen ? 'yes' : 'no'};privacy=${privacy}`]];
}

class Outbound extends SipCall {
  /** The INVITE of the transaction in progress (a new one after a challenge). */
  invite: SipRequest;
  authTried = false;
  readonly inviting: Resender;
  readonly cancelling: Resender;
  provisional = false;
  ringing = false;
  early = false;
  /** A CANCEL went out: the INVITE's final response (487, or a 200 that crossed it) is still to be ACKed. */
  awaitingFinal = false;

  constructor(readonly args: OutboundArgs) {
    const local = args.transport.local;
    // sofia_glue_do_invite's From host: the external address to a peer outside local-network-acl
    const fromHost = checkNat(args.sw, args.profile, args.sendTo.address) ? (args.profile.external?.extSipIp ?? local.address) : local.address;
    const name = args.callerIdName.replace(/(["\\])/g, '\\$1');
    // sofia_outgoing_channel: sip_auto_answer sets sip_invite_params to intercom=true
    const params = args.autoAnswer ? 'intercom=true' : args.inviteParams;
    const uris = args.uris ?? {};
    const requestUri = uris.reqUri ?? (params ? `${args.requestUri};${params.replace(/^;/, '')}` : args.requestUri);
    // sofia_glue_do_invite's own From: the caller id number at our address, with no port
    const ownFrom = `sip:${args.callerIdNumber ? `${args.callerIdNumber}@` : ''}${fromHost.includes(':') ? `[${fromHost}]` : fromHost}`;
    const fromUri = uriWithParams(args.fromUri ?? ownFrom, uris.fromParams, true);
    super(args.sw, args.profile, args.transport, args.sendTo, {
      callId: args.callId,
      local: `${uris.forceFrom ?? `${name ? `"${name}" ` : ''}<${fromUri}>`};tag=${args.localTag}`,
      remote: uris.forceTo ?? uriWithParams(uris.to ?? args.requestUri, uris.toParams, false),
      remoteTarget: requestUri,
      localSeq: Math.floor(Math.random() * 10_000) + 1,
    });
    this.channel = args.channel;
    this.channelUuid = args.channelUuid;
    if (uris.contactUser) this.contactUser = uris.contactUser;
    this.contactParams = uris.contactParams?.replace(/^;/, '');
    this.autoAdjust = args.autoAdjust ?? false;
    this.inviting = new Resender('invite', (m) => this.send(m));
    this.cancelling = new Resender('cancel', (m) => this.send(m));
    this.invite = {
      kind: 'request',
      method: 'INVITE',
      uri: requestUri,
      headers: [
        ['Via', viaHeader(this.localVia)],
        ['Max-Forwards', args.maxForwards ?? '70'],
        ['From', this.dialog.local],
        ['To', this.dialog.remote],
        ['Call-ID', args.callId],
        ['CSeq', `${this.dialog.localSeq++} INVITE`],
        this.contactHeader(),
        ['User-Agent', args.profile.userAgent],
        ['Allow', `INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE${args.profile.disableTransfer ? '' : ', REFER'}`],
        ...callerIdHeaders(args, this.dialog.local),
        ...(args.autoAnswer ? ([['Call-Info', `<sip:${local.address}>;answer-after=0`]] as [string, string][]) : []),
        ...(args.extraHeaders ?? []).filter(([n]) => !args.autoAnswer || n.toLowerCase() !== 'call-info').map(([n, v]): [string, string] => [n, v]),
        ['Content-Type', 'application/sdp'],
      ],
      body: Buffer.alloc(0),
    };
  }

  /** The channel's machine event for what the far end did. */
  mark(type: ChannelEvent['type'], ctx: ProcessContext): void {
    if (this.channel) castChannel(ctx, this.channel, { op: 'send', event: { type } as ChannelEvent });
  }

  /** ACK for a final response to the INVITE in progress. */
  ack(res: SipResponse): SipRequest {
    return ackFor(this.invite, res, this.dialog, this.localVia);
  }

  /** The SDP of a response, if it has one we can use: the RTP peer and codec. */
  takeAnswer(res: SipResponse, ctx: ProcessContext): boolean {
    if (res.body.length === 0 || !this.rtp) return false;
    try {
      const offer = parseSdp(res.body.toString('utf8'));
      const media = negotiate(offer);
      if (!media) return false;
      const first = this.media === undefined;
      this.agreeMedia(offer, media);
      if (first) this.setMediaVariables(offer, media, res.body.toString('utf8'), ctx);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * A 401 / 407 to our INVITE, with credentials not yet tried: ACKed, and the INVITE sent again in
   * a new transaction with the answer to the challenge (sofia_reg_handle_sip_r_challenge). False
   * when it cannot be answered: the call fails with the status's cause.
   */
  retryWithAuth(res: SipResponse, ctx: ProcessContext): boolean {
    const auth = this.args.auth;
    if (!auth || this.authTried || this.hungUp) return false;
    const proxy = res.status === 407;
    const answer = answerChallenge(header(res, proxy ? 'proxy-authenticate' : 'www-authenticate') ?? '', 'INVITE', this.invite.uri, auth);
    if (!answer) return false;
    this.authTried = true;
    this.send(this.ack(res));
    const headers = this.invite.headers.map(([name, value]): [string, string] => {
      if (name === 'Via') return [name, viaHeader(this.localVia)];
      if (name === 'CSeq') return [name, `${this.dialog.localSeq++} INVITE`];
      return [name, value];
    });
    this.invite = { ...this.invite, headers: [...headers, [proxy ? 'Proxy-Authorization' : 'Authorization', answer]] };
    this.inviting.start(this.invite, ctx);
    return true;
  }

  /**
   * sofia_glue_do_invite again after a 3xx (tech_pvt->redirected): a new INVITE transaction of the
   * same Call-ID, From and To, its Request-URI the Contact's, sent where that URI says. False when
   * the URI cannot be dialled.
   */
  followRedirect(uri: string, ctx: ProcessContext): boolean {
    let target: ReturnType<typeof dialTarget>;
    try {
      target = dialTarget(uri);
    } catch {
      return false;
    }
    this.peer = { address: target.host, port: target.port, transport: target.transport };
    this.dialog.remoteTarget = target.requestUri;
    this.authTried = false;
    const headers = this.invite.headers
      .filter(([name]) => !/^(proxy-)?authorization$/i.test(name))
      .map(([name, value]): [string, string] => {
        if (name === 'Via') return [name, viaHeader(this.localVia)];
        if (name === 'CSeq') return [name, `${this.dialog.localSeq++} INVITE`];
        if (name === 'Contact') return this.contactHeader();
        return [name, value];
      });
    this.invite = { ...this.invite, uri: target.requestUri, headers };
    this.inviting.start(this.invite, ctx);
    return true;
  }

  override get done(): boolean {
    return super.done && !this.inviting.active && !this.cancelling.active && !this.awaitingFinal;
  }

  override stopSending(): void {
    super.stopSending();
    this.inviting.stop();
    this.cancelling.stop();
    this.awaitingFinal = false;
  }
}

export class OutboundCall extends GenServer<
  Outbound,
  CallRequest,
  CallCast,
  boolean | string | DeflectReply | RedirectReply | undefined,
  OutboundArgs
> {
  override init(args: OutboundArgs, ctx: ProcessContext) {
    ctx.monitor(args.channel);
    if (args.profilePid) ctx.monitor(args.profilePid);
    return ok(new Outbound(args), { continue: 'invite' });
  }

  override async handleContinue(_cont: unknown, call: Outbound, ctx: ProcessContext) {
    try {
      await call.openRtp(ctx);
    } catch (e) {
      call.sw.core.log('ERR', `sofia/${call.profile.name}: ${e instanceof Error ? e.message : String(e)}`);
      call.endChannel(Cause.DESTINATION_OUT_OF_ORDER, 'recv_refuse', ctx);
      return nextStep(call);
    }
    if (call.hungUp) return nextStep(call); // the channel gave up while we opened the socket
    for (const [name, value] of inviteVariables(call.invite)) castChannel(ctx, call.args.channel, { op: 'setvar', name, value });
    call.invite = { ...call.invite, body: Buffer.from(call.offerSdp()) };
    call.inviting.start(call.invite, ctx);
    return noreply(call);
  }

  override handleCall(req: CallRequest, from: From, call: Outbound, ctx: ProcessContext) {
    if (req.op === 'channelUuid') return reply<string | undefined, Outbound>(call.channelUuid, call);
    if (req.op === 'deflect') {
      const r = deflect(call, req, from, ctx);
      return r ? reply<DeflectReply, Outbound>(r, call) : noreply(call);
    }
    if (req.op === 'redirect') return reply<RedirectReply, Outbound>(redirectCall(call, req.uri), call);
    return reply(true, call); // an outbound leg's progress comes from the far end; it has no INVITE to respond to
  }

  override handleCast(msg: CallCast, call: Outbound, ctx: ProcessContext) {
    if (msg.op === 'sendDtmf') call.rtp?.sendDigit(msg.digit, msg.duration);
    else if (msg.op === 'hold') call.holdFarEnd(msg.on, ctx);
    else if (msg.op === 'dialogMessage') call.sendDialogMessage(msg.message);
    else channelHungUp(call, msg.cause, ctx, msg.headers?.bye, msg.reason);
    return nextStep(call);
  }

  override handleInfo(msg: unknown, call: Outbound, ctx: ProcessContext) {
    if (isRouted(msg)) {
      if (msg.sip.kind === 'response') response(call, msg.sip, ctx, msg.source);
      else if (msg.sip.method !== 'ACK') call.inDialog(msg.sip, ctx, undefined, msg.replaces);
    } else if (isResendTimer(msg)) {
      const r = msg.what === 'invite' ? call.inviting : msg.what === 'cancel' ? call.cancelling : (call.resenderOf(msg.what) ?? call.bye);
      if (r.tick(msg, ctx) === 'expired' && r === call.inviting) call.endChannel(Cause.RECOVERY_ON_TIMER_EXPIRE, 'recv_refuse', ctx);
    } else if (isRtpDigit(msg)) call.rtpDigit(msg, ctx);
    else if (isReferNotify(msg)) call.notifyRefer(msg, ctx);
    else if (isDeflectOverdue(msg)) call.referOut.release(msg.gen);
    else if (msg === FINAL_OVERDUE) call.awaitingFinal = false;
    else if (isProfileStopping(msg)) call.hangUpForProfile(msg.profileStopping, ctx, (cause) => channelHungUp(call, cause, ctx));
    else if (isDownOf(msg, call.args.profilePid)) call.profileGone(Cause.MANAGER_REQUEST, ctx);
    else if (isChannelDown(msg)) {
      // the channel is gone (hung up, or crashed before telling us)
      call.channel = undefined;
      channelHungUp(call, Cause.NORMAL_CLEARING, ctx);
    }
    return nextStep(call);
  }

  override terminate(_reason: unknown, call: Outbound): void {
    call.closeMedia();
  }
}

/**
 * sofia_glue_do_invite's record of what the INVITE says: `sip_outgoing_contact_uri` (our Contact),
 * `sip_req_uri` (the Request-URI without its scheme), `sip_to_host` and `sip_from_host`.
 */
function inviteVariables(invite: SipRequest): [string, string][] {
  const hostOf = (value: string | undefined) => {
    try {
      return parseNameAddr(value ?? '').uri.host;
    } catch {
      return undefined;
    }
  };
  const vars: [string, string][] = [
    ['sip_outgoing_contact_uri', header(invite, 'contact') ?? ''],
    ['sip_req_uri', invite.uri.replace(/^sips?:/i, '')],
  ];
  const to = hostOf(header(invite, 'to'));
  const from = hostOf(header(invite, 'from'));
  if (to) vars.push(['sip_to_host', to]);
  if (from) vars.push(['sip_from_host', from]);
  return vars;
}

/**
 * sofia_handle_sip_i_state: a 180 / 183's custom headers become the leg's `sip_ph_*`, a final
 * response's its `sip_rh_*`, and the partner's too unless the leg's `sip_copy_custom_headers` is
 * false — so a caller's own 183 / 200 carry them on.
 */
function takeExtraHeaders(call: Outbound, res: SipResponse, ctx: ProcessContext): void {
  if (!call.channel || call.hungUp) return;
  const vars = extraHeaderVariables(res, res.status > 199 ? RESPONSE_HEADER_PREFIX : PROGRESS_HEADER_PREFIX);
  const partnerUuid = call.args.copyCustomHeaders === false ? undefined : call.args.partnerUuid;
  const partner = partnerUuid === undefined ? undefined : call.sw.core.sessions.get(partnerUuid);
  for (const [name, value] of vars) {
    castChannel(ctx, call.channel, { op: 'setvar', name, value });
    if (partner) castChannel(ctx, partner, { op: 'setvar', name, value });
  }
}

/**
 * sofia_handle_sip_i_state on the INVITE's responses: where each came from (`sip_reply_host` /
 * `_port`, `sip_network_ip` / `_port`, `sip_local_network_addr`), and a 180's, 183's or 200's
 * `sip_user_agent` (User-Agent, else Server) and `sip_allow`.
 */
function responseFacts(call: Outbound, res: SipResponse, source: Address, ctx: ProcessContext): void {
  if (!call.channel || call.hungUp) return;
  const vars: [string, string][] = [
    ['sip_local_network_addr', call.profile.external?.extSipIp ?? call.profile.sipIp],
    ['sip_reply_host', source.address],
    ['sip_reply_port', String(source.port)],
    ['sip_network_ip', source.address],
    ['sip_network_port', String(source.port)],
  ];
  if (res.status === 180 || res.status === 183 || res.status === 200) {
    const agent = header(res, 'user-agent') ?? header(res, 'server');
    if (agent) vars.push(['sip_user_agent', agent]);
    const allow = header(res, 'allow');
    if (allow) vars.push(['sip_allow', allow]);
  }
  if (res.status === 180 || res.status === 183 || res.status > 199) vars.push(...acceptLanguageVariables(res));
  for (const [name, value] of vars) castChannel(ctx, call.channel, { op: 'setvar', name, value });
}

function response(call: Outbound, res: SipResponse, ctx: ProcessContext, source: Address): void {
  if (call.inDialogResponse(res, ctx)) return;
  const method = cseqOf(res)?.method;
  if (method === 'CANCEL') {
    if (res.status >= 200) call.cancelling.stop();
    return;
  }
  if (method !== 'INVITE') return;
  call.inviting.stop();
  if (!res.local) responseFacts(call, res, source, ctx);
  if (res.status === 180 || res.status === 183 || res.status > 199) takeExtraHeaders(call, res, ctx);
  if (res.status < 400) clearPartnerFailure(call, ctx);
  if (res.status >= 200) call.awaitingFinal = false;
  if (res.status < 200) {
    if (res.status === 100) return;
    call.provisional = true;
    if (tagOf(header(res, 'to'))) call.dialog.remote = header(res, 'to') ?? call.dialog.remote;
    if (call.hungUp) return;
    // sofia_handle_sip_i_state (nua_callstate_proceeding): 180 and 182 ring, whatever else they
    // carry; any 1xx with SDP is early media (181, a 183 without SDP: neither)
    if ((res.status === 180 || res.status === 182) && !call.ringing && !call.early) {
      call.ringing = true;
      call.mark('MARK_RING_READY', ctx);
    }
    if (call.takeAnswer(res, ctx) && !call.early) {
      call.early = true;
      call.mark('MARK_PRE_ANSWERED', ctx);
    }
    return;
  }
  if (res.status < 300) {
    call.dialog.remote = header(res, 'to') ?? call.dialog.remote;
    call.dialog.remoteTarget = contactUri(header(res, 'contact')) ?? call.dialog.remoteTarget;
    call.takeAnswer(res, ctx);
    call.send(call.ack(res));
    if (call.hungUp) {
      // answered after we gave up (the CANCEL crossed the 200): end it properly
      if (!call.answered) {
        call.answered = true;
        call.cancelling.stop();
        call.sendBye(Cause.ORIGINATOR_CANCEL, ctx);
      }
      return;
    }
    if (!call.answered) {
      call.answered = true;
      call.mark('MARK_ANSWERED', ctx);
    }
    return;
  }
  if ((res.status === 401 || res.status === 407) && call.retryWithAuth(res, ctx)) return;
  if (REDIRECT_STATUSES.has(res.status) && !res.local && redirected(call, res, ctx)) return;
  if (!res.local) call.send(call.ack(res));
  // sofia_handle_sip_i_state: a 4xx-6xx's Q.850 Reason is the cause (unless ignore_q850_reason), else the status's
  const reason = res.status >= 400 ? headerValues(res, 'reason')[0] : undefined;
  const cause = (call.args.ignoreQ850Reason ? undefined : reasonCause(reason)) ?? sipStatusToCause(res.status);
  if (call.channel && !call.hungUp) {
    const vars: [string, string][] = [
      ...failureVars(res, reason),
      ['sip_term_status', String(res.status)],
      ['proto_specific_hangup_cause', `sip:${res.status}`],
      ['sip_term_cause', String(cause)],
    ];
    for (const [name, value] of vars) castChannel(ctx, call.channel, { op: 'setvar', name, value });
    tellPartner(call, res, reason, ctx);
  }
  call.endChannel(cause, 'recv_refuse', ctx);
}

/** A 3xx to the INVITE (outbound_redirect.ts): true when it is dealt with, false when it fails the call as any other final response. */
function redirected(call: Outbound, res: SipResponse, ctx: ProcessContext): boolean {
  if (!call.channel || call.hungUp) return false;
  const partnerUuid = call.args.partnerUuid;
  const partner = partnerUuid === undefined ? undefined : call.sw.core.sessions.get(partnerUuid);
  const r = redirectResponse(res, call.profile, call.args.redirect ?? { fatal: false, profile: undefined, fork: false }, partner !== undefined);
  if (r.kind === 'missing') {
    call.sw.core.log('ERR', 'Missing contact header in redirect request', call.channelUuid);
    return false;
  }
  call.send(call.ack(res));
  call.provisional = false; // the transaction is over: nothing to CANCEL
  const channel = call.channel;
  const set = (pid: Pid, vars: readonly [string, string][]) => {
    for (const [name, value] of vars) castChannel(ctx, pid, { op: 'setvar', name, value });
  };
  if (r.kind === 'invalid') {
    call.sw.core.log('WARNING', 'Received redirect with invalid URI', call.channelUuid);
    set(channel, [['endpoint_disposition', 'REDIRECT_ERROR']]);
    call.endChannel(Cause.DESTINATION_OUT_OF_ORDER, 'recv_refuse', ctx);
    return true;
  }
  set(channel, r.leg);
  if (r.kind === 'fatal') {
    call.endChannel(Cause.REQUESTED_CHAN_UNAVAIL, 'recv_refuse', ctx);
    return true;
  }
  if (partner) set(partner, r.partner);
  if (r.kind === 'transfer' && partnerUuid !== undefined) {
    // the leg's hangup goes first, so the partner's transfer (which cancels what it dials) finds it ending already
    call.endChannel(Cause.REDIRECTION_TO_NEW_DESTINATION, 'recv_refuse', ctx);
    spawnWorker(call.sw, ctx, (reach) => reach.transfer(partnerUuid, r.user, r.dialplan, r.context));
    return true;
  }
  if (r.kind === 'hangup') {
    call.endChannel(Cause.REDIRECTION_TO_NEW_DESTINATION, 'recv_refuse', ctx);
    return true;
  }
  if (r.kind === 'follow' && call.followRedirect(r.uri, ctx)) return true;
  call.endChannel(Cause.DESTINATION_OUT_OF_ORDER, 'recv_refuse', ctx);
  return true;
}

/**
 * sofia_handle_sip_r_invite: a response under 400 clears the partner's `sip_invite_failure_status`
 * / `_phrase` an earlier refused leg (a serial fork's) left, so an answered call does not carry them.
 */
function clearPartnerFailure(call: Outbound, ctx: ProcessContext): void {
  if (!call.channel || call.hungUp) return;
  const partner = call.args.partnerUuid === undefined ? undefined : call.sw.core.sessions.get(call.args.partnerUuid);
  if (!partner) return;
  for (const name of ['sip_invite_failure_status', 'sip_invite_failure_phrase']) castChannel(ctx, partner, { op: 'setvar', name, value: '' });
}

/** What a response says of the INVITE's failure, on the leg and its partner alike: from 400 up its status and phrase, and any Reason. */
function failureVars(res: SipResponse, reason: string | undefined): [string, string][] {
  const vars: [string, string][] = [];
  if (res.status >= 400) vars.push(['sip_invite_failure_status', String(res.status)], ['sip_invite_failure_phrase', res.reason]);
  if (reason) vars.push(['sip_reason', reason]);
  return vars;
}

/**
 * What the refused leg's partner learns (sofia_handle_sip_i_state's switch_channel_set_variable_partner:
 * `sip_invite_failure_status` / `_phrase`, `sip_reason`, `sip_hangup_phrase`), and the
 * `last_bridge_proto_specific_hangup_cause` the leg's hangup gives it (switch_channel_perform_hangup),
 * by which its own refusal passes the status on.
 */
function tellPartner(call: Outbound, res: SipResponse, reason: string | undefined, ctx: ProcessContext): void {
  const partner = call.args.partnerUuid === undefined ? undefined : call.sw.core.sessions.get(call.args.partnerUuid);
  if (!partner) return;
  const vars: [string, string][] = [
    ...failureVars(res, reason),
    ['sip_hangup_phrase', res.reason],
    ['last_bridge_proto_specific_hangup_cause', `sip:${res.status}`],
  ];
  for (const [name, value] of vars) castChannel(ctx, partner, { op: 'setvar', name, value });
}

/** sofia_on_hangup for an outbound call: a BYE once answered, else a CANCEL. */
/**
 * SWITCH_MESSAGE_INDICATE_REDIRECT on an outbound leg: mod_sofia hangs it up with the cause as it
 * would an inbound one, but an outbound leg not answered is CANCELled (nothing carries the Contact).
 */
function redirectCall(call: Outbound, uri: string): RedirectReply {
  if (call.answered || call.hungUp) {
    call.sw.core.log('WARNING', 'Too late for redirecting, already answered', call.channelUuid);
    return { cause: undefined };
  }
  return { cause: redirectOf(uri)?.cause };
}

function channelHungUp(
  call: Outbound,
  cause: number,
  ctx: ProcessContext,
  extra: readonly (readonly [string, string])[] = [],
  reason = reasonHeader(cause),
): void {
  if (call.hungUp) return;
  call.hungUp = true;
  call.referOut.release();
  if (call.answered) {
    call.sendBye(cause, ctx, reason, extra);
    return;
  }
  if (!call.inviting.active && !call.provisional) return; // nothing was sent yet
  call.inviting.stop();
  call.awaitingFinal = true;
  // the far end owes the INVITE a final response (Timer C's spirit: not forever)
  ctx.sendAfter(64 * T1, ctx.self, FINAL_OVERDUE);
  const seq = cseqOf(call.invite)?.seq ?? 1;
  call.cancelling.start(
    {
      kind: 'request',
      method: 'CANCEL',
      uri: call.invite.uri,
      headers: [
        ['Via', header(call.invite, 'via') ?? ''],
        ['Max-Forwards', '70'],
        ['From', call.dialog.local],
        ['To', header(call.invite, 'to') ?? ''],
        ['Call-ID', call.dialog.callId],
        ['CSeq', `${seq} CANCEL`],
        ...(reason ? [['Reason', reason] as [string, string]] : []),
        ...extra.map(([n, v]): [string, string] => [n, v]),
      ],
      body: Buffer.alloc(0),
    },
    ctx,
  );
}
