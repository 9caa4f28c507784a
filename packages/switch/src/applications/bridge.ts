/** mod_dptools' `bridge <dial string>`: originate from the channel, then bridge (see Channel.bridgeApp). */
import type { Application } from './types.ts';

export const BRIDGE_APP: Application = {
  name: 'bridge',
  run: async (ch, data, done) => {
    if (data.trim() === '') {
      // audio_bridge_function returns at once on empty data
      await done();
      return undefined;
    }
    return ch.bridge(data, done);
  },
};
