/**
 * mod_dptools' `limit` and `limit_hash`: count the channel on a limited resource through a limit
 * backend (core/limit_hash.ts, `hash` only) and, when over the limit, transfer it to the given
 * destination (`limit_exceeded` by default) or, for `!<cause>`, hang it up; `limit_execute` and
 * `limit_hash_execute`: an application run only while counted.
 */
import { parseCause } from '../channel/causes.ts';
import { LIMIT_DEF_XFER_EXTEN } from '../core/limit_hash.ts';
import { atoi, separateString, switchTrue } from '../internal/strings.ts';
import { sync } from './dptools.ts';
import type { AppChannel, Application, Interrupter } from './types.ts';

export const LIMIT_USAGE = '<backend> <realm> <id> [<max>[/interval]] [number [dialplan [context]]]';
const COMPAT_FLAG = 'switch_limit_backwards_compat_flag';

/** `<max>[/<interval>]`: `-…` is no maximum (a counter only); a negative number is 0. */
export function parseMax(word: string | undefined): { max: number; interval: number } {
  if (word === undefined || word.startsWith('-')) return { max: -1, interval: 0 };
  const slash = word.indexOf('/');
  const interval = slash < 0 ? 0 : atoi(word.slice(slash + 1));
  const max = atoi(slash < 0 ? word : word.slice(0, slash));
  return { max: Math.max(max, 0), interval };
}

/** limit_function. */
async function limit(ch: AppChannel, data: string): Promise<void> {
  let argv = data === '' ? [] : separateString(data, ' ', 7);
  if (argv.length < 1) {
    ch.core.log('ERR', `USAGE: limit ${LIMIT_USAGE}`, ch.uuid);
    return;
  }
  // the old argument order (no backend) when the compatibility flag is on: the `db` backend
  if (switchTrue(ch.variable(COMPAT_FLAG)) && argv[0] !== 'hash') {
    ch.core.log(
      'WARNING',
      `Unknown backend '${argv[0]}'.  To maintain backwards compatability, falling back on db backend and shifting argumens. Either update your diaplan to include the backend, fix the typo, or load the appropriate limit implementation module.`,
    );
    argv = separateString(`db ${data}`, ' ', 7);
  }
  const [backend = '', realm, id, maxWord, xfer = LIMIT_DEF_XFER_EXTEN, dialplan, context] = argv;
  if (realm === undefined || id === undefined) {
    ch.core.log('ERR', `USAGE: limit ${LIMIT_USAGE}`, ch.uuid);
    return;
  }
  const { max, interval } = parseMax(maxWord);
  if (ch.core.limitHash.incr(backend, ch, realm, id, max, interval)) return;
  if (xfer.startsWith('!')) await ch.send({ type: 'HANGUP', cause: parseCause(xfer.slice(1)) });
  else await ch.redirect(xfer, dialplan, context);
}

export const LIMIT_EXECUTE_USAGE = '<backend> <realm> <id> <max>[/interval] <application> [application arguments]';

/**
 * limit_execute_function: the application (its arguments are required: fewer than six words is the
 * usage) runs nested only when the count allows it, and the count is released as soon as it is
 * over, unless the channel left CS_EXECUTE meanwhile (then the hangup releases it). Over the limit
 * nothing runs and nothing else happens. `done` once it is all over.
 */
async function limitExecute(ch: AppChannel, data: string, done: () => void | Promise<void>): Promise<Interrupter | undefined> {
  let argv = data === '' ? [] : separateString(data, ' ', 6);
  if (switchTrue(ch.variable(COMPAT_FLAG)) && argv.length === 5) {
    ch.core.log('WARNING', "Using deprecated limit api: Please specify backend.  Defaulting to 'db' backend.");
    argv = separateString(`db ${data}`, ' ', 6);
  }
  const [backend = '', realm = '', id = '', maxWord, app = '', appArg = ''] = argv;
  if (argv.length < 6) ch.core.log('ERR', `USAGE: limit_execute ${LIMIT_EXECUTE_USAGE}`, ch.uuid);
  else if (app === '') ch.core.log('ERR', 'Missing application', ch.uuid);
  else if (ch.core.limitHash.incr(backend, ch, realm, id, parseMax(maxWord).max, parseMax(maxWord).interval)) {
    const release = async () => {
      if (ch.view.state === 'CS_EXECUTE') {
        ch.core.log('INFO', 'immediately releasing', ch.uuid);
        ch.core.limitHash.release(backend, ch.uuid, realm, id);
      }
      await done();
    };
    if (!(await ch.execute(app, appArg, release))) return () => done();
    await release();
    return undefined;
  }
  await done();
  return undefined;
}

export const LIMIT_APPLICATIONS: readonly Application[] = [
  { name: 'limit_execute', run: limitExecute },
  {
    // deprecated: `limit_execute hash …` only when the compatibility flag is on
    name: 'limit_hash_execute',
    run: async (ch, data, done) => {
      if (!switchTrue(ch.variable(COMPAT_FLAG))) {
        ch.core.log('ERR', "'limit_hash_execute' (deprecated) is only available after loading mod_limit.");
        await done();
        return undefined;
      }
      ch.core.log('WARNING', "Using deprecated 'limit_hash_execute' api: Please use 'limit_execute hash'.");
      return limitExecute(ch, `hash ${data}`, done);
    },
  },
  { name: 'limit', run: sync(limit) },
  {
    // deprecated: `limit hash …` only when the compatibility flag is on
    name: 'limit_hash',
    run: sync(async (ch, data) => {
      if (!switchTrue(ch.variable(COMPAT_FLAG))) {
        ch.core.log('ERR', "'limit_hash' (deprecated) is only available after loading mod_limit.");
        return;
      }
      ch.core.log('WARNING', "Using deprecated 'limit_hash' api: Please use 'limit hash'.");
      await limit(ch, `hash ${data}`);
    }),
  },
];
