/**
 * mod_dptools' `wait_for_silence`, `detect_silence` and `detect_audio` (switch_ivr_wait_for_silence,
 * switch_ivr_detect_silence, switch_ivr_detect_audio): a frame loop over what the far end says,
 * one 20 ms packet at a time. Each packet's score is its mean absolute sample (0 when no audio
 * came in it: a CNG frame). A given file plays meanwhile, a packet a turn; one that does not open
 * ends the loop at once, one that runs out ends it. The results are channel variables.
 */
import { atoi, separateString } from '../internal/strings.ts';
import { openSource } from '../media/source.ts';
import { energyOf, linearOf } from '../media/tape.ts';
import { PACKET_MS, SAMPLES_PER_PACKET, atoui } from './recording_model.ts';
import type { AppChannel, Application, Interrupter } from './types.ts';

/** What a loop does with a packet's score: true ends it. */
type Judge = (score: number) => boolean;

/**
 * The loop: `judge` each packet until it says so, the hangup, or `timeoutMs` (when not 0: the
 * packet that takes the count of samples to 0 or below runs `onTimeout` instead of being judged).
 */
function listen(
  ch: AppChannel,
  timeoutMs: number,
  file: string | undefined,
  onTimeout: () => void,
  judge: Judge,
  done: () => void | Promise<void>,
): Interrupter | undefined {
  const source = file === undefined ? undefined : openSource(file, ch.variable('sound_prefix'));
  if (file !== undefined && !source) {
    ch.core.log('WARNING', `Failure opening playback file ${file}.`, ch.uuid);
    void done();
    return undefined;
  }
  let sampleCount = (CHANNEL_RATE_KHZ * timeoutMs) | 0;
  let heard: number | undefined;
  const untap = ch.core.media.tap(ch.uuid, (direction, frame) => {
    if (direction === 'read') heard = energyOf(linearOf(frame));
  });
  const release = source && ch.core.media.hasPort(ch.uuid) ? ch.core.media.hold(ch.uuid) : () => {};
  let cancel = () => {};
  let over = false;
  const finish = async () => {
    if (over) return;
    over = true;
    cancel();
    untap();
    release();
    source?.close?.();
    await done();
  };
  const packet = async () => {
    if (timeoutMs) {
      sampleCount -= SAMPLES_PER_PACKET;
      if (sampleCount <= 0) {
        onTimeout();
        return finish();
      }
    }
    if (source) {
      const frame = source.next();
      if (!frame) {
        ch.core.log('WARNING', `Failed to read file ${file}.`, ch.uuid);
        return finish();
      }
      ch.core.media.play(ch.uuid, frame);
    }
    const score = Math.floor(heard ?? 0);
    heard = undefined;
    if (judge(score)) return finish();
    cancel = ch.after(PACKET_MS, packet);
  };
  cancel = ch.after(PACKET_MS, packet);
  return finish;
}

/** Samples per ms at the channel's rate. */
const CHANNEL_RATE_KHZ = SAMPLES_PER_PACKET / PACKET_MS;

const WAIT_FOR_SILENCE_SYNTAX = '<silence_thresh> <silence_hits> <listen_hits> <timeout_ms> [<file>]';
const DETECT_SILENCE_SYNTAX = '<threshold> <silence_hits> <timeout_ms> [<file>]';
const DETECT_AUDIO_SYNTAX = '<threshold> <audio_hits> <timeout_ms> [<file>]';

/** Logs the usage and ends. */
async function usage(ch: AppChannel, syntax: string, done: () => void | Promise<void>): Promise<undefined> {
  ch.core.log('ERR', `Usage: ${syntax}`, ch.uuid);
  await done();
  return undefined;
}

/**
 * switch_ivr_wait_for_silence: once more than `listen_hits` packets reached the threshold (at
 * once when 0), `silence_hits` packets under it in a row start a countdown of 25 more packets,
 * after which it is silence. `wait_for_silence_silence_hits` is what was left of the count.
 */
