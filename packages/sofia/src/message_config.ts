/** A profile's chat params, as sofia.c reads them. */
import { switchTrue } from '@beamline/switch';

export interface ChatConfig {
  /** `enable-chat` (default true): MESSAGE requests are taken at all. */
  readonly enableChat: boolean;
  /** `auth-messages` (default true; `disable-auth-messages` wins): a MESSAGE is challenged. */
  readonly authMessages: boolean;
  /** `messages-respond-200-ok`: a MESSAGE is answered 200 rather than 202. */
  readonly messagesRespond200Ok: boolean;
  /** `send-display-update` (default true): uuid_display reaches the phone. */
  readonly sendDisplayUpdate: boolean;
}

export const CHAT_DEFAULTS: ChatConfig = { enableChat: true, authMessages: true, messagesRespond200Ok: false, sendDisplayUpdate: true };

export function chatConfigOf(s: ReadonlyMap<string, string>): ChatConfig {
  const enable = s.get('enable-chat');
  const auth = s.get('auth-messages');
  const disableAuth = s.get('disable-auth-messages');
  return {
    enableChat: enable === undefined ? true : switchTrue(enable),
    authMessages: disableAuth !== undefined ? !switchTrue(disableAuth) : auth === undefined || switchTrue(auth),
    messagesRespond200Ok: switchTrue(s.get('messages-respond-200-ok')),
    sendDisplayUpdate: s.has('send-display-update') ? switchTrue(s.get('send-display-update')) : true,
  };
}
