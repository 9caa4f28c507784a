/**
 * mod_commands' `uuid_deflect` and `uuid_redirect`: SWITCH_MESSAGE_INDICATE_DEFLECT / _REDIRECT to
 * the located session's endpoint (mod_sofia: a REFER, or a 302 to an unanswered INVITE). The
 * output is `+OK:` and the message's string_reply, which is empty when the endpoint gave none
 * (switch_vmprintf writes a NULL `%s` as nothing).
 */
import { GenServer } from '@beamline/core';
import type { DeflectMessage } from '../applications/types.ts';
import type { Channel } from '../channel/channel.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';

const SYNTAX = '<uuid> <uri>';

/**
 * How long the command waits for the channel: mod_sofia waits up to 10 s for the NOTIFY that ends
 * its REFER before it answers.
 */
const REPLY_WAIT_MS = 15_000;

/** switch_core_session_locate + switch_core_session_receive_message: the reply, or undefined when there is no such session. */
async function receive(env: ApiEnv, uuid: string, message: DeflectMessage): Promise<{ reply: string | undefined } | undefined> {
  const pid = env.core.sessions.get(uuid);
  // the channel whose ${uuid_deflect …} expansion runs this waits for it: it cannot take the message
  if (!pid || env.busyChannel?.uuid === uuid) return undefined;
  try {
    const reply = await GenServer.call<string | undefined>(env.ctx, pid, { op: 'work', work: (ch: Channel) => ch.deflect(message) }, REPLY_WAIT_MS);
    return { reply };
  } catch {
    return undefined;
  }
}

function deflectCommand(name: string, id: DeflectMessage['id'], description: string): ApiCommand {
  return {
    name,
    syntax: SYNTAX,
    description,
    module: 'mod_commands',
    run: async (args, env) => {
      // the uuid is everything up to the first space, the URI everything after it
      const space = args.indexOf(' ');
      const uuid = space < 0 ? args : args.slice(0, space);
      const uri = space < 0 ? '' : args.slice(space + 1);
      if (uuid === '' || uri === '') return `-USAGE: ${SYNTAX}\n`;
      const r = await receive(env, uuid, { id, uri });
      return r ? `+OK:${r.reply ?? ''}\n` : `-ERR No such channel ${uuid}!\n`;
    },
  };
}

export const DEFLECT_COMMANDS: readonly ApiCommand[] = [
  deflectCommand('uuid_deflect', 'DEFLECT', 'Send a deflect'),
  deflectCommand('uuid_redirect', 'REDIRECT', 'Send a redirect'),
];
