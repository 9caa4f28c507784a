/**
 * Message waiting (RFC 3842) from a MESSAGE_WAITING event, as sofia_presence.c's MWI handler
 * reads it: `MWI-Message-Account` (`[sip:]user@host`) and `MWI-Messages-Waiting` are required;
 * every `MWI-` header, in the event's order and without the prefix, is a line of the
 * `application/simple-message-summary` body (the account gains `sip:` when it has none).
 */
import type { EventHeader } from '@beamline/switch';

export const MWI_CONTENT_TYPE = 'application/simple-message-summary';

export interface MessageSummary {
  readonly user: string;
  readonly host: string;
  readonly body: string;
  /** `Call-ID` / `Sub-Call-ID`: only that registration's contact, or that subscription, is told. */
  readonly callId: string | undefined;
  readonly subCallId: string | undefined;
  /** `Sofia-Profile`: the profile it is for (else any profile that has the account). */
  readonly profile: string | undefined;
}

/** switch_split_user_domain: `sip:` (or `sips:`) dropped, then user and host at the `@`. */
export function splitAccount(account: string): { user: string; host: string } | undefined {
  const bare = account.replace(/^sips?:/i, '');
  const at = bare.indexOf('@');
  if (at <= 0 || at === bare.length - 1) return undefined;
  return { user: bare.slice(0, at), host: bare.slice(at + 1).split(/[;:]/)[0] };
}

/** The summary a MESSAGE_WAITING event says, or why it says none. */
export function messageSummary(headers: readonly EventHeader[], get: (name: string) => string | undefined): MessageSummary | { error: string } {
  const account = get('MWI-Message-Account');
  if (account === undefined) return { error: "Missing required Header 'MWI-Message-Account'" };
  if (get('MWI-Messages-Waiting') === undefined) return { error: "Missing required Header 'MWI-Messages-Waiting'" };
  const who = splitAccount(account);
  if (!who) return { error: `MWI-Message-Account '${account}' is not user@host` };
  let body = '';
  for (const h of headers) {
    if (h.name.slice(0, 4).toLowerCase() !== 'mwi-') continue;
    const value = h.name.toLowerCase() === 'mwi-message-account' && !/^sip:/i.test(h.value) ? `sip:${h.value}` : h.value;
    body += `${h.name.slice(4)}: ${value}\r\n`;
  }
  body += '\r\n';
  return { ...who, body, callId: get('Call-ID'), subCallId: get('Sub-Call-ID'), profile: get('Sofia-Profile') };
}

/** What a new message-summary subscription is told before any MESSAGE_WAITING: nothing waiting. */
export function noMessages(user: string, host: string): string {
  return `Messages-Waiting: no\r\nMessage-Account: sip:${user}@${host}\r\n\r\n`;
}
