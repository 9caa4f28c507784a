/**
 * uuid_broadcast, uuid_break, uuid_send_dtmf, uuid_recv_dtmf, uuid_flush_dtmf, uuid_drop_dtmf, uuid_hold and
 * uuid_buglist (mod_commands), as FreeSWITCH's source does them (switch_ivr_broadcast,
 * switch_core_session_send_dtmf_string, switch_channel_queue_dtmf_string, switch_ivr_hold,
 * switch_core_media_bug_enumerate); see packages/switch/DECISIONS.md for where the spec's table
 * and the source differ.
 */
import { type DtmfDurations, dtmfGroup, isDtmf, sendDtmfString } from '../channel/dtmf_string.ts';
import type { Channel } from '../channel/channel.ts';
import { caseEqual, separateString } from '../internal/strings.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';
import { type ChannelReach, callChannel } from './uuid_commands.ts';

const BROADCAST_USAGE = '-USAGE: <uuid> <path> [aleg|bleg|holdb|both]\n';
const DROP_DTMF_SYNTAX = '<uuid> [on | off ] [ mask_digits <digits> | mask_file <file>]';

/**
 * What uuid_broadcast's third word asks for (switch_stristr on each keyword, in this order):
 * the legs that run the application, and whether the other leg hears hold music meanwhile.
 */
export function broadcastLegs(word: string | undefined): { aleg: boolean; bleg: boolean; holdBleg: boolean } {
  if (word === undefined) return { aleg: true, bleg: false, holdBleg: true };
  const w = word.toLowerCase();
  let aleg = false;
  let bleg = false;
  let holdBleg = false;
  if (w.includes('both')) aleg = bleg = true;
  if (w.includes('aleg')) aleg = true;
  if (w.includes('bleg')) bleg = true;
  if (w.includes('holdb')) {
    bleg = false;
    holdBleg = true;
  }
  return { aleg, bleg, holdBleg };
}

/**
 * `app::arg` names the application (else `playback` of the whole path); an `!` in the application
 * name ends it and queues a hangup after it, with the cause after the `!` (normal_clearing when empty).
 */
export function broadcastTarget(path: string): { app: string; arg: string; hangupCause?: string } {
  let app = 'playback';
  let arg = path;
  const colon = path.indexOf(':');
  if (colon >= 0 && path[colon + 1] === ':') {
    app = path.slice(0, colon);
    arg = path.slice(colon + 2);
  }
  const bang = app.indexOf('!');
  if (bang < 0) return { app, arg };
  return { app: app.slice(0, bang), arg, hangupCause: app.slice(bang + 1) || 'normal_clearing' };
}

export type BroadcastLegs = ReturnType<typeof broadcastLegs>;

async function queue(env: ChannelReach, uuid: string, application: string, data: string, holdBleg = false): Promise<void> {
  await callChannel(env, uuid, { op: 'execute', application, data, lock: true, holdBleg });
}

/**
 * switch_ivr_broadcast: an event-locked execute of `path` (broadcastTarget) queued on the named
 * legs, the other leg's first, then the hangup an `app!cause` asks for. False when there is no
 * channel `uuid`.
 */
export async function broadcast(env: ChannelReach, uuid: string, path: string, legs: BroadcastLegs): Promise<boolean> {
  if (!env.core.sessions.has(uuid)) return false;
  const { app, arg, hangupCause } = broadcastTarget(path);
  if (legs.bleg) {
    const partner = await callChannel<string | undefined>(env, uuid, { op: 'partner' });
    if (partner?.value !== undefined) await queue(env, partner.value, app, arg);
  }
  if (legs.aleg) await queue(env, uuid, app, arg, legs.holdBleg);
  if (hangupCause !== undefined) await queue(env, uuid, 'hangup', hangupCause);
  return true;
}

const DTMF_USAGE = '-USAGE: <uuid> <dtmf_data>\n';

