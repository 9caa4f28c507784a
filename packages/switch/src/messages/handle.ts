/**
 * sendmsg / sendevent against a running switch (mod_erlang_event's handle_msg_sendmsg /
 * handle_msg_sendevent, then switch_ivr_parse_event on the channel).
 */
import { callChannel } from '../api/uuid_commands.ts';
import type { ApiEnv } from '../api/registry.ts';
import type { SwitchCore } from '../core/core.ts';
import { SwitchEvent } from '../events/event.ts';
import { type Header, isHeaderList, parseSendmsg } from './sendmsg.ts';
import { parseSendevent } from './sendevent.ts';
import { PARSE_EVENT_SITE, SENDEVENT_SITE, SENDMSG_SITE, restamp } from './restamp.ts';

export type MessageReply = 'ok' | { readonly error: 'nosession' | 'badarg' | 'not_supported'; readonly reason?: string };

/**
 * Queues the command on the channel `uuid` and answers at once (`ok`), as MEE does; the command
 * is then performed and the SEND_MESSAGE event fired as PRIVATE_COMMAND. `unicast` and `nomedia`
 * need media or SIP and are refused with `not_supported`.
 */
export async function sendmsg(env: ApiEnv, uuid: unknown, headers: unknown, body?: string): Promise<MessageReply> {
  if (typeof uuid !== 'string' || uuid === '' || !env.core.sessions.has(uuid)) return { error: 'nosession' };
  if (!isHeaderList(headers)) return { error: 'badarg' };
  const cmd = parseSendmsg(headers, body);
  if (cmd.kind === 'unsupported') {
    return { error: 'not_supported', reason: `${cmd.command} is not supported: this switch carries no media` };
  }
  const message = restamp(env.core.bus.create('SEND_MESSAGE'), SENDMSG_SITE);
  for (const [k, v] of headers) message.addHeader(k, v);
  if (body !== undefined) message.body = body;

  let done = true;
  switch (cmd.kind) {
    case 'ignored':
      env.core.log(cmd.reason === 'Invalid Command!' ? 'ERR' : 'DEBUG', cmd.reason, uuid);
      break;
    case 'hangup':
      // answered first, as an execute is; PRIVATE_COMMAND is fired by the channel between
      // CHANNEL_HANGUP and its unwinding, as switch_ivr_parse_next_event does
      await callChannel(env, uuid, {
        op: 'hangup',
        cause: cmd.cause,
        queued: true,
        hungUp: (data) => env.core.fire(privateCommand(env, message, data)),
      });
      done = false;
      break;
    case 'xferext': {
      const applications = cmd.applications.map(([application, data]) => ({ application, data }));
      await callChannel(env, uuid, {
        op: 'xferext',
        extension: { name: 'xferext', number: 'xferext', applications },
        transferred: (data) => env.core.fire(privateCommand(env, message, data)),
      });
      done = false;
      break;
    }
    case 'execute': {
      // the channel fires PRIVATE_COMMAND itself once the application ran: the answer comes first (spec §4.1)
      const req = {
        op: 'execute',
        application: cmd.app,
        data: cmd.arg,
        loops: cmd.loops,
        lock: cmd.eventLock,
        ...(cmd.eventUuid === undefined ? {} : { appUuid: cmd.eventUuid }),
        ...(cmd.eventUuidName === undefined ? {} : { appUuidName: cmd.eventUuidName }),
        executed: (data: [string, string][]) => env.core.fire(privateCommand(env, message, data)),
      } as const;
      await callChannel(env, uuid, req);
      done = false;
      break;
    }
  }
  if (done) await firePrivateCommand(env, uuid, message);
  return 'ok';
}

type Message = { readonly headers: readonly { name: string; value: string }[]; readonly body: string | undefined };

/** SEND_MESSAGE's headers, a second set of standard headers, then the basic channel data. */
async function firePrivateCommand(env: ApiEnv, uuid: string, message: Message): Promise<void> {
  const data = await callChannel<[string, string][]>(env, uuid, { op: 'data', basic: true });
  env.core.fire(privateCommand(env, message, data?.value ?? []));
}

function privateCommand(env: ApiEnv, message: Message, data: readonly [string, string][]): SwitchEvent {
  const second = restamp(env.core.bus.create('PRIVATE_COMMAND'), PARSE_EVENT_SITE);
  const event = new SwitchEvent('PRIVATE_COMMAND');
  for (const h of message.headers) event.addHeader(h.name, h.value);
  for (const h of second.headers) event.addHeader(h.name, h.value);
  for (const [k, v] of data) event.addHeader(k, v);
  event.body = message.body;
  return event;
}

/** sendevent: `ok`, `badarg`, or undefined for an unknown event name (MEE sends no reply then). */
export function sendevent(core: SwitchCore, name: unknown, headers: unknown, subclass?: unknown): 'ok' | 'badarg' | undefined {
  const req = parseSendevent(name, headers, subclass);
  if (req === 'unknown') return undefined;
  if (req === 'badarg') return 'badarg';
  const event = restamp(core.bus.create(req.type, req.subclass), SENDEVENT_SITE);
  for (const [k, v] of req.headers as readonly Header[]) {
    if (k === 'body') event.body = v;
    else event.addHeader(k, v);
  }
  core.fire(event);
  return 'ok';
}
