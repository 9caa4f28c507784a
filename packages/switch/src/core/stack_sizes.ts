/**
 * switch_core_get_stacksizes: the process's RLIMIT_STACK, soft and hard, in bytes (the last line of
 * `status`). Read from /proc/self/limits; undefined where there is none, as FreeSWITCH built
 * without setrlimit prints no line. `unlimited` is RLIM_INFINITY, the largest size_t.
 */
import { readFileSync } from 'node:fs';

const RLIM_INFINITY = 2n ** 64n - 1n;

export function stackSizes(limits: string | undefined = readLimits()): readonly [bigint, bigint] | undefined {
  const m = /^Max stack size\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limits ?? '');
  if (!m) return undefined;
  const size = (v: string) => (v === 'unlimited' ? RLIM_INFINITY : BigInt(v));
  return [size(m[1] as string), size(m[2] as string)];
}

function readLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}
