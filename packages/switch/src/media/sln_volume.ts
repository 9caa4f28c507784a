/** switch_change_sln_volume: the coarse volume levels (-4..4) a file handle and a conference member use. */
import { clip16 } from './g711.ts';

/** switch_normalize_volume: a level kept within -4..4. */
export const normalizeVolume = (level: number): number => Math.max(-4, Math.min(4, level));

const RAISE = [1.3, 2.3, 3.3, 4.3];
const LOWER = [0.8, 0.6, 0.4, 0.2];

/** switch_change_sln_volume: each sample scaled by the level's factor (truncated, clipped to 16 bits), in place. */
export function changeSlnVolume(samples: Int16Array, level: number): void {
  if (level === 0) return;
  const v = normalizeVolume(level);
  const factor = (v > 0 ? RAISE : LOWER)[Math.abs(v) - 1] ?? 1;
  for (let i = 0; i < samples.length; i++) samples[i] = clip16(Math.trunc((samples[i] ?? 0) * factor));
}
