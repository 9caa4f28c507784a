/**
 * The media path: G.711 conversions, the media table's routes and delivery, and routes that follow
 * the channels (echo, the bridge application, uuid_bridge, hangups). Ports here are recorders; the
 * SIP legs' real RTP is tested in packages/sofia/test/media_sipp.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AudioFrame, MediaTable, type MediaPort } from '../src/index.ts';
import { alawToLinear, alawToUlaw, decodeFrame, encodeFrame, linearToAlaw, linearToUlaw, ulawToAlaw, ulawToLinear } from '../src/media/g711.ts';
import { playToChannel } from '../src/media/player.ts';
import { SampleSource, openSource } from '../src/media/source.ts';
import { Tape, energyOf } from '../src/media/tape.ts';
import { renderTgml } from '../src/media/tone.ts';
import { decodeWav } from '../src/media/wav.ts';
import { share } from '../../../tools/sipp/audio.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
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

  it('the frame tables agree with the laws for every byte and every 16-bit sample', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, b) => b);
    expect([...decodeFrame('PCMU', bytes)]).toEqual([...bytes].map(ulawToLinear));
    expect([...decodeFrame('PCMA', bytes)]).toEqual([...bytes].map(alawToLinear));
    const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const u = encodeFrame('PCMU', all);
    const a = encodeFrame('PCMA', all);
    for (let i = 0; i < all.length; i++) {
      if (u[i] !== linearToUlaw(all[i] ?? 0) || a[i] !== linearToAlaw(all[i] ?? 0)) expect([i, u[i], a[i]]).toBe('the same');
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
    // nor does a hold or a tap outlive the channel's media
    const heard: string[] = [];
    t.hold('b');
    t.tap('b', (d) => heard.push(d));
    t.detach('b');
    const b = recorder('PCMU');
    t.attach('b', b);
    t.route('a', 'b');
    t.deliver('a', frame('PCMU', 1));
    expect([b.frames.length, heard]).toEqual([1, []]);
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

describe('TGML tones', () => {
  it('%(on,off,f1,f2): on-time of the mixed frequencies, then off-time of silence, at -7 dB by default', () => {
    const s = renderTgml('%(200,100,440,480)');
    expect(s.length).toBe(2400);
    const on = s.subarray(0, 1600);
    expect(share(on, 440)).toBeGreaterThan(0.4);
    expect(share(on, 480)).toBeGreaterThan(0.4);
    expect(share(on, 1000)).toBeLessThan(0.01);
    expect([...s.subarray(1600)].every((x) => x === 0)).toBe(true);
    // two tones averaged, each at -7 dB of libteletone's full scale: peaks near 32767·√2·10^(-13.16/20)
    const peak = Math.max(...on.map(Math.abs));
    expect(peak).toBeGreaterThan(8000);
    expect(peak).toBeLessThan(10_300);
  });

  it('v= sets the volume; l= repeats the next tone; L= repeats the whole; unknown items are skipped', () => {
    const loud = Math.max(...renderTgml('v=0;%(100,0,1000)'));
    const quiet = Math.max(...renderTgml('v=-20;%(100,0,1000)'));
    expect(loud / quiet).toBeCloseTo(10, 0);
    expect(renderTgml('l=3;%(100,0,1000);%(50,0,500)').length).toBe(3 * 800 + 400);
    expect(renderTgml('L=2;%(100,50,1000)').length).toBe(2 * 1200);
    expect(renderTgml('x=1;a(1,2);%(100,0,0)').length).toBe(0);
  });
});

/** A WAV file written out byte by byte (the test's own writer). */
function wav(tag: number, channels: number, rate: number, bits: number, data: Uint8Array): Uint8Array {
  const head = new DataView(new ArrayBuffer(44));
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) head.setUint8(at + i, s.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  head.setUint32(4, 36 + data.length, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  head.setUint32(16, 16, true);
  head.setUint16(20, tag, true);
  head.setUint16(22, channels, true);
  head.setUint32(24, rate, true);
  head.setUint32(28, (rate * channels * bits) / 8, true);
  head.setUint16(32, (channels * bits) / 8, true);
  head.setUint16(34, bits, true);
  ascii(36, 'data');
  head.setUint32(40, data.length, true);
  return Uint8Array.from([...new Uint8Array(head.buffer), ...data]);
}

const int16le = (samples: number[]) => new Uint8Array(Int16Array.from(samples).buffer);

describe('WAV files', () => {
  it('reads 16-bit PCM as it is at 8 kHz mono, mixes channels down and resamples other rates', () => {
    expect([...decodeWav(wav(1, 1, 8000, 16, int16le([1, -2, 300, -32768])))]).toEqual([1, -2, 300, -32768]);
    // stereo 16 kHz: left 100·i, right 300·i → mono 200·i, every second sample
    const frames = Array.from({ length: 8 }, (_, i) => [100 * i, 300 * i]).flat();
    expect([...decodeWav(wav(1, 2, 16000, 16, int16le(frames)))]).toEqual([0, 400, 800, 1200]);
  });

  it('reads A-law and μ-law files; refuses other formats and what is not a WAV file', () => {
    expect([...decodeWav(wav(6, 1, 8000, 8, Uint8Array.of(0xd5, 0xaa)))]).toEqual([8, 32256]);
    expect([...decodeWav(wav(7, 1, 8000, 8, Uint8Array.of(0xff, 0x80)))]).toEqual([0, 32124]);
    expect(() => decodeWav(wav(3, 1, 8000, 32, new Uint8Array(8)))).toThrow(/unsupported WAV format 3, 32 bits/);
    expect(() => decodeWav(new TextEncoder().encode('not a wav at all'))).toThrow(/not a WAV file/);
  });
});

describe('sources', () => {
  it('silence_stream, tone_stream (with ;loops=), bare tones and WAV files under sound_prefix; none for the rest', () => {
    expect(openSource('silence_stream://250')?.ms).toBe(250);
    expect(openSource('silence_stream://-1')?.ms).toBeUndefined();
    expect(openSource('tone_stream://%(100,100,440);loops=3')?.ms).toBe(600);
    expect(openSource('tone_stream://%(100,100,440);loops=-1')?.ms).toBeUndefined();
    expect(openSource('%(1000,4000,440,480)', undefined, -1)?.ms).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'beamline-media-'));
    writeFileSync(join(dir, 'hello.wav'), wav(1, 1, 8000, 16, int16le(Array.from({ length: 400 }, (_, i) => i))));
    const hello = openSource('hello.wav', dir);
    expect(hello?.ms).toBe(50);
    expect([hello?.next()?.length, hello?.next()?.length, hello?.next()?.length, hello?.next()]).toEqual([160, 160, 80, undefined]);
    expect(openSource(join(dir, 'hello.wav'))?.ms).toBe(50);
    // a file that changed is read again: another length, or the same length written later
    writeFileSync(join(dir, 'hello.wav'), wav(1, 1, 8000, 16, int16le(Array.from({ length: 800 }, () => 7))));
    expect(openSource('hello.wav', dir)?.ms).toBe(100);
    writeFileSync(join(dir, 'hello.wav'), wav(1, 1, 8000, 16, int16le(Array.from({ length: 800 }, () => 9))));
    utimesSync(join(dir, 'hello.wav'), new Date(), new Date(Date.now() + 5000));
    expect(openSource('hello.wav', dir)?.next()?.[0]).toBe(9);
    expect(openSource('missing.wav', dir)).toBeUndefined();
    // as sound packages lay prompts out: the 8000 folder first, else the highest rate there is
    mkdirSync(join(dir, 'voicemail', '8000'), { recursive: true });
    mkdirSync(join(dir, 'voicemail', '16000'), { recursive: true });
    writeFileSync(join(dir, 'voicemail', '16000', 'vm.wav'), wav(1, 1, 16000, 16, int16le(Array.from({ length: 1600 }, () => 5))));
    expect(openSource('voicemail/vm.wav', dir)?.ms).toBe(100);
    writeFileSync(join(dir, 'voicemail', '8000', 'vm.wav'), wav(1, 1, 8000, 16, int16le(Array.from({ length: 400 }, () => 3))));
    expect(openSource('voicemail/vm.wav', dir)?.next()?.[0]).toBe(3);
    expect(openSource('ivr/ivr-welcome.mp3', dir)).toBeUndefined();
    expect(openSource('say:hello')).toBeUndefined();
    rmSync(dir, { recursive: true });
  });
});

