/**
 * The endpoint side of SIP channels (mod_sofia's io routines, state handlers and outgoing_channel).
 * Each thing the switch does to a channel goes to its call's process, which speaks SIP. These run
 * in the channel's process, so they only cast, or call with a timeout (a call process never calls
 * its channel).
 */
import { deflectCall } from './deflect_endpoint.ts';
import { dialogMessage } from './dialog_message.ts';
import { randomUUID } from 'node:crypto';
import { GenServer } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import {
  Cause,
  type ChannelCast,
  switchTrue,
  type Endpoint,
  type EndpointChannel,
  type EndpointInterface,
  type Indication,
  type OutgoingChannel,
  type OutgoingRequest,
} from '@beamline/switch';
import {
  BYE_HEADER_PREFIX,
  HEADER_PREFIX,
  PROGRESS_HEADER_PREFIX,
  RESPONSE_HEADER_PREFIX,
  channelExtraHeaders,
  prefixedVariables,
} from './extra_headers.ts';
import type { GatewayConfig } from './config.ts';
import type { GatewayRoute } from './gateway.ts';
import type { IndicateRefusal } from './call.ts';
import type { RedirectOptions } from './outbound_redirect.ts';
import { calleeIdHeaders } from './callee_id.ts';
import { type InviteUris, fromUriOf, inviteUrisOf } from './invite_uris.ts';
import { callCounted } from './call_counters.ts';
import type { CallCast, CallRequest, HangupHeaders } from './call_messages.ts';
import { type SipUri, parseUri } from './sip/address.ts';
import type { SipTransportName } from './transport.ts';

/** What an outbound channel asks its profile for: a call process sending the INVITE. */
export interface InviteRequest {
  readonly op: 'invite';
  readonly callId: string;
  readonly requestUri: string;
  readonly host: string;
  readonly port: number;
  /** How the INVITE goes: the Request-URI's (or its fs_path's) `transport=`, a gateway's `register-transport`. */
  readonly transport: SipTransportName;
  readonly channel: Pid;
  readonly channelUuid: string;
  readonly callerIdName: string;
  readonly callerIdNumber: string;
  readonly auth: { readonly username: string; readonly password: string } | undefined;
  /** A gateway's From (`sip:<from-user>@<from-domain>`); else the caller id number at our address. */
  readonly fromUri: string | undefined;
  /** RTP auto-adjust for the call (see call.ts's `autoAdjust`). */
  readonly autoAdjust: boolean;
  /** The channel's `sip_h_*` variables as headers (sofia_glue_do_invite's extra headers). */
  readonly extraHeaders: readonly (readonly [string, string])[];
  /** The channel's partner (`signal_bond`, the channel that dialled it): what switch_channel_set_variable_partner reaches. */
  readonly partnerUuid: string | undefined;
  /** `sip_copy_custom_headers` is not false: the far end's response headers go to the partner too. */
  readonly copyCustomHeaders: boolean;
  /** `sip_auto_answer` (sofia_outgoing_channel): Call-Info `answer-after=0` and `intercom=true` on the Request-URI. */
  readonly autoAnswer: boolean;
  /** `sip_invite_params`: appended to the Request-URI. */
  readonly inviteParams: string | undefined;
  /** How the INVITE names the caller (sofia_glue_do_invite's cid_type: `sip_cid_type`, default rpid) and the caller profile's flags. */
  readonly cidType: string;
  readonly cidFlags: { readonly screen: boolean; readonly hideName: boolean; readonly hideNumber: boolean };
  /** What a 3xx does: `outbound_redirect_fatal`, `sip_redirect_profile`, `sip_redirect_fork`. */
  readonly redirect: RedirectOptions;
  /** `ignore_q850_reason`: a refusal's Q.850 Reason does not give the cause. */
  readonly ignoreQ850Reason: boolean;
  /** The channel's Request-URI, To and From variables (invite_uris.ts). */
  readonly uris: InviteUris;
  /** `max_forwards` (sofia_glue_do_invite's Max-Forwards). */
  readonly maxForwards: string | undefined;
}

