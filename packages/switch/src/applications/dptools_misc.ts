/**
 * Small mod_dptools applications: `verbose_events` (CF_VERBOSE_EVENTS: every event of the channel
 * carries its variables), `mkdir <path>` (switch_dir_make_recursive: parents too, failures
 * silent), `session_loglevel <level>` (the channel's own log level, as uuid_loglevel),
 * `set_zombie_exec` (CF_ZOMBIE_EXEC, as uuid_zombie_exec), `park_state` (switch_ivr_park_session,
 * as uuid_park) and `eval` / `stop`, which do nothing.
 */
import { mkdirSync } from 'node:fs';
import { LOG_INVALID, logLevel2Str, logStr2Level } from '../log/levels.ts';
import { sync } from './dptools.ts';
import type { Application } from './types.ts';

/** SWITCH_DEFAULT_DIR_PERMS: rwxr-x---. */
const DIR_PERMS = 0o750;

export const DPTOOLS_MISC: readonly Application[] = [
  { name: 'verbose_events', routingExec: true, run: sync((ch) => ch.setVerboseEvents()) },
  {
    name: 'mkdir',
    run: sync((ch, data) => {
      try {
        mkdirSync(data, { recursive: true, mode: DIR_PERMS });
      } catch {
        // switch_dir_make_recursive's status is not looked at
      }
      ch.core.log('DEBUG', `${ch.name} MKDIR: ${data}`, ch.uuid);
    }),
  },
  {
    // switch_core_session_set_loglevel, as uuid_loglevel on the channel itself
    name: 'session_loglevel',
    run: sync((ch, data) => {
      if (data === '') return ch.core.log('ERR', 'No log level specified', ch.uuid);
      const level = logStr2Level(data);
      if (level === LOG_INVALID) return ch.core.log('ERR', `Invalid log level: ${data}`, ch.uuid);
      ch.core.log('DEBUG', `Setting log level "${logLevel2Str(level)}" on session`, ch.uuid);
      ch.core.logger.setSessionLevel(ch.uuid, level);
    }),
  },
  {
    name: 'set_zombie_exec',
    routingExec: true,
    run: sync((ch) => {
      if (ch.hungUp) return;
      ch.core.log('DEBUG', `${ch.name} MMM Brains....`, ch.uuid);
      ch.zombieExec = true;
    }),
  },
  // switch_ivr_park_session: the channel goes to CS_PARK, the extension's remaining applications do not run
  { name: 'park_state', needsMedia: true, run: sync((ch) => ch.parkSession()) },
  { name: 'eval', routingExec: true, zombieExec: true, run: sync(() => {}) },
  { name: 'stop', routingExec: true, run: sync(() => {}) },
];
