/**
 * Small mod_dptools applications: `verbose_events` (CF_VERBOSE_EVENTS: every event of the channel
 * carries its variables), `mkdir <path>` (switch_dir_make_recursive: parents too, failures
 * silent), and `eval` / `stop`, which do nothing.
 */
import { mkdirSync } from 'node:fs';
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
  { name: 'eval', routingExec: true, zombieExec: true, run: sync(() => {}) },
  { name: 'stop', routingExec: true, run: sync(() => {}) },
];
