/**
 * wait_for_silence, detect_silence and detect_audio (switch_ivr_wait_for_silence,
 * switch_ivr_detect_silence, switch_ivr_detect_audio): a parked null leg with a port, whose far
 * end says a 1000 Hz tone or nothing, one 20 ms packet at a time.
 */
import { describe, expect, it } from 'vitest';
import type { AudioFrame, MediaPort } from '../src/index.ts';
import { encodeFrame } from '../src/media/g711.ts';
import { renderTgml } from '../src/media/tone.ts';
import { type Setup, parkedNull, setup, stopSetup } from './switch_helpers.ts';

const TONE = renderTgml('%(20,0,1000)').subarray(0, 160);

async function start() {
  const t = await setup();
  const uuid = await parkedNull(t);
  const frames: AudioFrame[] = [];
  const port: MediaPort = { codec: 'PCMU', write: (f) => frames.push(f) };
  t.sw.core.media.attach(uuid, port);
  return { ...t, uuid, frames };
}

/** `packets` packets of tone (`loud`) or nothing, one each 20 ms. */
async function say(t: Setup & { uuid: string }, packets: number, loud: boolean): Promise<void> {
  for (let i = 0; i < packets; i++) {
    if (loud) t.sw.core.media.deliver(t.uuid, { codec: 'PCMU', payload: encodeFrame('PCMU', TONE), samples: 160 });
    await t.clock.advance(20);
    await t.settle();
  }
}

const vars = async (t: Setup & { uuid: string }, names: string[]) => Promise.all(names.map((n) => t.sw.api(`uuid_getvar ${t.uuid} ${n}`)));
const completed = (t: Setup, app: string) =>
  t.sub.take().filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application') === app).length;

describe('wait_for_silence', () => {
  it('after more than listen_hits loud packets, silence_hits quiet ones and 25 more: silence (timeout false)', async () => {
    const t = await start();
    await t.sw.sendExecute(t.uuid, 'wait_for_silence', '200 10 3 10000');
    await t.settle();
    t.sub.take();
    // quiet before anyone spoke does not count while listen_hits are not reached
    await say(t, 20, false);
    await say(t, 5, true);
    await say(t, 10 + 24, false);
    expect(completed(t, 'wait_for_silence')).toBe(0);
    await say(t, 1, false);
    expect(completed(t, 'wait_for_silence')).toBe(1);
    expect(await vars(t, ['wait_for_silence_timeout', 'wait_for_silence_listenhits', 'wait_for_silence_silence_hits'])).toEqual(['false', '5', '0']);
    await stopSetup(t);
  });

  it('the timeout ends it (timeout true, the silence hits left); bad arguments are the usage', async () => {
    const t = await start();
    await t.sw.sendExecute(t.uuid, 'wait_for_silence', '200 10 0 300');
    await t.settle();
    t.sub.take();
    await say(t, 3, false);
    await say(t, 10, true);
    expect(completed(t, 'wait_for_silence')).toBe(0);
    await say(t, 2, true);
    expect(completed(t, 'wait_for_silence')).toBe(1);
    expect(await vars(t, ['wait_for_silence_timeout', 'wait_for_silence_listenhits', 'wait_for_silence_silence_hits'])).toEqual(['true', '11', '10']);
    await t.sw.sendExecute(t.uuid, 'wait_for_silence', '200 10 0');
    await t.sw.sendExecute(t.uuid, 'wait_for_silence', '0 10 0 100');
    await t.settle();
    expect(t.logs.filter((l) => l === 'ERR Usage: <silence_thresh> <silence_hits> <listen_hits> <timeout_ms> [<file>]')).toHaveLength(2);
    await stopSetup(t);
  });
});

describe('detect_silence / detect_audio', () => {
  it('detect_silence: more than silence_hits quiet packets in a row; a loud one starts the count again', async () => {
    const t = await start();
    await t.sw.sendExecute(t.uuid, 'detect_silence', '200 5 0');
    await t.settle();
    t.sub.take();
    await say(t, 4, false);
    await say(t, 1, true);
    await say(t, 5, false);
    expect(completed(t, 'detect_silence')).toBe(0);
    await say(t, 1, false);
    expect(completed(t, 'detect_silence')).toBe(1);
    expect(await vars(t, ['detect_silence_timeout', 'detect_silence_hits'])).toEqual(['false', '_undef_']);
    await stopSetup(t);
  });

  it('detect_audio: more than audio_hits loud packets; the timeout sets the hits so far; a file that does not open ends it', async () => {
    const t = await start();
    await t.sw.sendExecute(t.uuid, 'detect_audio', '200 2 1000');
    await t.settle();
    await say(t, 3, true);
    expect(completed(t, 'detect_audio')).toBe(1);
    expect(await vars(t, ['detect_audio_timeout'])).toEqual(['false']);
    await t.sw.sendExecute(t.uuid, 'detect_audio', '200 20 100');
    await t.settle();
    await say(t, 4, true);
    expect(completed(t, 'detect_audio')).toBe(0);
    await say(t, 1, true);
    expect(completed(t, 'detect_audio')).toBe(1);
    expect(await vars(t, ['detect_audio_timeout', 'detect_audio_hits'])).toEqual(['true', '4']);
    await t.sw.sendExecute(t.uuid, 'detect_audio', '200 2 1000 /nowhere/x.wav');
    await t.settle();
    expect(completed(t, 'detect_audio')).toBe(1);
    expect(t.logs).toContain('WARNING Failure opening playback file /nowhere/x.wav.');
    await stopSetup(t);
  });

  it('a file plays while it listens, and its end ends the loop', async () => {
    const t = await start();
    await t.sw.sendExecute(t.uuid, 'detect_silence', '200 100 0 silence_stream://100');
    await t.settle();
    t.sub.take();
    await say(t, 5, false);
    expect(completed(t, 'detect_silence')).toBe(0);
    await say(t, 1, false);
    expect(completed(t, 'detect_silence')).toBe(1);
    expect(t.frames.length).toBeGreaterThanOrEqual(5);
    expect(t.logs).toContain('WARNING Failed to read file silence_stream://100.');
    expect(await vars(t, ['detect_silence_timeout'])).toEqual(['_undef_']);
    await stopSetup(t);
  });
});