/** The profile's answer to an InviteRequest it accepts: the call process, and the profile's name and url for the channel. */
export interface InviteReply {
  readonly call: Pid;
  readonly profileName: string;
  readonly profileUrl: string;
}

function hangupTo(ch: EndpointChannel, call: Pid | undefined): void {
  if (ch.variable('sip_hangup_disposition') === 'recv_bye') tellPartnerOfBye(ch);
  // sofia_on_hangup: what it sends, unless the far end ended the call itself
  if (ch.variable('sip_hangup_disposition') === undefined) {
    const how = ch.view.answered ? 'send_bye' : ch.spec.direction === 'outbound' ? 'send_cancel' : 'send_refuse';
    ch.setVariable('sip_hangup_disposition', how);
    if (how === 'send_cancel') {
      ch.setVariable('sip_invite_failure_status', '487');
      ch.setVariable('sip_invite_failure_phrase', 'CANCEL');
    }
  }
  if (!call) return;
  const status = remoteStatus(ch);
  const reason = hangupReason(ch);
  GenServer.cast(ch.ctx, call, {
    op: 'hangup',
    cause: ch.view.hangupCause,
    headers: hangupHeaders(ch),
    ...(status ? { status } : {}),
    ...(reason === undefined ? {} : { reason }),
  } satisfies CallCast);
}

/**
 * sofia_on_hangup's Reason (on the BYE, CANCEL or refusal): none with `disable_q850_reason`, else
 * the channel's `sip_reason` as it is (a refused partner's, passed on), else the cause's (undefined).
 */
function hangupReason(ch: EndpointChannel): string | undefined {
  if (switchTrue(ch.variable('disable_q850_reason') ?? '')) return '';
  return ch.variable('sip_reason') || undefined;
}

/**
 * sofia_handle_sip_i_bye's switch_channel_set_variable_partner: the far end's BYE gives the partner
 * `sip_hangup_phrase` OK, the BYE's Reason as `sip_reason`, and (unless `sip_copy_custom_headers`
 * is false) its `sip_bye_h_*`, which the partner's own BYE then carries. Here, in the channel's
 * process before the bridge ends, so the partner has them when it hangs up.
 */
function tellPartnerOfBye(ch: EndpointChannel): void {
  const uuid = ch.variable('signal_bond') ?? ch.variable('originate_signal_bond');
  const partner = uuid === undefined ? undefined : ch.core.sessions.get(uuid);
  if (!partner) return;
  const reason = ch.variable('sip_reason');
  const copy = switchTrue(ch.variable('sip_copy_custom_headers') ?? 'true');
  const vars: [string, string][] = [
    ['sip_hangup_phrase', 'OK'],
    ...(reason ? [['sip_reason', reason] as [string, string]] : []),
    ...(copy ? prefixedVariables(ch, BYE_HEADER_PREFIX) : []),
  ];
  for (const [name, value] of vars) GenServer.cast(ch.ctx, partner, { op: 'setvar', name, value } satisfies ChannelCast);
}

/**
 * The endpoint of an inbound call's channel, served by the call process `call`. `answered`: the
 * call was answered before it had a channel (a late offer under `enable-3pcc=true`), so the
 * channel is marked answered as it starts, before the dialplan.
 */
