/**
 * The link protocol with UNLINK_ID (spec §4.4), for the links between a local and a remote pid.
 *
 * Per linked pair this side keeps {active, pending unlink id}. The table answers "what must be
 * sent / delivered" for each event; the router does the sending and tells the runtime. Pure.
 */
import type { Pid } from '@beamline/etf';

interface Entry {
  local: Pid;
  remote: Pid;
  active: boolean;
  /** The id of our UNLINK_ID while it waits for its ack. */
  unlinkId: bigint | undefined;
}

/** A pid as a map key (node, id, serial, creation). */
export function pidKey(p: Pid): string {
  return `${p.node.name}\u0000${p.id}.${p.serial}.${p.creation}`;
}

export class RemoteLinks {
  private readonly entries = new Map<string, Entry>();
  /** Entry keys per remote node, for node-down fan-out. */
  private readonly byNode = new Map<string, Set<string>>();
  private nextId = 1n;

  private key(local: Pid, remote: Pid): string {
    return `${pidKey(local)}\u0001${pidKey(remote)}`;
  }

  private put(local: Pid, remote: Pid): Entry {
    const k = this.key(local, remote);
    const e: Entry = { local, remote, active: true, unlinkId: undefined };
    this.entries.set(k, e);
    let s = this.byNode.get(remote.node.name);
    if (!s) this.byNode.set(remote.node.name, (s = new Set()));
    s.add(k);
    return e;
  }

  private drop(e: Entry): void {
    const k = this.key(e.local, e.remote);
    this.entries.delete(k);
    const s = this.byNode.get(e.remote.node.name);
    if (s) {
      s.delete(k);
      if (s.size === 0) this.byNode.delete(e.remote.node.name);
    }
  }

  /** Local `link(remote)`: create or re-activate. Send LINK whenever this returns true. */
  linkOut(local: Pid, remote: Pid): boolean {
    const e = this.entries.get(this.key(local, remote));
    if (!e) {
      this.put(local, remote);
      return true;
    }
    const wasActive = e.active;
    e.active = true;
    e.unlinkId = undefined;
    // Re-linking an active link sends nothing (Erlang sends nothing either); a pending unlink
    // is overridden by a fresh LINK.
    return !wasActive;
  }

  /** Local `unlink(remote)`: returns the id to send in UNLINK_ID, or undefined to send nothing. */
  unlinkOut(local: Pid, remote: Pid): bigint | undefined {
    const e = this.entries.get(this.key(local, remote));
    if (!e?.active) return undefined;
    e.active = false;
    e.unlinkId = this.nextId++;
    return e.unlinkId;
  }

  /** LINK received: true when a new active link was made (tell the runtime). */
  linkIn(local: Pid, remote: Pid): boolean {
    if (this.entries.has(this.key(local, remote))) return false;
    this.put(local, remote);
    return true;
  }

  /**
   * UNLINK_ID received: the caller always answers UNLINK_ID_ACK first. Returns true when an
   * active link was removed (tell the runtime).
   */
  unlinkIn(local: Pid, remote: Pid): boolean {
    const e = this.entries.get(this.key(local, remote));
    if (!e?.active) return false;
    this.drop(e);
    return true;
  }

  /** UNLINK_ID_ACK received. */
  unlinkAckIn(local: Pid, remote: Pid, id: bigint): void {
    const e = this.entries.get(this.key(local, remote));
    if (e && !e.active && e.unlinkId === id) this.drop(e);
  }

  /**
   * An exit signal caused by the link arrived: 'active' deliver it; 'inactive' drop it (our
   * unlink is in flight); 'none' this table never saw the link (the runtime decides).
   */
  exitIn(local: Pid, remote: Pid): 'active' | 'inactive' | 'none' {
    const e = this.entries.get(this.key(local, remote));
    if (!e) return 'none';
    this.drop(e);
    return e.active ? 'active' : 'inactive';
  }

  /** A local process's link to `remote` ended on this side (it died): forget the entry. */
  forget(local: Pid, remote: Pid): 'active' | 'inactive' | 'none' {
    return this.exitIn(local, remote);
  }

  /** Whether local and remote are linked (active). */
  isLinked(local: Pid, remote: Pid): boolean {
    return this.entries.get(this.key(local, remote))?.active === true;
  }

  /** The connection to `node` is gone: forget every entry, returning the active pairs. */
  nodeDown(node: string): { local: Pid; remote: Pid }[] {
    const keys = this.byNode.get(node);
    if (!keys) return [];
    const out: { local: Pid; remote: Pid }[] = [];
    for (const k of keys) {
      const e = this.entries.get(k);
      if (!e) continue;
      this.entries.delete(k);
      if (e.active) out.push({ local: e.local, remote: e.remote });
    }
    this.byNode.delete(node);
    return out;
  }

  get size(): number {
    return this.entries.size;
  }
}
