/**
 * Caller controls (vanilla's `default` group: conference_loop.c's actions on a member's digits)
 * and member volumes (`volume_in` / `volume_out`, switch_change_sln_volume on what a member says
 * and hears). Digits reach a member as its far end's (`uuid_recv_dtmf`).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wavHeader } from '../src/applications/recording_model.ts';
import { CONTROL_ACTIONS } from '../src/conference/controls.ts';
import { conferenceGlobals } from '../src/conference/globals.ts';
import { changeSlnVolume } from '../src/conference/volume.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { linearToUlaw, ulawToLinear } from '../src/media/g711.ts';
import { MEMBER_FLAGS_TAIL, actions, conferenceEvents, headersFrom, join, lastHeard, leg, tick } from './conference_helpers.ts';
import { type Setup, setup } from './switch_helpers.ts';

/** `digits` received from the leg's far end, then the channel given time to act on them. */
async function press(t: Setup, uuid: string, digits: string): Promise<void> {
  expect(await t.sw.api(`uuid_recv_dtmf ${uuid} ${digits}`)).toBe(`+OK ${uuid} received DTMF ${digits}.\n`);
  await t.settle();
}

/** What a linear value is after a trip through μ-law (what a leg hears of it). */
const heardAs = (v: number) => ulawToLinear(linearToUlaw(v));

/** The action and its level header of each event. */
const levels = (events: SwitchEvent[]) =>
  conferenceEvents(events).map((e) => `${e.getHeader('Action')} ${e.getHeader('New-Level') ?? e.getHeader('Volume-Level') ?? ''}`.trim());

