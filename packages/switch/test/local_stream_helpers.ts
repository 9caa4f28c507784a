/**
 * What the local_stream tests share: a conf directory with a local_stream.conf and WAV files
 * whose every packet says which file and which packet it is, and a port that notes what it was
 * written when.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AudioFrame, MediaPort } from '../src/index.ts';
import { decodeFrame } from '../src/media/g711.ts';
import type { Setup } from './switch_helpers.ts';

/** Packets in each test file (200 ms). */
export const PACKETS = 10;
const BITS = 8;
const LEVEL = 6000;

/** A packet's id: file number × 16 + packet number. */
export const packetId = (file: number, packet: number): number => file * 16 + packet;

/** A 16-bit mono 8 kHz WAV file of `samples`. */
export function wavFile(samples: Int16Array): Uint8Array {
  const head = new DataView(new ArrayBuffer(44));
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) head.setUint8(at + i, s.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  head.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  head.setUint32(16, 16, true);
  head.setUint16(20, 1, true);
  head.setUint16(22, 1, true);
  head.setUint32(24, 8000, true);
  head.setUint32(28, 16000, true);
  head.setUint16(32, 2, true);
  head.setUint16(34, 16, true);
  ascii(36, 'data');
  head.setUint32(40, samples.length * 2, true);
  return Uint8Array.from([...new Uint8Array(head.buffer), ...new Uint8Array(samples.buffer)]);
}

/** File `file`'s samples: each packet starts with its id in 8 signed samples (a bit set is +LEVEL), then silence. */
export function taggedSamples(file: number, packets = PACKETS): Int16Array {
  const out = new Int16Array(packets * 160);
  for (let p = 0; p < packets; p++) for (let b = 0; b < BITS; b++) out[p * 160 + b] = (packetId(file, p) >> b) & 1 ? LEVEL : -LEVEL;
  return out;
}

/** The id a packet carries; undefined for silence. */
export function idOf(samples: Int16Array): number | undefined {
  if (Math.abs(samples[0] ?? 0) < LEVEL / 2) return undefined;
  let id = 0;
  for (let b = 0; b < BITS; b++) if ((samples[b] ?? 0) > 0) id |= 1 << b;
  return id;
}

/** A folder with the files `name → file number`. */
export function musicDir(files: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), 'beamline-moh-'));
  for (const [name, n] of Object.entries(files)) writeFileSync(join(dir, name), wavFile(taggedSamples(n)));
  return dir;
}

/** A conf dir whose freeswitch.xml includes autoload_configs/*.xml, with `xml` there as `file`. */
export function autoloadConf(file: string, xml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'beamline-conf-'));
  mkdirSync(join(dir, 'autoload_configs'));
  writeFileSync(
    join(dir, 'freeswitch.xml'),
    `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="configuration" description="Various Configuration">
    <X-PRE-PROCESS cmd="include" data="autoload_configs/*.xml"/>
  </section>
</document>
`,
  );
  writeFileSync(join(dir, 'autoload_configs', file), xml);
  return dir;
}

/** A conf dir whose local_stream.conf is `directories` (the `<directory>` elements). */
export const streamConf = (directories: string): string =>
  autoloadConf('local_stream.conf.xml', `<configuration name="local_stream.conf">\n${directories}\n</configuration>\n`);

/** A `<directory>` element. */
export const directory = (name: string, path: string, params: Record<string, string> = {}): string =>
  `  <directory name="${name}" path="${path}">\n${Object.entries(params)
    .map(([k, v]) => `    <param name="${k}" value="${v}"/>\n`)
    .join('')}  </directory>`;

export interface Heard {
  /** The clock time the packet was written. */
  readonly t: number;
  readonly id: number | undefined;
}

/** A port on `uuid` that notes each packet's id and time. */
export function listenOn(t: Setup, uuid: string): Heard[] {
  const heard: Heard[] = [];
  const port: MediaPort = {
    codec: 'PCMU',
    write: (f: AudioFrame) => heard.push({ t: t.clock.now(), id: idOf(decodeFrame(f.codec, f.payload)) }),
  };
  t.sw.core.media.attach(uuid, port);
  return heard;
}

/** The ids heard, runs of one id (and silence) collapsed. */
export function sequence(heard: readonly Heard[]): (number | undefined)[] {
  return heard.map((h) => h.id).filter((id, i, all) => i === 0 || id !== all[i - 1]);
}

/** The clock moved on in 20 ms steps (each packet's timer fires at its own time), or in larger ones. */
export async function advance(t: Setup, ms: number, step = 20): Promise<void> {
  await t.settle();
  for (let left = ms; left > 0; left -= step) {
    await t.clock.advance(Math.min(step, left));
    await t.settle();
  }
}