export function sofiaEndpoint(call: Pid, answered = false): Endpoint {
  return {
    async indicate(ch, what) {
      let r: boolean | IndicateRefusal;
      try {
        const headers = indicationHeaders(ch, what);
        r = await GenServer.call<boolean | IndicateRefusal>(ch.ctx, call, { op: 'indicate', what, headers } satisfies CallRequest, 5000);
      } catch {
        return false; // the call's process is gone: the phone hung up
      }
      if (typeof r === 'boolean') return r;
      for (const [name, value] of r.refused) ch.setVariable(name, value);
      if (r.cause !== undefined) await ch.send({ type: 'HANGUP', cause: r.cause });
      return false;
    },
    sendDtmf(ch, digit, duration) {
      GenServer.cast(ch.ctx, call, { op: 'sendDtmf', digit, duration } satisfies CallCast);
    },
    hold(ch, on) {
      GenServer.cast(ch.ctx, call, { op: 'hold', on } satisfies CallCast);
      return true;
    },
    message(ch, message) {
      const m = dialogMessage(ch, message);
      if (m) GenServer.cast(ch.ctx, call, { op: 'dialogMessage', message: m } satisfies CallCast);
      return true;
    },
    deflect(ch, message) {
      return deflectCall(ch, call, message);
    },
    async respond(ch, data) {
      try {
        const code = Number.parseInt(data, 10);
        const h = code >= 300 ? hangupHeaders(ch) : undefined;
        const headers = h ? [...h.bye, ...h.response] : channelExtraHeaders(ch, PROGRESS_HEADER_PREFIX);
        await GenServer.call(ch.ctx, call, { op: 'respond', data, headers } satisfies CallRequest, 5000);
      } catch {
        // the call's process is gone: nothing to respond to
      }
    },
    async onState(ch, state) {
      if (state === 'CS_HANGUP') hangupTo(ch, call);
      if (state === 'CS_INIT' && answered) await ch.send({ type: 'MARK_ANSWERED' });
      return true;
    },
  };
}

/** The credentials a far end's challenge is answered with (`sip_auth_username`, `sip_auth_password`). */
function authOf(ch: EndpointChannel): InviteRequest['auth'] {
  const username = ch.variable('sip_auth_username');
  const password = ch.variable('sip_auth_password');
  return username && password !== undefined ? { username, password } : undefined;
}

/** Where an outbound call goes, and for a gateway, its credentials and From. */
interface Target {
  readonly requestUri: string;
  readonly host: string;
  readonly port: number;
  readonly transport: SipTransportName;
  readonly gateway?: GatewayConfig;
  /** The contact was registered from behind a NAT (`fs_nat=yes`, nat.ts). */
  readonly nat?: boolean;
}

/**
 * sofia_outgoing_channel: a leg dialled for a channel gets that channel's `sip_h_*` variables
 * (switch_ivr_transfer_variable), unless the channel's `sip_copy_custom_headers` is false.
 */
async function callerHeaderVariables(req: OutgoingRequest): Promise<[string, string][]> {
  const caller = req.from && 'caller' in req.from ? req.services.core.sessions.get(req.from.caller.uuid) : undefined;
  if (!caller) return [];
  let vars: [string, string][];
  try {
    vars = await GenServer.call<[string, string][]>(req.ctx, caller, { op: 'variables' }, 2000);
  } catch {
    return []; // the caller is gone
  }
  const copy = vars.find(([n]) => n === 'sip_copy_custom_headers')?.[1];
  if (copy !== undefined && !switchTrue(copy)) return [];
  return vars.filter(([n]) => n.slice(0, HEADER_PREFIX.length).toLowerCase() === HEADER_PREFIX);
}

/** The headers the INVITE carries for the channel's `sip_h_*` variables, with those it got from its caller (unless it set them itself). */
function inviteExtraHeaders(ch: EndpointChannel, copied: readonly [string, string][]): [string, string][] {
  for (const [name, value] of copied) if (ch.variable(name) === undefined) ch.setVariable(name, value);
  return channelExtraHeaders(ch, HEADER_PREFIX);
}

/** sofia_glue_do_invite's From for a channel with `sip_invite_domain`: the caller id number at that domain. */
function inviteDomainFrom(ch: EndpointChannel): string | undefined {
  const domain = ch.variable('sip_invite_domain');
  if (!domain) return undefined;
  const num = ch.profile.callerIdNumber ?? '';
  const host = domain.includes(':') && !domain.startsWith('[') ? `[${domain}]` : domain;
  return `sip:${num ? `${encodeURIComponent(num)}@` : ''}${host}`;
}

/** sofia_glue_do_invite's Alert-Info, from the channel's `alert_info`. */
function alertInfo(ch: EndpointChannel): [string, string][] {
  const v = ch.variable('alert_info');
  return v ? [['Alert-Info', v]] : [];
}

