/**
 * mod_sofia's sofia_receive_message for the messages mod_commands sends a channel's far end
 * (SWITCH_MESSAGE_INDICATE_INFO / _MESSAGE / _DISPLAY / _PHONE_EVENT): what to send inside the
 * call's dialog, decided from the channel's variables, or nothing.
 */
import type { ChannelMessage, EndpointChannel } from '@beamline/switch';
import { switchTrue } from '@beamline/switch';

/** A request to send inside the dialog; `identity` asks for a P-Asserted-Identity at our address. */
export interface DialogMessage {
  readonly method: 'INFO' | 'MESSAGE' | 'NOTIFY' | 'UPDATE';
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: string;
  readonly identity?: { readonly name: string; readonly number: string };
  /** A display change: the profile's `send-display-update` decides whether it goes. */
  readonly display?: boolean;
}

/** Phones that take a display change as an UPDATE with P-Asserted-Identity (by User-Agent, as mod_sofia lists them). */
const UPDATE_DISPLAY_AGENTS = /poly|cisco\/spa50|cisco\/spa525|cisco\/spa30|fanvil|grandstream|ringotel|groundwire|yealink|mitel|panasonic/i;

/** The channel's message as a request in its dialog, or undefined when mod_sofia sends none. */
export function dialogMessage(ch: EndpointChannel, msg: ChannelMessage): DialogMessage | undefined {
  switch (msg.id) {
    case 'INFO':
      // only to a far end that said it takes them (X-FS-Support), or when the channel insists
      if (!switchTrue(ch.variable('fs_send_unsupported_info'))) return undefined;
      return { method: 'INFO', headers: [['Content-Type', msg.contentType ?? 'freeswitch/data']], body: msg.body };
    case 'MESSAGE':
      if (!switchTrue(ch.variable('fs_send_unsupported_message'))) return undefined;
      return { method: 'MESSAGE', headers: [['Content-Type', msg.contentType ?? 'text/plain']], body: msg.body };
    case 'PHONE_EVENT': {
      const arg = msg.event ?? '';
      const event = arg.toLowerCase() === 'hold' ? 'hold' : 'talk';
      if (!ch.view.answered && ch.spec.direction === 'inbound') {
        ch.services.core.log('ERR', 'Operation not permitted on an inbound non-answered call leg!', ch.uuid);
        return undefined;
      }
      if (arg !== '' && event === 'talk' && !arg.toLowerCase().startsWith('talk')) ch.services.core.log('WARNING', 'Invalid event.', ch.uuid);
      return {
        method: 'NOTIFY',
        headers: [
          ['Event', event],
          ['Subscription-State', 'active'],
        ],
      };
    }
    case 'DISPLAY': {
      if (msg.name === '' || msg.name === '_undef_' || !ch.view.answered) return undefined;
      const number = msg.number || ch.profile.destinationNumber || '';
      const ua = ch.variable('sip_user_agent') ?? '';
      const allowsUpdate = /UPDATE/i.test(ch.variable('sip_allow') ?? '');
      if (/snom/i.test(ua)) return snomDisplay(ua, msg.name, number);
      if (
        allowsUpdate &&
        ua !== '' &&
        (switchTrue(ch.variable('update_ignore_ua')) || UPDATE_DISPLAY_AGENTS.test(ua) || (/aastra/i.test(ua) && !/intelligate/i.test(ua)))
      ) {
        return { method: 'UPDATE', headers: [], identity: { name: msg.name, number }, display: true };
      }
      return undefined;
    }
    case 'CHAT':
      // sofia_receive_event sends only for a call whose dialog chat is kept (in-dialog chat): not kept here
      return undefined;
  }
}

/** snom phones: an INFO with message/sipfrag From/To lines (which side depends on the firmware, 8.4.24 on). */
function snomDisplay(ua: string, name: string, number: string): DialogMessage {
  const [a = 0, b = 0, c = 0] = (ua.split('/')[1] ?? '').split('.').map((n) => Number.parseInt(n, 10) || 0);
  const who = `"${name}" ${number}`;
  const body = a * 10000 + b * 100 + c >= 80424 ? `From: ${who}\r\nTo:\r\n` : `From:\r\nTo: ${who}\r\n`;
  return { method: 'INFO', headers: [['Content-Type', 'message/sipfrag']], body, display: true };
}
