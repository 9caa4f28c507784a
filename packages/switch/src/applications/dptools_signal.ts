/**
 * mod_dptools applications that set a channel flag or hand the endpoint a message: `set_name`
 * (switch_channel_set_name), `acknowledge_call` (SWITCH_MESSAGE_INDICATE_ACKNOWLEDGE_CALL),
 * `send_info` (SWITCH_MESSAGE_INDICATE_INFO, the data as its body), `reuse_caller_profile`
 * (CF_REUSE_CALLER_PROFILE), `media_reset` (CF_PROXY_MODE / CF_PROXY_MEDIA off) and
 * `blind_transfer_ack` (switch_ivr_blind_transfer_ack); and `remove_bugs [<function>]`
 * (switch_core_media_bug_remove_all_function: recordings, displaces, audio levels, eavesdrops
 * closed as their own removal closes them).
 */
import { callChannel } from '../api/uuid_commands.ts';
import type { Channel } from '../channel/channel.ts';
import { sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';

/** send_info: the data as an INFO's body, the endpoint's default content type (an endpoint with no far end ignores it). */
const sendInfo: Application['run'] = async (ch, data, done) => {
  const deliver = (c: Channel) => c.spec.endpoint.message?.(c, { id: 'INFO', ...(data ? { body: data } : {}) }) ?? true;
  ch.aside(
    (ctx) => callChannel({ ctx, core: ch.core }, ch.uuid, { op: 'work', work: deliver }),
    () => done(),
  );
  return () => done();
};

/** media_reset: bypass / proxy media forgotten, unless media is already up (then a WARNING and nothing). */
function mediaReset(ch: AppChannel): void {
  if (ch.mediaUp) return ch.core.log('WARNING', `${ch.name} This function does not work once media has been established.`, ch.uuid);
  ch.setVariable('bypass_media', undefined);
  ch.setVariable('proxy_media', undefined);
  ch.core.log('INFO', `${ch.name}Reset MEDIA flags.`, ch.uuid);
}

export const DPTOOLS_SIGNAL: readonly Application[] = [
  { name: 'set_name', run: sync((ch, data) => (data === '' ? undefined : ch.setName(data))) },
  // only mod_sofia acts on the message (a 100 Trying for an inbound call not yet acknowledged)
  { name: 'acknowledge_call', run: sync(() => {}) },
  { name: 'send_info', run: sendInfo },
  {
    name: 'reuse_caller_profile',
    run: sync((ch) => {
      ch.reuseCallerProfile = true;
    }),
  },
  { name: 'media_reset', run: sync(mediaReset) },
  // CF_CONFIRM_BLIND_TRANSFER is only set by mod_sofia on a REFER it confirms, which is not done here
  { name: 'blind_transfer_ack', needsMedia: true, run: sync(() => {}) },
  {
    name: 'remove_bugs',
    needsMedia: true,
    run: sync((ch, data) => {
      ch.core.media.removeBugs(ch.uuid, data === '' ? undefined : data);
    }),
  },
];
