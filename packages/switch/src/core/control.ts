/**
 * The switch-wide switches `fsctl` turns (switch_core.c's runtime flags and switch_core_session_ctl):
 * pausing new sessions by direction, the shutdown request, and the settings fsctl reads back. The
 * process itself is stopped by its host: switchd sets `stopProcess`, as FreeSWITCH's main loop
 * ends once `runtime.running` is 0.
 */
import type { CallDirection } from '../channel/states.ts';
import { DTMF_DEFAULT, DTMF_MAX, DTMF_MIN, type DtmfDurations } from '../channel/dtmf_string.ts';

/** How the host is asked to stop: `restart` ("Restarting"), `now` (exit at once, as `exit(0)`). */
export interface StopRequest {
  readonly restart: boolean;
  readonly now: boolean;
}

const clampDtmf = (n: number): number => Math.min(DTMF_MAX, Math.max(DTMF_MIN, n));

export class CoreControl implements DtmfDurations {
  /** SCF_NO_NEW_INBOUND_SESSIONS / SCF_NO_NEW_OUTBOUND_SESSIONS (`fsctl pause [inbound|outbound]`). */
  noNewInbound = false;
  noNewOutbound = false;
  /** SCF_SHUTDOWN_REQUESTED: an elegant or ASAP shutdown waits for the calls to end; `cancel` clears it. */
  shutdownRequested = false;
  /** runtime.running is 0: the host was asked to stop. */
  stopping = false;
  apiExpansion = true;
  verboseEvents = false;
  threadedSystemExec = false;
  debugSql = false;
  debugLevel = 0;
  /** switch.conf `min-idle-cpu` / `fsctl min_idle_cpu`: below this idle CPU (percent) new sessions are refused; 0 is off. */
  minIdleCpu = 0;
  uuidVersion = 4;
  /** The runtime's DTMF durations (samples): what DTMF strings are sent and queued with. */
  maxDtmfDuration = DTMF_MAX;
  minDtmfDuration = DTMF_MIN;
  defaultDtmfDuration = DTMF_DEFAULT;
  /** Set by the host: stops the process. Without one, a shutdown only refuses new sessions. */
  stopProcess: ((how: StopRequest) => void) | undefined = undefined;

  /** switch_core_ready: false once both directions are paused or the switch is stopping. */
  ready(): boolean {
    return !this.stopping && !(this.noNewInbound && this.noNewOutbound);
  }

  /**
   * switch_core_session_request_uuid's first checks: undefined when a session of `direction` may be
   * made, else the CRIT line it logs. (Its third, "any sessions", cannot be reached by a session
   * that has a direction once these two pass.)
   */
  refusal(direction: CallDirection): string | undefined {
    const paused = direction === 'inbound' ? this.noNewInbound : this.noNewOutbound;
    return this.stopping || paused ? `The system cannot create any ${direction} sessions at this time.` : undefined;
  }

  /** SCSC_PAUSE_*: `on` pauses, else resumes; `which` undefined is both directions. */
  pause(which: CallDirection | undefined, on: boolean): void {
    if (which !== 'outbound') this.noNewInbound = on;
    if (which !== 'inbound') this.noNewOutbound = on;
  }

  /** SCSC_PAUSE_CHECK / _INBOUND_CHECK / _OUTBOUND_CHECK. */
  paused(which: CallDirection | undefined): boolean {
    if (which === 'inbound') return this.noNewInbound;
    if (which === 'outbound') return this.noNewOutbound;
    return this.noNewInbound && this.noNewOutbound;
  }

  /** runtime.running = 0: the host stops the process. */
  stop(how: StopRequest): void {
    this.stopping = true;
    this.stopProcess?.(how);
  }

  /** switch_core_max_dtmf_duration: 0 reads; else clamped, and the minimum follows it down. */
  setMaxDtmfDuration(n: number): number {
    if (n) {
      this.maxDtmfDuration = clampDtmf(n);
      if (this.maxDtmfDuration < this.minDtmfDuration) this.minDtmfDuration = this.maxDtmfDuration;
    }
    return this.maxDtmfDuration;
  }

  /** switch_core_min_dtmf_duration: 0 reads; else clamped, and the maximum follows it up. */
  setMinDtmfDuration(n: number): number {
    if (n) {
      this.minDtmfDuration = clampDtmf(n);
      if (this.minDtmfDuration > this.maxDtmfDuration) this.maxDtmfDuration = this.minDtmfDuration;
    }
    return this.minDtmfDuration;
  }

  /** switch_core_default_dtmf_duration: 0 reads; else clamped, and the bounds widen to hold it. */
  setDefaultDtmfDuration(n: number): number {
    if (n) {
      this.defaultDtmfDuration = clampDtmf(n);
      if (this.defaultDtmfDuration < this.minDtmfDuration) this.minDtmfDuration = this.defaultDtmfDuration;
      if (this.defaultDtmfDuration > this.maxDtmfDuration) this.maxDtmfDuration = this.defaultDtmfDuration;
    }
    return this.defaultDtmfDuration;
  }
}
