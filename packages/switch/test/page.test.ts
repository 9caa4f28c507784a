/**
 * mod_dptools' paging: the `page` application (page_function: beep, record, page) and what it shares
 * with the `page` API (call_monitor_thread: the calls, at most page_chunk_size ringing or up at
 * once, each from a thread of its own). The switch runs on a TestClock; recordings land in a temp
 * directory set as `temp_dir`.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FILE_RECORDING_SINK } from '../src/applications/recording_sink.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { type Setup, setup, stopSetup as stop } from './switch_helpers.ts';

type Plan = Record<string, [string, string?][]>;

const dirs: string[] = [];
afterEach(async () => {
  await FILE_RECORDING_SINK.settled();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(plan: Plan = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'beamline-page-'));
  dirs.push(dir);
  const t = await setup({ dialplan: staticDialplan({ default: plan }) });
  expect(await t.sw.api(`global_setvar temp_dir=${dir}`)).toBe('+OK');
  return { ...t, dir };
}

async function advance(t: Setup, ms: number, step = 500): Promise<void> {
  for (let left = ms; left > 0; left -= step) {
    await t.clock.advance(Math.min(step, left));
    await t.settle();
  }
}

/** The calls the page made: the channels whose `page_file` is set, by their CHANNEL_EXECUTE of the extension. */
const pagedPlaybacks = (events: SwitchEvent[]) =>
  events.filter((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('variable_page_file') !== undefined);

const created = (events: SwitchEvent[], prefix: string) =>
  events.filter((e) => e.type === 'CHANNEL_CREATE' && e.getHeader('Channel-Name')?.startsWith(prefix)).map((e) => e.getHeader('Channel-Name'));

describe('page', () => {
  it('the application beeps, records the caller to <temp_dir>/<uuid>.wav until the limit, pages every dial string with it (<vars> to the first only) and deletes it once the calls are over', async () => {
    const t = await start({
      page: [['answer'], ['set', 'page_record_limit=+2'], ['page', '<page_group=a>[null_auto_answer_delay=1000]null/paged-1:_:null/paged-2']],
    });
    t.sub.take();
    const uuid = /^\+OK ([0-9a-f-]{36})\n$/.exec(await t.sw.originate('null/pager page'))?.[1];
    expect(uuid).toBeDefined();
    await t.settle();
    const file = join(t.dir, `${uuid}.wav`);
    // the beep (half a second), then the recording
    let events = t.sub.take();
    expect(events.filter((e) => e.type === 'PLAYBACK_START').map((e) => e.getHeader('Playback-File-Path'))).toEqual(['tone_stream://%(500,0, 620)']);
    await advance(t, 1000);
    events = t.sub.take();
    expect(events.filter((e) => e.type === 'RECORD_START').map((e) => e.getHeader('Record-File-Path'))).toEqual([file]);
    expect(created(events, 'null/paged')).toEqual([]);
    // the limit: recorded to the whole second after two (switch_ivr_record_file), then the calls go out together
    await advance(t, 3000);
    events = t.sub.take();
    expect(events.filter((e) => e.type === 'RECORD_STOP').map((e) => e.getHeader('Record-File-Path'))).toEqual([file]);
    expect(created(events, 'null/paged')).toEqual(['null/paged-1', 'null/paged-2']);
    expect(existsSync(file)).toBe(true);
    await advance(t, 1000);
    const paged = pagedPlaybacks([...events, ...t.sub.take()]);
    // both ring at once: the second, answered at once, plays first
    expect(
      paged.map((e) => [
        e.getHeader('Channel-Name'),
        e.getHeader('Application'),
        e.getHeader('Application-Data'),
        e.getHeader('variable_page_group') ?? '-',
      ]),
    ).toEqual([
      ['null/paged-2', 'playback', file, '-'],
      ['null/paged-1', 'playback', file, 'a'],
    ]);
    expect(paged.map((e) => e.getHeader('variable_page_file'))).toEqual([file, file]);
    // the recording played, the paged calls hang up, and the file goes
    await advance(t, 6000);
    expect(await t.sw.api('show calls count')).toMatch(/^\n?0 total\.\n?$/);
    expect(existsSync(file)).toBe(false);
    await stop(t);
  });

  it('the application: a playback terminator ends the recording; page_path skips the beep and the recording and is kept; no data and no file are ERR lines', async () => {
    const given = join(tmpdir(), `beamline-page-given-${process.pid}.wav`);
    writeFileSync(given, 'not a wav: played as a simulated file');
    try {
      const t = await start({
        term: [['answer'], ['page', 'null/paged-t']],
        given: [['answer'], ['set', `page_path=${given}`], ['set', 'page_exten=park'], ['page', 'null/paged-g']],
        none: [['answer'], ['page']],
        missing: [['answer'], ['set', `page_path=${join(tmpdir(), 'beamline-no-such-page.wav')}`], ['page', 'null/paged-m']],
      });
      t.sub.take();
      const uuid = /^\+OK ([0-9a-f-]{36})\n$/.exec(await t.sw.originate('null/pager term'))?.[1];
      await advance(t, 1500);
      expect(created(t.sub.take(), 'null/paged')).toEqual([]);
      // no limit and no threshold: only a terminator (or the hangup) ends it
      await advance(t, 10_000);
      expect(created(t.sub.take(), 'null/paged')).toEqual([]);
      expect(await t.sw.api(`uuid_recv_dtmf ${uuid} *`)).toMatch(/^\+OK/);
      await advance(t, 500);
      let events = t.sub.take();
      expect(events.filter((e) => e.type === 'RECORD_STOP').length).toBe(1);
      expect(created(events, 'null/paged')).toEqual(['null/paged-t']);

      await t.sw.originate('null/pager given');
      await advance(t, 500);
      events = t.sub.take();
      expect(events.filter((e) => e.type === 'PLAYBACK_START' || e.type === 'RECORD_START')).toEqual([]);
      expect(pagedPlaybacks(events).map((e) => [e.getHeader('Channel-Name'), e.getHeader('Application')])).toEqual([['null/paged-g', 'park']]);
      expect(await t.sw.api('hupall')).toMatch(/^\+OK/);
      await advance(t, 500);
      expect(existsSync(given)).toBe(true);

      await t.sw.originate('null/pager none');
      await t.sw.originate('null/pager missing');
      await advance(t, 500);
      expect(created(t.sub.take(), 'null/paged')).toEqual([]);
      expect(t.logs).toEqual(
        expect.arrayContaining(['ERR No channels specified.', `ERR File ${join(tmpdir(), 'beamline-no-such-page.wav')} does not exist`]),
      );
      await stop(t);
    } finally {
      rmSync(given, { force: true });
    }
  });

  it('the API rings page_chunk_size calls at once, and a call that fails frees its place', async () => {
    const t = await start();
    const file = join(t.dir, 'notice.wav');
    writeFileSync(file, 'not a wav: played as a simulated file');
    t.sub.take();
    const ringing = '[null_auto_answer_delay=2000]';
    const dials = [`${ringing}null/p-1`, 'null/cause-USER_BUSY', `${ringing}null/p-3`, `${ringing}null/p-4`].join(':_:');
    expect(await t.sw.api(`page (page_path=${file},page_chunk_size=2)${dials}`)).toBe('');
    await t.settle();
    // p-1 and the busy one at once; the busy one fails at once, so p-3 rings beside p-1
    let events = t.sub.take();
    expect(created(events, 'null/p-')).toEqual(['null/p-1', 'null/p-3']);
    expect(t.logs).toContain('WARNING originate failed: USER_BUSY [null/cause-USER_BUSY]');
    // neither is answered yet: p-4 waits
    await advance(t, 1000);
    expect(created(t.sub.take(), 'null/p-')).toEqual([]);
    // answered, played, hung up: p-4 goes out
    await advance(t, 20_000);
    events = t.sub.take();
    expect(created(events, 'null/p-')).toEqual(['null/p-4']);
    expect(pagedPlaybacks(events).map((e) => e.getHeader('Channel-Name'))).toEqual(['null/p-1', 'null/p-3', 'null/p-4']);
    expect(existsSync(file)).toBe(true);
    await stop(t);
  });
});
