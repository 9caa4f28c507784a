/**
 * mod_commands' `uuid_pause` / `pause`, `uuid_ring_ready` and `uuid_simplify`, with its replies.
 *
 * - pause: FreeSWITCH sets or clears CF_HOLD and writes nothing on success. beamline's channels
 *   carry no media frames for that flag to stop, so the command only finds the channel (DECISIONS).
 * - uuid_ring_ready: switch_channel_ring_ready_value — the endpoint is told RINGING (inbound legs),
 *   and the channel is marked ring ready; `queued` is the same request with the QUEUED value.
 * - uuid_simplify: SWITCH_MESSAGE_INDICATE_SIMPLIFY to the session; an endpoint that does not act on
 *   it still takes the message (the core's default), so a live session answers `+OK Success`.
 */
import { GenServer } from '@beamline/core';
import type { Channel } from '../channel/channel.ts';
import { caseEqual, separateString } from '../internal/strings.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';

const PAUSE_SYNTAX = '<uuid> <on|off>';
const RING_READY_SYNTAX = '<uuid> [queued]';
const SIMPLIFY_SYNTAX = '<uuid>';

/** Runs `work` in the channel `uuid`; undefined when there is no such channel (or it is the one waiting for this command). */
async function onChannel<T>(env: ApiEnv, uuid: string, work: (ch: Channel) => T | Promise<T>): Promise<{ value: T } | undefined> {
  const pid = env.core.sessions.get(uuid);
  if (!pid) return undefined;
  // the channel whose ${…} expansion runs this waits for the output: it can only be read
  if (env.busyChannel?.uuid === uuid) return undefined;
  try {
    return { value: await GenServer.call<T>(env.ctx, pid, { op: 'work', work }, 5000) };
  } catch {
    return undefined;
  }
}

const argsOf = (args: string, max: number): string[] => (args === '' ? [] : separateString(args, ' ', max));

async function pause(args: string, env: ApiEnv): Promise<string> {
  const [uuid, mode] = argsOf(args, 4);
  if (uuid === undefined || uuid === '' || mode === undefined) return `-USAGE: ${PAUSE_SYNTAX}\n`;
  // any word but `on` clears the flag, as FreeSWITCH does: the reply does not tell them apart
  const found = env.core.sessions.get(uuid) !== undefined;
  return found ? '' : '-ERR No such channel!\n';
}

async function ringReady(args: string, env: ApiEnv): Promise<string> {
  const argv = argsOf(args, 2);
  const [uuid, flag] = argv;
  if (uuid === undefined || (flag !== undefined && !caseEqual(flag, 'queued'))) return `-USAGE: ${RING_READY_SYNTAX}\n`;
  // the request's outcome is not part of the reply: a refused ring ready hangs the channel up
  const r = await onChannel(env, uuid, (ch) => ch.send({ type: 'RING_READY' }));
  return r ? '+OK\n' : '-ERROR\n';
}

async function simplify(args: string, env: ApiEnv): Promise<string> {
  const [uuid] = argsOf(args, 2);
  if (uuid === undefined || uuid === '') return `-USAGE: ${SIMPLIFY_SYNTAX}\n`;
  // beamline's endpoints do not act on SIMPLIFY; a session that takes the message answers success
  const r = await onChannel(env, uuid, () => true);
  return r ? '+OK Success\n' : '-ERR Operation failed\n';
}

export const UUID_SIGNAL_COMMANDS: readonly ApiCommand[] = [
  { name: 'uuid_pause', syntax: PAUSE_SYNTAX, description: 'Pause media on a channel', module: 'mod_commands', run: pause },
  { name: 'pause', syntax: PAUSE_SYNTAX, description: 'Pause media on a channel', module: 'mod_commands', run: pause },
  { name: 'uuid_ring_ready', syntax: RING_READY_SYNTAX, description: 'Sending ringing to a channel', module: 'mod_commands', run: ringReady },
  {
    name: 'uuid_simplify',
    syntax: SIMPLIFY_SYNTAX,
    description: 'Try to cut out of a call path / attended xfer',
    module: 'mod_commands',
    run: simplify,
  },
];
