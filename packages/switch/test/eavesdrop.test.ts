/**
 * eavesdrop (switch_ivr_eavesdrop_session, listening): A and B bridged, each with a recording port;
 * A's far end sends 1 kHz, B's 400 Hz. E (null/3, with a port of its own) eavesdrops on A and must
 * hear both, mixed.
 */
import { describe, expect, it } from 'vitest';
import { share } from '../../../tools/sipp/audio.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { AudioFrame, MediaPort, SwitchEvent } from '../src/index.ts';
import { encodeFrame } from '../src/media/g711.ts';
import { linearOf } from '../src/media/tape.ts';
import { renderTgml } from '../src/media/tone.ts';
import { type Setup, bridgedNulls, setup } from './switch_helpers.ts';

const E = '33333333-3333-4333-8333-333333333333';

function recorder(): MediaPort & { frames: AudioFrame[] } {
  const frames: AudioFrame[] = [];
  return { codec: 'PCMU', frames, write: (f) => frames.push(f) };
}

const heard = (port: { frames: AudioFrame[] }) => Int16Array.from(port.frames.flatMap((f) => [...linearOf(f)]));

/** `ms` of audio: each 20 ms A's far end sends a 1 kHz packet and B's a 400 Hz one. */
async function talk(t: Setup, a: string, b: string, ms: number): Promise<void> {
  const toneA = renderTgml(`%(${ms},0,1000)`);
  const toneB = renderTgml(`%(${ms},0,400)`);
  for (let i = 0; i + 160 <= toneA.length; i += 160) {
    t.sw.core.media.deliver(a, { codec: 'PCMU', payload: encodeFrame('PCMU', toneA.subarray(i, i + 160)), samples: 160 });
    t.sw.core.media.deliver(b, { codec: 'PCMU', payload: encodeFrame('PCMU', toneB.subarray(i, i + 160)), samples: 160 });
    await t.clock.advance(20);
    await t.settle();
  }
}

async function start(vars = '') {
  const t = await setup({ dialplan: staticDialplan({ default: {} }) });
  const { a, b } = await bridgedNulls(t);
  const bPort = recorder();
  t.sw.core.media.attach(a, recorder());
  t.sw.core.media.attach(b, bPort);
  const spy = recorder();
  const eavesdrop = async (target: string) => {
    expect(await t.sw.originate(`{origination_uuid=${E}${vars}}null/3 &eavesdrop(${target})`)).toBe(`+OK ${E}\n`);
    t.sw.core.media.attach(E, spy);
    await t.settle();
  };
  const bugEvents = () =>
    t.sub
      .take()
      .filter((e: SwitchEvent) => e.type.startsWith('MEDIA_BUG') || (e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Unique-ID') === E))
      .map((e) => [
        e.type,
        e.getHeader('Unique-ID') === a ? 'A' : e.getHeader('Unique-ID') === E ? 'E' : '?',
        e.getHeader('Media-Bug-Function') ?? e.getHeader('Application'),
        e.getHeader('Media-Bug-Target') === a ? 'A' : '-',
      ]);
  return { ...t, a, b, bPort, spy, eavesdrop, bugEvents };
}

describe('eavesdrop', () => {
  it('hears both directions of the target mixed, every 20 ms, until * (MEDIA_BUG_START / _STOP on the target)', async () => {
    const t = await start();
    await t.eavesdrop(t.a);
    expect(t.bugEvents()).toEqual([['MEDIA_BUG_START', 'A', 'eavesdrop', 'A']]);
    await talk(t, t.a, t.b, 400);
    const got = heard(t.spy);
    expect(got.length).toBeGreaterThanOrEqual(160 * 18);
    expect(share(got, 1000)).toBeGreaterThan(0.3);
    expect(share(got, 400)).toBeGreaterThan(0.3);
    expect(share(got, 2000)).toBeLessThan(0.01);
    // the bridge is untouched: B still hears A alone
    const bHeard = heard(t.bPort);
    expect([share(bHeard, 1000) > 0.9, share(bHeard, 400) < 0.01]).toEqual([true, true]);
    await t.sw.api(`uuid_recv_dtmf ${E} *`);
    await t.settle();
    expect(t.bugEvents()).toEqual([
      ['MEDIA_BUG_STOP', 'A', 'eavesdrop', 'A'],
      ['CHANNEL_EXECUTE_COMPLETE', 'E', 'eavesdrop', '-'],
    ]);
    const before = t.spy.frames.length;
    await talk(t, t.a, t.b, 100);
    expect(t.spy.frames.length).toBe(before);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('the target hanging up ends it: MEDIA_BUG_STOP with the target’s hangup, then the application completes', async () => {
    const t = await start();
    await t.eavesdrop(t.a);
    t.bugEvents();
    await t.sw.api(`uuid_kill ${t.a}`);
    await talk(t, t.a, t.b, 60);
    expect(t.bugEvents()).toEqual([
      ['MEDIA_BUG_STOP', 'A', 'eavesdrop', 'A'],
      ['CHANNEL_EXECUTE_COMPLETE', 'E', 'eavesdrop', '-'],
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('eavesdrop_enable_dtmf=false: * does not end it; eavesdrop_require_group: a target outside the group is not heard', async () => {
    const t = await start(',eavesdrop_enable_dtmf=false');
    await t.eavesdrop(t.a);
    await t.sw.api(`uuid_recv_dtmf ${E} *`);
    await t.settle();
    expect(t.bugEvents()).toEqual([['MEDIA_BUG_START', 'A', 'eavesdrop', 'A']]);
    await t.sw.stop();
    await t.rt.stop();

    const g = await start(',eavesdrop_require_group=sales');
    await g.sw.api(`uuid_setvar ${g.a} eavesdrop_group support,billing`);
    await g.eavesdrop(g.a);
    expect(g.bugEvents()).toEqual([['CHANNEL_EXECUTE_COMPLETE', 'E', 'eavesdrop', '-']]);
    await g.sw.stop();
    await g.rt.stop();
  });

  it('itself as the target: ERR Eavesdrop target invalid., no bug', async () => {
    const t = await start();
    await t.eavesdrop(E);
    expect(t.logs).toContain('ERR Eavesdrop target invalid.');
    expect(t.bugEvents()).toEqual([['CHANNEL_EXECUTE_COMPLETE', 'E', 'eavesdrop', '-']]);
    await t.sw.stop();
    await t.rt.stop();
  });
});
