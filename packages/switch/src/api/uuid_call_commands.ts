/**
 * mod_commands' call-control commands on a channel found by uuid: `uuid_dual_transfer`
 * (dual_transfer_function), `uuid_outgoing_answer`, `uuid_limit` / `uuid_limit_release` (the
 * limit backends, core/limit_hash.ts) and `uuid_media` (switch_ivr_media / switch_ivr_nomedia:
 * every leg here is in the media path and none can leave it, so both answer as the C does when it
 * cannot: `-ERR Operation failed`).
 */
import { parseCause } from '../channel/causes.ts';
import { LIMIT_DEF_XFER_EXTEN } from '../core/limit_hash.ts';
import { parseMax } from '../applications/limit.ts';
import { separateString } from '../internal/strings.ts';
import type { ApiCommand } from './registry.ts';
import { callChannel } from './uuid_commands.ts';

const DUAL_TRANSFER_SYNTAX = '<uuid> <A-dest-exten>[/<A-dialplan>][/<A-context>] <B-dest-exten>[/<B-dialplan>][/<B-context>]';
const LIMIT_SYNTAX = '<uuid> <backend> <realm> <resource> [<max>[/interval]] [number [dialplan [context]]]';
const LIMIT_RELEASE_SYNTAX = '<uuid> <backend> [realm] [resource]';
const MEDIA_SYNTAX = '[off] <uuid>';

/** `<exten>[/<dialplan>[/<context>]]`, or `<exten>/inline` (the inline dialplan, the rest not split). */
export function transferTarget(dest: string): { destination: string; dialplan?: string; context?: string } {
  if (dest.length >= 7 && dest.indexOf('/inline') === dest.length - 7) return { destination: dest.slice(0, -7), dialplan: 'inline' };
  const slash = dest.indexOf('/');
  if (slash < 0) return { destination: dest };
  const rest = dest.slice(slash + 1);
  const second = rest.indexOf('/');
  return second < 0
    ? { destination: dest.slice(0, slash), dialplan: rest }
    : { destination: dest.slice(0, slash), dialplan: rest.slice(0, second), context: rest.slice(second + 1) };
}

export const UUID_CALL_COMMANDS: readonly ApiCommand[] = [
  {
    name: 'uuid_dual_transfer',
    syntax: DUAL_TRANSFER_SYNTAX,
    description: 'Transfer a session and its partner',
    module: 'mod_commands',
    run: async (args, env) => {
      const usage = `-USAGE: ${DUAL_TRANSFER_SYNTAX}\n`;
      if (args === '') return usage;
      const argv = separateString(args, ' ', 5);
      const [uuid, destA, destB] = argv;
      if (argv.length !== 3 || uuid === undefined || destA === undefined || destB === undefined) return usage;
      if (uuid === '' || !env.core.sessions.has(uuid)) return '-ERR No such channel!\n';
      const partner = (await callChannel<string | undefined>(env, uuid, { op: 'partner' }))?.value;
      // the partner first, told it is one half of a pair, then the channel
      if (partner && env.core.sessions.has(partner)) await callChannel(env, partner, { op: 'redirect', ...transferTarget(destB), silent: true });
      await callChannel(env, uuid, { op: 'redirect', ...transferTarget(destA) });
      return '+OK\n';
    },
  },
  {
    name: 'uuid_outgoing_answer',
    syntax: '<uuid>',
    description: 'Answer outgoing channel',
    module: 'mod_commands',
    run: async (args, env) => {
      if (args === '') return '-USAGE: <uuid>\n';
      const r = await callChannel<boolean>(env, args, {
        op: 'work',
        work: async (ch) => {
          if (ch.spec.direction !== 'outbound') return false;
          await ch.send({ type: 'MARK_ANSWERED' });
          return true;
        },
      });
      if (!r) return '-ERR No such channel!\n';
      return r.value ? '+OK\n' : '-ERR Not an outbound channel!\n';
    },
  },
  {
    name: 'uuid_limit',
    syntax: LIMIT_SYNTAX,
    description: 'Increase limit resource',
    module: 'mod_commands',
    run: async (args, env) => {
      const argv = args === '' ? [] : separateString(args, ' ', 8);
      const [uuid = '', backend = '', realm = '', resource = '', maxWord, xfer = LIMIT_DEF_XFER_EXTEN, dialplan, context] = argv;
      if (argv.length < 4) return `USAGE: uuid_limit ${LIMIT_SYNTAX}\n`;
      const { max, interval } = parseMax(maxWord);
      const r = await callChannel(env, uuid, {
        op: 'work',
        work: async (ch) => {
          if (env.core.limitHash.incr(backend, ch, realm, resource, max, interval)) return;
          if (xfer.startsWith('!')) await ch.send({ type: 'HANGUP', cause: parseCause(xfer.slice(1)) });
          else await ch.redirect(xfer, dialplan, context);
        },
      });
      return r ? '+OK' : `-ERR Cannot find session with uuid ${uuid}\n`;
    },
  },
  {
    name: 'uuid_limit_release',
    syntax: LIMIT_RELEASE_SYNTAX,
    description: 'Release limit resource',
    module: 'mod_commands',
    run: async (args, env) => {
      const argv = args === '' ? [] : separateString(args, ' ', 5);
      const [uuid = '', backend = '', realm, resource] = argv;
      if (argv.length < 2) return `USAGE: uuid_limit_release ${LIMIT_RELEASE_SYNTAX}\n`;
      const r = await callChannel(env, uuid, { op: 'work', work: (ch) => env.core.limitHash.release(backend, ch.uuid, realm, resource) });
      return r ? '+OK' : `-ERR Cannot find session with uuid ${uuid}\n`;
    },
  },
  {
    name: 'uuid_media',
    syntax: MEDIA_SYNTAX,
    description: 'Reinvite FS in or out of media path',
    module: 'mod_commands',
    run: (args) => {
      const argv = args === '' ? [] : separateString(args, ' ', 4);
      if (argv.length < 1 || !argv[0]) return `-USAGE: ${MEDIA_SYNTAX}\n`;
      // `off` would take the call out of the media path (bypass), which no leg here can do; `on`
      // finds every leg already in it (not CF_PROXY_MODE): switch_ivr_media fails then too
      return '-ERR Operation failed\n';
    },
  },
];
