/**
 * The ringing and early-media part of one `|` group of switch_ivr_originate: what a leg's ringing
 * or early media does to the originate (oglobals.ring_ready, sent_ring, progress) and to the
 * calling channel (ringback.ts), in check_channel_status's order, and the wait loop's ringback
 * set-up — the caller pre-answered when its ringback starts. A `bridge_early_media` relay (its
 * early_thread_run) ends when a leg it relays answers or rings, or none of them has media left:
 * without a ring that turns early media into a winner (oglobals.early_ok), with one the relay is
 * off for the rest of the originate.
 */
import type { Pid } from '@beamline/etf';
import type { LegStatus } from '../channel/originate_types.ts';
import type { SwitchLogLevel } from '../core/core.ts';
import type { EarlyMediaMode, OriginateOptions } from './options.ts';
import { type CallerLine, ringbackLogLine } from './ringback.ts';

/** The originate-wide early media state (oglobals), kept from group to group. */
export interface EarlyMediaState {
  /** oglobals.ring_ready: a leg has rung or had early media (or `ring_ready=true`); never cleared. */
  ringReady: boolean;
  /** oglobals.early_ok: early media wins. */
  earlyOk: boolean;
  /** oglobals.ignore_early_media (a ringing relayed leg turns `bridge` into `ignore`). */
  earlyMedia: EarlyMediaMode;
  /** oglobals.bridge_early_media > -1: a leg's early media is to be passed through to the caller. */
  bridgingEarly: boolean;
  /** ringback_data: the caller's ringback (ringback.ts), undefined without a caller or ringback. */
  ringback: string | undefined;
}

/** A leg as the group's media sees it. */
export interface LegView {
  readonly uuid: string;
  readonly pid?: Pid | undefined;
  readonly status: LegStatus | 'pending' | 'dropped' | 'refused';
  /** CF_RING_READY (it stays once set). */
  readonly rang: boolean;
  /** CF_EARLY_MEDIA (it stays once set). */
  readonly early: boolean;
}

const isUp = (l: LegView) => l.status === 'none' || l.status === 'ring' || l.status === 'early' || l.status === 'answered';
const mediaReady = (l: LegView) => l.status === 'early' || l.status === 'answered';

export interface GroupMediaHost {
  readonly opts: OriginateOptions;
  readonly state: EarlyMediaState;
  readonly caller: CallerLine | undefined;
  readonly log: (level: SwitchLogLevel, text: string) => void;
}

export class GroupMedia {
  /** oglobals.sent_ring: the caller was made to ring for this group. */
  sentRing = false;
  /** oglobals.progress: a leg of this group had early media. */
  progress = false;
  /** sending_ringback: 1 when the caller has ringback to send; more once a leg rang or had early media since. */
  #sending = 0;
  /** ringback_ok: 1 to set up, 2 and more once set up, 0 for none. */
  #ok = 1;
  /** send_ringback of the look in progress. */
  #sendRingback = 0;
  /** The legs a bridge_early_media relay passes through, while it runs. */
  #relay: readonly LegView[] | undefined;
  readonly #host: GroupMediaHost;
  /** and_argc: the legs of the group, made or not. */
  readonly #len: number;
  readonly #first: () => LegView | undefined;

  constructor(host: GroupMediaHost, len: number, first: () => LegView | undefined) {
    this.#host = host;
    this.#len = len;
    this.#first = first;
    // endfor1: ringback to send, or none at all until early media is to be bridged
    if (host.caller && host.state.ringback !== undefined) this.#sending = 1;
    else this.#ok = 0;
  }

  /** Before a look: the relay's own checks (it runs beside the wait in FreeSWITCH). */
  relayCheck(): void {
    if (!this.#relay) return;
    const ready = this.#relay.filter((l) => isUp(l) && mediaReady(l));
    const ringing = ready.some((l) => l.rang);
    if (ready.length > 0 && !ringing && !ready.some((l) => l.status === 'answered')) return;
    this.#endRelay();
    const state = this.#host.state;
    if (ringing) {
      state.bridgingEarly = false;
      state.earlyMedia = 'ignore';
    } else state.earlyOk = true;
  }

  /** check_channel_status for one leg's ringing and early media. */
  async look(leg: LegView): Promise<void> {
    const { opts, state, caller } = this.#host;
    if (leg.rang) {
      if (this.#sending === 1) this.#sendRingback++;
      else if (!state.ringReady) {
        state.ringReady = true;
        if (caller && !opts.ignoreRingReady) await this.#ringCaller(caller);
      }
    }
    if (leg.early) {
      if (state.earlyMedia === 'bridge' && !state.bridgingEarly) {
        state.bridgingEarly = true;
        this.#ok = 1;
      }
      if (this.#sending === 1) this.#sendRingback++;
      else if (!this.sentRing && state.earlyMedia === 'ring_ready' && this.#len === 1 && caller && !opts.ignoreRingReady) {
        await this.#ringCaller(caller);
      }
      // with the ring monitor, early media counts only once ring tones are heard (monitoredRing)
      if (!opts.monitorRing) {
        this.progress = true;
        if (!state.ringReady && !opts.ignoreRingReady) state.ringReady = true;
      }
    }
  }

  /** monitor_callback: the ring monitor heard its rings; early media is progress and wins now. */
  monitoredRing(): void {
    const { opts, state } = this.#host;
    this.progress = true;
    if (!state.ringReady && !opts.ignoreRingReady) state.ringReady = true;
    if (state.earlyMedia === 'none') state.earlyOk = true;
  }

  /** The end of a look: a leg rang or had early media while ringback is to be sent. */
  lookDone(): void {
    if (this.#sendRingback) this.#sending++;
    this.#sendRingback = 0;
  }

  /**
   * The wait loop's ringback: once something rang (or at once with `instant_ringback`), or early
   * media is to be bridged, setup_ringback pre-answers the caller and starts what it hears. 'gone':
   * the pre-answer failed (the caller is down); 'acted': it was set up now.
   */
  async ringback(legs: readonly LegView[]): Promise<'wait' | 'acted' | 'gone'> {
    const { opts, state, caller, log } = this.#host;
    if (!caller || this.#ok !== 1) return 'wait';
    if (!(state.ringReady || opts.instantRingback || this.#sending > 1 || state.bridgingEarly)) return 'wait';
    if (!(await caller.preAnswer())) {
      log('DEBUG', `${caller.name} Media Establishment Failed.`);
      return 'gone';
    }
    const line = state.ringback === undefined ? undefined : ringbackLogLine(state.ringback);
    if (line) log('DEBUG', line);
    if (state.ringback !== undefined && !state.bridgingEarly) caller.playRingback(state.ringback);
    if (state.bridgingEarly) {
      this.#relay = legs.filter(isUp);
      caller.relayEarlyMedia(this.#relay.map((l) => l.uuid));
    }
    this.#ok++;
    return 'acted';
  }

  /** The group is over: a relay still running ends without having seen a ring (early_ok). */
  done(): void {
    if (this.#relay) this.#host.state.earlyOk = true;
    this.#endRelay();
  }

  /** early_thread_run's end: the caller no longer hears the legs. */
  #endRelay(): void {
    if (this.#relay) this.#host.caller?.stopRelay();
    this.#relay = undefined;
  }

  /** The caller rings (switch_channel_ring_ready), with the leg's callee id when the group has one leg. */
  async #ringCaller(caller: CallerLine): Promise<void> {
    const first = this.#first();
    if (this.#len === 1 && first?.pid) await caller.takeCalleeIdOf(first.pid);
    await caller.ringReady();
    this.sentRing = true;
  }
}
