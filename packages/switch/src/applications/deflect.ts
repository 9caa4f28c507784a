/**
 * mod_dptools' `deflect <uri>` and `redirect <uri>[ <cause>]`: SWITCH_MESSAGE_INDICATE_DEFLECT /
 * _REDIRECT to the channel's own endpoint, whose reply is dropped. Both run without media
 * (SAF_SUPPORT_NOMEDIA), so an unanswered call is not pre-answered first. An endpoint that does
 * not take the message (null, loopback) ignores it.
 */
import type { Application } from './types.ts';

export const DEFLECT_APPLICATIONS: readonly Application[] = [
  {
    name: 'deflect',
    run: async (ch, data, done) => {
      await ch.deflect({ id: 'DEFLECT', uri: data });
      await done();
      return undefined;
    },
  },
  {
    name: 'redirect',
    run: async (ch, data, done) => {
      await ch.deflect({ id: 'REDIRECT', uri: data });
      await done();
      return undefined;
    },
  },
];
