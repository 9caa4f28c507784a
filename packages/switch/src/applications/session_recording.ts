/**
 * switch_ivr_record_session_event and its media bug (record_callback).
 * A recording runs beside whatever the channel does: RECORD_START then MEDIA_BUG_START when it
 * starts; RECORD_STOP then MEDIA_BUG_STOP when it is stopped, when its limit or its silence
 * timeout passes, or when the channel hangs up. Its length is the 20 ms packets it ran unpaused;
 * it holds what the channel's media carried both ways (silence without media), written when it
 * stops (applications/recording_sink.ts).
 */
import { Cause } from '../channel/causes.ts';
import { isDownState } from '../channel/states.ts';
import { atoi, caseEqual, switchTrue } from '../internal/strings.ts';
import {
  CHANNEL_RATE,
  DEFAULT_BASE_DIR,
  NATIVE_FORMAT,
  PACKET_MS,
  SAMPLES_PER_PACKET,
  fileFormat,
  fileSamples,
  isValidRate,
  lengthVariables,
  packetAtOrAfter,
  packetsIn,
  recordingVariableHeaders,
  sessionRecordingPath,
} from './recording_model.ts';
import type { RecordingFile, RecordingSink } from './recording_sink.ts';
import { Tape, linearOf } from '../media/tape.ts';
import type { AppChannel } from './types.ts';

/** A recording's own variables (`{name=value,…}`): read before the channel's, and sent as `Recording-Variable-*`. */
export type RecordingVars = readonly (readonly [string, string])[];

/** One media bug `session_record` (struct record_helper). */
interface Recording {
  /** The name it goes by: Record-File-Path, Media-Bug-Target, the key stop_record_session takes. */
  readonly file: string;
  /** The file, or for a name without extension the `-in` / `-out` raw pair. */
  readonly files: readonly RecordingFile[];
  readonly native: boolean;
  readonly vars: RecordingVars;
  readonly sink: RecordingSink;
  readonly fileRate: number;
  readonly append: boolean;
  /** A shorter recording is discarded (RECORD_MIN_SEC). */
  readonly minSec: number;
  /** 0: no silence detection, so the first packet counts as speech. */
  readonly silenceThreshold: number;
  readonly startMs: number;
  /** Epoch ms when the limit (`+<secs>`) is reached. */
  readonly limitAt: number | undefined;
  /** RECORD_INITIAL_TIMEOUT_MS: silence before any speech ends it; RECORD_FINAL_TIMEOUT_MS: silence after speech does (0: never). */
  readonly initialTimeoutMs: number;
  readonly finalTimeoutMs: number;
  /** What it heard (both directions; `-in` / `-out` or stereo on channels 0 and 1), and its removal from the media. */
  readonly tape: Tape;
  untap: () => void;
  /** Ms it ran unpaused before `runningSince`; undefined while paused (SMBF_PAUSE). */
  activeMs: number;
  runningSince: number | undefined;
  /** SMBF_MASK: its audio is replaced by silence. */
  masked: boolean;
  completionCause: string | undefined;
  timers: (() => void)[];
}

/** A channel's media bugs in the order they were added, and the ones its private data names. */
interface ChannelBugs {
  readonly attached: Recording[];
  readonly named: Map<string, Recording>;
}

const CHANNEL_BUGS = new WeakMap<AppChannel, ChannelBugs>();

/** The switch clock in epoch ms. */
export const nowMs = (ch: AppChannel) => ch.core.nowUs() / 1000;

/** get_recording_var: the recording's variables first (any case), then the channel's. */
export function recordingVar(ch: AppChannel, vars: RecordingVars, name: string): string | undefined {
  return vars.find(([n]) => caseEqual(n, name))?.[1] ?? ch.variable(name);
}

/**
 * The channel's bugs, made at its first recording together with the state-change hook that removes
 * them all when it goes down (switch_core_session_hangup_state's switch_core_media_bug_remove_all).
 */
function bugsOf(ch: AppChannel): ChannelBugs {
  const known = CHANNEL_BUGS.get(ch);
  if (known) return known;
  const bugs: ChannelBugs = { attached: [], named: new Map() };
  CHANNEL_BUGS.set(ch, bugs);
  ch.addStateHook((state) => {
    if (!isDownState(state)) return true;
    removeAll(ch, bugs, [...bugs.attached]);
    return false;
  });
  return bugs;
}

