/** The messages between an originate and the legs it watches (switch_ivr_originate's status loop). */

export type LegStatus = 'none' | 'ring' | 'early' | 'answered' | 'down';

/** What a watched leg sends its originate whenever its status changes. */
export interface LegReport {
  readonly originateLeg: number;
  readonly uuid: string;
  readonly status: LegStatus;
  /** The hangup cause once `down`, else 0. */
  readonly cause: number;
}

/** Sent to an originate's process to cancel it (the caller hung up, or another branch won). */
export interface OriginateCancel {
  readonly originateCancel: number;
}
