/**
 * One local stream (mod_local_stream's local_stream_source_t and read_stream_thread): a player of
 * one directory shared by everyone who listens. It runs whether or not anyone listens — a pass
 * through the directory starts with a second of silence, then each file plays a packet every
 * 20 ms of the switch's clock, the chimes break in every `chime-freq` seconds — and each tick's
 * packet goes to the listeners of that moment, so all of them hear the same sample at the same
 * time and one who comes late hears the stream where it is.
 *
 * The stream's process (`run`) keeps it ticking; a listener that reads first brings it up to the
 * clock itself (`catchUp`), so it never waits on that process. Packets are 8 kHz, as the switch's
 * media is: `rate`, `channels` and `interval` are kept and shown, not used (DECISIONS.md #183).
 */
import type { ProcessContext } from '@beamline/core';
import type { XmlElement } from '../config/xml.ts';
import { changeSlnVolumeGranular } from '../media/granular_volume.ts';
import { type AudioSource, FRAME_SAMPLES, openSource } from '../media/source.ts';
import { Playlist, type StreamRandom } from './playlist.ts';
import { type StreamSettings, reloadSettings } from './settings.ts';

/** A tick, in ms. */
const TICK_MS = 20;
/** switch_yield(1000000) at a pass's start and after a file that does not open: ticks of silence. */
const PAUSE_TICKS = 1000 / TICK_MS;
/** Ticks a listener may fall behind before its backlog is dropped (the C's samples × 768 bytes). */
const BACKLOG_TICKS = 384;
const SILENCE = new Int16Array(FRAME_SAMPLES);
const EMPTY = new Int16Array(0);

export type StreamLogLevel = 'DEBUG' | 'WARNING' | 'ERR' | 'CONSOLE';

/** What a stream needs of the module around it. */
export interface StreamHost {
  /** The switch's clock, ms. */
  nowMs(): number;
  log(level: StreamLogLevel, text: string): void;
  /** local_stream.conf's `<directory>` of this name, read again (a partial reload). */
  directory(name: string): Promise<XmlElement | undefined>;
  /** The stream ended (stopped, reloaded, its directory gone): it leaves the table. */
  ended(stream: LocalStream): void;
  /** A full reload: the stream launched again from the configuration, from `ctx`'s process. */
  relaunch(ctx: ProcessContext, name: string): Promise<void>;
}

export class LocalStream {
  readonly #host: StreamHost;
  readonly #playlist: Playlist;
  readonly #startMs: number;
  /** Ticks done; tick k is due at #startMs + k·20 ms. */
  #ticks = 0;
  /** What each recent tick gave its listeners (undefined: nothing), by tick number modulo the backlog. */
  readonly #ring: (Int16Array | undefined)[] = new Array(BACKLOG_TICKS);
  readonly #listeners = new Set<StreamListener>();
  #pause = 0;
  #inPass = false;
  #inFile = false;
  #main: AudioSource | undefined;
  #pending: Int16Array = EMPTY;
  #chime: AudioSource | undefined;
  #chimeCur = 0;
  #chimeCounter: number;
  #chimeMaxCounter = 0;
  #over = false;
  /** A full reload ends the stream this way: launched again by its process. */
  #relaunch = false;
  /** A partial reload waits for its process to read the configuration. */
  #partial = false;
  /** Processes started for this stream so far. */
  #runs = 0;
  hup = false;
  reloading = false;

