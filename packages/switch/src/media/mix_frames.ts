/** Frames heard together: summed sample by sample and clipped to 16 bits, as long as the longest. */
import { clip16 } from './g711.ts';

export function mixFrames(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(Math.max(0, ...parts.map((p) => p.length)));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (const p of parts) sum += p[i] ?? 0;
    out[i] = clip16(sum);
  }
  return out;
}
