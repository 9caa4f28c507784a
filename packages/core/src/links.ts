/**
 * Links and exit signals (Erlang semantics):
 *  - a link is bidirectional; when a process exits, every linked process gets an exit signal;
 *  - a trapping process turns any exit signal into a message `{'EXIT', From, Reason}`;
 *  - otherwise reason `normal` is ignored and any other reason kills it with that reason;
 *  - `exit(Pid, kill)` (exit/2) is untrappable and kills with reason `killed`;
 *  - `exit(self(), normal)` from the process itself kills it (when not trapping).
 */
import { Pid, t } from '@beamline/etf';
import { EXIT, kill, killed, noconnection, noproc, normal } from './atoms.ts';
import { pidEquals, pidKey } from './refs.ts';
import { DEAD, TRAP_EXIT, type Proc } from './process.ts';
import type { Runtime } from './runtime.ts';

export class Links {
  constructor(private readonly rt: Runtime) {}

  /** link/1 from `p`. Linking to a dead process sends `p` an exit signal `noproc`. */
  link(p: Proc, pid: Pid): void {
    const rt = this.rt;
    if (pidEquals(pid, p.self)) return;
    if (!rt.isLocal(pid)) {
      const router = rt.router;
      const key = pidKey(pid);
      if (p.links?.has(key)) return;
      if (router === undefined) {
        this.signal(p, pid, noconnection, true);
        return;
      }
      (p.links ??= new Map()).set(key, pid);
      rt.trackRemote(p);
      router.link(p.self, pid);
      return;
    }
    const q = rt.lookup(pid);
    if (q === undefined) {
      this.signal(p, pid, noproc, true);
      return;
    }
    (p.links ??= new Map()).set(q, q);
    (q.links ??= new Map()).set(p, p);
  }

  unlink(p: Proc, pid: Pid): void {
    const rt = this.rt;
    if (!rt.isLocal(pid)) {
      const key = pidKey(pid);
      if (p.links?.delete(key)) rt.router?.unlink(p.self, pid);
      return;
    }
    const q = rt.lookup(pid);
    if (q === undefined) return;
    p.links?.delete(q);
    q.links?.delete(p);
  }

  /** exit/2: `from` (a pid, maybe remote or the runtime's init pid) sends `reason` to `to`. */
  exit2(from: Pid, to: Pid, reason: unknown): void {
    const rt = this.rt;
    if (!rt.isLocal(to)) {
      rt.router?.exit(from, to, reason);
      return;
    }
    const q = rt.lookup(to);
    if (q !== undefined) this.signal(q, from, reason, false);
  }

  /**
   * Deliver an exit signal to local process `to`. `link` distinguishes a link signal (a linked
   * process died) from exit/2.
   */
  signal(to: Proc, from: Pid, reason: unknown, link: boolean): void {
    if (to.flags & DEAD) return;
    if (!link && reason === kill) {
      this.rt.scheduler.queueKill(to, killed);
    } else if (to.flags & TRAP_EXIT) {
      to.deliver(t(EXIT, from, reason as never));
    } else if (reason === normal) {
      if (!link && pidEquals(from, to.self)) this.rt.scheduler.queueKill(to, normal);
    } else {
      this.rt.scheduler.queueKill(to, reason);
    }
  }

  /** `p` is exiting with `reason`: signal every linked process and drop the links. */
  exiting(p: Proc, reason: unknown): void {
    const links = p.links;
    if (links === null) return;
    p.links = null;
    const rt = this.rt;
    for (const other of links.values()) {
      if (other instanceof Pid) {
        rt.router?.linkExit(p.self, other, reason);
      } else {
        other.links?.delete(p);
        this.signal(other, p.self, reason, true);
      }
    }
  }
}
