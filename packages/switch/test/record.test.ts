/**
 * Call recording over the simulated media: mod_dptools' `record`, `record_session`,
 * `stop_record_session`, `record_session_mask/unmask/pause/resume` and mod_commands' `uuid_record`
 * (switch_ivr_record_file, switch_ivr_record_session_event and its media bug). The switch runs on a
 * TestClock from epoch T0 (a whole second); recordings land in a temp directory.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordCommands } from '../src/api/record_commands.ts';
import { parseRecordArgs, parseRecordSessionArgs, recordApplications } from '../src/applications/record.ts';
import {
  fileFormat,
  isFilePath,
  parseRecordingVars,
  readWavLayout,
  recordFilePath,
  sessionRecordingPath,
  wavHeader,
} from '../src/applications/recording_model.ts';
import { FILE_RECORDING_SINK, type RecordingFile, type RecordingSink } from '../src/applications/recording_sink.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { linearToUlaw, ulawToLinear } from '../src/media/g711.ts';
import { share } from '../../../tools/sipp/audio.ts';
import { type Setup, setup, stopSetup as stop } from './switch_helpers.ts';

type Plan = Record<string, [string, string?][]>;

const dirs: string[] = [];
afterEach(async () => {
  await FILE_RECORDING_SINK.settled();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A switch whose dialplan is `plan(dir)`, `dir` a fresh temp directory (removed after the test). */
async function start(plan: (dir: string) => Plan = () => ({}), options: Parameters<typeof setup>[0] = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'beamline-record-'));
  dirs.push(dir);
  const t = await setup({ dialplan: staticDialplan({ default: plan(dir) }), ...options });
  return { ...t, dir };
}

/** `originate null/1 <dest>`: the call's uuid, once it has run up to its park. */
async function call(t: Setup, dest: string, vars = ''): Promise<string> {
  const uuid = /^\+OK ([0-9a-f-]{36})\n$/.exec(await t.sw.originate(`${vars}null/1 ${dest}`))?.[1];
  if (uuid === undefined) throw new Error('originate failed');
  await t.settle();
  return uuid;
}

async function advance(t: Setup, ms: number): Promise<void> {
  await t.clock.advance(ms);
  await t.settle();
}

const RECORD_EVENTS = ['RECORD_START', 'RECORD_STOP', 'MEDIA_BUG_START', 'MEDIA_BUG_STOP'];

/** `TYPE` for the recording events (with the file's base name), `TYPE app` for execute events, `TYPE state` for the rest. */
function trace(events: SwitchEvent[], ...types: string[]): string[] {
  return events
    .filter((e) => types.includes(e.type))
    .map((e) => {
      const file = e.getHeader('Record-File-Path') ?? e.getHeader('Media-Bug-Target');
      if (file !== undefined) return `${e.type} ${file.slice(file.lastIndexOf('/') + 1)}`;
      return `${e.type} ${e.getHeader('Application') ?? e.getHeader('Channel-State') ?? ''}`.trim();
    });
}

const first = (events: SwitchEvent[], type: string) => events.find((e) => e.type === type);
const getvar = (t: Setup, uuid: string, name: string) => t.sw.api(`uuid_getvar ${uuid} ${name}`);

/** The WAV at `path`: its rate, channels and samples per channel (all of them 0). */
function wav(path: string): { rate: number; channels: number; samples: number; silent: boolean } {
  const bytes = new Uint8Array(readFileSync(path));
  const layout = readWavLayout(bytes);
  if (!layout) throw new Error(`${path} is no WAV`);
  const data = bytes.subarray(layout.dataAt, layout.dataAt + layout.dataBytes);
  expect(data.length).toBe(layout.dataBytes);
  return { rate: layout.rate, channels: layout.channels, samples: layout.dataBytes / 2 / layout.channels, silent: data.every((b) => b === 0) };
}

const exists = (path: string) => statSync(path, { throwIfNoEntry: false }) !== undefined;