  constructor(
    readonly settings: StreamSettings,
    host: StreamHost,
    random?: StreamRandom,
  ) {
    this.#host = host;
    this.#startMs = host.nowMs();
    this.#chimeCounter = settings.chimeList.length ? settings.rate * settings.chimeFreq : 0;
    this.#playlist = new Playlist(
      {
        location: settings.location,
        get shuffle() {
          return settings.shuffle;
        },
        log: (level, text) => host.log(level, text),
      },
      random,
    );
  }

  get name(): string {
    return this.settings.name;
  }

  /** Listeners now (source->total). */
  get total(): number {
    return this.#listeners.size;
  }

  get over(): boolean {
    return this.#over;
  }

  /** local_stream stop: it ends now; its listeners' playback ends at their next packet. */
  stop(): void {
    this.#end();
  }

  /** local_stream_file_open's half: a new listener, hearing from the next tick on. */
  listen(): StreamListener {
    this.catchUp();
    const l = new StreamListener(this, this.#ticks);
    this.#listeners.add(l);
    return l;
  }

  /** The ticks due by now, done. */
  catchUp(): void {
    const now = this.#host.nowMs();
    while (!this.#over && this.#startMs + this.#ticks * TICK_MS <= now) {
      let out: Int16Array | undefined;
      try {
        out = this.#tick();
      } catch (e) {
        this.#host.log('ERR', `local_stream://${this.name}: ${e instanceof Error ? e.message : String(e)}`);
        this.#end();
        return;
      }
      this.#ring[this.#ticks % BACKLOG_TICKS] = out;
      this.#ticks++;
    }
  }

  /** A listener's next packet: the one of the tick it is at, silence before that tick is due. */
  read(l: StreamListener, at: number): { frame: Int16Array | undefined; at: number } {
    this.catchUp();
    if (this.#over || !this.#listeners.has(l)) return { frame: undefined, at };
    if (at < this.#ticks - BACKLOG_TICKS) at = this.#ticks;
    if (at >= this.#ticks) return { frame: SILENCE, at };
    return { frame: this.#ring[at % BACKLOG_TICKS] ?? SILENCE, at: at + 1 };
  }

  unlisten(l: StreamListener): void {
    this.#listeners.delete(l);
  }

  /**
   * The stream's process: a tick every 20 ms until it ends; then, after a full reload, its
   * successor. A process started for a stream that had one before (that one was killed, or its
   * supervisor) goes on with the stream where the clock is. It ends normally, errors included
   * (logged, the stream ended), so that its supervisor restarts it only when it was killed.
   */
  async run(ctx: ProcessContext): Promise<void> {
    if (this.#runs++ > 0) this.#host.log('WARNING', `local_stream://${this.name}: its process ended; the stream goes on in a new one`);
    try {
      while (!this.#over) {
        const wait = this.#startMs + this.#ticks * TICK_MS - this.#host.nowMs();
        if (wait > 0) {
          await ctx.receive(undefined, wait);
          continue;
        }
        this.catchUp();
        if (this.#partial) await this.#reloadPartly();
      }
      if (this.#relaunch) await this.#host.relaunch(ctx, this.name);
    } catch (e) {
      this.#host.log('ERR', `local_stream://${this.name}: ${e instanceof Error ? e.message : String(e)}`);
      this.#end();
    }
  }

  #end(): void {
    if (this.#over) return;
    this.#over = true;
    this.#main = undefined;
    this.#chime = undefined;
    this.#host.ended(this);
  }

  /** One tick of read_stream_thread: the packet its listeners get, if any. */
  #tick(): Int16Array | undefined {
    for (;;) {
      if (this.#pause > 0) {
        this.#pause--;
        return undefined;
      }
      if (this.#inFile) return this.#fileTick();
      if (!this.#inPass) {
        if (!this.#playlist.startPass()) {
          this.#end();
          return undefined;
        }
        this.#inPass = true;
        this.#pause = PAUSE_TICKS;
        continue;
      }
      const entry = this.#playlist.next();
      if (entry === undefined) {
        this.#inPass = false;
        if (this.#passOver()) return undefined;
        continue;
      }
      if ('pause' in entry) {
        this.#pause = PAUSE_TICKS;
        continue;
      }
      const source = openSource(entry.path);
      if (!source) {
        this.#host.log('ERR', `Can't open ${entry.path}`);
        this.#pause = PAUSE_TICKS;
        continue;
      }
      this.#main = source;
      this.#pending = EMPTY;
      this.#inFile = true;
    }
  }

  /** One pass of the C's frame loop: a packet from the file (or the chime breaking in over it). */
  #fileTick(): Int16Array | undefined {
    const s = this.settings;
    const step = s.rate / (1000 / TICK_MS);
    let useChime = false;
    if (s.chimeList.length > 0) {
      if (this.#chimeCounter > 0) this.#chimeCounter -= step;
      if (!this.#chime && this.#chimeCounter <= 0) {
        const file = s.chimeList[this.#chimeCur++] ?? '';
        if (this.#chimeCur >= s.chimeList.length) this.#chimeCur = 0;
        this.#chime = openSource(file);
        if (!this.#chime) this.#host.log('ERR', `Can't open ${file}`);
      }
      useChime = this.#chime !== undefined;
    }
    const chimeRest = () => {
      this.#chime = undefined;
      this.#chimeCounter = s.rate * s.chimeFreq;
    };
    for (;;) {
      let open = useChime ? this.#chime !== undefined : this.#main !== undefined;
      if (this.hup) {
        this.hup = false;
        if (open) {
          this.#pending = EMPTY;
          if (useChime) {
            chimeRest();
            useChime = false;
          }
          this.#main = undefined;
          continue;
        }
      }
      if (open) {
        if (useChime && this.#main && !this.#main.next()) this.#main = undefined;
        const frame = (useChime ? this.#chime : this.#main)?.next();
        if (!frame || frame.length === 0) {
          if (useChime) chimeRest();
          else {
            this.#main = undefined;
            open = false;
          }
        } else {
          if (useChime && s.chimeMax) {
            this.#chimeMaxCounter += step;
            if (this.#chimeMaxCounter >= s.chimeMax) {
              this.#chimeMaxCounter = 0;
              chimeRest();
              useChime = false;
              continue;
            }
          }
          if (this.#listeners.size > 0) this.#pending = append(this.#pending, frame, s.volume);
        }
      }
      if (this.#pending.length === 0 && !open) {
        this.#inFile = false;
        this.#playlist.played();
        return undefined;
      }
      if (this.#listeners.size === 0) {
        this.#pending = EMPTY;
        return undefined;
      }
      if (this.#pending.length > 0 && (!open || this.#pending.length >= FRAME_SAMPLES)) {
        const out = this.#pending.slice(0, FRAME_SAMPLES);
        this.#pending = this.#pending.subarray(out.length);
        return out;
      }
      return undefined;
    }
  }

  /** The end of a pass: a reload asked for happens now — in full when nobody listens. True: the stream ended. */
  #passOver(): boolean {
    if (!this.reloading) return false;
    if (this.#listeners.size > 0) {
      this.#host.log('DEBUG', `Cannot stop local_stream://${this.name} because it is in use.`);
      this.#partial = true;
      return false;
    }
    this.#host.log('DEBUG', `local_stream://${this.name} fully reloaded.`);
    this.reloading = false;
    this.#relaunch = true;
    this.#end();
    return true;
  }

  async #reloadPartly(): Promise<void> {
    this.#partial = false;
    const directory = await this.#host.directory(this.name);
    if (directory) reloadSettings(this.settings, directory, (level, text) => this.#host.log(level, text));
    if (this.settings.chimeList.length) this.#chimeCounter = this.settings.rate * this.settings.chimeFreq;
    this.#host.log('DEBUG', `local_stream://${this.name} partially reloaded.`);
    this.reloading = false;
  }
}

/** `pending` with `frame` after it, at `volume`. */
function append(pending: Int16Array, frame: Int16Array, volume: number): Int16Array {
  const out = new Int16Array(pending.length + frame.length);
  out.set(pending);
  out.set(frame, pending.length);
  if (volume) changeSlnVolumeGranular(out.subarray(pending.length), volume);
  return out;
}

/** A listener (local_stream_context_t): what a channel, or anything else playing `local_stream://`, reads. */
export class StreamListener implements AudioSource {
  readonly ms = undefined;
  #at: number;

  constructor(
    readonly stream: LocalStream,
    at: number,
  ) {
    this.#at = at;
  }

  next(): Int16Array | undefined {
    const { frame, at } = this.stream.read(this, this.#at);
    this.#at = at;
    return frame;
  }

  /** local_stream_file_close. */
  close(): void {
    this.stream.unlisten(this);
  }
}
