/**
 * mod_dptools' `presence <rpid> <status> [<id>]` (presence_function): switch_channel_presence on
 * the channel — PRESENCE_IN with the channel data, `from` the id (else the channel's
 * `presence_id`; neither: nothing is fired). Fewer than two words: `INVALID ARGS!`.
 */
import { PRESENCE_SITES } from '../channel/presence.ts';
import { separateString } from '../internal/strings.ts';
import { sync } from './dptools.ts';
import type { Application } from './types.ts';

export const PRESENCE_APP: Application = {
  name: 'presence',
  routingExec: true,
  run: sync((ch, data) => {
    const argv = data === '' ? [] : separateString(data, ' ', 6);
    const [rpid, status, id] = argv;
    if (rpid === undefined || status === undefined) {
      ch.core.log('ERR', 'INVALID ARGS!', ch.uuid);
      return;
    }
    ch.presence({ rpid, status, id, site: PRESENCE_SITES.application });
  }),
};
