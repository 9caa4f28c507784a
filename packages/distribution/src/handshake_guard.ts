/**
 * Admission control for inbound handshakes: how many unauthenticated sockets the listener keeps,
 * for how long, and which one goes when a new one arrives at the cap. Bookkeeping with the clock
 * passed in, plus the sweep timer that runs `expire` while entries are pending; the owner of the
 * sockets (transport_impl.ts, and epmd_server.ts for EPMD requests) closes what this module picks.
 *
 * The rules (each limit an option of the transport, see `resolveGuardLimits`):
 * - at most `maxPending` sockets between accept and the end of their handshake, and at most
 *   `maxPerAddress` of them from one source address (an IPv6 source counts by its /64);
 * - a new socket is always admitted: at a cap, the pending handshake that has gone longest
 *   without progress is evicted (within the new socket's address when that cap is the one hit).
 *   Progress is a complete handshake message; a socket that has sent none counts from its
 *   accept, so under a flood of silent sockets the oldest silent one goes first. A legitimate
 *   peer makes progress every round trip, so it is the last candidate, not the first;
 * - a socket that sends no byte within `firstByteMs` of the start of its handshake is closed;
 * - a handshake not finished within `deadlineMs` of the accept is closed, however it progresses.
 *
 * Connections that are up are not tracked here and nothing here touches them.
 */

export interface GuardLimits {
  /** Pending inbound handshakes in all (>= 1). */
  maxPending: number;
  /** Pending inbound handshakes from one source address (>= 1). */
  maxPerAddress: number;
  /** Close a socket that has sent no byte this long after its handshake started. */
  firstByteMs: number;
  /** Close a handshake not finished this long after the accept. */
  deadlineMs: number;
}

/** Why the guard closed a socket. */
export type GuardCause = 'evicted' | 'first_byte_timeout' | 'handshake_timeout';

export interface PendingHandshake<T> {
  readonly item: T;
  /** The source address as counted for `maxPerAddress` (see `addressKey`). */
  readonly address: string;
  readonly acceptedAt: number;
  /** When the first-byte clock started (undefined: not yet, e.g. a TLS handshake in progress). */
  startedAt: number | undefined;
  /** When the first byte arrived (undefined: silent so far). */
  firstByteAt: number | undefined;
  /** The accept, or the last complete handshake message. */
  lastProgressAt: number;
  /** Admission order: breaks ties between equal times. */
  readonly seq: number;
}

export interface Expired<T> {
  entry: PendingHandshake<T>;
  cause: GuardCause;
}

export class HandshakeGuard<T> {
  private readonly entries = new Map<number, PendingHandshake<T>>();
  private readonly perAddress = new Map<string, number>();
  private seq = 0;
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(readonly limits: GuardLimits) {
    if (!(limits.maxPending >= 1) || !(limits.maxPerAddress >= 1)) throw new RangeError('handshake limits must be at least 1');
  }

  get size(): number {
    return this.entries.size;
  }

  /** Pending handshakes from `address` (already an `addressKey`). */
  countFor(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }

  /** Every pending handshake, oldest admission first. */
  pending(): PendingHandshake<T>[] {
    return [...this.entries.values()];
  }

  /**
   * Admit a new socket. Returns its entry and the entries evicted to make room (already
   * removed: the caller closes their sockets). `started`: the first-byte clock starts now.
   */
  admit(item: T, address: string, now: number, started = true): { entry: PendingHandshake<T>; evicted: PendingHandshake<T>[] } {
    const evicted: PendingHandshake<T>[] = [];
    while (this.countFor(address) >= this.limits.maxPerAddress) {
      const v = this.victim(address);
      if (!v) break;
      this.remove(v);
      evicted.push(v);
    }
    while (this.entries.size >= this.limits.maxPending) {
      const v = this.victim(undefined);
      if (!v) break;
      this.remove(v);
      evicted.push(v);
    }
    const entry: PendingHandshake<T> = {
      item,
      address,
      acceptedAt: now,
      startedAt: started ? now : undefined,
      firstByteAt: undefined,
      lastProgressAt: now,
      seq: ++this.seq,
    };
    this.entries.set(entry.seq, entry);
    this.perAddress.set(address, this.countFor(address) + 1);
    return { entry, evicted };
  }

  /** The handshake proper starts (TLS: once the TLS handshake is done): start the first-byte clock. */
  start(e: PendingHandshake<T>, now: number): void {
    if (e.startedAt === undefined) e.startedAt = now;
  }

  /** Bytes arrived. */
  sawBytes(e: PendingHandshake<T>, now: number): void {
    if (e.firstByteAt === undefined) e.firstByteAt = now;
  }

  /** A complete handshake message arrived. */
  progressed(e: PendingHandshake<T>, now: number): void {
    if (e.firstByteAt === undefined) e.firstByteAt = now;
    e.lastProgressAt = now;
  }

  /** The handshake ended (up, failed, closed). Idempotent. */
  release(e: PendingHandshake<T>): void {
    if (this.entries.get(e.seq) === e) this.remove(e);
  }

