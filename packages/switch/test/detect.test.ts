/**
 * Listening to a channel's audio: libteletone's DTMF and multi-tone detectors, and the
 * applications that put them on a channel (start_dtmf, tone_detect, fax_detect and their stops).
 * Audio is made with the TGML renderer and sent through G.711, as a phone's would arrive.
 */
import { describe, expect, it } from 'vitest';
import type { AudioFrame } from '../src/index.ts';
import { decodeFrame, encodeFrame } from '../src/media/g711.ts';
import { DtmfDetector, Hit, MultiToneDetector } from '../src/media/teletone_detect.ts';
import { renderTgml } from '../src/media/tone.ts';
import { type Setup, setup } from './switch_helpers.ts';

const KEYPAD: Record<string, readonly [number, number]> = {
  '1': [697, 1209],
  '2': [697, 1336],
  '3': [697, 1477],
  A: [697, 1633],
  '4': [770, 1209],
  '5': [770, 1336],
  '6': [770, 1477],
  B: [770, 1633],
  '7': [852, 1209],
  '8': [852, 1336],
  '9': [852, 1477],
  C: [852, 1633],
  '*': [941, 1209],
  '0': [941, 1336],
  '#': [941, 1477],
  D: [941, 1633],
};

/** `digits` as a phone would play them in band: `onMs` of each digit's pair, `offMs` of silence; through μ-law. */
function dtmfAudio(digits: string, onMs = 100, offMs = 100): Int16Array {
  const spec = [...digits].map((d) => `%(${onMs},${offMs},${KEYPAD[d]?.join(',')})`).join(';');
  return decodeFrame('PCMU', encodeFrame('PCMU', renderTgml(spec)));
}

function* frames(audio: Int16Array): Generator<Int16Array> {
  for (let i = 0; i + 160 <= audio.length; i += 160) yield audio.subarray(i, i + 160);
}

/** What a DTMF detector reports over the audio, frame by frame: each ended digit with its duration. */
function detectDigits(audio: Int16Array): { digit: string; duration: number }[] {
  const detector = new DtmfDetector();
  const got: { digit: string; duration: number }[] = [];
  for (const f of frames(audio)) if (detector.detect(f) === Hit.End) got.push(detector.take() ?? { digit: '?', duration: -1 });
  return got;
}

/** The frames where a multi-tone detector completes a hit. */
function toneHits(freqs: number[], audio: Int16Array): number[] {
  const detector = new MultiToneDetector(freqs);
  const hits: number[] = [];
  let n = 0;
  for (const f of frames(audio)) {
    if (detector.detect(f)) hits.push(n);
    n++;
  }
  return hits;
}

describe('the DTMF detector (teletone_dtmf_detect)', () => {
  it('hears every key of the pad, in order, each once, ended two frames into the silence after it', () => {
    const keys = Object.keys(KEYPAD).join('');
    const got = detectDigits(dtmfAudio(keys));
    expect(got.map((g) => g.digit).join('')).toBe(keys);
    // 100 ms on: found in the second block, counted per frame until two quiet frames, the last taken off
    expect(new Set(got.map((g) => g.duration))).toEqual(new Set([640]));
  });

  it('a key held longer is one digit with a longer duration; the same key again after a gap is a second digit', () => {
    const got = detectDigits(dtmfAudio('55', 400, 200));
    expect(got).toEqual([
      { digit: '5', duration: 3040 },
      { digit: '5', duration: 3040 },
    ]);
  });

  it('hears nothing in silence, a single tone, dial tone or a tone with twist beyond 8 dB', () => {
    expect(detectDigits(new Int16Array(8000))).toEqual([]);
    expect(detectDigits(renderTgml('%(1000,0,1000)'))).toEqual([]);
    expect(detectDigits(renderTgml('%(1000,0,350,440)'))).toEqual([]);
    const twisted = new Int16Array(8000);
    for (let i = 0; i < 4000; i++)
      twisted[i] = Math.round(8000 * Math.sin((2 * Math.PI * 697 * i) / 8000) + 1000 * Math.sin((2 * Math.PI * 1209 * i) / 8000));
    expect(detectDigits(twisted)).toEqual([]);
  });

  it('its filters are reset only when a digit ends: after some strong tones they ring on, and the silence reads as a digit', () => {
    // 500 ms of 1100 Hz (a fax's calling tone) at 6000, then silence: where the tone stops decides
    const fax = (ms: number) =>
      Int16Array.from({ length: 8000 }, (_, i) => (i < ms * 8 ? Math.round(6000 * Math.sin((2 * Math.PI * 1100 * i) / 8000)) : 0));
    expect(detectDigits(decodeFrame('PCMU', encodeFrame('PCMU', fax(500))))).toEqual([{ digit: '*', duration: 0 }]);
    expect(detectDigits(decodeFrame('PCMU', encodeFrame('PCMU', fax(480))))).toEqual([]);
  });
});

