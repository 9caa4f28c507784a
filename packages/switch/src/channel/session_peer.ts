/** A session already up that a running application bridges to (channel/bridge.ts `session`). */
import type { Pid } from '@beamline/etf';
import type { CallerProfile } from './profile.ts';
import type { Exports } from './exports.ts';

export interface SessionPeer {
  readonly uuid: string;
  readonly pid: Pid;
  readonly profile?: CallerProfile | undefined;
  readonly terminateKeys?: string;
  /** The input_callback: sees each digit this leg receives; false ends the bridge (the digit not passed on). */
  readonly inputCallback?: (digit: string) => boolean;
  /** CF_INNER_BRIDGE on both legs (att_xfer): the peer is left up and where it is when the bridge ends. */
  readonly inner?: boolean;
  /** What the peer hands this leg through its `bridge_export_vars` (check_bridge_export). */
  readonly bridgeExports?: Exports;
}
