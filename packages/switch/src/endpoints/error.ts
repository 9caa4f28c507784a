/**
 * The error endpoint (mod_dptools): `error/<cause>` never makes a channel; the originate fails
 * at once with that cause.
 */
import { Cause, parseCause } from '../channel/causes.ts';

/**
 * The cause for `error/<destination>`: read as any hangup-cause word (a name in any case, or a
 * number); NONE (`error/0`) becomes DESTINATION_OUT_OF_ORDER. An unknown name, and an empty
 * address (whose destination is `service`), give NORMAL_CLEARING.
 */
export function errorEndpointCause(destination: string): number {
  const cause = parseCause(destination);
  return cause === Cause.NONE ? Cause.DESTINATION_OUT_OF_ORDER : cause;
}
