/**
 * What a channel can play as audio (switch_ivr_play_file's file handles): `silence_stream://<ms>`
 * (mod_tone_stream; a negative length is endless), `tone_stream://<TGML>[;loops=<n>]` (n times,
 * -1 endless), a bare TGML tone (`%(…)`, as `ringback` has it) and WAV files, absolute or under the
 * channel's `sound_prefix`, each looked for in its folder's rate folders first (mod_sndfile);
 * `file_string://<file>!<file>…` (mod_dptools' file_string) plays those
 * of its files that open, in turn. Anything else (a file that is not there or not a WAV, `say:`,
 * `phrase:`, `local_stream://` — local_stream/open.ts gives that one when mod_local_stream is
 * loaded…) has no source: the caller simulates it for its time.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { SILENT_FRAME } from './g711.ts';
import { renderTgml } from './tone.ts';
import { decodeWav } from './wav.ts';

/** 20 ms at 8 kHz. */
export const FRAME_SAMPLES = 160;

/** Linear 8 kHz audio, 20 ms at a time. */
export interface AudioSource {
  /** The whole length in ms; undefined when it never ends. */
  readonly ms: number | undefined;
  /** The next frame (the last may be shorter), or undefined once it is over. */
  next(): Int16Array | undefined;
  /** Lets go of what it holds (a local stream's listener leaves it); the player calls it when it stops. */
  close?(): void;
  /** Moves to `sample` from its start (uuid_fileman's seek); a source without it cannot be moved. */
  seek?(sample: number): void;
}

/** `samples` played `loops` times (-1: for ever). */
export class SampleSource implements AudioSource {
  readonly ms: number | undefined;
  #at = 0;
  #loops: number;
  readonly #allLoops: number;

  constructor(
    private readonly samples: Int16Array,
    loops = 1,
  ) {
    this.#loops = samples.length === 0 ? 0 : loops;
    this.#allLoops = this.#loops;
    this.ms = this.#loops < 0 ? undefined : Math.floor((samples.length * this.#loops) / 8);
  }

  seek(sample: number): void {
    const length = this.samples.length;
    if (length === 0) return;
    const pass = Math.floor(sample / length);
    this.#at = sample % length;
    if (this.#allLoops >= 0) this.#loops = Math.max(0, this.#allLoops - pass);
  }

  next(): Int16Array | undefined {
    if (this.#loops === 0) return undefined;
    const frame = this.samples.subarray(this.#at, this.#at + FRAME_SAMPLES);
    this.#at += frame.length;
    if (this.#at >= this.samples.length) {
      this.#at = 0;
      if (this.#loops > 0) this.#loops--;
    }
    return frame;
  }
}

/** Silence for `ms` (undefined: for ever). */
class SilenceSource implements AudioSource {
  #left: number;

  constructor(readonly ms: number | undefined) {
    this.#left = ms === undefined ? Number.POSITIVE_INFINITY : (ms * 8000) / 1000;
  }

  seek(sample: number): void {
    if (this.ms !== undefined) this.#left = Math.max(0, (this.ms * 8000) / 1000 - sample);
  }

  next(): Int16Array | undefined {
    if (this.#left <= 0) return undefined;
    const n = Math.min(FRAME_SAMPLES, this.#left);
    this.#left -= n;
    return n === FRAME_SAMPLES ? SILENT_FRAME : SILENT_FRAME.subarray(0, n);
  }
}

/** A tone spec, with mod_tone_stream's `;loops=<n>` unless `loops` says how many. */
export function toneSource(spec: string, loops: number | undefined): AudioSource {
  const given = /;loops=(-?\d+)/i.exec(spec);
  const n = loops ?? (given ? Number(given[1]) : 1);
  return new SampleSource(renderTgml(spec), n === 0 ? 1 : n);
}

/** Sources played one after the other. */
class ConcatSource implements AudioSource {
  readonly ms: number | undefined;
  #at = 0;

  constructor(private readonly parts: readonly AudioSource[]) {
    this.ms = parts.some((p) => p.ms === undefined) ? undefined : parts.reduce((sum, p) => sum + (p.ms ?? 0), 0);
  }

  seek(sample: number): void {
    if (this.ms === undefined || this.parts.some((p) => !p.seek)) return;
    let left = sample;
    this.#at = this.parts.length;
    this.parts.forEach((part, i) => {
      const length = (part.ms ?? 0) * 8;
      if (i < this.#at && left < length) this.#at = i;
      part.seek?.(i < this.#at ? length : i === this.#at ? left : 0);
      if (i < this.#at) left -= length;
    });
  }

  next(): Int16Array | undefined {
    for (; this.#at < this.parts.length; this.#at++) {
      const frame = this.parts[this.#at]?.next();
      if (frame) return frame;
    }
    return undefined;
  }
}

/** file_string's lead-in before its first file: 250 ms of -1s. */
const FILE_STRING_LEAD = new Int16Array(2000).fill(-1);

/** `file_string://`: the files that open, after the lead-in; undefined when none does (file_string_file_open fails). */
function fileStringSource(list: string, soundPrefix: string | undefined): AudioSource | undefined {
  const files = list.split('!').flatMap((f) => openSource(f, soundPrefix) ?? []);
  return files.length === 0 ? undefined : new ConcatSource([new SampleSource(FILE_STRING_LEAD), ...files]);
}

/**
 * The source for `file`, or undefined when there is none to play (see above). `loops`: how many
 * times it plays (-1: for ever, as a ringback does), instead of once (or a tone's `;loops=`).
 */
export function openSource(file: string, soundPrefix?: string, loops?: number): AudioSource | undefined {
  const silence = /^silence_stream:\/\/(-?\d+)/i.exec(file);
  if (silence) {
    const ms = Number(silence[1]);
    return new SilenceSource(ms < 0 || loops === -1 ? undefined : ms * (loops ?? 1));
  }
  if (/^tone_stream:\/\//i.test(file)) return toneSource(file.slice('tone_stream://'.length), loops);
  if (file.startsWith('%(')) return toneSource(file, loops);
  if (/^file_string:\/\//i.test(file)) return fileStringSource(file.slice('file_string://'.length), soundPrefix);
  if (file.includes('://') || !/\.wav$/i.test(file)) return undefined;
  const path = isAbsolute(file) || !soundPrefix ? file : join(soundPrefix, file);
  try {
    for (const candidate of rateDirectories(path)) {
      const samples = wavSamples(candidate);
      if (samples) return new SampleSource(samples, loops);
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** mod_sndfile's rate folders (sound packages keep `voicemail/8000/vm-you_have.wav`): this rate's, the highest first, then the path itself. */
const SNDFILE_RATES = [8000, 48000, 32000, 16000, 8000];

function rateDirectories(path: string): string[] {
  return [...SNDFILE_RATES.map((rate) => join(dirname(path), String(rate), basename(path))), path];
}

/** Decoded WAV files by path, the newest used last: a prompt played on every call is read once. */
const WAVS = new Map<string, { readonly stamp: string; readonly samples: Int16Array }>();
const WAVS_KEPT = 64;

/** The file's samples, decoded again only when its size or time changed; undefined when it is not a file. */
function wavSamples(path: string): Int16Array | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st?.isFile()) return undefined;
  const stamp = `${st.size}:${st.mtimeMs}`;
  const known = WAVS.get(path);
  WAVS.delete(path);
  const samples = known?.stamp === stamp ? known.samples : decodeWav(readFileSync(path));
  WAVS.set(path, { stamp, samples });
  if (WAVS.size > WAVS_KEPT) WAVS.delete(WAVS.keys().next().value as string);
  return samples;
}
