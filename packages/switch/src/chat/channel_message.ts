/**
 * The session messages mod_commands hands a channel's endpoint for its far end
 * (switch_core_session_message_t: SWITCH_MESSAGE_INDICATE_INFO / _MESSAGE / _DISPLAY /
 * _PHONE_EVENT, and uuid_chat's event). An endpoint that has no far end to tell ignores them.
 */
export type ChannelMessage =
  /** An INFO in the dialog; no content type: the endpoint's default. */
  | { readonly id: 'INFO'; readonly contentType?: string; readonly body?: string }
  /** A MESSAGE in the dialog. */
  | { readonly id: 'MESSAGE'; readonly contentType?: string; readonly body?: string }
  /** The far end's display: `name`, and `number` when given. */
  | { readonly id: 'DISPLAY'; readonly name: string; readonly number?: string }
  /** A phone event (`talk`, `hold`). */
  | { readonly id: 'PHONE_EVENT'; readonly event?: string }
  /** uuid_chat: a COMMAND event with a body, received by the session. */
  | { readonly id: 'CHAT'; readonly body: string };
