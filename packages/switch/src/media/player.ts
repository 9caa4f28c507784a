/**
 * Playing a source to a channel's far end in real time: a frame every 20 ms on the runtime clock
 * (frames due are caught up after a late tick), through the channel's media port. The frames run
 * on the switch's media clock (media_clock.ts), not in the channel's process; the end of the
 * source is told to the channel's process. While it plays, the channel holds its port, so what a
 * bridge or echo routes to it is not heard over it.
 */
import type { MediaClock } from './media_clock.ts';
import type { MediaTable } from './media_table.ts';
import type { AudioSource } from './source.ts';

/** What playing needs of a channel (an application's channel has it). */
export interface PlayingChannel {
  readonly uuid: string;
  readonly core: { readonly media: MediaTable; readonly mediaClock: MediaClock; nowUs(): number };
  /** Calls `fn` in the channel's process after `ms` of the runtime clock; returns the cancel. */
  after(ms: number, fn: () => void): () => void;
}

/**
 * Starts playing; returns the stop, which closes the source (for a channel without media it only
 * does that). `onOver` hears, in the channel's process, when the source ran out — unless the stop
 * was called first.
 */
export function playToChannel(ch: PlayingChannel, source: AudioSource, onOver?: () => void): () => void {
  const { media, mediaClock } = ch.core;
  const uuid = ch.uuid;
  if (!media.hasPort(uuid)) return () => source.close?.();
  const release = media.hold(uuid);
  const startUs = ch.core.nowUs();
  let sent = 0;
  let cancel = () => {};
  let over = false;
  let stoppedByOwner = false;
  const stop = () => {
    if (over) return;
    over = true;
    cancel();
    release();
    source.close?.();
  };
  const tick = (inline: boolean) => {
    const elapsedUs = ch.core.nowUs() - startUs;
    for (const due = Math.floor(elapsedUs / 20_000) + 1; sent < due; sent++) {
      const frame = source.next();
      if (!frame) {
        stop();
        if (!onOver) return;
        if (inline) return onOver();
        ch.after(0, () => {
          if (!stoppedByOwner) onOver();
        });
        return;
      }
      if (!media.play(uuid, frame)) return stop();
    }
    cancel = mediaClock.after(20 - ((elapsedUs / 1000) % 20), () => tick(false));
  };
  tick(true);
  return () => {
    stoppedByOwner = true;
    stop();
  };
}
