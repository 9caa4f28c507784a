/**
 * What the calling channel gets while the bridge application dials: ring-ready (CHANNEL_PROGRESS)
 * when a leg rings, a pre-answer (CHANNEL_PROGRESS_MEDIA) when its `ringback` starts or a leg's
 * early media is bridged (`bridge_early_media`), `ignore_early_media=ring_ready`; the
 * `originate_early_media` variable; the early-media tone monitors' reading of their specs. The
 * caller is a loopback B half (an inbound channel, not answered) running a dialplan extension.
 */
import { describe, expect, it } from 'vitest';
import { share } from '../../../tools/sipp/audio.ts';
import { linearOf } from '../src/media/tape.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { type Setup, at, setup, stopSetup as stop } from './switch_helpers.ts';

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';
const U3 = '33333333-3333-4333-8333-333333333333';
const SILENT = 'null_enable_auto_answer=false';
const RING = 'loopback/3000';
const TONE = '%(2000,4000,440,480)';

const start = () =>
  setup({
    dialplan: staticDialplan({
      default: {
        '3000': [['ring_ready'], ['park']],
        '3100': [['ring_ready'], ['pre_answer'], ['park']],
        '5100': [['bridge', `[origination_uuid=${U1}]${RING}`]],
        '5101': [['bridge', `[origination_uuid=${U1}]${RING},[origination_uuid=${U2},${SILENT}]null/2`]],
        '5102': [
          ['set', 'ignore_ring_ready=true'],
          ['bridge', RING],
        ],
        '5110': [
          ['set', `ringback=${TONE}`],
          ['bridge', RING],
        ],
        '5111': [
          ['set', 'ringback=/sounds/ring.wav'],
          ['bridge', `{instant_ringback=true}[origination_uuid=${U2},${SILENT}]null/2`],
        ],
        '5112': [
          ['set', 'ringback=/sounds/ring'],
          ['bridge', RING],
        ],
        '5113': [
          ['set', 'ringback=silence:100'],
          ['bridge', RING],
        ],
        '5114': [
          ['set', `ringback=${TONE}`],
          ['bridge', `{originate_timeout=2}[${SILENT}]null/2`],
        ],
        '5115': [
          ['set', `ringback=${TONE}`],
          ['bridge', `{ring_ready=true}[${SILENT}]null/2`],
        ],
        '5116': [
          ['set', `ringback=${TONE}`],
          ['bridge', `{progress_timeout=2,originate_timeout=6}[origination_uuid=${U1}]${RING}`],
        ],
        '5120': [
          ['set', 'bridge_early_media=true'],
          ['bridge', `[origination_uuid=${U2},null_pre_answer=true,null_auto_answer_delay=2000]null/2`],
        ],
        '5121': [['bridge', `[origination_uuid=${U2},null_pre_answer=true,null_auto_answer_delay=2000]null/2`]],
        '5122': [
          ['set', 'bridge_early_media=true'],
          ['bridge', `[origination_uuid=${U2},null_pre_answer=true,${SILENT}]null/2,[origination_uuid=${U3},${SILENT}]null/3`],
        ],
        '5124': [
          ['set', 'bridge_early_media=true'],
          ['bridge', `[origination_uuid=${U2}]loopback/3100,[origination_uuid=${U3},${SILENT}]null/3`],
        ],
        '5123': [
          ['set', 'ignore_early_media=true'],
          ['bridge', `[origination_uuid=${U2},null_pre_answer=true,null_auto_answer_delay=2000]null/2`],
        ],
        '5140': [
          ['set', 'ringback=/sounds/ring.wav'],
          ['bridge', `[origination_uuid=${U2},null_auto_answer_delay=2500]null/2:_:[origination_uuid=${U3},${SILENT}]null/3`],
        ],
        '5141': [
          ['set', `ringback=${TONE}`],
          ['bridge', `[origination_uuid=${U2},null_auto_answer_delay=2500]null/2:_:[${SILENT}]null/3`],
        ],
        '5130': [
          ['set', 'ignore_early_media=ring_ready'],
          ['bridge', `[origination_uuid=${U2},null_pre_answer=true,${SILENT}]null/2`],
        ],
        // early media with audio: a busy tone, a ringing tone
        '3200': [['pre_answer'], ['playback', 'tone_stream://%(500,500,480,620);loops=20']],
        '3201': [['pre_answer'], ['playback', `tone_stream://${TONE};loops=5`]],
        '3202': [['pre_answer'], ['playback', 'tone_stream://%(3000,0,1000)']],
        '3203': [['pre_answer'], ['playback', 'tone_stream://%(3000,0,1400)']],
        '5125': [
          ['set', 'bridge_early_media=true'],
          ['bridge', `[origination_uuid=${U2}]loopback/3202`],
        ],
        '5126': [
          ['set', 'bridge_early_media=true'],
          ['bridge', `[origination_uuid=${U2}]loopback/3202,[origination_uuid=${U1}]loopback/3203`],
        ],
        '5131': [
          ['set', 'ignore_early_media=ring_ready'],
          ['bridge', `[origination_uuid=${U2},null_pre_answer=true,${SILENT}]null/2,[origination_uuid=${U3},${SILENT}]null/3`],
        ],
      },
    }),
  });

