/**
 * The applications' media: a file plays its audio (media/source.ts: tones, silence, WAV files;
 * local_stream/: `local_stream://`) to the channel's far end for as long as it lasts; one with no
 * source here is simulated — it "plays" for `playback_duration_ms` (default 1000), silently.
 * Either ends early on a break (CF_BREAK), a hangup or a digit its reader takes. A local stream
 * that does not open is not found: nothing plays, no PLAYBACK events. `tts://<engine>|<voice>|<text>`
 * is spoken first (speech/tts_file.ts, off the channel's turn) and then played as a file.
 */
import { openPlayable } from '../local_stream/open.ts';
import { openFileHandle } from '../media/fileman.ts';
import { playToChannel } from '../media/player.ts';
import { type AudioSource, SampleSource } from '../media/source.ts';
import { atoi, findEndParen, separateString } from '../internal/strings.ts';
import { isTtsFile, openTtsFile } from '../speech/tts_file.ts';
import { afterParams, DEFAULT_BASE_DIR, NATIVE_FORMAT, parseRecordingVars, recordFilePath } from './recording_model.ts';
import { afterSynthesis } from './synthesis.ts';
import type { AppChannel, Interrupter } from './types.ts';

/**
 * How a wait ended: its time ran out, a break or a digit ended it, or the channel was hung up;
 * or the file was not found (switch_ivr_play_file's SWITCH_STATUS_NOTFOUND).
 */
export type MediaEnd = 'played' | 'break' | 'digit' | 'killed' | 'notfound';

