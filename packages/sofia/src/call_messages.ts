/** What a SIP call's process is asked (calls) and told (casts) by the channel's endpoint and by its workers. */
import type { Indication } from '@beamline/switch';
import type { DeflectRequest, RedirectRequest } from './deflect.ts';
import type { DialogMessage } from './dialog_message.ts';

export type CallRequest =
  | { readonly op: 'indicate'; readonly what: Indication }
  | { readonly op: 'respond'; readonly data: string }
  | { readonly op: 'channelUuid' }
  /** SWITCH_MESSAGE_INDICATE_DEFLECT / _REDIRECT (deflect.ts). */
  | DeflectRequest
  | RedirectRequest;
export type CallCast =
  | { readonly op: 'hangup'; readonly cause: number }
  | { readonly op: 'sendDtmf'; readonly digit: string; readonly duration: number }
  | { readonly op: 'hold'; readonly on: boolean }
  | { readonly op: 'dialogMessage'; readonly message: DialogMessage };
