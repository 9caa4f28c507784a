/**
 * Audio through the switch. SIPp phones do the signalling; each phone's SDP names a UDP socket this
 * test owns, so the test is the phone's audio: it sends RTP to the port the switch gave the call
 * and reads what the switch sends back. `echo` returns a phone's own audio; a bridge carries each
 * phone's audio to the other, converting PCMA to PCMU and back when their codecs differ. Each leg
 * gets the switch's own stream (its SSRC, consecutive sequence numbers, timestamps 160 apart).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linearToAlaw, linearToUlaw } from '@beamline/switch';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync, rmSync } from 'node:fs';
import {
  PHONE_SSRC,
  type PhoneAudio,
  type RtpPacket,
  alawReference,
  phoneAudio,
  rtpPayloadsOf,
  share,
  ulawReference,
} from '../../../tools/sipp/audio.ts';
import { type SippRun, freeUdpPort, runSipp, startSipp } from '../../../tools/sipp/sipp.ts';
import { type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.stop();
});

const base = { domain: 'beamline.test', authUser: '1000', password: '1234' } as const;
const PT = { PCMU: 0, PCMA: 8 } as const;

/** 20 ms of a `freq` Hz tone from sample `offset`, as linear samples. */
function tone(offset: number, freq = 400): number[] {
  return Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * freq * (offset + i)) / 8000)));
}

async function until(what: string, done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The switch's stream to one phone: one SSRC (not the phone's), consecutive sequence numbers, timestamps 160 apart. */
function expectOwnStream(packets: readonly RtpPacket[], pt: number): void {
  expect(packets.every((p) => p.pt === pt)).toBe(true);
  expect(new Set(packets.map((p) => p.ssrc)).size).toBe(1);
  expect(packets[0].ssrc).not.toBe(PHONE_SSRC);
  for (let i = 1; i < packets.length; i++) {
    expect(packets[i].seq).toBe((packets[i - 1].seq + 1) & 0xffff);
    expect(packets[i].timestamp).toBe((packets[i - 1].timestamp + 160) >>> 0);
  }
}

/** Each sample heard is the sample sent, within G.711's quantisation (a step is 1/16 of the magnitude or less). */
function expectSameSound(sent: readonly number[], heard: readonly number[]): void {
  expect(heard.length).toBe(sent.length);
  const off = sent.map((s, i) => Math.abs(s - heard[i]) - (Math.abs(s) / 16 + 16)).filter((d) => d > 0);
  expect(off).toEqual([]);
}

const mediaPort = async (uuid: string) => Number(await rig.sw.api(`uuid_getvar ${uuid} local_media_port`));

/** A SIPp phone calling `service`, its audio on the test's socket `audio`, hanging up after `holdMs`. */
const callIn = (service: string, audio: PhoneAudio | undefined, holdMs: number, more: Partial<SippRun> = {}) =>
  startSipp({ ...base, scenario: 'call', port: rig.port, service, holdMs, ...(audio ? { audioPort: audio.port } : {}), ...more });

