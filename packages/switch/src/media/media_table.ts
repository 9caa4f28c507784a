/**
 * Where each channel's audio goes (the media path of switch_ivr_bridge.c and mod_dptools' echo).
 * An endpoint that carries audio attaches its channel's port; a frame its far end sends is
 * delivered at once, in the endpoint's own I/O callback, to the port the channel is routed to —
 * the bridged partner, the channel itself while `echo` runs — or dropped when there is none, or
 * when a player (player.ts) holds the port.
 * Frames never pass through a channel's process: routes change in the channels' steps, frames
 * follow them in the same tick.
 */
import { alawToUlaw, encodeFrame, ulawToAlaw } from './g711.ts';

export type AudioCodecName = 'PCMU' | 'PCMA';

/** One packet's worth of audio (20 ms at 8 kHz: 160 samples), in its codec. */
export interface AudioFrame {
  readonly codec: AudioCodecName;
  readonly payload: Uint8Array;
  /** Samples at 8 kHz (the payload's length for G.711). */
  readonly samples: number;
}

/** A channel's media as its endpoint offers it: frames written here go to its far end. */
export interface MediaPort {
  readonly codec: AudioCodecName;
  write(frame: AudioFrame): void;
}

/** What a tap hears: `read` is what the channel's far end sent, `write` what goes to it. */
export type TapListener = (direction: 'read' | 'write', frame: AudioFrame) => void;

/**
 * A replacing media bug (SMBF_READ_REPLACE / _WRITE_REPLACE): the frame that goes on instead, in the
 * same codec. Taps hear a frame before it is replaced.
 */
export type ReplaceListener = (direction: 'read' | 'write', frame: AudioFrame) => AudioFrame;

/** A tap that is a media bug (switch_core_media_bug_add's function and target): `uuid_buglist` lists it. */
export interface MediaBug {
  readonly function: string;
  readonly target: string;
  /** The owner's removal (its callback's SWITCH_ABC_TYPE_CLOSE), run in the channel's process by `removeBugs`. */
  readonly close?: () => void;
}

export class MediaTable {
  readonly #ports = new Map<string, MediaPort>();
  readonly #routes = new Map<string, string>();
  readonly #taps = new Map<string, Set<TapListener>>();
  readonly #replacers = new Map<string, Set<ReplaceListener>>();
  /** Each channel's media bugs, in the order they were added. */
  readonly #bugs = new Map<string, MediaBug[]>();
  /** Channels a player holds, with how many players hold each. */
  readonly #held = new Map<string, number>();

  /** The channel `uuid` has media: frames routed to it are written to `port`. */
  attach(uuid: string, port: MediaPort): void {
    this.#ports.set(uuid, port);
  }

  /** The channel's media is gone: nothing goes to it or comes from it any more, and nothing holds or taps it. */
  detach(uuid: string): void {
    this.#ports.delete(uuid);
    this.#routes.delete(uuid);
    this.#held.delete(uuid);
    this.#taps.delete(uuid);
    this.#bugs.delete(uuid);
    this.#replacers.delete(uuid);
  }

  /** What `from`'s far end sends goes to `to` from now on. */
  route(from: string, to: string): void {
    this.#routes.set(from, to);
  }

  /** `from` stops sending to `to`, unless it was routed elsewhere since. */
  unroute(from: string, to: string): void {
    if (this.#routes.get(from) === to) this.#routes.delete(from);
  }

  hasPort(uuid: string): boolean {
    return this.#ports.has(uuid);
  }

  /** A player has the channel: what is routed to it is dropped until the returned release. */
  hold(uuid: string): () => void {
    this.#held.set(uuid, (this.#held.get(uuid) ?? 0) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const n = (this.#held.get(uuid) ?? 1) - 1;
      if (n > 0) this.#held.set(uuid, n);
      else this.#held.delete(uuid);
    };
  }

  /** Linear samples played to the channel's far end, in its port's codec; false when it has no port. */
  play(uuid: string, samples: Int16Array): boolean {
    const port = this.#ports.get(uuid);
    if (!port) return false;
    this.#write(uuid, port, { codec: port.codec, payload: encodeFrame(port.codec, samples), samples: samples.length });
    return true;
  }

  /** `listener` hears the channel's audio both ways (a media bug, listed when `bug` names it) until the returned removal. */
  tap(uuid: string, listener: TapListener, bug?: MediaBug): () => void {
    let set = this.#taps.get(uuid);
    if (!set) this.#taps.set(uuid, (set = new Set()));
    set.add(listener);
    let bugs: MediaBug[] | undefined;
    if (bug) {
      bugs = this.#bugs.get(uuid);
      if (!bugs) this.#bugs.set(uuid, (bugs = []));
      bugs.push(bug);
    }
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#taps.get(uuid) === set) this.#taps.delete(uuid);
      const at = bugs?.indexOf(bug as MediaBug) ?? -1;
      if (at >= 0) bugs?.splice(at, 1);
      if (bugs?.length === 0 && this.#bugs.get(uuid) === bugs) this.#bugs.delete(uuid);
    };
  }

  /**
   * switch_core_media_bug_remove_all_function: the channel's bugs (only those of `fn` when given)
   * closed as their owners close them; false when it has none.
   */
  removeBugs(uuid: string, fn?: string): boolean {
    const bugs = this.#bugs.get(uuid);
    if (!bugs) return false;
    for (const bug of [...bugs]) if (fn === undefined || bug.function === fn) bug.close?.();
    return true;
  }

  /** The channel's media bugs (switch_core_media_bug_enumerate's list). */
  bugs(uuid: string): readonly MediaBug[] {
    return this.#bugs.get(uuid) ?? [];
  }

  /** `listener` may replace each frame through the channel, both ways, until the returned removal. */
  replace(uuid: string, listener: ReplaceListener): () => void {
    let set = this.#replacers.get(uuid);
    if (!set) this.#replacers.set(uuid, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#replacers.get(uuid) === set) this.#replacers.delete(uuid);
    };
  }

  #replaced(uuid: string, direction: 'read' | 'write', frame: AudioFrame): AudioFrame {
    const set = this.#replacers.get(uuid);
    let out = frame;
    if (set) for (const r of set) out = r(direction, out);
    return out;
  }

  #write(uuid: string, port: MediaPort, frame: AudioFrame): void {
    const taps = this.#taps.get(uuid);
    if (taps) for (const t of taps) t('write', frame);
    port.write(this.#replaced(uuid, 'write', frame));
  }

  /** Where `from`'s audio goes now, if anywhere. */
  routeOf(from: string): string | undefined {
    return this.#routes.get(from);
  }

  /** A frame `from`'s far end sent: to the routed port, converted to its codec. */
  deliver(from: string, frame: AudioFrame): void {
    const taps = this.#taps.get(from);
    if (taps) for (const t of taps) t('read', frame);
    const to = this.#routes.get(from);
    const port = to === undefined || this.#held.has(to) ? undefined : this.#ports.get(to);
    if (to === undefined || !port) return;
    const out = this.#replaced(from, 'read', frame);
    if (port.codec === out.codec) this.#write(to, port, out);
    else
      this.#write(to, port, {
        codec: port.codec,
        payload: out.codec === 'PCMU' ? ulawToAlaw(out.payload) : alawToUlaw(out.payload),
        samples: out.samples,
      });
  }
}