describe('arguments, paths and formats (mod_dptools, switch_ivr_async.c, switch_core_file.c)', () => {
  it('record: `<path> [[+]<secs>] [<thresh>] [<hits>]`, negatives are 0; record_session: a limit needs its `+`', () => {
    expect(parseRecordArgs('/r/a.wav +30 200 4')).toEqual({ path: '/r/a.wav', limit: 30, thresh: 200, silenceHits: 4 });
    expect(parseRecordArgs('/r/a.wav -5 -1')).toEqual({ path: '/r/a.wav', limit: 0, thresh: 0, silenceHits: 0 });
    expect(parseRecordSessionArgs('/r/a.wav 10')).toEqual({ path: '/r/a.wav', limit: 0, vars: [] });
    expect(parseRecordSessionArgs('/r/a.wav +10 {x=1,y=a%20b}')).toEqual({
      path: '/r/a.wav',
      limit: 10,
      vars: [
        ['x', '1'],
        ['y', 'a b'],
      ],
    });
    expect(parseRecordSessionArgs('/r/a.wav {RECORD_STEREO=true}').vars).toEqual([['RECORD_STEREO', 'true']]);
  });

  it('recording variables: pairs cut at `,` then the first `=`; a later name replaces; no `{…}` is none', () => {
    expect(parseRecordingVars('{a=1,b=x=y,c,A=3,d=}')).toEqual([
      ['b', 'x=y'],
      ['A', '3'],
    ]);
    expect(parseRecordingVars('{^^;a=1,2;b=3}')).toEqual([
      ['a', '1,2'],
      ['b', '3'],
    ]);
    expect(parseRecordingVars('a=1')).toBeUndefined();
    expect(parseRecordingVars('{a=1')).toBeUndefined();
  });

  it('record_session paths: a relative name goes under the prefix (`[…]` in front, then no folder); a URL makes no folder', () => {
    expect(isFilePath('{a=b}/tmp/x.wav')).toBe(true);
    expect(isFilePath('x.wav')).toBe(false);
    expect(isFilePath('{a=b')).toBe(false);
    expect(sessionRecordingPath('calls/x.wav', '/base')).toEqual({ file: '/base/calls/x.wav', folder: '/base/calls', noFolder: undefined });
    expect(sessionRecordingPath('/r/d/x.wav', '/base')).toEqual({ file: '/r/d/x.wav', folder: '/r/d', noFolder: undefined });
    expect(sessionRecordingPath('{a=b}/r/x.wav', '/base').folder).toBe('/r');
    expect(sessionRecordingPath('[x]y.wav', '/base')).toEqual({ file: '[x]/base/y.wav', folder: undefined, noFolder: undefined });
    expect(sessionRecordingPath('http://h/x.wav', '/base')).toEqual({ file: 'http://h/x.wav', folder: undefined, noFolder: undefined });
  });

  it('record paths: the prefix after one `{…}` group; no extension is the codec’s, raw', () => {
    expect(recordFilePath('msg.wav', '/snd')).toEqual({ file: '/snd/msg.wav', native: false });
    expect(recordFilePath('{a=b} msg.wav', '/snd')).toEqual({ file: '{a=b}/snd/msg.wav', native: false });
    expect(recordFilePath('{a=b}{c=d}msg.wav', '/snd')).toEqual({ file: '/snd/{c=d}msg.wav', native: false });
    expect(recordFilePath('/r/msg', '/snd')).toEqual({ file: '/r/msg.L16', native: true });
    expect(recordFilePath('shout://h/x', '/snd')).toEqual({ file: 'shout://h/x', native: false });
  });

  it('file formats: `{…}` cut off; a URL, no extension or an odd one cannot be opened; .L16 is raw', () => {
    expect(fileFormat('{x=1}/r/a.wav')).toEqual({ ok: true, path: '/r/a.wav', container: 'wav' });
    expect(fileFormat('/r/a.l16')).toEqual({ ok: true, path: '/r/a.l16', container: 'raw' });
    expect(fileFormat('shout://h/x.mp3')).toEqual({ ok: false, level: 'ERR', text: 'Invalid file format [shout] for [h/x.mp3]!' });
    expect(fileFormat('/r/a')).toEqual({ ok: false, level: 'ERR', text: 'Unknown file Format [/r/a]' });
    expect(fileFormat('/r.d/a')).toEqual({ ok: false, level: 'ERR', text: 'Invalid file format [d/a] for [/r.d/a]!' });
  });

  it('the WAV header: 16-bit PCM, read back', () => {
    const head = wavHeader(32000, 16000, 2);
    expect(head.length).toBe(44);
    expect(readWavLayout(head)).toEqual({ rate: 16000, channels: 2, dataSizeAt: 40, dataAt: 44, dataBytes: 32000 });
    expect(readWavLayout(new TextEncoder().encode('not a wav file at all'))).toBeUndefined();
  });
});

const session = (dir: string): Plan => ({
  rs: [['answer'], ['record_session', `${dir}/s.wav`], ['park']],
  two: [['answer'], ['record_session', `${dir}/a.wav`], ['record_session', `${dir}/b.wav`], ['park']],
  limit: [['answer'], ['record_session', `${dir}/l.wav +3`], ['park']],
  late: [['answer'], ['sleep', '1500'], ['record_session', `${dir}/l.wav +3`], ['park']],
  rel: [['answer'], ['set', `sound_prefix=${dir}`], ['record_session', 'sub/deeper/r.wav +10 {foo=bar,RECORD_STEREO=true}'], ['park']],
  base: [['answer'], ['record_session', 'b/x.wav'], ['park']],
  again: [['answer'], ['record_session', `${dir}/s.wav`], ['record_session', `${dir}/s.wav`], ['park']],
  toggle: [['answer'], ['set', 'RECORD_TOGGLE_ON_REPEAT=true'], ['record_session', `${dir}/s.wav`], ['record_session', `${dir}/s.wav`], ['park']],
  silence: [['answer'], ['set', 'RECORD_INITIAL_TIMEOUT_MS=1000'], ['record_session', `${dir}/q.wav`], ['park']],
  short: [['answer'], ['set', 'RECORD_MIN_SEC=2'], ['record_session', `${dir}/m.wav`], ['park']],
  rate: [['answer'], ['set', 'record_sample_rate=16000'], ['record_session', `${dir}/w.wav`], ['park']],
  native: [['answer'], ['record_session', `${dir}/n`], ['park']],
  append: [['answer'], ['set', 'RECORD_APPEND=true'], ['record_session', `${dir}/s.wav`], ['park']],
  nofolder: [['answer'], ['record_session', `${dir}/file.txt/x.wav`], ['set', 'after=yes'], ['park']],
  isdir: [['answer'], ['record_session', `${dir}/d.wav`], ['set', 'after=yes'], ['park']],
  isdir_hangup: [['answer'], ['set', 'RECORD_HANGUP_ON_ERROR=true'], ['record_session', `${dir}/d.wav`], ['park']],
  url: [['answer'], ['record_session', 'http://host/x.wav'], ['park']],
});

