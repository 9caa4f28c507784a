/**
 * Files played to one member (`conference <name> play <file> <member_id> [nomux]`), `stop` and
 * `pause_play` (conference_api_sub_play / _stop / _pause_play, conference_member_add_file_data).
 */
import { describe, expect, it } from 'vitest';
import type { SwitchEvent } from '../src/index.ts';
import { ulawToLinear } from '../src/media/g711.ts';
import { share } from '../../../tools/sipp/audio.ts';
import { MEMBER_FLAGS_TAIL, actions, conferenceEvents, headersFrom, join, lastHeard, tick } from './conference_helpers.ts';
import { setup } from './switch_helpers.ts';

const TONE = 'tone_stream://%(100,0,1000)';
const PLAY_USAGE = 'play <file_path> [async|<member_id> [nomux]]';
/** The linear samples of a leg's last `n` packets. */
const lastSamples = (heard: { payload: Uint8Array }[], n: number) => heard.slice(-n).flatMap((f) => [...f.payload].map(ulawToLinear));

describe('playing to one member', () => {
  it('play <file> <id>: only that member hears it; play-file-member, then play-file-member-done (with the member) once closed', async () => {
    const t = await setup();
    const a = await join(t, 1, 'room@quiet');
    const b = await join(t, 2, 'room@quiet');
    await tick(t);
    t.sub.take();
    expect(await t.sw.api(`conference room play ${TONE} 2`)).toBe(`+OK (play) Playing file ${TONE} to member 2\n`);
    const [played] = conferenceEvents(t.sub.take()) as [SwitchEvent];
    expect(headersFrom(played, 'Video')).toEqual([...MEMBER_FLAGS_TAIL({ id: 2, energy: 0 }), ['Action', 'play-file-member'], ['File', TONE]]);
    await tick(t, 5);
    expect(share(lastSamples(b.heard, 5), 1000)).toBeGreaterThan(0.9);
    expect(lastHeard(a)).toBe(0);
    // the sixth tick finds it over, the seventh closes it
    await tick(t);
    expect(actions(t.sub.take())).toEqual([]);
    await tick(t);
    const [done] = conferenceEvents(t.sub.take()) as [SwitchEvent];
    expect(headersFrom(done, 'Conference-Unique-ID').slice(1, 5)).toEqual([
      ['seconds', '0'],
      ['milliseconds', '100'],
      ['samples', '800'],
      ['Action', 'play-file-member-done'],
    ]);
    expect(headersFrom(done, 'Video')).toEqual([...MEMBER_FLAGS_TAIL({ id: 2, energy: 0 }), ['File', TONE]]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('nomux: the file instead of the conference; the replies for a missing member or file, and the usage', async () => {
    const t = await setup();
    const a = await join(t, 1, 'room@quiet');
    const b = await join(t, 2, 'room@quiet');
    expect(await t.sw.api('conference room play silence_stream://100 2 nomux')).toBe('+OK (play) Playing file silence_stream://100 to member 2\n');
    a.say(0xc0);
    await tick(t);
    // B hears the silent file, not A's 1884
    expect(lastHeard(b)).toBe(0);
    a.say(0xc0);
    expect(await t.sw.api(`conference room play ${TONE} conference_member_id=2`)).toMatch(/ to member 2\n$/);
    expect(await t.sw.api(`conference room play ${TONE} 9`)).toBe(`-ERR Member: 9 not found.\n${PLAY_USAGE}`);
    expect(await t.sw.api('conference room play /no/such.wav 2')).toBe('-ERR (play) File: /no/such.wav not found.\n');
    expect(await t.sw.api('conference room play')).toBe(PLAY_USAGE);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a member leaving closes its files (play-file-member-done without its data)', async () => {
    const t = await setup();
    await join(t, 1);
    const b = await join(t, 2);
    expect(await t.sw.api(`conference room play ${TONE} 2`)).toMatch(/^\+OK/);
    expect(await t.sw.api(`conference room play ${TONE} 2`)).toMatch(/^\+OK/);
    t.sub.take();
    await t.sw.api(`uuid_kill ${b.uuid}`);
    await t.settle();
    const events = conferenceEvents(t.sub.take());
    expect(actions(events)).toEqual(['play-file-member-done', 'play-file-member-done', 'del-member 2']);
    expect(events[0]?.getHeader('Member-ID')).toBeUndefined();
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('stop and pause_play', () => {
  it('stop [current|all|async] [<member_id>]: the files marked, counted, closed at the next tick', async () => {
    const t = await setup();
    await join(t, 1);
    await join(t, 2);
    const long = 'tone_stream://%(1000,0,500)';
    await t.sw.api(`conference room play ${long} 2`);
    await t.sw.api(`conference room play ${long} 2`);
    await t.sw.api(`conference room play ${long}`);
    await t.sw.api(`conference room play ${long} async`);
    await tick(t, 2);
    t.sub.take();
    expect(await t.sw.api('conference room stop current 2')).toBe('+OK Stopped 1 files.\n');
    expect(await t.sw.api('conference room stop async 2')).toBe('+OK Stopped 1 files.\n');
    expect(await t.sw.api('conference room stop all 9')).toBe('-ERR Member: 9 not found.\n');
    expect(await t.sw.api('conference room stop last')).toBe('stop <[current|all|async|last]> [<member_id>]');
    expect(await t.sw.api('conference room stop async')).toBe('+OK Stopped 1 files.\n');
    expect(await t.sw.api('conference room stop')).toBe('+OK Stopped 2 files.\n');
    await tick(t);
    const done = conferenceEvents(t.sub.take()).map((e) => `${e.getHeader('Action')} ${e.getHeader('samples')}`);
    // the member's first file (two ticks, 320 samples) is closed; its second is marked by `async` (the current one again)
    expect(done).toEqual(['play-file-done 320', 'play-file-done 320', 'play-file-member-done 320']);
    expect(await t.sw.api('conference room stop all 2')).toBe('+OK Stopped 1 files.\n');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('pause_play [<member_id>]: +OK Pause / +OK Resume; a paused file is not read', async () => {
    const t = await setup();
    await join(t, 1, 'room@quiet');
    const b = await join(t, 2, 'room@quiet');
    expect(await t.sw.api('conference room pause_play')).toBe('');
    expect(await t.sw.api('conference room pause_play 2')).toBe('');
    expect(await t.sw.api('conference room pause_play 9')).toBe('-ERR Member: 9 not found.\npause [<member_id>]');
    expect(await t.sw.api('conference room pause_play 1 2')).toBe('pause [<member_id>]');
    await t.sw.api(`conference room play ${TONE} 2`);
    await t.sw.api(`conference room play ${TONE}`);
    expect(await t.sw.api('conference room pause_play')).toBe('+OK Pause\n');
    expect(await t.sw.api('conference room pause_play 2')).toBe('+OK Pause\n');
    await tick(t, 3);
    expect(lastHeard(b)).toBe(0);
    expect(await t.sw.api('conference room pause_play 2')).toBe('+OK Resume\n');
    expect(await t.sw.api('conference room pause_play')).toBe('+OK Resume\n');
    t.sub.take();
    await tick(t, 7);
    // both played all of their 800 samples after the pause
    expect(conferenceEvents(t.sub.take()).map((e) => `${e.getHeader('Action')} ${e.getHeader('samples')}`)).toEqual([
      'play-file-done 800',
      'play-file-member-done 800',
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });
});
