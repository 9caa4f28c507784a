/**
 * `monitor_early_media_fail` / `monitor_early_media_ring` (switch_ivr_originate): with either
 * switch_true in the originate's variables, early media no longer wins; when a leg first has
 * early media, its own value of the variable is read as tone specs separated by `!` —
 * `<cause>:<hits>:<freq>[+<freq>…]` for fail, `<hits>:<freq>[+<freq>…]` for ring — and each is
 * put on the leg as a tone detector (switch_ivr_tone_detect_session); a detected fail tone would
 * hang the leg up with its cause, ring tones (`monitor_early_media_ring_total` of them) would
 * make its early media count. The simulated media carries no audio, so no tone is ever heard:
 * what shows is the reading of the specs (its log lines) and that early media does not win (nor,
 * with the ring monitor, count as progress).
 */
import type { ProcessContext } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import type { ChannelServices } from '../channel/channel.ts';
import { atof, atoi, separateString } from '../internal/strings.ts';
import { legVariable } from './legs.ts';

/** switch_ivr_originate's `fail_array` / `ring_array` size. */
const MAX_SPECS = 128;
/** MAX_TONES of switch_ivr_async.c: detectors on one leg. */
const MAX_TONES = 16;

type Log = (level: 'ERR' | 'DEBUG', text: string) => void;

/** The leg's tone detectors (its `_tone_detect_` container): how many, and whether the media bug runs. */
export interface ToneDetectors {
  count: number;
}

/**
 * switch_ivr_tone_detect_session's checks and log lines for one spec (`freqs` comma separated);
 * `hitsVar` is the leg's `tone_detect_hits`.
 */
function addToneDetector(detectors: ToneDetectors, name: string, freqs: string, hits: number, hitsVar: string | undefined, log: Log): void {
  if (detectors.count >= MAX_TONES) {
    log('ERR', 'Max Tones Reached!');
    return;
  }
  if (freqs === '') {
    log('ERR', 'No Spec Specified!');
    return;
  }
  const override = atoi(hitsVar ?? '');
  let h = override > 0 ? override : hits;
  if (!h) h = 1;
  log('DEBUG', `Adding tone spec ${freqs} index ${detectors.count} hits ${h}`);
  if (!freqs.split(',').some((f) => atof(f) !== 0)) {
    log('ERR', 'Invalid tone spec!');
    return;
  }
  if (detectors.count > 0) log('DEBUG', `${name} bug already running`);
  detectors.count++;
}

/** What the monitors read from the leg (its channel variables) and how they log (on the leg). */
export interface MonitoredLeg {
  readonly name: string;
  readonly variable: (name: string) => string | undefined;
  readonly log: Log;
  readonly detectors: ToneDetectors;
}

/** A spec's tones (`+` between frequencies) watched on the leg for `hits` hits. */
function detect(leg: MonitoredLeg, tones: string, hits: number): void {
  addToneDetector(leg.detectors, leg.name, tones.replaceAll('+', ','), hits, leg.variable('tone_detect_hits'), leg.log);
}

/** `monitor_early_media_fail`'s specs on a leg that just got early media. */
export function monitorFail(leg: MonitoredLeg): void {
  const value = leg.variable('monitor_early_media_fail');
  if (!value) return;
  for (const item of separateString(value, '!', MAX_SPECS)) {
    const first = item.indexOf(':');
    if (first < 0) {
      leg.log('ERR', 'Parse Error');
      continue;
    }
    const rest = item.slice(first + 1);
    const hits = atoi(rest) || 2;
    const second = rest.indexOf(':');
    if (second < 0) {
      leg.log('ERR', 'Parse Error');
      continue;
    }
    detect(leg, rest.slice(second + 1), hits);
  }
}

/** `monitor_early_media_ring`'s specs (and `monitor_early_media_ring_total`) on a leg that just got early media. */
export function monitorRing(leg: MonitoredLeg): void {
  const value = leg.variable('monitor_early_media_ring');
  if (!value) return;
  for (const item of separateString(value, '!', MAX_SPECS)) {
    const hits = atoi(item) || 2;
    const colon = item.indexOf(':');
    if (colon < 0) {
      leg.log('ERR', 'Parse Error');
      continue;
    }
    detect(leg, item.slice(colon + 1), hits);
  }
  const total = leg.variable('monitor_early_media_ring_total');
  if (total !== undefined) {
    const n = atoi(total);
    if (n > 0 && n < 100) leg.log('DEBUG', `${leg.name} setting ring total to ${n}`);
  }
}

/** A leg's first early media under `monitor_early_media_fail` / `_ring`: its specs read from it (logged on it). */
export async function watchEarlyMedia(
  ctx: ProcessContext,
  services: ChannelServices,
  pid: Pid,
  uuid: string,
  opts: { readonly monitorFail: boolean; readonly monitorRing: boolean },
  detectors: ToneDetectors,
): Promise<void> {
  const names = ['chan_name', 'monitor_early_media_fail', 'monitor_early_media_ring', 'monitor_early_media_ring_total', 'tone_detect_hits'];
  const values = new Map<string, string | undefined>();
  for (const n of names) values.set(n, await legVariable(ctx, pid, n));
  const leg: MonitoredLeg = {
    name: values.get('chan_name') ?? '',
    variable: (n) => values.get(n),
    log: (level, text) => services.core.log(level, text, uuid),
    detectors,
  };
  if (opts.monitorFail) monitorFail(leg);
  if (opts.monitorRing) monitorRing(leg);
}
