/**
 * mod_dptools' `system` and `bgsystem`: a shell command (`/bin/sh -c`, as switch_system's fork
 * runs system(3)). `system` ends when the command has; `bgsystem` leaves it running. Its output
 * goes nowhere (FreeSWITCH's child writes to the switch's own stdout).
 */
import { spawn } from 'node:child_process';
import type { Application, AppChannel } from './types.ts';

/** switch_system: the command started; `exited` once it is over (also when it could not start: `false`). */
export function switchSystem(command: string, exited?: (started: boolean) => void): void {
  try {
    const child = spawn('/bin/sh', ['-c', command], { stdio: 'ignore', detached: !exited });
    child.once('error', () => exited?.(false));
    child.once('exit', () => exited?.(true));
    if (!exited) child.unref();
  } catch {
    exited?.(false);
  }
}

const failed = (ch: AppChannel, data: string) => ch.core.log('NOTICE', `Failed to execute command: ${data}`, ch.uuid);

export const DPTOOLS_SYSTEM: readonly Application[] = [
  {
    name: 'system',
    zombieExec: true,
    run: (ch, data, done) => {
      ch.core.log('NOTICE', `Executing command: ${data}`, ch.uuid);
      let over = false;
      const finish = async () => {
        if (over) return;
        over = true;
        await done();
      };
      ch.aside(
        () => new Promise<boolean>((resolve) => switchSystem(data, resolve)),
        async (started) => {
          if (!started) failed(ch, data);
          await finish();
        },
      );
      // a hangup ends the application; the command runs on (FreeSWITCH's waitpid is not interrupted)
      return finish;
    },
  },
  {
    name: 'bgsystem',
    zombieExec: true,
    run: async (ch, data, done) => {
      ch.core.log('NOTICE', `Executing command: ${data}`, ch.uuid);
      switchSystem(data);
      await done();
      return undefined;
    },
  },
];
