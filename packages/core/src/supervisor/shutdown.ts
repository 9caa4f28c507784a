/**
 * Terminating children, as supervisor.erl does, with selective receive:
 *
 *   monitor(child); unlink(child)        an 'EXIT' already queued means it died first
 *   exit(child, shutdown | kill)
 *   receive 'DOWN' (within the child's shutdown time, if a number)
 *   timeout → exit(child, kill); receive 'DOWN'
 *
 * A batch (simple_one_for_one) is signalled at once and waited for together, under one deadline.
 */
import { Tuple, atom, type Pid, type Ref } from '@beamline/etf';
import { isDownOf, isExitFrom } from '../internal/basics/signals.ts';
import { TIMEOUT, type ProcessContext } from '../internal/basics/types.ts';
import type { Shutdown } from './policy.ts';

const KILL = atom('kill');
const SHUTDOWN = atom('shutdown');
const KILLED = atom('killed');
const NOPROC = atom('noproc');
const NORMAL = atom('normal');

export interface Stopping {
  pid: Pid;
  shutdown: Shutdown;
  /** A permanent child must end with exactly what it was sent; the others may also end normally. */
  permanent: boolean;
}

/** How one child ended: its exit reason, and whether that is what its shutdown asked for. */
export interface Stopped {
  reason: unknown;
  /** False is OTP's shutdown_error: it died of something else (a kill after the timeout included). */
  expected: boolean;
}

interface Watch {
  ref: Ref;
  /** The reason from an 'EXIT' that was already queued when we unlinked. */
  early: { reason: unknown } | undefined;
  brutal: boolean;
  permanent: boolean;
}

async function watch(ctx: ProcessContext, s: Stopping): Promise<Watch> {
  const ref = ctx.monitor(s.pid);
  ctx.unlink(s.pid);
  // After unlink no new 'EXIT' comes from the child; one already queued means it died first.
  const early = await ctx.receive((m) => isExitFrom(m, s.pid), 0);
  const brutal = s.shutdown === 'brutal_kill';
  if (early === TIMEOUT) {
    ctx.exit(s.pid, brutal ? KILL : SHUTDOWN);
    // shutdown 0: supervisor.erl's `receive 'DOWN' after 0` finds nothing yet and kills, so a
    // trapping child dies `killed` before it can run terminate (one that does not trap has
    // already died of the `shutdown`)
    if (s.shutdown === 0) ctx.exit(s.pid, KILL);
  }
  return { ref, early: early === TIMEOUT ? undefined : { reason: (early as Tuple).elements[2] }, brutal, permanent: s.permanent };
}

/**
 * supervisor.erl's shutdown/1 verdict on the reason (an early 'EXIT''s, else the 'DOWN''s): what
 * was sent (`killed` for a brutal kill, `shutdown`) is fine; for a child that is not permanent so
 * are `normal`, `shutdown` and `{shutdown, _}` (one that was ending anyway). Anything else, a kill
 * after the shutdown time included, is a shutdown_error.
 */
function outcome(w: Watch, down: Tuple): Stopped {
  const reason = w.early !== undefined ? w.early.reason : down.elements[4];
  if (reason === NOPROC || reason === (w.brutal ? KILLED : SHUTDOWN)) return { reason, expected: true };
  const endedAnyway =
    reason === NORMAL || reason === SHUTDOWN || (reason instanceof Tuple && reason.elements.length === 2 && reason.elements[0] === SHUTDOWN);
  return { reason, expected: !w.permanent && endedAnyway };
}

/** Terminates the children of one batch (one child for an ordered shutdown) and waits for them. */
export async function shutdownChildren(ctx: ProcessContext, batch: Stopping[]): Promise<Stopped[]> {
  const watches: Watch[] = [];
  for (const s of batch) watches.push(await watch(ctx, s));
  const results: (Stopped | undefined)[] = batch.map(() => undefined);
  // the longest shutdown of the batch bounds the wait (`infinity` waits for ever)
  const limits = batch.map((s, i) => (watches[i].early !== undefined || s.shutdown === 'brutal_kill' ? 0 : s.shutdown));
  const deadline = limits.includes('infinity') ? undefined : ctx.now() + Math.max(0, ...(limits as number[]));
  let killed = false;
  for (let left = batch.length; left > 0; ) {
    const wait = killed || deadline === undefined ? undefined : Math.max(0, deadline - ctx.now());
    const msg = await ctx.receive((m) => watches.some((w, i) => results[i] === undefined && isDownOf(m, w.ref)), wait);
    if (msg === TIMEOUT) {
      killed = true;
      for (let i = 0; i < batch.length; i++) if (results[i] === undefined) ctx.exit(batch[i].pid, KILL);
      continue;
    }
    const i = watches.findIndex((w, j) => results[j] === undefined && isDownOf(msg, w.ref));
    results[i] = outcome(watches[i], msg as Tuple);
    left--;
  }
  return results as Stopped[];
}