describe('playing to a channel', () => {
  it('a frame every 20 ms of the clock, in the port’s codec; routed audio is held off while it plays', async () => {
    const { sw, rt, clock, settle } = await setup();
    const media = sw.core.media;
    await sw.originate(`{origination_uuid=${U1}}null/1 &echo()`);
    await settle();
    const port = recorder('PCMA');
    media.attach(U1, port);
    // the player's timer comes back at once: the frames sent follow the switch's clock alone
    const ch = {
      uuid: U1,
      core: sw.core,
      after: (_ms: number, fn: () => void) => {
        const t = setTimeout(fn, 0);
        return () => clearTimeout(t);
      },
    };
    playToChannel(ch, new SampleSource(Int16Array.from({ length: 800 }, (_, i) => i * 10)));
    media.deliver(U1, frame('PCMA', 1, 2, 3));
    expect(port.frames.map((f) => f.samples)).toEqual([160]);
    expect([...port.frames[0].payload.subarray(0, 3)]).toEqual([0, 10, 20].map(linearToAlaw));
    await clock.advance(50);
    await new Promise((r) => setTimeout(r, 5));
    expect(port.frames.map((f) => f.samples)).toEqual([160, 160, 160]);
    await clock.advance(1000);
    await new Promise((r) => setTimeout(r, 5));
    expect(port.frames).toHaveLength(5);
    // the source is over: the hold is released and the echo is heard again
    media.deliver(U1, frame('PCMA', 9));
    expect(port.frames.map((f) => f.payload.length).slice(-1)).toEqual([1]);
    await sw.stop();
    await rt.stop();
  });

  it('playback plays a WAV file to the channel for the file’s length; uuid_break stops it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beamline-media-'));
    writeFileSync(join(dir, 'two.wav'), wav(1, 1, 8000, 16, int16le(Array.from({ length: 16000 }, () => 1000))));
    const { sw, rt, clock, settle, sub } = await setup();
    const media = sw.core.media;
    const port = recorder('PCMU');
    // the port is there before the application runs, as a SIP leg's is
    sub.take();
    await sw.originate(`{origination_uuid=${U1},sound_prefix=${dir}}null/1 &park()`);
    await settle();
    media.attach(U1, port);
    await sw.api(`uuid_broadcast ${U1} two.wav aleg`);
    await settle();
    for (let t = 0; t < 1000; t += 20) {
      await clock.advance(20);
      await settle();
    }
    expect(port.frames.length).toBeGreaterThanOrEqual(50);
    expect(port.frames.every((f) => f.codec === 'PCMU' && [...f.payload].every((b) => b === linearToUlaw(1000)))).toBe(true);
    await sw.api(`uuid_break ${U1}`);
    await settle();
    const heard = port.frames.length;
    await clock.advance(1000);
    await settle();
    expect(port.frames.length).toBe(heard);
    const stopEvent = sub.take().find((e) => e.type === 'PLAYBACK_STOP');
    expect(stopEvent?.getHeader('Playback-File-Path')).toBe(`${dir}/two.wav`);
    expect(Number(stopEvent?.getHeader('variable_playback_ms'))).toBeGreaterThanOrEqual(1000);
    expect(Number(stopEvent?.getHeader('variable_playback_ms'))).toBeLessThan(2000);
    await sw.stop();
    await rt.stop();
    rmSync(dir, { recursive: true });
  });

  it('playback names the file as switch_ivr_play_file opens it; `{a=b}` are the handle’s parameters, on both events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beamline-media-'));
    writeFileSync(join(dir, 'half.wav'), wav(1, 1, 8000, 16, int16le(Array.from({ length: 4000 }, () => 1000))));
    const { sw, rt, clock, settle, sub } = await setup({
      dialplan: staticDialplan({
        default: {
          '1': [
            ['set', `sound_prefix=${dir}`],
            ['playback', '{tag=one,ID=7}half.wav'],
            ['playback', `{a=1}{tag=two} ${dir}/half.wav`],
            ['playback', 'half'],
            ['park'],
          ],
        },
      }),
    });
    await sw.originate('null/1 1');
    for (let t = 0; t < 4000; t += 100) {
      await clock.advance(100);
      await settle();
    }
    const events = sub.take();
    const plays = events
      .filter((e) => e.type.startsWith('PLAYBACK_'))
      .map((e) => {
        const at = e.headers.findIndex((h) => h.name === 'Playback-File-Path');
        return [e.type, ...e.headers.slice(at).map((h) => `${h.name}: ${h.value}`), `ms ${e.getHeader('variable_playback_ms') ?? '-'}`];
      });
    // the file's own 500 ms each time: the parameters are not part of the file's name on disk
    expect(plays).toEqual([
      ['PLAYBACK_START', `Playback-File-Path: {tag=one,ID=7}${dir}/half.wav`, 'tag: one', 'ID: 7', 'ms -'],
      ['PLAYBACK_STOP', `Playback-File-Path: {tag=one,ID=7}${dir}/half.wav`, 'Playback-Status: done', 'tag: one', 'ID: 7', 'ms 500'],
      ['PLAYBACK_START', `Playback-File-Path: {a=1}{tag=two} ${dir}/half.wav`, 'a: 1', 'tag: two', 'ms 500'],
      ['PLAYBACK_STOP', `Playback-File-Path: {a=1}{tag=two} ${dir}/half.wav`, 'Playback-Status: done', 'a: 1', 'tag: two', 'ms 500'],
      ['PLAYBACK_START', `Playback-File-Path: ${dir}/half.wav`, 'ms 500'],
      ['PLAYBACK_STOP', `Playback-File-Path: ${dir}/half.wav`, 'Playback-Status: done', 'ms 500'],
    ]);
    const responses = events.filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application') === 'playback');
    expect(responses.map((e) => e.getHeader('Application-Response'))).toEqual(['FILE PLAYED', 'FILE PLAYED', 'FILE PLAYED']);
    await sw.stop();
    await rt.stop();
    rmSync(dir, { recursive: true });
  });
});

