/**
 * mod_dptools' `eavesdrop <uuid>` (switch_ivr_eavesdrop_session): a media bug on the target
 * (`eavesdrop`, MEDIA_BUG_START / _STOP with the target's channel data) hears both of its
 * directions; every 20 ms of the runtime clock the eavesdropper is played what the bug heard, the
 * two directions mixed. It ends when the eavesdropper presses `*` (unless
 * `eavesdrop_enable_dtmf` is false), hangs up, or the target goes. `eavesdrop_require_group`: the
 * target's `eavesdrop_group` (a comma list) must name it, else nothing happens.
 *
 * Whispering (ED_MUX_READ / ED_MUX_WRITE): the same bug mixes what the eavesdropper says into what
 * the target's far end sends (its partner hears it: `eavesdrop_whisper_aleg`, digit 1) and into what
 * is sent to the target (the target hears it: `eavesdrop_whisper_bleg`, digit 2); digit 3 both, 0
 * neither. `three_way` (three_way.ts) is both from the start, without digits.
 */
import { type ChannelReach, callChannel } from '../api/uuid_commands.ts';
import type { Channel } from '../channel/channel.ts';
import { isDownState } from '../channel/states.ts';
import { encodeFrame } from '../media/g711.ts';
import type { AudioFrame } from '../media/media_table.ts';
import { mixFrames } from '../media/mix_frames.ts';
import { linearOf } from '../media/tape.ts';
import { caseEqual, separateString, switchTrue } from '../internal/strings.ts';
import type { AppChannel, Application, Interrupter } from './types.ts';

/** The bug's buffers hold at most this many packets a direction (the C's ten-packet buffer). */
const MAX_BUFFERED = 10;
const PACKET_MS = 20;

type Direction = 'read' | 'write';

/** The bug on the target: its two directions buffered as linear packets until the eavesdropper takes them. */
interface EavesdropBug {
  readonly read: Int16Array[];
  readonly write: Int16Array[];
  /** Whom the eavesdropper is heard by: the target's partner (`read`), the target (`write`). */
  readonly mux: Record<Direction, boolean>;
  /** What the eavesdropper said, waiting to be mixed into each direction (the C's r_buffer / w_buffer). */
  readonly voice: Record<Direction, Int16Array[]>;
  /** Removed, with MEDIA_BUG_STOP (at the eavesdropper's end, or the target's hangup). */
  removed: boolean;
}

/** What the eavesdropper does: the digits (ED_DTMF), whom it is heard by from the start, the group it needs. */
export interface EavesdropOptions {
  readonly dtmf: boolean;
  readonly mux: Readonly<Record<Direction, boolean>>;
  readonly group: string | undefined;
}

const buffered = (packets: Int16Array[], packet: Int16Array) => {
  packets.push(packet);
  if (packets.length > MAX_BUFFERED) packets.shift();
};

/** SWITCH_ABC_TYPE_READ_REPLACE / _WRITE_REPLACE: the eavesdropper's next packet mixed in, when that way is whispered to. */
function muxed(bug: EavesdropBug, direction: Direction, frame: AudioFrame): AudioFrame {
  if (!bug.mux[direction]) return frame;
  const voice = bug.voice[direction].shift();
  if (!voice) return frame;
  const mixed = mixFrames([linearOf(frame), voice]);
  return { codec: frame.codec, payload: encodeFrame(frame.codec, mixed), samples: mixed.length };
}

/** The digits whisper mode switches to (1: the partner, 2: the target, 3: both, 0: none). */
const WHISPER: Readonly<Record<string, Readonly<Record<Direction, boolean>>>> = {
  '1': { read: true, write: false },
  '2': { read: false, write: true },
  '3': { read: true, write: true },
  '0': { read: false, write: false },
};

const bugHeaders = (target: string): [string, string][] => [
  ['Media-Bug-Function', 'eavesdrop'],
  ['Media-Bug-Target', target],
];

/** In the target's process: the bug added (MEDIA_BUG_START), and removed at its hangup. */
function addBug(c: Channel, bug: EavesdropBug): void {
  const untap = c.core.media.tap(c.uuid, (direction, frame) => buffered(bug[direction], linearOf(frame)), {
    function: 'eavesdrop',
    target: c.uuid,
    close: () => remove(),
  });
  const unreplace = c.core.media.replace(c.uuid, (direction, frame) => muxed(bug, direction, frame));
  const remove = () => {
    if (bug.removed) return;
    bug.removed = true;
    untap();
    unreplace();
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

/**
 * The eavesdropper's loop: what the bug heard played to it every packet, what it says kept for
 * whispering, its digits switching whom it whispers to, until `*`, its hangup or the target's.
 */
function listen(ch: AppChannel, target: string, bug: EavesdropBug, dtmf: boolean, done: () => void | Promise<void>): Interrupter {
  const media = ch.core.media;
  const release = media.hold(ch.uuid);
  const stopHearing = media.tap(ch.uuid, (direction, frame) => {
    if (direction !== 'read') return;
    const packet = linearOf(frame);
    buffered(bug.voice.read, packet);
    buffered(bug.voice.write, packet);
  });
  let over = false;
  let cancelTick = () => {};
  let stopReading = () => {};
  /** `hungUp`: the application ends at once and the bug goes after; else the bug goes first, as in the C. */
  const end = async (hungUp: boolean) => {
    if (over) return;
    over = true;
    cancelTick();
    stopReading();
    stopHearing();
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
      const mode = WHISPER[digit];
      if (mode) Object.assign(bug.mux, mode);
      // 4-6 pick a video layout in the C (no video here); like 0-3 they drop what was not yet mixed in
      if (mode || '456'.includes(digit)) {
        bug.voice.read.length = 0;
        bug.voice.write.length = 0;
      }
    });
  cancelTick = ch.after(PACKET_MS, tick);
  return () => end(true);
}

/** switch_ivr_eavesdrop_session from the application running on `ch`: returns its interrupter. */
export function eavesdropSession(ch: AppChannel, target: string, opts: EavesdropOptions, done: () => void | Promise<void>): Interrupter {
  const bug: EavesdropBug = { read: [], write: [], mux: { ...opts.mux }, voice: { read: [], write: [] }, removed: false };
  let stop: Interrupter | undefined;
  let interrupted = false;
  ch.aside(
    (ctx) => attach({ ctx, core: ch.core }, ch.uuid, target, opts.group, bug),
    async (on) => {
      if (interrupted) return void removeBug(ch, target, bug);
      if (!on) return void (await done());
      await ch.send({ type: 'PRE_ANSWER' });
      stop = listen(ch, target, bug, opts.dtmf, done);
    },
  );
  return () => {
    interrupted = true;
    if (stop) return stop();
    return done();
  };
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
    const own = (name: string) => switchTrue(ch.variable(name));
    return eavesdropSession(
      ch,
      data.trim(),
      {
        dtmf: enable === undefined || switchTrue(enable),
        mux: { read: own('eavesdrop_whisper_aleg'), write: own('eavesdrop_whisper_bleg') },
        group: ch.variable('eavesdrop_require_group') || undefined,
      },
      done,
    );
  },
};
