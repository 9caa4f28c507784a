/** endless_playback and loop_playback: the file again and again, a count, the errors, a break that does not end it. */
import { describe, expect, it } from 'vitest';
import { type Setup, setup } from './switch_helpers.ts';

const U1 = '11111111-1111-4111-8111-111111111111';

async function parked(): Promise<Setup> {
  const t = await setup();
  await t.sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
  await t.settle();
  t.sub.take();
  return t;
}

const run = async (t: Setup, app: string, arg: string) => {
  await t.sw.api(`uuid_broadcast ${U1} ${app}::${arg.replaceAll(' ', '\\s')} aleg`);
  await t.settle();
};

const playbacks = (t: Setup) =>
  t.sub
    .take()
    .filter((e) => e.type.startsWith('PLAYBACK') || e.type === 'CHANNEL_EXECUTE_COMPLETE' || e.type === 'CHANNEL_HANGUP')
    .map((e) =>
      e.type === 'CHANNEL_EXECUTE_COMPLETE'
        ? `${e.type} ${e.getHeader('Application-Response')}`
        : e.type === 'CHANNEL_HANGUP'
          ? `${e.type} ${e.getHeader('Hangup-Cause')}`
          : e.type,
    );

async function advance(t: Setup, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 20) {
    await t.clock.advance(20);
    await t.settle();
  }
}

describe('loop_playback / endless_playback', () => {
  it('loop_playback +N plays the file N times, then FILE PLAYED; +0 plays nothing', async () => {
    const t = await parked();
    await run(t, 'loop_playback', '+3 tone_stream://%(100,0,1000)');
    await advance(t, 400);
    expect(playbacks(t)).toEqual([...Array(3).fill(['PLAYBACK_START', 'PLAYBACK_STOP']).flat(), 'CHANNEL_EXECUTE_COMPLETE FILE PLAYED']);
    await run(t, 'loop_playback', '+0 tone_stream://%(100,0,1000)');
    await advance(t, 200);
    expect(playbacks(t)).toEqual(['CHANNEL_EXECUTE_COMPLETE FILE PLAYED']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('loop_playback without a count or a file: ERR and DESTINATION_OUT_OF_ORDER', async () => {
    const t = await parked();
    await run(t, 'loop_playback', '+5');
    expect(t.logs).toContain('ERR Missing file arg in data [+5]');
    expect(playbacks(t)).toContain('CHANNEL_HANGUP DESTINATION_OUT_OF_ORDER');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('endless_playback goes on past a break until the channel goes', async () => {
    const t = await parked();
    await run(t, 'endless_playback', 'tone_stream://%(100,0,1000)');
    await advance(t, 520);
    await t.sw.api(`uuid_break ${U1}`);
    await advance(t, 500);
    const seen = playbacks(t);
    expect(seen.filter((e) => e === 'PLAYBACK_START').length).toBeGreaterThanOrEqual(9);
    expect(seen).not.toContain('CHANNEL_EXECUTE_COMPLETE FILE PLAYED');
    await t.sw.api(`uuid_kill ${U1}`);
    await t.settle();
    expect(playbacks(t)).toContain('CHANNEL_EXECUTE_COMPLETE PLAYBACK ERROR');
    await t.sw.stop();
    await t.rt.stop();
  });
});
