/**
 * three_way and eavesdrop's whisper modes (switch_ivr_eavesdrop_session with ED_MUX_READ /
 * ED_MUX_WRITE): A and B bridged, E (null/3) joins A's call. Each has a recording port; every
 * 20 ms A's far end sends 1 kHz, B's 400 Hz and E's 1700 Hz, so which tones a port records tells
 * whom that party hears.
 */
import { describe, expect, it } from 'vitest';
import { share } from '../../../tools/sipp/audio.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { AudioFrame, MediaPort } from '../src/index.ts';
import { encodeFrame } from '../src/media/g711.ts';
import { linearOf } from '../src/media/tape.ts';
import { renderTgml } from '../src/media/tone.ts';
import { type Setup, bridgedNulls, setup, stopSetup } from './switch_helpers.ts';

const E = '33333333-3333-4333-8333-333333333333';
const TONES = { a: 1000, b: 400, e: 1700 } as const;

function recorder(): MediaPort & { frames: AudioFrame[] } {
  const frames: AudioFrame[] = [];
  return { codec: 'PCMU', frames, write: (f) => frames.push(f) };
}

type Party = keyof typeof TONES;

async function start(app: string, vars = '') {
  const t = await setup({ dialplan: staticDialplan({ default: {} }) });
  const { a, b } = await bridgedNulls(t);
  const uuids: Record<Party, string> = { a, b, e: E };
  const ports = { a: recorder(), b: recorder(), e: recorder() };
  t.sw.core.media.attach(a, ports.a);
  t.sw.core.media.attach(b, ports.b);
  expect(await t.sw.originate(`{origination_uuid=${E}${vars}}null/3 &${app}(${a})`)).toBe(`+OK ${E}\n`);
  t.sw.core.media.attach(E, ports.e);
  await t.settle();
  const marks = { a: 0, b: 0, e: 0 };
  /** `ms` of audio from the three far ends (those in `talking`); then what each port recorded meanwhile. */
  const talk = async (ms: number, talking: readonly Party[] = ['a', 'b', 'e']) => {
    for (const p of ['a', 'b', 'e'] as const) marks[p] = ports[p].frames.length;
    const tones = Object.fromEntries(talking.map((p) => [p, renderTgml(`%(${ms},0,${TONES[p]})`)]));
    for (let i = 0; i + 160 <= ms * 8; i += 160) {
      for (const p of talking) {
        const samples = (tones[p] as Int16Array).subarray(i, i + 160);
        t.sw.core.media.deliver(uuids[p], { codec: 'PCMU', payload: encodeFrame('PCMU', samples), samples: 160 });
      }
      await t.clock.advance(20);
      await t.settle();
    }
  };
  /** Which parties' tones the party's port recorded during the last talk (a tone counts from a 20 % share). */
  const hears = (p: Party) => {
    const got = Int16Array.from(ports[p].frames.slice(marks[p]).flatMap((f) => [...linearOf(f)]));
    return (['a', 'b', 'e'] as const).filter((q) => share(got, TONES[q]) > 0.2);
  };
  return { ...t, a, b, hears, talk };
}

const digit = async (t: Setup, d: string) => {
  await t.sw.api(`uuid_recv_dtmf ${E} ${d}`);
  await t.settle();
};

describe('three_way', () => {
  it('each of the three hears the other two, and not itself', async () => {
    const t = await start('three_way');
    await t.talk(400);
    expect([t.hears('a'), t.hears('b'), t.hears('e')]).toEqual([
      ['b', 'e'],
      ['a', 'e'],
      ['a', 'b'],
    ]);
    await stopSetup(t);
  });

  it('no digits (* does not end it); the third party hanging up leaves the call as it was', async () => {
    const t = await start('three_way');
    await digit(t, '*');
    await t.talk(200);
    expect(t.hears('a')).toEqual(['b', 'e']);
    t.sub.take();
    await t.sw.api(`uuid_kill ${E}`);
    await t.talk(200, ['a', 'b']);
    const events = t.sub.take().map((e) => `${e.type} ${e.getHeader('Unique-ID') === t.a ? 'A' : e.getHeader('Unique-ID') === E ? 'E' : '?'}`);
    expect(events.filter((e) => /MEDIA_BUG_STOP|CHANNEL_HANGUP |CHANNEL_UNBRIDGE/.test(e))).toEqual(['CHANNEL_HANGUP E', 'MEDIA_BUG_STOP A']);
    expect([t.hears('a'), t.hears('b')]).toEqual([['b'], ['a']]);
    expect([t.sw.core.media.routeOf(t.a), t.sw.core.media.routeOf(t.b)]).toEqual([t.b, t.a]);
    await stopSetup(t);
  });

  it('no uuid: ERR Usage: <uuid>', async () => {
    const t = await setup({ dialplan: staticDialplan({ default: {} }) });
    await t.sw.originate('null/3 &three_way()');
    await t.settle();
    expect(t.logs).toContain('ERR Usage: <uuid>');
    await stopSetup(t);
  });
});

describe('eavesdrop whispering', () => {
  it('eavesdrop alone is heard by nobody; eavesdrop_whisper_aleg: by the target’s partner; _bleg: by the target', async () => {
    const t = await start('eavesdrop');
    await t.talk(200);
    expect([t.hears('a'), t.hears('b'), t.hears('e')]).toEqual([['b'], ['a'], ['a', 'b']]);
    await stopSetup(t);
    const aleg = await start('eavesdrop', ',eavesdrop_whisper_aleg=true');
    await aleg.talk(200);
    expect([aleg.hears('a'), aleg.hears('b')]).toEqual([['b'], ['a', 'e']]);
    await stopSetup(aleg);
    const bleg = await start('eavesdrop', ',eavesdrop_whisper_bleg=true');
    await bleg.talk(200);
    expect([bleg.hears('a'), bleg.hears('b')]).toEqual([['b', 'e'], ['a']]);
    await stopSetup(bleg);
  });

  it('digits switch it: 2 the target, 1 its partner, 3 both, 0 nobody', async () => {
    const t = await start('eavesdrop');
    for (const [d, a, b] of [
      ['2', ['b', 'e'], ['a']],
      ['1', ['b'], ['a', 'e']],
      ['3', ['b', 'e'], ['a', 'e']],
      ['0', ['b'], ['a']],
    ] as const) {
      await digit(t, d);
      await t.talk(200);
      expect([d, t.hears('a'), t.hears('b'), t.hears('e')]).toEqual([d, a, b, ['a', 'b']]);
    }
    await stopSetup(t);
  });
});
