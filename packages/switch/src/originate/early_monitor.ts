/**
 * `monitor_early_media_fail` / `monitor_early_media_ring` (switch_ivr_originate): with either
 * switch_true in the originate's variables, early media no longer wins; when a leg first has
 * early media, its own value of the variable is read as tone specs separated by `!` —
 * `<cause>:<hits>:<freq>[+<freq>…]` for fail, `<hits>:<freq>[+<freq>…]` for ring — and each is
 * put on the leg as a tone detector (applications/detect.ts) with the originate's monitor_callback:
 * - a fail tone heard hangs the leg up with its cause (`DIALSTATUS=BUSY`,
 *   `originate_disposition`), and the originate goes on without it;
 * - ring tones, `monitor_early_media_ring_total` of them across the originate's legs, make the
 *   leg's early media count: progress, ring ready, and early media winning.
 * The winner's detectors are taken off when the originate ends.
 */
import type { ProcessContext } from '@beamline/core';
import { GenServer } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { type ToneCallback, startToneDetect, stopToneDetect } from '../applications/detect.ts';
import type { AppChannel } from '../applications/types.ts';
import { Cause, parseCause } from '../channel/causes.ts';
import type { Channel } from '../channel/channel.ts';
import { atoi, separateString } from '../internal/strings.ts';

/** switch_ivr_originate's `fail_array` / `ring_array` size. */
const MAX_SPECS = 128;

/** oglobals' ring monitor: the rings heard on any leg, and how many make early media count. */
export interface RingCount {
  count: number;
  total: number;
}

/** What the leg tells the originate when its rings make its early media count. */
export interface MonitoredRing {
  readonly originateRing: unknown;
  readonly uuid: string;
}

export const isMonitoredRing = (m: unknown, tag: unknown): m is MonitoredRing =>
  typeof m === 'object' && m !== null && (m as MonitoredRing).originateRing === tag;

/** monitor_callback for a ring tone, in the leg's process: its dispositions. */
function ringDispositions(ch: AppChannel): void {
  ch.setVariable('originate_disposition', ch.variable('monitor_ring_dispo') ?? 'monitor_early_media_ring');
  ch.setVariable('DIALSTATUS', 'EARLY');
}

/** monitor_callback for a fail tone: the leg is busy. */
const failCallback: ToneCallback = (_app, cause) => ({
  keep: false,
  act: async (ch) => {
    ch.setVariable('DIALSTATUS', 'BUSY');
    ch.setVariable('originate_disposition', ch.variable('monitor_fail_dispo') ?? 'monitor_early_media_fail');
    await ch.send({ type: 'HANGUP', cause: cause ? parseCause(cause) : Cause.USER_BUSY });
  },
});

/**
 * monitor_callback for a ring tone: the dispositions, and once the originate has heard its total
 * (or at the first ring without one), the originate told and the leg's link to it cut.
 */
function ringCallback(leg: Channel, ring: RingCount, owner: { pid: Pid; tag: unknown }): ToneCallback {
  let linked = true;
  return () => {
    if (!linked) return { keep: false, act: ringDispositions };
    if (ring.total && ++ring.count < ring.total) {
      leg.core.log('DEBUG', `Ring ${ring.count}/${ring.total}`, leg.uuid);
      return { keep: true, act: ringDispositions };
    }
    linked = false;
    return {
      keep: false,
      act: (ch) => {
        ringDispositions(ch);
        leg.ctx.send(owner.pid, { originateRing: owner.tag, uuid: leg.uuid } satisfies MonitoredRing);
      },
    };
  };
}

/** The detectors of one variable's specs; `specOf` cuts an item into its cause, hits and frequencies (or undefined: Parse Error). */
function addMonitors(
  leg: Channel,
  kind: 'fail' | 'ring',
  value: string,
  specOf: (item: string) => { cause?: string; hits: number; freqs: string } | undefined,
  callback: ToneCallback,
): void {
  let y = 0;
  for (const item of separateString(value, '!', MAX_SPECS)) {
    const spec = specOf(item);
    if (!spec) {
      leg.core.log('ERR', 'Parse Error', leg.uuid);
      continue;
    }
    startToneDetect(
      leg,
      {
        key: `monitor_early_media_${kind}_${++y}`,
        freqs: spec.freqs.replaceAll('+', ','),
        flags: 'r',
        stopAt: 0,
        hits: spec.hits,
        app: kind,
        data: spec.cause,
      },
      callback,
    );
  }
}

/** `<cause>:<hits>:<freqs>`; hits 0 or not a number: 2. */
function failSpec(item: string): { cause: string; hits: number; freqs: string } | undefined {
  const first = item.indexOf(':');
  if (first < 0) return undefined;
  const rest = item.slice(first + 1);
  const second = rest.indexOf(':');
  if (second < 0) return undefined;
  return { cause: item.slice(0, first), hits: atoi(rest) || 2, freqs: rest.slice(second + 1) };
}

/** `<hits>:<freqs>`. */
function ringSpec(item: string): { hits: number; freqs: string } | undefined {
  const colon = item.indexOf(':');
  return colon < 0 ? undefined : { hits: atoi(item) || 2, freqs: item.slice(colon + 1) };
}

/** A leg's first early media under the monitors: its specs put on it as detectors (in its own process). */
export function monitorEarlyMedia(
  leg: Channel,
  opts: { readonly monitorFail: boolean; readonly monitorRing: boolean },
  ring: RingCount,
  owner: { pid: Pid; tag: unknown },
): void {
  const fail = opts.monitorFail ? leg.variable('monitor_early_media_fail') : undefined;
  if (fail) addMonitors(leg, 'fail', fail, failSpec, failCallback);
  const rings = opts.monitorRing ? leg.variable('monitor_early_media_ring') : undefined;
  if (!rings) return;
  addMonitors(leg, 'ring', rings, ringSpec, ringCallback(leg, ring, owner));
  const total = leg.variable('monitor_early_media_ring_total');
  if (total !== undefined) {
    const n = atoi(total);
    if (n > 0 && n < 100) {
      leg.core.log('DEBUG', `${leg.name} setting ring total to ${n}`, leg.uuid);
      ring.total = n;
    }
  }
}

/** From the originate: the monitors put on a leg at its first early media. */
export async function watchEarlyMedia(
  ctx: ProcessContext,
  pid: Pid,
  opts: { readonly monitorFail: boolean; readonly monitorRing: boolean },
  ring: RingCount,
  tag: unknown,
): Promise<void> {
  const owner = { pid: ctx.self, tag };
  try {
    await GenServer.call(ctx, pid, { op: 'work', work: (leg: Channel) => monitorEarlyMedia(leg, opts, ring, owner) });
  } catch {
    // the leg is gone: nothing to watch
  }
}

/** The winner's detectors come off (switch_ivr_stop_tone_detect_session) as the originate ends. */
export async function unwatchEarlyMedia(ctx: ProcessContext, pid: Pid): Promise<void> {
  try {
    await GenServer.call(ctx, pid, { op: 'work', work: (leg: Channel) => stopToneDetect(leg) });
  } catch {
    // gone already
  }
}
