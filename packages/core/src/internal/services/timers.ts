/**
 * erlang:send_after / cancel_timer on the runtime's clock. As in Erlang, a timer whose
 * destination is a local pid is cancelled when that process exits; the runtime cancels every
 * timer on stop.
 */
import { Atom, Pid, Ref, t } from '@beamline/etf';
import { BadArg } from '../basics/errors.ts';
import { timeout } from '../basics/atoms.ts';
import { refKey } from '../basics/refs.ts';
import type { Dest } from '../basics/types.ts';
import type { Proc } from '../process/process.ts';
import type { ServiceHost } from './host.ts';

interface Armed {
  handle: unknown;
  due: number;
  /** The local process the timer is addressed to (by pid), if any. */
  owner: Proc | undefined;
}

export class Timers {
  private readonly armed = new Map<string, Armed>();
  /** Timers addressed to a local process by pid, per process. */
  private readonly byProc = new Map<Proc, Set<string>>();

  constructor(private readonly rt: ServiceHost) {}

  /**
   * erlang:send_after (or start_timer with `timeoutTuple`: the message is `{timeout, Ref, Msg}`).
   * A timer aimed at a local pid that is not alive is never armed: cancelling it answers false.
   */
  sendAfter(ms: number, dest: Dest, msg: unknown, from: Proc | undefined, timeoutTuple = false): Ref {
    if (!Number.isInteger(ms) || ms < 0) throw new BadArg(`send_after: the time must be a non-negative integer, got ${String(ms)}`);
    if (!(dest instanceof Pid || dest instanceof Atom || typeof dest === 'string')) {
      throw new BadArg('send_after: the destination must be a pid or a registered name');
    }
    const rt = this.rt;
    const ref = rt.makeRef();
    const key = refKey(ref);
    let owner: Proc | undefined;
    if (dest instanceof Pid && rt.isLocal(dest)) {
      owner = rt.lookup(dest);
      if (owner === undefined) return ref;
    }
    const message = timeoutTuple ? t(timeout, ref, msg as never) : msg;
    const handle = rt.clock.setTimer(ms, () => {
      this.forget(key);
      try {
        rt.route(from, dest, message);
      } catch {
        // Like Erlang: a timer to an unregistered name is silently dropped.
      }
    });
    this.armed.set(key, { handle, due: rt.clock.now() + ms, owner });
    if (owner !== undefined) {
      let set = this.byProc.get(owner);
      if (set === undefined) this.byProc.set(owner, (set = new Set()));
      set.add(key);
    }
    return ref;
  }

  /** erlang:cancel_timer: whole milliseconds that were left, or false. */
  cancel(ref: Ref): number | false {
    if (!(ref instanceof Ref)) throw new BadArg('cancel_timer: not a reference');
    const key = refKey(ref);
    const armed = this.forget(key);
    if (armed === undefined) return false;
    this.rt.clock.clearTimer(armed.handle);
    return this.left(armed);
  }

  /** erlang:read_timer: whole milliseconds left, or false. */
  read(ref: Ref): number | false {
    if (!(ref instanceof Ref)) throw new BadArg('read_timer: not a reference');
    const armed = this.armed.get(refKey(ref));
    return armed === undefined ? false : this.left(armed);
  }

  private left(armed: Armed): number {
    return Math.max(0, Math.floor(armed.due - this.rt.clock.now()));
  }

  /** `p` exited: its pid-addressed timers can never deliver, cancel them. */
  exiting(p: Proc): void {
    const keys = this.byProc.get(p);
    if (keys === undefined) return;
    this.byProc.delete(p);
    for (const key of keys) {
      const armed = this.armed.get(key);
      if (armed === undefined) continue;
      this.armed.delete(key);
      this.rt.clock.clearTimer(armed.handle);
    }
  }

  get count(): number {
    return this.armed.size;
  }

  cancelAll(): void {
    for (const armed of this.armed.values()) this.rt.clock.clearTimer(armed.handle);
    this.armed.clear();
    this.byProc.clear();
  }

  private forget(key: string): Armed | undefined {
    const armed = this.armed.get(key);
    if (armed === undefined) return undefined;
    this.armed.delete(key);
    if (armed.owner !== undefined) {
      const set = this.byProc.get(armed.owner);
      if (set !== undefined) {
        set.delete(key);
        if (set.size === 0) this.byProc.delete(armed.owner);
      }
    }
    return armed;
  }
}
