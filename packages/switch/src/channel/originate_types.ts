/**
 * What an originate is asked and answers, and the messages between it and the legs it watches
 * (switch_ivr_originate's status loop). Here, below the channel, so that a channel can start an
 * originate (the bridge application) through its services without importing the originate.
 */
import type { ProcessContext } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import type { AppChannel } from '../applications/types.ts';
import type { CallerProfile } from './profile.ts';
import { type Exports, exportedVariables } from './exports.ts';
import { switchFalse } from '../internal/strings.ts';

export type LegStatus = 'none' | 'ring' | 'early' | 'answered' | 'down';

/** What a watched leg sends its originate whenever its status changes. */
export interface LegReport {
  readonly originateLeg: number;
  readonly uuid: string;
  readonly status: LegStatus;
  /** The hangup cause once `down`, else 0. */
  readonly cause: number;
  /** CF_EARLY_OK was set on the leg (uuid_early_ok): the originate takes early media from now on. */
  readonly earlyOk?: true;
}

/**
 * A leg as work an originate sends it sees it, run in the leg's own process: switch_ivr_originate's
 * collect thread (the `group_confirm_*` prompt and digits, or the `exec` application).
 */
export interface OriginateLeg extends AppChannel {
  readonly name: string;
  readonly ctx: ProcessContext;
  /** switch_core_session_exec: true when the application finished at once, else `then` runs when it does. */
  execute(name: string, data: string, then: () => Promise<void>): Promise<boolean>;
  /** Work beside the state handlers, ended by a hangup as an application is (through `interrupt`); returns its removal. */
  beside(interrupt: () => void | Promise<void>): () => void;
}

/** Work an originate has a leg run in its process (ChannelCast `originateTask`). */
export type OriginateLegTask = (leg: OriginateLeg) => void | Promise<void>;

/** Sent to an originate's process to cancel it (the caller hung up, or another branch won). */
export interface OriginateCancel {
  readonly originateCancel: number;
}

/** The channel an originate is made from (the `bridge` application's caller), as the legs see it. */
export interface OriginateCaller {
  readonly uuid: string;
  readonly profile: CallerProfile;
  /** The caller's variables originate reads (`effective_caller_id_*`, `call_uuid`, `call_timeout`, `ringback`, …). */
  readonly variable: (name: string) => string | undefined;
  /** The caller was answered when the originate began: `transfer_ringback` is then preferred to `ringback`. */
  readonly answered?: boolean;
}

/** The API's arguments for a leg made without a calling channel. */
export interface OriginateApiProfile {
  readonly cidName?: string;
  readonly cidNum?: string;
  readonly dialplan: string;
  readonly context: string;
}

export interface OriginateRequest {
  readonly dial: string;
  /** Seconds; 0 or less → 60. The caller's `call_timeout`, then `originate_timeout` in the dial string win. */
  readonly timeoutSec: number;
  readonly caller?: OriginateCaller;
  /** For a leg made without a caller. */
  readonly api?: OriginateApiProfile;
  /** Variables set before the dial string's (the caller's exported ones, an enterprise's `<…>`). */
  readonly baseVars?: readonly (readonly [string, string])[];
}

export interface OriginateWinner {
  readonly uuid: string;
  readonly pid: Pid;
  readonly status: LegStatus;
  readonly profile: CallerProfile | undefined;
  /** What the winner hands its caller through its `bridge_export_vars` (check_bridge_export). */
  readonly bridgeExports: Exports;
}

export type OriginateResult =
  | { readonly ok: true; readonly winner: OriginateWinner; readonly causes: readonly string[] }
  | { readonly ok: false; readonly cause: number; readonly causes: readonly string[] };

/**
 * The calling channel's variables switch_ivr_originate copies into its own when the dial string
 * did not set them (it reads them from there as if they were `{…}` variables).
 */
export const CALLER_ORIGINATE_VARIABLES = [
  'group_confirm_key',
  'group_confirm_file',
  'group_confirm_read_timeout',
  'group_confirm_cancel_timeout',
  'group_confirm_timeout',
  'forked_dial',
  'fail_on_single_reject',
  'hangup_on_single_reject',
  'ignore_early_media',
  'bridge_early_media',
  'originate_continue_on_timeout',
  'ignore_ring_ready',
  'monitor_early_media_ring',
  'monitor_early_media_ring_total',
  'monitor_early_media_fail',
  'return_ring_ready',
  'ring_ready',
  'instant_ringback',
  'progress_timeout',
  'language',
] as const;

/** The calling channel's own variables switch_ivr_originate reads from it (not from the dial string): what it hears meanwhile. */
export const CALLER_RINGBACK_VARIABLES = ['ringback', 'transfer_ringback'] as const;

/**
 * A calling channel as an originate running in another process sees it: the variables it reads
 * copied now, and its `export_vars` as the legs' variables. Clears the lists of its last originate
 * when `preserve_originated_vars` is false.
 */
export function originateCallerOf(ch: {
  readonly uuid: string;
  readonly profile: CallerProfile;
  readonly context: { readonly answered: boolean };
  variable(name: string): string | undefined;
  setVariable(name: string, value: string | undefined): void;
}): { caller: OriginateCaller; exported: [string, string][] } {
  // switch_ivr_originate's start: the last originate's lists go only when preserve_originated_vars is false
  if (switchFalse(ch.variable('preserve_originated_vars'))) {
    ch.setVariable('originated_legs', undefined);
    ch.setVariable('originate_causes', undefined);
  }
  const copied = new Map<string, string>();
  for (const n of [
    'effective_caller_id_name',
    'effective_caller_id_number',
    'call_uuid',
    'call_timeout',
    'max_forwards',
    ...CALLER_ORIGINATE_VARIABLES,
    ...CALLER_RINGBACK_VARIABLES,
  ]) {
    const v = ch.variable(n);
    if (v !== undefined) copied.set(n, v);
  }
  const exported = exportedVariables((n) => ch.variable(n), 'export_vars');
  return { caller: { uuid: ch.uuid, profile: ch.profile, variable: (n) => copied.get(n), answered: ch.context.answered }, exported };
}
