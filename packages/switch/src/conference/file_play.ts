/**
 * Files played into a conference (conference_file.c, conference_thread_run's fnode and async_fnode):
 * one queue played in turn, and one `async` file played over it (a new async file ends the one
 * before). Each tick takes a frame of each; everyone in the conference hears them mixed in. A file
 * that ends, is stopped or is replaced fires play-file-done with how much of it was played. A
 * file may wait a number of ticks before it is read (its lead-in: the sounds' CONF_DEFAULT_LEADIN).
 * Files open as a channel's do (`local_stream://` through mod_local_stream when it is loaded), and
 * a file's source is let go of when its node is closed.
 * A member has its own queue (conference_member_play_file, conference_member_add_file_data): only
 * it hears those files, over what it hears of the conference or instead of it (`nomux`).
 */
import type { SwitchCore } from '../core/core.ts';
import type { SwitchEvent } from '../events/event.ts';
import { openPlayable } from '../local_stream/open.ts';
import { clip16 } from '../media/g711.ts';
import type { AudioSource } from '../media/source.ts';
import { changeSlnVolume } from './volume.ts';

export interface FileNode {
  readonly file: string;
  readonly source: AudioSource;
  readonly async: boolean;
  /** Samples read so far (fh.samples_in). */
  samples: number;
  /** Marked to end (node->done): it is closed at its next frame. */
  done: boolean;
  /** NFLAG_PAUSE: no frame is read while set. */
  paused: boolean;
  /** Ticks left before it is read (fnode->leadin). */
  leadin: number;
  /** A member's file is heard over the conference (not `nomux`: instead of it). */
  readonly mux: boolean;
  /** Spoken text (NODE_TYPE_SPEECH): its end is not a file's close, nothing is fired. */
  readonly speech: boolean;
}

/** What `stop` ends (file_stop_t). */
export type FileStop = 'current' | 'all' | 'async';

const openNode = (file: string, source: AudioSource, async: boolean, mux: boolean, leadin = 0, speech = false): FileNode => ({
  file,
  source,
  async,
  mux,
  speech,
  samples: 0,
  done: false,
  paused: false,
  leadin,
});

/**
 * switch_core_file_open for a file a conference plays: its source, or undefined; a WAV file that
 * is not there is logged as mod_sndfile logs its failed open.
 */
export function openConferenceFile(core: SwitchCore, path: string): AudioSource | undefined {
  const source = openPlayable(core, path);
  if (source === 'not-found') return undefined;
  if (!source && /\.wav$/i.test(path)) core.log('WARNING', `Error Opening File [${path}] [System error : No such file or directory.]`);
  return source;
}

/** conference_file_close's length headers: how much of the file was read. */
export const fileLengthHeaders = (node: FileNode): [string, string][] => [
  ['seconds', String(Math.floor(node.samples / 8000))],
  ['milliseconds', String(Math.floor(node.samples / 8))],
  ['samples', String(node.samples)],
];

/** conference_fnode_toggle_pause's reply (nothing when no file plays). */
export function togglePause(node: FileNode | undefined): string {
  if (!node) return '';
  node.paused = !node.paused;
  return node.paused ? '+OK Pause\n' : '+OK Resume\n';
}

export class ConferenceFiles {
  #queue: FileNode[] = [];
  #async: FileNode | undefined;

  /**
   * @param fire conference::maintenance with the conference's data, filled in by `fill`
   * @param open a file's source (openConferenceFile)
   */
  constructor(
    private readonly fire: (fill: (e: SwitchEvent) => void) => void,
    private readonly open: (file: string) => AudioSource | undefined,
  ) {}

  /** conference_file_play: false when the file cannot be played (no source for it). */
  play(file: string, async: boolean): boolean {
    const source = this.open(file);
    if (!source) return false;
    this.add(file, source, async);
    return true;
  }

  /** A file already opened, queued (or the async one), read after `leadin` ticks. */
  add(file: string, source: AudioSource, async: boolean, leadin = 0, speech = false): void {
    const node = openNode(file, source, async, true, leadin, speech);
    if (!async) {
      this.#queue.push(node);
      return;
    }
    const before = this.#async;
    this.#async = node;
    if (before) this.#done(before);
  }

