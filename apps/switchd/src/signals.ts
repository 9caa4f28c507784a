/**
 * SIGHUP as FreeSWITCH takes it (switch_core.c handle_SIGHUP): not a reason to stop. The switch
 * fires a TRAP event with `Trapped-Signal: HUP` for whoever binds to it (FreeSWITCH's mod_logfile
 * reopens its files on it) and runs on. switchd writes its log to stdout only, so it has no file
 * to reopen; the line it logs says so.
 */
import { type Switch, fireTrap } from '@beamline/switch';
import type { ConsoleLog } from './log.ts';

/** The TRAP event of a trapped signal ('HUP'), fired on the switch's bus; false when no switch runs. */
export function fireTrappedSignal(sw: Pick<Switch, 'core'> | undefined, signal: string): boolean {
  if (!sw) return false;
  fireTrap(sw.core, signal);
  return true;
}

/** What switchd does on SIGHUP: the TRAP event, one log line, and it keeps running. */
export function onSighup(sw: Pick<Switch, 'core'> | undefined, log: ConsoleLog): void {
  const fired = fireTrappedSignal(sw, 'HUP');
  log.log(
    'NOTICE',
    'switchd',
    `SIGHUP: ${fired ? 'TRAP event fired (Trapped-Signal: HUP)' : 'no switch running, no TRAP event'}; still running (the log goes to stdout only: no log file to reopen; SIGINT or SIGTERM stops switchd)`,
  );
}
