/**
 * uuid_displace and uuid_audio on what the legs hear: A and B bridged, each with a recording port;
 * A's far end says 600 Hz, B's 400 Hz, every 20 ms.
 */
import { describe, expect, it } from 'vitest';
import { share } from '../../../tools/sipp/audio.ts';
import { displacePath } from '../src/applications/displace.ts';
import { changeSlnVolume } from '../src/applications/session_audio.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { AudioFrame, MediaPort } from '../src/index.ts';
import { encodeFrame } from '../src/media/g711.ts';
import { energyOf, linearOf } from '../src/media/tape.ts';
import { renderTgml } from '../src/media/tone.ts';
import { type Setup, bridgedNulls, setup } from './switch_helpers.ts';

function recorder(): MediaPort & { frames: AudioFrame[] } {
  const frames: AudioFrame[] = [];
  return { codec: 'PCMU', frames, write: (f) => frames.push(f) };
}

/** What the port heard since the last call. */
function heard(port: { frames: AudioFrame[] }): Int16Array {
  return Int16Array.from(port.frames.splice(0).flatMap((f) => [...linearOf(f)]));
}

async function talk(t: Setup, a: string, b: string, ms: number): Promise<void> {
  const toneA = renderTgml(`%(${ms},0,600)`);
  const toneB = renderTgml(`%(${ms},0,400)`);
  for (let i = 0; i + 160 <= toneA.length; i += 160) {
    t.sw.core.media.deliver(a, { codec: 'PCMU', payload: encodeFrame('PCMU', toneA.subarray(i, i + 160)), samples: 160 });
    t.sw.core.media.deliver(b, { codec: 'PCMU', payload: encodeFrame('PCMU', toneB.subarray(i, i + 160)), samples: 160 });
    await t.clock.advance(20);
    await t.settle();
  }
}

async function start() {
  const t = await setup({ dialplan: staticDialplan({ default: {} }) });
  const { a, b } = await bridgedNulls(t);
  const aPort = recorder();
  const bPort = recorder();
  t.sw.core.media.attach(a, aPort);
  t.sw.core.media.attach(b, bPort);
  const bugs = () =>
    t.sub
      .take()
      .filter((e) => e.type.startsWith('MEDIA_BUG'))
      .map((e) => `${e.type} ${e.getHeader('Unique-ID') === a ? 'A' : '?'} ${e.getHeader('Media-Bug-Function')} ${e.getHeader('Media-Bug-Target')}`);
  return { ...t, a, b, aPort, bPort, bugs };
}

const TONE = 'tone_stream://%(10000,0,1000)';

