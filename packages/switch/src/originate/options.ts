/**
 * The variables switch_ivr_originate reads once, from the `<…>` / `{…}` variables (with the
 * calling channel's own for some names) before it dials: the group timeout, early media and
 * ringing, group confirm, the retry loop, fail/hangup on a single reject, the group's progress
 * timeout. Bad retry values are logged at WARNING with FreeSWITCH's text and left at their default.
 */
import type { SwitchLogLevel } from '../core/core.ts';
import { atoi, switchTrue } from '../internal/strings.ts';
import { type ConfirmOptions, readConfirmOptions } from './confirm.ts';
import { type SingleReject, readSingleReject } from './reject.ts';

const DEFAULT_TIMEOUT_SEC = 60;
const DEFAULT_RETRY_SLEEP_MS = 1000;

export interface OriginateOptions {
  /** The group timeout in seconds (timelimit_sec). */
  readonly timeoutSec: number;
  /** `progress_timeout`, else the group timeout (progress_timelimit_sec). */
  readonly progressTimeoutSec: number;
  /** Early media wins (oglobals.early_ok as read: a bridge_early_media relay may turn it on later). */
  readonly earlyOk: boolean;
  /**
   * oglobals.ignore_early_media: `ignore` (true), `ring_ready` (early media on a lone leg rings the
   * caller), `bridge` (`bridge_early_media`: passed through to the caller), `consume`.
   */
  readonly earlyMedia: EarlyMediaMode;
  /** `monitor_early_media_ring` / `_fail` are switch_true (early-media tone monitors on the legs). */
  readonly monitorRing: boolean;
  readonly monitorFail: boolean;
  /** `instant_ringback`: the caller's ringback starts at once, not when a leg rings. */
  readonly instantRingback: boolean;
  readonly confirm: ConfirmOptions;
  readonly returnRingReady: boolean;
  readonly ignoreRingReady: boolean;
  /** `ring_ready=true`: as if a leg had rung already (oglobals.ring_ready). */
  readonly ringReady: boolean;
  readonly continueOnTimeout: boolean;
  /** `originate_retries`: attempts over all the `|` groups (1 by default). */
  readonly retries: number;
  /** `originate_retry_sleep_ms`: the pause before each group of a retry. */
  readonly retrySleepMs: number;
  /** `originate_retry_min_period_ms` (its default is the sleep's default, 1000). */
  readonly retryMinPeriodMs: number;
  /** `originate_retry_timeout` in seconds, 0 for none. */
  readonly retryTimeoutSec: number;
  readonly singleReject: SingleReject;
}

export type EarlyMediaMode = 'none' | 'ignore' | 'ring_ready' | 'bridge' | 'consume';

type Log = (level: SwitchLogLevel, text: string) => void;

/** The early media settings in switch_ivr_originate's order: a later one overrides. */
function readEarlyMedia(get: (name: string) => string | undefined): Pick<OriginateOptions, 'earlyOk' | 'earlyMedia' | 'monitorRing' | 'monitorFail'> {
  const confirmEarly = get('group_confirm_early_ok');
  let earlyOk = confirmEarly === undefined || switchTrue(confirmEarly);
  let earlyMedia: EarlyMediaMode = 'none';
  if (switchTrue(get('bridge_early_media'))) {
    earlyOk = false;
    earlyMedia = 'bridge';
  }
  const iem = get('ignore_early_media');
  // `consume` and `ring_ready` are compared case-sensitively (strcmp)
  if (switchTrue(iem)) earlyMedia = 'ignore';
  else if (iem === 'consume') earlyMedia = 'consume';
  else if (iem === 'ring_ready') earlyMedia = 'ring_ready';
  if (earlyMedia !== 'none' && earlyMedia !== 'bridge') earlyOk = false;
  const monitorRing = switchTrue(get('monitor_early_media_ring'));
  const monitorFail = switchTrue(get('monitor_early_media_fail'));
  if (monitorRing || monitorFail) earlyOk = false;
  return { earlyOk, earlyMedia, monitorRing, monitorFail };
}

/**
 * switch_ivr_originate's reading of its variables. `baseTimeoutSec` is the request's timeout after
 * the caller's `call_timeout`; `originate_timeout` (when positive) replaces it.
 */
export function readOriginateOptions(get: (name: string) => string | undefined, baseTimeoutSec: number, log: Log): OriginateOptions {
  let timeoutSec = baseTimeoutSec > 0 ? baseTimeoutSec : DEFAULT_TIMEOUT_SEC;
  const ot = atoi(get('originate_timeout') ?? '');
  if (ot > 0) timeoutSec = ot;
  const pt = atoi(get('progress_timeout') ?? '');

  // the retry values are read only when switch_true (a non-zero number): 0 or text is ignored silently
  let retryTimeoutSec = 0;
  const rt = get('originate_retry_timeout');
  if (switchTrue(rt)) {
    const n = atoi(rt ?? '');
    if (n > 0) retryTimeoutSec = n;
    else log('WARNING', `Invalid originate_retry_timeout setting of ${rt} ignored, value must be > 0`);
  }
  let retries = 1;
  const rs = get('originate_retries');
  if (switchTrue(rs)) {
    const n = atoi(rs ?? '');
    // more than 100 only with a retry timeout
    if (n > 0 && (retryTimeoutSec > 0 || n < 101)) retries = n;
    else log('WARNING', `Invalid originate_retries setting of ${n} ignored, value must be between 1 and 100`);
  }
  /** A ms value read only when switch_true, kept when in [lo, hi], else the WARNING and the default. */
  const msBetween = (name: string, lo: number, hi: number): number => {
    const raw = get(name);
    if (!switchTrue(raw)) return DEFAULT_RETRY_SLEEP_MS;
    const n = atoi(raw ?? '');
    if (n >= lo && n <= hi) return n;
    log('WARNING', `Invalid ${name} setting of ${n} ignored, value must be between ${lo} and ${hi}`);
    return DEFAULT_RETRY_SLEEP_MS;
  };
  const retrySleepMs = msBetween('originate_retry_sleep_ms', 500, 60000);
  const retryMinPeriodMs = msBetween('originate_retry_min_period_ms', 500, 300000);

  return {
    timeoutSec,
    progressTimeoutSec: pt > 0 ? pt : timeoutSec,
    ...readEarlyMedia(get),
    instantRingback: switchTrue(get('instant_ringback')),
    confirm: readConfirmOptions(get),
    returnRingReady: switchTrue(get('return_ring_ready')),
    ignoreRingReady: switchTrue(get('ignore_ring_ready')),
    ringReady: switchTrue(get('ring_ready')),
    continueOnTimeout: switchTrue(get('originate_continue_on_timeout')),
    retries,
    retrySleepMs,
    retryMinPeriodMs,
    retryTimeoutSec,
    singleReject: readSingleReject(get),
  };
}
