/**
 * SWITCH_MESSAGE_INDICATE_DEFLECT and _REDIRECT on a SIP call (mod_sofia's sofia_receive_message):
 *
 *   DEFLECT  → a REFER in the dialog (Refer-To the URI, or `sip:<arg>@<sip-ip>` when the argument
 *              is not a `sip:` URI). The deflecting side waits up to 10 s for the NOTIFY that ends
 *              it (its sipfrag is the reply) unless `sip_refer_continue_after_reply`, then the
 *              channel hangs up BLIND_TRANSFER. A final NOTIFY `200` hangs it up by itself.
 *   REDIRECT → on an inbound call not answered yet: the INVITE's final response is 302 Moved
 *              Temporarily (300 Multiple Choices for a list) with Contact the URI(s), sent when the
 *              channel hangs up with the cause given after the URI (default NORMAL_UNSPECIFIED).
 *              On an answered call only a WARNING.
 *
 * The call process (call.ts, inbound_call.ts, outbound_call.ts) keeps a `ReferOut` and asks these
 * functions; it never calls its channel, so what the channel learns (sip_refer_* variables, the
 * hangup) is cast to it.
 */
import { GenServer, type From, type ProcessContext } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { Cause, type ChannelCast, parseCause } from '@beamline/switch';
import type { ProfileConfig } from './config.ts';
import { type Dialog, inDialogRequest } from './dialog.ts';
import { responseTo } from './sip/build.ts';
import { type SipRequest, type SipResponse, header } from './sip/message.ts';
import type { Address } from './transport.ts';

/** sofia_wait_for_reply(tech_pvt, 9999, 10): how long DEFLECT waits for the REFER's final NOTIFY. */
export const DEFLECT_WAIT_MS = 10_000;

/** What the endpoint asks of the call for a DEFLECT. */
export interface DeflectRequest {
  readonly op: 'deflect';
  readonly uri: string;
  /** `sip_refer_continue_after_reply` on the channel: no wait, no hangup. */
  readonly continueAfterReply: boolean;
}

/** What the endpoint asks of the call for a REDIRECT. */
export interface RedirectRequest {
  readonly op: 'redirect';
  readonly uri: string;
}

/**
 * The call's answer to a DEFLECT: the string_reply, whether the channel hangs up BLIND_TRANSFER now,
 * and the `sip_refer_*` variables set so far (the channel takes them before it hangs up; the casts
 * that also carry them wait behind the DEFLECT).
 */
export interface DeflectReply {
  readonly reply: string | undefined;
  readonly hangup: boolean;
  readonly variables: readonly (readonly [string, string])[];
}

/** The call's answer to a REDIRECT: the cause the channel hangs up with, or nothing to do. */
export interface RedirectReply {
  readonly cause: number | undefined;
}

/** The deflect timer's message to the call process. */
export interface DeflectOverdue {
  readonly tag: 'deflect_overdue';
  readonly gen: number;
}

export const isDeflectOverdue = (m: unknown): m is DeflectOverdue =>
  typeof m === 'object' && m !== null && (m as { tag?: unknown }).tag === 'deflect_overdue';

/** What a call lends the REFER it sends. */
export interface DeflectingCall {
  readonly profile: ProfileConfig;
  readonly dialog: Dialog;
  readonly localVia: Address;
  readonly channel: Pid | undefined;
  readonly hungUp: boolean;
  readonly referOut: ReferOut;
  send(m: SipRequest | SipResponse): void;
  contactHeader(): [string, string];
}

/** A call's REFER of its own (TFLAG want_event 9999 and the variables its NOTIFYs set). */
export class ReferOut {
  /** The DEFLECT waiting for the final NOTIFY. */
  waiting: From | undefined;
  continueAfterReply = false;
  /** `sip_refer_reply`: the last final NOTIFY's sipfrag. */
  reply: string | undefined;
  /** The `sip_refer_*` variables the REFER's answers set. */
  readonly variables = new Map<string, string>();
  #gen = 0;

  /** A new wait; the timer's generation. */
  wait(from: From): number {
    this.waiting = from;
    return ++this.#gen;
  }

