/**
 * conference.conf's sounds (conference_member_add / _del, conference_thread_run's hold music,
 * conference_loop_output's mute indications, conference_function's kicked sound): who hears each,
 * when, and the events FreeSWITCH fires for them — nothing when a conference sound starts,
 * play-file-done when it is over or stopped (Async for hold music), play-file with an Error when
 * it does not open. Each sound is a tone of its own so a member's packets say which it heard.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wavHeader } from '../src/applications/recording_model.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { confWith, heardTones, playbacks, profile, runs, tone } from './conference_conf_helpers.ts';
import { actions, conferenceEvents, headersFrom, join, leg, tick } from './conference_helpers.ts';
import { setup } from './switch_helpers.ts';

const TONES = { alone: 400, moh: 600, enter: 800, exit: 1000 };
const TOLD = { locked: 400, unlocked: 600, muted: 800, unmuted: 1000 };
/** The action, File, Async and samples of each conference event. */
const files = (events: SwitchEvent[]) =>
  conferenceEvents(events).map((e) =>
    [e.getHeader('Action'), e.getHeader('File'), e.getHeader('Async'), e.getHeader('samples')].filter(Boolean).join(' '),
  );

describe('the conference’s own sounds', () => {
  it('alone, hold music, enter, exit: into the conference after their lead-in; hold music stops when a second member joins', async () => {
    const t = await setup({
      confDir: confWith(
        `<profiles>${profile('default', {
          'comfort-noise': 'false',
          'alone-sound': tone(400, 200),
          'moh-sound': tone(600, 100),
          'enter-sound': tone(800, 200),
          'exit-sound': tone(1000, 200),
        })}</profiles>`,
      ),
    });
    const a = await join(t, 1);
    await tick(t, 60);
    // 20 ticks of lead-in, the alone sound; closed at the next tick, hold music starts after its own lead-in, and again once it is over
    expect(runs(heardTones(a, 0, TONES))).toEqual([
      ['-', 20],
      ['alone', 10],
      ['-', 21],
      ['moh', 5],
      ['-', 4],
    ]);
    expect(files(t.sub.take())).toEqual([
      'conference-create',
      'add-member',
      'floor-change',
      `play-file-done ${tone(400, 200)} 1600`,
      `play-file-done ${tone(600, 100)} true 800`,
    ]);

    const fromA = a.heard.length;
    const b = await join(t, 2);
    await tick(t, 40);
    // the hold music (in its lead-in) is stopped; the enter sound reaches both
    expect(files(t.sub.take())).toEqual(['add-member', `play-file-done ${tone(600, 100)} true 0`, `play-file-done ${tone(800, 200)} 1600`]);
    for (const l of [a, b])
      expect(runs(heardTones(l, l === a ? fromA : 0, TONES))).toEqual([
        ['-', 20],
        ['enter', 10],
        ['-', 10],
      ]);

    // B leaves: the exit sound, then (A alone again) the alone sound, both without lead-in
    await t.sw.api(`uuid_kill ${b.uuid}`);
    await t.settle();
    const fromLeft = a.heard.length;
    await tick(t, 25);
    expect(runs(heardTones(a, fromLeft, TONES))).toEqual([
      ['exit', 10],
      ['-', 1],
      ['alone', 10],
      ['-', 4],
    ]);
    expect(files(t.sub.take())).toEqual(['del-member', `play-file-done ${tone(1000, 200)} 1600`, `play-file-done ${tone(400, 200)} 1600`]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('is-locked-sound / is-unlocked-sound into the conference; muted-sound / unmuted-sound to the member alone (`quiet`: not told)', async () => {
    const t = await setup({
      confDir: confWith(
        `<profiles>${profile('default', {
          'comfort-noise': 'false',
          'is-locked-sound': tone(400, 100),
          'is-unlocked-sound': tone(600, 100),
          'muted-sound': tone(800, 100),
          'unmuted-sound': tone(1000, 100),
        })}</profiles>`,
      ),
    });
    const a = await join(t, 1);
    const b = await join(t, 2);
    await tick(t);
    t.sub.take();
    const from = [a.heard.length, b.heard.length];
    expect(await t.sw.api('conference room lock')).toBe('+OK room locked\n');
    await tick(t, 30);
    expect(await t.sw.api('conference room unlock')).toBe('+OK room unlocked\n');
    await tick(t, 30);
    for (const [i, l] of [a, b].entries())
      expect(runs(heardTones(l, from[i] ?? 0, TOLD))).toEqual([
        ['-', 20],
        ['locked', 5],
        ['-', 25],
        ['unlocked', 5],
        ['-', 5],
      ]);
    expect(files(t.sub.take())).toEqual(['lock', `play-file-done ${tone(400, 100)} 800`, 'unlock', `play-file-done ${tone(600, 100)} 800`]);

    const fromB = b.heard.length;
    const fromA = a.heard.length;
    expect(await t.sw.api('conference room mute 2')).toBe('+OK mute 2\n');
    await tick(t, 8);
    expect(await t.sw.api('conference room unmute 2 quiet')).toBe('+OK unmute 2\n');
    await tick(t, 8);
    expect(await t.sw.api('conference room tmute 2')).toBe('+OK mute 2\n');
    await tick(t, 8);
    expect(await t.sw.api('conference room tmute 2')).toBe('+OK unmute 2\n');
    await tick(t, 8);
    // no lead-in for these: each at the next tick, to B alone
    expect(runs(heardTones(b, fromB, TOLD))).toEqual([
      ['muted', 5],
      ['-', 11],
      ['muted', 5],
      ['-', 3],
      ['unmuted', 5],
      ['-', 3],
    ]);
    expect(runs(heardTones(a, fromA, TOLD))).toEqual([['-', 32]]);
    const events = conferenceEvents(t.sub.take());
    expect(events.map((e) => `${e.getHeader('Action')} ${e.getHeader('File') ?? e.getHeader('Member-ID')}`)).toEqual([
      'mute-member 2',
      `play-file-member-done ${tone(800, 100)}`,
      'unmute-member 2',
      'mute-member 2',
      `play-file-member-done ${tone(800, 100)}`,
      'unmute-member 2',
      `play-file-member-done ${tone(1000, 100)}`,
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('kicked-sound to the kicked caller once it is out (the kick’s own file instead), then the dialplan goes on', async () => {
    const t = await setup({
      confDir: confWith(`<profiles>${profile('default', { 'kicked-sound': tone(400, 200) })}</profiles>`),
      dialplan: staticDialplan({ default: { '3000': [['conference', 'room'], ['set', 'after_conference=yes'], ['park']] } }),
    });
    const [a, b] = [leg(t, 1), leg(t, 2)];
    for (const [n, l] of [a, b].entries()) await t.sw.originate(`{origination_uuid=${l.uuid}}null/${n + 1} 3000`);
    await t.settle();
    t.sub.take();
    expect(await t.sw.api('conference room kick 2')).toBe('+OK kicked 2\n');
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${b.uuid} after_conference`)).toBe('_undef_');
    await tick(t, 10);
    let events = t.sub.take();
    expect(actions(events).filter((x) => !x.startsWith('floor'))).toEqual(['kick-member 2', 'del-member 2']);
    expect(playbacks(events, b.uuid)).toEqual([`START ${tone(400, 200)}`, `STOP ${tone(400, 200)} done`]);
    expect(await t.sw.api(`uuid_getvar ${b.uuid} after_conference`)).toBe('yes');
    expect(await t.sw.api(`conference room kick 1 ${tone(1000, 100)}`)).toBe('+OK kicked 1\n');
    await tick(t, 5);
    events = t.sub.take();
    expect(playbacks(events, a.uuid)).toEqual([`START ${tone(1000, 100)}`, `STOP ${tone(1000, 100)} done`]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a moh-sound of local_stream://moh is mod_local_stream’s stream (with local_stream.conf); a second member stops it (play-file-done, Async)', async () => {
    const music = mkdtempSync(joinPath(tmpdir(), 'conf-moh-'));
    const pcm = Int16Array.from({ length: 8000 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 600 * i) / 8000)));
    writeFileSync(joinPath(music, 'moh.wav'), Buffer.concat([wavHeader(pcm.byteLength, 8000, 1), Buffer.from(pcm.buffer)]));
    const dir = confWith(`<profiles>${profile('default', { 'moh-sound': 'local_stream://moh', 'comfort-noise': 'false' })}</profiles>`);
    const main = joinPath(dir, 'freeswitch.xml');
    writeFileSync(
      main,
      readFileSync(main, 'utf8').replace(
        '<section name="configuration">',
        `<section name="configuration"><configuration name="local_stream.conf"><directory name="moh/8000" path="${music}"/></configuration>`,
      ),
    );
    const t = await setup({ confDir: dir });
    const a = await join(t, 1);
    await tick(t, 120);
    expect(heardTones(a, 0, TONES)).toContain('moh');
    t.sub.take();
    await join(t, 2);
    await tick(t);
    expect(files(t.sub.take())).toEqual(['add-member', expect.stringMatching(/^play-file-done local_stream:\/\/moh true \d+$/)]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a sound that does not open: play-file with its Error and mod_sndfile’s log line; a relative name is under sound-prefix', async () => {
    const sounds = mkdtempSync(joinPath(tmpdir(), 'conf-sounds-'));
    mkdirSync(joinPath(sounds, 'conference'));
    const pcm = new Int16Array(160 * 3).fill(2000);
    writeFileSync(joinPath(sounds, 'conference/conf-alone.wav'), Buffer.concat([wavHeader(pcm.byteLength, 8000, 1), Buffer.from(pcm.buffer)]));
    const t = await setup({
      confDir: confWith(
        `<profiles>${profile('missing', { 'alone-sound': '/no/such/alone.wav' })}${profile('prefixed', {
          'sound-prefix': sounds,
          'alone-sound': 'conference/conf-alone.wav',
          'enter-sound': 'conference/conf-enter.wav',
        })}</profiles>`,
      ),
    });
    await join(t, 1, 'lost@missing');
    const events = conferenceEvents(t.sub.take());
    // fired as the member is added, before add-member
    expect(events.map((e) => e.getHeader('Action'))).toEqual(['conference-create', 'play-file', 'add-member']);
    expect(headersFrom(events[1] as SwitchEvent, 'Conference-Profile-Name').slice(2)).toEqual([
      ['Action', 'play-file'],
      ['File', '/no/such/alone.wav'],
      ['Async', 'false'],
      ['Error', 'File could not be played'],
    ]);
    expect(t.logs).toContain('WARNING Error Opening File [/no/such/alone.wav] [System error : No such file or directory.]');

    await join(t, 2, 'found@prefixed');
    await join(t, 3, 'found@prefixed');
    await tick(t, 30);
    const done = files(t.sub.take()).filter((x) => x.startsWith('play-file'));
    // the alone sound under the prefix played; the enter sound is not there
    expect(done).toEqual([
      `play-file ${joinPath(sounds, 'conference/conf-enter.wav')} false`,
      `play-file-done ${joinPath(sounds, 'conference/conf-alone.wav')} 480`,
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });
});
