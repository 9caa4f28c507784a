/** The rest of mod_commands that `startSwitch` loads: call control by uuid, media bugs and utilities. */
import { CORE_INFO_COMMANDS } from './core_info_commands.ts';
import { HOST_COMMANDS } from './host_commands.ts';
import type { ApiCommand } from './registry.ts';
import { TEXT_LOG_COMMANDS } from './text_log_commands.ts';
import { UTILITY_MORE_COMMANDS } from './utility_more.ts';
import { UUID_CALL_COMMANDS } from './uuid_call_commands.ts';
import { UUID_MEDIA_COMMANDS } from './uuid_media_commands.ts';
import { UUID_SESSION_COMMANDS } from './uuid_session_commands.ts';
import { UUID_SIGNAL_COMMANDS } from './uuid_signal_commands.ts';

export const MOD_COMMANDS_MORE: readonly ApiCommand[] = [
  ...UUID_MEDIA_COMMANDS,
  ...UUID_CALL_COMMANDS,
  ...UUID_SESSION_COMMANDS,
  ...UTILITY_MORE_COMMANDS,
  ...UUID_SIGNAL_COMMANDS,
  ...TEXT_LOG_COMMANDS,
  ...HOST_COMMANDS,
  ...CORE_INFO_COMMANDS,
];
