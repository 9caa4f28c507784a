/**
 * Links and exit signals (Erlang semantics):
 *  - a link is bidirectional; when a process exits, every linked process gets an exit signal;
 *  - a trapping process turns any exit signal into a message `{'EXIT', From, Reason}`;
 *  - otherwise reason `normal` is ignored and any other reason kills it with that reason;
 *  - `exit(Pid, kill)` (exit/2) is untrappable and kills with reason `killed`;
 *  - `exit(self(), normal)` from the process itself kills it (when not trapping).
 */
import { Pid, t } from '@beamline/etf';
import { EXIT, kill, killed, noconnection, normal } from '../basics/atoms.ts';
import { pidEquals, pidKey } from '../basics/refs.ts';
import { DEAD, EXITING, TRAP_EXIT, type Proc } from '../process/process.ts';
import type { ServiceHost } from './host.ts';

export class Links {
  constructor(private readonly rt: ServiceHost) {}

  /**
   * link/1 from `p`. Returns false when `pid` is a local process that does not exist (the caller
   * raises noproc or, trapping exits, gets an 'EXIT' message). A remote node that cannot be
   * reached gives a link exit `noconnection`, as BEAM does.
   */
  link(p: Proc, pid: Pid): boolean {
    const rt = this.rt;
    if (pidEquals(pid, p.self)) return true;
    if (!rt.isLocal(pid)) {
      const router = rt.router;
      const key = pidKey(pid);
      if (p.links?.has(key)) return true;
      if (router === undefined) {
        this.signal(p, pid, noconnection, true);
        return true;
      }
      (p.links ??= new Map()).set(key, pid);
      rt.trackRemote(p);
      router.link(p.self, pid);
      return true;
    }
    const q = rt.lookup(pid);
    // an exit already sent to it (EXITING) is ahead of this link: noproc, as in BEAM
    if (q === undefined || q.flags & (DEAD | EXITING)) return false;
    (p.links ??= new Map()).set(q, q);
    (q.links ??= new Map()).set(p, p);
    return true;
  }

  unlink(p: Proc, pid: Pid): void {
    const rt = this.rt;
    if (!rt.isLocal(pid)) {
      const key = pidKey(pid);
      if (p.dropLink(key)) rt.router?.unlink(p.self, pid);
      return;
    }
    const q = rt.lookup(pid);
    if (q === undefined) return;
    p.dropLink(q);
    q.dropLink(p);
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
        other.dropLink(p);
        this.signal(other, p.self, reason, true);
      }
    }
  }
}
