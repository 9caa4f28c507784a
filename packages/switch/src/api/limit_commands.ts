/**
 * mod_commands' limit API commands on the limit backends (core/limit_hash.ts, `hash` only):
 * limit_usage, limit_hash_usage, limit_status, limit_reset, limit_interval_reset, with
 * mod_commands' replies (most without a final newline) and usage texts.
 */
import { caseEqual, separateString } from '../internal/strings.ts';
import type { ApiCommand } from './registry.ts';

const LIMIT_USAGE_SYNTAX = '<backend> <realm> <id> [rate]';
const LIMIT_HASH_USAGE_SYNTAX = '<realm> <id> [rate] (Using deprecated limit api, check limit_usage with backend param)';
const LIMIT_INTERVAL_RESET_SYNTAX = '<backend> <realm> <resource>';

const words = (args: string, max: number) => (args === '' ? [] : separateString(args, ' ', max));

/** `<backend> <realm> <id> [rate]`; two words are the old form, on the `db` backend. */
const limitUsage: ApiCommand['run'] = (args, env) => {
  let argv = words(args, 5);
  if (argv.length === 2) {
    argv = words(`db ${args}`, 5);
    env.core.log('WARNING', "Using deprecated limit api: Please specify backend.  Defaulting to 'db' backend.");
  }
  const [backend, realm, id, rate] = argv;
  if (backend === undefined || realm === undefined || id === undefined) return `USAGE: limit_usage ${LIMIT_USAGE_SYNTAX}\n`;
  const [count, rcount] = env.core.limitHash.usage(backend, realm, id);
  return rate !== undefined && caseEqual(rate, 'rate') ? `${count}/${rcount}` : `${count}`;
};

export const LIMIT_COMMANDS: readonly ApiCommand[] = [
  {
    name: 'limit_usage',
    syntax: '<backend> <realm> <id>',
    description: 'Get the usage count of a limited resource',
    module: 'mod_commands',
    run: limitUsage,
  },
  {
    name: 'limit_hash_usage',
    syntax: '<realm> <id>',
    description: 'Deprecated: gets the usage count of a limited resource',
    module: 'mod_commands',
    run: (args, env) => (args === '' ? `USAGE: limit_hash_usage ${LIMIT_HASH_USAGE_SYNTAX}\n` : limitUsage(`hash ${args}`, env)),
  },
  {
    name: 'limit_status',
    syntax: '<backend>',
    description: 'Get the status of a limit backend',
    module: 'mod_commands',
    run: (args, env) => {
      const [backend] = words(args, 2);
      return backend === undefined ? 'USAGE: limit_status <backend>\n' : env.core.limitHash.status(backend);
    },
  },
  {
    name: 'limit_reset',
    syntax: '<backend>',
    description: 'Reset the counters of a limit backend',
    module: 'mod_commands',
    run: (args, env) => {
      const [backend] = words(args, 2);
      if (backend === undefined) return 'USAGE: limit_reset <backend>\n';
      return env.core.limitHash.reset(backend) ? '+OK' : '-ERR';
    },
  },
  {
    name: 'limit_interval_reset',
    syntax: LIMIT_INTERVAL_RESET_SYNTAX,
    description: 'Reset the interval counter for a limited resource',
    module: 'mod_commands',
    run: (args, env) => {
      const [backend, realm, resource] = words(args, 5);
      if (backend === undefined || realm === undefined || resource === undefined)
        return `USAGE: limit_interval_reset ${LIMIT_INTERVAL_RESET_SYNTAX}\n`;
      env.core.limitHash.intervalReset(backend, realm, resource);
      return '+OK';
    },
  },
];