/** sofia_on_hangup's extra headers: `sip_bye_h_*` on a BYE, CANCEL or refusal, and `sip_rh_*` on a refusal too. */
function hangupHeaders(ch: EndpointChannel): HangupHeaders {
  return {
    bye: channelExtraHeaders(ch, BYE_HEADER_PREFIX),
    response: [...(ch.spec.direction === 'inbound' ? calleeIdHeaders(ch, sipIpOf(ch)) : []), ...channelExtraHeaders(ch, RESPONSE_HEADER_PREFIX)],
  };
}

/**
 * sofia_on_hangup: a refusal's status is the other leg's SIP status (`last_bridge_proto_specific_hangup_cause`
 * `sip:<code>`) rather than the cause's, unless `sip_ignore_remote_cause` is true.
 */
function remoteStatus(ch: EndpointChannel): number | undefined {
  if (switchTrue(ch.variable('sip_ignore_remote_cause') ?? '')) return undefined;
  const m = /^sips?:(\d+)/i.exec(ch.variable('last_bridge_proto_specific_hangup_cause') ?? '');
  const code = m ? Number.parseInt(m[1], 10) : 0;
  return code > 0 ? code : undefined;
}

/**
 * The headers of the response an indication sends: the callee's id (callee_id.ts), then `sip_ph_*`
 * on a 180 / 183, `sip_rh_*` on the 200 (sofia_receive_message, sofia_answer_channel).
 */
function indicationHeaders(ch: EndpointChannel, what: Indication): [string, string][] {
  return [...calleeIdHeaders(ch, sipIpOf(ch)), ...channelExtraHeaders(ch, what === 'ANSWER' ? RESPONSE_HEADER_PREFIX : PROGRESS_HEADER_PREFIX)];
}

/** The profile's sip-ip, as the channel's `sofia_profile_url` names it. */
function sipIpOf(ch: EndpointChannel): string {
  return /@\[?([^\]:;>]+)/.exec(ch.variable('sofia_profile_url') ?? '')?.[1] ?? '127.0.0.1';
}