describe('the multi-tone detector (teletone_multi_tone_detect)', () => {
  it('hits on the fax calling tone (1100 Hz) and not on other tones', () => {
    const fax = decodeFrame('PCMU', encodeFrame('PCMU', renderTgml('%(500,0,1100)')));
    expect(toneHits([1100], fax).length).toBeGreaterThan(0);
    expect(toneHits([1100], renderTgml('%(2000,0,2100)'))).toEqual([]);
    expect(toneHits([1100], renderTgml('%(2000,0,440,480)'))).toEqual([]);
    expect(toneHits([1100], new Int16Array(16000))).toEqual([]);
  });

  it('judges a pair by its summed power: ringback (440+480) hits, and so does 440 alone; 1000 Hz does not', () => {
    expect(toneHits([440, 480], renderTgml('%(2000,0,440,480)')).length).toBeGreaterThan(0);
    expect(toneHits([440, 480], renderTgml('%(2000,0,440)')).length).toBeGreaterThan(0);
    expect(toneHits([440, 480], renderTgml('%(2000,0,1000)'))).toEqual([]);
  });
});

const U1 = '11111111-1111-4111-8111-111111111111';

/** A parked null call with a port, and a way to play audio from its far end (20 ms a frame, the clock moving). */
async function parkedWithAudio(): Promise<Setup & { uuid: string; play(audio: Int16Array): Promise<void> }> {
  const t = await setup();
  await t.sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
  await t.settle();
  t.sw.core.media.attach(U1, { codec: 'PCMU', write: () => {} });
  t.sub.take();
  const play = async (audio: Int16Array) => {
    for (const f of frames(audio)) {
      const frame: AudioFrame = { codec: 'PCMU', payload: encodeFrame('PCMU', f), samples: 160 };
      t.sw.core.media.deliver(U1, frame);
      await t.clock.advance(20);
      await t.rt.settle();
    }
    await t.settle();
  };
  return { ...t, uuid: U1, play };
}

const bugEvents = (t: Setup) =>
  t.sub
    .take()
    .filter((e) => e.type.startsWith('MEDIA_BUG') || e.type === 'DTMF' || e.type === 'DETECTED_TONE')
    .map((e) =>
      [
        e.type,
        e.getHeader('Media-Bug-Function') ?? e.getHeader('DTMF-Digit') ?? e.getHeader('Detected-Tone'),
        e.getHeader('Media-Bug-Target') ?? e.getHeader('DTMF-Source') ?? e.getHeader('Unique-ID') ?? '-',
      ].join(' '),
    );

