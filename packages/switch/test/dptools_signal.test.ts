/**
 * mod_dptools' set_name, acknowledge_call, send_info, reuse_caller_profile, media_reset,
 * blind_transfer_ack, enable_keepalive and remove_bugs (mod_dptools.c, switch_core_media_bug_remove_all_function, switch_channel_set_name,
 * switch_ivr_session_transfer with CF_REUSE_CALLER_PROFILE).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILE_RECORDING_SINK } from '../src/applications/recording_sink.ts';
import type { EndpointInterface } from '../src/channel/channel.ts';
import type { ChannelMessage } from '../src/chat/channel_message.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { type Setup, callNull as call, setup, stopSetup as stop } from './switch_helpers.ts';

const plan = staticDialplan({
  default: {
    '100': [['set_name', 'sofia/internal/renamed'], ['set_name', ''], ['set', 'after=${channel_name}'], ['park']],
    '200': [['acknowledge_call'], ['blind_transfer_ack', 'true'], ['set', 'after=yes'], ['park']],
    '300': [['send_info', 'hello there'], ['set', 'after=yes'], ['park']],
    '400': [['reuse_caller_profile'], ['transfer', '401']],
    '401': [['set', 'after=${destination_number}/${rdnis}'], ['park']],
    '410': [['transfer', '401']],
    '500': [['set', 'bypass_media=true'], ['set', 'proxy_media=true'], ['media_reset'], ['set', 'after=${bypass_media}/${proxy_media}'], ['park']],
    '501': [['answer'], ['set', 'bypass_media=true'], ['media_reset'], ['park']],
    '600': [['enable_keepalive', '10'], ['enable_keepalive', '-1'], ['park']],
    '1000': [['answer'], ['park']],
  },
});

const getvar = (t: Setup, uuid: string, name: string) => t.sw.api(`uuid_getvar ${uuid} ${name}`);

describe('set_name', () => {
  it('renames the channel: Channel-Name and channel_name follow, NOTICE Rename Channel; an empty name does nothing', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '100');
    expect(await getvar(t, uuid, 'after')).toBe('sofia/internal/renamed');
    expect(t.logs).toContain(`NOTICE Rename Channel null/1->sofia/internal/renamed [${uuid}]`);
    const park = t.sub.take().find((e) => e.type === 'CHANNEL_PARK');
    expect(park?.getHeader('Channel-Name')).toBe('sofia/internal/renamed');
    // the caller profile keeps the name it was created with
    expect(park?.getHeader('Caller-Channel-Name')).toBe('null/1');
    expect(await t.sw.api('show application')).toContain('set_name,Name the channel,<name>,mod_dptools');
    await stop(t);
  });
});

describe('acknowledge_call / blind_transfer_ack', () => {
  it('run on a channel that is not SIP without hanging it up (only mod_sofia acts on them)', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '200');
    expect(await getvar(t, uuid, 'after')).toBe('yes');
    expect(await t.sw.api(`uuid_exists ${uuid}`)).toBe('true');
    await stop(t);
  });
});

describe('send_info', () => {
  it('hands the endpoint an INFO with the data as its body', async () => {
    const t = await setup({ dialplan: plan });
    const seen: ChannelMessage[] = [];
    const endpoint: EndpointInterface = {
      outgoingChannel: ({ destination }) => ({
        name: `test/${destination}`,
        endpoint: {
          async onState(ch, state) {
            if (state === 'CS_CONSUME_MEDIA') await ch.send({ type: 'MARK_ANSWERED' });
            return true;
          },
          message(_ch, message) {
            seen.push(message);
            return true;
          },
        },
      }),
    };
    t.sw.addEndpoint('test', endpoint);
    const uuid = /^\+OK ([0-9a-f-]{36})\n$/.exec(await t.sw.originate('test/x 300'))?.[1] as string;
    await t.settle();
    expect(seen).toEqual([{ id: 'INFO', body: 'hello there' }]);
    expect(await getvar(t, uuid, 'after')).toBe('yes');
    await stop(t);
  });
});

describe('reuse_caller_profile', () => {
  it('a transfer then changes the caller profile in place: its index stays', async () => {
    const t = await setup({ dialplan: plan });
    const reused = await call(t, '400');
    expect(await getvar(t, reused, 'after')).toBe('401/400');
    const parks = t.sub.take().filter((e) => e.type === 'CHANNEL_PARK');
    // the originate's own transfer to the extension made profile 2
    expect(parks.map((e) => e.getHeader('Caller-Profile-Index'))).toEqual(['2']);
    // without it, a new profile
    const fresh = await call(t, '410', 2);
    expect(await getvar(t, fresh, 'after')).toBe('401/410');
    expect(
      t.sub
        .take()
        .filter((e) => e.type === 'CHANNEL_PARK')
        .map((e) => e.getHeader('Caller-Profile-Index')),
    ).toEqual(['3']);
    await stop(t);
  });
});

describe('media_reset', () => {
  it('forgets bypass_media and proxy_media before media is up; after, a WARNING and nothing', async () => {
    const t = await setup({ dialplan: plan });
    // loopback's B leg routes unanswered
    let before = '';
    const sub = t.sw.events.subscribe({
      types: ['CHANNEL_CREATE'],
      handler: (e) => {
        if (e.getHeader('Channel-Name') === 'loopback/500-b') before = e.getHeader('Unique-ID') ?? '';
      },
    });
    void t.sw.originate('loopback/500 &park()');
    await t.settle();
    sub.unsubscribe();
    expect(await getvar(t, before, 'after')).toBe('/');
    expect(t.logs).toContain('INFO loopback/500-bReset MEDIA flags.');
    const after = await call(t, '501', 2);
    expect(await getvar(t, after, 'bypass_media')).toBe('true');
    expect(t.logs).toContain('WARNING null/2 This function does not work once media has been established.');
    await stop(t);
  });
});

describe('enable_keepalive', () => {
  it('is enable_heartbeat by another name; a negative number is the usage', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '600');
    expect(t.logs).toContain('ERR Usage: [0|<seconds>]');
    expect(await t.sw.api(`uuid_exists ${uuid}`)).toBe('true');
    await stop(t);
  });
});

describe('remove_bugs', () => {
  it('closes the channel’s media bugs as their owners do (RECORD_STOP, MEDIA_BUG_STOP); with a function, only its bugs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'remove-bugs-'));
    const path = join(dir, 'call.wav');
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '1000');
    expect(await t.sw.api(`uuid_record ${uuid} start ${path}`)).toBe('+OK Success\n');
    expect(await t.sw.sendExecute(uuid, 'start_dtmf')).toBe(true);
    await t.settle();
    t.sub.take();
    const functions = async () => [...(await t.sw.api(`uuid_buglist ${uuid}`)).matchAll(/<function>(.*)<\/function>/g)].map((m) => m[1]);
    expect(await functions()).toEqual(['session_record', 'inband_dtmf']);
    expect(await t.sw.sendExecute(uuid, 'remove_bugs', 'inband_dtmf')).toBe(true);
    await t.settle();
    expect(await functions()).toEqual(['session_record']);
    expect(await t.sw.sendExecute(uuid, 'remove_bugs')).toBe(true);
    await t.settle();
    expect(await functions()).toEqual([]);
    const stops = t.sub
      .take()
      .filter((e) => e.type === 'RECORD_STOP' || e.type === 'MEDIA_BUG_STOP')
      .map((e) => `${e.type} ${e.getHeader('Media-Bug-Function') ?? e.getHeader('Record-File-Path')}`);
    expect(stops).toEqual(['MEDIA_BUG_STOP inband_dtmf', `RECORD_STOP ${path}`, 'MEDIA_BUG_STOP session_record']);
    // the call goes on
    expect(await t.sw.api(`uuid_exists ${uuid}`)).toBe('true');
    await stop(t);
    await FILE_RECORDING_SINK.settled();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('capture_text / uuid_capture_text', () => {
  it('adds the capture_text media bug once, removes it with off; the API’s replies', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '1000');
    const targets = async () => [...(await t.sw.api(`uuid_buglist ${uuid}`)).matchAll(/<target>(.*)<\/target>/g)].map((m) => m[1]);
    expect(await t.sw.sendExecute(uuid, 'capture_text', 'true')).toBe(true);
    await t.settle();
    expect(await targets()).toEqual([uuid]);
    expect(await t.sw.api(`uuid_capture_text ${uuid} on`)).toBe('');
    expect(t.logs).toContain('ERR text bug already attached');
    expect(await t.sw.api(`uuid_capture_text ${uuid} off`)).toBe('');
    expect(await targets()).toEqual([]);
    expect(await t.sw.api(`uuid_capture_text ${uuid} off`)).toBe('');
    expect(t.logs).toContain('ERR text bug not attached');
    expect(await t.sw.api(`uuid_capture_text ${uuid}`)).toBe('-USAGE: <uuid> <on|off>\n');
    expect(await t.sw.api('uuid_capture_text nope on')).toBe('-ERR No such channel nope!\n');
    const bugEvents = t.sub
      .take()
      .filter((e) => e.type.startsWith('MEDIA_BUG'))
      .map((e) => `${e.type} ${e.getHeader('Media-Bug-Function')}`);
    expect(bugEvents).toEqual(['MEDIA_BUG_START capture_text', 'MEDIA_BUG_STOP capture_text']);
    await stop(t);
  });
});
