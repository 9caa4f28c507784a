/**
 * mod_dptools' recording applications: `record` (switch_ivr_record_file:
 * the channel's input until a terminator digit, the time limit, the silence hits or the hangup),
 * `record_session` / `stop_record_session` (a recording beside the call,
 * applications/session_recording.ts) and `record_session_mask` / `_unmask` / `_pause` / `_resume`.
 * They record the channel's audio (media/tape.ts); a channel without media records silence. What
 * is written is said in applications/recording_sink.ts.
 */
import { Cause } from '../channel/causes.ts';
import { atoi, separateString, switchTrue, urlDecode } from '../internal/strings.ts';
import { Tape, linearOf } from '../media/tape.ts';
import { sync } from './dptools.ts';
import {
  CHANNEL_RATE,
  DEFAULT_SOUNDS_DIR,
  PACKET_MS,
  SAMPLES_PER_PACKET,
  atoui,
  fileSamples,
  isValidRate,
  lengthVariables,
  packetAtOrAfter,
  packetsIn,
  parseRecordingVars,
  recordFilePath,
} from './recording_model.ts';
import { FILE_RECORDING_SINK, type RecordingSink } from './recording_sink.ts';
import {
  maskSessionRecording,
  nowMs,
  openRecordingFile,
  pauseSessionRecording,
  startSessionRecording,
  stopSessionRecording,
} from './session_recording.ts';
import type { AppChannel, Application, Interrupter } from './types.ts';

/** `record <path> [<time_limit_secs>] [<silence_thresh>] [<silence_hits>]`. */
export interface RecordArgs {
  readonly path: string | undefined;
  /** Seconds (a leading `+` is allowed); 0: none. */
  readonly limit: number;
  /** The energy below which a packet is silence; 0: no silence detection. */
  readonly thresh: number;
  /** Seconds of silence that end the recording (0: 3). */
  readonly silenceHits: number;
}

export function parseRecordArgs(data: string): RecordArgs {
  const [path, limit, thresh, hits] = separateString(data, ' ', 4);
  const number = (word: string | undefined) => (word === undefined ? 0 : atoui(atoi(word)));
  return { path, limit: number(limit?.startsWith('+') ? limit.slice(1) : limit), thresh: number(thresh), silenceHits: number(hits) };
}

/** mod_dptools' on_dtmf: `playback_terminators` (default `*`; `any`, `none`). */
function terminators(ch: AppChannel): string {
  const word = ch.variable('playback_terminators') ?? '*';
  if (word.toLowerCase() === 'any') return '1234567890*#';
  if (word.toLowerCase() === 'none') return '';
  return word;
}

type RecordEnd = 'limit' | 'silence' | 'digit' | 'break' | 'killed';

/**
 * switch_ivr_record_file: the file opened (a failure hangs the call up DESTINATION_OUT_OF_ORDER),
 * `silence_hits_exhausted`, RECORD_START; then a packet every 20 ms until a terminator digit, a
 * break, the hangup, the limit (checked before each packet in whole epoch seconds: it ends once
 * more than `limit` seconds passed, so up to a second more is recorded) or the silence hits (with a
 * threshold, `hits` packets under it after the last one with speech; the last packet unwritten).
 * Then the file closed, `record_seconds` / `record_ms` / `record_samples`, RECORD_STOP and the
 * queued digits dropped (switch_core_session_reset).
 */
