/**
 * mod_dptools' `start_dtmf_generate [write]` / `stop_dtmf_generate` (switch_ivr_inband_dtmf_generate_session):
 * a media bug that turns the digits the channel receives (`write`: the digits sent to it) into
 * tones in that stream. Each digit taken this way is not passed on as a digit: a DTMF event with
 * `DTMF-Conversion: native:inband` says so. Ten packets pass untouched before a first tone (the
 * C's skip), then each digit is its duration of libteletone's DTMF pair at -7 dB and 500 samples
 * of silence. A second start replaces the generator. As here, the hooks see the digits the far
 * end sends and those a bridged partner passes on (not those of `send_dtmf` / `uuid_send_dtmf`).
 */
import type { DtmfSource } from '../channel/dtmf_queue.ts';
import { isDownState } from '../channel/states.ts';
import { encodeFrame } from '../media/g711.ts';
import type { AudioFrame } from '../media/media_table.ts';
import { toneSamples } from '../media/tone.ts';
import { sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';

/** teletone_init_session's DTMF map (its third row is 859 Hz). */
const DTMF_FREQS: Readonly<Record<string, readonly [number, number]>> = {
  '1': [697, 1209],
  '2': [697, 1336],
  '3': [697, 1477],
  A: [697, 1633],
  '4': [770, 1209],
  '5': [770, 1336],
  '6': [770, 1477],
  B: [770, 1633],
  '7': [859, 1209],
  '8': [859, 1336],
  '9': [859, 1477],
  C: [859, 1633],
  '*': [941, 1209],
  '0': [941, 1336],
  '#': [941, 1477],
  D: [941, 1633],
};

/** teletone_init_session: the silence after each tone (samples) and the volume (dB). */
const WAIT_SAMPLES = 500;
const VOLUME_DB = -7;
const SKIP_PACKETS = 10;
const QUEUE_MAX = 100;

interface Generator {
  readonly queue: { digit: string; duration: number; source: DtmfSource }[];
  audio: Int16Array;
  pos: number;
  skip: number;
  remove(): void;
}

const GENERATORS = new WeakMap<AppChannel, Generator>();

/** The bug's replace callback: the queued digit's tone, packet by packet, in place of the stream's audio. */
function generated(ch: AppChannel, g: Generator, frame: AudioFrame): AudioFrame {
  if (g.skip > 0) {
    g.skip--;
    return frame;
  }
  if (g.pos >= g.audio.length) {
    const next = g.queue.shift();
    const freqs = next && next.source !== 'INBAND_AUDIO' ? DTMF_FREQS[next.digit.toUpperCase()] : undefined;
    if (next && freqs) {
      let duration = next.duration;
      if (duration > ch.core.control.maxDtmfDuration) {
        duration = ch.core.control.defaultDtmfDuration;
        // the C prints the default in samples after "ms"
        ch.core.log('WARNING', `${ch.name} Truncating DTMF duration ${Math.trunc(next.duration / 8)} ms to ${duration} ms`, ch.uuid);
      }
      g.audio = toneSamples(duration / 8, WAIT_SAMPLES / 8, freqs, VOLUME_DB);
      g.pos = 0;
    }
  }
  if (g.pos >= g.audio.length) return frame;
  const out = new Int16Array(frame.samples);
  out.set(g.audio.subarray(g.pos, g.pos + frame.samples));
  g.pos += frame.samples;
  return { codec: frame.codec, payload: encodeFrame(frame.codec, out), samples: frame.samples };
}

function stopGenerate(ch: AppChannel): void {
  GENERATORS.get(ch)?.remove();
}

function startGenerate(ch: AppChannel, data: string): void {
  if (!ch.mediaUp) return ch.core.log('ERR', 'Can not install inband dtmf generate.  Media not enabled on channel', ch.uuid);
  stopGenerate(ch);
  const direction = data.toLowerCase() === 'write' ? 'write' : 'read';
  const hookDirection = direction === 'read' ? 'recv' : 'send';
  const headers = (): [string, string][] => [
    ['Media-Bug-Function', 'inband_dtmf_generate'],
    ['Media-Bug-Target', 'N/A'],
  ];
  let removed = false;
  const g: Generator = {
    queue: [],
    audio: new Int16Array(0),
    pos: 0,
    skip: 0,
    remove: () => {
      if (removed) return;
      removed = true;
      unhook();
      unreplace();
      untap();
      if (GENERATORS.get(ch) === g) GENERATORS.delete(ch);
      ch.fire('MEDIA_BUG_STOP', undefined, headers());
    },
  };
  const untap = ch.core.media.tap(ch.uuid, () => {}, { function: 'inband_dtmf_generate', target: 'N/A', close: () => g.remove() });
  const unreplace = ch.core.media.replace(ch.uuid, (dir, frame) => (dir === direction && !removed ? generated(ch, g, frame) : frame));
  // generate_on_dtmf: the digit goes to the tone queue and is no digit any more
  const unhook = ch.addDtmfHook((digit, dir, source, duration) => {
    if (dir !== hookDirection || g.queue.length >= QUEUE_MAX) return true;
    if (g.pos >= g.audio.length) g.skip = SKIP_PACKETS;
    g.queue.push({ digit, duration, source });
    ch.fire('DTMF', undefined, undefined, [
      ['DTMF-Digit', digit],
      ['DTMF-Duration', String(duration)],
      ['DTMF-Source', 'APP'],
      ['DTMF-Conversion', 'native:inband'],
    ]);
    return false;
  });
  GENERATORS.set(ch, g);
  ch.fire('MEDIA_BUG_START', undefined, headers());
  ch.addStateHook((state) => {
    if (isDownState(state)) g.remove();
    return !removed;
  });
}

export const DTMF_GENERATE_APPLICATIONS: readonly Application[] = [
  { name: 'start_dtmf_generate', needsMedia: true, run: sync(startGenerate) },
  { name: 'stop_dtmf_generate', needsMedia: true, run: sync(stopGenerate) },
];
