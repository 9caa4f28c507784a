/**
 * The media path: G.711 conversions, the media table's routes and delivery, and routes that follow
 * the channels (echo, the bridge application, uuid_bridge, hangups). Ports here are recorders; the
 * SIP legs' real RTP is tested in packages/sofia/test/media_sipp.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { type AudioFrame, MediaTable, type MediaPort } from '../src/index.ts';
import { alawToLinear, alawToUlaw, linearToAlaw, linearToUlaw, ulawToAlaw, ulawToLinear } from '../src/media/g711.ts';
import { setup } from './switch_helpers.ts';

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';

function recorder(codec: MediaPort['codec']): MediaPort & { frames: AudioFrame[] } {
  const frames: AudioFrame[] = [];
  return { codec, frames, write: (f) => frames.push(f) };
}

const frame = (codec: MediaPort['codec'], ...bytes: number[]): AudioFrame => ({ codec, payload: Uint8Array.from(bytes), samples: bytes.length });

describe('G.711', () => {
  it('decodes the standard’s end points: μ-law 0x00/0x80/0xFF, A-law 0x2A/0xAA/0x55/0xD5', () => {
    expect([0x00, 0x80, 0xff, 0x7f].map(ulawToLinear)).toEqual([-32124, 32124, 0, 0]);
    expect([0x2a, 0xaa, 0x55, 0xd5].map(alawToLinear)).toEqual([-32256, 32256, -8, 8]);
  });

  it('encodes every decoded value back to its own byte (μ-law’s negative zero 0x7F becomes 0xFF)', () => {
    for (let b = 0; b < 256; b++) {
      expect(linearToAlaw(alawToLinear(b))).toBe(b);
      expect(linearToUlaw(ulawToLinear(b))).toBe(b === 0x7f ? 0xff : b);
    }
  });

  it('keeps each 16-bit sample within its quantisation step, clipping at the ends', () => {
    for (let x = -32768; x < 32768; x += 3) {
      const step = Math.abs(x) / 16 + 16;
      expect(Math.abs(ulawToLinear(linearToUlaw(x)) - Math.max(-32124, Math.min(32124, x)))).toBeLessThanOrEqual(step);
      expect(Math.abs(alawToLinear(linearToAlaw(x)) - Math.max(-32256, Math.min(32256, x)))).toBeLessThanOrEqual(step);
    }
  });

  it('converts payloads between the laws through linear', () => {
    const ulaw = Uint8Array.from({ length: 256 }, (_, b) => b);
    const alaw = ulawToAlaw(ulaw);
    for (let b = 0; b < 256; b++) expect(alaw[b]).toBe(linearToAlaw(ulawToLinear(b)));
    const back = alawToUlaw(alaw);
    for (let b = 0; b < 256; b++) expect(Math.abs(ulawToLinear(back[b]) - ulawToLinear(b))).toBeLessThanOrEqual(Math.abs(ulawToLinear(b)) / 8 + 16);
  });
});

describe('the media table', () => {
  it('delivers a frame to the routed port, converted to its codec, and drops it without a route or port', () => {
    const t = new MediaTable();
    const b = recorder('PCMA');
    t.attach('b', b);
    t.deliver('a', frame('PCMU', 1, 2));
    expect(b.frames).toEqual([]);
    t.route('a', 'b');
    t.deliver('a', frame('PCMU', 0x00, 0xff));
    t.deliver('a', frame('PCMA', 0x2a));
    expect(b.frames.map((f) => [f.codec, [...f.payload], f.samples])).toEqual([
      ['PCMA', [0x2a, 0xd5], 2],
      ['PCMA', [0x2a], 1],
    ]);
    t.detach('b');
    t.deliver('a', frame('PCMU', 1));
    expect(b.frames).toHaveLength(2);
    expect(t.counts).toEqual({ delivered: 2, dropped: 2 });
  });

  it('unroute leaves a route that was changed since; detach forgets the channel’s own route', () => {
    const t = new MediaTable();
    t.route('a', 'a');
    t.route('a', 'b');
    t.unroute('a', 'a');
    expect(t.routeOf('a')).toBe('b');
    t.unroute('a', 'b');
    expect(t.routeOf('a')).toBeUndefined();
    t.route('a', 'b');
    t.detach('a');
    expect(t.routeOf('a')).toBeUndefined();
  });
});

describe('routes follow the channels', () => {
  it('echo routes a channel to itself until it ends; the hangup detaches its port', async () => {
    const { sw, rt, settle } = await setup();
    const media = sw.core.media;
    expect(await sw.originate(`{origination_uuid=${U1}}null/1 &echo()`)).toBe(`+OK ${U1}\n`);
    await settle();
    expect(media.routeOf(U1)).toBe(U1);
    const port = recorder('PCMU');
    media.attach(U1, port);
    media.deliver(U1, frame('PCMU', 7));
    expect(port.frames).toHaveLength(1);
    await sw.api(`uuid_kill ${U1}`);
    await settle();
    expect(media.routeOf(U1)).toBeUndefined();
    media.route(U1, U1);
    media.deliver(U1, frame('PCMU', 7));
    expect(port.frames).toHaveLength(1);
    await sw.stop();
    await rt.stop();
  });

  it('the bridge application routes each leg to the other; the bridge’s end takes both routes away', async () => {
    const { sw, rt, settle } = await setup();
    const media = sw.core.media;
    await sw.originate(`{origination_uuid=${U1}}null/1 &bridge({origination_uuid=${U2}}null/2)`);
    await settle();
    expect([media.routeOf(U1), media.routeOf(U2)]).toEqual([U2, U1]);
    await sw.api(`uuid_kill ${U2}`);
    await settle();
    expect([media.routeOf(U1), media.routeOf(U2)]).toEqual([undefined, undefined]);
    await sw.stop();
    await rt.stop();
  });

  it('uuid_bridge takes an echoing leg into the bridge: the ended echo leaves the bridge’s route', async () => {
    const { sw, rt, settle } = await setup();
    const media = sw.core.media;
    await sw.originate(`{origination_uuid=${U1}}null/1 &echo()`);
    await sw.originate(`{origination_uuid=${U2}}null/2 &park()`);
    await settle();
    expect(await sw.api(`uuid_bridge ${U1} ${U2}`)).toBe(`+OK ${U2}\n`);
    await settle();
    expect([media.routeOf(U1), media.routeOf(U2)]).toEqual([U2, U1]);
    await sw.api(`uuid_kill ${U1}`);
    await settle();
    expect([media.routeOf(U1), media.routeOf(U2)]).toEqual([undefined, undefined]);
    await sw.stop();
    await rt.stop();
  });
});