describe('the tape a recording fills', () => {
  const frame = (value: number, n = 160) => new Int16Array(n).fill(value);

  it('mono mixes both directions at the same time; stereo keeps each on its channel', () => {
    const mono = new Tape(1);
    mono.put(0, frame(100), 20);
    mono.put(1, frame(50), 20);
    expect([...mono.take(160, 8000)].every((s) => s === 150)).toBe(true);
    const stereo = new Tape(2);
    stereo.put(0, frame(100), 20);
    stereo.put(1, frame(-7), 20);
    const both = stereo.take(160, 8000);
    expect([both[0], both[1], both[318], both[319]]).toEqual([100, -7, 100, -7]);
  });

  it('frames follow each other; a gap of more than two packets stays silence; late frames are not lost', () => {
    const t = new Tape(1);
    t.put(0, frame(1), 20);
    t.put(0, frame(2), 25); // early: right after the first
    t.put(0, frame(3), 200); // after a gap: at its own time, 180-200 ms
    const s = t.take(1600, 8000);
    expect([s[0], s[159], s[160], s[319], s[320], s[1439], s[1440], s[1599]]).toEqual([1, 1, 2, 2, 0, 0, 3, 3]);
  });

  it('take resamples to the file’s rate, pads with silence and clips the mix', () => {
    const t = new Tape(1);
    t.put(0, frame(30000), 20);
    t.put(1, frame(30000), 20);
    const wide = t.take(640, 16000);
    expect(wide.length).toBe(640);
    expect([wide[0], wide[300], wide[639]]).toEqual([32767, 32767, 0]);
  });

  it('notes the last speech: a frame whose mean absolute sample reaches the threshold', () => {
    const t = new Tape(1, 200);
    t.put(0, frame(199), 20);
    expect(t.lastSpeechMs).toBeUndefined();
    t.put(0, frame(-200), 40);
    t.put(0, frame(10), 60);
    expect(t.lastSpeechMs).toBe(40);
    expect(energyOf(Int16Array.of(-3, 3, 0, 2))).toBe(2);
  });
});

