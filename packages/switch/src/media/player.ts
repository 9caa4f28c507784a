/**
 * Playing a source to a channel's far end in real time: a frame every 20 ms on the runtime clock
 * (frames due are caught up after a late timer), through the channel's media port. While it
 * plays, the channel holds its port, so what a bridge or echo routes to it is not heard over it.
 */
import type { MediaTable } from './media_table.ts';
import type { AudioSource } from './source.ts';

/** What playing needs of a channel (an application's channel has it). */
export interface PlayingChannel {
  readonly uuid: string;
  readonly core: { readonly media: MediaTable; nowUs(): number };
  /** Calls `fn` after `ms` of the runtime clock; returns the cancel. */
  after(ms: number, fn: () => void): () => void;
}

/**
 * Starts playing; returns the stop, which closes the source (for a channel without media it only
 * does that). `onOver` hears when the source ran out.
 */
export function playToChannel(ch: PlayingChannel, source: AudioSource, onOver?: () => void): () => void {
  const { media } = ch.core;
  const uuid = ch.uuid;
  if (!media.hasPort(uuid)) return () => source.close?.();
  const release = media.hold(uuid);
  const startUs = ch.core.nowUs();
  let sent = 0;
  let cancel = () => {};
  let over = false;
  const stop = () => {
    if (over) return;
    over = true;
    cancel();
    release();
    source.close?.();
  };
  const tick = () => {
    const elapsedUs = ch.core.nowUs() - startUs;
    for (const due = Math.floor(elapsedUs / 20_000) + 1; sent < due; sent++) {
      const frame = source.next();
      if (!frame) {
        stop();
        return onOver?.();
      }
      if (!media.play(uuid, frame)) return stop();
    }
    cancel = ch.after(20 - ((elapsedUs / 1000) % 20), tick);
  };
  tick();
  return stop;
}