async function waitForSilence(ch: AppChannel, data: string, done: () => void | Promise<void>) {
  const argv = data === '' ? [] : separateString(data, ' ', 5);
  const [threshWord = '', hitsWord = '', listenWord = '', timeoutWord = '', file] = argv;
  const thresh = atoi(threshWord) >>> 0;
  const orgSilenceHits = atoi(hitsWord) >>> 0;
  if (argv.length < 4 || thresh === 0 || orgSilenceHits === 0) return usage(ch, WAIT_FOR_SILENCE_SYNTAX, done);
  const listenHits = atoi(listenWord) >>> 0;
  let silenceHits = orgSilenceHits;
  let listening = 0;
  let countdown = 0;
  const result = (timeout: boolean) => {
    ch.setVariable('wait_for_silence_timeout', String(timeout));
    ch.setVariable('wait_for_silence_listenhits', String(listening));
    ch.setVariable('wait_for_silence_silence_hits', String(silenceHits));
  };
  return listen(
    ch,
    atoui(atoi(timeoutWord)),
    file,
    () => {
      result(true);
      ch.core.log(
        'DEBUG',
        `switch_ivr_wait_for_silence: TIMEOUT after ${atoui(atoi(timeoutWord))} ms at ${listening} listen hits, ${orgSilenceHits - silenceHits} silence hits, ${countdown} countdown`,
        ch.uuid,
      );
    },
    (score) => {
      if (countdown) {
        if (--countdown) return false;
        result(false);
        ch.core.log('DEBUG', 'switch_ivr_wait_for_silence: SILENCE DETECTED', ch.uuid);
        return true;
      }
      if (score >= thresh) listening++;
      if ((listenHits === 0 || listening > listenHits) && score < thresh) {
        silenceHits = (silenceHits - 1) >>> 0;
        if (silenceHits === 0) countdown = 25;
      } else silenceHits = orgSilenceHits;
      return false;
    },
    done,
  );
}

/** switch_ivr_detect_silence / _detect_audio: more than `hits` packets in a row at or under (over) the threshold. */
function detector(name: 'silence' | 'audio', syntax: string): Application['run'] {
  return async (ch, data, done) => {
    const argv = data === '' ? [] : separateString(data, ' ', 4);
    const [threshWord = '', hitsWord = '', timeoutWord = '', file] = argv;
    const thresh = atoi(threshWord) >>> 0;
    const wanted = atoi(hitsWord) >>> 0;
    if (argv.length < 3 || thresh === 0 || wanted === 0) return usage(ch, syntax, done);
    const timeoutMs = atoi(timeoutWord) >>> 0;
    let hits = 0;
    return listen(
      ch,
      timeoutMs,
      file,
      () => {
        ch.setVariable(`detect_${name}_timeout`, 'true');
        ch.setVariable(`detect_${name}_hits`, String(hits));
        ch.core.log('DEBUG', `switch_ivr_detect_${name}: TIMEOUT after ${timeoutMs} ms at ${hits} hits`, ch.uuid);
      },
      (score) => {
        const counts = name === 'silence' ? score <= thresh : score >= thresh;
        hits = counts ? hits + 1 : 0;
        if (hits <= wanted) return false;
        ch.setVariable(`detect_${name}_timeout`, 'false');
        ch.core.log('DEBUG', `switch_ivr_detect_${name}: ${name === 'silence' ? 'SILENCE' : 'AUDIO'} DETECTED`, ch.uuid);
        return true;
      },
      done,
    );
  };
}

export const SILENCE_APPLICATIONS: readonly Application[] = [
  { name: 'wait_for_silence', needsMedia: true, run: waitForSilence },
  { name: 'detect_silence', needsMedia: true, run: detector('silence', DETECT_SILENCE_SYNTAX) },
  { name: 'detect_audio', needsMedia: true, run: detector('audio', DETECT_AUDIO_SYNTAX) },
];