describe('loopback legs carry audio', () => {
  const U3 = '33333333-3333-4333-8333-333333333333';

  it('what is written to one half comes out of the other: a phone bridged to loopback/9196 (echo) hears itself', async () => {
    const { sw, rt, settle } = await setup({ dialplan: staticDialplan({ default: { '9196': [['answer'], ['echo']] } }) });
    const media = sw.core.media;
    await sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
    await sw.originate(`{origination_uuid=${U2}}loopback/9196 &park()`);
    await settle();
    const phone = recorder('PCMA');
    media.attach(U1, phone);
    expect(await sw.api(`uuid_bridge ${U1} ${U2}`)).toBe(`+OK ${U2}\n`);
    await settle();
    media.deliver(U1, frame('PCMA', 0x2a, 0xd5, 0x55));
    expect(phone.frames.map((f) => [f.codec, [...f.payload]])).toEqual([['PCMA', [0x2a, 0xd5, 0x55]]]);
    await sw.stop();
    await rt.stop();
  });

  it('echo on both halves: a frame goes round once and stops, it does not circle for ever', async () => {
    const { sw, rt, settle } = await setup({ dialplan: staticDialplan({ default: { '9196': [['answer'], ['echo']] } }) });
    const media = sw.core.media;
    await sw.originate(`{origination_uuid=${U3}}loopback/9196 &echo()`);
    await settle();
    const written: string[] = [];
    const untap = media.tap(U3, (direction) => written.push(direction));
    expect(media.play(U3, Int16Array.of(1, 2, 3))).toBe(true);
    // played to A, heard by B and echoed back to A's far end, echoed by A: dropped by the half it started from
    expect(written).toEqual(['write', 'read', 'write']);
    untap();
    await sw.stop();
    await rt.stop();
  });
});

