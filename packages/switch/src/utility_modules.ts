/**
 * The API commands and applications of FreeSWITCH's small utility modules, as `startSwitch`
 * loads them: mod_db (`db`, `group`), mod_hash (`hash`, `hash_dump`), mod_commands' text and
 * directory utilities (`cond`, `regex`, `url_encode`, …, `user_exists`, `list_users`, `group_call`, …),
 * mod_dptools' variable applications (`push`, `unshift`, `set_global`, `set_profile_var`, `multiunset`)
 * and a few small ones (`verbose_events`, `mkdir`, `eval`, `stop`, `wait_for_answer`, `set_user`, `strftime`,
 * `privacy`, `transfer_vars`, `break`, `queue_dtmf`, `early_hangup`, `send_display`, `rename`, `set_name`,
 * `acknowledge_call`, `send_info`, `reuse_caller_profile`, `media_reset`, `blind_transfer_ack`, `system`,
 * `bgsystem`, `execute_extension`); mod_dptools' `deflect` / `redirect`
 * and mod_commands' `uuid_deflect` / `uuid_redirect`; mod_dptools' `displace_session` /
 * `stop_displace_session`, `block_dtmf` / `unblock_dtmf`, `deduplicate_dtmf`, `start_dtmf_generate` / `stop_dtmf_generate`, `capture_text` and `wait_for_silence` / `detect_silence` /
 * `detect_audio`, `set_audio_level` / `set_mute`, `mutex`, `broadcast`; mod_expr's `expr`;
 * mod_valet_parking's `valet_info` and `valet_park` (valet/); mod_fifo's `fifo` and `fifo_check_bridge` (fifo/);
 * mod_callcenter's `callcenter_config` and `callcenter` (callcenter/).
 */
import { DB_COMMANDS } from './api/db_commands.ts';
import { DEFLECT_COMMANDS } from './api/deflect_commands.ts';
import { DIRECTORY_COMMANDS } from './api/directory_commands.ts';
import { EXPR_COMMAND } from './api/expr.ts';
import { HASH_COMMANDS } from './api/hash_commands.ts';
import type { ApiCommand } from './api/registry.ts';
import { UTILITY_TEXT_COMMANDS } from './api/utility_commands.ts';
import { BLOCK_DTMF_APPLICATIONS } from './applications/block_dtmf.ts';
import { BROADCAST_APPLICATION } from './applications/broadcast_app.ts';
import { CAPTURE_TEXT_APPLICATION } from './applications/capture_text.ts';
import { DB_APPLICATIONS } from './applications/db.ts';
import { DEDUPLICATE_DTMF_APPLICATION } from './applications/deduplicate_dtmf.ts';
import { DEFLECT_APPLICATIONS } from './applications/deflect.ts';
import { DISPLACE_APPLICATIONS } from './applications/displace.ts';
import { DPTOOLS_MISC } from './applications/dptools_misc.ts';
import { DPTOOLS_MORE } from './applications/dptools_more.ts';
import { DPTOOLS_SIGNAL } from './applications/dptools_signal.ts';
import { DTMF_GENERATE_APPLICATIONS } from './applications/dtmf_generate.ts';
import { DPTOOLS_SYSTEM } from './applications/dptools_system.ts';
import { EXECUTE_EXTENSION } from './applications/execute_extension.ts';
import { HEARTBEAT_APPLICATIONS } from './applications/heartbeat.ts';
import { DPTOOLS_VARIABLES } from './applications/dptools_variables.ts';
import { HASH_APPLICATIONS } from './applications/hash.ts';
import { MUTEX_APPLICATION } from './applications/mutex.ts';
import { SESSION_AUDIO_APPLICATIONS } from './applications/session_audio.ts';
import { SILENCE_APPLICATIONS } from './applications/silence.ts';
import { CALLCENTER_APPLICATIONS, CALLCENTER_COMMANDS } from './callcenter/module.ts';
import { FIFO_COMMANDS } from './fifo/api.ts';
import { FIFO_APPLICATIONS } from './fifo/application.ts';
import type { Application } from './applications/types.ts';
import { VALET_APPLICATIONS, VALET_COMMANDS } from './valet/module.ts';

export const UTILITY_COMMANDS: readonly ApiCommand[] = [
  ...DB_COMMANDS,
  ...HASH_COMMANDS,
  ...UTILITY_TEXT_COMMANDS,
  ...DIRECTORY_COMMANDS,
  EXPR_COMMAND,
  ...DEFLECT_COMMANDS,
  ...VALET_COMMANDS,
  ...FIFO_COMMANDS,
  ...CALLCENTER_COMMANDS,
];

export const UTILITY_APPLICATIONS: readonly Application[] = [
  ...DB_APPLICATIONS,
  ...HASH_APPLICATIONS,
  ...DPTOOLS_VARIABLES,
  ...DPTOOLS_MISC,
  ...DPTOOLS_MORE,
  ...DPTOOLS_SIGNAL,
  ...DPTOOLS_SYSTEM,
  EXECUTE_EXTENSION,
  ...DEFLECT_APPLICATIONS,
  ...DISPLACE_APPLICATIONS,
  ...BLOCK_DTMF_APPLICATIONS,
  DEDUPLICATE_DTMF_APPLICATION,
  ...DTMF_GENERATE_APPLICATIONS,
  CAPTURE_TEXT_APPLICATION,
  ...SILENCE_APPLICATIONS,
  ...SESSION_AUDIO_APPLICATIONS,
  MUTEX_APPLICATION,
  BROADCAST_APPLICATION,
  ...HEARTBEAT_APPLICATIONS,
  ...VALET_APPLICATIONS,
  ...FIFO_APPLICATIONS,
  ...CALLCENTER_APPLICATIONS,
];
