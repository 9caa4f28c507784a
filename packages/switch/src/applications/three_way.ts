/**
 * mod_dptools' `three_way <uuid>`: switch_ivr_eavesdrop_session whispering both ways from the start
 * (ED_MUX_READ | ED_MUX_WRITE, without ED_DTMF): the caller hears both sides of the call `<uuid>`
 * is in, and both hear it. Digits do nothing (not even `*`); it ends when the caller or the target
 * hangs up, and the call goes on.
 */
import { eavesdropSession } from './eavesdrop.ts';
import type { Application } from './types.ts';

export const THREE_WAY_APP: Application = {
  name: 'three_way',
  run: async (ch, data, done) => {
    if (data === '') {
      ch.core.log('ERR', 'Usage: <uuid>', ch.uuid);
      await done();
      return undefined;
    }
    return eavesdropSession(ch, data, { dtmf: false, mux: { read: true, write: true }, group: undefined }, done);
  },
};
