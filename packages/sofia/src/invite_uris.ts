/**
 * What a channel's variables make of an outbound INVITE's Request-URI, From and To
 * (sofia_glue_do_invite): `sip_invite_req_uri` is the Request-URI; `sip_invite_to_uri` the To's URI
 * and `sip_invite_to_params` params inside its `<>` (`~params` after it); `sip_invite_from_uri`,
 * else `sip_from_uri`, the From's URI and `sip_invite_from_params` params of it;
 * `sip_force_full_from` / `sip_force_full_to` the whole header (our tag still added to the From);
 * `sip_contact_user` our Contact's user and `sip_invite_contact_params` params of its URI.
 */
export interface InviteUris {
  readonly contactUser?: string;
  readonly contactParams?: string;
  readonly reqUri?: string;
  readonly to?: string;
  readonly toParams?: string;
  readonly fromParams?: string;
  readonly forceFrom?: string;
  readonly forceTo?: string;
}

/** The variables of a channel about to send its INVITE. */
export function inviteUrisOf(variable: (name: string) => string | undefined): InviteUris {
  const entries: [keyof InviteUris, string | undefined][] = [
    ['reqUri', variable('sip_invite_req_uri')],
    ['to', variable('sip_invite_to_uri')],
    ['toParams', variable('sip_invite_to_params')],
    ['fromParams', variable('sip_invite_from_params')],
    ['forceFrom', variable('sip_force_full_from')],
    ['forceTo', variable('sip_force_full_to')],
    ['contactUser', variable('sip_contact_user')],
    ['contactParams', variable('sip_invite_contact_params')],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v)) as InviteUris;
}

/** `sip_invite_from_uri`, else `sip_from_uri` (`sip:` added when it has none): the From's URI, when the channel names one. */
export function fromUriOf(variable: (name: string) => string | undefined): string | undefined {
  const from = variable('sip_invite_from_uri') || variable('sip_from_uri');
  if (!from) return undefined;
  return /sips?:/i.test(from) ? from : `sip:${from}`;
}

/**
 * sofia_overcome_sip_uri_weakness (UDP): the URI of `value` (inside its `<>`, else all of it) cut
 * at mod_sofia's own `;fs_` params, with `params` added; as a name-addr (`<uri>`) unless `uriOnly`,
 * where `~params` go after the `>` (and are dropped for a bare URI).
 */
export function uriWithParams(value: string, params: string | undefined, uriOnly: boolean): string {
  let uri = /<([^>]*)>/.exec(value)?.[1] ?? value.trim();
  const ours = uri.toLowerCase().indexOf(';fs_');
  if (ours >= 0) uri = uri.slice(0, ours);
  const outside = params?.startsWith('~') ? params.slice(1) : undefined;
  if (params && outside === undefined) uri = `${uri};${params}`;
  if (uriOnly) return uri;
  return `<${uri}>${outside ? `;${outside}` : ''}`;
}
