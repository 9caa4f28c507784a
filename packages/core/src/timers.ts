/**
 * erlang:send_after / cancel_timer on the runtime's clock. As in Erlang, a timer whose
 * destination is a local pid is cancelled when that process exits; the runtime cancels every
 * timer on stop.
 */
import { Pid, type Ref } from '@beamline/etf';
import { refKey } from './refs.ts';
import type { Runtime } from './runtime.ts';
import type { Dest } from './types.ts';
import type { Proc } from './process.ts';

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

  constructor(private readonly rt: Runtime) {}

  sendAfter(ms: number, dest: Dest, msg: unknown, from: Proc | undefined): Ref {
    const rt = this.rt;
    const ref = rt.makeRef();
    const key = refKey(ref);
    const owner = dest instanceof Pid ? rt.lookup(dest) : undefined;
    const handle = rt.clock.setTimer(ms, () => {
      this.forget(key);
      try {
        rt.route(from, dest, msg);
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

  cancel(ref: Ref): number | false {
    const key = refKey(ref);
    const armed = this.forget(key);
    if (armed === undefined) return false;
    this.rt.clock.clearTimer(armed.handle);
    return Math.max(0, armed.due - this.rt.clock.now());
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
