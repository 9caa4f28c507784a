/**
 * `lock` / `unlock` (who a locked conference refuses) and recording a conference (`record`,
 * `norecord`, `chkrecord`, `pause`, `resume`, `recording …`): conference_api.c's texts,
 * conference_record.c's events and the WAV it writes of the mix.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILE_RECORDING_SINK } from '../src/applications/recording_sink.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { decodeWav } from '../src/media/wav.ts';
import { MAINT, actions, conferenceEvents, headersFrom, join, leg, tick } from './conference_helpers.ts';
import { setup } from './switch_helpers.ts';

const CONF_HEADERS = [
  'Conference-Name',
  'Conference-Domain',
  'Conference-Size',
  'Conference-Ghosts',
  'Conference-Profile-Name',
  'Conference-Unique-ID',
];
/** An event's headers after the conference's own. */
const afterConference = (e: SwitchEvent) => headersFrom(e, 'Conference-Unique-ID').slice(1);

describe('lock and unlock', () => {
  it('a locked conference refuses an inbound caller (and one with conference_enforce_security=true), not an outbound leg', async () => {
    const t = await setup({
      dialplan: staticDialplan({ default: { '4000': [['conference', 'room'], ['set', 'after_conference=yes'], ['park']] } }),
    });
    await join(t, 1);
    t.sub.take();
    expect(await t.sw.api('conference room lock')).toBe('+OK room locked\n');
    const [locked] = conferenceEvents(t.sub.take()) as [SwitchEvent];
    expect(headersFrom(locked, 'Conference-Name').map(([n]) => n)).toEqual([...CONF_HEADERS, 'Action']);
    expect(locked.getHeader('Action')).toBe('lock');
    expect(await t.sw.api('conference list summary')).toMatch(/^\+OK Conference room \(1 member rate: 8000 locked flags: locked\|running\|/);

    // loopback/4000's b-leg is inbound: refused, answered, and its dialplan goes on
    expect(await t.sw.originate('loopback/4000 &park()')).toMatch(/^\+OK /);
    await t.settle();
    expect(t.logs).toContain('NOTICE Conference room is locked.');
    expect(actions(t.sub.take())).toEqual([]);
    const enforced = leg(t, 3);
    await t.sw.originate(`{origination_uuid=${enforced.uuid},conference_enforce_security=true}null/3 &conference(room)`);
    // an outbound leg was invited: it joins
    await join(t, 2);
    expect(actions(t.sub.take())).toEqual(['add-member 2']);
    expect(await t.sw.api('conference room count')).toBe('2');

    expect(await t.sw.api('conference room unlock')).toBe('+OK room unlocked\n');
    expect(actions(t.sub.take())).toEqual(['unlock']);
    await t.sw.originate('loopback/4000 &park()');
    await t.settle();
    expect(await t.sw.api('conference room count')).toBe('3');
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('recording', () => {
  it('record: start-recording, the mix (a member alone included) written every tick but while paused; norecord ends it at the next tick', async () => {
    const dir = mkdtempSync(joinPath(tmpdir(), 'conf-rec-'));
    const path = joinPath(dir, 'sub', 'room.wav');
    const t = await setup();
    const a = await join(t, 1, 'room@quiet');
    t.sub.take();
    expect(await t.sw.api('conference room recording check')).toBe('-ERR Conference is not being recorded.\n');
    expect(await t.sw.api(`conference room record ${path}`)).toBe(`+OK Record file ${path}\n`);
    const [start] = conferenceEvents(t.sub.take()) as [SwitchEvent];
    expect(afterConference(start)).toEqual([
      ['Action', 'start-recording'],
      ['Path', path],
    ]);
    expect(await t.sw.api(`conference room record ${path}`)).toBe(`-ERR file [${path}] is already being used for recording.\n`);
    expect(await t.sw.api(`conference room recording check`)).toBe(`+OK Record file ${path}\n`);
    expect(await t.sw.api(`conference room chkrecord room`)).toBe(`+OK Record file ${path}\n`);
    // a recording takes a member id (2): `last` finds it and does nothing; the next member is 3
    expect(await t.sw.api('conference room mute last')).toBe('');
    await join(t, 3, 'room@quiet');
    expect(await t.sw.api('conference room list')).toMatch(/^3;null\/3;.*\n1;null\/1;/);
    expect(await t.sw.api('conference room kick 3')).toBe('+OK kicked 3\n');
    await t.settle();
    t.sub.take();

    // alone, but recorded: A's 1884 is mixed (the recording hears it); nobody: -1s
    a.say(0xc0);
    await tick(t);
    await tick(t);
    expect(await t.sw.api(`conference room recording pause ${path}`)).toBe(`+OK Pause recording file ${path}\n`);
    const [paused] = conferenceEvents(t.sub.take()).filter((e) => e.getHeader('Action') === 'pause-recording') as [SwitchEvent];
    expect(afterConference(paused)).toEqual([
      ['Action', 'pause-recording'],
      ['Path', path],
      ['Other-Recordings', 'true'],
    ]);
    a.say(0xab);
    await tick(t, 3);
    expect(await t.sw.api(`conference room resume ${path}`)).toBe(`+OK Resume recording file ${path}\n`);
    expect(await t.sw.api('conference room pause /no/such.wav')).toBe(
      "+OK Pause recording file /no/such.wav\n-ERR non-existant recording '/no/such.wav'\n",
    );
    await tick(t);
    expect(await t.sw.api('conference room norecord /no/such.wav')).toBe(
      "-ERR non-existant recording '/no/such.wav'\n+OK Stopped recording 0 files\n",
    );
    expect(await t.sw.api('conference room norecord all')).toBe(`Stopped recording file ${path}\n+OK Stopped recording 0 files\n`);
    expect(actions(t.sub.take())).toEqual(['resume-recording']);
    await tick(t);
    const [stop] = conferenceEvents(t.sub.take()) as [SwitchEvent];
    expect(afterConference(stop)).toEqual([
      ['Action', 'stop-recording'],
      ['Path', path],
      ['Other-Recordings', 'false'],
      ['Samples-Out', '480'],
      ['Samplerate', '8000'],
      ['Milliseconds-Elapsed', '60'],
    ]);
    expect(t.logs).toContain(`INFO Recording of ${path} Stopped`);
    expect(await t.sw.api('conference room recording check')).toBe('-ERR Conference is not being recorded.\n');
    await FILE_RECORDING_SINK.settled();
    const samples = decodeWav(readFileSync(path));
    const packet = (i: number) => [...new Set(samples.slice(i * 160, (i + 1) * 160))];
    expect(samples).toHaveLength(480);
    expect([packet(0), packet(1), packet(2)]).toEqual([[1884], [-1], [-1]]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a file that cannot be opened: start-recording with its Error, then stop-recording; the usage; `recording start|stop`', async () => {
    const dir = mkdtempSync(joinPath(tmpdir(), 'conf-rec-'));
    const t = await setup();
    await join(t, 1);
    t.sub.take();
    expect(await t.sw.api(`conference room record ${dir}`)).toBe(`+OK Record file ${dir}\n`);
    const events = conferenceEvents(t.sub.take());
    expect(events.map(afterConference)).toEqual([
      [
        ['Action', 'start-recording'],
        ['Path', dir],
        ['Error', 'File could not be opened for recording'],
      ],
      [
        ['Action', 'stop-recording'],
        ['Path', dir],
        ['Other-Recordings', 'false'],
        ['Samples-Out', '0'],
        ['Samplerate', '8000'],
        ['Milliseconds-Elapsed', '0'],
      ],
    ]);
    expect(t.logs).toContain(`ERR Error Opening File [${dir}]`);
    expect(await t.sw.api('conference room record')).toBe('record <filename>');
    expect(await t.sw.api('conference room norecord')).toBe('norecord <[filename|all]>');
    expect(await t.sw.api('conference room recording bogus x')).toBe('recording [start|stop|check|pause|resume] [<filename>|all]');
    const path = joinPath(dir, 'b.wav');
    expect(await t.sw.api(`conference room recording start ${path}`)).toBe(`+OK Record file ${path}\n`);
    expect(await t.sw.api(`conference room record ${joinPath(dir, 'c.wav')} 7`)).toBe(`+OK Record file ${joinPath(dir, 'c.wav')} canvas 1\n`);
    expect(await t.sw.api(`conference room record ${joinPath(dir, 'd.wav')} 0`)).toBe(
      `-ERR Invalid canvas\n+OK Record file ${joinPath(dir, 'd.wav')}\n`,
    );
    expect(await t.sw.api('conference room recording stop')).toBe(
      `Stopped recording file ${joinPath(dir, 'd.wav')}\nStopped recording file ${joinPath(dir, 'c.wav')}\nStopped recording file ${path}\n+OK Stopped recording 0 files\n`,
    );
    t.sub.take();
    await tick(t);
    const stopped = conferenceEvents(t.sub.take()).filter((e) => e.getHeader('Action') === 'stop-recording');
    expect(stopped.map((e) => `${e.getHeader('Path')} ${e.getHeader('Other-Recordings')}`)).toEqual([
      `${joinPath(dir, 'd.wav')} true`,
      `${joinPath(dir, 'c.wav')} true`,
      `${path} false`,
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('the last member leaving ends a recording before conference-destroy', async () => {
    const dir = mkdtempSync(joinPath(tmpdir(), 'conf-rec-'));
    const t = await setup();
    const a = await join(t, 1);
    await t.sw.api(`conference room record ${joinPath(dir, 'r.wav')}`);
    await tick(t, 2);
    await t.sw.api(`uuid_kill ${a.uuid}`);
    await t.settle();
    await tick(t);
    const order = t.sub
      .take()
      .filter((e) => e.subclass === MAINT)
      .map((e) => e.getHeader('Action'));
    expect(order.slice(-3)).toEqual(['del-member', 'stop-recording', 'conference-destroy']);
    await t.sw.stop();
    await t.rt.stop();
  });
});
