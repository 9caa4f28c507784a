/**
 * Media steps awaited one after another in plain async code, as a C application calls
 * switch_ivr_play_file, switch_ivr_sleep, … in turn. Each step is started as an application starts
 * its media (with a `done`, giving back an interrupter); the script waits until the step calls
 * `done`. Control goes back to whoever resumed the script (the application's start, or the
 * timer or interrupter that ended the previous step) only when the script waits again or ends, so
 * each step starts inside the channel's turn that ended the one before.
 */
import type { Interrupter } from './types.ts';

export type StepStart = (done: () => Promise<void>) => Promise<Interrupter | undefined> | Interrupter | undefined;

export class MediaScript {
  #release: (() => void) | undefined;
  #current: Interrupter | undefined;

  constructor(release: () => void) {
    this.#release = release;
  }

  /** Runs one step to its end. */
  async step(start: StepStart): Promise<void> {
    let starting = true;
    let ended = false;
    let resume = () => {};
    const done = () => {
      if (ended) return Promise.resolve();
      ended = true;
      this.#current = undefined;
      // a step that ends while it starts (a pending break) must not wait for the script
      if (starting) return Promise.resolve();
      return new Promise<void>((back) => {
        this.#release = back;
        resume();
      });
    };
    const interrupter = await start(done);
    starting = false;
    if (ended) return;
    this.#current = interrupter;
    await new Promise<void>((r) => {
      resume = r;
      this.#yield();
    });
  }

  /** Ends the step in progress (a hangup, a break); the script goes on from its end. */
  interrupt(): void | Promise<void> {
    return this.#current?.();
  }

  /** The script is over: control goes back. */
  end(): void {
    this.#yield();
  }

  #yield(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}

/**
 * Starts `script` as an application: resolves with its interrupter once it first waits, or with
 * undefined when it ended at once (after `done`).
 */
export async function runScript(script: (s: MediaScript) => Promise<void>, done: () => void | Promise<void>): Promise<Interrupter | undefined> {
  let over = false;
  let started!: () => void;
  const waiting = new Promise<void>((r) => {
    started = r;
  });
  const s = new MediaScript(started);
  void (async () => {
    try {
      await script(s);
    } finally {
      over = true;
      await done();
      s.end();
    }
  })();
  await waiting;
  return over ? undefined : () => s.interrupt();
}
