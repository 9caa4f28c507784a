/**
 * mod_dptools' `block_dtmf` / `unblock_dtmf` (switch_ivr_block_dtmf_session): while blocked, the
 * channel's DTMF hooks swallow every digit — those its far end sends (no DTMF event, no reader
 * gets them) and those a bridged partner passes on to it. The hooks are added at the first block
 * and stay; unblocking clears the mark they read.
 */
import { sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';

/** Each channel's SWITCH_BLOCK_DTMF_KEY private. */
const BLOCKED = new WeakMap<AppChannel, { on: boolean }>();

function block(ch: AppChannel): void {
  const known = BLOCKED.get(ch);
  if (known) {
    known.on = true;
    return;
  }
  const mark = { on: true };
  BLOCKED.set(ch, mark);
  ch.addDtmfHook(() => !mark.on);
}

function unblock(ch: AppChannel): void {
  const known = BLOCKED.get(ch);
  if (known) known.on = false;
}

export const BLOCK_DTMF_APPLICATIONS: readonly Application[] = [
  { name: 'block_dtmf', run: sync(block) },
  { name: 'unblock_dtmf', run: sync(unblock) },
];
