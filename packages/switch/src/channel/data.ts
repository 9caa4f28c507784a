/**
 * Channel data: the headers FreeSWITCH adds to CHANNEL_* and other events from a channel
 * (switch_channel_event_set_basic_data / _extended_data), in its order, from a plain snapshot.
 */
import type { SwitchEvent } from '../events/event.ts';
import type { EventTypeName } from '../events/types.ts';
import { separateString } from '../internal/strings.ts';
import { causeName } from './causes.ts';
import type { ChannelView } from './machine.ts';
import { type CallerProfile, addProfileHeaders } from './profile.ts';
import { type CallDirection, answerState, stateNumber } from './states.ts';
import { type VariableSources, channelVariable } from './variables.ts';

export interface CodecInfo {
  /** IANA name, e.g. `L16`, `PCMU`. */
  readonly name: string;
  /** Actual samples per second. */
  readonly rate: number;
  readonly bitRate: number;
}

export interface ChannelSnapshot extends VariableSources {
  readonly view: ChannelView;
  readonly uuid: string;
  readonly name: string;
  readonly direction: CallDirection;
  /** `origination_external_id`, when one was given. */
  readonly externalId?: string;
  /** An outbound channel flagged to use the dialplan (CF_DIALPLAN). */
  readonly dialplanFlag?: boolean;
  readonly readCodec?: CodecInfo;
  readonly writeCodec?: CodecInfo;
  /** The profile of the other leg, as `Other-Leg-*`, with `Other-Type`. */
  readonly otherLeg?: { readonly type: 'originator' | 'originatee'; readonly profile: CallerProfile };
  /** Verbose events for this channel (the `verbose_events` application). */
  readonly verboseEvents?: boolean;
}

/** The event types that carry `variable_*` headers without verbose events. */
export const VARIABLE_EVENT_TYPES: ReadonlySet<EventTypeName> = new Set<EventTypeName>([
  'CHANNEL_CREATE',
  'CHANNEL_ORIGINATE',
  'CHANNEL_UUID',
  'CHANNEL_ANSWER',
  'CHANNEL_PARK',
  'CHANNEL_UNPARK',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'REQUEST_PARAMS',
  'CHANNEL_DATA',
  'CHANNEL_EXECUTE',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_DESTROY',
  'SESSION_HEARTBEAT',
  'API',
  'RECORD_START',
  'RECORD_STOP',
  'PLAYBACK_START',
  'PLAYBACK_STOP',
  'CALL_UPDATE',
  'MEDIA_BUG_START',
  'MEDIA_BUG_STOP',
  'CHANNEL_HOLD',
  'CHANNEL_UNHOLD',
  'TEXT',
  'CUSTOM',
]);

/** Channel-State … Other-Leg-*: the basic headers, optional ones only when they have a value. */
export function addBasicChannelData(event: SwitchEvent, ch: ChannelSnapshot): void {
  const v = ch.view;
  event.addHeader('Channel-State', v.running);
  event.addHeader('Channel-Call-State', v.callState);
  event.addHeader('Channel-State-Number', String(stateNumber(v.state)));
  event.addHeader('Channel-Name', ch.name);
  event.addHeader('Unique-ID', ch.uuid);
  event.addHeader('Session-External-ID', ch.externalId);
  event.addHeader('Call-Direction', ch.direction);
  event.addHeader('Presence-Call-Direction', ch.direction);
  event.addHeader('Channel-HIT-Dialplan', String(ch.direction === 'inbound' || !!ch.dialplanFlag));
  event.addHeader('Channel-Presence-ID', channelVariable(ch, 'presence_id'));
  event.addHeader('Channel-Presence-Data', channelVariable(ch, 'presence_data'));
  const cols = channelVariable(ch, 'presence_data_cols');
  if (cols !== undefined) {
    event.addHeader('Presence-Data-Cols', cols);
    for (const col of separateString(cols, ':', 128)) event.addHeader(`PD-${col}`, channelVariable(ch, col));
  }
  event.addHeader('Channel-Call-UUID', channelVariable(ch, 'call_uuid') ?? ch.uuid);
  event.addHeader('Answer-State', answerState(v.state, v.answered, v.early));
  if (v.hangupCause) event.addHeader('Hangup-Cause', causeName(v.hangupCause));
  for (const [prefix, codec] of [
    ['Read', ch.readCodec],
    ['Write', ch.writeCodec],
  ] as const) {
    if (!codec) continue;
    event.addHeader(`Channel-${prefix}-Codec-Name`, codec.name);
    event.addHeader(`Channel-${prefix}-Codec-Rate`, String(codec.rate));
    event.addHeader(`Channel-${prefix}-Codec-Bit-Rate`, String(codec.bitRate));
  }
  if (ch.profile) addProfileHeaders(event, ch.profile, 'Caller');
  if (ch.otherLeg) {
    event.addHeader('Other-Type', ch.otherLeg.type);
    addProfileHeaders(event, ch.otherLeg.profile, 'Other-Leg');
  }
}

export interface ExtendedDataOptions {
  /** `fsctl verbose_events on`: every event gets the variables. */
  readonly globalVerboseEvents?: boolean;
}

/**
 * `scope_variable_*` (each name once) then `variable_*` for every channel variable in order —
 * only for the event types in VARIABLE_EVENT_TYPES, unless verbose events are on (globally or
 * for the channel) or the event has a `presence-data-cols` header.
 */
export function addExtendedChannelData(event: SwitchEvent, ch: ChannelSnapshot, options: ExtendedDataOptions = {}): void {
  const wanted =
    options.globalVerboseEvents || ch.verboseEvents || event.getHeader('presence-data-cols') !== undefined || VARIABLE_EVENT_TYPES.has(event.type);
  if (!wanted) return;
  for (const scope of ch.scopes ?? []) {
    for (const h of scope.headers) {
      const name = `scope_variable_${h.name}`;
      if (event.getHeader(name) === undefined) event.addHeader(name, h.value);
    }
  }
  for (const h of ch.variables.headers) event.addHeader(variableHeader(h.name), h.value);
}

/** `variable_<name>`, made once per name (bounded): every event with variables adds one per variable. */
const VARIABLE_HEADERS = new Map<string, string>();

function variableHeader(name: string): string {
  let full = VARIABLE_HEADERS.get(name);
  if (full === undefined) {
    full = `variable_${name}`;
    if (VARIABLE_HEADERS.size < 10_000) VARIABLE_HEADERS.set(name, full);
  }
  return full;
}

/** switch_channel_event_set_data: basic then extended. */
export function addChannelData(event: SwitchEvent, ch: ChannelSnapshot, options: ExtendedDataOptions = {}): void {
  addBasicChannelData(event, ch);
  addExtendedChannelData(event, ch, options);
}