type Events = SwitchEvent[];
/** The events of the caller: the loopback B half running extension `ext`. */
const callerOf = (events: Events, ext: string) => events.filter((e) => e.getHeader('Channel-Name') === `loopback/${ext}-b`);
const of = (events: Events, u: string) => events.filter((e) => e.getHeader('Unique-ID') === u);
/** The caller's answer-related events with their time (ms from the switch's start). */
const signals = (events: Events, base: number) =>
  events
    .filter((e) => ['CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE'].includes(e.type))
    .map((e) => `${e.type} @${Number(e.getHeader('Event-Date-Timestamp')) / 1000 - base}`);
const BASE = 1_725_358_272_000;

/** Dials through the caller running `ext`; returns its events and the leg events after `ms`. */
async function call(t: Setup, ext: string, ms: number): Promise<Events> {
  void t.sw.originate(`loopback/${ext} &park()`);
  await at(t, t.clock.now() + ms);
  return t.sub.take();
}

describe('ring-ready to the caller (no ringback)', () => {
  it('a leg that rings makes the caller ring: CHANNEL_PROGRESS with the lone leg’s callee id', async () => {
    const t = await start();
    const events = await call(t, '5100', 500);
    const caller = callerOf(events, '5100');
    expect(signals(caller, BASE)).toEqual(['CHANNEL_PROGRESS @0']);
    const progress = caller.find((e) => e.type === 'CHANNEL_PROGRESS');
    expect(progress?.getHeader('Caller-Callee-ID-Name')).toBe('Outbound Call');
    expect(progress?.getHeader('Caller-Callee-ID-Number')).toBe('3000');
    // after the leg's own ringing
    expect(events.indexOf(progress as SwitchEvent)).toBeGreaterThan(
      events.findIndex((e) => e.type === 'CHANNEL_PROGRESS' && e.getHeader('Unique-ID') === U1),
    );
    await stop(t);
  });

  it('with more than one leg the caller rings without their callee id; ignore_ring_ready: it does not ring', async () => {
    const t = await start();
    const two = callerOf(await call(t, '5101', 500), '5101');
    expect(signals(two, BASE)).toEqual(['CHANNEL_PROGRESS @0']);
    expect(two.find((e) => e.type === 'CHANNEL_PROGRESS')?.getHeader('Caller-Callee-ID-Number')).toBe('5101');
    const ignored = callerOf(await call(t, '5102', 500), '5102');
    expect(signals(ignored, BASE)).toEqual([]);
    await stop(t);
  });

  it('ignore_early_media=ring_ready: a lone leg’s early media makes the caller ring (not pre-answered); with two legs it does not', async () => {
    const t = await start();
    const lone = callerOf(await call(t, '5130', 500), '5130');
    expect(signals(lone, BASE)).toEqual(['CHANNEL_PROGRESS @0']);
    expect(lone.find((e) => e.type === 'CHANNEL_PROGRESS')?.getHeader('Caller-Callee-ID-Number')).toBe('2');
    await t.sw.api('hupall');
    await at(t, t.clock.now() + 100);
    t.sub.take();
    const two = callerOf(await call(t, '5131', 500), '5131');
    expect(signals(two, BASE)).toEqual([]);
    await stop(t);
  });
});