describe('record_session (switch_ivr_record_session_event, record_callback)', () => {
  it('RECORD_START then MEDIA_BUG_START inside the application; stop_record_session: RECORD_STOP, MEDIA_BUG_STOP, the variables, the file', async () => {
    const t = await start(session);
    const uuid = await call(t, 'rs');
    const started = t.sub.take();
    expect(trace(started, 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', ...RECORD_EVENTS).slice(2, 6)).toEqual([
      'CHANNEL_EXECUTE record_session',
      'RECORD_START s.wav',
      'MEDIA_BUG_START s.wav',
      'CHANNEL_EXECUTE_COMPLETE record_session',
    ]);
    const bugStart = first(started, 'MEDIA_BUG_START');
    // the bug's headers come before the channel data
    expect(bugStart?.headers.slice(13, 15).map((h) => [h.name, h.value])).toEqual([
      ['Media-Bug-Function', 'session_record'],
      ['Media-Bug-Target', `${t.dir}/s.wav`],
    ]);
    expect(first(started, 'RECORD_START')?.getHeader('Unique-ID')).toBe(uuid);
    expect(exists(`${t.dir}/s.wav`)).toBe(true);

    await advance(t, 2510);
    expect(await t.sw.api(`uuid_broadcast ${uuid} stop_record_session::${t.dir}/s.wav`)).toBe('+OK Message sent\n');
    await t.settle();
    const stopped = t.sub.take();
    expect(trace(stopped, ...RECORD_EVENTS)).toEqual(['RECORD_STOP s.wav', 'MEDIA_BUG_STOP s.wav']);
    const stop_ = first(stopped, 'RECORD_STOP');
    // 2510 ms is 125 whole packets of 160 samples
    expect(['record_samples', 'record_seconds', 'record_ms', 'record_completion_cause'].map((n) => stop_?.getHeader(`variable_${n}`))).toEqual([
      '20000',
      '2',
      '2500',
      'success-maxtime',
    ]);
    expect(stop_?.getHeader('Record-Completion-Cause')).toBe('success-maxtime');
    expect(stop_?.headers.at(-2)?.name).toBe('Record-File-Path');
    await FILE_RECORDING_SINK.settled();
    expect(wav(`${t.dir}/s.wav`)).toEqual({ rate: 8000, channels: 1, samples: 20000, silent: true });
    // gone: stopping it again does nothing
    expect(await t.sw.api(`uuid_record ${uuid} stop ${t.dir}/s.wav`)).toBe('-ERR Cannot stop record session!\n');
    await stop(t);
  });

  it('at hangup every recording stops (RECORD_STOPs in order, MEDIA_BUG_STOPs the other way) before CHANNEL_HANGUP_COMPLETE', async () => {
    const t = await start(session);
    const uuid = await call(t, 'two');
    await advance(t, 1000);
    t.sub.take();
    await t.sw.api(`uuid_kill ${uuid}`);
    await t.settle();
    const events = t.sub.take();
    const order = trace(events, 'CHANNEL_HANGUP', 'CHANNEL_STATE', 'CHANNEL_HANGUP_COMPLETE', ...RECORD_EVENTS);
    expect(order.slice(0, 7)).toEqual([
      'CHANNEL_HANGUP CS_EXECUTE',
      'CHANNEL_STATE CS_HANGUP',
      'RECORD_STOP a.wav',
      'RECORD_STOP b.wav',
      'MEDIA_BUG_STOP b.wav',
      'MEDIA_BUG_STOP a.wav',
      'CHANNEL_STATE CS_REPORTING',
    ]);
    expect(order).toContain('CHANNEL_HANGUP_COMPLETE CS_REPORTING');
    // hung up after speech (no silence detection: the first packet counts as speech)
    const stopA = first(events, 'RECORD_STOP');
    expect(stopA?.getHeader('Record-Completion-Cause')).toBe('success-silence');
    expect(stopA?.getHeader('variable_record_ms')).toBe('1000');
    await FILE_RECORDING_SINK.settled();
    expect(wav(`${t.dir}/b.wav`).samples).toBe(8000);
    await stop(t);
  });

  it('`+<secs>`: stops when its epoch second comes (so less when started inside a second), success-maxtime', async () => {
    const t = await start(session);
    const uuid = await call(t, 'limit');
    t.sub.take();
    await advance(t, 2999);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual([]);
    await advance(t, 1);
    const events = t.sub.take();
    expect(trace(events, ...RECORD_EVENTS)).toEqual(['RECORD_STOP l.wav', 'MEDIA_BUG_STOP l.wav']);
    expect(first(events, 'RECORD_STOP')?.getHeader('Record-Completion-Cause')).toBe('success-maxtime');
    expect(await getvar(t, uuid, 'record_ms')).toBe('3000');

    // started at T0 + 1.5 s: the limit is T0 + 4 s, 2.5 s later
    const late = await call(t, 'late');
    await advance(t, 1500);
    t.sub.take();
    await advance(t, 2500);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual(['RECORD_STOP l.wav']);
    expect(await getvar(t, late, 'record_ms')).toBe('2500');
    await stop(t);
  });

  it('nothing recorded: empty-file, RECORD_DISCARDED, the file removed; shorter than RECORD_MIN_SEC: input-too-short', async () => {
    const t = await start(session);
    const a = await call(t, 'rs');
    expect(await t.sw.api(`uuid_record ${a} stop ${t.dir}/s.wav`)).toBe('+OK Success\n');
    expect(first(t.sub.take(), 'RECORD_STOP')?.getHeader('Record-Completion-Cause')).toBe('empty-file');
    expect(await getvar(t, a, 'RECORD_DISCARDED')).toBe('true');
    expect(await getvar(t, a, 'record_samples')).toBe('0');
    await FILE_RECORDING_SINK.settled();
    expect(exists(`${t.dir}/s.wav`)).toBe(false);

    const b = await call(t, 'short');
    await advance(t, 1000);
    await t.sw.api(`uuid_record ${b} stop ${t.dir}/m.wav`);
    expect(await getvar(t, b, 'record_completion_cause')).toBe('input-too-short');
    expect(await getvar(t, b, 'record_seconds')).toBe('1');
    await FILE_RECORDING_SINK.settled();
    expect(exists(`${t.dir}/m.wav`)).toBe(false);
    await stop(t);
  });

  it('the same path again: WARNING `Already recording`, no second bug; with RECORD_TOGGLE_ON_REPEAT it stops the first', async () => {
    const t = await start(session);
    await call(t, 'again');
    expect(trace(t.sub.take(), 'RECORD_START', 'RECORD_STOP')).toEqual(['RECORD_START s.wav']);
    expect(t.logs).toContain(`WARNING Already recording [${t.dir}/s.wav]`);
    await call(t, 'toggle');
    expect(trace(t.sub.take(), ...RECORD_EVENTS)).toEqual([
      'RECORD_START s.wav',
      'MEDIA_BUG_START s.wav',
      'RECORD_STOP s.wav',
      'MEDIA_BUG_STOP s.wav',
    ]);
    await stop(t);
  });

  it('a relative path goes under sound_prefix, its folders made; `{…}` variables are read first and sent as Recording-Variable-*', async () => {
    const t = await start(session);
    const uuid = await call(t, 'rel');
    const path = `${t.dir}/sub/deeper/r.wav`;
    const recStart = first(t.sub.take(), 'RECORD_START');
    expect(recStart?.getHeader('Record-File-Path')).toBe(path);
    expect(recStart?.getHeader('Recording-Variable-foo')).toBe('bar');
    expect(recStart?.getHeader('Recording-Variable-RECORD_STEREO')).toBe('true');
    await advance(t, 500);
    expect(await t.sw.api(`uuid_record ${uuid} stop ${path}`)).toBe('+OK Success\n');
    expect(first(t.sub.take(), 'RECORD_STOP')?.getHeader('Recording-Variable-foo')).toBe('bar');
    await FILE_RECORDING_SINK.settled();
    // RECORD_STEREO from the recording's variables: two channels
    expect(wav(path)).toEqual({ rate: 8000, channels: 2, samples: 4000, silent: true });
    // without sound_prefix: the base directory (the global base_dir here)
    t.sw.core.globals.set('base_dir', t.dir);
    await call(t, 'base');
    expect(first(t.sub.take(), 'RECORD_START')?.getHeader('Record-File-Path')).toBe(`${t.dir}/b/x.wav`);
    await stop(t);
  });

  it('record_sample_rate: the file at that rate, the variables at the channel’s; a name without extension: raw -in / -out files', async () => {
    const t = await start(session);
    const a = await call(t, 'rate');
    await advance(t, 1000);
    await t.sw.api(`uuid_kill ${a}`);
    const b = await call(t, 'native');
    await advance(t, 1000);
    await t.sw.api(`uuid_record ${b} stop ${t.dir}/n`);
    await t.settle();
    const stops = t.sub.take().filter((e) => e.type === 'RECORD_STOP');
    expect(stops[0]?.getHeader('variable_record_samples')).toBe('8000');
    // the raw pair: no length variables, no completion cause
    expect(stops[1]?.getHeader('Record-Completion-Cause')).toBeUndefined();
    expect(await getvar(t, b, 'record_samples')).toBe('_undef_');
    await FILE_RECORDING_SINK.settled();
    expect(wav(`${t.dir}/w.wav`)).toEqual({ rate: 16000, channels: 1, samples: 16000, silent: true });
    expect(statSync(`${t.dir}/n-in.L16`).size).toBe(16000);
    expect(statSync(`${t.dir}/n-out.L16`).size).toBe(16000);
    await stop(t);
  });

  it('RECORD_APPEND: the samples go after the file’s own; nothing recorded is not discarded then', async () => {
    const t = await start(session);
    const a = await call(t, 'rs');
    await advance(t, 1000);
    await t.sw.api(`uuid_kill ${a}`);
    await FILE_RECORDING_SINK.settled();
    expect(wav(`${t.dir}/s.wav`).samples).toBe(8000);
    const b = await call(t, 'append');
    await advance(t, 500);
    await t.sw.api(`uuid_kill ${b}`);
    const c = await call(t, 'append');
    await t.sw.api(`uuid_record ${c} stop ${t.dir}/s.wav`);
    expect(await getvar(t, c, 'RECORD_DISCARDED')).toBe('_undef_');
    await FILE_RECORDING_SINK.settled();
    expect(wav(`${t.dir}/s.wav`)).toEqual({ rate: 8000, channels: 1, samples: 12000, silent: true });
    await stop(t);
  });

  it('RECORD_INITIAL_TIMEOUT_MS: the input is silence, so it stops then with no-input-timeout (the file kept)', async () => {
    const t = await start(session);
    const uuid = await call(t, 'silence');
    t.sub.take();
    await advance(t, 999);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual([]);
    await advance(t, 1);
    expect(first(t.sub.take(), 'RECORD_STOP')?.getHeader('Record-Completion-Cause')).toBe('no-input-timeout');
    expect(await getvar(t, uuid, 'record_ms')).toBe('1000');
    await FILE_RECORDING_SINK.settled();
    expect(wav(`${t.dir}/q.wav`).samples).toBe(8000);
    await stop(t);
  });

  it('pause stops the length growing and the limit being checked until resume; mask and unmask answer for a running recording', async () => {
    const t = await start(session);
    const uuid = await call(t, 'limit');
    const path = `${t.dir}/l.wav`;
    await advance(t, 1000);
    expect(await t.sw.api(`uuid_record ${uuid} pause ${path}`)).toBe('+OK Success\n');
    expect(await t.sw.api(`uuid_record ${uuid} mask ${path}`)).toBe('+OK Success\n');
    expect(await t.sw.api(`uuid_record ${uuid} unmask ${path}`)).toBe('+OK Success\n');
    t.sub.take();
    // the limit (3 s) passes while paused: nothing until resumed, then at the next packet
    await advance(t, 4000);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual([]);
    expect(await t.sw.api(`uuid_record ${uuid} resume ${path}`)).toBe('+OK Success\n');
    await advance(t, 19);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual([]);
    await advance(t, 1);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual(['RECORD_STOP l.wav']);
    // 1000 ms before the pause, 20 after
    expect(await getvar(t, uuid, 'record_ms')).toBe('1020');
    for (const action of ['pause', 'resume', 'mask', 'unmask'])
      expect(await t.sw.api(`uuid_record ${uuid} ${action} ${path}`)).toMatch(/^-ERR Cannot (pause|resume|mask|unmask) recording session!\n$/);
    await stop(t);
  });

  it('record_session_pause / _resume / _mask applications and stop_record_session all', async () => {
    const t = await start((dir) => ({
      apps: [
        ['answer'],
        ['record_session', `${dir}/a.wav`],
        ['record_session', `${dir}/b.wav`],
        ['record_session_pause', `${dir}/a.wav`],
        ['sleep', '1000'],
        ['record_session_resume', `${dir}/a.wav`],
        ['record_session_mask', `${dir}/a.wav`],
        ['sleep', '500'],
        ['record_session_unmask', `${dir}/a.wav`],
        ['stop_record_session', 'ALL'],
        ['stop_record_session', 'all'],
        ['park'],
      ],
    }));
    await call(t, 'apps');
    await advance(t, 1500);
    const stops = t.sub.take().filter((e) => e.type === 'RECORD_STOP');
    expect(stops.map((e) => [e.getHeader('Record-File-Path')?.slice(-5), e.getHeader('variable_record_ms')])).toEqual([
      ['a.wav', '500'],
      ['b.wav', '1500'],
    ]);
    await stop(t);
  });

  it('bad paths: no folder (ERR, uri-failure, the call goes on); a directory (ERR); with RECORD_HANGUP_ON_ERROR a hangup; a URL', async () => {
    const t = await start(session);
    writeFileSync(`${t.dir}/file.txt`, 'x');
    mkdirSync(`${t.dir}/d.wav`);
    const a = await call(t, 'nofolder');
    expect(t.logs).toContain(`ERR Error creating ${t.dir}/file.txt`);
    expect(await getvar(t, a, 'record_completion_cause')).toBe('uri-failure');
    expect(await getvar(t, a, 'after')).toBe('yes');
    const b = await call(t, 'isdir');
    expect(t.logs).toContain(`ERR File [${t.dir}/d.wav] is a directory not a file.`);
    expect(t.logs).toContain(`ERR Error opening ${t.dir}/d.wav`);
    expect(await getvar(t, b, 'after')).toBe('yes');
    expect(trace(t.sub.take(), ...RECORD_EVENTS)).toEqual([]);
    const c = await call(t, 'isdir_hangup');
    const events = t.sub.take().filter((e) => e.getHeader('Unique-ID') === c);
    expect(first(events, 'CHANNEL_HANGUP_COMPLETE')?.getHeader('Hangup-Cause')).toBe('DESTINATION_OUT_OF_ORDER');
    expect(trace(events, 'CHANNEL_HANGUP', 'CHANNEL_EXECUTE_COMPLETE').slice(-2)).toEqual([
      'CHANNEL_HANGUP CS_EXECUTE',
      'CHANNEL_EXECUTE_COMPLETE record_session',
    ]);
    await call(t, 'url');
    expect(t.logs).toContain('ERR Invalid file format [http] for [host/x.wav]!');
    expect(t.logs).toContain('ERR Error opening http://host/x.wav');
    await stop(t);
  });
});