  /** Whether a file is queued (conference->fnode) / the async one plays (conference->async_fnode). */
  get queued(): boolean {
    return this.#queue.length > 0;
  }

  get playingAsync(): boolean {
    return this.#async !== undefined;
  }

  /** The file playing now (conference->fnode), the one `pause_play` pauses. */
  get current(): FileNode | undefined {
    return this.#queue[0];
  }

  /** conference_file_stop: the files marked to end; how many. */
  stop(which: FileStop): number {
    const nodes = which === 'all' ? [...this.#queue, this.#async] : which === 'async' ? [this.#async] : [this.#queue[0]];
    let count = 0;
    for (const node of nodes)
      if (node) {
        node.done = true;
        count++;
      }
    return count;
  }

  /** This tick's frame of the files playing, summed (undefined when none is). */
  frame(): Int16Array | undefined {
    let sum: Int16Array | undefined;
    for (const node of [this.#queue[0], this.#async]) {
      if (!node || node.paused) continue;
      if (!node.done && node.leadin > 0) {
        node.leadin--;
        continue;
      }
      const f = node.done ? undefined : node.source.next();
      if (!f) {
        if (node === this.#async) this.#async = undefined;
        else this.#queue.shift();
        this.#done(node);
        continue;
      }
      node.samples += f.length;
      if (!sum) sum = Int16Array.from(f);
      else for (let i = 0; i < f.length && i < sum.length; i++) sum[i] = clip16((sum[i] ?? 0) + (f[i] ?? 0));
    }
    return sum;
  }

  /** conference_close_open_files: every file left is closed (play-file-done), the queue first. */
  closeAll(): void {
    const nodes = [...this.#queue.splice(0), ...(this.#async ? [this.#async] : [])];
    this.#async = undefined;
    for (const node of nodes) this.#done(node);
  }

  #done(node: FileNode): void {
    node.source.close?.();
    if (node.speech) return;
    this.fire((e) => {
      for (const [n, v] of fileLengthHeaders(node)) e.addHeader(n, v);
      e.addHeader('Action', 'play-file-done');
      e.addHeader('File', node.file);
      if (node.async) e.addHeader('Async', 'true');
    });
  }
}

/**
 * A member's own files, played in turn to it alone. A file that runs out, or is stopped, is
 * closed at the member's next frame (which then gets no file audio), as conference_member_add_file_data does.
 */
export class MemberFiles {
  #queue: FileNode[] = [];

  /** The file playing to the member now (member->fnode). */
  get current(): FileNode | undefined {
    return this.#queue[0];
  }

  /** Queued after the others (conference_member_play_file). */
  play(file: string, source: AudioSource, mux: boolean, speech = false): void {
    this.#queue.push(openNode(file, source, false, mux, 0, speech));
  }

  /** conference_member_stop_file: `all` marks every file, anything else the current one; how many. */
  stop(which: FileStop): number {
    const nodes = which === 'all' ? this.#queue : this.#queue.slice(0, 1);
    for (const node of nodes) node.done = true;
    return nodes.length;
  }

  /**
   * The current file's next frame over `heard` (what the member hears this tick, its volume
   * already applied): added (mux) or in its place, after the member's volume_out; `closed` hears of
   * a file that ended.
   */
  mixInto(heard: Int16Array, volumeOut: number, closed: (node: FileNode) => void): void {
    const node = this.#queue[0];
    if (!node) return;
    if (node.done) {
      this.#queue.shift();
      node.source.close?.();
      closed(node);
      return;
    }
    if (node.paused) return;
    const f = node.source.next();
    if (!f) {
      node.done = true;
      return;
    }
    node.samples += f.length;
    const frame = Int16Array.from(f);
    changeSlnVolume(frame, volumeOut);
    for (let i = 0; i < frame.length && i < heard.length; i++) heard[i] = node.mux ? clip16((heard[i] ?? 0) + (frame[i] ?? 0)) : (frame[i] ?? 0);
  }

  /** The member leaves: every file left is closed (conference_member_del). */
  closeAll(closed: (node: FileNode) => void): void {
    for (const node of this.#queue.splice(0)) {
      node.source.close?.();
      closed(node);
    }
  }
}
