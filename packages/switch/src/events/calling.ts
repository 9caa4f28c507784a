/** Event-Calling-File/-Function per event type (spec §1.3); line numbers are nominal. */
import type { CallingSite } from './event.ts';
import type { EventTypeName } from './types.ts';

const site = (file: string, func: string, line: number): CallingSite => ({ file, func, line });

const SITES: Partial<Record<EventTypeName, CallingSite>> = {
  CHANNEL_STATE: site('switch_channel.c', 'switch_channel_perform_set_running_state', 2379),
  CHANNEL_CALLSTATE: site('switch_channel.c', 'switch_channel_perform_set_callstate', 300),
  CHANNEL_CREATE: site('switch_core_state_machine.c', 'switch_core_session_run', 609),
  CHANNEL_ORIGINATE: site('switch_core_state_machine.c', 'switch_core_session_run', 615),
  CHANNEL_OUTGOING: site('switch_core_session.c', 'switch_core_session_outgoing_channel', 720),
  CHANNEL_ANSWER: site('switch_channel.c', 'switch_channel_perform_mark_answered', 3961),
  CHANNEL_PROGRESS: site('switch_channel.c', 'switch_channel_perform_mark_ring_ready_value', 3540),
  CHANNEL_PROGRESS_MEDIA: site('switch_channel.c', 'switch_channel_perform_mark_pre_answered', 3720),
  CHANNEL_HANGUP: site('switch_channel.c', 'switch_channel_perform_hangup', 3399),
  CHANNEL_HANGUP_COMPLETE: site('switch_core_state_machine.c', 'switch_core_session_reporting_state', 874),
  CHANNEL_DESTROY: site('switch_core_session.c', 'switch_core_session_perform_destroy', 1591),
  CHANNEL_EXECUTE: site('switch_core_session.c', 'switch_core_session_exec', 2928),
  CHANNEL_EXECUTE_COMPLETE: site('switch_core_session.c', 'switch_core_session_exec', 2960),
  CHANNEL_PARK: site('switch_ivr.c', 'switch_ivr_park', 1021),
  CHANNEL_UNPARK: site('switch_ivr.c', 'switch_ivr_park', 1297),
  CHANNEL_HOLD: site('switch_channel.c', 'switch_channel_perform_mark_hold', 1226),
  CHANNEL_UNHOLD: site('switch_channel.c', 'switch_channel_perform_mark_hold', 1226),
  CHANNEL_BRIDGE: site('switch_ivr_bridge.c', 'switch_ivr_multi_threaded_bridge', 1689),
  CHANNEL_UNBRIDGE: site('switch_ivr_bridge.c', 'switch_ivr_multi_threaded_bridge', 1879),
  CHANNEL_DATA: site('mod_commands.c', 'uuid_dump_function', 6495),
  DTMF: site('switch_channel.c', 'switch_channel_dequeue_dtmf', 678),
  PLAYBACK_START: site('switch_ivr_play_say.c', 'switch_ivr_play_file', 1649),
  PLAYBACK_STOP: site('switch_ivr_play_say.c', 'switch_ivr_play_file', 2023),
  API: site('switch_loadable_module.c', 'switch_api_execute', 2970),
  BACKGROUND_JOB: site('mod_commands.c', 'bgapi_exec', 5461),
  HEARTBEAT: site('switch_core.c', 'send_heartbeat', 94),
};

const FALLBACK = site('switch_event.c', 'switch_event_create_subclass_detailed', 759);

/** Where FreeSWITCH creates an event of that type (for the others: switch_event.c's own). */
export function callingSite(type: EventTypeName): CallingSite {
  return SITES[type] ?? FALLBACK;
}