describe('uuid_displace (session_displace_function, switch_ivr_displace_session)', () => {
  it('usage, unknown session, a file that does not open, stopping what is not running', async () => {
    const t = await start();
    const usage = '-USAGE: <uuid> [start|stop] <path> [<limit>] [mux]\n';
    expect(await t.sw.api('uuid_displace')).toBe(usage);
    expect(await t.sw.api(`uuid_displace ${t.a} start`)).toBe(usage);
    expect(await t.sw.api(`uuid_displace ${t.a} play ${TONE}`)).toBe(usage);
    expect(await t.sw.api(`uuid_displace 4a0f9c36-0000-4000-8000-000000000000 start ${TONE}`)).toBe('-ERR Cannot locate session!\n');
    expect(await t.sw.api(`uuid_displace ${t.a} start /nowhere/x.wav`)).toBe('-ERR Cannot displace session!\n');
    expect(await t.sw.api(`uuid_displace ${t.a} stop ${TONE}`)).toBe('-ERR Cannot stop displace session!\n');
    expect(t.bugs()).toEqual([]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('the path: under sound_prefix unless absolute or a URL, the codec as extension when it has none', () => {
    expect(displacePath('x.wav', '/snd')).toBe('/snd/x.wav');
    expect(displacePath('x', '/snd')).toBe('/snd/x.L16');
    expect(displacePath('/abs/x', '/snd')).toBe('/abs/x.L16');
    expect(displacePath('[vol=2]x.wav', '/snd')).toBe('[vol=2]/snd/x.wav');
    expect(displacePath('tone_stream://%(1,0,1)', '/snd')).toBe('tone_stream://%(1,0,1)');
  });

  it('without mux: A hears the file alone and B hears A as silence; stop gives the call back', async () => {
    const t = await start();
    expect(await t.sw.api(`uuid_displace ${t.a} start ${TONE}`)).toBe('+OK Success\n');
    expect(t.bugs()).toEqual([`MEDIA_BUG_START A displace ${TONE}`]);
    expect(await t.sw.api(`uuid_displace ${t.a} start ${TONE}`)).toBe('-ERR Cannot displace session!\n');
    await expect(t.sw.api(`uuid_buglist ${t.a}`)).resolves.toContain('displace');
    await talk(t, t.a, t.b, 200);
    const aHeard = heard(t.aPort);
    expect([share(aHeard, 1000) > 0.9, share(aHeard, 400) < 0.01]).toEqual([true, true]);
    expect(energyOf(heard(t.bPort))).toBeLessThan(5);
    expect(await t.sw.api(`uuid_displace ${t.a} stop ${TONE}`)).toBe('+OK Success\n');
    await t.settle();
    expect(t.bugs()).toEqual([`MEDIA_BUG_STOP A displace ${TONE}`]);
    await talk(t, t.a, t.b, 100);
    expect(share(heard(t.aPort), 400)).toBeGreaterThan(0.9);
    expect(share(heard(t.bPort), 600)).toBeGreaterThan(0.9);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('mux: A hears B and the file mixed, B still hears A; the bug ends with the file', async () => {
    const t = await start();
    const short = 'tone_stream://%(200,0,1000)';
    expect(await t.sw.api(`uuid_displace ${t.a} start ${short} 0 mux`)).toBe('+OK Success\n');
    t.bugs();
    await talk(t, t.a, t.b, 160);
    const aHeard = heard(t.aPort);
    expect([share(aHeard, 1000) > 0.3, share(aHeard, 400) > 0.3]).toEqual([true, true]);
    expect(share(heard(t.bPort), 600)).toBeGreaterThan(0.9);
    await talk(t, t.a, t.b, 100);
    expect(t.bugs()).toEqual([`MEDIA_BUG_STOP A displace ${short}`]);
    heard(t.aPort);
    await talk(t, t.a, t.b, 100);
    expect(share(heard(t.aPort), 1000)).toBeLessThan(0.01);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('the limit (seconds) ends it; a hangup ends it', async () => {
    const t = await start();
    expect(await t.sw.api(`uuid_displace ${t.a} start ${TONE} 1 mux`)).toBe('+OK Success\n');
    t.bugs();
    await talk(t, t.a, t.b, 900);
    expect(t.bugs()).toEqual([]);
    await talk(t, t.a, t.b, 1200);
    expect(t.bugs()).toEqual([`MEDIA_BUG_STOP A displace ${TONE}`]);
    expect(await t.sw.api(`uuid_displace ${t.a} start ${TONE}`)).toBe('+OK Success\n');
    t.bugs();
    await t.sw.api(`uuid_kill ${t.a}`);
    await t.settle();
    expect(t.bugs()).toEqual([`MEDIA_BUG_STOP A displace ${TONE}`]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('the displace_session application: `<path> [<flags>] [+<limit>]` in any order; stop_displace_session ends it', async () => {
    const t = await start();
    const completes = () =>
      t.sub
        .take()
        .filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' || e.type.startsWith('MEDIA_BUG'))
        .map((e) => `${e.type} ${e.getHeader('Application') ?? e.getHeader('Media-Bug-Target')}`);
    expect(await t.sw.sendExecute(t.a, 'displace_session', `${TONE} +1 m`)).toBe(true);
    await t.settle();
    expect(completes()).toEqual([`MEDIA_BUG_START ${TONE}`, 'CHANNEL_EXECUTE_COMPLETE displace_session']);
    await talk(t, t.a, t.b, 200);
    // mux: A hears the file and B together
    const aHeard = heard(t.aPort);
    expect([share(aHeard, 1000) > 0.3, share(aHeard, 400) > 0.3]).toEqual([true, true]);
    // +1: the limit (a second and the rest of the current one)
    await talk(t, t.a, t.b, 2200);
    expect(completes()).toEqual([`MEDIA_BUG_STOP ${TONE}`]);
    expect(await t.sw.sendExecute(t.a, 'displace_session', TONE)).toBe(true);
    await t.settle();
    heard(t.aPort);
    await talk(t, t.a, t.b, 200);
    expect(share(heard(t.aPort), 1000)).toBeGreaterThan(0.9);
    expect(await t.sw.sendExecute(t.a, 'stop_displace_session', TONE)).toBe(true);
    await t.settle();
    expect(completes()).toEqual([
      `MEDIA_BUG_START ${TONE}`,
      'CHANNEL_EXECUTE_COMPLETE displace_session',
      `MEDIA_BUG_STOP ${TONE}`,
      'CHANNEL_EXECUTE_COMPLETE stop_displace_session',
    ]);
    // the call goes on
    expect(await t.sw.api(`uuid_exists ${t.a}`)).toBe('true');
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('uuid_audio (session_audio_function, switch_ivr_session_audio)', () => {
  it('usage and unknown channel', async () => {
    const t = await start();
    const usage = '-USAGE: <uuid> [start [read|write] [mute|level <level>]|stop]\n';
    expect(await t.sw.api('uuid_audio')).toBe(usage);
    expect(await t.sw.api(`uuid_audio ${t.a}`)).toBe(usage);
    expect(await t.sw.api(`uuid_audio ${t.a} start read mute`)).toBe(usage);
    expect(await t.sw.api(`uuid_audio ${t.a} start both mute 1`)).toBe(usage);
    expect(await t.sw.api(`uuid_audio ${t.a} start read loud 1`)).toBe(usage);
    expect(await t.sw.api('uuid_audio 4a0f9c36-0000-4000-8000-000000000000 stop')).toBe('-ERR No such channel!\n');
    expect(await t.sw.api(`uuid_audio ${t.a} stop`)).toBe('+OK\n');
    expect(t.bugs()).toEqual([]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('read mute 1: B hears A as silence; write level: A hears B louder or softer; stop', async () => {
    const t = await start();
    await talk(t, t.a, t.b, 100);
    const plain = energyOf(heard(t.aPort));
    heard(t.bPort);
    expect(await t.sw.api(`uuid_audio ${t.a} start read mute 1`)).toBe('+OK\n');
    expect(t.bugs()).toEqual(['MEDIA_BUG_START A audio mute']);
    await talk(t, t.a, t.b, 100);
    expect(energyOf(heard(t.bPort))).toBe(0);
    expect(share(heard(t.aPort), 400)).toBeGreaterThan(0.9);
    expect(await t.sw.api(`uuid_audio ${t.a} start write level -3`)).toBe('+OK\n');
    await talk(t, t.a, t.b, 100);
    const softer = energyOf(heard(t.aPort));
    expect(softer / plain).toBeGreaterThan(0.37);
    expect(softer / plain).toBeLessThan(0.43);
    expect(await t.sw.api(`uuid_audio ${t.a} stop`)).toBe('+OK\n');
    await t.settle();
    expect(t.bugs()).toEqual(['MEDIA_BUG_STOP A audio mute']);
    heard(t.bPort);
    await talk(t, t.a, t.b, 100);
    expect(energyOf(heard(t.aPort)) / plain).toBeGreaterThan(0.97);
    expect(share(heard(t.bPort), 600)).toBeGreaterThan(0.9);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('the set_mute and set_audio_level applications do the same on the channel running them', async () => {
    const t = await start();
    await talk(t, t.a, t.b, 100);
    const plain = energyOf(heard(t.aPort));
    heard(t.bPort);
    expect(await t.sw.sendExecute(t.a, 'set_mute', 'read true')).toBe(true);
    await t.settle();
    expect(t.bugs()).toEqual(['MEDIA_BUG_START A audio mute']);
    await talk(t, t.a, t.b, 100);
    expect(energyOf(heard(t.bPort))).toBe(0);
    expect(share(heard(t.aPort), 400)).toBeGreaterThan(0.9);
    expect(await t.sw.sendExecute(t.a, 'set_audio_level', 'write -3')).toBe(true);
    await t.settle();
    await talk(t, t.a, t.b, 100);
    const softer = energyOf(heard(t.aPort));
    expect(softer / plain).toBeGreaterThan(0.37);
    expect(softer / plain).toBeLessThan(0.43);
    // false unmutes; the bug goes once nothing is set
    expect(await t.sw.sendExecute(t.a, 'set_mute', 'read false')).toBe(true);
    expect(await t.sw.sendExecute(t.a, 'set_audio_level', 'write 0')).toBe(true);
    await t.settle();
    heard(t.bPort);
    await talk(t, t.a, t.b, 100);
    expect(t.bugs()).toEqual(['MEDIA_BUG_STOP A audio mute']);
    expect(share(heard(t.bPort), 600)).toBeGreaterThan(0.9);
    await t.sw.sendExecute(t.a, 'set_mute', 'read');
    await t.settle();
    expect(t.logs).toContain('DEBUG null/1 Error. USAGE: [read|write] [[true|cn level]|false]');
    expect(await t.sw.api(`uuid_exists ${t.a}`)).toBe('true');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('mute above 1 is comfort noise; a level out of -4..4 sets nothing, and a bug with nothing set removes itself', async () => {
    const t = await start();
    expect(await t.sw.api(`uuid_audio ${t.a} start read mute 400`)).toBe('+OK\n');
    await talk(t, t.a, t.b, 100);
    const noise = energyOf(heard(t.bPort));
    expect(noise).toBeGreaterThan(0);
    expect(noise).toBeLessThan(300);
    expect(await t.sw.api(`uuid_audio ${t.a} start read mute 0`)).toBe('+OK\n');
    t.bugs();
    await talk(t, t.a, t.b, 40);
    expect(t.bugs()).toEqual(['MEDIA_BUG_STOP A audio mute']);
    expect(await t.sw.api(`uuid_audio ${t.a} start write level 5`)).toBe('+OK\n');
    await talk(t, t.a, t.b, 40);
    expect(t.bugs()).toEqual(['MEDIA_BUG_START A audio level', 'MEDIA_BUG_STOP A audio level']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('switch_change_sln_volume: the C’s factors, clipped', () => {
    const s = Int16Array.from([1000, -1000, 30000]);
    changeSlnVolume(s, 2);
    expect([...s]).toEqual([2300, -2300, 32767]);
    const q = Int16Array.from([1000]);
    changeSlnVolume(q, -9);
    expect([...q]).toEqual([200]);
  });
});
