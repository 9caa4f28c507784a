/**
 * mod_dptools' `broadcast <path> [<legs>]` (broadcast_function): switch_ivr_broadcast on the
 * channel's own call, from a process of its own once the application is over. Unlike
 * uuid_broadcast it starts from both legs (SMF_ECHO_ALEG | SMF_ECHO_BLEG); `holdb` in the word
 * puts the other leg on hold music instead. More than two words is an error.
 */
import { broadcast } from '../api/media_commands.ts';
import { separateString } from '../internal/strings.ts';
import { sync } from './dptools.ts';
import type { Application } from './types.ts';

export const BROADCAST_APPLICATION: Application = {
  name: 'broadcast',
  run: sync((ch, data) => {
    if (data === '') return ch.core.log('ERR', 'invalid args for broadcast app');
    const argv = separateString(data, ' ', 4);
    if (argv.length > 2) return ch.core.log('ERR', `invalid args for broadcast app [${data}]`);
    const [path = '', word] = argv;
    const holdb = word?.toLowerCase().includes('holdb') === true;
    const legs = { aleg: true, bleg: !holdb, holdBleg: holdb };
    ch.aside((ctx) => broadcast({ ctx, core: ch.core }, ch.uuid, path, legs));
    ch.setVariable('current_application_response', 'BROADCAST_SENT');
  }),
};
