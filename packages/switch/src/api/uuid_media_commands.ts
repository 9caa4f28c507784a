/**
 * mod_commands' `uuid_displace` (session_displace_function), `uuid_audio`
 * (session_audio_function) and `tone_detect` (tone_detect_session_function): a file played into a
 * call, a call's audio muted or made louder or softer, each a replacing media bug
 * (applications/displace.ts, applications/session_audio.ts), and a tone detector on a call
 * (applications/detect.ts).
 */
import { nowSec, startToneDetect } from '../applications/detect.ts';
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

const TONE_DETECT_SYNTAX = '<uuid> <key> <tone_spec> [<flags> <timeout> <app> <args> <hits>]';

/**
 * tone_detect_session_function's timeout: `+<secs>` from now (atoi as an unsigned number, 0 is
 * invalid) or epoch seconds not in the past; undefined (ERR `INVALID Timeout!`) when invalid.
 */
function toneTimeout(ch: Channel, word: string | undefined): number | undefined {
  if (word === undefined) return 0;
  const now = nowSec(ch);
  const at = word.startsWith('+') ? atoi(word.slice(1)) >>> 0 : atoi(word);
  if (word.startsWith('+') ? at > 0 : at >= now) return word.startsWith('+') ? now + at : at;
  ch.core.log('ERR', 'INVALID Timeout!', ch.uuid);
  return undefined;
}

export const UUID_MEDIA_COMMANDS: readonly ApiCommand[] = [
  {
    // fewer than three words: only an ERR log line, and no reply at all (as the C writes none)
    name: 'tone_detect',
    syntax: TONE_DETECT_SYNTAX,
    description: 'Start tone detection on a channel',
    module: 'mod_commands',
    run: async (args, env) => {
      const argv = args === '' ? [] : separateString(args, ' ', 8);
      const [uuid = '', key = '', freqs = '', flags, timeout, app, data, hitsWord] = argv;
      if (argv.length < 3) {
        env.core.log('ERR', '-ERR INVALID ARGS!');
        return '';
      }
      if (!env.core.sessions.has(uuid)) return '-ERR Cannot locate session!\n';
      const reply = await callChannel<string>(env, uuid, {
        op: 'work',
        work: (ch: Channel) => {
          const stopAt = toneTimeout(ch, timeout);
          if (stopAt === undefined) return '';
          const hits = hitsWord === undefined || atoi(hitsWord) < 0 ? 1 : atoi(hitsWord);
          startToneDetect(ch, { key, freqs, flags, stopAt, hits, app, data });
          return `+OK Enabling tone detection '${key}' '${freqs}' '${flags ?? '(null)'}'\n`;
        },
      });
      return reply?.value ?? '-ERR Cannot locate session!\n';
    },
  },
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
