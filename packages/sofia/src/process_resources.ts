/**
 * What a process holds outside the runtime (its sockets, a bus subscription, rows in the switch's
 * tables), released when the process ends however it ends, as Erlang closes a process's ports when
 * their owner exits. An orderly stop releases them in `terminate`; `exit(Pid, kill)` runs no code
 * of the process, so a watcher process that monitors it releases them on its `DOWN`. A resource
 * acquired after the owner is gone (an `await` that resolved after a kill) is released at once.
 */
import { DOWN, type ProcessContext, refEquals } from '@beamline/core';
import { Tuple } from '@beamline/etf';

export class ProcessResources {
  readonly #releases: (() => void)[] = [];
  #released = false;

  private constructor(
    owner: ProcessContext,
    readonly onError: (e: unknown) => void,
  ) {
    const pid = owner.self;
    // the watcher: releases them when the owner dies without running terminate
    owner.spawn(async (w) => {
      const ref = w.monitor(pid);
      await w.receive((m) => m instanceof Tuple && m.elements[0] === DOWN && refEquals(m.elements[1], ref));
      this.release();
    });
  }

  /** Resources of the calling process; `onError` hears a release that threw (the others still run). */
  static of(owner: ProcessContext, onError: (e: unknown) => void): ProcessResources {
    return new ProcessResources(owner, onError);
  }

  /** Holds one more resource, released with the others (newest first). */
  hold(release: () => void): void {
    if (this.#released) this.#run(release);
    else this.#releases.push(release);
  }

  /** Releases everything held, once (terminate, the watcher, or the owner's next incarnation); later calls do nothing. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    for (const r of this.#releases.splice(0).reverse()) this.#run(r);
  }

  #run(release: () => void): void {
    try {
      release();
    } catch (e) {
      this.onError(e);
    }
  }
}
