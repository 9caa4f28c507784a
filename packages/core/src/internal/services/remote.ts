/**
 * The inbound half of the remote hook: @beamline/distribution delivers what arrives from the wire
 * here (`rt.fromRemote`). A pid is local when its node is the runtime's node and its creation
 * matches; a pid with our node name and an older creation is a dead local pid.
 */
import { type Atom, Pid, atom, type Ref } from '@beamline/etf';
import { noconnection, noproc } from '../basics/atoms.ts';
import { pidKey, refKey } from '../basics/refs.ts';
import type { Proc } from '../process/process.ts';
import type { Aliases } from './aliases.ts';
import type { ServiceHost } from './host.ts';
import type { Links } from './links.ts';
import { downMessage } from './monitors.ts';
import type { Registry } from './registry.ts';
import type { RemoteName } from './remote_router.ts';

/** Inbound signals, called by dist for what arrives from the wire. */
export class RemoteInbound {
  constructor(
    private readonly rt: ServiceHost,
    private readonly links: Links,
    private readonly aliases: Aliases,
    private readonly registry: Registry,
    /** The local processes with remote links or monitors. */
    private readonly participants: () => Iterable<Proc>,
  ) {}

  /** SEND / REG_SEND: `to` is a local pid or a local registered name. Unknown targets drop it. */
  send(to: Pid | Atom | string, msg: unknown): void {
    const rt = this.rt;
    const p = to instanceof Pid ? rt.lookup(to) : this.registry.lookup(typeof to === 'string' ? to : to.name);
    p?.deliver(msg);
  }

  /** ALIAS_SEND: to a local alias; dropped unless the alias is active (then returns false). */
  aliasSend(_from: Pid, alias: Ref, msg: unknown): boolean {
    return alias.node === this.rt.node && this.aliases.send(alias, msg);
  }

  /** How many aliases local processes hold (introspection). */
  aliasCount(): number {
    return this.aliases.size;
  }

  /** LINK from remote `from` to local `to`. If `to` is dead, `from` gets a link exit `noproc`. */
  link(from: Pid, to: Pid): void {
    const rt = this.rt;
    const p = rt.lookup(to);
    if (p === undefined) {
      rt.router?.linkExit(to, from, noproc);
      return;
    }
    (p.links ??= new Map()).set(pidKey(from), from);
    rt.trackRemote(p);
  }

  /** UNLINK from remote `from` to local `to`. */
  unlink(from: Pid, to: Pid): void {
    this.rt.lookup(to)?.dropLink(pidKey(from));
  }

  /** EXIT: remote `from`, linked to local `to`, died with `reason`. */
  exit(from: Pid, to: Pid, reason: unknown): void {
    const rt = this.rt;
    const p = rt.lookup(to);
    if (p === undefined) return;
    if (!p.dropLink(pidKey(from))) return; // no link (already unlinked): ignore
    this.links.signal(p, from, reason, true);
  }

  /** EXIT2: remote `from` called exit(To, Reason). */
  exit2(from: Pid, to: Pid, reason: unknown): void {
    const p = this.rt.lookup(to);
    if (p !== undefined) this.links.signal(p, from, reason, false);
  }

  /**
   * MONITOR_P: remote `from` monitors local `target` (pid or registered name) with `ref`. A dead
   * or unknown target answers at once with MONITOR_P_EXIT `noproc` through the router.
   */
  monitor(from: Pid, target: Pid | Atom | string, ref: Ref): void {
    const rt = this.rt;
    const p = target instanceof Pid ? rt.lookup(target) : this.registry.lookup(typeof target === 'string' ? target : target.name);
    const item: Pid | RemoteName = target instanceof Pid ? target : [typeof target === 'string' ? atom(target) : target, rt.node];
    if (p === undefined) {
      rt.router?.monitorExit(item, from, ref, noproc);
      return;
    }
    const key = refKey(ref);
    (p.mons ??= new Map()).set(key, { ref, key, watcher: from, target: p, item });
    rt.trackRemote(p);
  }

  /** DEMONITOR_P from remote `from`. */
  demonitor(_from: Pid, target: Pid | Atom | string, ref: Ref): void {
    const p = target instanceof Pid ? this.rt.lookup(target) : this.registry.lookup(typeof target === 'string' ? target : target.name);
    p?.dropMon(refKey(ref));
  }

  /** MONITOR_P_EXIT: the remote process local `watcher` monitored with `ref` is down. */
  down(watcher: Pid, ref: Ref, reason: unknown): void {
    const p = this.rt.lookup(watcher);
    if (p === undefined) return;
    const key = refKey(ref);
    const mon = p.mons?.get(key);
    if (mon === undefined || mon.watcher !== p) return;
    p.dropMon(key);
    if (mon.alias === true) this.aliases.unalias(p, mon.ref);
    p.deliver(downMessage(mon.ref, mon.item, reason));
  }

  /**
   * The connection to `node` is gone: every local process linked to a process there gets a link
   * exit `noconnection`; every monitor on a process there fires with `noconnection`; monitors
   * held by processes there are dropped.
   */
  nodeDown(node: Atom | string): void {
    const nodeAtom = typeof node === 'string' ? atom(node) : node;
    for (const p of [...this.participants()]) {
      const links = p.links;
      if (links !== null) {
        for (const [key, other] of [...links]) {
          if (other instanceof Pid && other.node === nodeAtom) {
            links.delete(key);
            this.links.signal(p, other, noconnection, true);
          }
        }
      }
      const mons = p.mons;
      if (mons !== null) {
        for (const [key, mon] of [...mons]) {
          if (mon.watcher === p) {
            const target = mon.target;
            const onNode = target instanceof Pid ? target.node === nodeAtom : Array.isArray(target) && target[1] === nodeAtom.name;
            if (onNode) {
              mons.delete(key);
              if (mon.alias === true) this.aliases.unalias(p, mon.ref);
              p.deliver(downMessage(mon.ref, mon.item, noconnection));
            }
          } else if (mon.watcher instanceof Pid && mon.watcher.node === nodeAtom) {
            mons.delete(key);
          }
        }
      }
    }
  }
}