/** switch_core_session_send_dtmf_string on the channel `uuid`, from the command's process. */
async function sendDtmfTo(env: ApiEnv, uuid: string, text: string): Promise<boolean> {
  const name = (await callChannel<string | undefined>(env, uuid, { op: 'getvar', name: 'channel_name' }))?.value ?? uuid;
  return sendDtmfString(
    {
      name,
      down: async () => {
        const up = await callChannel<string | undefined>(env, uuid, { op: 'getvar', name: 'hangup_cause' });
        return !up || up.value !== undefined;
      },
      preAnswer: async () => {
        await callChannel(env, uuid, { op: 'preAnswer' });
      },
      pause: async (ms) => {
        await env.ctx.receive(() => false, ms);
      },
      send: async (digit, duration) => !!(await callChannel<boolean>(env, uuid, { op: 'sendDtmf', digit, duration }))?.value,
      setVariable: async (n, value) => {
        await callChannel(env, uuid, { op: 'setvar', name: n, value });
      },
      log: (level, line) => env.core.log(level, line, uuid),
      durations: env.core.control,
    },
    text,
  );
}

/**
 * switch_channel_queue_dtmf_string: `+`-separated groups of `digits[@ms]` as digits the channel
 * receives (an `@ms` above 50 sets the duration); undefined when nothing was a DTMF character and
 * something was not (GENERR).
 */
export function receivedDigits(
  text: string,
  warn: (line: string) => void,
  durations: DtmfDurations,
): { digit: string; duration: number }[] | undefined {
  const digits: { digit: string; duration: number }[] = [];
  let bad = 0;
  for (const group of separateString(text.startsWith('~') ? text.slice(1) : text, '+', 256)) {
    const { digits: groupDigits, duration } = dtmfGroup(group, durations);
    for (const digit of groupDigits) {
      if (!isDtmf(digit)) {
        bad++;
        continue;
      }
      let d = duration;
      if (d > durations.maxDtmfDuration) {
        warn(`EXCESSIVE DTMF DIGIT LEN ${digit} ${d}`);
        d = durations.maxDtmfDuration;
      }
      digits.push({ digit, duration: d });
    }
  }
  return digits.length === 0 && bad > 0 ? undefined : digits;
}

/**
 * uuid_break (also registered as `break`): the words after the uuid are searched for `all` (the
 * queued applications are dropped too) and `both` (the bridged partner as well).
 */
const uuidBreak: ApiCommand['run'] = async (args, env) => {
  if (args === '') return '-USAGE: <uuid> [all]\n';
  const sp = args.indexOf(' ');
  const uuid = sp < 0 ? args : args.slice(0, sp);
  const flags = sp < 0 ? '' : args.slice(sp + 1);
  const all = flags.includes('all');
  const partner = flags.includes('both') ? (await callChannel<string | undefined>(env, uuid, { op: 'partner' }))?.value : undefined;
  if (!(await callChannel(env, uuid, { op: 'break', all }))) return '-ERR No such channel!\n';
  if (partner !== undefined) await callChannel(env, partner, { op: 'break', all });
  return '+OK\n';
};

/**
 * uuid_buglist_function: the channel's media bugs as switch_core_media_bug_enumerate writes them
 * (no escaping; `thread-locked` is 1 only for a bug locked to the asking thread, never an API's);
 * nothing at all for an unknown uuid.
 */
function uuidBuglist(args: string, env: ApiEnv): string {
  const [uuid] = args === '' ? [] : separateString(args, ' ', 2);
  if (!uuid) return '-USAGE: <uuid>\n';
  if (!env.core.sessions.has(uuid)) return '';
  const bugs = env.core.media
    .bugs(uuid)
    .map(
      (b) =>
        ` <media-bug>\n  <function>${b.function}</function>\n  <target>${b.target}</target>\n  <thread-locked>0</thread-locked>\n </media-bug>\n`,
    );
  return `<media-bugs>\n${bugs.join('')}</media-bugs>\n`;
}

