/**
 * bridge_early_media's relay (switch_ivr_originate's early_thread_run): the early media of the
 * legs being dialled, mixed, goes to the calling channel. The legs' frames are heard where they
 * arrive (media table taps); a frame from each leg with media makes one mixed packet, and a
 * second frame from a leg before the others sent theirs closes the packet without them, so a leg
 * that stops sending does not hold the others up. One leg's frames pass through as they come.
 */
import { mixFrames } from './mix_frames.ts';
import type { MediaTable } from './media_table.ts';
import { linearOf } from './tape.ts';

/** Relays the legs' early media to `caller` until the returned stop. */
export function relayEarlyMedia(media: MediaTable, legs: readonly string[], caller: string): () => void {
  const pending = new Map<string, Int16Array>();
  const flush = () => {
    if (pending.size === 0) return;
    const parts = [...pending.values()];
    pending.clear();
    media.play(caller, parts.length === 1 ? (parts[0] as Int16Array) : mixFrames(parts));
  };
  const untaps = legs.map((leg) =>
    media.tap(leg, (direction, frame) => {
      if (direction !== 'read') return;
      if (pending.has(leg)) flush();
      pending.set(leg, linearOf(frame));
      if (pending.size === legs.filter((l) => media.hasPort(l)).length) flush();
    }),
  );
  return () => {
    for (const untap of untaps) untap();
    pending.clear();
  };
}
