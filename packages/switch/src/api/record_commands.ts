/**
 * mod_commands' `uuid_record <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]`
 * (session_record_function; also `pause` / `resume`): a session recording started or acted on from
 * outside the call (applications/session_recording.ts), with mod_commands' usage and replies.
 */
import {
  type RecordingVars,
  maskSessionRecording,
  pauseSessionRecording,
  startSessionRecording,
  stopSessionRecording,
} from '../applications/session_recording.ts';
import { parseRecordingVars } from '../applications/recording_model.ts';
import { FILE_RECORDING_SINK, type RecordingSink } from '../applications/recording_sink.ts';
import type { Channel } from '../channel/channel.ts';
import { atoi, separateString, urlDecode } from '../internal/strings.ts';
import type { ApiCommand } from './registry.ts';
import { callChannel } from './uuid_commands.ts';

const SESS_REC_SYNTAX = '<uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]';
const NO_SESSION = '-ERR Cannot locate session!\n';

/**
 * switch_ivr_record_session_event's first steps for a channel reached from outside: the
 * pre-answer (an inbound leg), then media must be up.
 */
async function startOnChannel(ch: Channel, path: string, limit: number, vars: RecordingVars, sink: RecordingSink): Promise<boolean> {
  if (ch.hungUp) return false;
  if (!ch.mediaUp && ch.spec.direction === 'inbound' && !(await ch.preAnswer())) return false;
  if (!ch.mediaUp) {
    ch.core.log('ERR', 'Can not record session.  Media not enabled on channel', ch.uuid);
    return false;
  }
  return startSessionRecording(ch, path, limit, vars, sink);
}

type RecordAction = (ch: Channel) => boolean | Promise<boolean>;

/** The actions (any case) and their failure replies. */
function recordAction(action: string, path: string, limit: number, vars: RecordingVars, sink: RecordingSink): [RecordAction, string] | undefined {
  switch (action.toLowerCase()) {
    case 'start':
      return [(ch) => startOnChannel(ch, path, limit, vars, sink), '-ERR Cannot record session!\n'];
    case 'stop':
      return [(ch) => stopSessionRecording(ch, path), '-ERR Cannot stop record session!\n'];
    case 'pause':
      return [(ch) => pauseSessionRecording(ch, path, true), '-ERR Cannot pause recording session!\n'];
    case 'resume':
      return [(ch) => pauseSessionRecording(ch, path, false), '-ERR Cannot resume recording session!\n'];
    case 'mask':
      return [(ch) => maskSessionRecording(ch, path, true), '-ERR Cannot mask recording session!\n'];
    case 'unmask':
      return [(ch) => maskSessionRecording(ch, path, false), '-ERR Cannot unmask recording session!\n'];
    default:
      return undefined;
  }
}

/** The command, recording through `sink`. */
export function recordCommands(sink: RecordingSink = FILE_RECORDING_SINK): ApiCommand[] {
  return [
    {
      name: 'uuid_record',
      syntax: SESS_REC_SYNTAX,
      description: 'Record session audio',
      module: 'mod_commands',
      run: async (args, env) => {
        const usage = `-USAGE: ${SESS_REC_SYNTAX}\n`;
        const argv = args === '' ? [] : separateString(args, ' ', 5);
        const [uuid, actionWord, path, limitWord, varsWord] = argv;
        if (argv.length < 3 || !uuid || !actionWord || !path) return usage;
        // the session is located before the action is read
        if (!env.core.sessions.has(uuid)) return NO_SESSION;
        const vars = varsWord === undefined ? [] : (parseRecordingVars(urlDecode(varsWord)) ?? []);
        const action = recordAction(actionWord, path, limitWord === undefined ? 0 : atoi(limitWord), vars, sink);
        if (!action) return usage;
        const [act, failure] = action;
        const work = async (ch: Channel) => {
          try {
            return await act(ch);
          } catch (err) {
            ch.core.log('ERR', `uuid_record ${actionWord} failed: ${String(err)}`, ch.uuid);
            return false;
          }
        };
        const done = await callChannel<boolean>(env, uuid, { op: 'work', work });
        if (!done) return NO_SESSION;
        return done.value ? '+OK Success\n' : failure;
      },
    },
  ];
}

export const RECORD_COMMANDS: readonly ApiCommand[] = recordCommands();