export const MEDIA_COMMANDS: readonly ApiCommand[] = [
  { name: 'uuid_break', run: uuidBreak },
  { name: 'break', run: uuidBreak },
  {
    name: 'uuid_broadcast',
    run: async (args, env) => {
      const argv = separateString(args, ' ', 4);
      const [uuid, path, legsWord] = argv;
      if (uuid === undefined || path === undefined) return BROADCAST_USAGE;
      return (await broadcast(env, uuid, path, broadcastLegs(legsWord))) ? '+OK Message sent\n' : '-ERR invalid uuid\n';
    },
  },
  {
    name: 'uuid_send_dtmf',
    run: async (args, env) => {
      const [uuid, digits] = separateString(args, ' ', 2);
      if (!uuid || !digits) return DTMF_USAGE;
      if (!env.core.sessions.has(uuid)) return '-ERR Cannot locate session!\n';
      return (await sendDtmfTo(env, uuid, digits)) ? `+OK ${uuid} sent DTMF ${digits}.\n` : '-ERR Operation failed\n';
    },
  },
  {
    name: 'uuid_recv_dtmf',
    syntax: '<uuid> <dtmf_data>',
    description: 'Receive dtmf digits',
    module: 'mod_commands',
    run: async (args, env) => {
      const usage = '-USAGE: <uuid> <dtmf_data>\n';
      const [uuid, text] = separateString(args, ' ', 2);
      if (!uuid || !text) return usage;
      if (!env.core.sessions.has(uuid)) return '-ERR Cannot locate session!\n';
      const digits = receivedDigits(text, (line) => env.core.log('WARNING', line, uuid), env.core.control);
      if (!digits) return usage;
      if (!(await callChannel(env, uuid, { op: 'receiveDtmf', digits }))) return '-ERR Cannot locate session!\n';
      return `+OK ${uuid} received DTMF ${text}.\n`;
    },
  },
  {
    name: 'uuid_flush_dtmf',
    syntax: '<uuid>',
    description: 'Flush dtmf on a given uuid',
    module: 'mod_commands',
    run: async (args, env) => ((await callChannel(env, args, { op: 'flushDtmf' })) ? '+OK\n' : '-ERR No such session\n'),
  },
  {
    // four words at least (mod_commands' argc < 4 is the usage, so `<uuid> on` alone is too);
    // the masking variables are emptied first, then set from the pair
    name: 'uuid_drop_dtmf',
    syntax: DROP_DTMF_SYNTAX,
    description: 'Drop all DTMF or replace it with a mask',
    module: 'mod_commands',
    run: async (args, env) => {
      const usage = `-USAGE: ${DROP_DTMF_SYNTAX}\n`;
      const argv = args === '' ? [] : separateString(args, ' ', 5);
      const [uuid = '', action, maskAction, maskArg] = argv;
      if (argv.length < 4) return usage;
      const reply = await callChannel<string>(env, uuid, {
        op: 'work',
        work: (ch: Channel) => {
          ch.setVariable('drop_dtmf_masking_digits', undefined);
          ch.setVariable('drop_dtmf_masking_file', undefined);
          if (maskAction && maskArg) {
            if (caseEqual(maskAction, 'mask_digits')) ch.setVariable('drop_dtmf_masking_digits', maskArg);
            else if (caseEqual(maskAction, 'mask_file')) ch.setVariable('drop_dtmf_masking_file', maskArg);
            else return usage;
          }
          if (action) {
            ch.dropDtmf = caseEqual(action, 'on');
            ch.setVariable('drop_dtmf', String(ch.dropDtmf));
          }
          const file = ch.variable('drop_dtmf_masking_file') ?? 'NONE';
          const digits = ch.variable('drop_dtmf_masking_digits') ?? 'NONE';
          return `+OK ${uuid} is ${ch.dropDtmf ? 'dropping' : 'not dropping'} DTMF. mask_file: ${file} mask_digits: ${digits}\n`;
        },
      });
      return reply?.value ?? `-ERR No such channel ${uuid}!\n`;
    },
  },
  {
    // an unknown uuid succeeds (switch_ivr_hold_uuid starts from SUCCESS); the usage line is
    // followed by the failure line, as mod_commands writes both
    name: 'uuid_hold',
    run: async (args, env) => {
      const argv = separateString(args, ' ', 4);
      const [first, second] = argv;
      if (first === undefined) return '-USAGE: [off|toggle] <uuid> [<display>]\n-ERR Operation failed\n';
      const mode = first.toLowerCase() === 'off' ? 'off' : first.toLowerCase() === 'toggle' ? 'toggle' : 'on';
      const uuid = mode === 'on' ? first : second;
      let ok = true;
      if (uuid !== undefined && env.core.sessions.has(uuid)) {
        const r = await callChannel<boolean>(env, uuid, { op: 'hold', mode });
        if (r) ok = r.value;
      }
      return ok ? '+OK Success\n' : '-ERR Operation failed\n';
    },
  },
  { name: 'uuid_buglist', syntax: '<uuid>', description: 'List media bugs on a session', module: 'mod_commands', run: uuidBuglist },
];
