/**
 * Custom headers both ways, as mod_sofia passes them: a far end's become `sip_h_*` (and
 * `sip_rh_*`, `sip_ph_*`, `sip_bye_h_*`) channel variables, and a channel's variables with those
 * prefixes become headers of what we send (sofia_glue_get_extra_headers).
 */
import { type AppChannel, SwitchEvent } from '@beamline/switch';
import { type SipMessage, headerValues } from './sip/message.ts';

export const HEADER_PREFIX = 'sip_h_';
export const RESPONSE_HEADER_PREFIX = 'sip_rh_';
export const PROGRESS_HEADER_PREFIX = 'sip_ph_';
export const BYE_HEADER_PREFIX = 'sip_bye_h_';

/** Headers sofia-sip parses itself (its extra mclass), so never among the "unknown" ones mod_sofia copies. */
const PARSED = new Set(['p-asserted-identity', 'p-preferred-identity']);

const unknown = (name: string) => !PARSED.has(name.toLowerCase());

/** sofia_test_extra_headers: `X-` (but not `X-FS-`), `P-` and `On…` headers. */
const isExtra = (name: string) => /^(x-(?!fs-)|p-|on)/i.test(name) && unknown(name);

/** sofia_glue_set_extra_headers: `<prefix><name>` for each extra header of `m` (a repeated one: the last). */
export function extraHeaderVariables(m: SipMessage, prefix: string): [string, string][] {
  return m.headers.filter(([n, v]) => isExtra(n) && v !== '').map(([n, v]) => [`${prefix}${n}`, v]);
}

/**
 * sofia_set_accept_language_channel_variable (an INVITE, a BYE, a 180 / 183 / 200): the first
 * language as `sip_accept_language`, each as `sip_accept_language_<n>_value` (its q as
 * `sip_accept_language_<n>_q`), and `sip_accept_language_count`.
 */
export function acceptLanguageVariables(m: SipMessage): [string, string][] {
  const langs = headerValues(m, 'accept-language')
    .map((v) => {
      const [value, ...params] = v.split(';').map((x) => x.trim());
      const q = params.find((x) => /^q\s*=/i.test(x))?.replace(/^q\s*=\s*/i, '');
      return { value, q };
    })
    .filter((l) => l.value !== '');
  if (langs.length === 0) return [];
  const out: [string, string][] = [['sip_accept_language', langs[0].value]];
  langs.forEach((l, i) => {
    out.push([`sip_accept_language_${i}_value`, l.value]);
    if (l.q) out.push([`sip_accept_language_${i}_q`, l.q]);
  });
  out.push(['sip_accept_language_count', String(langs.length)]);
  return out;
}

/**
 * sofia_handle_sip_i_invite's loop over the INVITE's unknown headers (Accept-Language is a header
 * sofia-sip knows, so it is never one: acceptLanguageVariables): `Diversion`, `X-*`, `P-*`, `K-*`, `On…` and `User-to-User` become `sip_h_<name>`, a repeated one
 * `sip_h_<name>-1`, `-2`, …; `History-Info` joins into `sip_history_info`; `Geolocation`,
 * `Geolocation-Error` and `userLocation` have their own variables.
 */
export function inviteHeaderVariables(m: SipMessage): [string, string][] {
  const out: [string, string][] = [];
  const taken = new Set<string>();
  const history: string[] = [];
  for (const [name, value] of m.headers) {
    if (!unknown(name)) continue;
    const own = OWN_VARIABLES[name.toLowerCase()];
    if (own) out.push([own, value]);
    else if (/^history-info$/i.test(name)) history.push(value);
    else if (/^(diversion|x-|p-|k-|on|user-to-user$)/i.test(name) && !/^x-fs-(channel-name|support)$/i.test(name) && value !== '') {
      let reps = 0;
      let key = `${HEADER_PREFIX}${name}`;
      while (taken.has(key.toLowerCase())) key = `${HEADER_PREFIX}${name}-${++reps}`;
      taken.add(key.toLowerCase());
      out.push([key, value]);
    }
  }
  if (history.length > 0) out.push(['sip_history_info', history.join(', ')]);
  return out;
}

const OWN_VARIABLES: Record<string, string> = {
  geolocation: 'sip_geolocation',
  'geolocation-error': 'sip_geolocation_error',
  userlocation: 'sip_user_location',
};

/** The channel's variables now, as switch_channel_variable_first walks them (an event never fired, so no Event-Sequence is used up). */
function channelVariables(ch: Pick<AppChannel, 'addChannelData'>): [string, string][] {
  const e = new SwitchEvent('CHANNEL_DATA');
  ch.addChannelData(e);
  return e.headers.filter((h) => h.name.startsWith('variable_')).map((h) => [h.name.slice(9), h.value]);
}

/** switch_ivr_transfer_variable's `~<prefix>`: the channel's variables whose names start with `prefix`. */
export function prefixedVariables(ch: Pick<AppChannel, 'addChannelData'>, prefix: string): [string, string][] {
  return channelVariables(ch).filter(([name]) => name.slice(0, prefix.length).toLowerCase() === prefix);
}

/** sofia_glue_get_extra_headers(channel, prefix), from the channel's variables now. */
export function channelExtraHeaders(ch: Pick<AppChannel, 'addChannelData' | 'variable'>, prefix: string): [string, string][] {
  return extraHeaders(channelVariables(ch), prefix, ch.variable('exclude_outgoing_extra_header'));
}

/**
 * sofia_glue_get_extra_headers: each variable named `<prefix><header>` is a header (`sip_geolocation`
 * a Geolocation), unless its name matches the channel's `exclude_outgoing_extra_header` regex.
 */
export function extraHeaders(variables: Iterable<readonly [string, string]>, prefix: string, exclude?: string): [string, string][] {
  let skip: RegExp | undefined;
  try {
    skip = exclude ? new RegExp(exclude) : undefined;
  } catch {
    skip = undefined; // a regex that does not compile excludes nothing
  }
  const out: [string, string][] = [];
  for (const [name, value] of variables) {
    if (name.toLowerCase() === 'sip_geolocation') out.push(['Geolocation', value]);
    if (name.length > prefix.length && name.slice(0, prefix.length).toLowerCase() === prefix && !skip?.test(name)) {
      out.push([name.slice(prefix.length), value]);
    }
  }
  return out;
}