/** An outbound channel's endpoint: its call process is asked of the profile at CS_INIT. */
function outboundEndpoint(profile: Pid, target: Target, copied: readonly [string, string][]): Endpoint {
  let call: Pid | undefined;
  return {
    sendDtmf(ch, digit, duration) {
      if (call) GenServer.cast(ch.ctx, call, { op: 'sendDtmf', digit, duration } satisfies CallCast);
    },
    hold(ch, on) {
      if (call) GenServer.cast(ch.ctx, call, { op: 'hold', on } satisfies CallCast);
      return call !== undefined;
    },
    message(ch, message) {
      const m = dialogMessage(ch, message);
      if (m && call) GenServer.cast(ch.ctx, call, { op: 'dialogMessage', message: m } satisfies CallCast);
      return true;
    },
    deflect(ch, message) {
      return deflectCall(ch, call, message);
    },
    async onState(ch, state) {
      if (state === 'CS_HANGUP') {
        // sofia_on_hangup: an outbound channel never answered is a failed call of its profile
        if (!ch.view.answered) ch.ctx.send(profile, callCounted('obFailedCalls'));
        hangupTo(ch, call);
      }
      if (state !== 'CS_INIT' || call) return true;
      // sofia_glue_do_invite: the channel may name the Call-ID
      const callId = ch.variable('sip_invite_call_id') || randomUUID();
      ch.setVariable('sip_call_id', callId);
      ch.setVariable('sip_to_uri', target.requestUri.replace(/^sips?:/i, ''));
      ch.setVariable('sip_to_host', target.host);
      const gw = target.gateway;
      const vars = (name: string) => ch.variable(name);
      const req: InviteRequest = {
        op: 'invite',
        callId,
        requestUri: target.requestUri,
        host: target.host,
        port: target.port,
        transport: target.transport,
        channel: ch.ctx.self,
        channelUuid: ch.uuid,
        // sofia_glue_do_invite: the From's display is sip_from_display, else the caller id name
        callerIdName: ch.variable('sip_from_display') ?? ch.profile.callerIdName ?? '',
        callerIdNumber: ch.profile.callerIdNumber ?? '',
        auth: gw ? { username: gw.authUsername, password: gw.password } : authOf(ch),
        fromUri:
          fromUriOf(vars) ??
          (gw
            ? `sip:${gw.callerIdInFrom && ch.profile.callerIdNumber ? ch.profile.callerIdNumber : gw.fromUser}@${gw.fromDomain}`
            : inviteDomainFrom(ch)),
        autoAdjust:
          !switchTrue(ch.variable('disable_rtp_auto_adjust') ?? '') && (target.nat === true || switchTrue(ch.variable('rtp_auto_adjust') ?? '')),
        extraHeaders: [...alertInfo(ch), ...inviteExtraHeaders(ch, copied)],
        partnerUuid: ch.variable('signal_bond') ?? ch.variable('originate_signal_bond'),
        copyCustomHeaders: switchTrue(ch.variable('sip_copy_custom_headers') ?? 'true'),
        autoAnswer: switchTrue(ch.variable('sip_auto_answer') ?? ''),
        inviteParams: ch.variable('sip_invite_params') || undefined,
        cidType: (ch.variable('sip_cid_type') ?? 'rpid').toLowerCase(),
        cidFlags: { screen: ch.profile.screen, hideName: ch.profile.hideName, hideNumber: ch.profile.hideNumber },
        redirect: {
          fatal: switchTrue(ch.variable('outbound_redirect_fatal') ?? ''),
          profile: ch.variable('sip_redirect_profile') || undefined,
          fork: switchTrue(ch.variable('sip_redirect_fork') ?? ''),
          dialplan: ch.variable('sip_redirect_dialplan') || 'XML',
          context: ch.variable('sip_redirect_context') || 'redirected',
          info: ch.variable('outbound_redirect_info') !== undefined,
        },
        ignoreQ850Reason: switchTrue(ch.variable('ignore_q850_reason') ?? ''),
        uris: inviteUrisOf(vars),
        maxForwards: /^\d+$/.test(ch.variable('max_forwards') ?? '') ? ch.variable('max_forwards') : undefined,
      };
      try {
        // undefined: the profile refused it, saying why (TLS on a profile without it)
        const placed = await GenServer.call<InviteReply | undefined>(ch.ctx, profile, req, 5000);
        if (placed) {
          call = placed.call;
          // sofia_glue_do_invite: unless the originate named them
          if (ch.variable('sofia_profile_name') === undefined) {
            ch.setVariable('sofia_profile_name', placed.profileName);
            ch.setVariable('recovery_profile_name', placed.profileName);
            ch.setVariable('sofia_profile_url', placed.profileUrl);
          }
        }
      } catch {
        ch.core.log('ERR', `sofia: the profile could not place the call to ${target.requestUri}`, ch.uuid);
      }
      if (!call) await ch.send({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
      return true;
    },
  };
}

/**
 * `sofia/gateway/<name>/<number>` (sofia_outgoing_channel's gateway branch): the number at the
 * gateway's proxy, with its credentials and From; no number INVALID_URL, an unknown gateway
 * INVALID_GATEWAY, one that is not up (not registered yet, or failing) GATEWAY_DOWN.
 */
async function gatewayChannel(req: OutgoingRequest, profiles: ReadonlyMap<string, Pid>, log: (text: string) => void): Promise<OutgoingChannel> {
  const { ctx, destination } = req;
  const rest = destination.slice(8);
  const slash = rest.indexOf('/');
  if (slash < 0) {
    log(`Invalid URL '${rest}'`);
    return { cause: Cause.INVALID_URL };
  }
  const name = rest.slice(0, slash);
  const number = rest.slice(slash + 1).split(';')[0];
  for (const pid of profiles.values()) {
    let route: GatewayRoute | undefined;
    try {
      route = await GenServer.call<GatewayRoute | undefined>(ctx, pid, { op: 'gateway', name }, 5000);
    } catch {
      continue; // a profile restarting
    }
    if (!route) continue;
    if (!route.up) {
      log(`Gateway '${name}' is down!`);
      return { cause: Cause.GATEWAY_DOWN };
    }
    const { address, port } = route.proxy;
    const transport = route.config.registerTransport;
    // sofia_glue_get_invite_uri: a transport other than UDP is named in the Request-URI
    // (a TLS proxy with no port was given 5061 by gateway.ts)
    const requestUri = `sip:${number}@${address.includes(':') ? `[${address}]` : address}${port === 5060 ? '' : `:${port}`}${transport === 'udp' ? '' : `;transport=${transport}`}`;
    const target: Target = { requestUri, host: address, port, transport, gateway: route.config };
    return { name: `sofia/gateway/${rest}`, endpoint: outboundEndpoint(pid, target, await callerHeaderVariables(req)) };
  }
  log(`Invalid Gateway '${name}'`);
  return { cause: Cause.INVALID_GATEWAY };
}

/** sofia_glue_url2transport: the URI's `transport=` (udp, tcp, tls), else TLS for `sips:`; undefined when it says nothing. */
function transportOf(uri: SipUri): SipTransportName | undefined {
  const named = /(?:^|;)transport=(udp|tcp|tls)(?:;|$)/i.exec(uri.params ?? '')?.[1]?.toLowerCase();
  return (named as SipTransportName | undefined) ?? (uri.scheme === 'sips' ? 'tls' : undefined);
}

/**
 * Where `[sip:|sips:]<user>@<host>[:port][;params]` goes: the Request-URI is the URI without
 * mod_sofia's own `fs_` params (sofia_glue_get_invite_uri); an `fs_path` (the URL-encoded URI a
 * registration came from, sofia_glue_get_destination's route) is where it is sent instead of the
 * URI's host. The transport is the route's, else the URI's (`transport=tcp`, `transport=tls`, a
 * `sips:` scheme), else UDP; TLS's port is 5061 when none is given.
 */
export function dialTarget(dest: string): Target {
  const uri = parseUri(/^sips?:/i.test(dest) ? dest : `sip:${dest}`);
  const params = (uri.params ?? '').split(';').filter(Boolean);
  const fsPath = params.find((x) => /^fs_path=/i.test(x));
  const kept = params.filter((x) => !/^fs_/i.test(x));
  const requestUri = `${uri.scheme === 'sips' ? 'sips' : 'sip'}:${uri.user !== undefined ? `${uri.user}@` : ''}${uri.host}${uri.port !== undefined ? `:${uri.port}` : ''}${kept.map((x) => `;${x}`).join('')}`;
  const route = fsPath === undefined ? uri : parseUri(decodeURIComponent(fsPath.slice(8)));
  const transport = (fsPath === undefined ? undefined : transportOf(route)) ?? transportOf(uri) ?? 'udp';
  const nat = params.some((x) => /^fs_nat=yes$/i.test(x));
  return {
    requestUri,
    host: route.host.replace(/^\[|\]$/g, ''),
    port: route.port ?? (transport === 'tls' ? 5061 : 5060),
    transport,
    ...(nat ? { nat } : {}),
  };
}

/**
 * `sofia/<profile>/[sip:]<user>@<host>[:port]` (sofia_outgoing_channel): no profile part is
 * INVALID_URL, an unknown profile INVALID_PROFILE, a target without a host INVALID_URL.
 */
export function sofiaEndpointInterface(profiles: () => ReadonlyMap<string, Pid>, log: (text: string) => void): EndpointInterface {
  return {
    async outgoingChannel(req) {
      const { destination, ctx } = req;
      if (destination.slice(0, 8).toLowerCase() === 'gateway/') return gatewayChannel(req, profiles(), log);
      const slash = destination.indexOf('/');
      if (slash <= 0) {
        log(`Invalid URL '${destination}'`);
        return { cause: Cause.INVALID_URL };
      }
      const profileName = destination.slice(0, slash);
      const rest = destination.slice(slash + 1);
      const profile = profiles().get(profileName);
      if (!profile) {
        log('Invalid Profile');
        return { cause: Cause.INVALID_PROFILE };
      }
      let target: Target;
      try {
        target = dialTarget(rest);
      } catch {
        log('Invalid URL');
        ctx.send(profile, callCounted('obFailedCalls'));
        return { cause: Cause.INVALID_URL };
      }
      ctx.send(profile, callCounted('obCalls'));
      return { name: `sofia/${profileName}/${rest}`, endpoint: outboundEndpoint(profile, target, await callerHeaderVariables(req)) };
    },
  };
}