  /**
   * The wait is over (the final NOTIFY, the timer, the call's end): the DEFLECT gets
   * `sip_refer_reply` or `no reply`. `callEnded`: the channel is already hanging up with the SIP
   * side's cause, which BLIND_TRANSFER does not replace.
   */
  release(gen?: number, callEnded = false): void {
    if (!this.waiting || (gen !== undefined && gen !== this.#gen)) return;
    const reply: DeflectReply = { reply: this.reply ?? 'no reply', hangup: !callEnded, variables: [...this.variables] };
    GenServer.reply(this.waiting, reply);
    this.waiting = undefined;
  }
}

/** The Refer-To: the argument when it is a `sip:` URI, else a user at the profile's SIP address. */
export function referTarget(arg: string, sipIp: string): string {
  if (arg.slice(0, 4).toLowerCase() === 'sip:') return arg;
  return `sip:${arg}@${sipIp.includes(':') ? `[${sipIp}]` : sipIp}`;
}

const bracketed = (uri: string) => (uri.includes('<') ? uri : `<${uri}>`);

/** The channel's variable, cast (the call process never calls its channel), and kept for a DEFLECT's reply. */
function setvar(call: DeflectingCall, ctx: ProcessContext, name: string, value: string): void {
  call.referOut.variables.set(name, value);
  if (call.channel) GenServer.cast(ctx, call.channel, { op: 'setvar', name, value } satisfies ChannelCast);
}

/**
 * DEFLECT: the REFER, with Referred-By our Contact's URI and our Contact; the answer now when the
 * call is over or the channel goes on after the reply, else when the final NOTIFY (or 10 s) comes.
 */
export function deflect(call: DeflectingCall, req: DeflectRequest, from: From, ctx: ProcessContext): DeflectReply | undefined {
  if (call.hungUp) return { reply: undefined, hangup: false, variables: [] };
  const contact = call.contactHeader();
  const referredBy = contact[1];
  const headers: [string, string][] = [['Refer-To', bracketed(referTarget(req.uri, call.profile.sipIp))], ['Referred-By', referredBy], contact];
  call.send(inDialogRequest(call.dialog, 'REFER', call.localVia, call.profile.userAgent, headers));
  const out = call.referOut;
  out.continueAfterReply = req.continueAfterReply;
  if (req.continueAfterReply) return { reply: undefined, hangup: false, variables: [] };
  out.release(); // an earlier DEFLECT still waiting gets what is known
  const gen = out.wait(from);
  ctx.sendAfter(DEFLECT_WAIT_MS, ctx.self, { tag: 'deflect_overdue', gen } satisfies DeflectOverdue);
  return undefined;
}

/** The far end's answer to our REFER: `sip_refer_status_code` (sofia_handle_sip_r_refer). */
export function referResponse(call: DeflectingCall, res: SipResponse, ctx: ProcessContext): void {
  setvar(call, ctx, 'sip_refer_status_code', String(res.status));
}

/** The status in a sipfrag (`SIP/2.0 200 OK`): C's atoi of what follows the first space. */
function sipfragStatus(body: string): number {
  const space = body.indexOf(' ');
  if (space < 0) return 0;
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(body.slice(space + 1));
  return m ? Number(m[1]) : 0;
}

/**
 * A NOTIFY with `Event: refer` in the dialog (sofia_handle_sip_i_notify): a final sipfrag (or one
 * without a status) sets `sip_refer_target_status_code` and `sip_refer_reply`, hangs the channel up
 * BLIND_TRANSFER on a 200 unless `sip_refer_continue_after_reply`, and ends a DEFLECT's wait; a
 * provisional one sets `sip_refer_target_provisional_status_code`. The NOTIFY is answered 200.
 * False for any other NOTIFY.
 */
export function referNotify(call: DeflectingCall, req: SipRequest, ctx: ProcessContext, tag: { toTag?: string }): boolean {
  const event = (header(req, 'event') ?? '').split(';')[0]?.trim().toLowerCase();
  if (event !== 'refer') return false;
  const body = req.body.toString('utf8');
  if (body !== '' && call.channel) {
    const status = sipfragStatus(body);
    if (!status || status >= 200) {
      setvar(call, ctx, 'sip_refer_target_status_code', String(status));
      setvar(call, ctx, 'sip_refer_reply', body);
      call.referOut.reply = body;
      if (status === 200 && !call.referOut.continueAfterReply)
        GenServer.cast(ctx, call.channel, { op: 'hangup', cause: Cause.BLIND_TRANSFER } satisfies ChannelCast);
      call.referOut.release();
    } else setvar(call, ctx, 'sip_refer_target_provisional_status_code', String(status));
  }
  call.send(responseTo(req, 200, tag));
  return true;
}

/** How an unanswered INVITE is redirected: its final response, the Contact it carries, and the channel's cause. */
export interface Redirect {
  readonly status: 300 | 302;
  readonly phrase: string;
  readonly contact: string;
  readonly cause: number;
}

/** The most contacts a redirect lists (MAX_REDIR). */
const MAX_REDIR = 128;

/**
 * REDIRECT's argument `<uri>[,<uri>…][ <cause>]` as mod_sofia reads it: only the first word is the
 * destination; a bare URI becomes `"unknown" <uri>`, each of a list with a q falling from 0.129;
 * a list, or a cause word after the URI, makes it a 300 (mod_sofia counts either), else 302. An
 * unknown cause name is NORMAL_CLEARING (switch_channel_str2cause), 0 NORMAL_UNSPECIFIED.
 */
export function redirectOf(arg: string): Redirect | undefined {
  const words = arg.split(' ').filter((w) => w !== '');
  const dest = words[0];
  if (dest === undefined) return undefined;
  let cause = words.length >= 2 ? parseCause(words[1]) : Cause.NORMAL_UNSPECIFIED;
  if (cause === Cause.NONE) cause = Cause.NORMAL_UNSPECIFIED;
  const bare = (s: string) => !s.includes('<') && !s.includes('>');
  let count = words.length;
  let contact: string;
  if (dest.includes(',')) {
    const parts = dest.split(',').slice(0, MAX_REDIR);
    count = parts.length;
    contact = parts
      .map((p, i) => (bare(p) ? (count > 1 ? `"unknown" <${p}>;q=${((MAX_REDIR + 1 - i) / 1000).toFixed(3)}` : `"unknown" <${p}>`) : p))
      .join(',');
  } else contact = bare(dest) ? `"unknown" <${dest}>` : dest;
  return count > 1 ? { status: 300, phrase: 'Multiple Choices', contact, cause } : { status: 302, phrase: 'Moved Temporarily', contact, cause };
}
