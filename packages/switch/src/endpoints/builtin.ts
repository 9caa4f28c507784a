/**
 * The endpoint interfaces every switch registers at startup: `null` and `loopback`
 * (mod_loopback), `error`, `user` and `pickup` (mod_dptools).
 */
import type { EndpointInterface } from '../channel/channel.ts';
import { errorEndpointCause } from './error.ts';
import { parseLoopbackTarget } from './loopback.ts';
import { loopbackA } from './loopback_channel.ts';
import { parseNullTarget } from './null.ts';
import { nullEndpoint } from './null_channel.ts';
import { PICKUP_ENDPOINT } from './pickup.ts';
import { USER_ENDPOINT } from './user.ts';

/** `error/<cause>`: never a channel; the originate fails at once with that cause. */
export const ERROR_ENDPOINT: EndpointInterface = {
  outgoingChannel: ({ destination }) => ({ cause: errorEndpointCause(destination) }),
};

export const NULL_ENDPOINT: EndpointInterface = {
  async outgoingChannel({ destination, variable, abandon }) {
    const t = parseNullTarget(destination, variable);
    if (!t.refuse) return { name: t.name, endpoint: nullEndpoint(t) };
    // null_channel_outgoing_channel makes the session, then destroys it (DECISIONS.md #2)
    await abandon(t.name);
    return { cause: t.cause };
  },
};

export const LOOPBACK_ENDPOINT: EndpointInterface = {
  outgoingChannel: ({ destination }) => {
    const t = parseLoopbackTarget(destination);
    return { name: t.nameA, endpoint: loopbackA(t) };
  },
};

export const BUILTIN_ENDPOINTS: readonly (readonly [string, EndpointInterface])[] = [
  ['error', ERROR_ENDPOINT],
  ['null', NULL_ENDPOINT],
  ['loopback', LOOPBACK_ENDPOINT],
  ['user', USER_ENDPOINT],
  ['pickup', PICKUP_ENDPOINT],
];
