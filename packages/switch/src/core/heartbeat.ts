/**
 * The core's scheduled tasks (switch_core.c) on the switch's scheduler (scheduler.ts):
 * `heartbeat` (group `core`, task 1) fires HEARTBEAT at startup and then every
 * `event-heartbeat-interval` seconds; `check_ip` (group `core`, task 2) runs at startup and every
 * 60 s. The per-second session budget is refilled lazily by SessionLimits.
 */
import { formatUptime } from '../api/core_commands.ts';
import type { SwitchEvent } from '../events/event.ts';
import type { SwitchCore } from './core.ts';
import { VERSION } from './identity.ts';
import type { TaskFunction } from './scheduler.ts';

/** send_heartbeat's event (created and stamped now, not fired). */
export function heartbeatEvent(core: SwitchCore): SwitchEvent {
  const ev = core.bus.create('HEARTBEAT');
  const up = core.uptimeUs();
  const l = core.limits.snapshot();
  ev.addHeader('Event-Info', 'System Ready');
  ev.addHeader('Up-Time', formatUptime(up));
  ev.addHeader('FreeSWITCH-Version', VERSION.full);
  ev.addHeader('Uptime-msec', String(Math.floor(up / 1000)));
  ev.addHeader('Session-Count', String(core.sessions.count));
  ev.addHeader('Max-Sessions', String(core.limits.maxSessions));
  ev.addHeader('Session-Per-Sec', String(l.sps >>> 0));
  ev.addHeader('Session-Per-Sec-Last', String(l.spsLast >>> 0));
  ev.addHeader('Session-Per-Sec-Max', String(l.spsPeak >>> 0));
  ev.addHeader('Session-Per-Sec-FiveMin', String(l.spsPeakFiveMin >>> 0));
  ev.addHeader('Session-Since-Startup', String(core.sessions.sinceStartup));
  ev.addHeader('Session-Peak-Max', String(core.sessions.peak));
  ev.addHeader('Session-Peak-FiveMin', String(l.sessionsPeakFiveMin));
  ev.addHeader('Idle-CPU', core.idleCpu().toFixed(6));
  return ev;
}

/**
 * Lists the core's own tasks (switch_core_init), due now: `heartbeat` (task 1) fires HEARTBEAT and
 * comes back every `event-heartbeat-interval` seconds; `check_ip` (task 2) comes back every 60 s.
 * Neither can be deleted.
 */
export function addCoreTasks(core: SwitchCore): void {
  const nowSec = () => core.scheduler.nowSec();
  const start = nowSec();
  const flags = { noDelete: true };
  const heartbeat: TaskFunction = (task) => {
    core.fire(heartbeatEvent(core));
    task.runtime = nowSec() + core.heartbeatIntervalSec;
  };
  // FreeSWITCH runs check_ip in a thread of its own; here it does nothing, so it runs in place
  const checkIp: TaskFunction = (task) => {
    task.runtime = nowSec() + 60;
  };
  core.scheduler.add(start, heartbeat, 'heartbeat', 'core', flags, false);
  core.scheduler.add(start, checkIp, 'check_ip', 'core', flags, false);
}