describe('ringback / transfer_ringback / instant_ringback', () => {
  it('with ringback a ringing leg pre-answers the caller (CHANNEL_PROGRESS_MEDIA, no CHANNEL_PROGRESS) and the tone starts', async () => {
    const t = await start();
    const caller = callerOf(await call(t, '5110', 500), '5110');
    expect(signals(caller, BASE)).toEqual(['CHANNEL_PROGRESS_MEDIA @0']);
    expect(t.logs).toContain(`DEBUG Play Ringback Tone [${TONE}]`);
    await stop(t);
  });

  it('nothing rings: no pre-answer and no ringback, unless instant_ringback (or ring_ready=true) starts it at once', async () => {
    const t = await start();
    const quiet = callerOf(await call(t, '5114', 2500), '5114');
    expect(signals(quiet, BASE)).toEqual([]);
    expect(t.logs.some((l) => l.includes('Ringback'))).toBe(false);
    expect(t.logs).toContain('INFO Originate Failed.  Cause: NO_ANSWER');
    await t.sw.api('hupall');
    await at(t, t.clock.now() + 100);
    t.sub.take();
    const now = t.clock.now();
    const instant = callerOf(await call(t, '5111', 500), '5111');
    expect(signals(instant, BASE + now)).toEqual(['CHANNEL_PROGRESS_MEDIA @0']);
    expect(t.logs).toContain('DEBUG Play Ringback File [/sounds/ring.wav]');
    await t.sw.api('hupall');
    await at(t, t.clock.now() + 100);
    t.sub.take();
    const now2 = t.clock.now();
    const ringReady = callerOf(await call(t, '5115', 500), '5115');
    expect(signals(ringReady, BASE + now2)).toEqual(['CHANNEL_PROGRESS_MEDIA @0']);
    await stop(t);
  });

  it('a file without an extension is played as is, in the caller’s codec; silence logs nothing', async () => {
    const t = await start();
    await call(t, '5112', 500);
    expect(t.logs).toContain('DEBUG Play Ringback File [/sounds/ring.L16]');
    t.logs.length = 0;
    const silence = callerOf(await call(t, '5113', 500), '5113');
    expect(signals(silence, BASE + 500)).toEqual(['CHANNEL_PROGRESS_MEDIA @0']);
    expect(t.logs.some((l) => l.includes('Ringback'))).toBe(false);
    await stop(t);
  });

  it('with ringback a ring still counts as progress (progress_timeout does not fire)', async () => {
    const t = await start();
    await call(t, '5116', 6100);
    expect(t.logs).toContain('INFO Originate Failed.  Cause: NO_ANSWER');
    expect(t.logs).not.toContain('INFO Originate Failed.  Cause: PROGRESS_TIMEOUT');
    await stop(t);
  });

  it('transfer_ringback is what an answered caller hears; it is not pre-answered again', async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${U3},transfer_ringback=/sounds/xfer.wav,ringback=/sounds/ring.wav}null/3 &bridge(${RING})`);
    await at(t, 500);
    expect(t.logs).toContain('DEBUG Play Ringback File [/sounds/xfer.wav]');
    expect(t.logs).not.toContain('DEBUG Play Ringback File [/sounds/ring.wav]');
    expect(signals(of(t.sub.take(), U3), BASE)).toEqual(['CHANNEL_ANSWER @0']);
    await stop(t);
  });
});

describe('the ringback of an enterprise originate (`:_:`)', () => {
  it('the caller is pre-answered at once and hears a ringback file in a loop until the originate is over', async () => {
    const t = await start();
    const caller = callerOf(await call(t, '5140', 3000), '5140');
    const trace = caller
      .filter((e) => e.type.startsWith('PLAYBACK') || ['CHANNEL_PROGRESS_MEDIA', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE'].includes(e.type))
      .map(
        (e) =>
          `${e.type}${e.getHeader('Playback-Status') ? ` ${e.getHeader('Playback-Status')}` : ''} @${Number(e.getHeader('Event-Date-Timestamp')) / 1000 - BASE}`,
      );
    expect(trace).toEqual([
      'CHANNEL_PROGRESS_MEDIA @0',
      'PLAYBACK_START @0',
      'PLAYBACK_STOP done @1000',
      'PLAYBACK_START @1000',
      'PLAYBACK_STOP done @2000',
      'PLAYBACK_START @2000',
      'PLAYBACK_STOP done @2500',
      'CHANNEL_ANSWER @2500',
      'CHANNEL_BRIDGE @2500',
    ]);
    expect(caller.find((e) => e.type === 'PLAYBACK_START')?.getHeader('Playback-File-Path')).toBe('/sounds/ring.wav');
    await stop(t);
  });

  it('a tone is generated without events: only the pre-answer shows', async () => {
    const t = await start();
    const caller = callerOf(await call(t, '5141', 3000), '5141');
    expect(signals(caller, BASE)).toEqual(['CHANNEL_PROGRESS_MEDIA @0', 'CHANNEL_ANSWER @2500', 'CHANNEL_BRIDGE @2500']);
    expect(caller.some((e) => e.type.startsWith('PLAYBACK'))).toBe(false);
    await stop(t);
  });
});

describe('bridge_early_media and early media wins', () => {
  it('by default a leg’s early media wins: the caller is pre-answered and bridged at once (DIALSTATUS ANSWER)', async () => {
    const t = await start();
    const caller = callerOf(await call(t, '5121', 2500), '5121');
    expect(signals(caller, BASE)).toEqual(['CHANNEL_PROGRESS_MEDIA @0', 'CHANNEL_BRIDGE @0', 'CHANNEL_ANSWER @2000']);
    await stop(t);
  });

  it('bridge_early_media=true: the caller is pre-answered at the leg’s early media, and bridged when the leg answers', async () => {
    const t = await start();
    const caller = callerOf(await call(t, '5120', 2500), '5120');
    expect(signals(caller, BASE)).toEqual(['CHANNEL_PROGRESS_MEDIA @0', 'CHANNEL_ANSWER @2000', 'CHANNEL_BRIDGE @2000']);
    // the answered peer's callee id is passed to the caller before its answer
    expect(caller.find((e) => e.type === 'CHANNEL_ANSWER')?.getHeader('Caller-Callee-ID-Number')).toBe('2');
    await stop(t);
  });

  it('ignore_early_media=true: nothing reaches the caller until the leg answers', async () => {
    const t = await start();
    const caller = callerOf(await call(t, '5123', 2500), '5123');
    expect(signals(caller, BASE)).toEqual(['CHANNEL_ANSWER @2000', 'CHANNEL_BRIDGE @2000']);
    await stop(t);
  });

  it('once the relayed leg is gone the relay ends and early media wins again (early_thread_run sets early_ok)', async () => {
    const t = await start();
    const events = await call(t, '5122', 500);
    expect(signals(callerOf(events, '5122'), BASE)).toEqual(['CHANNEL_PROGRESS_MEDIA @0']);
    // the other leg's early media does not win while the relay runs …
    await t.sw.api(`uuid_kill ${U2}`);
    await at(t, 1000);
    // … and does once it has ended
    expect(await t.sw.api(`uuid_pre_answer ${U3}`)).toBe('+OK\n');
    await at(t, 1100);
    expect(signals(callerOf(t.sub.take(), '5122'), BASE)).toEqual(['CHANNEL_BRIDGE @1000']);
    await stop(t);
  });

  it('bridge_early_media=true: the caller hears the ringing legs’ early media, one leg as it is, two mixed', async () => {
    for (const [ext, freqs] of [
      ['5125', [1000]],
      ['5126', [1000, 1400]],
    ] as const) {
      const t = await start();
      const heard: number[] = [];
      // the caller is the B half of this loopback: what it hears comes out of the A half
      await t.sw.originate(`{origination_uuid=${U3}}loopback/${ext} &park()`);
      t.sw.core.media.tap(U3, (direction, frame) => {
        if (direction === 'read') heard.push(...linearOf(frame));
      });
      await at(t, 1000);
      expect(heard.length).toBeGreaterThan(8000 * 0.7);
      for (const f of freqs) expect(share(heard, f)).toBeGreaterThan(0.8 / freqs.length);
      await stop(t);
    }
  });

  it('a relayed leg that rings ends the relay for good: early media still does not win', async () => {
    const t = await start();
    const events = await call(t, '5124', 500);
    // it rang (the caller too), then had early media: the caller is pre-answered, the relay sees the ring and stops
    expect(signals(callerOf(events, '5124'), BASE)).toEqual(['CHANNEL_PROGRESS @0', 'CHANNEL_PROGRESS_MEDIA @0']);
    expect(await t.sw.api(`uuid_pre_answer ${U3}`)).toBe('+OK\n');
    await at(t, 1000);
    expect(signals(callerOf(t.sub.take(), '5124'), BASE)).toEqual([]);
    expect(await t.sw.api(`uuid_exists ${U3}`)).toBe('true');
    await stop(t);
  });

  it('while the relay runs another leg’s early media does not win', async () => {
    const t = await start();
    await call(t, '5122', 500);
    expect(await t.sw.api(`uuid_pre_answer ${U3}`)).toBe('+OK\n');
    await at(t, 1000);
    expect(signals(callerOf(t.sub.take(), '5122'), BASE)).toEqual([]);
    expect(await t.sw.api(`uuid_exists ${U3}`)).toBe('true');
    await stop(t);
  });
});

describe('originate_early_media', () => {
  it('every leg gets it: true, or false when early media does not win', async () => {
    const t = await start();
    await t.sw.originate(`[origination_uuid=${U1}]null/1 &park()`);
    expect(await t.sw.api(`uuid_getvar ${U1} originate_early_media`)).toBe('true');
    const reply = t.sw.originate(`{ignore_early_media=true}[origination_uuid=${U3},null_auto_answer_delay=100]null/3 &park()`);
    await at(t, 50);
    expect(await t.sw.api(`uuid_getvar ${U3} originate_early_media`)).toBe('false');
    await at(t, 200);
    await reply;
    await stop(t);
  });
});

describe('monitor_early_media_fail / monitor_early_media_ring', () => {
  it('early media does not win; the leg’s specs are read at its first early media (tone detectors, which hear nothing here)', async () => {
    const t = await start();
    const leg = `[origination_uuid=${U1},${SILENT},null_pre_answer=true,monitor_early_media_fail=user_busy:3:480+620!bogus!user_busy:3!normal_clearing::425]null/1`;
    const reply = t.sw.originate(`{originate_timeout=2,monitor_early_media_fail=true}${leg} &park()`);
    await at(t, 2000);
    expect(await reply).toBe('-ERR NO_ANSWER\n');
    expect(t.logs.filter((l) => l.startsWith('ERR') || l.includes('tone spec') || l.includes('bug'))).toEqual([
      'DEBUG Adding tone spec 480,620 index 0 hits 3',
      'ERR Parse Error',
      'ERR Parse Error',
      // no hits: 2
      'DEBUG Adding tone spec 425 index 1 hits 2',
      'DEBUG null/1 bug already running',
    ]);
    await stop(t);
  });

  it('a busy tone in the early media hangs the leg up with the spec’s cause: the originate fails with it', async () => {
    const t = await start();
    const leg = `[origination_uuid=${U1},monitor_early_media_fail=user_busy:2:480+620,monitor_fail_dispo=busy_tone]loopback/3200`;
    const reply = t.sw.originate(`{originate_timeout=30,monitor_early_media_fail=true}${leg} &park()`);
    // 500 ms bursts: a hit puts the detector to sleep for 25 frames, and a pair needs both its filters to pass
    await at(t, 20000);
    expect(await reply).toBe('-ERR USER_BUSY\n');
    const events = of(t.sub.take(), U1);
    expect(
      events
        .filter((e) => e.type.startsWith('MEDIA_BUG') || e.type === 'CHANNEL_HANGUP')
        .map((e) => `${e.type} ${e.getHeader('Media-Bug-Target') ?? e.getHeader('Hangup-Cause')}`),
    ).toEqual(['MEDIA_BUG_START monitor_early_media_fail_1', 'CHANNEL_HANGUP USER_BUSY', 'MEDIA_BUG_STOP monitor_early_media_fail_1']);
    const hangup = events.find((e) => e.type === 'CHANNEL_HANGUP');
    expect(hangup?.getHeader('variable_DIALSTATUS')).toBe('BUSY');
    expect(hangup?.getHeader('variable_originate_disposition')).toBe('busy_tone');
    expect(Number(hangup?.getHeader('variable_tone_detect_monitor_early_media_fail_1_total_time'))).toBeGreaterThan(0);
    expect(t.logs.filter((l) => l.includes('TONE monitor'))).toEqual([
      'DEBUG TONE monitor_early_media_fail_1 HIT 1/2',
      'DEBUG TONE monitor_early_media_fail_1 HIT 2/2',
      'DEBUG TONE monitor_early_media_fail_1 DETECTED',
    ]);
    await stop(t);
  });

  it('ring tones in the early media make it count: at the ring total the leg wins in early media, its detectors taken off', async () => {
    const t = await start();
    const leg = `[origination_uuid=${U1},monitor_early_media_ring=1:440+480,monitor_early_media_ring_total=2]loopback/3201`;
    const reply = t.sw.originate(`{originate_timeout=30,progress_timeout=25,monitor_early_media_ring=true}${leg} &park()`);
    await at(t, 20000);
    expect(await reply).toBe(`+OK ${U1}\n`);
    expect(t.logs.filter((l) => l.includes('Ring ') || l.includes('ring total'))).toEqual([
      'DEBUG loopback/3201-a setting ring total to 2',
      'DEBUG Ring 1/2',
    ]);
    const events = of(t.sub.take(), U1);
    expect(events.filter((e) => e.type.startsWith('MEDIA_BUG')).map((e) => `${e.type} ${e.getHeader('Media-Bug-Target')}`)).toEqual([
      'MEDIA_BUG_START monitor_early_media_ring_1',
      'MEDIA_BUG_STOP monitor_early_media_ring_1',
    ]);
    expect(await t.sw.api(`uuid_getvar ${U1} originate_disposition`)).toBe('monitor_early_media_ring');
    expect(await t.sw.api(`uuid_getvar ${U1} DIALSTATUS`)).toBe('EARLY');
    await stop(t);
  });

  it('with the ring monitor early media is no progress (progress_timeout fires); ring total and tone_detect_hits', async () => {
    const t = await start();
    const leg = `[origination_uuid=${U1},${SILENT},null_pre_answer=true,tone_detect_hits=4,monitor_early_media_ring=1:440+480!2:foo,monitor_early_media_ring_total=3]null/1`;
    const reply = t.sw.originate(`{progress_timeout=2,originate_timeout=5,monitor_early_media_ring=true}${leg} &park()`);
    await at(t, 2000);
    expect(await reply).toBe('-ERR PROGRESS_TIMEOUT\n');
    expect(t.logs.filter((l) => l.startsWith('ERR') || l.includes('tone spec') || l.includes('ring total') || l.includes('bug'))).toEqual([
      'DEBUG Adding tone spec 440,480 index 0 hits 4',
      'DEBUG Adding tone spec foo index 1 hits 4',
      'ERR Invalid tone spec!',
      'DEBUG null/1 setting ring total to 3',
    ]);
    // without the monitor the same early media is progress: the group timeout ends it
    const plain = t.sw.originate(`{progress_timeout=2,originate_timeout=5,ignore_early_media=true}[${SILENT},null_pre_answer=true]null/1 &park()`);
    await at(t, 7100);
    expect(await plain).toBe('-ERR NO_ANSWER\n');
    await stop(t);
  });
});
