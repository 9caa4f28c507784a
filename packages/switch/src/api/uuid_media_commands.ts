/**
 * mod_commands' `uuid_displace` (session_displace_function) and `uuid_audio`
 * (session_audio_function): a file played into a call, and a call's audio muted or made louder or
 * softer, each a replacing media bug (applications/displace.ts, applications/session_audio.ts).
 */
import { startDisplace, stopDisplace } from '../applications/displace.ts';
import { sessionAudio, stopSessionAudio } from '../applications/session_audio.ts';
import type { Channel } from '../channel/channel.ts';
import { atoi, caseEqual, separateString } from '../internal/strings.ts';
import type { ApiCommand } from './registry.ts';
import { callChannel } from './uuid_commands.ts';

const DISPLACE_SYNTAX = '<uuid> [start|stop] <path> [<limit>] [mux]';
const AUDIO_SYNTAX = '<uuid> [start [read|write] [mute|level <level>]|stop]';

/** Runs `work` in the channel's process; undefined when the channel is gone; a throw is false. */
async function onChannel(env: Parameters<ApiCommand['run']>[1], uuid: string, what: string, work: (ch: Channel) => boolean | Promise<boolean>) {
  return callChannel<boolean>(env, uuid, {
    op: 'work',
    work: async (ch: Channel) => {
      try {
        return await work(ch);
      } catch (err) {
        ch.core.log('ERR', `${what} failed: ${String(err)}`, ch.uuid);
        return false;
      }
    },
  });
}

export const UUID_MEDIA_COMMANDS: readonly ApiCommand[] = [
  {
    name: 'uuid_displace',
    syntax: DISPLACE_SYNTAX,
    description: 'Displace audio',
    module: 'mod_commands',
    run: async (args, env) => {
      const usage = `-USAGE: ${DISPLACE_SYNTAX}\n`;
      const argv = args === '' ? [] : separateString(args, ' ', 5);
      const [uuid, action, path, limit, flags] = argv;
      if (argv.length < 3 || !uuid || !action || !path) return usage;
      if (!env.core.sessions.has(uuid)) return '-ERR Cannot locate session!\n';
      if (caseEqual(action, 'start')) {
        const done = await onChannel(env, uuid, 'uuid_displace', (ch) => startDisplace(ch, path, limit ? atoi(limit) : 0, flags));
        return done?.value ? '+OK Success\n' : '-ERR Cannot displace session!\n';
      }
      if (caseEqual(action, 'stop')) {
        const done = await onChannel(env, uuid, 'uuid_displace', (ch) => stopDisplace(ch, path));
        return done?.value ? '+OK Success\n' : '-ERR Cannot stop displace session!\n';
      }
      return usage;
    },
  },
  {
    name: 'uuid_audio',
    syntax: AUDIO_SYNTAX,
    description: 'uuid_audio',
    module: 'mod_commands',
    run: async (args, env) => {
      const usage = `-USAGE: ${AUDIO_SYNTAX}\n`;
      const argv = args === '' ? [] : separateString(args, ' ', 5);
      const [uuid = '', action = '', direction = '', cmd = '', levelWord = ''] = argv;
      if (argv.length < 2) return usage;
      if (!env.core.sessions.has(uuid)) return '-ERR No such channel!\n';
      if (caseEqual(action, 'stop')) {
        return (await onChannel(env, uuid, 'uuid_audio', (ch) => stopSessionAudio(ch) || true)) ? '+OK\n' : '-ERR No such channel!\n';
      }
      if (!caseEqual(action, 'start') || argv.length < 5 || (!caseEqual(direction, 'read') && !caseEqual(direction, 'write'))) return usage;
      if (!caseEqual(cmd, 'mute') && !caseEqual(cmd, 'level')) return usage;
      const level = atoi(levelWord);
      const done = await onChannel(env, uuid, 'uuid_audio', async (ch) => {
        // switch_ivr_session_audio pre-answers first, and does nothing when that fails
        if (!ch.mediaUp && ch.spec.direction === 'inbound' && !(await ch.preAnswer())) return true;
        sessionAudio(ch, cmd.toLowerCase(), direction.toLowerCase(), level);
        return true;
      });
      return done ? '+OK\n' : '-ERR No such channel!\n';
    },
  },
];
