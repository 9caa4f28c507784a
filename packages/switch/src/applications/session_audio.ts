/**
 * switch_ivr_session_audio / switch_ivr_stop_session_audio: one replacing media bug per channel
 * (`audio`, its target the first command) that mutes or changes the level of what the channel's far
 * end says (`read`) or hears (`write`). A level is -4..4 (switch_change_sln_volume's steps; others
 * are ignored); a mute of 1 is silence, of more than 1 comfort noise that loud (its divisor). Once
 * every level and mute is back to 0 the bug removes itself at its next frame.
 */
import { isDownState } from '../channel/states.ts';
import { clip16, encodeFrame } from '../media/g711.ts';
import { linearOf } from '../media/tape.ts';
import { atoi, separateString, switchTrue } from '../internal/strings.ts';
import { sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';

type Direction = 'read' | 'write';

interface SessionAudio {
  readonly target: string;
  readonly flags: Set<Direction>;
  readonly level: Record<Direction, number>;
  readonly mute: Record<Direction, number>;
  remove(): void;
}

const AUDIO = new WeakMap<AppChannel, SessionAudio>();

/** switch_change_sln_volume: -4..4 steps, each a fixed factor, truncated and clipped. */
export function changeSlnVolume(samples: Int16Array, level: number): void {
  if (level === 0) return;
  const v = Math.max(-4, Math.min(4, level));
  const factor = (v > 0 ? [1.3, 2.3, 3.3, 4.3] : [0.8, 0.6, 0.4, 0.2])[Math.abs(v) - 1] ?? 1;
  for (let i = 0; i < samples.length; i++) samples[i] = clip16(Math.trunc((samples[i] ?? 0) * factor));
}

/** switch_generate_sln_silence: low noise, each sample a sum of six LCG steps divided by `divisor`. */
export function slnSilence(samples: Int16Array, divisor: number, seed: number): void {
  if (divisor === -1 || divisor === 0) {
    samples.fill(0);
    return;
  }
  let rnd = seed & 0xffff;
  for (let i = 0; i < samples.length; i++) {
    let sum = 0;
    for (let x = 0; x < 6; x++) {
      rnd = (rnd * 31821 + 13849) & 0xffff;
      sum += (rnd << 16) >> 16;
    }
    samples[i] = Math.trunc(((sum << 16) >> 16) / divisor);
  }
}

/** switch_ivr_session_audio: `cmd` mute or level, for `direction` read, write or both. */
export function sessionAudio(ch: AppChannel, cmd: string, direction: string, level: number): void {
  let audio = AUDIO.get(ch);
  const dirs: Direction[] = direction === 'write' ? ['write'] : direction === 'read' ? ['read'] : direction === 'both' ? ['read', 'write'] : [];
  const existing = audio !== undefined;
  if (!audio) audio = newAudio(ch, cmd);
  if (cmd.toLowerCase() === 'mute') {
    for (const d of dirs) {
      audio.mute[d] = level;
      audio.level[d] = 0;
    }
  } else if (cmd.toLowerCase() === 'level' && level < 5 && level > -5) {
    for (const d of dirs) audio.level[d] = level;
  }
  for (const d of dirs) audio.flags.add(d);
  if (!existing) {
    AUDIO.set(ch, audio);
    ch.fire('MEDIA_BUG_START', undefined, [
      ['Media-Bug-Function', 'audio'],
      ['Media-Bug-Target', cmd],
    ]);
  }
}

function newAudio(ch: AppChannel, target: string): SessionAudio {
  let removed = false;
  const audio: SessionAudio = {
    target,
    flags: new Set(),
    level: { read: 0, write: 0 },
    mute: { read: 0, write: 0 },
    remove: () => {
      if (removed) return;
      removed = true;
      unreplace();
      untap();
      if (AUDIO.get(ch) === audio) AUDIO.delete(ch);
      ch.fire('MEDIA_BUG_STOP', undefined, [
        ['Media-Bug-Function', 'audio'],
        ['Media-Bug-Target', target],
      ]);
    },
  };
  const untap = ch.core.media.tap(ch.uuid, () => {}, { function: 'audio', target, close: () => audio.remove() });
  const unreplace = ch.core.media.replace(ch.uuid, (direction, frame) => {
    if (removed || !audio.flags.has(direction)) return frame;
    if (!(audio.level.read || audio.level.write || audio.mute.read || audio.mute.write)) {
      ch.after(0, () => audio.remove());
      return frame;
    }
    const mute = audio.mute[direction];
    const level = audio.level[direction];
    if (!mute && !level) return frame;
    const samples = linearOf(frame);
    if (mute > 1) slnSilence(samples, mute, Math.trunc(ch.core.nowUs()));
    else if (mute) samples.fill(0);
    else changeSlnVolume(samples, level);
    return { codec: frame.codec, payload: encodeFrame(frame.codec, samples), samples: frame.samples };
  });
  ch.addStateHook((state) => {
    if (!isDownState(state)) return true;
    audio.remove();
    return false;
  });
  return audio;
}

/** switch_ivr_stop_session_audio: false when no such bug runs. */
export function stopSessionAudio(ch: AppChannel): boolean {
  const audio = AUDIO.get(ch);
  if (!audio) return false;
  audio.remove();
  return true;
}

/** set_audio_level / set_mute: exactly two words (switch_split), else a DEBUG usage line. */
function twoWords(ch: AppChannel, data: string, syntax: string): [string, string] | undefined {
  const argv = data === '' ? [] : separateString(data, ' ', 2);
  if (argv.length === 2) return argv as [string, string];
  ch.core.log('DEBUG', `${ch.name} Error. USAGE: ${syntax}`, ch.uuid);
  return undefined;
}

/**
 * mod_dptools' `set_audio_level [read|write] <vol>` and `set_mute [read|write] [[true|cn level]|false]`:
 * switch_ivr_session_audio on the channel itself (a mute of 0 or less is switch_true of the word).
 */
export const SESSION_AUDIO_APPLICATIONS: readonly Application[] = [
  {
    name: 'set_audio_level',
    needsMedia: true,
    run: sync((ch, data) => {
      const words = twoWords(ch, data, '[read|write] <vol>');
      if (words) sessionAudio(ch, 'level', words[0].toLowerCase(), atoi(words[1]));
    }),
  },
  {
    name: 'set_mute',
    needsMedia: true,
    run: sync((ch, data) => {
      const words = twoWords(ch, data, '[read|write] [[true|cn level]|false]');
      if (!words) return;
      const n = atoi(words[1]);
      sessionAudio(ch, 'mute', words[0].toLowerCase(), n > 0 ? n : switchTrue(words[1]) ? 1 : 0);
    }),
  },
];