describe('playback <file>@@<samples>', () => {
  it('starts the file at that sample: the rest of it plays, the path has no @@, the offset counts in playback_last_offset_pos', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beamline-media-'));
    // 1000 ms: the first half loud, the second half quiet
    writeFileSync(join(dir, 'ab.wav'), wav(1, 1, 8000, 16, int16le(Array.from({ length: 8000 }, (_, i) => (i < 4000 ? 8000 : 100)))));
    const { sw, rt, clock, settle, sub } = await setup();
    await sw.originate(`{origination_uuid=${U1},sound_prefix=${dir}}null/1 &park()`);
    await settle();
    const port = recorder('PCMU');
    sw.core.media.attach(U1, port);
    sub.take();
    await sw.api(`uuid_broadcast ${U1} playback::ab.wav@@4000 aleg`);
    await settle();
    for (let i = 0; i < 40; i++) {
      await clock.advance(20);
      await settle();
    }
    const stop = sub.take().find((e) => e.type === 'PLAYBACK_STOP');
    expect(stop?.getHeader('Playback-File-Path')).toBe(`${dir}/ab.wav`);
    expect(['playback_ms', 'playback_samples', 'playback_last_offset_pos'].map((n) => stop?.getHeader(`variable_${n}`))).toEqual([
      '500',
      '4000',
      '8000',
    ]);
    // only the quiet half was heard
    expect(port.frames).toHaveLength(25);
    expect(port.frames.every((f) => [...f.payload].every((b) => b === linearToUlaw(100)))).toBe(true);
    await sw.stop();
    await rt.stop();
    rmSync(dir, { recursive: true });
  });
});

