/** What a SIP call's process is asked (calls) and told (casts) by the channel's endpoint and by its workers. */
import type { Indication } from '@beamline/switch';
import type { DeflectRequest, RedirectRequest } from './deflect.ts';
import type { DialogMessage } from './dialog_message.ts';

/** A hangup's extra headers from the channel's variables: `sip_bye_h_*` and `sip_rh_*` (sofia_on_hangup). */
export interface HangupHeaders {
  readonly bye: readonly (readonly [string, string])[];
  readonly response: readonly (readonly [string, string])[];
}

export type CallRequest =
  /** `headers`: the channel's `sip_ph_*` (a 180 / 183) or `sip_rh_*` (the 200) variables. */
  | { readonly op: 'indicate'; readonly what: Indication; readonly headers?: readonly (readonly [string, string])[] }
  /** `headers`: the channel's `sip_ph_*` for a provisional, `sip_bye_h_*` and `sip_rh_*` for a refusal. */
  | { readonly op: 'respond'; readonly data: string; readonly headers?: readonly (readonly [string, string])[] }
  | { readonly op: 'channelUuid' }
  /** SWITCH_MESSAGE_INDICATE_DEFLECT / _REDIRECT (deflect.ts). */
  | DeflectRequest
  | RedirectRequest;
export type CallCast =
  /**
   * `status`: the refusal's SIP status when it is not the cause's (the other leg's, sofia_on_hangup);
   * `reason`: the Reason header's value when it is not the cause's (the channel's `sip_reason`), `''` for none.
   */
  | { readonly op: 'hangup'; readonly cause: number; readonly headers?: HangupHeaders; readonly status?: number; readonly reason?: string }
  | { readonly op: 'sendDtmf'; readonly digit: string; readonly duration: number }
  | { readonly op: 'hold'; readonly on: boolean }
  | { readonly op: 'dialogMessage'; readonly message: DialogMessage };

/**
 * The profile stops (sofia_profile_thread_run's switch_core_session_hupall_matching_var on
 * `sofia_profile_name`): the call's channel hangs up with `profileStopping` as its cause, and the
 * call ends its SIP side as for any hangup while the profile's transports are still open.
 */
export interface ProfileStopping {
  readonly profileStopping: number;
}

export const isProfileStopping = (m: unknown): m is ProfileStopping =>
  typeof m === 'object' && m !== null && typeof (m as { profileStopping?: unknown }).profileStopping === 'number';
