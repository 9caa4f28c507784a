/**
 * mod_dptools' `eavesdrop <uuid>` (switch_ivr_eavesdrop_session, listening): a media bug on the
 * target (`eavesdrop`, MEDIA_BUG_START / _STOP with the target's channel data) hears both of its
 * directions; every 20 ms of the runtime clock the eavesdropper is played what the bug heard, the
 * two directions mixed. It ends when the eavesdropper presses `*` (unless
 * `eavesdrop_enable_dtmf` is false), hangs up, or the target goes. `eavesdrop_require_group`: the
 * target's `eavesdrop_group` (a comma list) must name it, else nothing happens.
 */
import { type ChannelReach, callChannel } from '../api/uuid_commands.ts';
import type { Channel } from '../channel/channel.ts';
import { isDownState } from '../channel/states.ts';
import { mixFrames } from '../media/mix_frames.ts';
import { linearOf } from '../media/tape.ts';
import { caseEqual, separateString, switchTrue } from '../internal/strings.ts';
import type { AppChannel, Application, Interrupter } from './types.ts';

/** The bug's buffers hold at most this many packets a direction (the C's ten-packet buffer). */
const MAX_BUFFERED = 10;
const PACKET_MS = 20;

/** The bug on the target: its two directions buffered as linear packets until the eavesdropper takes them. */
interface EavesdropBug {
  readonly read: Int16Array[];
  readonly write: Int16Array[];
  /** Removed, with MEDIA_BUG_STOP (at the eavesdropper's end, or the target's hangup). */
  removed: boolean;
}

const bugHeaders = (target: string): [string, string][] => [
  ['Media-Bug-Function', 'eavesdrop'],
  ['Media-Bug-Target', target],
];

/** In the target's process: the bug added (MEDIA_BUG_START), and removed at its hangup. */
function addBug(c: Channel, bug: EavesdropBug): void {
  const untap = c.core.media.tap(c.uuid, (direction, frame) => {
    const packets = bug[direction];
    packets.push(linearOf(frame));
    if (packets.length > MAX_BUFFERED) packets.shift();
  });
  const remove = () => {
    if (bug.removed) return;
    bug.removed = true;
    untap();
    c.fire('MEDIA_BUG_STOP', undefined, bugHeaders(c.uuid));
  };
  c.fire('MEDIA_BUG_START', undefined, bugHeaders(c.uuid));
  c.addStateHook((state) => {
    if (isDownState(state)) remove();
    return !bug.removed;
  });
  removals.set(bug, remove);
}

/** Each bug's removal, run in its target's process. */
const removals = new WeakMap<EavesdropBug, () => void>();

/**
 * The checks before the bug (the target exists, is not the eavesdropper, has media, is in the
 * required group), then the bug; true when it is on. Runs beside the eavesdropper.
 */
async function attach(env: ChannelReach, self: string, target: string, group: string | undefined, bug: EavesdropBug): Promise<boolean> {
  if (caseEqual(target, self)) {
    env.core.log('ERR', 'Eavesdrop target invalid.', self);
    return false;
  }
  const r = await callChannel<boolean>(env, target, {
    op: 'work',
    work: (c) => {
      if (!c.mediaUp) return false;
      if (group && !separateString(c.variable('eavesdrop_group') ?? '', ',', 10).includes(group)) return false;
      addBug(c, bug);
      return true;
    },
  });
  return r?.value === true;
}

/** The bug taken off the target, in the target's process (nothing if it already went); then `then`. */
function removeBug(ch: AppChannel, target: string, bug: EavesdropBug, then?: () => void | Promise<void>): void | Promise<void> {
  const remove = removals.get(bug);
  if (!remove || bug.removed) return then?.();
  ch.aside((ctx) => callChannel({ ctx, core: ch.core }, target, { op: 'work', work: () => remove() }), then);
}

/** The two directions mixed, a packet at a time (a missing side is silence). */
function mixPacket(bug: EavesdropBug): Int16Array | undefined {
  const r = bug.read.shift();
  const w = bug.write.shift();
  if (!r || !w) return r ?? w;
  return mixFrames([r, w]);
}

/** The eavesdropper's loop: what the bug heard played to it every packet, until `*`, its hangup or the target's. */
function listen(ch: AppChannel, target: string, bug: EavesdropBug, dtmf: boolean, done: () => void | Promise<void>): Interrupter {
  const media = ch.core.media;
  const release = media.hold(ch.uuid);
  let over = false;
  let cancelTick = () => {};
  let stopReading = () => {};
  /** `hungUp`: the application ends at once and the bug goes after; else the bug goes first, as in the C. */
  const end = async (hungUp: boolean) => {
    if (over) return;
    over = true;
    cancelTick();
    stopReading();
    release();
    if (!hungUp) return removeBug(ch, target, bug, done);
    void removeBug(ch, target, bug);
    await done();
  };
  const tick = () => {
    if (bug.removed) return end(false);
    for (let packet = mixPacket(bug); packet; packet = mixPacket(bug)) media.play(ch.uuid, packet);
    cancelTick = ch.after(PACKET_MS, tick);
  };
  if (dtmf)
    stopReading = ch.readDtmf((digit) => {
      if (digit === '*') return end(false);
    });
  cancelTick = ch.after(PACKET_MS, tick);
  return () => end(true);
}

export const EAVESDROP_APP: Application = {
  name: 'eavesdrop',
  run: async (ch, data, done) => {
    if (data.trim() === '') {
      ch.core.log('ERR', 'Usage: [all | <uuid>]', ch.uuid);
      await done();
      return undefined;
    }
    const enable = ch.variable('eavesdrop_enable_dtmf');
    const dtmf = enable === undefined || switchTrue(enable);
    const group = ch.variable('eavesdrop_require_group') || undefined;
    const bug: EavesdropBug = { read: [], write: [], removed: false };
    let stop: Interrupter | undefined;
    let interrupted = false;
    const target = data.trim();
    ch.aside(
      (ctx) => attach({ ctx, core: ch.core }, ch.uuid, target, group, bug),
      async (on) => {
        if (interrupted) return void removeBug(ch, target, bug);
        if (!on) return void (await done());
        await ch.send({ type: 'PRE_ANSWER' });
        stop = listen(ch, target, bug, dtmf, done);
      },
    );
    return () => {
      interrupted = true;
      if (stop) return stop();
      return done();
    };
  },
};
