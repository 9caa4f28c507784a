/**
 * A recording's audio as it arrives (a media bug's buffer): linear 8 kHz samples laid down in the
 * recording's own time, so a pause in the far end's audio stays silence and the two directions of
 * a call line up; mono mixes them, stereo keeps each on its channel. It also notes when speech was
 * last heard, as switch_ivr_async.c's is_silence_frame judges a frame: silence when its mean
 * absolute sample is under the threshold.
 */
import { clip16, decodeFrame } from './g711.ts';
import type { AudioFrame } from './media_table.ts';
import { FRAME_SAMPLES } from './source.ts';
import { resample } from './wav.ts';

const RATE = 8000;

/** A frame's samples as 16-bit linear. */
export function linearOf(frame: AudioFrame): Int16Array {
  return decodeFrame(frame.codec, frame.payload);
}

/** Mean absolute sample (switch_ivr_async.c's energy score). */
export function energyOf(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += Math.abs(s);
  return samples.length === 0 ? 0 : sum / samples.length;
}

export class Tape {
  #data: Int32Array;
  /** Where the next samples of each direction go (in samples per channel). */
  readonly #cursor: [number, number] = [0, 0];
  #lastSpeechMs: number | undefined;

  constructor(
    readonly channels: 1 | 2,
    /** Mean absolute sample below which a frame is silence; 0: every frame counts as speech. */
    private readonly threshold = 0,
  ) {
    this.#data = new Int32Array(FRAME_SAMPLES * 50 * channels);
  }

  /**
   * `samples` heard in direction `channel` (0 or 1: mixed on a mono tape) when the recording had
   * run `atMs`: right after what that direction got last, or where its time is when it got nothing
   * for more than two packets.
   */
  put(channel: 0 | 1, samples: Int16Array, atMs: number): void {
    const due = Math.floor((atMs * RATE) / 1000) - samples.length;
    const slot = this.channels === 2 ? channel : 0;
    let at = this.#cursor[channel];
    if (due - at > 2 * FRAME_SAMPLES) at = due;
    this.#grow((at + samples.length) * this.channels);
    for (let i = 0; i < samples.length; i++) this.#data[(at + i) * this.channels + slot] += samples[i];
    this.#cursor[channel] = at + samples.length;
    if (this.threshold === 0 || energyOf(samples) >= this.threshold) this.#lastSpeechMs = atMs;
  }

  /** When speech was last heard (the recording's ms), if ever. */
  get lastSpeechMs(): number | undefined {
    return this.#lastSpeechMs;
  }

  /** The first `samples` (per channel) at `rate`, interleaved; silence where nothing was heard. */
  take(samples: number, rate: number): Int16Array {
    const n = rate === RATE ? samples : Math.floor((samples * RATE) / rate);
    const channel = (c: number) => Int16Array.from({ length: n }, (_, i) => clip16(this.#data[i * this.channels + c] ?? 0));
    const parts = Array.from({ length: this.channels }, (_, c) => (rate === RATE ? channel(c) : resample(channel(c), RATE, rate)));
    const out = new Int16Array(samples * this.channels);
    for (let i = 0; i < samples; i++) for (let c = 0; c < this.channels; c++) out[i * this.channels + c] = parts[c][i] ?? 0;
    return out;
  }

  #grow(length: number): void {
    if (length <= this.#data.length) return;
    let size = this.#data.length;
    while (size < length) size *= 2;
    const next = new Int32Array(size);
    next.set(this.#data);
    this.#data = next;
  }
}
