/**
 * What an INVITE makes of the new inbound channel (sofia_handle_sip_i_invite, extract_vars,
 * url_set_chanvars): its name `sofia/<profile>/<from user>@<from host>[:port]`, the caller profile
 * (caller id from From, destination from the Request-URI user, the profile's context unless the
 * authenticated user has a `user_context`) and the `sip_*` / media variables Erlang handlers read.
 */
import type { CallerProfile, ChannelSpec, DirectoryUser, Endpoint, Switch } from '@beamline/switch';
import type { AuthEnv } from './auth.ts';
import { type NameAddr, type SipUri, parseNameAddr, parseUri, parseVia } from './sip/address.ts';
import { type SipRequest, header, headerValues } from './sip/message.ts';
import { type MediaFacts, mediaVariables } from './media_variables.ts';
import { profileUrlHost } from './ext_address.ts';
import { acceptLanguageVariables, inviteHeaderVariables } from './extra_headers.ts';
import { inviteNat } from './nat.ts';
import { type ReplacingRoute, parseReplaces, replacesVariables } from './replaces.ts';
import type { Address } from './transport.ts';

export interface ChannelFacts {
  readonly uuid: string;
  readonly callId: string;
  readonly name: string;
  /** The INVITE came from behind a NAT (nat.ts): `sip_nat_detected`, and RTP auto-adjust. */
  readonly nat: boolean;
  /** Records who authenticated: their directory variables go on the channel. */
  authenticated(user: DirectoryUser, username: string, realm: string): void;
  /** The call takes a replaced leg's place (replaces.ts): the inline dialplan, that leg's ids. */
  replacing(route: ReplacingRoute): void;
  /** `media` undefined: the INVITE had no SDP (a late offer), so nothing of the media is known yet. */
  spec(endpoint: Endpoint, media: MediaFacts | undefined, extra?: readonly (readonly [string, string])[]): ChannelSpec;
}

function tryNameAddr(v: string | undefined): NameAddr | undefined {
  try {
    return v ? parseNameAddr(v) : undefined;
  } catch {
    return undefined;
  }
}

/** url_set_chanvars: `<prefix>_user`, `_host`, `_port`, `_uri`, `_params`; the uri is its result. */
function uriVars(prefix: string, u: SipUri | undefined, out: [string, string][]): string {
  const user = u?.user || 'nobody';
  const host = u?.host || 'nowhere';
  if (u?.params) out.push([`${prefix}_params`, u.params]);
  out.push([`${prefix}_user`, user]);
  if (u?.port !== undefined) out.push([`${prefix}_port`, String(u.port)]);
  const uri = `${user}@${host}${u?.port !== undefined ? `:${u.port}` : ''}`;
  out.push([`${prefix}_uri`, uri], [`${prefix}_host`, host]);
  return uri;
}

/**
 * sofia_handle_sip_i_invite's caller: the From's user and display (else the user, else
 * `unknown`), then a Remote-Party-ID's, a P-Asserted-Identity's and a P-Preferred-Identity's in
 * turn (`sip_cid_type` rpid / pid, `sip_Remote-Party-ID`, `sip_P-Asserted-Identity` — its user —,
 * `sip_P-Preferred-Identity`); a user's `;params` go to `sip_name_params`.
 */
function callerIdentity(invite: SipRequest, from: NameAddr | undefined, vars: [string, string][]): { user: string; name: string } {
  let user = from?.uri.user ?? '';
  let name = from?.display || user || 'unknown';
  let cidType: string | undefined;
  const identities = [
    ['remote-party-id', 'rpid', 'sip_Remote-Party-ID'],
    ['p-asserted-identity', 'pid', 'sip_P-Asserted-Identity'],
    ['p-preferred-identity', 'pid', 'sip_P-Preferred-Identity'],
  ] as const;
  for (const [headerName, type, variable] of identities) {
    const value = headerValues(invite, headerName)[0];
    const id = tryNameAddr(value);
    if (!value || !id) continue;
    if (id.uri.user) {
      user = id.uri.user;
      vars.push([variable, headerName === 'p-asserted-identity' ? user : value]);
    }
    if (id.display) name = id.display;
    cidType = type;
  }
  if (cidType) vars.push(['sip_cid_type', cidType]);
  const semi = user.indexOf(';');
  if (semi >= 0) {
    vars.push(['sip_name_params', user.slice(semi + 1)]);
    user = user.slice(0, semi);
  }
  return { user, name };
}