describe('playback_delimiter', () => {
  it('plays the files it separates in turn, playback_sleep_val ms apart; a terminator in the pause ends the list', async () => {
    const { sw, rt, clock, settle, sub } = await setup();
    await sw.originate(`{origination_uuid=${U1},playback_delimiter=!,playback_sleep_val=100}null/1 &park()`);
    await settle();
    sub.take();
    const startMs = clock.now();
    const trace = () =>
      sub
        .take()
        .filter((e) => e.type.startsWith('PLAYBACK') || e.type === 'CHANNEL_EXECUTE_COMPLETE')
        .map((e) => `${e.type} ${e.getHeader('Playback-File-Path') ?? e.getHeader('Application-Response')} @${clock.now() - startMs}`);
    const seen: string[] = [];
    const at = async (ms: number) => {
      while (clock.now() - startMs < ms) {
        await clock.advance(20);
        await settle();
        seen.push(...trace());
      }
    };
    await sw.api(`uuid_broadcast ${U1} playback::silence_stream://200!silence_stream://300 aleg`);
    await settle();
    seen.push(...trace());
    await at(800);
    expect(seen).toEqual([
      'PLAYBACK_START silence_stream://200 @0',
      'PLAYBACK_STOP silence_stream://200 @200',
      'PLAYBACK_START silence_stream://300 @300',
      'PLAYBACK_STOP silence_stream://300 @600',
      'CHANNEL_EXECUTE_COMPLETE FILE PLAYED @600',
    ]);
    seen.length = 0;
    await sw.api(`uuid_broadcast ${U1} playback::silence_stream://100!silence_stream://100 aleg`);
    await settle();
    await at(920);
    await sw.api(`uuid_recv_dtmf ${U1} *`);
    await settle();
    seen.push(...trace());
    await at(1400);
    expect(seen.map((l) => l.replace(/ @\d+$/, ''))).toEqual([
      'PLAYBACK_START silence_stream://100',
      'PLAYBACK_STOP silence_stream://100',
      'CHANNEL_EXECUTE_COMPLETE FILE PLAYED',
    ]);
    expect(await sw.api(`uuid_getvar ${U1} playback_terminator_used`)).toBe('*');
    await sw.stop();
    await rt.stop();
  });
});

describe('playback_terminator_used', () => {
  it('playback empties it first: a later playback that no digit ended leaves none (playback_function)', async () => {
    const { sw, rt, clock, settle } = await setup();
    await sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
    await settle();
    await sw.api(`uuid_broadcast ${U1} playback::silence_stream://2000 aleg`);
    await settle();
    await sw.api(`uuid_recv_dtmf ${U1} *`);
    await settle();
    expect(await sw.api(`uuid_getvar ${U1} playback_terminator_used`)).toBe('*');
    await sw.api(`uuid_broadcast ${U1} playback::silence_stream://100 aleg`);
    await settle();
    await clock.advance(200);
    await settle();
    expect(await sw.api(`uuid_getvar ${U1} current_application_response`)).toBe('FILE PLAYED');
    expect(await sw.api(`uuid_getvar ${U1} playback_terminator_used`)).toBe('_undef_');
    await sw.stop();
    await rt.stop();
  });
});

describe('gentones', () => {
  it('plays its tone as often as asked, without PLAYBACK events; a terminator digit ends an endless one', async () => {
    const { sw, rt, clock, settle, sub } = await setup();
    await sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
    await settle();
    const port = recorder('PCMU');
    sw.core.media.attach(U1, port);
    sub.take();
    await sw.api(`uuid_broadcast ${U1} gentones::%(100,0,800)|2 aleg`);
    await settle();
    for (let i = 0; i < 15; i++) {
      await clock.advance(20);
      await settle();
    }
    // two loops of 100 ms: ten packets of 800 Hz
    expect(port.frames).toHaveLength(10);
    expect(
      share(
        port.frames.flatMap((f) => [...f.payload].map(ulawToLinear)),
        800,
      ),
    ).toBeGreaterThan(0.9);
    expect(sub.take().filter((e) => e.type.startsWith('PLAYBACK'))).toEqual([]);
    await sw.api(`uuid_broadcast ${U1} gentones::%(100,0,800)|-1 aleg`);
    await settle();
    for (let i = 0; i < 25; i++) {
      await clock.advance(20);
      await settle();
    }
    expect(port.frames.length).toBeGreaterThan(30);
    await sw.api(`uuid_recv_dtmf ${U1} *`);
    await settle();
    const heard = port.frames.length;
    await clock.advance(200);
    await settle();
    expect(port.frames.length).toBe(heard);
    expect(await sw.api(`uuid_getvar ${U1} playback_terminator_used`)).toBe('*');
    await sw.stop();
    await rt.stop();
  });
});
