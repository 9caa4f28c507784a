import { describe, expect, it } from 'vitest';
import { Cause } from '../src/channel/causes.ts';
import { parseSendevent } from '../src/messages/sendevent.ts';
import { parseSendmsg } from '../src/messages/sendmsg.ts';
import { setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

describe('sendmsg parsing (spec §4.1)', () => {
  it('execute: app name, arg, loops, event-lock, event-uuid; names in any case', () => {
    expect(
      parseSendmsg([
        ['Call-Command', 'execute'],
        ['Execute-App-Name', 'playback'],
        ['execute-app-arg', 'tone.wav'],
        ['loops', '3'],
        ['event-lock', 'true'],
        ['event-uuid', 'u1'],
        ['event-uuid-name', 'n1'],
      ]),
    ).toEqual({ kind: 'execute', app: 'playback', arg: 'tone.wav', loops: 3, eventLock: true, eventUuid: 'u1', eventUuidName: 'n1' });
    expect(
      parseSendmsg([
        ['call-command', 'execute'],
        ['execute-app-name', 'park'],
      ]),
    ).toEqual({ kind: 'execute', app: 'park', arg: '', loops: 1, eventLock: false });
  });
  it('execute-app-arg falls back to a text/plain body', () => {
    const c = parseSendmsg(
      [
        ['call-command', 'execute'],
        ['execute-app-name', 'set'],
        ['content-type', 'text/plain'],
      ],
      'a=b',
    );
    expect(c).toMatchObject({ kind: 'execute', arg: 'a=b' });
  });
  it('hangup: cause by name (any case) or number, default NORMAL_CLEARING', () => {
    expect(
      parseSendmsg([
        ['call-command', 'hangup'],
        ['hangup-cause', 'user_busy'],
      ]),
    ).toEqual({ kind: 'hangup', cause: Cause.USER_BUSY });
    expect(
      parseSendmsg([
        ['call-command', 'hangup'],
        ['hangup-cause', '21'],
      ]),
    ).toEqual({ kind: 'hangup', cause: 21 });
    expect(parseSendmsg([['call-command', 'hangup']])).toEqual({ kind: 'hangup', cause: Cause.NORMAL_CLEARING });
  });
  it('the call-command value is matched exactly; missing → Invalid Command!', () => {
    expect(
      parseSendmsg([
        ['call-command', 'EXECUTE'],
        ['execute-app-name', 'park'],
      ]).kind,
    ).toBe('ignored');
    expect(parseSendmsg([])).toEqual({ kind: 'ignored', reason: 'Invalid Command!' });
    expect(parseSendmsg([['call-command', 'execute']]).kind).toBe('ignored');
    expect(parseSendmsg([['call-command', 'unicast']])).toEqual({ kind: 'unsupported', command: 'unicast' });
    expect(parseSendmsg([['call-command', 'nomedia']])).toEqual({ kind: 'unsupported', command: 'nomedia' });
  });
});

describe('sendmsg xferext', () => {
  it('parses every application header (any case) split at the first space', () => {
    expect(
      parseSendmsg([
        ['call-command', 'xferext'],
        ['application', 'set a=1 b'],
        ['Application', 'park'],
        ['application', ''],
      ]),
    ).toEqual({
      kind: 'xferext',
      applications: [
        ['set', 'a=1 b'],
        ['park', ''],
      ],
    });
  });

  it('ends park and runs the listed applications through CS_ROUTING without the dialplan', async () => {
    const { sw, sub, settle, rt } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    sub.take();
    expect(
      await sw.sendmsg(uuid, [
        ['call-command', 'xferext'],
        ['application', 'set xfer=yes'],
        ['application', 'park'],
      ]),
    ).toBe('ok');
    await settle();
    const names = sub
      .take()
      .map(
        (e) =>
          `${e.type}${e.getHeader('Application') ? ` ${e.getHeader('Application')}` : ''}${e.type === 'CHANNEL_STATE' ? ` ${e.getHeader('Channel-State')}` : ''}`,
      );
    expect(names).toEqual([
      // switch_ivr_parse_next_event fires it once the transfer is set, while park still runs;
      // its Application is the message's first `application` header, as getHeader finds it
      'PRIVATE_COMMAND set xfer=yes',
      'CHANNEL_UNPARK',
      'CHANNEL_EXECUTE_COMPLETE park',
      'CHANNEL_STATE CS_ROUTING',
      'CHANNEL_STATE CS_EXECUTE',
      'CHANNEL_EXECUTE set',
      'CHANNEL_EXECUTE_COMPLETE set',
      'CHANNEL_EXECUTE park',
      'CHANNEL_PARK',
    ]);
    expect(await sw.api(`uuid_getvar ${uuid} xfer`)).toBe('yes');
    await sw.stop();
    await rt.stop();
  });
});

describe('sendevent parsing (spec §4.2)', () => {
  it('names in any case, CUSTOM needs a subclass, malformed → badarg, unknown name → unknown', () => {
    expect(parseSendevent('notify', [['a', 'b']])).toEqual({ type: 'NOTIFY', headers: [['a', 'b']] });
    expect(parseSendevent('CUSTOM', [], 'my::sub')).toEqual({ type: 'CUSTOM', subclass: 'my::sub', headers: [] });
    expect(parseSendevent('CUSTOM', [])).toBe('badarg');
    expect(parseSendevent('CUSTOM', [['a', 'b']], '')).toEqual({ type: 'CUSTOM', headers: [['a', 'b']] });
    expect(parseSendevent('NOTIFY', [['a']])).toBe('badarg');
    expect(parseSendevent('NOTIFY', 'x')).toBe('badarg');
    expect(parseSendevent(42, [])).toBe('badarg');
    expect(parseSendevent('NO_SUCH_EVENT', [])).toBe('unknown');
  });
});

describe('sendmsg / sendevent on a running switch', () => {
  it('execute runs the app nested inside park with Application-UUID, then PRIVATE_COMMAND with two standard-header sets', async () => {
    const { sw, sub, settle, rt } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    sub.take();
    const r = await sw.sendmsg(uuid, [
      ['call-command', 'execute'],
      ['execute-app-name', 'set'],
      ['execute-app-arg', 'foo=bar'],
      ['event-uuid', 'app-1'],
    ]);
    expect(r).toBe('ok');
    await settle();
    const evs = sub.take();
    expect(evs.map((e) => e.type)).toEqual(['CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'PRIVATE_COMMAND']);
    expect(evs[0]?.getHeader('Application-UUID')).toBe('app-1');
    const pc = evs[2];
    const names = pc?.headers.map((h) => h.name) ?? [];
    expect(names.filter((n) => n === 'Event-Name')).toHaveLength(2);
    expect(pc?.getHeader('Event-Name')).toBe('SEND_MESSAGE');
    expect(pc?.getHeader('Event-Calling-Function')).toBe('handle_msg_sendmsg');
    expect(pc?.headers.filter((h) => h.name === 'Event-Calling-Function').map((h) => h.value)).toEqual([
      'handle_msg_sendmsg',
      'switch_ivr_parse_next_event',
    ]);
    expect(names.indexOf('call-command')).toBe(13);
    expect(names.indexOf('call-command')).toBeLessThan(names.lastIndexOf('Event-Name'));
    expect(pc?.getHeader('Unique-ID')).toBe(uuid);
    expect(names.some((n) => n.startsWith('variable_'))).toBe(false);
    expect(await sw.api(`uuid_getvar ${uuid} foo`)).toBe('bar');
    await sw.stop();
    await rt.stop();
  });

  it('PRIVATE_COMMAND comes once the application is over, for one that waits too (switch_ivr_parse_next_event fires it after parse_event returns); none for one that never runs', async () => {
    const { sw, sub, settle, rt, clock } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    sub.take();
    const exec = (app: string, arg: string) =>
      sw.sendmsg(uuid, [
        ['call-command', 'execute'],
        ['execute-app-name', app],
        ['execute-app-arg', arg],
      ]);
    expect(await exec('sleep', '1000')).toBe('ok');
    await settle();
    expect(sub.take().map((e) => e.type)).toEqual(['CHANNEL_EXECUTE']);
    await clock.advance(1000);
    await settle();
    expect(sub.take().map((e) => e.type)).toEqual(['CHANNEL_EXECUTE_COMPLETE', 'PRIVATE_COMMAND']);
    // queued behind an event-locked sleep, then dropped by uuid_break all: it never runs, so no PRIVATE_COMMAND
    await sw.sendmsg(uuid, [
      ['call-command', 'execute'],
      ['execute-app-name', 'sleep'],
      ['execute-app-arg', '1000'],
      ['event-lock', 'true'],
    ]);
    await exec('set', 'never=1');
    await settle();
    expect(await sw.api(`uuid_break ${uuid} all`)).toMatch(/^\+OK/);
    await clock.advance(1000);
    await settle();
    const types = sub
      .take()
      .map((e) => e.type)
      .filter((t) => t !== 'API');
    expect(types.filter((t) => t === 'PRIVATE_COMMAND')).toHaveLength(1);
    expect(types.at(-1)).toBe('PRIVATE_COMMAND');
    expect(await sw.api(`uuid_getvar ${uuid} never`)).toBe('_undef_');
    await sw.stop();
    await rt.stop();
  });

  it('execute answers `ok` as soon as it is queued: no event of the application has fired yet (spec §4.1)', async () => {
    const { sw, sub, settle, rt } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    sub.take();
    const atReply = await sw
      .sendmsg(uuid, [
        ['call-command', 'execute'],
        ['execute-app-name', 'set'],
        ['execute-app-arg', 'foo=bar'],
      ])
      .then((r) => [r, ...sub.take().map((e) => e.type)]);
    expect(atReply).toEqual(['ok']);
    await settle();
    expect(sub.take().map((e) => e.type)).toEqual(['CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'PRIVATE_COMMAND']);
    await sw.stop();
    await rt.stop();
  });

  it('hangup with a cause; unknown uuid → nosession; bad headers → badarg; unicast/nomedia → not_supported', async () => {
    const { sw, sub, settle, rt } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    sub.take();
    expect(await sw.sendmsg('nope', [['call-command', 'hangup']])).toEqual({ error: 'nosession' });
    expect(await sw.sendmsg(uuid, [['call-command']])).toEqual({ error: 'badarg' });
    expect(await sw.sendmsg(uuid, 'junk')).toEqual({ error: 'badarg' });
    expect(await sw.sendmsg(uuid, [['call-command', 'unicast']])).toMatchObject({ error: 'not_supported' });
    expect(
      await sw.sendmsg(uuid, [
        ['call-command', 'nomedia'],
        ['nomedia-uuid', uuid],
      ]),
    ).toMatchObject({ error: 'not_supported' });
    expect(await sw.sendmsg(uuid, [])).toBe('ok');
    expect(
      await sw.sendmsg(uuid, [
        ['call-command', 'hangup'],
        ['hangup-cause', 'call_rejected'],
      ]),
    ).toBe('ok');
    await settle();
    const evs = sub.take();
    const hangup = evs.find((e) => e.type === 'CHANNEL_HANGUP');
    expect(hangup?.getHeader('Hangup-Cause')).toBe('CALL_REJECTED');
    expect(evs.at(-1)?.type).not.toBe(undefined);
    await sw.stop();
    await rt.stop();
  });

  it('sendevent fires the event with standard headers, user headers appended, body; CUSTOM carries Event-Subclass', async () => {
    const { sw, sub, settle, rt } = await setup();
    sub.take();
    expect(
      sw.sendevent(
        'custom',
        [
          ['Event-Name', 'X'],
          ['k', 'v'],
          ['body', 'hello'],
        ],
        'my::sub',
      ),
    ).toBe('ok');
    expect(sw.sendevent('NOTIFY', [['profile', 'internal']])).toBe('ok');
    expect(sw.sendevent('BOGUS', [])).toBeUndefined();
    expect(sw.sendevent('CUSTOM', [])).toBe('badarg');
    await settle();
    const [custom, notify] = sub.take();
    expect(custom?.type).toBe('CUSTOM');
    const names = custom?.headers.map((h) => h.name);
    expect(names?.slice(0, 14)).toContain('Event-Subclass');
    expect(names?.[13]).toBe('Event-Subclass');
    expect(custom?.getHeader('Event-Subclass')).toBe('my::sub');
    expect(custom?.getHeader('Event-Name')).toBe('CUSTOM');
    expect(custom?.headers.filter((h) => h.name === 'Event-Name')).toHaveLength(2);
    expect(custom?.getHeader('Event-Calling-File')).toBe('handle_msg.c');
    expect(custom?.getHeader('Event-Calling-Function')).toBe('handle_msg_sendevent');
    expect(custom?.getHeader('k')).toBe('v');
    expect(custom?.body).toBe('hello');
    expect(notify?.type).toBe('NOTIFY');
    expect(notify?.getHeader('profile')).toBe('internal');
    await sw.stop();
    await rt.stop();
  });
});
