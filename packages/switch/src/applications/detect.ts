/**
 * Listening to a channel's audio (switch_ivr_async.c's media bugs, mod_dptools' applications):
 * - `start_dtmf` / `stop_dtmf`: digits heard in what the far end sends (switch_ivr_inband_dtmf_session)
 *   are queued on the channel as DTMF from INBAND_AUDIO;
 * - `tone_detect` / `fax_detect` / `stop_tone_detect`: tones (switch_ivr_tone_detect_session), each
 *   hit counted, and on enough hits `tone_detect_<key>_total_time`, the `execute_on_tone_detect`
 *   applications, the tone's own application and DETECTED_TONE.
 * Frames are looked at where they arrive (the media table's tap); what a detection does to the
 * channel runs in the channel's own process.
 */
import { atof, atoi, atol, caseEqual, separateString } from '../internal/strings.ts';
import { isDownState } from '../channel/states.ts';
import type { AudioFrame } from '../media/media_table.ts';
import { linearOf } from '../media/tape.ts';
import { DtmfDetector, Hit, MultiToneDetector } from '../media/teletone_detect.ts';
import { sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';

/** MAX_TONES: tone detectors on one channel. */
const MAX_TONES = 16;
/** TELETONE_MAX_TONES: frequencies in one tone. */
const MAX_FREQS = 18;

/** A detector's media bug: removed with MEDIA_BUG_STOP. */
interface Bug {
  readonly function: string;
  readonly target: string;
  untap(): void;
}

/** One tone of the channel's `_tone_detect_` container (switch_tone_detect_t). */
interface Tone {
  readonly key: string;
  readonly detector: MultiToneDetector;
  readonly totalHits: number;
  readonly defaultSleep: number;
  readonly defaultExpires: number;
  readonly once: boolean;
  readonly app: string | undefined;
  readonly data: string | undefined;
  readonly callback: ToneCallback | undefined;
  readonly startUs: number;
  up: boolean;
  hits: number;
  sleep: number;
  expires: number;
}

/** switch_tone_container_t: the tones, their one bug, and whether that bug is taken as running. */
interface ToneContainer {
  readonly tones: Tone[];
  bug: Bug | undefined;
  running: boolean;
}

interface ChannelDetectors {
  dtmf: Bug | undefined;
  tones: ToneContainer | undefined;
}

const DETECTORS = new WeakMap<AppChannel, ChannelDetectors>();

function detectorsOf(ch: AppChannel): ChannelDetectors {
  const known = DETECTORS.get(ch);
  if (known) return known;
  const d: ChannelDetectors = { dtmf: undefined, tones: undefined };
  DETECTORS.set(ch, d);
  // the session's bugs go with it (switch_core_media_bug_remove_all at hangup)
  ch.addStateHook((state) => {
    if (!isDownState(state)) return true;
    if (d.dtmf) removeBug(ch, d.dtmf);
    if (d.tones?.bug) removeBug(ch, d.tones.bug);
    d.dtmf = undefined;
    if (d.tones) d.tones.bug = undefined;
    return false;
  });
  return d;
}

/** switch_core_media_bug_add: `onFrame` hears the frames of one direction; MEDIA_BUG_START; `close` is its removal from outside (remove_bugs). */
function addBug(
  ch: AppChannel,
  fn: string,
  target: string,
  direction: 'read' | 'write' | undefined,
  onFrame: (frame: AudioFrame) => void,
  close: () => void,
): Bug {
  const untap = ch.core.media.tap(
    ch.uuid,
    (dir, frame) => {
      if (dir === direction) onFrame(frame);
    },
    { function: fn, target, close },
  );
  ch.fire('MEDIA_BUG_START', undefined, [
    ['Media-Bug-Function', fn],
    ['Media-Bug-Target', target],
  ]);
  return { function: fn, target, untap };
}

function removeBug(ch: AppChannel, bug: Bug): void {
  bug.untap();
  bugStopped(ch, bug);
}

/** MEDIA_BUG_STOP for a bug already untapped. */
function bugStopped(ch: AppChannel, bug: Bug): void {
  ch.fire('MEDIA_BUG_STOP', undefined, [
    ['Media-Bug-Function', bug.function],
    ['Media-Bug-Target', bug.target],
  ]);
}

/** switch_ivr_inband_dtmf_session: one per channel (SMBF_ONE_ONLY). */
export function startInbandDtmf(ch: AppChannel): boolean {
  const d = detectorsOf(ch);
  if (d.dtmf) {
    ch.core.log('ERR', 'Only one bug of this type allowed!', ch.uuid);
    return false;
  }
  const detector = new DtmfDetector(8000);
  d.dtmf = addBug(
    ch,
    'inband_dtmf',
    'N/A',
    'read',
    (frame) => {
      if (detector.detect(linearOf(frame)) !== Hit.End) return;
      const got = detector.take();
      if (!got) return;
      ch.core.log('DEBUG', `DTMF DETECTED: [${got.digit}][${got.duration}]`, ch.uuid);
      ch.after(0, () => ch.receiveDtmf(got.digit, got.duration, 'INBAND_AUDIO'));
    },
    () => stopInbandDtmf(ch),
  );
  return true;
}

/** switch_ivr_stop_inband_dtmf_session: false when none runs. */
export function stopInbandDtmf(ch: AppChannel): boolean {
  const d = DETECTORS.get(ch);
  if (!d?.dtmf) return false;
  removeBug(ch, d.dtmf);
  d.dtmf = undefined;
  return true;
}

/**
 * switch_tone_detect_callback_t, in place of the hooks and the application. It is called at the
 * hit, where the frame is read: `keep` true turns the tone on again, false ends the bug; `act`
 * then runs in the channel's process, after the tone's total time is set.
 */
export type ToneCallback = (
  app: string | undefined,
  data: string | undefined,
) => { readonly keep: boolean; readonly act?: (ch: AppChannel) => void | Promise<void> };

export interface ToneSpec {
  readonly key: string;
  /** Comma-separated frequencies, as `atof` reads each. */
  readonly freqs: string;
  /** `o` once, `r` read (the default with no flags), `w` write. */
  readonly flags: string | undefined;
  /** Epoch seconds after which the bug goes; 0: never. */
  readonly stopAt: number;
  readonly hits: number;
  readonly app: string | undefined;
  readonly data: string | undefined;
}

export const nowSec = (ch: AppChannel) => Math.floor(ch.core.nowUs() / 1e6);

/** switch_ivr_tone_detect_session: a tone added to the channel's detectors (or one of the same key re-enabled). */
export function startToneDetect(ch: AppChannel, spec: ToneSpec, callback?: ToneCallback): boolean {
  const log = (level: 'ERR' | 'DEBUG', text: string) => ch.core.log(level, text, ch.uuid);
  if (spec.key === '') {
    log('ERR', 'No Key Specified!');
    return false;
  }
  const d = detectorsOf(ch);
  const known = d.tones;
  if (known) {
    if (known.tones.length >= MAX_TONES) {
      log('ERR', 'Max Tones Reached!');
      return false;
    }
    const same = known.tones.find((t) => caseEqual(t.key, spec.key));
    if (same) {
      log('DEBUG', `Re-enabling ${spec.key}`);
      Object.assign(same, { up: true, hits: 0, sleep: 0, expires: 0 });
      return true;
    }
  }
  if (spec.freqs === '') {
    log('ERR', 'No Spec Specified!');
    return false;
  }
  const hitsVar = atoi(ch.variable('tone_detect_hits') ?? '');
  const totalHits = (hitsVar > 0 ? hitsVar : spec.hits) || 1;
  log('DEBUG', `Adding tone spec ${spec.freqs} index ${known?.tones.length ?? 0} hits ${totalHits}`);
  const freqs = spec.freqs
    .split(',')
    .map((f) => atof(f))
    .filter((f) => f !== 0)
    .slice(0, MAX_FREQS);
  if (freqs.length === 0) {
    log('ERR', 'Invalid tone spec!');
    return false;
  }
  const positive = (name: string, fallback: number) => {
    const n = atoi(ch.variable(name) ?? '');
    return n > 0 ? n : fallback;
  };
  const cont: ToneContainer = known ?? { tones: [], bug: undefined, running: false };
  d.tones = cont;
  const tone: Tone = {
    key: spec.key,
    detector: new MultiToneDetector(freqs, 8000),
    totalHits,
    defaultSleep: positive('tone_detect_sleep', 25),
    defaultExpires: positive('tone_detect_expires', 250),
    once: spec.flags?.includes('o') ?? false,
    app: spec.app,
    data: spec.data,
    callback,
    startUs: ch.core.nowUs(),
    up: true,
    hits: 0,
    sleep: 0,
    expires: 0,
  };
  if (cont.running) log('DEBUG', `${ch.name} bug already running`);
  else {
    cont.running = true;
    // the flags of the tone that starts the bug choose what it hears; flags without r or w: nothing
    const flags = spec.flags;
    const direction = !flags ? 'read' : flags.includes('r') ? 'read' : flags.includes('w') ? 'write' : undefined;
    cont.bug = addBug(
      ch,
      'tone_detect',
      spec.key,
      direction,
      (frame) => toneFrame(ch, cont, spec.stopAt, frame),
      () => stopToneDetect(ch),
    );
  }
  cont.tones.push(tone);
  return true;
}

/**
 * tone_detect_callback on one frame: the counters of each tone, its detector, its callback, and
 * what its hits do, which runs in the channel's process in the C's order: per detected tone the
 * total time, the `execute_on_tone_detect` applications and its application (without a
 * callback), DETECTED_TONE; then, when a `once` tone was detected or a callback said so, the bug's
 * end (frames after this one are not looked at).
 */
function toneFrame(ch: AppChannel, cont: ToneContainer, stopAt: number, frame: AudioFrame): void {
  const bug = cont.bug;
  if (!bug) return;
  // the bug's stop time, looked at as each frame is read; the container still counts it as running
  if (stopAt && stopAt <= nowSec(ch)) {
    cont.bug = undefined;
    bug.untap();
    ch.after(0, () => bugStopped(ch, bug));
    return;
  }
  const samples = linearOf(frame);
  const detected: { tone: Tone; totalMs: number; act?: ((ch: AppChannel) => void | Promise<void>) | undefined }[] = [];
  let ends = false;
  for (const tone of cont.tones) {
    let skip = false;
    if (tone.sleep && --tone.sleep) skip = true;
    if (tone.expires && !--tone.expires) {
      tone.hits = 0;
      tone.sleep = 0;
    }
    if (!tone.up || skip || !tone.detector.detect(samples)) continue;
    tone.hits++;
    ch.core.log('DEBUG', `TONE ${tone.key} HIT ${tone.hits}/${tone.totalHits}`, ch.uuid);
    tone.sleep = tone.defaultSleep;
    tone.expires = tone.defaultExpires;
    if (tone.hits < tone.totalHits) continue;
    ch.core.log('DEBUG', `TONE ${tone.key} DETECTED`, ch.uuid);
    tone.up = false;
    const totalMs = Math.trunc((ch.core.nowUs() - tone.startUs) / 1000);
    const called = tone.callback?.(tone.app, tone.data);
    if (called?.keep) {
      ch.core.log('DEBUG', `Re-enabling ${tone.key}`, ch.uuid);
      Object.assign(tone, { up: true, hits: 0, sleep: 0, expires: 0 });
    }
    if (tone.once || called?.keep === false) ends = true;
    detected.push({ tone, totalMs, act: called?.act });
  }
  if (detected.length === 0) return;
  if (ends) {
    cont.bug = undefined;
    cont.running = false;
    bug.untap();
  }
  ch.after(0, async () => {
    for (const { tone, totalMs, act } of detected) {
      ch.setVariable(`tone_detect_${tone.key}_total_time`, String(totalMs));
      if (tone.callback) await act?.(ch);
      else {
        await ch.runExecuteOn('tone_detect');
        if (tone.app) await ch.queueExecute(tone.app, tone.data ?? '');
      }
      // created without the channel's data; the copy queued to the session goes to nobody here
      const event = ch.core.bus.create('DETECTED_TONE');
      event.addHeader('Detected-Tone', tone.key);
      ch.core.fire(event);
    }
    if (ends) bugStopped(ch, bug);
  });
}

/** switch_ivr_stop_tone_detect_session: every tone off, the bug gone, the container forgotten. */
export function stopToneDetect(ch: AppChannel): boolean {
  const d = DETECTORS.get(ch);
  const cont = d?.tones;
  if (!d || !cont) return false;
  d.tones = undefined;
  for (const t of cont.tones) t.up = false;
  if (cont.bug) removeBug(ch, cont.bug);
  cont.bug = undefined;
  return true;
}

/**
 * tone_detect_session_function: `<key> <freqs> [<flags> [<timeout> [<app> [<data> [<hits>]]]]]`.
 * The timeout is epoch seconds, or `+<secs>` from now; with five words the fifth is both the
 * application and the hits, as the C reads it. Undefined (logged) when the words are too few.
 */
export function parseToneDetectArgs(ch: AppChannel, data: string): ToneSpec | undefined {
  const argv = data === '' ? [] : separateString(data, ' ', 7);
  if (argv.length < 2) {
    ch.core.log('ERR', 'INVALID ARGS!', ch.uuid);
    return undefined;
  }
  const [key = '', freqs = '', flags, timeout, app, appData, hitsWord] = argv;
  let stopAt = 0;
  if (timeout !== undefined) {
    if (timeout.startsWith('+')) {
      const secs = atol(timeout.slice(1)) >>> 0;
      if (secs > 0) stopAt = nowSec(ch) + secs;
      else ch.core.log('ERR', 'INVALID Timeout!', ch.uuid);
    } else {
      const at = atol(timeout);
      if (at < nowSec(ch)) {
        if (at >= 1) ch.core.log('ERR', 'INVALID Timeout!', ch.uuid);
      } else stopAt = at;
    }
  }
  const hitsText = app !== undefined && appData !== undefined ? hitsWord : app !== undefined && hitsWord === undefined ? app : undefined;
  const hits = hitsText === undefined ? 0 : Math.max(0, atoi(hitsText));
  ch.core.log('NOTICE', `Enabling tone detection '${key}' '${freqs}'`, ch.uuid);
  return { key, freqs, flags, stopAt, hits, app, data: appData };
}

export const DETECT_APPLICATIONS: readonly Application[] = [
  { name: 'start_dtmf', needsMedia: true, run: sync((ch) => void startInbandDtmf(ch)) },
  { name: 'stop_dtmf', needsMedia: true, run: sync((ch) => void stopInbandDtmf(ch)) },
  {
    name: 'tone_detect',
    needsMedia: true,
    run: sync((ch, data) => {
      const spec = parseToneDetectArgs(ch, data);
      if (spec) startToneDetect(ch, spec);
    }),
  },
  {
    name: 'fax_detect',
    needsMedia: true,
    run: sync((ch) => void startToneDetect(ch, { key: 'fax', freqs: '1100.0', flags: 'r', stopAt: 0, hits: 1, app: undefined, data: undefined })),
  },
  {
    name: 'stop_tone_detect',
    needsMedia: true,
    run: sync((ch) => {
      ch.core.log('NOTICE', 'Disabling tone detection', ch.uuid);
      stopToneDetect(ch);
    }),
  },
];