  /** Remove and return every entry past a deadline at `now`. */
  expire(now: number): Expired<T>[] {
    const out: Expired<T>[] = [];
    for (const e of this.entries.values()) {
      let cause: GuardCause | undefined;
      if (now - e.acceptedAt >= this.limits.deadlineMs) cause = 'handshake_timeout';
      else if (e.firstByteAt === undefined && e.startedAt !== undefined && now - e.startedAt >= this.limits.firstByteMs) cause = 'first_byte_timeout';
      if (cause) out.push({ entry: e, cause });
    }
    for (const x of out) this.remove(x.entry);
    return out;
  }

  /**
   * While entries are pending, calls `cut` for each one past a deadline (checked ten times per
   * shortest deadline, every 10-200 ms); stops by itself when none is left. Idempotent.
   */
  startSweeping(cut: (x: Expired<T>) => void): void {
    if (this.sweeper) return;
    const every = Math.max(10, Math.min(200, Math.floor(Math.min(this.limits.firstByteMs, this.limits.deadlineMs) / 10)));
    this.sweeper = setInterval(() => {
      for (const x of this.expire(Date.now())) cut(x);
      if (this.size === 0) this.stopSweeping();
    }, every);
    this.sweeper.unref?.();
  }

  stopSweeping(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** The earliest time at which `expire` would remove something (undefined when empty). */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const e of this.entries.values()) {
      let t = e.acceptedAt + this.limits.deadlineMs;
      if (e.firstByteAt === undefined && e.startedAt !== undefined) t = Math.min(t, e.startedAt + this.limits.firstByteMs);
      if (next === undefined || t < next) next = t;
    }
    return next;
  }

  /** The entry (of `address`, or of all) that has gone longest without progress; ties: admitted first. */
  private victim(address: string | undefined): PendingHandshake<T> | undefined {
    let best: PendingHandshake<T> | undefined;
    for (const e of this.entries.values()) {
      if (address !== undefined && e.address !== address) continue;
      if (!best || e.lastProgressAt < best.lastProgressAt) best = e; // Map order = admission order: ties keep the older
    }
    return best;
  }

  private remove(e: PendingHandshake<T>): void {
    this.entries.delete(e.seq);
    const n = this.countFor(e.address) - 1;
    if (n > 0) this.perAddress.set(e.address, n);
    else this.perAddress.delete(e.address);
  }
}

/** The transport options the guard reads, with their defaults (see TransportOptions). */
export interface GuardOptions {
  maxHandshakes?: number;
  maxHandshakesPerAddress?: number;
  firstByteTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  setupTimeMs?: number;
}

export const GUARD_DEFAULTS = {
  maxHandshakes: 1024,
  maxHandshakesPerAddress: 256,
  firstByteTimeoutMs: 2000,
} as const;

/**
 * Defaults: 1024 pending in all, 256 per address (never more than the total), the first byte
 * within 2 s (never later than setupTimeMs), the whole handshake within setupTimeMs (7 s).
 */
export function resolveGuardLimits(o: GuardOptions): GuardLimits {
  const setup = o.setupTimeMs ?? 7000;
  const maxPending = positiveInt(o.maxHandshakes ?? GUARD_DEFAULTS.maxHandshakes, 'maxHandshakes');
  const maxPerAddress = Math.min(
    positiveInt(o.maxHandshakesPerAddress ?? Math.min(GUARD_DEFAULTS.maxHandshakesPerAddress, maxPending), 'maxHandshakesPerAddress'),
    maxPending,
  );
  const deadlineMs = positive(o.handshakeTimeoutMs ?? setup, 'handshakeTimeoutMs');
  const firstByteMs = positive(o.firstByteTimeoutMs ?? Math.min(GUARD_DEFAULTS.firstByteTimeoutMs, setup), 'firstByteTimeoutMs');
  return { maxPending, maxPerAddress, firstByteMs, deadlineMs };
}

function positiveInt(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what} must be a positive integer (got ${n})`);
  return n;
}

function positive(n: number, what: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`${what} must be a positive number of milliseconds (got ${n})`);
  return n;
}

/**
 * The key a source address is counted under: IPv4 (also IPv4-mapped IPv6) as is, IPv6 by its
 * /64 (one host usually owns a whole /64), anything unparsable as given.
 */
export function addressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const bare = ip.split('%')[0]!.toLowerCase();
  const halves = bare.split('::');
  if (halves.length > 2) return ip;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const tailWords = tail.length > 0 && tail[tail.length - 1]!.includes('.') ? tail.length + 1 : tail.length; // embedded IPv4 = 2 words
  const fill = halves.length === 2 ? 8 - head.length - tailWords : 0;
  if (fill < 0) return ip;
  const words = [...head, ...Array<string>(fill).fill('0'), ...tail];
  const prefix = words.slice(0, 4).map((w) => (/^[0-9a-f]{1,4}$/.test(w) ? Number.parseInt(w, 16).toString(16) : '?'));
  if (prefix.length < 4 || prefix.includes('?')) return ip;
  return `${prefix.join(':')}::/64`;
}