describe('start_dtmf / stop_dtmf', () => {
  it('digits in what the far end sends become DTMF from INBAND_AUDIO; one detector a channel; stop_dtmf ends it', async () => {
    const t = await parkedWithAudio();
    await t.sw.api(`uuid_broadcast ${U1} start_dtmf:: aleg`);
    await t.settle();
    expect(bugEvents(t)).toEqual(['MEDIA_BUG_START inband_dtmf N/A']);
    await t.play(dtmfAudio('42#'));
    expect(bugEvents(t)).toEqual(['DTMF 4 INBAND_AUDIO', 'DTMF 2 INBAND_AUDIO', 'DTMF # INBAND_AUDIO']);
    expect(t.logs).toContain('DEBUG DTMF DETECTED: [4][640]');
    await t.sw.api(`uuid_broadcast ${U1} start_dtmf:: aleg`);
    await t.settle();
    expect(t.logs).toContain('ERR Only one bug of this type allowed!');
    expect(bugEvents(t)).toEqual([]);
    await t.sw.api(`uuid_broadcast ${U1} stop_dtmf:: aleg`);
    await t.settle();
    expect(bugEvents(t)).toEqual(['MEDIA_BUG_STOP inband_dtmf N/A']);
    await t.play(dtmfAudio('7'));
    expect(bugEvents(t)).toEqual([]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('the detector goes with the call: MEDIA_BUG_STOP at hangup', async () => {
    const t = await parkedWithAudio();
    await t.sw.api(`uuid_broadcast ${U1} start_dtmf:: aleg`);
    await t.settle();
    await t.sw.api(`uuid_kill ${U1}`);
    await t.settle();
    expect(bugEvents(t)).toEqual(['MEDIA_BUG_START inband_dtmf N/A', 'MEDIA_BUG_STOP inband_dtmf N/A']);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('tone_detect / fax_detect / stop_tone_detect', () => {
  const fax = () => decodeFrame('PCMU', encodeFrame('PCMU', renderTgml('%(500,3000,1100)')));

  it('a hit: the total time, execute_on_tone_detect, the tone’s application, DETECTED_TONE without channel data; then it is off', async () => {
    const t = await parkedWithAudio();
    await t.sw.api(`uuid_setvar ${U1} execute_on_tone_detect set hooked=yes`);
    await t.sw.api(`uuid_broadcast ${U1} tone_detect::fax\\s1100\\sr\\s0\\sset\\sfax_seen=true\\s1 aleg`);
    await t.settle();
    expect(t.logs).toContain(`NOTICE Enabling tone detection 'fax' '1100'`);
    expect(t.logs).toContain('DEBUG Adding tone spec 1100 index 0 hits 1');
    expect(bugEvents(t)).toEqual(['MEDIA_BUG_START tone_detect fax']);
    await t.play(fax());
    await t.play(fax());
    // detected once: the tone is off after its hit (tone_detect with its key turns it on again)
    expect(bugEvents(t)).toEqual(['DETECTED_TONE fax -']);
    expect(t.logs).toContain('DEBUG TONE fax DETECTED');
    expect(await t.sw.api(`uuid_getvar ${U1} hooked`)).toBe('yes');
    expect(await t.sw.api(`uuid_getvar ${U1} fax_seen`)).toBe('true');
    expect(Number(await t.sw.api(`uuid_getvar ${U1} tone_detect_fax_total_time`))).toBeGreaterThan(0);
    await t.sw.api(`uuid_broadcast ${U1} tone_detect::fax\\s1100 aleg`);
    await t.settle();
    expect(t.logs).toContain('DEBUG Re-enabling fax');
    await t.play(fax());
    expect(bugEvents(t)).toEqual(['DETECTED_TONE fax -']);
    await t.sw.api(`uuid_broadcast ${U1} stop_tone_detect:: aleg`);
    await t.settle();
    expect(bugEvents(t)).toEqual(['MEDIA_BUG_STOP tone_detect fax']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('the tone_detect API (mod_commands): the same detection on a channel by uuid; its replies and refusals', async () => {
    const t = await parkedWithAudio();
    expect(await t.sw.api(`tone_detect ${U1} fax 1100 r +10 set fax_api=yes`)).toBe(`+OK Enabling tone detection 'fax' '1100' 'r'\n`);
    expect(bugEvents(t)).toEqual(['MEDIA_BUG_START tone_detect fax']);
    await t.play(fax());
    expect(bugEvents(t)).toEqual(['DETECTED_TONE fax -']);
    expect(await t.sw.api(`uuid_getvar ${U1} fax_api`)).toBe('yes');
    expect(await t.sw.api(`tone_detect ${U1} ring 440,480`)).toBe(`+OK Enabling tone detection 'ring' '440,480' '(null)'\n`);
    // a timeout in the past, or +0: no detection and no reply
    expect(await t.sw.api(`tone_detect ${U1} busy 480,620 r 5`)).toBe('');
    expect(await t.sw.api(`tone_detect ${U1} busy 480,620 r +0`)).toBe('');
    expect(t.logs.filter((l) => l === 'ERR INVALID Timeout!')).toHaveLength(2);
    expect(await t.sw.api(`tone_detect ${U1} fax`)).toBe('');
    expect(t.logs).toContain('ERR -ERR INVALID ARGS!');
    expect(await t.sw.api('tone_detect 4a0f9c36-0000-4000-8000-000000000000 fax 1100')).toBe('-ERR Cannot locate session!\n');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('`o` ends the bug at the hit; hits counts hit after hit; a timeout ends the bug at the first frame after it', async () => {
    const t = await parkedWithAudio();
    await t.sw.api(`uuid_broadcast ${U1} tone_detect::ring\\s440,480\\sro aleg`);
    await t.settle();
    await t.play(renderTgml('%(2000,0,440,480)'));
    expect(bugEvents(t)).toEqual(['MEDIA_BUG_START tone_detect ring', 'DETECTED_TONE ring -', 'MEDIA_BUG_STOP tone_detect ring']);
    await t.sw.api(`uuid_broadcast ${U1} stop_tone_detect:: aleg`);
    await t.settle();
    // two hits wanted; the second must come within the expiry (250 frames) of the first, after its sleep (25)
    await t.sw.api(`uuid_setvar ${U1} tone_detect_hits 2`);
    await t.sw.api(`uuid_broadcast ${U1} fax_detect:: aleg`);
    await t.settle();
    expect(t.logs).toContain('DEBUG Adding tone spec 1100.0 index 0 hits 2');
    await t.play(decodeFrame('PCMU', encodeFrame('PCMU', renderTgml('%(3000,0,1100)'))));
    expect(t.logs.filter((l) => l.startsWith('DEBUG TONE fax HIT'))).toEqual(['DEBUG TONE fax HIT 1/2', 'DEBUG TONE fax HIT 2/2']);
    expect(bugEvents(t)).toEqual(['MEDIA_BUG_START tone_detect fax', 'DETECTED_TONE fax -']);
    await t.sw.api(`uuid_broadcast ${U1} stop_tone_detect:: aleg`);
    await t.settle();
    t.sub.take();
    // flags without r or w: the bug hears neither direction
    await t.sw.api(`uuid_broadcast ${U1} tone_detect::deaf\\s1100\\so aleg`);
    await t.settle();
    await t.play(decodeFrame('PCMU', encodeFrame('PCMU', renderTgml('%(1000,0,1100)'))));
    expect(bugEvents(t)).toEqual(['MEDIA_BUG_START tone_detect deaf']);
    await t.sw.api(`uuid_broadcast ${U1} stop_tone_detect:: aleg`);
    await t.settle();
    t.sub.take();
    await t.sw.api(`uuid_broadcast ${U1} tone_detect::late\\s1100\\sr\\s+2 aleg`);
    await t.settle();
    await t.play(new Int16Array(8000 * 3));
    expect(bugEvents(t)).toEqual(['MEDIA_BUG_START tone_detect late', 'MEDIA_BUG_STOP tone_detect late']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('reads its words as mod_dptools does: too few, bad timeouts, the five-word form, bad specs', async () => {
    const t = await parkedWithAudio();
    const run = async (data: string) => {
      await t.sw.api(`uuid_broadcast ${U1} tone_detect::${data.replaceAll(' ', '\\s')} aleg`);
      await t.settle();
    };
    await run('onlykey');
    expect(t.logs).toContain('ERR INVALID ARGS!');
    await run('k1 abc');
    expect(t.logs).toContain('ERR Invalid tone spec!');
    // a time already past is logged, and the tone is added without one
    await run('k2 1100 r 5');
    expect(t.logs).toContain('ERR INVALID Timeout!');
    expect(t.logs).toContain('DEBUG Adding tone spec 1100 index 0 hits 1');
    // five words: the fifth is the hits (and, as the C has it, the application too)
    await run('k3 1100 r 0 3');
    expect(t.logs).toContain('DEBUG Adding tone spec 1100 index 1 hits 3');
    expect(t.logs).toContain('DEBUG null/1 bug already running');
    // a third tone joins the running bug
    await run('k4 2100');
    expect(t.logs).toContain('DEBUG Adding tone spec 2100 index 2 hits 1');
    await t.sw.stop();
    await t.rt.stop();
  });
});