/** Opens one file as switch_core_file_open does, logging why not; undefined when it cannot. */
export function openRecordingFile(
  ch: AppChannel,
  name: string,
  format: Pick<RecordingFile, 'rate' | 'channels' | 'append'>,
  sink: RecordingSink,
): RecordingFile | undefined {
  const found = fileFormat(name);
  if (!found.ok) {
    ch.core.log(found.level, found.text, ch.uuid);
    return undefined;
  }
  const file: RecordingFile = { path: found.path, container: found.container, ...format };
  const failure = sink.open(file);
  if (failure?.directory) ch.core.log('ERR', `File [${found.path}] is a directory not a file.`, ch.uuid);
  else if (failure) ch.core.log('WARNING', `Error Opening File [${found.path}] [${failure.reason}]`, ch.uuid);
  return failure ? undefined : file;
}

/** A numeric recording variable that is set and not negative. */
function nonNegative(ch: AppChannel, vars: RecordingVars, name: string): number | undefined {
  const word = recordingVar(ch, vars, name);
  if (word === undefined) return undefined;
  const n = atoi(word);
  return n >= 0 ? n : undefined;
}

/**
 * switch_ivr_record_session_event: starts recording `given` on the channel (media must be up:
 * the caller pre-answers). `limitSecs` > 0 stops it when the epoch second it started in plus that
 * many is reached. False when it could not start (an already running one is a success).
 */
