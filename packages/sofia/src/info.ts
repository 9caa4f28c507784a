/**
 * What an INFO inside a call means (sofia_handle_sip_i_info): the RECV_INFO event it fires, and
 * the digits a phone sends in it, read as mod_sofia reads them:
 *
 *   application/dtmf-relay             `Signal=5\r\nDuration=160` (the duration in ms)
 *   application/dtmf                   `5` (a telephone-event code)
 *   application/vnd.nortelnetworks.digits `d=5`
 *
 * and whether the call takes them: only when its DTMF is INFO (the far end offered no
 * telephone-event, or the profile's `dtmf-type` is info) or the profile is `liberal-dtmf`.
 */
import type { Switch, SwitchEvent } from '@beamline/switch';
import type { ProfileConfig } from './config.ts';
import { telephoneEventDigit } from './rtp.ts';
import { type NameAddr, parseNameAddr } from './sip/address.ts';
import { type SipRequest, header } from './sip/message.ts';

export interface InfoDigit {
  readonly digit: string;
  /** In samples. */
  readonly duration: number;
}

/** switch_core_default_dtmf_duration, _min_, _max_ (samples). */
const DEFAULT_DURATION = 2000;
const MIN_DURATION = 400;
const MAX_DURATION = 192_000;
const NAMED = new Set(['*', '#', 'A', 'B', 'C', 'D']);

/** C's atoi: leading spaces, a sign, digits; 0 when there are none. */
const atoi = (s: string) => Number.parseInt(s, 10) || 0;

/** The text after `key` (any case), spaces skipped; undefined when `key` is not there. */
function after(body: string, key: string): string | undefined {
  const at = body.toLowerCase().indexOf(key.toLowerCase());
  return at < 0 ? undefined : body.slice(at + key.length).replace(/^ +/, '');
}

/** A digit named by its character, else by its telephone-event code. */
function signal(text: string): string | undefined {
  return NAMED.has(text[0]) ? text[0] : telephoneEventDigit(atoi(text));
}

/** switch_channel_queue_dtmf keeps a digit's length between the core's minimum and maximum. */
const clamp = (samples: number) => Math.min(MAX_DURATION, Math.max(MIN_DURATION, samples));

/** The digit an INFO body carries, or undefined (another content type, or no signal in it). */
export function infoDigit(contentType: string | undefined, body: string): InfoDigit | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (body === '') return undefined;
  let digit: string | undefined;
  let duration = DEFAULT_DURATION;
  if (type === 'application/vnd.nortelnetworks.digits') {
    const d = after(body, 'd=');
    if (d === undefined) return undefined;
    digit = signal(d);
    duration = 100;
  } else if (type === 'application/dtmf-relay') {
    const s = after(body, 'Signal=');
    if (s === undefined) return undefined;
    digit = signal(s);
    const d = after(body, 'Duration=');
    // a Duration of 0 or less is the default duration, still multiplied as if it were ms
    if (d !== undefined) duration = (atoi(d) > 0 ? atoi(d) : DEFAULT_DURATION) * 8;
  } else if (type === 'application/dtmf') {
    digit = telephoneEventDigit(atoi(body));
  }
  return digit === undefined ? undefined : { digit, duration: clamp(duration) };
}

/** The call's DTMF as switch_core_media_negotiate_sdp leaves it: RFC 2833 when offered, else INFO. */
export function dtmfTypeOf(profile: ProfileConfig, dtmfPt: number | undefined): ProfileConfig['dtmfType'] {
  if (dtmfPt === undefined) return 'info';
  return profile.liberalDtmf ? 'rfc2833' : profile.dtmfType;
}

/** Whether sofia_handle_sip_i_info queues an INFO digit on a call of this DTMF type. */
export function takesInfoDigits(profile: ProfileConfig, dtmfType: ProfileConfig['dtmfType']): boolean {
  return dtmfType === 'info' || profile.liberalDtmf;
}

function nameAddr(value: string | undefined): NameAddr | undefined {
  try {
    return value === undefined ? undefined : parseNameAddr(value);
  } catch {
    return undefined;
  }
}

/** create_info_event: RECV_INFO with the INFO's content type, From / To / Contact users and hosts, Call-Info, Alert-Info and body. */
export function recvInfoEvent(sw: Switch, req: SipRequest): SwitchEvent {
  const e = sw.core.bus.create('RECV_INFO');
  const type = header(req, 'content-type');
  if (type) e.addHeader('SIP-Content-Type', type.split(';')[0].trim());
  for (const [prefix, name] of [
    ['SIP-From', 'from'],
    ['SIP-To', 'to'],
    ['SIP-Contact', 'contact'],
  ] as const) {
    const uri = nameAddr(header(req, name))?.uri;
    if (uri?.user) e.addHeader(`${prefix}-User`, uri.user);
    if (uri) e.addHeader(`${prefix}-Host`, uri.host);
  }
  e.addHeader('Call-Info', header(req, 'call-info'));
  e.addHeader('Alert-Info', header(req, 'alert-info'));
  if (req.body.length > 0) e.body = req.body.toString('utf8');
  return e;
}
