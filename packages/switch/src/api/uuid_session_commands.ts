/**
 * mod_commands' session flags and timers: `uuid_session_heartbeat <uuid> [sched] [0|<seconds>]`
 * (channel/heartbeat.ts), `uuid_early_ok <uuid>` (CF_EARLY_OK), `uuid_zombie_exec <uuid>`
 * (CF_ZOMBIE_EXEC), `uuid_xfer_zombie <uuid>` (CF_XFER_ZOMBIE), `uuid_capture_text <uuid> <on|off>`, `uuid_loglevel <uuid> [-b] <level>` (switch_core_session_set_loglevel, on the
 * bridged partner too with `-b`) and `uuid_fileman <uuid> <cmd>:<val>` (media/fileman.ts), each
 * with FreeSWITCH's replies.
 */
import { captureText } from '../applications/capture_text.ts';
import type { Channel } from '../channel/channel.ts';
import { disableHeartbeat, enableHeartbeat, heartbeatSeconds, schedHeartbeat } from '../channel/heartbeat.ts';
import { LOG_INVALID, logStr2Level } from '../log/levels.ts';
import { caseEqual, separateString, switchTrue } from '../internal/strings.ts';
import { processFileHandle } from '../media/fileman.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';
import { callChannel } from './uuid_commands.ts';

const HEARTBEAT_SYNTAX = '<uuid> [sched] [0|<seconds>]';
const LOGLEVEL_SYNTAX = '<uuid> <level>';
const FILEMAN_SYNTAX = '<uuid> <cmd>:<val>';

/** Runs `work` in the channel's process: its result, or undefined when there is no such channel. */
async function onChannel<T>(env: ApiEnv, uuid: string, work: (ch: Channel) => T): Promise<{ value: T } | undefined> {
  if (!env.core.sessions.has(uuid)) return undefined;
  return callChannel<T>(env, uuid, { op: 'work', work });
}

export const UUID_SESSION_COMMANDS: readonly ApiCommand[] = [
  {
    name: 'uuid_session_heartbeat',
    syntax: HEARTBEAT_SYNTAX,
    description: 'uuid_session_heartbeat',
    module: 'mod_commands',
    run: async (args, env) => {
      const argv = args === '' ? [] : separateString(args, ' ', 3);
      const [uuid = '', second = ''] = argv;
      if (argv.length < 2 || uuid === '') return `-USAGE: uuid_session_heartbeat ${HEARTBEAT_SYNTAX}\n`;
      const sched = caseEqual(second, 'sched');
      const word = sched ? argv[2] : second;
      // `<uuid> sched` with no seconds after it: FreeSWITCH reads past its arguments; here it is bad usage
      if (word === undefined) return `-USAGE: uuid_session_heartbeat ${HEARTBEAT_SYNTAX}\n`;
      const seconds = heartbeatSeconds(word);
      const done = await onChannel(env, uuid, (ch) => {
        if (seconds === 0) disableHeartbeat(ch);
        else if (sched) schedHeartbeat(ch);
        else enableHeartbeat(ch, seconds);
      });
      return done ? '+OK\n' : `-ERR Cannot locate session. USAGE: uuid_session_heartbeat ${HEARTBEAT_SYNTAX}\n`;
    },
  },
  {
    name: 'uuid_early_ok',
    syntax: '<uuid>',
    description: 'stop ignoring early media',
    module: 'mod_commands',
    run: async (args, env) => {
      const done = args !== '' && (await onChannel(env, args, (ch) => ch.allowEarlyMedia()));
      return done ? '' : '-ERROR\n';
    },
  },
  {
    name: 'uuid_zombie_exec',
    syntax: '<uuid>',
    description: 'Set zombie_exec flag on the specified uuid',
    module: 'mod_commands',
    run: async (args, env) => {
      const done =
        args !== '' &&
        (await onChannel(env, args, (ch) => {
          ch.zombieExec = true;
        }));
      return done ? '+OK MMM Brains...\n' : '-ERR no such session\n';
    },
  },
  {
    name: 'uuid_xfer_zombie',
    run: async (args, env) => {
      const [uuid] = args === '' ? [] : separateString(args, ' ', 2);
      if (!uuid) return '-USAGE: <uuid>\n';
      const done = await onChannel(env, uuid, (ch) => {
        ch.xferZombie = true;
      });
      return done ? '+OK Success\n' : '-ERR Operation Failed\n';
    },
  },
  {
    name: 'uuid_capture_text',
    run: async (args, env) => {
      const space = args.indexOf(' ');
      const uuid = space < 0 ? args : args.slice(0, space);
      const onoff = space < 0 ? '' : args.slice(space + 1);
      if (uuid === '' || onoff === '') return '-USAGE: <uuid> <on|off>\n';
      const done = await onChannel(env, uuid, (ch) => captureText(ch, switchTrue(onoff)));
      return done ? '' : `-ERR No such channel ${uuid}!\n`;
    },
  },
  {
    name: 'uuid_loglevel',
    syntax: LOGLEVEL_SYNTAX,
    description: 'Set loglevel on session',
    module: 'mod_commands',
    run: async (args, env) => {
      const space = args.indexOf(' ');
      const uuid = space < 0 ? args : args.slice(0, space);
      let text = space < 0 ? '' : args.slice(space + 1);
      let partnerToo = false;
      if (text.toLowerCase().startsWith('-b')) {
        partnerToo = true;
        const next = text.indexOf(' ');
        text = next < 0 ? '' : text.slice(next + 1);
      }
      if (uuid === '' || text === '') return `-USAGE: ${LOGLEVEL_SYNTAX}\n`;
      const level = logStr2Level(text);
      if (level === LOG_INVALID) return '-ERR Invalid log level!\n';
      const partner = await onChannel(env, uuid, (ch) => {
        env.core.logger.setSessionLevel(ch.uuid, level);
        return ch.bridgePartner;
      });
      if (!partner) return `-ERR No such channel ${uuid}!\n`;
      if (partnerToo && partner.value && env.core.sessions.has(partner.value)) env.core.logger.setSessionLevel(partner.value, level);
      return '+OK\n';
    },
  },
  {
    name: 'uuid_fileman',
    syntax: FILEMAN_SYNTAX,
    description: 'Manage session audio',
    module: 'mod_commands',
    run: async (args, env) => {
      const argv = args === '' ? [] : separateString(args, ' ', 4);
      const [uuid = '', cmd = ''] = argv;
      if (argv.length < 2 || uuid === '') return `-USAGE: ${FILEMAN_SYNTAX}\n`;
      const found = await onChannel(env, uuid, (ch) => processFileHandle(ch, cmd));
      if (!found) return '-ERR No such channel!\n';
      return found.value ? '+OK\n' : '-ERR No file handle!\n';
    },
  },
];