export async function startSessionRecording(
  ch: AppChannel,
  given: string,
  limitSecs: number,
  vars: RecordingVars,
  sink: RecordingSink,
): Promise<boolean> {
  const get = (name: string) => recordingVar(ch, vars, name);
  const hangupOnError = switchTrue(get('RECORD_HANGUP_ON_ERROR'));
  if (ch.hungUp) return false;
  const bugs = bugsOf(ch);
  // the running one is looked up by the name as given, and kept under the name with its prefix
  if (bugs.named.has(given)) {
    if (switchTrue(get('RECORD_TOGGLE_ON_REPEAT'))) return stopSessionRecording(ch, given);
    ch.core.log('WARNING', `Already recording [${given}]`, ch.uuid);
    return true;
  }
  const stereo = switchTrue(get('RECORD_STEREO')) || switchTrue(get('RECORD_STEREO_SWAP'));
  const append = switchTrue(get('RECORD_APPEND'));
  const rate = atoi(get('record_sample_rate') ?? '');
  const fileRate = isValidRate(rate) ? rate : CHANNEL_RATE;
  const prefix = get('sound_prefix') ?? ch.core.globals.get('base_dir') ?? DEFAULT_BASE_DIR;
  const { file, folder, noFolder } = sessionRecordingPath(given, prefix);

  const failed = async (hangup: boolean) => {
    if (hangup && hangupOnError) await ch.send({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
    ch.setVariable('record_completion_cause', 'uri-failure');
    return false;
  };
  if (noFolder !== undefined) ch.core.log('ERR', `Error finding the folder path section in '${noFolder}'`, ch.uuid);
  if (folder !== undefined && !sink.makeFolder(folder)) {
    ch.core.log('ERR', `Error creating ${folder}`, ch.uuid);
    return failed(false);
  }
  // a name without extension records each direction raw, in the channel's codec
  const native = !file.includes('.');
  const names = native ? [`${file}-in.${NATIVE_FORMAT}`, `${file}-out.${NATIVE_FORMAT}`] : [file];
  const files: RecordingFile[] = [];
  for (const name of names) {
    const format = native ? { rate: CHANNEL_RATE, channels: 1, append } : { rate: fileRate, channels: stereo ? 2 : 1, append };
    const opened = openRecordingFile(ch, name, format, sink);
    if (!opened) {
      ch.core.log('ERR', `Error opening ${name}`, ch.uuid);
      return failed(true);
    }
    files.push(opened);
  }

  for (const name of ['RECORD_TITLE', 'RECORD_COPYRIGHT', 'RECORD_SOFTWARE', 'RECORD_ARTIST', 'RECORD_COMMENT', 'RECORD_DATE'])
    if (get(name) !== undefined) ch.setVariable(name, undefined);
  const initialTimeoutMs = nonNegative(ch, vars, 'RECORD_INITIAL_TIMEOUT_MS');
  const finalTimeoutMs = nonNegative(ch, vars, 'RECORD_FINAL_TIMEOUT_MS');
  const timeoutSet = initialTimeoutMs !== undefined || finalTimeoutMs !== undefined;
  const silenceThreshold = nonNegative(ch, vars, 'RECORD_SILENCE_THRESHOLD') ?? (timeoutSet ? 200 : 0);
  const startMs = nowMs(ch);
  const swap = switchTrue(get('RECORD_STEREO_SWAP'));
  const tape = new Tape(native || stereo ? 2 : 1, silenceThreshold);
  const rec: Recording = {
    file,
    files,
    native,
    vars,
    sink,
    fileRate,
    append,
    minSec: nonNegative(ch, vars, 'RECORD_MIN_SEC') ?? (append ? 3 : 0),
    silenceThreshold,
    startMs,
    limitAt: limitSecs > 0 ? (Math.floor(startMs / 1000) + limitSecs) * 1000 : undefined,
    initialTimeoutMs: initialTimeoutMs ?? 0,
    finalTimeoutMs: finalTimeoutMs ?? 0,
    tape,
    untap: () => {},
    activeMs: 0,
    runningSince: startMs,
    masked: false,
    completionCause: undefined,
    timers: [],
  };
  // switch_core_media_bug_add: the callback's INIT (RECORD_START), then MEDIA_BUG_START
  ch.fire('RECORD_START', undefined, undefined, [['Record-File-Path', file], ...recordingVariableHeaders(vars)]);
  ch.fire('MEDIA_BUG_START', undefined, [
    ['Media-Bug-Function', 'session_record'],
    ['Media-Bug-Target', file],
  ]);
  bugs.attached.push(rec);
  bugs.named.set(file, rec);
  // read (what the far end says) on the left, write (what it hears) on the right, unless swapped
  rec.untap = ch.core.media.tap(
    ch.uuid,
    (direction, frame) => {
      if (rec.runningSince === undefined || rec.masked) return;
      const channel = (direction === 'read') !== swap ? 0 : 1;
      tape.put(channel, linearOf(frame), activeMs(ch, rec));
    },
    {
      function: 'session_record',
      target: file,
      close: () => {
        if (bugs.attached.includes(rec)) removeAll(ch, bugs, [rec]);
      },
    },
  );
  armDeadlines(ch, rec);
  return true;
}

/** How long the recording has run unpaused, now. */
function activeMs(ch: AppChannel, rec: Recording): number {
  return rec.activeMs + (rec.runningSince === undefined ? 0 : nowMs(ch) - rec.runningSince);
}

/**
 * record_callback's silence timeout: with a threshold, silence for RECORD_INITIAL_TIMEOUT_MS
 * before any speech (no-input-timeout), or for RECORD_FINAL_TIMEOUT_MS after the last speech
 * (success-silence), in the recording's running time: when it ends it, in epoch ms. Without a
 * timeout that runs now but with a final one, a time to look again (`cause` undefined): speech may
 * have come by then.
 */
function silenceDeadline(ch: AppChannel, rec: Recording): { at: number; cause?: string } | undefined {
  if (rec.silenceThreshold === 0) return undefined;
  const heard = rec.tape.lastSpeechMs;
  const endsAfter = heard === undefined ? rec.initialTimeoutMs : rec.finalTimeoutMs && heard + PACKET_MS + rec.finalTimeoutMs;
  if (!endsAfter) return rec.finalTimeoutMs ? { at: nowMs(ch) + Math.min(rec.finalTimeoutMs, 1000) } : undefined;
  return { at: nowMs(ch) + endsAfter - activeMs(ch, rec), cause: heard === undefined ? 'no-input-timeout' : 'success-silence' };
}

/** The limit and silence timeouts, checked at the packets the recording reads (none while paused). */
function armDeadlines(ch: AppChannel, rec: Recording): void {
  for (const cancel of rec.timers.splice(0)) cancel();
  const now = nowMs(ch);
  const arm = (at: number, fire: () => void) => {
    const due = at > now ? packetAtOrAfter(rec.startMs, at) : now + PACKET_MS;
    rec.timers.push(
      ch.after(due - now, () => {
        if (rec.runningSince !== undefined) fire();
      }),
    );
  };
  const end = (cause: string | undefined) => {
    rec.completionCause ??= cause;
    const bugs = bugsOf(ch);
    if (bugs.attached.includes(rec)) removeAll(ch, bugs, [rec]);
  };
  // the silence check runs in the read callback, before the limit's: on the same packet it names the cause
  const silence = silenceDeadline(ch, rec);
  if (silence)
    arm(silence.at, () => {
      // speech heard since it was armed moves it on
      const again = silenceDeadline(ch, rec);
      if (again?.cause === undefined || again.at > nowMs(ch) + PACKET_MS) armDeadlines(ch, rec);
      else end(again.cause);
    });
  if (rec.limitAt !== undefined) arm(rec.limitAt, () => end(undefined));
}

/**
 * record_callback's CLOSE: the file closed (or discarded: nothing recorded, or shorter than
 * RECORD_MIN_SEC, unless appending), the completion cause, `record_*` variables and RECORD_STOP.
 */
function close(ch: AppChannel, bugs: ChannelBugs, rec: Recording): void {
  for (const cancel of rec.timers.splice(0)) cancel();
  rec.untap();
  ch.core.log('DEBUG', `Stop recording file ${rec.file}`, ch.uuid);
  const at = bugs.attached.indexOf(rec);
  if (at >= 0) bugs.attached.splice(at, 1);
  bugs.named.delete(rec.file);
  if (rec.runningSince !== undefined) rec.activeMs += nowMs(ch) - rec.runningSince;
  rec.runningSince = undefined;
  const packets = packetsIn(rec.activeMs);
  const samples = packets * SAMPLES_PER_PACKET;
  const writeFailed = (reason: string) => ch.core.log('ERR', `Error writing ${rec.file} (${reason})`, ch.uuid);
  const cause = (c: string) => {
    rec.completionCause ??= c;
  };
  const [target] = rec.files;
  if (rec.native) {
    // -in is what was read, -out what was written: the tape's two channels
    const both = rec.tape.take(samples, CHANNEL_RATE);
    rec.files.forEach((f, c) => {
      rec.sink.close(
        f,
        samples,
        writeFailed,
        Int16Array.from({ length: samples }, (_, i) => both[i * 2 + c]),
      );
    });
  } else if (target) {
    const discard = (why: string) => {
      ch.core.log('DEBUG', `Discarding ${why} file ${rec.file}`, ch.uuid);
      ch.setVariable('RECORD_DISCARDED', 'true');
      rec.sink.remove(target.path, writeFailed);
    };
    if (packets === 0 && !rec.append) {
      discard('empty');
      cause('empty-file');
    } else if (samples < rec.fileRate * rec.minSec && !rec.append) {
      discard('short');
      cause('input-too-short');
    } else {
      const written = fileSamples(samples, rec.fileRate);
      rec.sink.close(target, written, writeFailed, rec.tape.take(written, rec.fileRate));
      if (ch.hungUp) {
        ch.core.log('DEBUG', 'Channel is hung up', ch.uuid);
        // with no silence detection the first packet counted as speech; with it, speech heard
        cause(packets > 0 && (rec.silenceThreshold === 0 || rec.tape.lastSpeechMs !== undefined) ? 'success-silence' : 'no-input-timeout');
      } else cause('success-maxtime');
    }
  }
  // send_record_stop_event
  if (!rec.native) for (const [n, v] of lengthVariables(samples)) ch.setVariable(n, v);
  if (rec.completionCause) ch.setVariable('record_completion_cause', rec.completionCause);
  ch.fire('RECORD_STOP', undefined, undefined, [
    ['Record-File-Path', rec.file],
    ...recordingVariableHeaders(rec.vars),
    ...(rec.completionCause ? ([['Record-Completion-Cause', rec.completionCause]] as [string, string][]) : []),
  ]);
}

/**
 * Removes bugs as switch_core_media_bug_remove_all / _remove_callback / _prune do: each closed
 * (RECORD_STOP) in the channel's order, then each destroyed (MEDIA_BUG_STOP) the other way round.
 */
function removeAll(ch: AppChannel, bugs: ChannelBugs, recordings: readonly Recording[]): void {
  for (const rec of recordings) close(ch, bugs, rec);
  for (const rec of [...recordings].reverse())
    ch.fire('MEDIA_BUG_STOP', undefined, [
      ['Media-Bug-Function', 'session_record'],
      ['Media-Bug-Target', rec.file],
    ]);
}

/** switch_ivr_stop_record_session: `all` (any case) stops every recording; false when none was stopped. */
export function stopSessionRecording(ch: AppChannel, file: string): boolean {
  const bugs = CHANNEL_BUGS.get(ch);
  if (!bugs) return false;
  const recordings = caseEqual(file, 'all') ? [...bugs.attached] : [bugs.named.get(file)].filter((r): r is Recording => r !== undefined);
  if (recordings.length === 0) return false;
  removeAll(ch, bugs, recordings);
  return true;
}

/** switch_ivr_record_session_mask: false when no recording goes by that name. */
export function maskSessionRecording(ch: AppChannel, file: string, on: boolean): boolean {
  const rec = CHANNEL_BUGS.get(ch)?.named.get(file);
  if (rec) rec.masked = on;
  return rec !== undefined;
}

/**
 * switch_ivr_record_session_pause: a paused recording reads no packets (its length stops growing)
 * and checks no timeout until it is resumed. False when no recording goes by that name.
 */
export function pauseSessionRecording(ch: AppChannel, file: string, on: boolean): boolean {
  const rec = CHANNEL_BUGS.get(ch)?.named.get(file);
  if (!rec) return false;
  const now = nowMs(ch);
  if (on && rec.runningSince !== undefined) {
    rec.activeMs += now - rec.runningSince;
    rec.runningSince = undefined;
  } else if (!on && rec.runningSince === undefined) {
    rec.runningSince = now;
    armDeadlines(ch, rec);
  }
  return true;
}
