/**
 * execute_extension (switch_core_session_execute_exten): `<extension> [<dialplan>] [<context>]`
 * hunted with a copy of the caller profile (that destination, and the dialplan / context when
 * given), then its applications run nested in this one, in order, while the channel is up. The
 * channel's own profile and extension stay as they were.
 */
import { separateString } from '../internal/strings.ts';
import type { Application } from './types.ts';

const EXE_USAGE = 'Usage: <extension> <dialplan> <context>';

/** SWITCH_MAX_STACKS. */
const MAX_STACKS = 32;

export const EXECUTE_EXTENSION: Application = {
  name: 'execute_extension',
  run: async (ch, data, done) => {
    const [exten, dialplan, context] = data === '' ? [] : separateString(data, ' ', 4);
    if (exten === undefined) {
      ch.core.log('ERR', EXE_USAGE, ch.uuid);
      await done();
      return undefined;
    }
    if (ch.stackDepth > MAX_STACKS) {
      ch.core.log('ERR', `Error ${ch.name} too many stacked extensions [depth=${ch.stackDepth}]`, ch.uuid);
      await done();
      return undefined;
    }
    const extension = await ch.huntExtension({
      ...ch.profile,
      destinationNumber: exten,
      ...(dialplan ? { dialplan } : {}),
      ...(context ? { context } : {}),
    });
    const apps = extension?.applications ?? [];
    let next = 0;
    let stopped = false;
    /** The applications from `next` on; false while one waits (it calls back here when it is over). */
    const runFrom = async (): Promise<boolean> => {
      while (!stopped && !ch.hungUp && next < apps.length) {
        const app = apps[next++];
        if (!app) break;
        ch.core.log('NOTICE', `Execute [depth=${ch.stackDepth}] ${app.application}(${app.data})`, ch.uuid);
        const finished = await ch.execute(app.application, app.data, async () => {
          if (await runFrom()) await done();
        });
        if (!finished) return false;
      }
      return true;
    };
    if (await runFrom()) {
      await done();
      return undefined;
    }
    return async () => {
      stopped = true;
      await done();
    };
  },
};