describe('audio', () => {
  it('echo sends the phone its own audio back, byte for byte, as the switch’s own stream', async () => {
    const audio = await phoneAudio();
    try {
      const phone = await callIn('2005', audio, 2500, { audioCodec: 'PCMA' });
      const answer = await rig.waitFor((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'echo');
      const uuid = answer.getHeader('Unique-ID') ?? '';
      expect(await rig.sw.api(`uuid_getvar ${uuid} rtp_use_codec_name`)).toBe('PCMA');
      const frames = Array.from({ length: 25 }, (_, i) => Uint8Array.from(tone(160 * i), linearToAlaw));
      const port = await mediaPort(uuid);
      await audio.send(port, PT.PCMA, frames);
      await until('the echo', () => audio.received.length >= frames.length);
      expect(audio.received.map((p) => [...p.payload])).toEqual(frames.map((f) => [...f]));
      expectOwnStream(audio.received, PT.PCMA);
      expect(audio.received[0].marker).toBe(true);
      const r = await phone.done;
      expect(r.code, r.output + r.errors).toBe(0);
      // the call is over: nothing is echoed any more
      const heard = audio.received.length;
      await audio.send(port, PT.PCMA, frames.slice(0, 2));
      await new Promise((r) => setTimeout(r, 100));
      expect(audio.received.length).toBe(heard);
    } finally {
      audio.close();
    }
  });

  it('garbage on the RTP port is dropped: random bytes, other versions, cut headers, unknown payload types; real audio still echoes', async () => {
    const audio = await phoneAudio();
    try {
      const seen = rig.events.length;
      const phone = await callIn('2005', audio, 2500, { audioCodec: 'PCMU' });
      const exec = await rig.waitFor((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'echo' && rig.events.indexOf(e) >= seen);
      const port = await mediaPort(exec.getHeader('Unique-ID') ?? '');
      const junk = createSocket('udp4');
      const send = (b: Buffer) => new Promise<void>((r) => junk.send(b, port, '127.0.0.1', () => r()));
      for (let i = 0; i < 200; i++) await send(randomBytes(1 + (i % 300)));
      await send(Buffer.from([0x40, 0, 0, 1])); // version 1, 4 bytes
      await send(Buffer.from([0x9f, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])); // 15 CSRCs announced, none there
      await send(Buffer.from([0xa0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xff])); // padding longer than the packet
      await send(Buffer.from([0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3])); // a payload type nobody agreed on
      junk.close();
      await new Promise((r) => setTimeout(r, 100));
      const before = audio.received.length;
      const frames = Array.from({ length: 5 }, (_, i) => Uint8Array.from(tone(160 * i), linearToUlaw));
      await audio.send(port, PT.PCMU, frames);
      await until('the echo after the garbage', () => audio.received.length >= before + frames.length);
      expect(audio.received.slice(before).map((p) => [...p.payload])).toEqual(frames.map((f) => [...f]));
      expect((await phone.done).code).toBe(0);
    } finally {
      audio.close();
    }
  });

  it('a frame whose delivery throws (a broken tap) is dropped and logged once; the call and the socket go on', async () => {
    const audio = await phoneAudio();
    try {
      const seen = rig.events.length;
      const phone = await callIn('2005', audio, 2500, { audioCodec: 'PCMU' });
      const exec = await rig.waitFor((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'echo' && rig.events.indexOf(e) >= seen);
      const uuid = exec.getHeader('Unique-ID') ?? '';
      const port = await mediaPort(uuid);
      const untap = rig.sw.core.media.tap(uuid, () => {
        throw new Error('boom');
      });
      const frames = Array.from({ length: 3 }, (_, i) => Uint8Array.from(tone(160 * i), linearToUlaw));
      await audio.send(port, PT.PCMU, frames);
      await new Promise((r) => setTimeout(r, 100));
      expect(audio.received).toHaveLength(0);
      expect(rig.logs.filter((l) => l.includes('could not be delivered: Error: boom'))).toHaveLength(1);
      untap();
      await audio.send(port, PT.PCMU, frames);
      await until('the echo once the tap is gone', () => audio.received.length >= frames.length);
      expect((await phone.done).code).toBe(0);
    } finally {
      audio.close();
    }
  });

  it('through a loopback: a phone bridged to loopback/2005 (echo) hears itself', async () => {
    const audio = await phoneAudio();
    try {
      const phone = await callIn('2010', audio, 2000, { audioCodec: 'PCMA' });
      const bridge = await rig.waitFor((e) => e.type === 'CHANNEL_BRIDGE' && e.getHeader('Caller-Destination-Number') === '2010');
      const frames = Array.from({ length: 10 }, (_, i) => Uint8Array.from(tone(160 * i), linearToAlaw));
      await audio.send(await mediaPort(bridge.getHeader('Bridge-A-Unique-ID') ?? ''), PT.PCMA, frames);
      await until('the echo through the loopback', () => audio.received.length >= frames.length);
      // PCMA → the loopback's PCMU → PCMA: the same sound
      expectSameSound(
        frames.flatMap((f) => [...f].map(alawReference)),
        audio.received.flatMap((p) => [...p.payload].map(alawReference)),
      );
      expectOwnStream(audio.received, PT.PCMA);
      expect((await phone.done).code).toBe(0);
    } finally {
      audio.close();
    }
  });

  it('a bridge carries each phone’s audio to the other, PCMA to PCMU and back', async () => {
    const callerAudio = await phoneAudio();
    const calleeAudio = await phoneAudio();
    const calleePort = await freeUdpPort();
    try {
      const callee = await startSipp({ scenario: 'uas_answer', localPort: calleePort, audioPort: calleeAudio.port, audioCodec: 'PCMU' });
      const caller = await callIn(`2006-${calleePort}`, callerAudio, 3000, { audioCodec: 'PCMA' });
      const bridge = await rig.waitFor((e) => e.type === 'CHANNEL_BRIDGE' && e.getHeader('Caller-Destination-Number') === `2006-${calleePort}`);
      const a = bridge.getHeader('Bridge-A-Unique-ID') ?? '';
      const b = bridge.getHeader('Bridge-B-Unique-ID') ?? '';
      expect(await rig.sw.api(`uuid_getvar ${b} rtp_use_codec_name`)).toBe('PCMU');

      /** `samples` sent by one phone (in its law) are heard by the other (in its law), as the switch's own stream. */
      const carries = async (
        uuid: string,
        from: PhoneAudio,
        to: PhoneAudio,
        laws: [typeof PT.PCMA, typeof PT.PCMU] | [typeof PT.PCMU, typeof PT.PCMA],
        samples: number[][],
      ) => {
        const [sent, heard] = laws;
        const encode = sent === PT.PCMA ? linearToAlaw : linearToUlaw;
        await from.send(
          await mediaPort(uuid),
          sent,
          samples.map((f) => Uint8Array.from(f, encode)),
        );
        await until('the audio at the other phone', () => to.received.length >= samples.length);
        expectOwnStream(to.received, heard);
        const decode = heard === PT.PCMA ? alawReference : ulawReference;
        expectSameSound(
          samples.flat(),
          to.received.flatMap((p) => [...p.payload].map(decode)),
        );
      };
      await carries(
        a,
        callerAudio,
        calleeAudio,
        [PT.PCMA, PT.PCMU],
        Array.from({ length: 20 }, (_, i) => tone(160 * i)),
      );
      await carries(
        b,
        calleeAudio,
        callerAudio,
        [PT.PCMU, PT.PCMA],
        Array.from({ length: 20 }, (_, i) => tone(3200 + 160 * i).map((x) => -x)),
      );

      const r = await caller.done;
      expect(r.code, r.output + r.errors).toBe(0);
      expect((await callee.done).code).toBe(0);
    } finally {
      callerAudio.close();
      calleeAudio.close();
    }
  });

  it('hold: the phone’s re-INVITE (sendonly) holds its channel (HELD, CHANNEL_HOLD) and the other phone hears the hold music until sendrecv', async () => {
    const calleeAudio = await phoneAudio();
    const calleePort = await freeUdpPort();
    try {
      const callee = await startSipp({ scenario: 'uas_answer', localPort: calleePort, audioPort: calleeAudio.port });
      const r = await runSipp({ ...base, scenario: 'call_hold', port: rig.port, service: `2011-${calleePort}`, holdMs: 1000 });
      // SIPp checked our answers: recvonly to its sendonly, sendrecv to its sendrecv
      expect(r.code, r.output + r.errors).toBe(0);
      await callee.done;
      const bridge = await rig.waitFor((e) => e.type === 'CHANNEL_BRIDGE' && e.getHeader('Caller-Destination-Number') === `2011-${calleePort}`);
      const a = bridge.getHeader('Bridge-A-Unique-ID');
      const trace = rig.events
        .filter((e) => e.getHeader('Unique-ID') === a && ['CHANNEL_HOLD', 'CHANNEL_UNHOLD', 'CHANNEL_CALLSTATE'].includes(e.type))
        .map((e) => (e.type === 'CHANNEL_CALLSTATE' ? e.getHeader('Channel-Call-State') : e.type));
      // UNHELD turns ACTIVE at the next state change that is not a hangup (here there is none)
      expect(trace.slice(trace.indexOf('HELD'))).toEqual(['HELD', 'CHANNEL_HOLD', 'UNHELD', 'CHANNEL_UNHOLD', 'HANGUP']);
      // the music: about a second of 800 Hz, then nothing more
      const music = calleeAudio.received.map((p) => [...p.payload].map(ulawReference)).filter((f) => share(f, 800) > 0.9);
      expect(music.length).toBeGreaterThan(35);
      expect(music.length).toBeLessThan(65);
    } finally {
      calleeAudio.close();
    }
  });

  it('playback sends a tone_stream as audio for the tone’s length, paced 20 ms a packet', async () => {
    const audio = await phoneAudio();
    try {
      const phone = await callIn('2007', audio, 2000);
      const r = await phone.done;
      expect(r.code, r.output + r.errors).toBe(0);
      const tone = audio.received.filter((p) => p.pt === PT.PCMU);
      // %(1000,0,1000): one second at 8 kHz, 50 packets, then nothing while parked
      expect(tone).toHaveLength(50);
      expectOwnStream(tone, PT.PCMU);
      const spread = tone[49].at - tone[0].at;
      expect(spread).toBeGreaterThan(900);
      expect(spread).toBeLessThan(1200);
      const heard = tone.flatMap((p) => [...p.payload].map(ulawReference));
      expect(share(heard, 1000)).toBeGreaterThan(0.9);
      expect(share(heard, 440)).toBeLessThan(0.01);
    } finally {
      audio.close();
    }
  });

  it('ringback: a ringing callee makes the caller hear the `ringback` tone (440 + 480 Hz) after a 183, until the originate gives up', async () => {
    const callerAudio = await phoneAudio();
    const calleePort = await freeUdpPort();
    try {
      const callee = await startSipp({ scenario: 'uas_ring', localPort: calleePort });
      const r = await runSipp({
        ...base,
        scenario: 'call_refused',
        port: rig.port,
        service: `2008-${calleePort}`,
        expect: 480,
        early: true,
        audioPort: callerAudio.port,
      });
      expect(r.code, r.output + r.errors).toBe(0);
      // {originate_timeout=2}: about two seconds of ring tone (%(2000,4000,…): all of it on)
      expect(callerAudio.received.length).toBeGreaterThan(60);
      expect(callerAudio.received.length).toBeLessThanOrEqual(105);
      expectOwnStream(callerAudio.received, PT.PCMU);
      const heard = callerAudio.received.flatMap((p) => [...p.payload].map(ulawReference));
      expect(share(heard, 440)).toBeGreaterThan(0.35);
      expect(share(heard, 480)).toBeGreaterThan(0.35);
      await callee.done;
    } finally {
      callerAudio.close();
    }
  });

  it('record writes what the phone said: SIPp plays a recorded PCMA call, the WAV holds its samples in order', async () => {
    const capture = '/usr/share/sip-tester/g711a.pcap';
    const id = Math.random().toString(36).slice(2);
    const file = `/tmp/beamline-sofia-record-${id}.wav`;
    try {
      const r = await (await callIn(`2009-${id}`, undefined, 1500, { audioCodec: 'PCMA', playPcap: capture })).done;
      expect(r.code, r.output + r.errors).toBe(0);
      let samples: Int16Array | undefined;
      for (const end = Date.now() + 5000; !samples && Date.now() < end; await new Promise((res) => setTimeout(res, 50))) samples = wavSamples(file);
      expect(samples).toBeDefined();
      // silence where nothing came (before the first packet, and any gap): never an A-law sample, which is at least ±8
      const heard = [...(samples ?? [])].filter((x) => x !== 0);
      const said = rtpPayloadsOf(capture).flatMap((p) => [...p].map(alawReference));
      expect(heard.length).toBeGreaterThan(240 * 30);
      expect(heard).toEqual(said.slice(0, heard.length));
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('a conference of three phones: each hears the others mixed, never itself', async () => {
    const phones = await Promise.all([phoneAudio(), phoneAudio(), phoneAudio()]);
    try {
      const seen = rig.events.length;
      const calls = await Promise.all(phones.map((p) => callIn('2012', p, 3000)));
      const joined = () =>
        rig.events.slice(seen).filter((e) => e.getHeader('Event-Subclass') === 'conference::maintenance' && e.getHeader('Action') === 'add-member');
      await until('three members', () => joined().length === 3);
      const uuids = joined().map((e) => e.getHeader('Unique-ID') ?? '');
      const byPort = new Map<number, string>();
      for (const u of uuids) byPort.set(Number(await rig.sw.api(`uuid_getvar ${u} remote_media_port`)), u);
      const [a, b] = phones;
      const before = phones.map((p) => p.received.length);
      // A says 400 Hz, B says 1000 Hz, C says nothing, for a second
      await Promise.all([
        a.send(
          await mediaPort(byPort.get(a.port) ?? ''),
          PT.PCMU,
          Array.from({ length: 50 }, (_, i) => Uint8Array.from(tone(160 * i), linearToUlaw)),
        ),
        b.send(
          await mediaPort(byPort.get(b.port) ?? ''),
          PT.PCMU,
          Array.from({ length: 50 }, (_, i) => Uint8Array.from(tone(160 * i, 1000), linearToUlaw)),
        ),
      ]);
      const heard = phones.map((p, i) => p.received.slice(before[i] ?? 0).flatMap((q) => [...q.payload].map(ulawReference)));
      const [ha, hb, hc] = heard;
      expect(share(hc ?? [], 400)).toBeGreaterThan(0.2);
      expect(share(hc ?? [], 1000)).toBeGreaterThan(0.2);
      expect(share(ha ?? [], 1000)).toBeGreaterThan(0.4);
      expect(share(ha ?? [], 400)).toBeLessThan(0.05);
      expect(share(hb ?? [], 400)).toBeGreaterThan(0.4);
      expect(share(hb ?? [], 1000)).toBeLessThan(0.05);
      expect(await rig.sw.api('conference room count')).toBe('3');
      for (const r of await Promise.all(calls.map((call) => call.done))) expect(r.code, r.output + r.errors).toBe(0);
    } finally {
      for (const p of phones) p.close();
    }
  });
});

/** A finished 16-bit WAV file's samples (undefined until its data size is written). */
function wavSamples(path: string): Int16Array | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  if (bytes.length <= 44 || bytes.readUInt32LE(40) === 0 || bytes.readUInt32LE(40) + 44 > bytes.length) return undefined;
  return Int16Array.from({ length: bytes.readUInt32LE(40) / 2 }, (_, i) => bytes.readInt16LE(44 + i * 2));
}