export async function recordFile(
  ch: AppChannel,
  args: RecordArgs,
  sink: RecordingSink,
  done: () => void | Promise<void>,
): Promise<Interrupter | undefined> {
  const refuse = async () => {
    await ch.send({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
    ch.flushDtmf();
    await done();
    return undefined;
  };
  if (args.path === undefined) return refuse();
  const prefix = ch.variable('sound_prefix') ?? ch.core.globals.get('sounds_dir') ?? DEFAULT_SOUNDS_DIR;
  const sampleRate = atoi(ch.variable('record_sample_rate') ?? '');
  const fileRate = isValidRate(sampleRate) ? sampleRate : Math.max(atoi(ch.variable('record_rate') ?? ''), 0) || CHANNEL_RATE;
  const { file, native } = recordFilePath(args.path, prefix);
  const append = switchTrue(ch.variable('RECORD_APPEND'));
  const target = openRecordingFile(ch, file, { rate: native ? CHANNEL_RATE : fileRate, channels: 1, append }, sink);
  if (!target) return refuse();

  const restartLimitOnDtmf = switchTrue(ch.variable('record_restart_limit_on_dtmf'));
  for (const name of ['record_title', 'record_copyright', 'record_software', 'record_artist', 'record_comment', 'record_date'])
    if (ch.variable(name) !== undefined) ch.setVariable(name, undefined);
  ch.setVariable('silence_hits_exhausted', 'false');
  let hits = 0;
  if (args.thresh && native) ch.core.log('WARNING', "Can't detect silence on a native recording.", ch.uuid);
  else if (args.thresh) hits = Math.floor((fileRate * (args.silenceHits || 3)) / SAMPLES_PER_PACKET);
  ch.fire('RECORD_START', undefined, undefined, [['Record-File-Path', file]]);

  const startMs = nowMs(ch);
  // what the far end says; the silence hits count down from the last packet with speech
  const tape = new Tape(1, hits ? args.thresh : 0);
  const untap = ch.core.media.tap(ch.uuid, (direction, frame) => {
    if (direction === 'read') tape.put(0, linearOf(frame), nowMs(ch) - startMs);
  });
  let silenceEndsAt = hits ? startMs + hits * PACKET_MS : undefined;
  let limitFrom = Math.floor(startMs / 1000);
  let over = false;
  let cancelLimit = () => {};
  let cancelSilence = () => {};
  let stopReading = () => {};
  const finish = async (how: RecordEnd) => {
    if (over) return;
    over = true;
    untap();
    cancelLimit();
    cancelSilence();
    stopReading();
    if (how === 'silence') ch.setVariable('silence_hits_exhausted', 'true');
    // the packet that used the last silence hit is not written
    const packets = Math.max(0, packetsIn(nowMs(ch) - startMs) - (how === 'silence' ? 1 : 0));
    const samples = packets * SAMPLES_PER_PACKET;
    const written = native ? samples : fileSamples(samples, fileRate);
    sink.close(
      target,
      written,
      (reason) => ch.core.log('ERR', `Error writing ${file} (${reason})`, ch.uuid),
      tape.take(written, native ? CHANNEL_RATE : fileRate),
    );
    for (const [n, v] of lengthVariables(samples)) ch.setVariable(n, v);
    ch.fire('RECORD_STOP', undefined, undefined, [['Record-File-Path', file]]);
    ch.flushDtmf();
    await done();
  };
  /** The limit's packet; the silence hits run out at the same packet first. */
  const armLimit = () => {
    cancelLimit();
    if (!args.limit) return;
    const now = nowMs(ch);
    const due = packetAtOrAfter(startMs, (limitFrom + args.limit + 1) * 1000);
    cancelLimit = ch.after(due - now, () => finish(silenceEndsAt !== undefined && nowMs(ch) >= silenceEndsAt ? 'silence' : 'limit'));
  };

  if (ch.takeBreak()) {
    await finish('break');
    return undefined;
  }
  /** The silence hits run out `hits` packets after the last speech: later if speech came since. */
  const armSilence = (at: number) => {
    silenceEndsAt = at;
    cancelSilence = ch.after(at - nowMs(ch), () => {
      const heard = tape.lastSpeechMs;
      const end = heard === undefined ? at : startMs + heard + hits * PACKET_MS;
      return end > nowMs(ch) ? armSilence(end) : finish('silence');
    });
  };
  armLimit();
  if (silenceEndsAt !== undefined) armSilence(silenceEndsAt);
  stopReading = ch.readDtmf((digit) => {
    if (restartLimitOnDtmf && args.limit) {
      limitFrom = Math.floor(nowMs(ch) / 1000);
      armLimit();
    }
    if (!terminators(ch).includes(digit)) return;
    ch.setVariable('playback_terminator_used', digit);
    return finish('digit');
  });
  return () => finish(ch.takeBreak() ? 'break' : 'killed');
}

/** `record_session <path> [+<limit_secs>] [{var=value,…}]`: a limit needs its `+`; the variables are URL-decoded. */
export function parseRecordSessionArgs(data: string): { path: string | undefined; limit: number; vars: [string, string][] } {
  const [path, second, third] = separateString(data, ' ', 5);
  const vars = (word: string | undefined) => (word === undefined ? undefined : parseRecordingVars(urlDecode(word)));
  if (second === undefined) return { path, limit: 0, vars: [] };
  if (!second.startsWith('+')) return { path, limit: 0, vars: vars(second) ?? [] };
  return { path, limit: atoi(second.slice(1)), vars: vars(third) ?? [] };
}

/** The applications, writing through `sink`. */
export function recordApplications(sink: RecordingSink = FILE_RECORDING_SINK): Application[] {
  const onFile = (fn: (ch: AppChannel, file: string) => unknown) =>
    sync((ch, data) => {
      fn(ch, data);
    });
  return [
    {
      name: 'record',
      needsMedia: true,
      breakable: true,
      run: async (ch, data, done) => {
        if (data === '') {
          ch.core.log('ERR', 'No file specified.', ch.uuid);
          await done();
          return undefined;
        }
        ch.setVariable('playback_terminator_used', undefined);
        return recordFile(ch, parseRecordArgs(data), sink, done);
      },
    },
    {
      name: 'record_session',
      needsMedia: true,
      run: sync(async (ch, data) => {
        if (data === '') return;
        const { path, limit, vars } = parseRecordSessionArgs(data);
        if (path === undefined) ch.core.log('ERR', 'usage: <path> [+<timeout>] [{var1=x,var2=y}]', ch.uuid);
        else await startSessionRecording(ch, path, limit, vars, sink);
      }),
    },
    { name: 'stop_record_session', needsMedia: true, run: onFile(stopSessionRecording) },
    { name: 'record_session_mask', needsMedia: true, run: onFile((ch, file) => maskSessionRecording(ch, file, true)) },
    { name: 'record_session_unmask', needsMedia: true, run: onFile((ch, file) => maskSessionRecording(ch, file, false)) },
    { name: 'record_session_pause', needsMedia: true, run: onFile((ch, file) => pauseSessionRecording(ch, file, true)) },
    { name: 'record_session_resume', needsMedia: true, run: onFile((ch, file) => pauseSessionRecording(ch, file, false)) },
  ];
}

export const RECORD_APPLICATIONS: readonly Application[] = recordApplications();