const recordPlan = (dir: string): Plan => ({
  r: [['answer'], ['record', `${dir}/r.wav`], ['set', 'after=yes'], ['park']],
  limit: [['answer'], ['record', `${dir}/r.wav 2`], ['park']],
  restart: [['answer'], ['set', 'record_restart_limit_on_dtmf=true'], ['record', `${dir}/r.wav +2`], ['park']],
  quiet: [['answer'], ['record', `${dir}/r.wav 10 200 1`], ['park']],
  quiet3: [['answer'], ['set', 'record_sample_rate=16000'], ['record', `${dir}/r.wav 10 200`], ['park']],
  missing: [['answer'], ['record', `${dir}/nowhere/r.wav`], ['park']],
  rel: [['answer'], ['record', 'r 1'], ['park']],
  empty: [['answer'], ['record'], ['park']],
});

describe('record (switch_ivr_record_file)', () => {
  it('a terminator digit ends it: RECORD_STOP (no completion cause) before EXECUTE_COMPLETE; other digits are dropped', async () => {
    const t = await start(recordPlan);
    const uuid = await call(t, 'r');
    const started = t.sub.take();
    expect(trace(started, 'CHANNEL_EXECUTE', ...RECORD_EVENTS).slice(-2)).toEqual(['CHANNEL_EXECUTE record', 'RECORD_START r.wav']);
    expect(first(started, 'RECORD_START')?.getHeader('variable_silence_hits_exhausted')).toBe('false');
    await advance(t, 700);
    await t.sw.api(`uuid_recv_dtmf ${uuid} 1`);
    await advance(t, 810);
    expect(await t.sw.api(`uuid_recv_dtmf ${uuid} *`)).toMatch(/^\+OK/);
    await t.settle();
    const events = t.sub.take();
    expect(trace(events, 'CHANNEL_EXECUTE_COMPLETE', ...RECORD_EVENTS).slice(0, 2)).toEqual(['RECORD_STOP r.wav', 'CHANNEL_EXECUTE_COMPLETE record']);
    const recStop = first(events, 'RECORD_STOP');
    expect(recStop?.getHeader('Record-Completion-Cause')).toBeUndefined();
    expect(['record_ms', 'record_samples', 'playback_terminator_used'].map((n) => recStop?.getHeader(`variable_${n}`))).toEqual([
      '1500',
      '12000',
      '*',
    ]);
    expect(await getvar(t, uuid, 'after')).toBe('yes');
    await FILE_RECORDING_SINK.settled();
    expect(wav(`${t.dir}/r.wav`)).toEqual({ rate: 8000, channels: 1, samples: 12000, silent: true });
    await stop(t);
  });

  it('the limit: more than N whole seconds since it began, so from a second boundary N+1 s', async () => {
    const t = await start(recordPlan);
    const uuid = await call(t, 'limit');
    await advance(t, 2999);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual([]);
    await advance(t, 1);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual(['RECORD_STOP r.wav']);
    expect(await getvar(t, uuid, 'record_seconds')).toBe('3');
    expect(await getvar(t, uuid, 'silence_hits_exhausted')).toBe('false');
    await stop(t);
  });

  it('record_restart_limit_on_dtmf: a digit starts the limit again', async () => {
    const t = await start(recordPlan);
    const uuid = await call(t, 'restart');
    await advance(t, 2500);
    await t.sw.api(`uuid_recv_dtmf ${uuid} 5`);
    // from T0 + 2 s (the digit's second): ends at T0 + 5 s
    await advance(t, 2499);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual([]);
    await advance(t, 1);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual(['RECORD_STOP r.wav']);
    expect(await getvar(t, uuid, 'record_ms')).toBe('5000');
    await stop(t);
  });

  it('silence hits: every packet is silence, so a threshold ends it after them (the last packet unwritten)', async () => {
    const t = await start(recordPlan);
    const uuid = await call(t, 'quiet');
    await advance(t, 999);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual([]);
    await advance(t, 1);
    const recStop = first(t.sub.take(), 'RECORD_STOP');
    // 8000 * 1 / 160 = 50 hits: 49 packets written
    expect(recStop?.getHeader('variable_record_samples')).toBe('7840');
    expect(recStop?.getHeader('variable_silence_hits_exhausted')).toBe('true');
    expect(await getvar(t, uuid, 'record_ms')).toBe('980');
    // no hits given: 3 s worth, counted at the file's rate (16 kHz: twice as many packets)
    const other = await call(t, 'quiet3');
    await advance(t, 5999);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual([]);
    await advance(t, 1);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual(['RECORD_STOP r.wav']);
    expect(await getvar(t, other, 'record_ms')).toBe('5980');
    await stop(t);
  });

  it('a hangup ends it: CHANNEL_HANGUP, RECORD_STOP, CHANNEL_EXECUTE_COMPLETE; the cause stays', async () => {
    const t = await start(recordPlan);
    const uuid = await call(t, 'r');
    await advance(t, 400);
    t.sub.take();
    await t.sw.api(`uuid_kill ${uuid} USER_BUSY`);
    await t.settle();
    const events = t.sub.take();
    expect(trace(events, 'CHANNEL_HANGUP', 'CHANNEL_EXECUTE_COMPLETE', ...RECORD_EVENTS)).toEqual([
      'CHANNEL_HANGUP CS_EXECUTE',
      'RECORD_STOP r.wav',
      'CHANNEL_EXECUTE_COMPLETE record',
    ]);
    expect(first(events, 'CHANNEL_HANGUP_COMPLETE')?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    await stop(t);
  });

  it('uuid_break ends it without a hangup; a break asked for before it started ends it at once', async () => {
    const t = await start(recordPlan);
    const uuid = await call(t, 'r');
    await advance(t, 300);
    expect(await t.sw.api(`uuid_break ${uuid}`)).toBe('+OK\n');
    await t.settle();
    expect(trace(t.sub.take(), 'RECORD_STOP', 'CHANNEL_HANGUP')).toEqual(['RECORD_STOP r.wav']);
    expect(await getvar(t, uuid, 'after')).toBe('yes');
    // parked (park is not breakable): the break waits for the next media application
    expect(await t.sw.api(`uuid_break ${uuid}`)).toBe('+OK\n');
    await t.sw.api(`uuid_broadcast ${uuid} record::${t.dir}/again.wav`);
    await t.settle();
    expect(trace(t.sub.take(), 'RECORD_START', 'RECORD_STOP', 'CHANNEL_EXECUTE_COMPLETE')).toEqual([
      'RECORD_START again.wav',
      'RECORD_STOP again.wav',
      'CHANNEL_EXECUTE_COMPLETE record',
    ]);
    expect(await getvar(t, uuid, 'record_samples')).toBe('0');
    await stop(t);
  });

  it('a file that cannot be opened hangs up DESTINATION_OUT_OF_ORDER; no path: ERR; a relative name without extension: sounds_dir, raw', async () => {
    const t = await start(recordPlan);
    const a = await call(t, 'missing');
    const events = t.sub.take().filter((e) => e.getHeader('Unique-ID') === a);
    expect(trace(events, 'RECORD_START')).toEqual([]);
    expect(first(events, 'CHANNEL_HANGUP_COMPLETE')?.getHeader('Hangup-Cause')).toBe('DESTINATION_OUT_OF_ORDER');
    expect(t.logs).toContain(`WARNING Error Opening File [${t.dir}/nowhere/r.wav] [System error : No such file or directory.]`);
    await call(t, 'empty');
    expect(t.logs).toContain('ERR No file specified.');
    await stop(t);

    const u = await start(recordPlan, { globals: [] });
    u.sw.core.globals.set('sounds_dir', u.dir);
    const b = await call(u, 'rel');
    expect(first(u.sub.take(), 'RECORD_START')?.getHeader('Record-File-Path')).toBe(`${u.dir}/r.L16`);
    await advance(u, 2000);
    expect(await getvar(u, b, 'record_samples')).toBe('16000');
    await FILE_RECORDING_SINK.settled();
    expect(statSync(`${u.dir}/r.L16`).size).toBe(32000);
    await stop(u);
  });
});

describe('uuid_record (mod_commands session_record_function)', () => {
  const USAGE = '-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n';

  it('usage, an unknown session, an unknown action; start (events before the API event), again, stop; the limit; help', async () => {
    const t = await start(() => ({ p: [['answer'], ['park']] }));
    const uuid = await call(t, 'p');
    const path = `${t.dir}/u.wav`;
    expect(await t.sw.api('uuid_record')).toBe(USAGE);
    expect(await t.sw.api(`uuid_record ${uuid} start`)).toBe(USAGE);
    expect(await t.sw.api(`uuid_record 00000000-0000-0000-0000-000000000000 jump ${path}`)).toBe('-ERR Cannot locate session!\n');
    expect(await t.sw.api(`uuid_record ${uuid} jump ${path}`)).toBe(USAGE);
    t.sub.take();
    expect(await t.sw.api(`uuid_record ${uuid} START ${path} 2 {who=me}`)).toBe('+OK Success\n');
    const events = t.sub.take();
    expect(events.map((e) => e.type)).toEqual(['RECORD_START', 'MEDIA_BUG_START', 'API']);
    expect(first(events, 'RECORD_START')?.getHeader('Recording-Variable-who')).toBe('me');
    expect(await t.sw.api(`uuid_record ${uuid} start ${path}`)).toBe('+OK Success\n');
    expect(t.logs).toContain(`WARNING Already recording [${path}]`);
    // the limit, without `+`
    await advance(t, 2000);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual(['RECORD_STOP u.wav']);
    expect(await t.sw.api(`uuid_record ${uuid} stop ${path}`)).toBe('-ERR Cannot stop record session!\n');
    expect(await t.sw.api(`uuid_record ${uuid} start ${path}`)).toBe('+OK Success\n');
    expect(await t.sw.api(`uuid_record ${uuid} stop all`)).toBe('+OK Success\n');
    expect(await t.sw.api('help uuid_record')).toContain('uuid_record');
    await stop(t);
  });

  it('a kill right behind the start: the recording starts, then stops with the call; a gone channel is no session', async () => {
    const t = await start(() => ({ p: [['answer'], ['park']] }));
    const uuid = await call(t, 'p');
    t.sub.take();
    // the record's work reaches the channel first and runs there before the kill
    const [recorded, killed] = await Promise.all([t.sw.api(`uuid_record ${uuid} start ${t.dir}/gone.wav`), t.sw.api(`uuid_kill ${uuid}`)]);
    expect([recorded, killed]).toEqual(['+OK Success\n', '+OK\n']);
    await t.settle();
    const names = t.sub
      .take()
      .filter((e) => e.getHeader('Unique-ID') === uuid)
      .map((e) => e.type);
    expect(names.indexOf('RECORD_START')).toBeLessThan(names.indexOf('RECORD_STOP'));
    expect(await t.sw.api('show channels count')).toBe('\n0 total.\n');
    expect(await t.sw.api(`uuid_record ${uuid} stop all`)).toBe('-ERR Cannot locate session!\n');
    await stop(t);
  });

  it('media: an unanswered inbound leg is pre-answered first; an outbound leg without media cannot record; nor a URL', async () => {
    const t = await start(() => ({ p: [['answer'], ['park']], q: [['park']] }));
    const A = '11111111-1111-4111-8111-111111111111';
    const O = '22222222-2222-4222-8222-222222222222';
    // a loopback call to q: its B half (inbound) parks unanswered
    const looped = t.sw.originate(`{origination_uuid=${A}}loopback/q &park()`);
    await t.settle();
    const b = t.sub
      .take()
      .find((e) => e.type === 'CHANNEL_CREATE' && e.getHeader('Call-Direction') === 'inbound')
      ?.getHeader('Unique-ID');
    expect(b).toBeDefined();
    expect(await t.sw.api(`uuid_record ${b} start ${t.dir}/in.wav`)).toBe('+OK Success\n');
    const events = t.sub.take().filter((e) => e.getHeader('Unique-ID') === b);
    expect(events.map((e) => e.type).slice(0, 3)).toEqual(['CHANNEL_PROGRESS_MEDIA', 'CHANNEL_CALLSTATE', 'RECORD_START']);
    // an outbound leg still ringing
    const ringing = t.sw.originate(`{origination_uuid=${O},null_enable_auto_answer=false,originate_timeout=5}null/1 &park()`);
    await t.settle();
    expect(await t.sw.api(`uuid_record ${O} start ${t.dir}/out.wav`)).toBe('-ERR Cannot record session!\n');
    expect(t.logs).toContain('ERR Can not record session.  Media not enabled on channel');
    await advance(t, 5000);
    expect(await ringing).toBe('-ERR NO_ANSWER\n');
    const uuid = await call(t, 'p');
    expect(await t.sw.api(`uuid_record ${uuid} start shout://host/x.mp3`)).toBe('-ERR Cannot record session!\n');
    expect(await getvar(t, uuid, 'record_completion_cause')).toBe('uri-failure');
    await t.sw.api(`uuid_kill ${A}`);
    await t.settle();
    await looped;
    await stop(t);
  });
});

describe('the sink is the switch’s to choose', () => {
  it('a sink whose writes fail: the recording’s events as usual, then ERR `Error writing …`', async () => {
    const closed: [RecordingFile, number][] = [];
    const failing: RecordingSink = {
      makeFolder: () => true,
      open: () => undefined,
      close: (file, samples, failed) => {
        closed.push([file, samples]);
        failed('System error : No space left on device.');
      },
      remove: () => {},
    };
    const t = await start(() => ({ p: [['answer'], ['park']] }), { applications: recordApplications(failing), apiCommands: recordCommands(failing) });
    const uuid = await call(t, 'p');
    expect(await t.sw.api(`uuid_record ${uuid} start /r/x.wav`)).toBe('+OK Success\n');
    await advance(t, 100);
    await t.sw.api(`uuid_kill ${uuid}`);
    await t.settle();
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual(['RECORD_STOP x.wav']);
    expect(closed).toEqual([[{ path: '/r/x.wav', container: 'wav', rate: 8000, channels: 1, append: false }, 800]]);
    expect(t.logs).toContain('ERR Error writing /r/x.wav (System error : No space left on device.)');
    await stop(t);
  });
});

describe('recordings hold the channel’s audio', () => {
  const tone = (freq: number, from: number, n = 160) =>
    Int16Array.from({ length: n }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * freq * (from + i)) / 8000)));
  const pcmu = (samples: Int16Array) => Uint8Array.from(samples, linearToUlaw);
  /** The far end sends `frames` μ-law packets of `freq`, one every 20 ms of the clock. */
  async function speak(t: Setup, uuid: string, frames: number, freq = 400): Promise<Uint8Array[]> {
    const sent: Uint8Array[] = [];
    for (let k = 0; k < frames; k++) {
      await advance(t, 20);
      const payload = pcmu(tone(freq, 160 * k));
      sent.push(payload);
      t.sw.core.media.deliver(uuid, { codec: 'PCMU', payload, samples: 160 });
    }
    return sent;
  }
  const samplesOf = (path: string) => {
    const bytes = new Uint8Array(readFileSync(path));
    const layout = readWavLayout(bytes);
    if (!layout) throw new Error(`${path} is no WAV`);
    const view = new DataView(bytes.buffer, bytes.byteOffset + layout.dataAt, layout.dataBytes);
    return { channels: layout.channels, samples: Int16Array.from({ length: layout.dataBytes / 2 }, (_, i) => view.getInt16(i * 2, true)) };
  };
  const decoded = (frames: Uint8Array[]) =>
    Int16Array.from(
      frames.flatMap((f) => [...f]),
      ulawToLinear,
    );

  it('record writes what the far end said where it said it: silence before, between and after', async () => {
    const t = await start(recordPlan);
    const uuid = await call(t, 'r');
    await advance(t, 180);
    const first = await speak(t, uuid, 25);
    await advance(t, 480);
    const second = await speak(t, uuid, 10, 1000);
    await advance(t, 300);
    await t.sw.api(`uuid_recv_dtmf ${uuid} *`);
    await t.settle();
    await FILE_RECORDING_SINK.settled();
    const { samples } = samplesOf(`${t.dir}/r.wav`);
    // the first packet came at 200 ms, so it covers 180-200 ms: sample 1440 on
    expect(samples.length).toBe(8 * (180 + 500 + 480 + 200 + 300));
    expect([...samples.subarray(0, 1440)].every((s) => s === 0)).toBe(true);
    expect([...samples.subarray(1440, 5440)]).toEqual([...decoded(first)]);
    expect([...samples.subarray(5440, 9280)].every((s) => s === 0)).toBe(true);
    expect([...samples.subarray(9280, 10880)]).toEqual([...decoded(second)]);
    expect([...samples.subarray(10880)].every((s) => s === 0)).toBe(true);
    await stop(t);
  });

  it('record’s silence hits count from the last packet with speech', async () => {
    const t = await start(recordPlan);
    const uuid = await call(t, 'quiet');
    await speak(t, uuid, 75);
    // 1.5 s of speech: the 1 s of hits has not run out
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual([]);
    await advance(t, 980);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual([]);
    await advance(t, 40);
    const recStop = first(t.sub.take(), 'RECORD_STOP');
    expect(recStop?.getHeader('variable_silence_hits_exhausted')).toBe('true');
    expect(Number(recStop?.getHeader('variable_record_ms'))).toBeGreaterThanOrEqual(2460);
    expect(Number(recStop?.getHeader('variable_record_ms'))).toBeLessThanOrEqual(2520);
    await stop(t);
  });

  it('record_session in stereo: what the far end said on the left, what it heard on the right', async () => {
    const t = await start((dir) => ({ stereo: [['answer'], ['set', 'RECORD_STEREO=true'], ['record_session', `${dir}/st.wav`], ['park']] }));
    const uuid = await call(t, 'stereo');
    const port = { codec: 'PCMU' as const, write: () => {} };
    t.sw.core.media.attach(uuid, port);
    for (let k = 0; k < 50; k++) {
      await speak(t, uuid, 1, 400);
      t.sw.core.media.play(uuid, tone(1000, 160 * k));
    }
    await t.sw.api(`uuid_record ${uuid} stop ${t.dir}/st.wav`);
    await t.settle();
    await FILE_RECORDING_SINK.settled();
    const { channels, samples } = samplesOf(`${t.dir}/st.wav`);
    expect(channels).toBe(2);
    const left = samples.filter((_, i) => i % 2 === 0);
    const right = samples.filter((_, i) => i % 2 === 1);
    expect(share(left, 400)).toBeGreaterThan(0.9);
    expect(share(right, 1000)).toBeGreaterThan(0.9);
    await stop(t);
  });

  it('record_session’s final timeout: speech moves the initial one away; silence after it ends the recording, success-silence', async () => {
    const t = await start((dir) => ({
      final: [
        ['answer'],
        ['set', 'RECORD_INITIAL_TIMEOUT_MS=1000'],
        ['set', 'RECORD_FINAL_TIMEOUT_MS=500'],
        ['record_session', `${dir}/f.wav`],
        ['park'],
      ],
    }));
    const uuid = await call(t, 'final');
    t.sub.take();
    await advance(t, 200);
    await speak(t, uuid, 40);
    // past the initial timeout, but there was speech
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual([]);
    await advance(t, 400);
    expect(trace(t.sub.take(), 'RECORD_STOP')).toEqual([]);
    await advance(t, 200);
    const recStop = first(t.sub.take(), 'RECORD_STOP');
    expect(recStop?.getHeader('Record-Completion-Cause')).toBe('success-silence');
    await stop(t);
  });
});
