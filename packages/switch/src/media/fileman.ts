/**
 * The file a channel is playing as a handle others can steer (switch_ivr_play_file's `__fh`, which
 * `uuid_fileman` reaches through switch_ivr_get_file_handle and changes with switch_ivr_process_fh).
 *
 * The playback keeps its own timing: the handle arms the same end timer the plain wait would (the
 * file's length from the start), and only a command moves it — `pause` stops the file's clock and
 * plays the pause frames (samples of -1, as the C fills its buffer with 0xff) until a second
 * `pause`, `seek` and `restart` move the position (and the audio with it), `stop` ends the
 * playback as played (SWITCH_FILE_DONE: the file reads as ended), `volume` scales what is heard
 * (switch_change_sln_volume, -4..4). `speed` is kept on the handle and `truncate` (for a file being
 * written) does nothing here.
 */
import { atoi } from '../internal/strings.ts';
import { changeSlnVolume } from './sln_volume.ts';
import { type AudioSource, FRAME_SAMPLES } from './source.ts';

/** What a handle needs of its channel. */
export interface FileChannel {
  readonly core: { nowUs(): number; log(level: 'DEBUG', text: string, uuid?: string): void };
  readonly uuid: string;
  after(ms: number, fn: () => void | Promise<void>): () => void;
}

const PAUSE_FRAME = new Int16Array(FRAME_SAMPLES).fill(-1);

export class FileHandle {
  speed = 0;
  vol = 0;
  paused = false;
  /** A command changed where the file is (pause, seek, restart, stop): the position is the handle's, not the clock's. */
  moved = false;
  /** `stop` ended it. */
  stopped = false;
  /** The position (ms) when the clock last started or stopped, and when it started (undefined while paused). */
  #baseMs = 0;
  #sinceUs: number | undefined;
  #fire: (() => void | Promise<void>) | undefined;
  #cancel = () => {};

  constructor(
    private readonly ch: FileChannel,
    /** The file's length in ms (undefined: endless). */
    readonly ms: number | undefined,
    private readonly inner: AudioSource | undefined,
  ) {}

  /** The audio as the handle makes it heard (undefined: the file has none here). */
  get source(): AudioSource | undefined {
    const inner = this.inner;
    if (!inner) return undefined;
    return {
      ms: inner.ms,
      next: () => {
        if (this.paused) return PAUSE_FRAME;
        const frame = inner.next();
        if (!frame || this.vol === 0) return frame;
        const louder = frame.slice();
        changeSlnVolume(louder, this.vol);
        return louder;
      },
      close: () => inner.close?.(),
    };
  }

  /** The playback's end timer: `fire` once the file's time is up (never for an endless file, unless stopped); returns its cancel. */
  arm(fire: () => void | Promise<void>): () => void {
    this.#fire = fire;
    this.#sinceUs = this.ch.core.nowUs();
    this.#schedule(this.ms);
    return () => {
      this.#cancel();
      this.#fire = undefined;
    };
  }

  /** Where the file is, in ms from its start. */
  get positionMs(): number {
    const since = this.#sinceUs;
    return this.#baseMs + (since === undefined ? 0 : Math.floor((this.ch.core.nowUs() - since) / 1000));
  }

  #schedule(ms: number | undefined): void {
    this.#cancel();
    this.#cancel = () => {};
    const fire = this.#fire;
    if (fire && ms !== undefined) this.#cancel = this.ch.after(Math.max(0, ms), fire);
  }

  #moveTo(ms: number): void {
    this.moved = true;
    this.#baseMs = Math.max(0, ms);
    this.inner?.seek?.(Math.floor((this.#baseMs * 8000) / 1000));
    if (this.paused) return;
    this.#sinceUs = this.ch.core.nowUs();
    this.#schedule(this.ms === undefined ? undefined : this.ms - this.#baseMs);
  }

  togglePause(): void {
    this.moved = true;
    if (this.paused) {
      this.paused = false;
      this.#sinceUs = this.ch.core.nowUs();
      this.#schedule(this.ms === undefined ? undefined : this.ms - this.#baseMs);
    } else {
      this.#baseMs = this.positionMs;
      this.#sinceUs = undefined;
      this.paused = true;
      this.#schedule(undefined);
    }
  }

  seek(ms: number): void {
    this.ch.core.log('DEBUG', `seek to position ${Math.floor((ms * 8000) / 1000)}`, this.ch.uuid);
    this.#moveTo(ms);
  }

  restart(): void {
    this.speed = 0;
    this.#moveTo(0);
  }

  /** SWITCH_FILE_DONE: the next read finds the file ended. */
  stop(): void {
    this.moved = true;
    this.stopped = true;
    this.#baseMs = this.positionMs;
    this.#sinceUs = undefined;
    this.#schedule(0);
  }
}

/** The handle of the file each channel plays now (the last one opened). */
const HANDLES = new WeakMap<object, FileHandle>();

/** A playback's handle, the channel's current one until `close`. */
export function openFileHandle(ch: FileChannel, ms: number | undefined, source: AudioSource | undefined): { handle: FileHandle; close: () => void } {
  const handle = new FileHandle(ch, ms, source);
  HANDLES.set(ch, handle);
  return {
    handle,
    close: () => {
      if (HANDLES.get(ch) === handle) HANDLES.delete(ch);
    },
  };
}

/** `+<n>` / `-<n>` steps the value by n (0 or none: by `fallback`); a plain number sets it. */
function stepped(current: number, arg: string, fallback: number): number {
  if (arg.startsWith('+') || arg.startsWith('-')) return current + (atoi(arg) || fallback);
  return atoi(arg);
}

/**
 * switch_ivr_process_fh on the channel's playing file: false when it plays none (`-ERR No file
 * handle!`); a command it does not know, or one missing its `:<value>`, changes nothing.
 */
export function processFileHandle(ch: object, cmd: string): boolean {
  const fh = HANDLES.get(ch);
  if (!fh) return false;
  const lower = cmd.toLowerCase();
  const colon = cmd.indexOf(':');
  const arg = colon < 0 ? undefined : cmd.slice(colon + 1);
  if (lower.startsWith('speed')) {
    if (arg !== undefined) fh.speed = stepped(fh.speed, arg, 1);
  } else if (lower.startsWith('volume')) {
    if (arg !== undefined) fh.vol = stepped(fh.vol, arg, 1);
  } else if (lower === 'pause') fh.togglePause();
  else if (lower === 'stop') fh.stop();
  else if (lower === 'restart') fh.restart();
  else if (lower.startsWith('seek') && arg !== undefined) {
    if (arg.startsWith('+') || arg.startsWith('-')) fh.seek(fh.positionMs + (atoi(arg) || 1000));
    else fh.seek(atoui(arg));
  }
  return true;
}

/** switch_atoui: the leading digits, 0 for none or a negative number. */
function atoui(s: string): number {
  const n = atoi(s);
  return Math.max(n, 0);
}
