/**
 * Where FreeSWITCH logs the lines the switch writes (the file, function and line that
 * switch_log_printf records and the console shows as `file:line`). Line numbers are nominal (those
 * of FreeSWITCH's master branch); the channel's perform_* functions log under their caller's site
 * in FreeSWITCH, named here by the function itself, as the event calling sites are (calling.ts).
 * A line without a site is logged as `switch_core.c:0`.
 */
export interface LogSite {
  readonly file: string;
  readonly func: string;
  readonly line: number;
}

const site = (file: string, func: string, line: number): LogSite => ({ file, func, line });

export const LOG_SITES = {
  newChannel: site('switch_channel.c', 'switch_channel_set_name', 1143),
  renameChannel: site('switch_channel.c', 'switch_channel_set_name', 1141),
  callstateChange: site('switch_channel.c', 'switch_channel_perform_set_callstate', 297),
  runningStateChange: site('switch_channel.c', 'switch_channel_perform_set_running_state', 2387),
  stateChange: site('switch_channel.c', 'switch_channel_perform_set_state', 2616),
  invalidStateChange: site('switch_channel.c', 'switch_channel_perform_set_state', 2630),
  flipCid: site('switch_channel.c', 'switch_channel_flip_cid', 3291),
  hangup: site('switch_channel.c', 'switch_channel_perform_hangup', 3426),
  ringReady: site('switch_channel.c', 'switch_channel_perform_mark_ring_ready_value', 3484),
  preAnswer: site('switch_channel.c', 'switch_channel_perform_mark_pre_answered', 3535),
  answered: site('switch_channel.c', 'switch_channel_perform_mark_answered', 3885),
  state: site('switch_core_state_machine.c', 'switch_core_session_run', 427),
  noRoute: site('switch_core_state_machine.c', 'switch_core_standard_on_routing', 306),
  lastInstruction: site('switch_core_state_machine.c', 'switch_core_standard_on_execute', 382),
  closeChannel: site('switch_core_session.c', 'switch_core_session_perform_destroy', 1548),
  invalidApplication: site('switch_core_session.c', 'switch_core_session_execute_application_get_flags', 2771),
  execute: site('switch_core_session.c', 'switch_core_session_exec', 2904),
  tooManyExtensions: site('switch_core_session.c', 'switch_core_session_execute_exten', 3027),
  originateFailed: site('mod_dptools.c', 'audio_bridge_function', 3637),
  noExtension: site('mod_dptools.c', 'transfer_function', 1219),
  logApi: site('mod_commands.c', 'log_function', 7247),
  logApp: site('mod_dptools.c', 'log_function', 1865),
  infoApp: site('mod_dptools.c', 'info_function', 1884),
} as const;
