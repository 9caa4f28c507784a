/**
 * switch_ivr_park's `park_timeout=<sec>[:<cause>]`: read with atoi (text is 0 s, negative none),
 * the cause after `:` (default NORMAL_CLEARING); read once: it and `park_after_bridge` are unset.
 */
import { atoi } from '../internal/strings.ts';
import { Cause, parseCause } from './causes.ts';

export interface ParkTimeout {
  readonly ms: number;
  readonly cause: number;
}

export function takeParkTimeout(
  variable: (name: string) => string | undefined,
  setVariable: (name: string, value: undefined) => void,
): ParkTimeout | undefined {
  const to = variable('park_timeout');
  if (to === undefined) return undefined;
  setVariable('park_timeout', undefined);
  setVariable('park_after_bridge', undefined);
  const seconds = atoi(to);
  if (seconds < 0) return undefined;
  const colon = to.indexOf(':');
  return { ms: seconds * 1000, cause: colon >= 0 ? parseCause(to.slice(colon + 1)) : Cause.NORMAL_CLEARING };
}