describe('caller controls (the default group)', () => {
  it('0 toggles mute, * mutes and deafens (and back), 9/8/7 set the energy level, each with its events', async () => {
    const t = await setup();
    await join(t, 1);
    const b = await join(t, 2);
    t.sub.take();
    await press(t, b.uuid, '0');
    expect(actions(t.sub.take())).toEqual(['mute-member 2']);
    expect(await t.sw.api(`uuid_getvar ${b.uuid} conference_last_matching_digits`)).toBe('0');
    await press(t, b.uuid, '0');
    expect(actions(t.sub.take())).toEqual(['unmute-member 2']);
    await press(t, b.uuid, '*');
    expect(actions(t.sub.take())).toEqual(['mute-member 2', 'deaf-member 2']);
    expect(await t.sw.api('conference room list')).toMatch(/^2;null\/2;.*;Outbound Call;2;;0;0;100\n/);
    // unmuting through `0` (or `*`) also undeafens
    await press(t, b.uuid, '0');
    expect(actions(t.sub.take())).toEqual(['unmute-member 2', 'undeaf-member 2']);
    await press(t, b.uuid, '*');
    await press(t, b.uuid, '*');
    expect(actions(t.sub.take())).toEqual(['mute-member 2', 'deaf-member 2', 'unmute-member 2', 'undeaf-member 2']);

    await press(t, b.uuid, '9');
    const [up] = conferenceEvents(t.sub.take()) as [SwitchEvent];
    expect(headersFrom(up, 'Video')).toEqual([...MEMBER_FLAGS_TAIL({ id: 2, energy: 300 }), ['Action', 'energy-level'], ['New-Level', '300']]);
    await press(t, b.uuid, '9999999999');
    await press(t, b.uuid, '8');
    await press(t, b.uuid, '77');
    expect(levels(t.sub.take())).toEqual([
      ...[500, 700, 900, 1100, 1300, 1500, 1700, 1800, 1800, 1800].map((n) => `energy-level ${n}`),
      'energy-level 100',
      'energy-level 0',
      'energy-level 0',
    ]);
    expect(await t.sw.api('conference room energy 2')).toBe('Energy 2 = 0\n');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('3/2/1 change what the member hears (volume-level), 6/5/4 what it says (gain-level), within -4..4', async () => {
    const t = await setup();
    const a = await join(t, 1);
    const b = await join(t, 2);
    t.sub.take();
    await press(t, b.uuid, '3');
    await press(t, b.uuid, '11111');
    await press(t, b.uuid, '2');
    await press(t, b.uuid, '66666');
    await press(t, b.uuid, '5');
    await press(t, b.uuid, '4');
    expect(levels(t.sub.take())).toEqual([
      'volume-level 1',
      ...[0, -1, -2, -3, -4].map((n) => `volume-level ${n}`),
      'volume-level 0',
      ...[1, 2, 3, 4, 4].map((n) => `gain-level ${n}`),
      'gain-level 0',
      'gain-level -1',
    ]);
    expect(await t.sw.api('conference room list')).toMatch(/^2;.*;hear\|speak;-1;0;100\n/);
    // B's volume_in -1 (× 0.8): what it says is quieter for A; A's volume_out +1 (× 1.3): all it hears is louder
    b.say(0xc0); // 1884
    await tick(t);
    expect(lastHeard(a)).toBe(heardAs(Math.trunc(1884 * 0.8)));
    await press(t, a.uuid, '3');
    b.say(0xc0);
    await tick(t);
    expect(lastHeard(a)).toBe(heardAs(Math.trunc(Math.trunc(1884 * 0.8) * 1.3)));
    await t.sw.stop();
    await t.rt.stop();
  });

  it('# takes the member out of the conference (no event of its own) and the dialplan goes on', async () => {
    const t = await setup({
      dialplan: staticDialplan({ default: { '3000': [['conference', 'room'], ['set', 'after_conference=yes'], ['park']] } }),
    });
    await join(t, 1);
    const b = leg(t, 2);
    await t.sw.originate(`{origination_uuid=${b.uuid}}null/2 3000`);
    await t.settle();
    t.sub.take();
    await press(t, b.uuid, '#');
    expect(actions(t.sub.take())).toEqual(['del-member 2']);
    expect(await t.sw.api(`uuid_getvar ${b.uuid} after_conference`)).toBe('yes');
    expect(await t.sw.api('conference room count')).toBe('1');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('conference_controls=none binds nothing; an unknown group is logged; dist-dtmf sends the digits to the others (not skip-dtmf ones)', async () => {
    const t = await setup();
    const a = await join(t, 1, 'room+flags{dist-dtmf}');
    const b = await join(t, 2);
    const c = await join(t, 3, 'room+flags{skip-dtmf}');
    const d = leg(t, 4);
    await t.sw.originate(`{origination_uuid=${d.uuid},conference_controls=none}null/4 &conference(room)`);
    const e = leg(t, 5);
    await t.sw.originate(`{origination_uuid=${e.uuid},conference_controls=vip}null/5 &conference(room)`);
    await t.settle();
    expect(t.logs).toContain("ERR Can't find group 'vip' in caller-controls section of conference.conf");
    t.sub.take();
    await press(t, a.uuid, '05');
    await press(t, d.uuid, '0');
    await press(t, e.uuid, '0');
    expect(actions(t.sub.take())).toEqual([]);
    expect(await t.sw.api(`uuid_getvar ${b.uuid} null_channel_dtmf_queued`)).toBe('05');
    expect(await t.sw.api(`uuid_getvar ${d.uuid} null_channel_dtmf_queued`)).toBe('05');
    expect(await t.sw.api(`uuid_getvar ${c.uuid} null_channel_dtmf_queued`)).toBe('_undef_');
    expect(await t.sw.api(`uuid_getvar ${a.uuid} null_channel_dtmf_queued`)).toBe('_undef_');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('the level is said back to the member alone: digits/<n>.wav (and currency/negative.wav) under the sound prefix, then play-file-member-done', async () => {
    const sounds = mkdtempSync(joinPath(tmpdir(), 'conf-sounds-'));
    const wav = (name: string, value: number, packets: number) => {
      const pcm = new Int16Array(160 * packets).fill(value);
      mkdirSync(joinPath(sounds, name, '..'), { recursive: true });
      writeFileSync(joinPath(sounds, name), Buffer.concat([wavHeader(pcm.byteLength, 8000, 1), Buffer.from(pcm.buffer)]));
    };
    wav('digits/1.wav', 1000, 2);
    wav('currency/negative.wav', 3000, 1);
    const t = await setup({ globals: [['sound_prefix', sounds]] });
    // the `none` profile: no comfort noise, so silence is -1
    const a = await join(t, 1, 'room@quiet');
    const b = await join(t, 2, 'room@quiet');
    await tick(t);
    t.sub.take();
    // vol talk dn: B's volume_out is -1 (× 0.8), on the conference's silence (-1 → 0) and on the files
    await press(t, b.uuid, '1');
    await tick(t);
    // B hears the negative sign, then 1; A hears nothing of them
    expect(lastHeard(b)).toBe(heardAs(2400));
    expect(lastHeard(a)).toBe(heardAs(-1));
    // the sign ran out at the second tick and is closed at the third (neither gives file audio)
    await tick(t, 2);
    expect(lastHeard(b)).toBe(0);
    await tick(t);
    expect(lastHeard(b)).toBe(heardAs(800));
    const [done] = conferenceEvents(t.sub.take()).filter((e) => e.getHeader('Action') === 'play-file-member-done');
    expect(headersFrom(done as SwitchEvent, 'seconds').slice(0, 4)).toEqual([
      ['seconds', '0'],
      ['milliseconds', '20'],
      ['samples', '160'],
      ['Action', 'play-file-member-done'],
    ]);
    expect(headersFrom(done as SwitchEvent, 'Current-Energy').slice(1)).toEqual([['File', joinPath(sounds, 'currency/negative.wav')]]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('the actions the default group does not bind: mute on/off, deaf on/off/toggle, lock', async () => {
    const t = await setup();
    await join(t, 1);
    t.sub.take();
    const conf = conferenceGlobals(t.sw.core)?.find('room');
    const m = conf?.members[0];
    if (!conf || !m) throw new Error('no member');
    const run = (name: string) => CONTROL_ACTIONS[name]?.(conf, m);
    for (const name of ['mute on', 'mute on', 'mute off', 'mute off', 'deaf', 'deaf', 'deaf on', 'deaf on', 'deaf off', 'lock', 'lock'])
      await run(name);
    expect(conferenceEvents(t.sub.take()).map((e) => e.getHeader('Action'))).toEqual([
      'mute-member',
      'unmute-member',
      'deaf-member',
      'undeaf-member',
      'deaf-member',
      'undeaf-member',
      'lock',
      'unlock',
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('volume_in / volume_out', () => {
  it('replies, events (Volume-Level), levels kept within -4..4, and the audio scaled as switch_change_sln_volume does', async () => {
    const t = await setup();
    const a = await join(t, 1);
    const b = await join(t, 2);
    t.sub.take();
    expect(await t.sw.api('conference room volume_in 2')).toBe('+OK Volume IN 2 = 0\n');
    expect(await t.sw.api('conference room volume_in 2 up')).toBe('+OK Volume IN 2 = 1\n');
    expect(await t.sw.api('conference room volume_in 2 9')).toBe('+OK Volume IN 2 = 4\n');
    expect(await t.sw.api('conference room volume_in 2 down')).toBe('+OK Volume IN 2 = 3\n');
    expect(await t.sw.api('conference room volume_out all -7')).toBe('+OK Volume OUT 2 = -4\n+OK Volume OUT 1 = -4\n');
    expect(await t.sw.api('conference room volume_out 1 loud')).toBe('+OK Volume OUT 1 = 0\n');
    expect(await t.sw.api('conference room volume_out')).toBe('volume_out <member_id|all|last|non_moderator> [<newval>]');
    const events = conferenceEvents(t.sub.take());
    expect(levels(events)).toEqual([
      'volume-in-member 1',
      'volume-in-member 4',
      'volume-in-member 3',
      'volume-out-member -4',
      'volume-out-member -4',
      'volume-out-member 0',
    ]);
    expect(headersFrom(events[0] as SwitchEvent, 'Current-Energy').slice(1)).toEqual([
      ['Action', 'volume-in-member'],
      ['Volume-Level', '1'],
    ]);
    expect(await t.sw.api('conference room list')).toMatch(/^2;.*;3;-4;100\n1;.*;0;0;100\n$/);
    // B says 1884 at × 3.3; A hears it at 0 (and B, deaf to itself, hears A's silence)
    b.say(0xc0);
    await tick(t);
    expect(lastHeard(a)).toBe(heardAs(Math.trunc(1884 * 3.3)));
    // volume_out does not touch a deaf member's -1s (× 4.3 they would be -4)
    expect(await t.sw.api('conference room volume_out 2 4')).toBe('+OK Volume OUT 2 = 4\n');
    expect(await t.sw.api('conference room deaf 2')).toBe('+OK deaf 2\n');
    a.say(0xc0);
    await tick(t);
    expect([...(b.heard.at(-1)?.payload ?? [])]).toEqual(new Array(160).fill(linearToUlaw(-1)));
    expect(heardAs(-4)).not.toBe(heardAs(-1));
    await t.sw.stop();
    await t.rt.stop();
  });

  it('switch_change_sln_volume: the coarse factors, truncated and clipped', () => {
    const s = Int16Array.from([1000, -1000, 30000, 3, -3]);
    changeSlnVolume(s, 2);
    expect([...s]).toEqual([2300, -2300, 32767, 6, -6]);
    const q = Int16Array.from([1000, -1001]);
    changeSlnVolume(q, -9);
    expect([...q]).toEqual([200, -200]);
    const z = Int16Array.from([5]);
    changeSlnVolume(z, 0);
    expect([...z]).toEqual([5]);
  });
});
