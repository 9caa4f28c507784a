/**
 * mod_dptools' `enable_heartbeat [0|<seconds>]`, `sched_heartbeat [0|<seconds>]` and
 * `enable_keepalive [0|<seconds>]` (channel/heartbeat.ts; keepalive_function's
 * SWITCH_MESSAGE_INDICATE_KEEPALIVE only makes mod_sofia send a MESSAGE or INFO each heartbeat,
 * which the SIP endpoint here does not do). A negative or missing argument logs the usage; `sched_heartbeat`'s
 * seconds are read only for that check (FreeSWITCH's scheduled heartbeat keeps the session's duration).
 */
import { enableHeartbeat, schedHeartbeat } from '../channel/heartbeat.ts';
import { atoi } from '../internal/strings.ts';
import { sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';

const SYNTAX = '[0|<seconds>]';

function withSeconds(run: (ch: AppChannel, seconds: number) => void): Application['run'] {
  return sync((ch, data) => {
    const seconds = atoi(data);
    if (data !== '' && seconds >= 0) run(ch, seconds);
    else ch.core.log('ERR', `Usage: ${SYNTAX}`, ch.uuid);
  });
}

export const HEARTBEAT_APPLICATIONS: readonly Application[] = [
  { name: 'enable_heartbeat', run: withSeconds(enableHeartbeat) },
  { name: 'sched_heartbeat', run: withSeconds((ch) => schedHeartbeat(ch)) },
  { name: 'enable_keepalive', run: withSeconds(enableHeartbeat) },
];
