/**
 * Monitors: `monitor(target)` returns a ref; when the target exits (or does not exist) the
 * watcher gets `{'DOWN', Ref, process, PidOrName, Reason}`. A monitor by registered name names
 * `{Name, Node}` in the DOWN message, as Erlang does. `demonitor(ref, {flush})` removes it and,
 * with flush, any DOWN already in the mailbox.
 */
import { Atom, Pid, type Tuple, atom, t, type Ref } from '@beamline/etf';
import { DOWN, noconnection, noproc, process_ } from '../basics/atoms.ts';
import { refKey } from '../basics/refs.ts';
import { isDownOf } from '../basics/signals.ts';
import type { AliasMode, MonitorTarget } from '../basics/types.ts';
import { DEAD, EXITING, type Mon, type Proc } from '../process/process.ts';
import type { Aliases } from './aliases.ts';
import type { ServiceHost } from './host.ts';
import type { Registry } from './registry.ts';

export function downMessage(ref: Ref, item: unknown, reason: unknown): Tuple {
  return t(DOWN, ref, process_, item as never, reason as never);
}

export class Monitors {
  constructor(
    private readonly rt: ServiceHost,
    private readonly aliases: Aliases,
    private readonly registry: Registry,
  ) {}

  monitor(p: Proc, target: MonitorTarget, alias?: AliasMode): Ref {
    const rt = this.rt;
    const ref = rt.makeRef();
    if (p.flags & DEAD) return ref;
    if (alias === undefined) return this.create(p, ref, target);
    if (alias === 'explicit_unalias') {
      this.aliases.create(p, ref, false, false);
      return this.create(p, ref, target);
    }
    // Created first so that a 'DOWN' at once (noproc) finds and deactivates it.
    this.aliases.create(p, ref, alias === 'reply_demonitor', true);
    this.create(p, ref, target);
    const mon = p.mons?.get(refKey(ref));
    if (mon !== undefined) mon.alias = true;
    else this.aliases.unalias(p, ref);
    return ref;
  }

  private create(p: Proc, ref: Ref, target: MonitorTarget): Ref {
    const rt = this.rt;
    let name: string | undefined;
    let node: Atom = rt.node;
    if (target instanceof Pid) {
      if (!rt.isLocal(target)) return this.monitorRemote(p, ref, target, target);
      const q = rt.lookup(target);
      // an exit already sent to it (EXITING) is ahead of this monitor: it finds the process gone, as in BEAM
      if (q === undefined || q.flags & (DEAD | EXITING)) {
        p.deliver(downMessage(ref, target, noproc));
        return ref;
      }
      this.add(p, q, ref, target);
      return ref;
    }
    if (typeof target === 'string') name = target;
    else if (target instanceof Atom) name = target.name;
    else {
      name = typeof target[0] === 'string' ? target[0] : target[0].name;
      node = typeof target[1] === 'string' ? atom(target[1]) : target[1];
    }
    const item = t(atom(name), node);
    if (node !== rt.node) return this.monitorRemote(p, ref, [name, node.name], item);
    const q = this.registry.lookup(name);
    if (q === undefined || q.flags & (DEAD | EXITING)) {
      p.deliver(downMessage(ref, item, noproc));
      return ref;
    }
    this.add(p, q, ref, item);
    return ref;
  }

  private add(p: Proc, q: Proc, ref: Ref, item: unknown): void {
    // a process monitoring itself (by pid or by its name) gets a ref and no monitor, as in BEAM
    if (q === p) return;
    const key = refKey(ref);
    const mon: Mon = { ref, key, watcher: p, target: q, item };
    (p.mons ??= new Map()).set(key, mon);
    (q.mons ??= new Map()).set(key, mon);
  }

  private monitorRemote(p: Proc, ref: Ref, target: Pid | [string, string], item: unknown): Ref {
    const rt = this.rt;
    const router = rt.router;
    if (router === undefined) {
      p.deliver(downMessage(ref, item, noconnection));
      return ref;
    }
    const key = refKey(ref);
    (p.mons ??= new Map()).set(key, { ref, key, watcher: p, target, item });
    rt.trackRemote(p);
    router.monitor(p.self, target instanceof Pid ? target : [atom(target[0]), atom(target[1])], ref);
    return ref;
  }

  demonitor(p: Proc, ref: Ref, flush: boolean): boolean {
    const key = refKey(ref);
    const mon = p.mons?.get(key);
    let active = false;
    if (mon !== undefined && mon.watcher === p) {
      active = true;
      p.dropMon(key);
      if (mon.alias === true) this.aliases.unalias(p, ref);
      const target = mon.target;
      if (target instanceof Pid || Array.isArray(target)) {
        this.rt.router?.demonitor(p.self, target instanceof Pid ? target : [atom(target[0]), atom(target[1])], ref);
      } else target.dropMon(key);
    }
    if (flush && p.mb !== null) {
      p.mb.removeWhere((m) => isDownOf(m, ref));
    }
    return active;
  }

  /** `p` is exiting: send DOWN to its watchers and drop the monitors it held. */
  exiting(p: Proc, reason: unknown): void {
    const mons = p.mons;
    if (mons === null) return;
    p.mons = null;
    const rt = this.rt;
    for (const mon of mons.values()) {
      if (mon.watcher === p) {
        const target = mon.target;
        if (target instanceof Pid || Array.isArray(target)) {
          rt.router?.demonitor(p.self, target instanceof Pid ? target : [atom(target[0]), atom(target[1])], mon.ref);
        } else target.dropMon(mon.key);
      } else {
        const watcher = mon.watcher;
        if (watcher instanceof Pid) rt.router?.monitorExit(Array.isArray(mon.item) ? (mon.item as [Atom, Atom]) : p.self, watcher, mon.ref, reason);
        else {
          watcher.dropMon(mon.key);
          if (mon.alias === true) this.aliases.unalias(watcher, mon.ref);
          watcher.deliver(downMessage(mon.ref, mon.item, reason));
        }
      }
    }
  }
}
