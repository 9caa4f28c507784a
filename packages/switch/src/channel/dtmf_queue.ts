/**
 * A channel's DTMF queue (switch_channel_queue_dtmf / dequeue_dtmf / flush_dtmf): digits the far
 * end sent wait here until an application reads them; the one reading gets each digit as it comes.
 * Digits are handed over through `schedule`, the channel's own work queue, so a reader runs in the
 * channel's process between its other work.
 */

/** SWITCH_DTMF_LOG_LEN: digits kept while nothing reads them. */
const MAX_QUEUED = 1000;

/** switch_dtmf_source_t as the DTMF event's `DTMF-Source` names it. */
export type DtmfSource = 'UNKNOWN' | 'INBAND_AUDIO' | 'RTP' | 'ENDPOINT' | 'APP';

export type DtmfReader = (digit: string) => void | Promise<void>;

export class DtmfQueue {
  #digits: string[] | undefined;
  #reader: DtmfReader | undefined;
  #watcher: (() => void | Promise<void>) | undefined;
  readonly #schedule: (work: () => void | Promise<void>) => void;

  constructor(schedule: (work: () => void | Promise<void>) => void) {
    this.#schedule = schedule;
  }

  get reading(): boolean {
    return this.#reader !== undefined;
  }

  /** A digit that arrived: to the reader, else kept (up to SWITCH_DTMF_LOG_LEN). */
  add(digit: string): void {
    if (this.#reader) this.#hand(digit);
    else this.#keep(digit);
  }

  /** `reader` reads from now on: the kept digits first, one by one. Returns the end of reading (only this reader's). */
  read(reader: DtmfReader): () => void {
    this.#reader = reader;
    const kept = this.#digits;
    this.#digits = undefined;
    for (const digit of kept ?? []) this.#hand(digit);
    return () => {
      if (this.#reader === reader) this.#reader = undefined;
    };
  }

  /**
   * switch_channel_has_dtmf for one who waits without reading: `watcher` runs once a digit waits
   * in the queue (at once if one does), the digit left there. Returns the end of watching.
   */
  watch(watcher: () => void | Promise<void>): () => void {
    this.#watcher = watcher;
    if (this.#digits?.length) this.#tellWatcher();
    return () => {
      if (this.#watcher === watcher) this.#watcher = undefined;
    };
  }

  #tellWatcher(): void {
    const watcher = this.#watcher;
    this.#watcher = undefined;
    if (watcher) this.#schedule(watcher);
  }

  flush(): void {
    this.#digits = undefined;
  }

  #keep(digit: string): void {
    this.#digits ??= [];
    if (this.#digits.length < MAX_QUEUED) this.#digits.push(digit);
    this.#tellWatcher();
  }

  /** Whoever reads when the work runs gets the digit (the queue keeps it if nobody does). */
  #hand(digit: string): void {
    this.#schedule(() => {
      const reader = this.#reader;
      if (reader) return reader(digit);
      this.#keep(digit);
    });
  }
}
