/**
 * A 300 / 301 / 302 / 305 to an outbound INVITE (sofia_handle_sip_r_invite, then
 * sofia_handle_sip_i_state at nua_callstate_terminated), by default (no `manual-redirect`):
 *
 *   `outbound_redirect_fatal`   the leg's `sip_redirect_contact_<n>` (…`_user_`, `_host_`, `_params_`),
 *                               `sip_redirected_to`, `proto_specific_hangup_cause` sip:<status>,
 *                               and it hangs up REQUESTED_CHAN_UNAVAIL
 *   no Contact                  the ERROR `Missing contact header in redirect request`; the status's cause
 *   a Contact with no host      the WARNING `Received redirect with invalid URI`, `endpoint_disposition`
 *                               REDIRECT_ERROR, DESTINATION_OUT_OF_ORDER
 *   a partner, `manual-redirect` unless the leg has `outbound_redirect_info`, the partner is transferred
 *                               to the Contact's user in `sip_redirect_dialplan` (XML) and
 *                               `sip_redirect_context` (redirected); the leg hangs up REDIRECTION_TO_NEW_DESTINATION
 *   a partner, Contact our host the partner is transferred to the Contact's user in its own dialplan,
 *                               the leg hangs up REDIRECTION_TO_NEW_DESTINATION
 *   otherwise                   the INVITE again, to the (first) Contact's URI
 *
 * With a partner, both learn the Contacts (`sip_redirect_dialstring[_<n>]` as `sofia/<profile>/<uri>`,
 * `sip_redirected_by` the Diversion); with none, the leg's `sip_redirected_to` is the URI followed.
 */
import type { ProfileConfig } from './config.ts';
import { parseNameAddr, type SipUri } from './sip/address.ts';
import { type SipResponse, header, headerValues } from './sip/message.ts';

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([300, 301, 302, 305]);

/**
 * The leg's variables a redirect reads (`outbound_redirect_fatal`, `sip_redirect_profile`, `sip_redirect_fork`,
 * and for `manual-redirect` `sip_redirect_dialplan`, `sip_redirect_context` and whether `outbound_redirect_info` is set).
 */
export interface RedirectOptions {
  readonly fatal: boolean;
  readonly profile: string | undefined;
  readonly fork: boolean;
  readonly dialplan?: string;
  readonly context?: string;
  readonly info?: boolean;
}

interface Contact {
  /** The Contact value as it came (sip_header_as_string). */
  readonly full: string;
  /** The URI inside its `<>` (sofia_glue_strip_uri). */
  readonly stripped: string;
  readonly uri: SipUri | undefined;
}

export type Redirect =
  | { readonly kind: 'fatal'; readonly leg: [string, string][] }
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid' }
  | {
      readonly kind: 'transfer';
      readonly leg: [string, string][];
      readonly partner: [string, string][];
      readonly user: string;
      /** `manual-redirect`'s dialplan and context; else the partner's own. */
      readonly dialplan?: string;
      readonly context?: string;
    }
  | { readonly kind: 'hangup'; readonly leg: [string, string][]; readonly partner: [string, string][] }
  | { readonly kind: 'follow'; readonly leg: [string, string][]; readonly partner: [string, string][]; readonly uri: string };

function contactsOf(res: SipResponse): Contact[] {
  return headerValues(res, 'contact').map((full) => {
    const stripped = /<([^>]*)>/.exec(full)?.[1] ?? full.trim();
    let uri: SipUri | undefined;
    try {
      uri = parseNameAddr(full).uri;
    } catch {
      uri = undefined;
    }
    return { full: full.trim(), stripped, uri };
  });
}

/** `sip_redirect_contact_user_<n>`, `_host_<n>`, `_params_<n>` of each Contact. */
function partsOf(contacts: readonly Contact[]): [string, string][] {
  const vars: [string, string][] = [];
  contacts.forEach((c, i) => {
    if (c.uri?.user) vars.push([`sip_redirect_contact_user_${i}`, c.uri.user]);
    if (c.uri?.host) vars.push([`sip_redirect_contact_host_${i}`, c.uri.host]);
    if (c.uri?.params) vars.push([`sip_redirect_contact_params_${i}`, c.uri.params]);
  });
  return vars;
}

/** What a redirect response does to the leg (and its partner, when it has one). */
export function redirectOf(res: SipResponse, profile: ProfileConfig, options: RedirectOptions, hasPartner: boolean): Redirect {
  const contacts = contactsOf(res);
  if (options.fatal) {
    const leg: [string, string][] = [];
    contacts.forEach((c, i) => {
      leg.push([`sip_redirect_contact_${i}`, c.full]);
      if (i === 0) leg.push(['sip_redirected_to', c.full]);
    });
    return { kind: 'fatal', leg: [...leg, ...partsOf(contacts), ['proto_specific_hangup_cause', `sip:${res.status}`]] };
  }
  if (contacts.length === 0) return { kind: 'missing' };
  const first = contacts[0];
  if (!first.uri?.host) return { kind: 'invalid' };
  if (!hasPartner) return { kind: 'follow', leg: [['sip_redirected_to', first.stripped]], partner: [], uri: first.stripped };
  const via = options.profile ?? profile.name;
  const dialstrings = contacts.map((c, i): [string, string] => [`sip_redirect_dialstring_${i}`, `sofia/${via}/${c.stripped}`]);
  const dialstring: [string, string] = ['sip_redirect_dialstring', dialstrings.map(([, d]) => d).join(options.fork ? ',' : '|')];
  const diversion = header(res, 'diversion');
  const both: [string, string][] = [
    ['sip_redirected_to', first.full],
    ...partsOf(contacts),
    ...dialstrings,
    dialstring,
    ...(diversion ? [['sip_redirected_by', diversion] as [string, string]] : []),
  ];
  const leg: [string, string][] = [...both, ['sip_redirect_count', String(contacts.length)]];
  const partner: [string, string][] = [...contacts.map((c, i): [string, string] => [`sip_redirect_contact_${i}`, c.full]), ...both];
  const { host, user } = first.uri;
  if (profile.manualRedirect) {
    if (options.info) return { kind: 'hangup', leg, partner };
    return { kind: 'transfer', leg, partner, user: user ?? '', dialplan: options.dialplan ?? 'XML', context: options.context ?? 'redirected' };
  }
  if (host === profile.sipIp || host === profile.external?.extSipIp) return { kind: 'transfer', leg, partner, user: user ?? '' };
  return { kind: 'follow', leg, partner, uri: first.stripped };
}
