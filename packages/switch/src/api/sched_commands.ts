/**
 * sched_api, sched_del, sched_hangup, sched_transfer and sched_broadcast (mod_commands): tasks on
 * the switch's scheduler (core/scheduler.ts), with mod_commands' arguments, replies and usage texts.
 */
import { Cause, parseCause } from '../channel/causes.ts';
import type { TaskFunction } from '../core/scheduler.ts';
import { atoi, atol, caseEqual, isDigitString, separateString } from '../internal/strings.ts';
import type { BroadcastLegs } from './media_commands.ts';
import { type ApiCommand, type ApiEnv, splitCommand } from './registry.ts';
import { scheduleBroadcast, scheduleHangup, scheduleTransfer, schedTime } from './scheduled_calls.ts';
import { callChannel } from './uuid_commands.ts';

const NO_CHANNEL = '-ERR No such channel!\n';
const SCHED_SYNTAX = '[+@]<time> <group_name> <command_string>[&]';
const SCHED_HANGUP_SYNTAX = '[+]<time> <uuid> [<cause>]';
const SCHED_TRANSFER_SYNTAX = '[+]<time> <uuid> <extension> [<dialplan>] [<context>]';
const SCHED_BROADCAST_SYNTAX = '[[+]<time>|@time] <uuid> <path> [aleg|bleg|both]';

/** sch_api_callback: runs the command line and logs its output; `@N` tasks set their next run. */
function apiTask(env: ApiEnv, line: string, recur: number): TaskFunction {
  return async (task) => {
    const [cmd, arg] = splitCommand(line);
    const out = await env.sw.services.api?.(cmd, arg);
    env.core.log('DEBUG', `Command ${cmd}(${arg}):\n${out ?? 'INVALID COMMAND!\n'}\n`);
    if (recur) task.runtime = env.core.scheduler.nowSec() + recur;
  };
}

/**
 * `<time> <group> <command>`, cut at single blanks: `+N` runs once N seconds from now, `@N` every N
 * seconds from now, a bare number is an epoch second (below now: every that many seconds). A
 * trailing `&` runs the command in a process of its own.
 */
const schedApi: ApiCommand['run'] = (args, env) => {
  const bad = `-ERR Invalid syntax. USAGE: ${SCHED_SYNTAX}\n`;
  const sp = args.indexOf(' ');
  if (sp < 0) return bad;
  const tm = args.slice(0, sp);
  const rest = args.slice(sp + 1);
  const sp2 = rest.indexOf(' ');
  if (sp2 < 0) return bad;
  const group = rest.slice(0, sp2);
  let line = rest.slice(sp2 + 1);
  const now = env.core.scheduler.nowSec();
  let recur = 0;
  let when: number;
  if (tm.startsWith('+')) when = now + atol(tm.slice(1));
  else if (tm.startsWith('@')) {
    recur = atol(tm.slice(1)) >>> 0;
    when = now + recur;
  } else when = atol(tm);
  const ownThread = line.endsWith('&');
  if (ownThread) line = line.slice(0, -1);
  const id = env.core.scheduler.add(when, apiTask(env, line, recur), 'sched_api_function', group, { ownThread });
  return `+OK Added: ${id}\n`;
};

/** A task id (digits only; 0 deletes nothing) or a group name. */
const schedDel: ApiCommand['run'] = (args, env) => {
  // switch_api_execute never passes NULL, and switch_is_digit_string("") is true: an empty id deletes nothing
  let n = 0;
  if (isDigitString(args)) {
    const id = atoi(args) >>> 0;
    if (id > 0) n = env.core.scheduler.deleteId(id);
  } else n = env.core.scheduler.deleteGroup(args);
  return `+OK Deleted: ${n}\n`;
};

/**
 * The seconds are read after the first character whatever it is, and none means now: `+0`, and
 * also a bare one-digit time such as `5`, hang up at once, as mod_commands does.
 */
const schedHangup: ApiCommand['run'] = async (args, env) => {
  const argv = args === '' ? [] : separateString(args, ' ', 4);
  const [time, uuid, causeWord] = argv;
  if (!time) return `-USAGE: ${SCHED_HANGUP_SYNTAX}\n`;
  const sec = atol(time.slice(1));
  const when = time.startsWith('+') ? env.core.scheduler.nowSec() + sec : atol(time);
  const cause = causeWord === undefined ? Cause.ALLOTTED_TIMEOUT : parseCause(causeWord);
  if (uuid === undefined || !env.core.sessions.has(uuid)) return NO_CHANNEL;
  if (sec === 0) await callChannel(env, uuid, { op: 'hangup', cause });
  else scheduleHangup(env.core, when, uuid, cause, false);
  return '+OK\n';
};

const schedTransfer: ApiCommand['run'] = (args, env) => {
  const argv = args === '' ? [] : separateString(args, ' ', 6);
  const [time, uuid, dest, dialplan, context] = argv;
  if (argv.length < 2 || argv.length > 5 || !time || uuid === undefined) return `-USAGE: ${SCHED_TRANSFER_SYNTAX}\n`;
  if (!env.core.sessions.has(uuid)) return NO_CHANNEL;
  scheduleTransfer(env.core, schedTime(time, env.core.scheduler.nowSec()), uuid, dest, dialplan, context);
  return '+OK\n';
};

/** `@N` here is the epoch second N (not a repeat); no uuid check: the reply is always the same. */
const schedBroadcast: ApiCommand['run'] = (args, env) => {
  const argv = args === '' ? [] : separateString(args, ' ', 4);
  const [time, uuid, path, legsWord] = argv;
  if (!time || uuid === undefined || path === undefined) return `-USAGE: ${SCHED_BROADCAST_SYNTAX}\n`;
  const when = time.startsWith('@') ? atol(time.slice(1)) : schedTime(time, env.core.scheduler.nowSec());
  scheduleBroadcast(env.core, when, uuid, path, schedBroadcastLegs(legsWord, true));
  return '+OK Message scheduled\n';
};

/**
 * sched_broadcast's legs word, the whole word `both`, `aleg` or `bleg` (in any case for the API
 * command, exactly for the application); none given = aleg. Never hold music for the other leg.
 */
export function schedBroadcastLegs(word: string | undefined, anyCase: boolean): BroadcastLegs {
  if (word === undefined) return { aleg: true, bleg: false, holdBleg: false };
  const is = (w: string) => (anyCase ? caseEqual(word, w) : word === w);
  const both = is('both');
  return { aleg: both || is('aleg'), bleg: both || is('bleg'), holdBleg: false };
}

export const SCHED_COMMANDS: readonly ApiCommand[] = [
  { name: 'sched_api', syntax: SCHED_SYNTAX, description: 'Schedule an api command', module: 'mod_commands', run: schedApi },
  {
    name: 'sched_broadcast',
    syntax: SCHED_BROADCAST_SYNTAX,
    description: 'Schedule a broadcast event to a running call',
    module: 'mod_commands',
    run: schedBroadcast,
  },
  { name: 'sched_del', syntax: '<task_id>|<group_id>', description: 'Delete a scheduled task', module: 'mod_commands', run: schedDel },
  {
    name: 'sched_hangup',
    syntax: SCHED_HANGUP_SYNTAX,
    description: 'Schedule a running call to hangup',
    module: 'mod_commands',
    run: schedHangup,
  },
  {
    name: 'sched_transfer',
    syntax: SCHED_TRANSFER_SYNTAX,
    description: 'Schedule a transfer for a running call',
    module: 'mod_commands',
    run: schedTransfer,
  },
];
