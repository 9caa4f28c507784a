/**
 * switch_event_types_t: the event types in FreeSWITCH's order. The position is the id (what
 * subscription tables are indexed by); the name is the wire name (`Event-Name`, and what
 * `{event, 'NAME'}` subscribes to).
 */
import { asciiUpper } from '../internal/strings.ts';

export const EVENT_NAMES = [
  'CUSTOM',
  'CLONE',
  'CHANNEL_CREATE',
  'CHANNEL_DESTROY',
  'CHANNEL_STATE',
  'CHANNEL_CALLSTATE',
  'CHANNEL_ANSWER',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'CHANNEL_EXECUTE',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_HOLD',
  'CHANNEL_UNHOLD',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_OUTGOING',
  'CHANNEL_PARK',
  'CHANNEL_UNPARK',
  'CHANNEL_APPLICATION',
  'CHANNEL_ORIGINATE',
  'CHANNEL_UUID',
  'API',
  'LOG',
  'INBOUND_CHAN',
  'OUTBOUND_CHAN',
  'STARTUP',
  'SHUTDOWN',
  'PUBLISH',
  'UNPUBLISH',
  'TALK',
  'NOTALK',
  'SESSION_CRASH',
  'MODULE_LOAD',
  'MODULE_UNLOAD',
  'DTMF',
  'MESSAGE',
  'PRESENCE_IN',
  'NOTIFY_IN',
  'PRESENCE_OUT',
  'PRESENCE_PROBE',
  'MESSAGE_WAITING',
  'MESSAGE_QUERY',
  'ROSTER',
  'CODEC',
  'BACKGROUND_JOB',
  'DETECTED_SPEECH',
  'DETECTED_TONE',
  'PRIVATE_COMMAND',
  'HEARTBEAT',
  'TRAP',
  'ADD_SCHEDULE',
  'DEL_SCHEDULE',
  'EXE_SCHEDULE',
  'RE_SCHEDULE',
  'RELOADXML',
  'NOTIFY',
  'PHONE_FEATURE',
  'PHONE_FEATURE_SUBSCRIBE',
  'SEND_MESSAGE',
  'RECV_MESSAGE',
  'REQUEST_PARAMS',
  'CHANNEL_DATA',
  'GENERAL',
  'COMMAND',
  'SESSION_HEARTBEAT',
  'CLIENT_DISCONNECTED',
  'SERVER_DISCONNECTED',
  'SEND_INFO',
  'RECV_INFO',
  'RECV_RTCP_MESSAGE',
  'SEND_RTCP_MESSAGE',
  'CALL_SECURE',
  'NAT',
  'RECORD_START',
  'RECORD_STOP',
  'PLAYBACK_START',
  'PLAYBACK_STOP',
  'CALL_UPDATE',
  'FAILURE',
  'SOCKET_DATA',
  'MEDIA_BUG_START',
  'MEDIA_BUG_STOP',
  'CONFERENCE_DATA_QUERY',
  'CONFERENCE_DATA',
  'CALL_SETUP_REQ',
  'CALL_SETUP_RESULT',
  'CALL_DETAIL',
  'DEVICE_STATE',
  'TEXT',
  'SHUTDOWN_REQUESTED',
  'CERT_RELOAD',
  'ALL',
] as const;

export type EventTypeName = (typeof EVENT_NAMES)[number];

const IDS: ReadonlyMap<string, number> = new Map(EVENT_NAMES.map((name, id) => [name, id]));

/** The id of a wire name (exact spelling). */
export function eventId(name: EventTypeName): number {
  return IDS.get(name)!;
}

/** The wire name of an id, or undefined outside 0..93. */
export function eventName(id: number): EventTypeName | undefined {
  return EVENT_NAMES[id];
}

/**
 * switch_name_event: case-insensitive; a name longer than 13 characters also matches on its
 * tail after the 13th (so `SWITCH_EVENT_HEARTBEAT` is `HEARTBEAT`). Types are tried in id
 * order, so the first type matching either way wins.
 */
export function nameEvent(name: string): EventTypeName | undefined {
  const upper = asciiUpper(name);
  const tail = upper.length > 13 ? upper.slice(13) : undefined;
  return EVENT_NAMES.find((n) => n === tail || n === upper);
}

/** Only these may carry a subclass (`Event-Subclass`). */
export function takesSubclass(name: EventTypeName): boolean {
  return name === 'CUSTOM' || name === 'CLONE';
}