/**
 * sofia_handle_sip_i_invite: `intercom=true` on the Request-URI or a first Call-Info with
 * `answer-after=0` is `sip_auto_answer_detected`; the Call-Info is `sip_call_info`, each further
 * one pushed onto it (`ARRAY::<first>|:<second>…`).
 */
function autoAnswerVariables(invite: SipRequest, requestUri: SipUri | undefined): [string, string][] {
  const out: [string, string][] = [];
  const callInfos = headerValues(invite, 'call-info').map((v) => v.trim());
  const callInfo = callInfos[0];
  const intercom = /(?:^|;)intercom=true(?:;|$)/i.test(requestUri?.params ?? '');
  if (intercom || /;\s*answer-after=0\s*(?:;|$)/i.test(callInfo ?? '')) out.push(['sip_auto_answer_detected', 'true']);
  if (callInfo) out.push(['sip_call_info', callInfos.length > 1 ? `ARRAY::${callInfos.join('|:')}` : callInfo]);
  return out;
}

export function channelFacts(args: {
  readonly sw: Switch;
  readonly auth: AuthEnv;
  readonly invite: SipRequest;
  readonly source: Address;
}): ChannelFacts {
  const { invite, source } = args;
  const profile = args.auth.profile;
  const uuid = args.sw.core.newUuid();
  const callId = header(invite, 'call-id') ?? '';
  const from = tryNameAddr(header(invite, 'from'));
  const to = tryNameAddr(header(invite, 'to'));
  const contact = tryNameAddr(header(invite, 'contact'));
  let requestUri: SipUri | undefined;
  try {
    requestUri = parseUri(invite.uri);
  } catch {
    requestUri = undefined;
  }
  const vars: [string, string][] = [];
  const fromUri = uriVars('sip_from', from?.uri, vars);
  // sofia_glue_attach_private names the channel (switch_channel_set_name sets channel_name) right
  // after the From variables
  const name = `sofia/${profile.name}/${fromUri}`;
  vars.push(['channel_name', name]);
  uriVars('sip_req', requestUri, vars);
  uriVars('sip_to', to?.uri, vars);
  if (contact) uriVars('sip_contact', contact.uri, vars);
  const fromTag = from?.params.get('tag');
  if (fromTag) vars.push(['sip_from_tag', fromTag]);
  const fromUser = from?.uri.user ?? '';
  if (fromUser) vars.push(['sip_from_user_stripped', fromUser.startsWith('+') ? fromUser.slice(1) : fromUser]);
  const caller = callerIdentity(invite, from, vars);
  vars.push(['sip_full_from', header(invite, 'from') ?? ''], ['sip_full_to', header(invite, 'to') ?? '']);
  const via = headerValues(invite, 'via')[0];
  if (via) vars.push(['sip_full_via', via]);
  let viaProtocol = 'udp';
  try {
    const v = via ? parseVia(via) : undefined;
    if (v) {
      viaProtocol = v.transport.toLowerCase();
      vars.push(['sip_via_host', v.host]);
      if (v.port !== undefined) vars.push(['sip_via_port', String(v.port)]);
      if (v.params.has('rport')) vars.push(['sip_via_rport', v.params.get('rport') || String(source.port)]);
    }
  } catch {
    // a Via we cannot read is not the channel's business
  }
  const cseq = /^\s*(\d+)/.exec(header(invite, 'cseq') ?? '')?.[1];
  if (cseq) vars.push(['sip_cseq', String(Number(cseq))]);
  vars.push(
    ['sip_call_id', callId],
    ['sip_local_network_addr', profile.external?.extSipIp ?? profile.sipIp],
    ['sip_network_ip', source.address],
    ['sip_network_port', String(source.port)],
    ['sip_received_ip', source.address],
    ['sip_received_port', String(source.port)],
    ['sip_via_protocol', viaProtocol],
    ['sofia_profile_name', profile.name],
    ['sofia_profile_url', `sip:mod_sofia@${profileUrlHost(profile, profile.sipIp)}:${profile.sipPort}`],
    ['recovery_profile_name', profile.name],
  );
  const agent = header(invite, 'user-agent');
  if (agent) vars.push(['sip_user_agent', agent]);
  const allow = header(invite, 'allow');
  if (allow) vars.push(['sip_allow', allow]);
  // TFLAG_NAT: the call's messages already go to where the INVITE came from (call.ts's peer)
  const nat = inviteNat(args.sw, profile, invite, source) !== undefined;
  if (nat) vars.push(['sip_nat_detected', 'true']);
  // sofia_handle_sip_i_invite: the INVITE's Max-Forwards, which the switch's own loop guards count down
  const maxForwards = header(invite, 'max-forwards')?.trim();
  if (maxForwards && /^\d+$/.test(maxForwards)) vars.push(['max_forwards', String(Number(maxForwards))]);
  const subject = header(invite, 'subject');
  if (subject) vars.push(['sip_subject', subject]);
  // sofia_handle_sip_i_invite: the (first) Alert-Info as the dialplan's alert_info
  const alertInfo = headerValues(invite, 'alert-info')[0]?.trim();
  if (alertInfo) vars.push(['alert_info', alertInfo]);
  vars.push(...inviteHeaderVariables(invite), ...acceptLanguageVariables(invite));
  vars.push(...autoAnswerVariables(invite, requestUri));
  const replaces = parseReplaces(header(invite, 'replaces') ?? '');
  if (replaces) vars.push(...replacesVariables(replaces));
  let userVars: readonly (readonly [string, string])[] = [];
  // with manage-presence the caller's calls are its presence (From user@host) unless already named
  const presenceId = (given: readonly (readonly [string, string])[]): [string, string][] =>
    profile.managePresence === 'off' || given.some(([k, v]) => k === 'presence_id' && v !== '')
      ? []
      : [['presence_id', `${from?.uri.user ?? ''}@${from?.uri.host ?? ''}`]];
  let context = profile.context;
  let replacing: ReplacingRoute | undefined;
  return {
    uuid,
    callId,
    name,
    nat,
    authenticated(user, username, realm) {
      userVars = [['sip_authorized', 'true'], ['sip_auth_username', username], ['sip_auth_realm', realm], ...user.variables];
      context = user.variables.find(([k]) => k === 'user_context')?.[1] ?? context;
    },
    replacing(route) {
      replacing = route;
    },
    spec(endpoint, media, extra = []) {
      const callerProfile: CallerProfile = {
        direction: 'inbound',
        logicalDirection: 'inbound',
        username: caller.user,
        dialplan: replacing ? 'inline' : profile.dialplan,
        callerIdName: replacing?.callerIdName ?? caller.name,
        callerIdNumber: replacing?.callerIdNumber ?? caller.user,
        ...(replacing?.calleeIdName === undefined ? {} : { calleeIdName: replacing.calleeIdName }),
        ...(replacing?.calleeIdNumber === undefined ? {} : { calleeIdNumber: replacing.calleeIdNumber }),
        networkAddr: source.address,
        ani: caller.user,
        destinationNumber: replacing?.destination ?? requestUri?.user ?? '',
        uuid,
        source: 'mod_sofia',
        context,
        chanName: name,
        screen: true,
        hideName: false,
        hideNumber: false,
      };
      return {
        uuid,
        name,
        direction: 'inbound',
        profile: callerProfile,
        variables: [...vars, ...userVars, ...presenceId([...userVars, ...extra]), ...(media ? mediaVariables(media) : []), ...extra],
        endpoint,
        ...(media ? { codec: { name: media.codec.name, rate: media.codec.rate, bitRate: 64000 } } : {}),
      };
    },
  };
}
