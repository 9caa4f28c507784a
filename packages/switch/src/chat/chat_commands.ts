/**
 * The chat commands: mod_dptools' `chat` (switch_core_chat_send_args, blocking, through the
 * interface the first field names) and mod_commands' messages to one channel's far end
 * (`uuid_send_info`, `uuid_send_message`, `uuid_display`, `uuid_phone_event`, `uuid_chat`),
 * which the channel's endpoint carries out (Endpoint.message).
 */
import { callChannel } from '../api/uuid_commands.ts';
import type { ApiCommand, ApiEnv } from '../api/registry.ts';
import type { Channel } from '../channel/channel.ts';
import { separateString, switchTrue } from '../internal/strings.ts';
import type { ChatInterfaces } from './chat.ts';
import type { ChannelMessage } from './channel_message.ts';

const INFO_SYNTAX = '<uuid> [<mime_type> <mime_subtype>] <message>';
const SEND_MESSAGE_SYNTAX = '<uuid> <message>';
const DISPLAY_SYNTAX = '<uuid> <display>';
const PHONE_EVENT_SYNTAX = '<uuid>';
const UUID_CHAT_SYNTAX = '<uuid> <text>';

/** switch_core_session_receive_message: the endpoint's answer, or undefined when there is no such channel. */
async function receiveMessage(env: ApiEnv, uuid: string, message: ChannelMessage): Promise<boolean | undefined> {
  const r = await callChannel<boolean>(env, uuid, {
    op: 'work',
    work: (ch: Channel) => {
      if (message.id === 'DISPLAY') {
        // the core keeps what was sent, and sends nothing when the channel ignores display updates
        ch.setVariable('last_sent_callee_id_name', message.name);
        if (message.number) ch.setVariable('last_sent_callee_id_number', message.number);
        if (switchTrue(ch.variable('ignore_display_updates'))) return true;
      }
      return ch.spec.endpoint.message?.(ch, message) ?? true;
    },
  });
  return r?.value;
}

const outcome = (ok: boolean | undefined, failed: string) => (ok ? '+OK Success\n' : failed);

export function chatCommands(chat: ChatInterfaces): ApiCommand[] {
  return [
    {
      name: 'chat',
      syntax: '<proto>|<from>|<to>|<message>|[<content-type>]',
      description: 'chat',
      module: 'mod_dptools',
      run: async (args) => {
        const argv = args === '' ? [] : separateString(args, '|', 5);
        const [destProto, from, to, body, type] = argv;
        if (argv.length < 4 || destProto === undefined || from === undefined || to === undefined) return 'Invalid';
        const sent = await chat.sendArgs({
          destProto,
          proto: 'global',
          from,
          to,
          subject: '',
          body,
          type: type || undefined,
          hint: '',
          blocking: true,
        });
        return sent ? 'Sent' : 'Error! Message Not Sent';
      },
    },
    {
      name: 'uuid_send_info',
      syntax: INFO_SYNTAX,
      description: 'Send info to the endpoint',
      module: 'mod_commands',
      run: async (args, env) => {
        const argv = args === '' ? [] : separateString(args, ' ', 4);
        if (argv.length < 1 || argv.length === 3) return `-USAGE: ${INFO_SYNTAX}\n`;
        const [uuid = '', a1, a2, a3] = argv;
        const message: ChannelMessage = argv.length > 3 ? { id: 'INFO', contentType: `${a1}/${a2}`, body: a3 } : { id: 'INFO', body: a1 };
        return outcome(await receiveMessage(env, uuid, message), '-ERR Operation Failed\n');
      },
    },
    {
      name: 'uuid_send_message',
      syntax: SEND_MESSAGE_SYNTAX,
      description: 'Send MESSAGE to the endpoint',
      module: 'mod_commands',
      run: async (args, env) => {
        const argv = args === '' ? [] : separateString(args, ' ', 2);
        const [uuid = '', body] = argv;
        if (argv.length < 2) return `-USAGE: ${SEND_MESSAGE_SYNTAX}\n`;
        const ok = await receiveMessage(env, uuid, { id: 'MESSAGE', body });
        if (ok === undefined) return '-ERR Unable to find session for UUID\n';
        return outcome(ok, '-ERR Operation Failed\n');
      },
    },
    {
      name: 'uuid_display',
      syntax: DISPLAY_SYNTAX,
      description: 'Update phone display',
      module: 'mod_commands',
      run: async (args, env) => {
        const argv = args === '' ? [] : separateString(args, ' ', 2);
        const [uuid = '', display = ''] = argv;
        if (argv.length < 2 || uuid === '' || display === '') return `-USAGE: ${DISPLAY_SYNTAX}\n`;
        const [name = '', number] = separateString(display, '|', 2);
        return outcome(await receiveMessage(env, uuid, { id: 'DISPLAY', name, number: number || undefined }), '-ERR Operation failed\n');
      },
    },
    {
      name: 'uuid_phone_event',
      syntax: PHONE_EVENT_SYNTAX,
      description: 'Send an event to the phone',
      module: 'mod_commands',
      run: async (args, env) => {
        const argv = args === '' ? [] : separateString(args, ' ', 2);
        const [uuid = '', event] = argv;
        if (argv.length < 1) return `-USAGE: ${PHONE_EVENT_SYNTAX}\n`;
        return outcome(await receiveMessage(env, uuid, { id: 'PHONE_EVENT', event }), '-ERR Operation failed\n');
      },
    },
    {
      name: 'uuid_chat',
      syntax: UUID_CHAT_SYNTAX,
      description: 'Send a chat message',
      module: 'mod_commands',
      run: async (args, env) => {
        const space = args.indexOf(' ');
        const uuid = space < 0 ? args : args.slice(0, space);
        const text = space < 0 ? '' : args.slice(space + 1);
        if (uuid === '' || text === '') return `-USAGE: ${UUID_CHAT_SYNTAX}\n`;
        const ok = await receiveMessage(env, uuid, { id: 'CHAT', body: text });
        if (ok === undefined) return `-ERR No such channel ${uuid}!\n`;
        return ok ? '+OK\n' : '-ERR Send failed\n';
      },
    },
  ];
}
