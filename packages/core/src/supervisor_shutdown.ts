/**
 * Terminating children without blocking the supervisor's process.
 *
 * A supervisor process is a callback process: it cannot sit in a receive while a child shuts down.
 * So terminating is a small job kept in the supervisor's state and driven by the messages it gets:
 *
 *   begin(child):  monitor(child); unlink(child); exit(child, shutdown | kill)
 *                  (a number shutdown also arms a timer on the runtime clock)
 *   'DOWN'         the child is gone: next child (or next batch)
 *   timer fires    exit(child, kill), keep waiting for its 'DOWN'
 *
 * Batches run one after the other (ordered shutdown: one child per batch, reverse start order);
 * the children of one batch are terminated concurrently (simple_one_for_one). When the last batch
 * is done the job's continuation runs. While a job runs the supervisor defers every other message.
 */
import { Tuple, atom, type Pid, type Ref } from '@beamline/etf';
import type { NormalizedSpec } from './supervisor_policy.ts';

/** What the shutdown job needs from the process it runs in. */
export interface ShutdownCtx {
  readonly self: Pid;
  monitor(pid: Pid): Ref;
  unlink(pid: Pid): void;
  exit(pid: Pid, reason: unknown): void;
  sendAfter(ms: number, dest: Pid, msg: unknown): unknown;
  cancelTimer(ref: any): unknown;
}

export interface StoppableChild {
  spec: NormalizedSpec;
  pid: Pid | undefined;
}

/** The timer message of a child that did not stop within its shutdown time. */
export class ShutdownTimeout {
  constructor(readonly key: string) {}
}

interface Stopping<C> {
  child: C;
  pid: Pid;
  timer: unknown;
  brutal: boolean;
}

export function refKey(r: Ref): string {
  return `${r.node.name}|${r.creation}|${r.ids.join('.')}`;
}

const KILL = atom('kill');
const SHUTDOWN = atom('shutdown');
const KILLED = atom('killed');
const NOPROC = atom('noproc');
const DOWN = atom('DOWN');

export class ShutdownJob<C extends StoppableChild> {
  private readonly pending = new Map<string, Stopping<C>>();
  private next = 0;

  /**
   * @param batches terminated batch after batch; children that are not running are skipped
   * @param onStopped called as each child is confirmed dead (after its pid is cleared); `expected`
   *   is false when it died of something else than what its shutdown asked for
   */
  constructor(
    private readonly batches: C[][],
    private readonly onStopped: (child: C, pid: Pid, reason: unknown, expected: boolean) => void,
  ) {}

  get done(): boolean {
    return this.pending.size === 0 && this.next >= this.batches.length;
  }

  /** Starts batches until one has something to wait for. Returns `done`. */
  advance(ctx: ShutdownCtx): boolean {
    while (this.pending.size === 0 && this.next < this.batches.length) {
      for (const child of this.batches[this.next++]) if (child.pid !== undefined) this.begin(ctx, child);
    }
    return this.done;
  }

  private begin(ctx: ShutdownCtx, child: C): void {
    const pid = child.pid as Pid;
    const ref = ctx.monitor(pid);
    const key = refKey(ref);
    // After unlink no new 'EXIT' comes from this child; one already queued is ignored later because
    // the pid is no longer a current child.
    ctx.unlink(pid);
    const shutdown = child.spec.shutdown;
    let timer: unknown;
    if (shutdown === 'brutal_kill') {
      ctx.exit(pid, KILL);
    } else {
      ctx.exit(pid, SHUTDOWN);
      if (typeof shutdown === 'number') timer = ctx.sendAfter(shutdown, ctx.self, new ShutdownTimeout(key));
    }
    this.pending.set(key, { child, pid, timer, brutal: shutdown === 'brutal_kill' });
  }

  /**
   * Offers a message to the job. Returns false when the message is not the job's (the supervisor
   * defers it); true when consumed. Check `done` afterwards, then `advance` again.
   */
  handle(ctx: ShutdownCtx, msg: unknown): boolean {
    if (msg instanceof ShutdownTimeout) {
      const s = this.pending.get(msg.key);
      if (s === undefined) return true; // a stale timer: its child is already down
      s.timer = undefined;
      ctx.exit(s.pid, KILL);
      return true;
    }
    if (msg instanceof Tuple && msg.size === 5 && msg.get(0) === DOWN) {
      const key = refKey(msg.get(1) as Ref);
      const s = this.pending.get(key);
      if (s === undefined) return false;
      this.pending.delete(key);
      if (s.timer !== undefined) ctx.cancelTimer(s.timer);
      const reason = msg.get(4);
      // OTP's shutdown_error: anything but what was asked for (a kill after the timeout included)
      const expected = (s.brutal ? reason === KILLED : reason === SHUTDOWN) || reason === NOPROC;
      if (s.child.pid === s.pid) s.child.pid = undefined;
      this.onStopped(s.child, s.pid, reason, expected);
      this.advance(ctx);
      return true;
    }
    return false;
  }

  /** Used when the supervisor dies in the middle of a job: the children still waited for. */
  waiting(): Pid[] {
    return [...this.pending.values()].map((s) => s.pid);
  }
}
