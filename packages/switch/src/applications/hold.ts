/**
 * mod_dptools' `hold [<display message>]`, `unhold` (switch_ivr_hold_uuid / switch_ivr_unhold_uuid
 * on the channel itself: Channel.hold, as uuid_hold does it) and `soft_hold <unhold key> [<moh_a>]
 * [<moh_b>]` (switch_ivr_soft_hold: the bridged partner hears music while this leg hears its own,
 * until it presses the key).
 */
import { type ChannelReach, callChannel } from '../api/uuid_commands.ts';
import { expandWithoutApi } from '../dialplan/expand.ts';
import { caseEqual, separateString } from '../internal/strings.ts';
import { sync } from './dptools.ts';
import { mediaWait, playFile } from './media.ts';
import type { AppChannel, Application, Interrupter } from './types.ts';

/** switch_channel_get_hold_music: `temp_hold_music`, else `hold_music`, expanded. */
export function holdMusicOf(variable: (name: string) => string | undefined): string | undefined {
  const raw = variable('temp_hold_music') || variable('hold_music');
  return raw ? (expandWithoutApi(raw, (n) => variable(n)) ?? raw) : undefined;
}

const isMusic = (moh: string | undefined): moh is string => !!moh && !caseEqual(moh, 'silence');

/**
 * The partner's side of soft_hold: `moh_b` (else the partner's own hold music) played to it in a
 * loop, as switch_ivr_broadcast(…, SMF_ECHO_ALEG | SMF_LOOP) — not when it is already running a
 * broadcast. True when the music was started.
 */
async function musicToPartner(env: ChannelReach, partner: string, mohB: string | undefined): Promise<boolean> {
  const found = await callChannel<{ moh: string | undefined; broadcasting: boolean }>(env, partner, {
    op: 'work',
    // CF_BROADCAST: a queued application is running (its loop counter is set)
    work: (c) => ({ moh: mohB ?? holdMusicOf((n) => c.variable(n)), broadcasting: c.variable('current_loop') !== undefined }),
  });
  if (!found || !isMusic(found.value.moh) || found.value.broadcasting) return false;
  await callChannel(env, partner, { op: 'execute', application: 'playback', data: found.value.moh, loops: -1, lock: true });
  return true;
}

/** switch_ivr_soft_hold: the interrupter, or undefined when it is over at once (no bridge). */
async function softHold(ch: AppChannel, data: string, done: () => void | Promise<void>): Promise<Interrupter | undefined> {
  const [key = '', mohA, mohB] = separateString(data, ' ', 3);
  const partner = ch.bridgePartner;
  if (partner === undefined) {
    ch.core.log('WARNING', `Channel ${ch.name} is not in a bridge`, ch.uuid);
    await done();
    return undefined;
  }
  let interrupted = false;
  let stop: Interrupter | undefined;
  const stopPartnerMusic = (started: boolean) => {
    if (started) ch.aside((ctx) => callChannel({ ctx, core: ch.core }, partner, { op: 'break', all: false }));
  };
  ch.aside(
    (ctx) => musicToPartner({ ctx, core: ch.core }, partner, mohB),
    async (started) => {
      if (interrupted) return stopPartnerMusic(started);
      // hold_on_dtmf: the key's first character ends it; other digits are taken and dropped
      const unholds = (digit: string) => digit === key.charAt(0);
      const over = async () => {
        stopPartnerMusic(started);
        await done();
      };
      const moh = mohA ?? holdMusicOf((n) => ch.variable(n));
      stop = isMusic(moh) ? await playFile(ch, moh, over, undefined, unholds) : await mediaWait(ch, undefined, over, undefined, unholds);
    },
  );
  return () => {
    interrupted = true;
    return stop ? stop() : done();
  };
}

export const HOLD_APPLICATIONS: readonly Application[] = [
  { name: 'hold', run: sync((ch) => ch.hold('on').then(() => undefined)) },
  { name: 'unhold', run: sync((ch) => ch.hold('off').then(() => undefined)) },
  {
    name: 'soft_hold',
    run: async (ch, data, done) => {
      if (data.trim() === '') {
        ch.core.log('ERR', 'Usage: <unhold key> [<moh_a>] [<moh_b>]', ch.uuid);
        await done();
        return undefined;
      }
      return softHold(ch, data, done);
    },
  },
];
