/**
 * switch.conf `<settings>` as switch_load_core_config reads them: `loglevel` (a leading digit
 * → atoi, else a level name; invalid → ignored), `max-sessions` and `sessions-per-second`
 * (atoi, when not empty; a value that reads as 0 is not set, so the default stays — we also say
 * so in a WARNING, and take a negative one the same way: DECISIONS #391), `event-heartbeat-interval`
 * (atol; not > 0 → ERR "heartbeat-interval must be a greater than 0" and the default stays),
 * `min-idle-cpu` (atof, when not empty; a negative one is not taken, as switch_core_min_idle_cpu)
 * and `cpu-idle-smoothing-depth` (atoi, when not empty; not above 0 means the default, 30).
 */
import { atof, atoi } from '../internal/strings.ts';
import { LOG_INVALID, logStr2Level } from '../log/levels.ts';

export interface CoreSettings {
  readonly logLevel?: number;
  readonly maxSessions?: number;
  readonly sessionsPerSecond?: number;
  readonly heartbeatIntervalSec?: number;
  readonly minIdleCpu?: number;
  readonly cpuIdleSmoothingDepth?: number;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * switch_core_session_limit / switch_core_sessions_per_second: only a value above 0 is taken;
 * the other ones keep the default, with a WARNING naming the value.
 */
function positiveLimit(name: string, val: string, warnings: string[]): number | undefined {
  const n = atoi(val);
  if (n > 0) return n;
  warnings.push(`switch.conf: ${name} "${val}" is not a number above 0: ignored`);
  return undefined;
}

export function coreSettings(params: ReadonlyMap<string, string>): CoreSettings {
  const errors: string[] = [];
  const warnings: string[] = [];
  let logLevel: number | undefined;
  let maxSessions: number | undefined;
  let sessionsPerSecond: number | undefined;
  let heartbeatIntervalSec: number | undefined;
  let minIdleCpu: number | undefined;
  let cpuIdleSmoothingDepth: number | undefined;
  for (const [name, val] of params) {
    if (name === 'loglevel') {
      const level = /^[0-9]/.test(val) ? atoi(val) : logStr2Level(val);
      if (level !== LOG_INVALID) logLevel = level;
    } else if (name === 'event-heartbeat-interval') {
      const n = atoi(val);
      if (n > 0) heartbeatIntervalSec = n;
      else errors.push('heartbeat-interval must be a greater than 0');
    } else if (name === 'sessions-per-second' && val !== '') {
      sessionsPerSecond = positiveLimit(name, val, warnings) ?? sessionsPerSecond;
    } else if (name === 'max-sessions' && val !== '') {
      maxSessions = positiveLimit(name, val, warnings) ?? maxSessions;
    } else if (name === 'min-idle-cpu' && val !== '') {
      const n = atof(val);
      if (n >= 0) minIdleCpu = n;
    } else if (name === 'cpu-idle-smoothing-depth' && val !== '') {
      cpuIdleSmoothingDepth = atoi(val);
    }
  }
  return {
    ...(logLevel === undefined ? {} : { logLevel }),
    ...(maxSessions === undefined ? {} : { maxSessions }),
    ...(sessionsPerSecond === undefined ? {} : { sessionsPerSecond }),
    ...(heartbeatIntervalSec === undefined ? {} : { heartbeatIntervalSec }),
    ...(minIdleCpu === undefined ? {} : { minIdleCpu }),
    ...(cpuIdleSmoothingDepth === undefined ? {} : { cpuIdleSmoothingDepth }),
    errors,
    warnings,
  };
}
