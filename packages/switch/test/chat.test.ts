/**
 * The core's chat (switch_loadable_module.c): the `chat` command (mod_dptools) sends through the
 * interface its first field names, blocking, and the MESSAGE event fired afterwards says
 * Delivery-Failure; mod_commands' uuid_send_info / uuid_send_message / uuid_display /
 * uuid_phone_event / uuid_chat hand the channel's endpoint a message and answer its words.
 */
import { describe, expect, it } from 'vitest';
import type { SwitchEvent } from '../src/events/event.ts';
import { setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

describe('chat', () => {
  it('delivers through the named interface; Sent / Error! Message Not Sent / Invalid', async () => {
    const { sw, rt } = await setup();
    const got: SwitchEvent[] = [];
    const fired: SwitchEvent[] = [];
    sw.events.subscribe({ handler: (e) => void (e.type === 'MESSAGE' && fired.push(e)) });
    sw.chat.add('test', {
      send: (e) => {
        got.push(e);
        return e.getHeader('to') === 'ok@here';
      },
    });
    expect(await sw.api('chat test|me@here|ok@here|hello|text/plain')).toBe('Sent');
    expect(got[0]?.getHeader('proto')).toBe('global');
    expect(got[0]?.getHeader('from')).toBe('me@here');
    expect(got[0]?.getHeader('type')).toBe('text/plain');
    expect(got[0]?.body).toBe('hello');
    expect(await sw.api('chat TEST|me@here|nobody@here|hello')).toBe('Error! Message Not Sent');
    expect(await sw.api('chat nosuch|me@here|ok@here|hello')).toBe('Error! Message Not Sent');
    expect(await sw.api('chat test|me@here|ok@here')).toBe('Invalid');
    await new Promise((r) => setTimeout(r, 10));
    expect(fired.map((e) => e.getHeader('Delivery-Failure'))).toEqual(['false', 'true', 'true']);
    await sw.stop();
    await rt.stop();
  });
});

describe('messages to a channel’s endpoint', () => {
  it('a null channel takes them all: +OK; usage and missing channels as mod_commands says', async () => {
    const { sw, rt, settle } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    expect(await sw.api(`uuid_send_info ${uuid} text plain hi`)).toBe('+OK Success\n');
    expect(await sw.api(`uuid_send_info ${uuid} text plain`)).toBe('-USAGE: <uuid> [<mime_type> <mime_subtype>] <message>\n');
    expect(await sw.api('uuid_send_info')).toBe('-USAGE: <uuid> [<mime_type> <mime_subtype>] <message>\n');
    expect(await sw.api(`uuid_send_message ${uuid} hi`)).toBe('+OK Success\n');
    expect(await sw.api('uuid_send_message nosuch hi')).toBe('-ERR Unable to find session for UUID\n');
    expect(await sw.api(`uuid_display ${uuid} Bob|200`)).toBe('+OK Success\n');
    expect(await sw.api(`uuid_getvar ${uuid} last_sent_callee_id_number`)).toBe('200');
    expect(await sw.api('uuid_display nosuch Bob')).toBe('-ERR Operation failed\n');
    expect(await sw.api(`uuid_phone_event ${uuid} hold`)).toBe('+OK Success\n');
    expect(await sw.api('uuid_phone_event')).toBe('-USAGE: <uuid>\n');
    expect(await sw.api(`uuid_chat ${uuid} hello`)).toBe('+OK\n');
    expect(await sw.api('uuid_chat nosuch hello')).toBe('-ERR No such channel nosuch!\n');
    expect(await sw.api(`uuid_chat ${uuid}`)).toBe('-USAGE: <uuid> <text>\n');
    await sw.stop();
    await rt.stop();
  });
});
