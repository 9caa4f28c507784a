/**
 * The scheduler: a run queue of processes with work, drained in batches. `send` only enqueues;
 * delivery happens here, never on the sender's stack. A batch runs in a microtask; after a budget
 * of reductions the scheduler yields to the event loop with setImmediate so I/O keeps being served.
 *
 * Exit signals that kill are queued separately and applied before the next process runs, so a
 * chain of 100,000 linked processes dies iteratively, not recursively.
 */
import { DEAD, EXITING, IN_RUNQ, type Proc, type RunQueue } from '../process/process.ts';

/** Reductions (messages handled / processes run) between yields to the event loop. */
export const DEFAULT_BUDGET = 20_000;

const RESOLVED = Promise.resolve();

const IDLE = 0;
const MICRO = 1;
const MACRO = 2;

export class Scheduler implements RunQueue {
  /** Run queue: a growable ring buffer of processes. */
  private q: (Proc | undefined)[] = new Array(1024);
  private head = 0;
  private size = 0;
  /** Pending kills: [proc, reason, proc, reason, ...]. */
  private kills: unknown[] = [];
  private killHead = 0;
  private state = IDLE;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  /** Reductions since the last yield to the event loop. */
  reductions = 0;
  private stopped = false;
  private readonly drainFn = (): void => this.drain();
  private readonly macroFn = (): void => {
    this.immediate = undefined;
    this.reductions = 0;
    this.drain();
  };

  constructor(
    private readonly apply: (p: Proc, reason: unknown) => void,
    readonly budget = DEFAULT_BUDGET,
  ) {}

  hasBudget(): boolean {
    return this.reductions < this.budget;
  }

  /** Make `p` runnable (idempotent: a process is in the run queue at most once). */
  enqueue(p: Proc): void {
    if (p.flags & IN_RUNQ) return;
    p.flags |= IN_RUNQ;
    const q = this.q;
    if (this.size === q.length) this.grow();
    this.q[(this.head + this.size) & (this.q.length - 1)] = p;
    this.size++;
    if (this.state === IDLE) this.schedule();
  }

  /** Queue an exit that kills `p` with `reason` (applied before the next process runs). */
  queueKill(p: Proc, reason: unknown): void {
    if (p.flags & (DEAD | EXITING)) return;
    p.flags |= EXITING;
    this.kills.push(p, reason);
    if (this.state === IDLE) this.schedule();
  }

  get idle(): boolean {
    return this.size === 0 && this.killHead === this.kills.length && this.state === IDLE;
  }

  stop(): void {
    this.stopped = true;
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
    this.q = new Array(16);
    this.head = 0;
    this.size = 0;
    this.kills = [];
    this.killHead = 0;
    this.state = IDLE;
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.reductions < this.budget) {
      this.state = MICRO;
      // a native promise job: cheaper than Node's queueMicrotask wrapper
      RESOLVED.then(this.drainFn);
    } else {
      this.state = MACRO;
      this.immediate = setImmediate(this.macroFn);
    }
  }

  private drain(): void {
    if (this.stopped) return;
    const budget = this.budget;
    let red = this.reductions;
    for (;;) {
      if (this.killHead < this.kills.length) this.applyKills();
      if (this.size === 0) break;
      if (red >= budget) {
        this.reductions = red;
        this.state = MACRO;
        this.immediate = setImmediate(this.macroFn);
        return;
      }
      const q = this.q;
      const p = q[this.head]!;
      q[this.head] = undefined;
      this.head = (this.head + 1) & (q.length - 1);
      this.size--;
      p.flags &= ~IN_RUNQ;
      this.reductions = red;
      red = this.reductions + p.run() + 1;
    }
    this.reductions = red;
    this.state = IDLE;
  }

  private applyKills(): void {
    const kills = this.kills;
    // Applying a kill may queue more (links); the loop picks them up without recursion.
    while (this.killHead < kills.length) {
      const p = kills[this.killHead] as Proc;
      const reason = kills[this.killHead + 1];
      kills[this.killHead] = kills[this.killHead + 1] = undefined;
      this.killHead += 2;
      this.apply(p, reason);
    }
    this.kills = [];
    this.killHead = 0;
  }

  private grow(): void {
    const old = this.q;
    const next: (Proc | undefined)[] = new Array(old.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.q = next;
    this.head = 0;
  }
}