export function parseMs(data: string): number {
  const n = Number.parseInt(data, 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** What playing `file` plays: its source here if it has one, for how long (undefined: until stopped), and its `{…}` parameters; undefined: not found. */
interface Playable {
  readonly source: AudioSource | undefined;
  readonly ms: number | undefined;
  readonly params: readonly [string, string][];
  /** The sample it starts at (playback's `<file>@@<samples>`). */
  readonly startSample?: number;
}

/** switch_ivr_play_file's `sample_start`: the file sought to that sample before it plays, and that much shorter. */
function startingAt(opened: Playable | undefined, sample: number): Playable | undefined {
  if (!opened || sample <= 0) return opened;
  opened.source?.seek?.(sample);
  const ms = opened.ms === undefined ? undefined : Math.max(0, opened.ms - Math.floor(sample / (RATE / 1000)));
  return { ...opened, ms, startSample: sample };
}

/** The base directory (SWITCH_GLOBAL_dirs.base_dir): the global `base_dir`, else FreeSWITCH's default. */
function baseDir(ch: AppChannel): string {
  return ch.core.globals.get('base_dir') ?? DEFAULT_BASE_DIR;
}

/**
 * switch_ivr_play_file's name for `file`: a relative one goes under `sound_prefix` (else the base
 * directory), its leading `{…}` group kept in front; one with no extension gets the channel's
 * codec, and since no native file plays here, its backup (`native_backup_extension`, `wav`).
 * URLs, tones and `phrase:` / `say:` are left as they are.
 */
function playName(ch: AppChannel, file: string): string {
  if (file.includes('://') || file.startsWith('%(') || /^(phrase|say):/i.test(file)) return file;
  const { file: name, native } = recordFilePath(file, ch.variable('sound_prefix') ?? baseDir(ch));
  if (!native) return name;
  return `${name.slice(0, -NATIVE_FORMAT.length)}${ch.variable('native_backup_extension') ?? 'wav'}`;
}

/** switch_core_file_open: the leading `{name=value,…}` groups are the handle's parameters, the rest the file; undefined (Parse Error!) when a group does not close. */
function fileParams(name: string): { path: string; params: [string, string][] } | undefined {
  const path = afterParams(name);
  if (path === undefined) return undefined;
  const params: [string, string][] = [];
  for (let rest = name; rest.startsWith('{'); rest = rest.slice(findEndParen(rest, '{', '}') + 1).replace(/^ +/, '')) {
    for (const [n, v] of parseRecordingVars(rest) ?? []) {
      const at = params.findIndex(([p]) => p.toLowerCase() === n.toLowerCase());
      if (at >= 0) params.splice(at, 1);
      params.push([n, v]);
    }
  }
  return { path, params };
}

function playable(ch: AppChannel, name: string): Playable | undefined {
  const opened = fileParams(name);
  if (!opened) {
    ch.core.log('ERR', 'Parse Error!', ch.uuid);
    return undefined;
  }
  const { path, params } = opened;
  // a relative name was put under the prefix already; only file_string:// items still need it
  const source = openPlayable(ch.core, path, path.includes('://') ? (ch.variable('sound_prefix') ?? baseDir(ch)) : undefined);
  if (source === 'not-found') return undefined;
  return { source, ms: source ? source.ms : parseMs(ch.variable('playback_duration_ms') ?? '1000'), params };
}

/** The file headers of PLAYBACK_START / PLAYBACK_STOP. */
function fileHeaders(file: string): [string, string][] {
  const lower = file.toLowerCase();
  const type = lower.startsWith('local_stream:') ? 'local_stream' : lower.startsWith('tone_stream:') ? 'tone_stream' : undefined;
  return [...(type ? ([['Playback-File-Type', type]] as [string, string][]) : []), ['Playback-File-Path', file]];
}

/** Samples a second (8 kHz: G.711, and L16 as loopback and null legs run). */
const RATE = 8000;

/**
 * switch_ivr_play_file: PLAYBACK_START, the audio and the wait (`mediaWait`), then the
 * `playback_*` variables and PLAYBACK_STOP (`Playback-Status: break` when a break or a digit
 * ended it, else `done`), before `onEnd` and `done`.
 */
export async function playFile(
  ch: AppChannel,
  file: string,
  done: () => void | Promise<void>,
  onEnd?: (how: MediaEnd) => void,
  onDigit?: (digit: string) => boolean,
  startSample = 0,
): Promise<Interrupter | undefined> {
  const delimiter = ch.variable('playback_delimiter')?.[0];
  if (delimiter !== undefined) return playEach(ch, separateString(file, delimiter, 128), done, onEnd, onDigit, startSample);
  return playOne(ch, file, done, onEnd, onDigit, startSample);
}

/** One file of switch_ivr_play_file's list. */
async function playOne(
  ch: AppChannel,
  file: string,
  done: () => void | Promise<void>,
  onEnd: ((how: MediaEnd) => void) | undefined,
  onDigit: ((digit: string) => boolean) | undefined,
  startSample: number,
): Promise<Interrupter | undefined> {
  if (isTtsFile(file)) return playTtsFile(ch, file, done, onEnd, onDigit);
  const name = playName(ch, file);
  return playOpened(ch, name, startingAt(playable(ch, name), startSample), done, onEnd, onDigit);
}

/**
 * `playback_delimiter`: the files it separates played in turn, `playback_sleep_val` ms of silence
 * between two (a digit or a break there ends it all too); a file not found is passed over, a break,
 * a terminator digit or the hangup ends the list. `onEnd` learns how the last one ended.
 */
async function playEach(
  ch: AppChannel,
  files: string[],
  done: () => void | Promise<void>,
  onEnd: ((how: MediaEnd) => void) | undefined,
  onDigit: ((digit: string) => boolean) | undefined,
  startSample: number,
): Promise<Interrupter | undefined> {
  const sleepMs = Math.max(atoi(ch.variable('playback_sleep_val') ?? ''), 0);
  let current: Interrupter | undefined;
  let last: MediaEnd = 'played';
  const over = async () => {
    onEnd?.(last);
    await done();
  };
  const after = () => (last === 'played' || last === 'notfound' ? next() : over());
  const noted = (how: MediaEnd) => {
    last = how;
  };
  let at = 0;
  const next = async (): Promise<void> => {
    const i = at++;
    const file = files[i];
    if (file === undefined || ch.hungUp) return over();
    const play = async () => {
      current = await playOne(ch, file, after, noted, onDigit, i === 0 ? startSample : 0);
    };
    if (i === 0 || !sleepMs) return play();
    current = await mediaWait(ch, sleepMs, () => (last === 'played' ? play() : over()), noted, onDigit);
  };
  await next();
  return () => current?.();
}

/** `tts://<engine>|<voice>|<text>` (mod_dptools' tts file format): spoken first, then played as a file; not found when it cannot be. */
function playTtsFile(
  ch: AppChannel,
  file: string,
  done: () => void | Promise<void>,
  onEnd?: (how: MediaEnd) => void,
  onDigit?: (digit: string) => boolean,
): Promise<Interrupter | undefined> {
  const tts = openTtsFile(ch.core, file, ch.uuid);
  if (!tts) return playOpened(ch, file, undefined, done, onEnd, onDigit);
  return Promise.resolve(
    afterSynthesis(
      ch,
      (signal) => tts.speak(signal),
      (samples) =>
        playOpened(ch, file, samples && { source: new SampleSource(samples), ms: Math.floor(samples.length / 8), params: [] }, done, onEnd, onDigit),
      async () => {
        onEnd?.(ch.takeBreak() ? 'break' : 'killed');
        await done();
      },
    ),
  );
}

/** switch_ivr_play_file once the file is open (`opened`), or not found; the events carry the handle's parameters last. */
async function playOpened(
  ch: AppChannel,
  file: string,
  opened: Playable | undefined,
  done: () => void | Promise<void>,
  onEnd?: (how: MediaEnd) => void,
  onDigit?: (digit: string) => boolean,
): Promise<Interrupter | undefined> {
  if (!opened) {
    onEnd?.('notfound');
    await done();
    return undefined;
  }
  const { ms } = opened;
  // the playback's handle (uuid_fileman): its timer is the wait's, moved only by a command
  const fileman = openFileHandle(ch, ms, opened.source);
  const source = fileman.handle.source;
  const startedUs = ch.core.nowUs();
  ch.fire('PLAYBACK_START', undefined, undefined, [...fileHeaders(file), ...opened.params]);
  // an endless source that ends after all (its local stream stopped) ends the playback as played
  let ranOut = false;
  let interrupt: Interrupter | undefined;
  const onOver = () => {
    ranOut = true;
    void interrupt?.();
  };
  const stopAudio = source ? playToChannel(ch, source, ms === undefined ? onOver : undefined) : undefined;
  const stopped = (ended: MediaEnd) => {
    const how = ranOut ? 'played' : ended;
    stopAudio?.();
    fileman.close();
    const elapsed = Math.floor((ch.core.nowUs() - startedUs) / 1000);
    const fh = fileman.handle;
    const played = fh.moved
      ? Math.min(ms ?? fh.positionMs, fh.positionMs)
      : how === 'played' && ms !== undefined
        ? ms
        : Math.min(ms ?? elapsed, elapsed);
    const samples = Math.floor((played * RATE) / 1000);
    ch.setVariable('playback_last_offset_pos', String((opened.startSample ?? 0) + samples));
    ch.setVariable('playback_seconds', String(Math.floor(played / 1000)));
    ch.setVariable('playback_ms', String(played));
    ch.setVariable('playback_samples', String(samples));
    const status = how === 'break' || how === 'digit' ? 'break' : 'done';
    ch.fire('PLAYBACK_STOP', undefined, undefined, [...fileHeaders(file), ['Playback-Status', status], ...opened.params]);
    onEnd?.(how);
  };
  interrupt = await mediaWait(ch, ms, done, stopped, onDigit, (fire) => fileman.handle.arm(fire));
  if (ranOut) void interrupt?.();
  return interrupt;
}

/** mod_dptools' playback applications' `current_application_response` after a play that ended `how`. */
export function playbackResponse(how: MediaEnd): string {
  return how === 'killed' ? 'PLAYBACK ERROR' : how === 'notfound' ? 'FILE NOT FOUND' : 'FILE PLAYED';
}

/** Starts a wait's end timer (`fire` when its time is up); returns the cancel. */
export type EndTimer = (fire: () => void | Promise<void>) => () => void;

/** Waits until `ms` passed (or forever without `ms`; `arm` times it instead when given), or until interrupted. */
export function waiting(
  ch: AppChannel,
  ms: number | undefined,
  done: () => void | Promise<void>,
  onEnd?: (interrupted: boolean) => void,
  arm: EndTimer = (fire) => (ms === undefined ? () => {} : ch.after(ms, fire)),
): Interrupter {
  let over = false;
  const finish = async (interrupted: boolean) => {
    if (over) return;
    over = true;
    cancel();
    onEnd?.(interrupted);
    await done();
  };
  const cancel = arm(() => finish(false));
  return () => finish(true);
}

/**
 * A media application's wait: `ms` (undefined: until stopped), unless a break ends it sooner (also one asked for before it
 * started: CF_BREAK stays set until a media application takes it), or a digit `onDigit` says ends
 * it (the wait reads the channel's digits only when it is given). `onEnd` learns how it ended
 * before `done` runs.
 */
export async function mediaWait(
  ch: AppChannel,
  ms: number | undefined,
  done: () => void | Promise<void>,
  onEnd?: (how: MediaEnd) => void,
  onDigit?: (digit: string) => boolean,
  arm?: EndTimer,
): Promise<Interrupter | undefined> {
  if (ch.takeBreak()) {
    onEnd?.('break');
    await done();
    return undefined;
  }
  let how: MediaEnd = 'played';
  let stopReading = () => {};
  const interrupt = waiting(
    ch,
    ms,
    done,
    (interrupted) => {
      stopReading();
      onEnd?.(!interrupted ? 'played' : how === 'digit' ? 'digit' : ch.takeBreak() ? 'break' : 'killed');
    },
    arm,
  );
  if (onDigit) {
    stopReading = ch.readDtmf((digit) => {
      if (!onDigit(digit)) return;
      how = 'digit';
      return interrupt();
    });
  }
  return interrupt;
}

/**
 * A media application's digit check: a digit in `playback_terminators` (default `*`, `any`,
 * `none`) ends it and is kept in `playback_terminator_used`; other digits are dropped.
 */
export function terminatorDigit(ch: AppChannel): (digit: string) => boolean {
  let terminators = ch.variable('playback_terminators') ?? '*';
  if (terminators.toLowerCase() === 'any') terminators = '1234567890*#';
  else if (terminators.toLowerCase() === 'none') terminators = '';
  return (digit) => {
    if (!terminators.includes(digit)) return false;
    ch.setVariable('playback_terminator_used', digit);
    return true;
  };
}
