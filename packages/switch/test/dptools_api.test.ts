import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setup } from './switch_helpers.ts';

describe("mod_dptools' API commands", () => {
  it('strepoch / strmicroepoch read a date as switch_str_time does (local time; now when empty; 0 when it does not parse)', async () => {
    const { sw, rt } = await setup();
    const epoch = await sw.api('strepoch 2020-01-01 00:00:00');
    expect(await sw.api(`strftime ${epoch}| %Y-%m-%d %T`)).toBe('2020-01-01 00:00:00');
    expect(await sw.api('strepoch 2020-1-1')).toBe(epoch);
    expect(await sw.api('strmicroepoch 2020-01-01 00:00:00')).toBe(`${epoch}000000`);
    // the switch's clock (setup): 2024-09-03 10:11:12 UTC
    expect(await sw.api('strepoch')).toBe('1725358272');
    expect(await sw.api('strepoch 10:11:12')).toBe('1725358272');
    expect(await sw.api('strepoch not a date')).toBe('0');
    expect(await sw.api('strmicroepoch not a date')).toBe('0');
    await sw.stop();
    await rt.stop();
  });

  it('presence in|out fires the event mod_dptools makes; anything else answers its usage', async () => {
    const { sw, rt, sub, settle } = await setup();
    sub.take();
    expect(await sw.api('presence in 1000@example.com busy On the phone now')).toBe('Event Sent');
    expect(await sw.api('presence in 1000@example.com unknown cs_routing')).toBe('Event Sent');
    expect(await sw.api('presence out 1000@example.com')).toBe('Event Sent');
    await settle();
    const events = sub.take().filter((e) => e.type === 'PRESENCE_IN' || e.type === 'PRESENCE_OUT');
    const view = (i: number) => events[i]?.headers.filter((h) => !/^(Event-|Core-|FreeSWITCH-)/.test(h.name)).map((h) => `${h.name}: ${h.value}`);
    expect(events.map((e) => e.type)).toEqual(['PRESENCE_IN', 'PRESENCE_IN', 'PRESENCE_OUT']);
    expect(view(0)).toEqual([
      'proto: dp',
      'login: mod_dptools.c',
      'from: 1000@example.com',
      'rpid: busy',
      'status: On the phone now',
      'event_type: presence',
      'alt_event_type: dialog',
      'event_count: 0',
    ]);
    expect(view(1)).toContain('channel-state: CS_HANGUP');
    expect(view(1)?.filter((h) => h.startsWith('status: '))).toEqual(['status: cs_routing', 'status: CS_HANGUP']);
    expect(view(2)).toEqual([
      'proto: dp',
      'login: mod_dptools.c',
      'from: 1000@example.com',
      'status: CS_HANGUP',
      'event_type: presence',
      'alt_event_type: dialog',
      'event_count: 0',
    ]);
    for (const bad of ['', 'in 1000@example.com busy', 'sideways a b c', 'out'])
      expect(await sw.api(`presence ${bad}`)).toBe('Invalid: presence [in|out] <user> <rpid> <message>');
    await sw.stop();
    await rt.stop();
  });

  it('page: the file is played to each dial string through the inline dialplan, at most page_chunk_size calls at once; <vars> go to the first call only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'page-'));
    const file = join(dir, 'notice.wav');
    await writeFile(file, 'not a wav: played as a simulated file');
    const { sw, rt, sub, settle, logs, clock } = await setup();
    sub.take();
    expect(await sw.api(`page (page_path=${file},page_chunk_size=1)<page_group=a>null/1:_:null/2`)).toBe('');
    await settle();
    const playbacks = () => sub.take().filter((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'playback');
    const first = playbacks();
    // one call at a time: the second waits for the first to end (its playback, then the inline extension is done)
    expect(first.map((e) => [e.getHeader('Application-Data'), e.getHeader('variable_page_file'), e.getHeader('variable_page_group')])).toEqual([
      [file, file, 'a'],
    ]);
    for (let i = 0; i < 40; i++) {
      await clock.advance(500);
      await settle();
    }
    const second = playbacks();
    expect(
      second.map((e) => [e.getHeader('Application-Data'), e.getHeader('variable_page_file'), e.getHeader('variable_page_group') ?? '-']),
    ).toEqual([[file, file, '-']]);
    expect(second[0]?.getHeader('Unique-ID')).not.toBe(first[0]?.getHeader('Unique-ID'));
    // what is missing is an ERR line and no call
    expect(await sw.api('page (page_chunk_size=2)null/1')).toBe('');
    expect(await sw.api(`page (page_path=${join(dir, 'none.wav')})null/1`)).toBe('');
    expect(await sw.api('page null/1')).toBe('');
    expect(await sw.api('page')).toBe('-ERR no data');
    expect(logs).toEqual(expect.arrayContaining(['ERR No file specified.', `ERR File ${join(dir, 'none.wav')} does not exist`, 'ERR Parse Error!']));
    await sw.stop();
    await rt.stop();
    await rm(dir, { recursive: true, force: true });
  });
});
