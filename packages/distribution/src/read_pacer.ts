/**
 * Inbound read pacing for one connection during a flood of small messages.
 *
 * A node that reads each message as soon as it lands keeps its TCP receive window wide open, so
 * the sending node's every `writev` goes out as its own loopback segment, and the sender pays the
 * whole transmit path (and our receive path, which on loopback runs in its context) once per
 * message: an erl sender needs ~3 µs of CPU a message to us against ~1.7 µs to a receiver that
 * lags. While a flood lasts (many reads bringing many bytes within a millisecond), the pacer lets
 * each turn of the event loop read what has arrived, then stops reading for `pauseMs`. The peer's
 * writes queue in its socket meanwhile (cheaply, appended to one segment), and the next turn reads
 * them in big chunks. The cost is up to `pauseMs` of latency for messages that arrive during a
 * flood; a connection that is not flooded is never paused.
 */
import type { Socket } from 'node:net';

export interface ReadPacing {
  /** A flood: at least this many reads (default 64) ... */
  floodReads: number;
  /** ... and this many bytes (default 16 KiB) within one millisecond. Pacing ends when a pause
   *  gathered fewer bytes than this. */
  floodBytes: number;
  /** How long a pause lasts, ms (default 1: Node's finest timer). */
  pauseMs: number;
}

export const DEFAULT_READ_PACING: ReadPacing = { floodReads: 64, floodBytes: 16 * 1024, pauseMs: 1 };

export class ReadPacer {
  private pacing = false;
  private millisecond = 0;
  private readsThisMs = 0;
  private bytesThisMs = 0;
  /** Bytes read since the last resume, while pacing. */
  private gathered = 0;
  /** A decision is due at the end of this turn's reads (setImmediate runs after the poll phase). */
  private deciding = false;
  private timer: NodeJS.Timeout | undefined;
  private held = false;
  /** Pauses made (stats). */
  pauses = 0;

  constructor(
    private readonly socket: Socket,
    private readonly cfg: ReadPacing,
  ) {}

  /** After each chunk read; `now` is Date.now(). */
  onRead(bytes: number, now: number): void {
    if (this.pacing) {
      this.gathered += bytes;
    } else {
      if (now !== this.millisecond) {
        this.millisecond = now;
        this.readsThisMs = 0;
        this.bytesThisMs = 0;
      }
      this.bytesThisMs += bytes;
      if (++this.readsThisMs < this.cfg.floodReads || this.bytesThisMs < this.cfg.floodBytes) return;
      this.pacing = true;
      this.gathered = this.bytesThisMs;
    }
    if (!this.deciding) {
      this.deciding = true;
      setImmediate(this.decide);
    }
  }

  /** After a turn's reads while pacing: pause, or end the pacing when the flood is over. */
  private readonly decide = (): void => {
    this.deciding = false;
    if (this.held || this.timer !== undefined || this.socket.destroyed) return;
    if (this.gathered < this.cfg.floodBytes) {
      this.pacing = false;
      this.readsThisMs = 0;
      this.bytesThisMs = 0;
      return;
    }
    this.socket.pause();
    this.pauses++;
    this.timer = setTimeout(this.resume, this.cfg.pauseMs);
  };

  private readonly resume = (): void => {
    this.timer = undefined;
    this.gathered = 0;
    if (!this.held && !this.socket.destroyed) this.socket.resume();
  };

  /** Stop reading until the connection ends (a test hook: the peer's writes back up). */
  hold(): void {
    this.stop();
    this.socket.pause();
  }

  /** The connection is going down: no pause or resume after this. */
  stop(): void {
    this.held = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
