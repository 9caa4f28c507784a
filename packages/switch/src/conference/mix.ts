/**
 * One tick of conference_thread_run's mixer: the packets the members' audio buffers gave this tick
 * are summed in 32 bits; each member that hears gets the sum less its own packet, clipped to 16
 * bits (switch_normalize_to_16bit); a deaf member gets a packet of -1s (the C code's memset 255).
 * When no member gave a packet, everyone gets the silence packet: comfort noise at the profile's
 * level, or -1s without one.
 */
import { clip16 } from '../media/g711.ts';
import { SAMPLES } from './member.ts';

export interface MixInput {
  /** The member's packet this tick (MFLAG_HAS_AUDIO), if any. */
  readonly read: Int16Array | undefined;
  /** MFLAG_CAN_HEAR. */
  readonly hears: boolean;
}

/** What each member hears this tick, in the order given. */
export function mix(members: readonly MixInput[], silence: () => Int16Array): Int16Array[] {
  const deaf = () => new Int16Array(SAMPLES).fill(-1);
  if (!members.some((m) => m.read)) {
    const quiet = silence();
    return members.map((m) => (m.hears ? quiet : deaf()));
  }
  const main = new Int32Array(SAMPLES);
  for (const { read } of members) if (read) for (let x = 0; x < read.length && x < SAMPLES; x++) main[x] += read[x] ?? 0;
  return members.map(({ read, hears }) => {
    if (!hears) return deaf();
    const out = new Int16Array(SAMPLES);
    for (let x = 0; x < SAMPLES; x++) out[x] = clip16((main[x] ?? 0) - (read?.[x] ?? 0));
    return out;
  });
}

/**
 * switch_generate_sln_silence: comfort noise, each sample the sum of six steps of a 16-bit linear
 * congruential generator divided by `divisor`. FreeSWITCH seeds it with the clock's microseconds
 * plus the buffer's address; here the address is 0.
 */
export function comfortNoise(divisor: number, seedUs: number): Int16Array {
  const out = new Int16Array(SAMPLES);
  let rnd = ((seedUs % 65536) << 16) >> 16;
  for (let i = 0; i < SAMPLES; i++) {
    let sum = 0;
    for (let x = 0; x < 6; x++) {
      rnd = ((Math.imul(rnd, 31821) + 13849) << 16) >> 16;
      sum += rnd;
    }
    out[i] = Math.trunc(((sum << 16) >> 16) / divisor);
  }
  return out;
}
