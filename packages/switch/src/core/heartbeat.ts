/**
 * The core's scheduled tasks (switch_scheduler.c, switch_core.c): `heartbeat` (group `core`,
 * task 1) fires HEARTBEAT at startup and then every `event-heartbeat-interval` seconds;
 * `check_ip` (group `core`, task 2) runs at startup and every 60 s. After each run the scheduler
 * fires RE_SCHEDULE for the task. Task times are whole epoch seconds, as the scheduler's;
 * the per-second session budget is refilled lazily by SessionLimits.
 */
import { type ProcessContext, TIMEOUT } from '@beamline/core';
import { formatUptime } from '../api/core_commands.ts';
import type { SwitchEvent } from '../events/event.ts';
import type { SwitchCore } from './core.ts';
import { VERSION } from './identity.ts';

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

interface Task {
  readonly id: number;
  readonly desc: string;
  readonly group: string;
  /** Epoch seconds of the next run. */
  runtime: number;
  readonly run: () => void;
  /** Seconds to the run after this one. */
  readonly every: () => number;
}

/** The core's task list (heartbeat = 1, check_ip = 2), due at creation. */
export class CoreTasks {
  readonly #core: SwitchCore;
  readonly #tasks: Task[];

  constructor(core: SwitchCore) {
    this.#core = core;
    const start = this.#nowSec();
    this.#tasks = [
      { id: 1, desc: 'heartbeat', group: 'core', runtime: start, run: () => core.fire(heartbeatEvent(core)), every: () => core.heartbeatIntervalSec },
      { id: 2, desc: 'check_ip', group: 'core', runtime: start, run: () => {}, every: () => 60 },
    ];
  }

  #nowSec(): number {
    return Math.floor(this.#core.nowUs() / 1_000_000);
  }

  /** Runs every due task in list order, each followed by its RE_SCHEDULE; returns ms until the next one is due. */
  runDue(): number {
    const core = this.#core;
    const now = this.#nowSec();
    for (const t of this.#tasks) {
      if (now < t.runtime) continue;
      const late = now - t.runtime;
      if (late > 1) core.log('WARNING', `Task was executed late by ${late} seconds ${t.id} ${t.desc} (${t.group})`);
      t.run();
      t.runtime = this.#nowSec() + t.every();
      const ev = core.bus.create('RE_SCHEDULE');
      ev.addHeader('Task-ID', String(t.id));
      ev.addHeader('Task-Desc', t.desc);
      ev.addHeader('Task-Group', t.group);
      ev.addHeader('Task-Runtime', String(t.runtime));
      core.fire(ev);
    }
    const next = Math.min(...this.#tasks.map((t) => t.runtime));
    return Math.max(0, next * 1000 - core.nowUs() / 1000);
  }
}

const STOP = (m: unknown) => m === 'stop';

/** The scheduler thread: runs the tasks when due. Ends on the message 'stop'. */
export async function coreScheduler(ctx: ProcessContext, tasks: CoreTasks): Promise<void> {
  for (;;) {
    const waitMs = tasks.runDue();
    if ((await ctx.receive(STOP, waitMs)) !== TIMEOUT) return;
  }
}
