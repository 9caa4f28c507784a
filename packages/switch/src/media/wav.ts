/**
 * WAV files as the switch plays them: RIFF with a `fmt ` chunk of 16-bit PCM (1), A-law
 * (6) or μ-law (7), any number of channels (mixed down) at any rate (resampled to 8 kHz, linearly).
 */
import { alawToLinear, ulawToLinear } from './g711.ts';

export class WavError extends Error {}

const RATE = 8000;

/** A RIFF chunk: its id, where its body starts and its declared size. */
export interface RiffChunk {
  readonly id: string;
  readonly at: number;
  readonly size: number;
}

/** The chunks of a RIFF/WAVE file (or of its head), in order; none when it is not one. */
export function* waveChunks(bytes: Uint8Array): Generator<RiffChunk> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (at: number) => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
  if (bytes.length < 12 || text(0) !== 'RIFF' || text(8) !== 'WAVE') return;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const size = view.getUint32(at + 4, true);
    yield { id: text(at), at: at + 8, size };
    at += 8 + size + (size & 1);
  }
}

/** The file's audio as 8 kHz mono 16-bit samples. */
export function decodeWav(bytes: Uint8Array): Int16Array {
  let format: { tag: number; channels: number; rate: number; bits: number } | undefined;
  let data: Uint8Array | undefined;
  for (const chunk of waveChunks(bytes)) {
    const body = bytes.subarray(chunk.at, Math.min(bytes.length, chunk.at + chunk.size));
    if (chunk.id === 'fmt ' && body.length >= 16) {
      const f = new DataView(body.buffer, body.byteOffset, body.byteLength);
      format = { tag: f.getUint16(0, true), channels: f.getUint16(2, true), rate: f.getUint32(4, true), bits: f.getUint16(14, true) };
    } else if (chunk.id === 'data') data = body;
  }
  if (!format || !data) throw new WavError('not a WAV file with fmt and data chunks');
  const { tag, channels, rate, bits } = format;
  const width = tag === 1 && bits === 16 ? 2 : (tag === 6 || tag === 7) && bits === 8 ? 1 : 0;
  if (width === 0 || channels < 1 || rate < 1) throw new WavError(`unsupported WAV format ${tag}, ${bits} bits, ${channels} channels, ${rate} Hz`);
  const frames = Math.floor(data.length / (width * channels));
  const mono = new Float64Array(frames);
  const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const at = (i * channels + c) * width;
      sum += width === 2 ? d.getInt16(at, true) : tag === 6 ? alawToLinear(data[at]) : ulawToLinear(data[at]);
    }
    mono[i] = sum / channels;
  }
  return resample(mono, rate, RATE);
}

/** `input` at `fromRate` as samples at `toRate`, by linear interpolation. */
export function resample(input: ArrayLike<number>, fromRate: number, toRate: number): Int16Array {
  const n = fromRate === toRate ? input.length : Math.floor((input.length * toRate) / fromRate);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const pos = (i * fromRate) / toRate;
    const k = Math.floor(pos);
    const next = k + 1 < input.length ? input[k + 1] : input[k];
    out[i] = Math.round(input[k] + (next - input[k]) * (pos - k));
  }
  return out;
}
