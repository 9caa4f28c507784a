/**
 * The body of a dialog (BLF) NOTIFY from a PRESENCE_IN event, as sofia_presence.c's subscription
 * callback writes it: a full `dialog-info` document for the entity, with the subscription's
 * version; when the event names a channel (`unique-id`), one `<dialog>` with its direction
 * (`presence-call-direction` outbound: recipient, else initiator) and state (`answer-state`, else
 * `astate`, else early for a recipient and confirmed for an initiator; `answered` is confirmed,
 * `ringing` early for a recipient, a hold early, a hangup terminated), and while early or
 * confirmed the local and remote identities a phone shows.
 */
import type { Body, HeaderOf } from './pidf.ts';

const given = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b;
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface DialogInfoTarget {
  /** The presentity (`sip:<user>@<host>`). */
  readonly entity: string;
  /** The user subscribed to, and the host the identities name (the subscriber's). */
  readonly subToUser: string;
  readonly host: string;
  /** The subscription's dialog-info version for this NOTIFY. */
  readonly version: number;
}

/** The dialog state one PRESENCE_IN gives (undefined: no channel named, so no dialog). */
export function dialogState(h: HeaderOf, subToUser: string): { id: string; direction: 'initiator' | 'recipient'; state: string } | undefined {
  const uuid = given(h('unique-id'));
  if (uuid === undefined) return undefined;
  let direction = h('presence-call-direction') ?? '';
  // an inbound channel that is not the entity's own (its presence id set in the dialplan) is seen from the other side
  if (same(direction, 'inbound') && subToUser !== (h('caller-username') ?? '')) direction = 'outbound';
  const recipient = same(direction, 'outbound');
  const status = h('status');
  const hangup = same(h('channel-state'), 'cs_hangup');
  const holding = !hangup && ((status !== undefined && /^hold/i.test(status)) || /^hold/i.test(h('force-status') ?? ''));
  let state = hangup ? 'hangup' : (h('astate') ?? '');
  state = given(h('answer-state')) ?? state;
  if (state === '') state = recipient ? 'early' : 'confirmed';
  if (same(state, 'answered')) state = 'confirmed';
  if (same(state, 'ringing')) state = recipient ? 'early' : 'confirmed';
  if (holding) state = 'early';
  if (same(state, 'hangup')) state = 'terminated';
  return { id: uuid, direction: recipient ? 'recipient' : 'initiator', state };
}

export function dialogInfoBody(h: HeaderOf, t: DialogInfoTarget): Body {
  const lines = [
    '<?xml version="1.0"?>',
    `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${t.version}" state="full" entity="${xml(t.entity)}">`,
  ];
  const d = dialogState(h, t.subToUser);
  if (d) {
    lines.push(`<dialog id="${xml(d.id)}" direction="${d.direction}">`, `<state>${d.state}</state>`);
    const inbound = same(h('presence-call-direction'), 'inbound');
    const fromId = inbound ? (h('Caller-Destination-Number') ?? '') : (given(h('Caller-Caller-ID-Number')) ?? h('Other-Leg-Caller-ID-Number') ?? '');
    const fromName = inbound ? undefined : (given(h('Caller-Caller-ID-Name')) ?? given(h('Other-Leg-Caller-ID-Name')));
    if ((d.state === 'early' || d.state === 'confirmed') && t.subToUser !== '' && fromId !== '') {
      const holding = /^hold/i.test(h('status') ?? '');
      const user = xml(t.subToUser);
      const host = xml(t.host);
      lines.push(
        '<local>',
        `<identity display="${user}">sip:${user}@${host}</identity>`,
        `<target uri="sip:${user}@${host}">`,
        `<param pname="+sip.rendering" pvalue="${holding ? 'no' : 'yes'}"/>`,
        '</target>',
        '</local>',
        '<remote>',
        /^(1|true|yes|on|enabled)$/i.test(h('Presence-Privacy') ?? '')
          ? '<identity display="Anonymous">sip:anonymous@anonymous.invalid</identity>'
          : `<identity display="${xml(fromName ?? fromId)}">sip:${xml(fromId)}@${host}</identity>`,
        `<target uri="sip:**${user}@${host}"/>`,
        '</remote>',
      );
    }
    lines.push('</dialog>');
  }
  lines.push('</dialog-info>');
  return { contentType: 'application/dialog-info+xml', body: `${lines.join('\n')}\n` };
}
