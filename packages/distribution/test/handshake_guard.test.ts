/**
 * The admission policy for inbound handshakes (handshake_guard.ts) on a simulated clock, the
 * rate-limited log, and the bounded handshake channel (packet_channel.ts with a ChannelWatch).
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addressKey, HandshakeGuard, resolveGuardLimits, type GuardLimits } from '../src/handshake_guard.ts';
import { LogLimiter, MemoryLogger } from '../src/log.ts';
import { ChannelClosed, PacketChannel } from '../src/packet_channel.ts';

const limits = (o: Partial<GuardLimits> = {}): GuardLimits => ({ maxPending: 4, maxPerAddress: 4, firstByteMs: 100, deadlineMs: 1000, ...o });

describe('eviction at the caps', () => {
  it('a newcomer is always admitted; at the cap the oldest silent socket goes', () => {
    const g = new HandshakeGuard<string>(limits());
    for (let i = 0; i < 4; i++) expect(g.admit(`s${i}`, 'a', i).evicted).toEqual([]);
    const { entry, evicted } = g.admit('new', 'a', 10);
    expect(evicted.map((e) => e.item)).toEqual(['s0']);
    expect(g.pending().map((e) => e.item)).toEqual(['s1', 's2', 's3', 'new']);
    expect(entry.item).toBe('new');
    expect(g.size).toBe(4);
  });

  it('progress (a complete handshake message) protects a handshake; the one longest without progress goes', () => {
    const g = new HandshakeGuard<string>(limits());
    const legit = g.admit('legit', 'a', 0).entry;
    g.admit('stalled', 'a', 1);
    const stalled = g.pending()[1]!;
    g.progressed(stalled, 2); // sent its name at 2, then nothing
    g.admit('s1', 'a', 3);
    g.progressed(legit, 4); // the real peer answers each step
    g.admit('s2', 'a', 5);
    // legit: progress 4; stalled: 2; s1: 3 (its accept); s2: 5
    expect(g.admit('s3', 'a', 6).evicted.map((e) => e.item)).toEqual(['stalled']);
    expect(g.admit('s4', 'a', 7).evicted.map((e) => e.item)).toEqual(['s1']);
    expect(g.admit('s5', 'a', 8).evicted.map((e) => e.item)).toEqual(['legit']); // it stopped progressing at 4
  });

  it('bytes that do not complete a message are not progress (slowloris)', () => {
    const g = new HandshakeGuard<string>(limits({ maxPending: 2, maxPerAddress: 2 }));
    const trickle = g.admit('trickle', 'a', 0).entry;
    g.admit('other', 'a', 1);
    g.sawBytes(trickle, 5);
    expect(g.admit('new', 'a', 6).evicted.map((e) => e.item)).toEqual(['trickle']);
  });

  it('the per-address cap evicts within that address only', () => {
    const g = new HandshakeGuard<string>(limits({ maxPending: 10, maxPerAddress: 2 }));
    g.admit('b0', 'b', 0);
    g.admit('a0', 'a', 1);
    g.admit('a1', 'a', 2);
    expect(g.admit('a2', 'a', 3).evicted.map((e) => e.item)).toEqual(['a0']);
    expect(g.countFor('a')).toBe(2);
    expect(g.countFor('b')).toBe(1);
    expect(g.pending().map((e) => e.item)).toEqual(['b0', 'a1', 'a2']);
  });

  it('a flood from one address never evicts a handshake from another while under the total cap', () => {
    const g = new HandshakeGuard<string>(limits({ maxPending: 100, maxPerAddress: 25 }));
    g.admit('peer', 'good', 0);
    for (let i = 1; i <= 10_000; i++) {
      const { evicted } = g.admit(`f${i}`, 'evil', i);
      expect(evicted.every((e) => e.address === 'evil')).toBe(true);
    }
    expect(g.countFor('good')).toBe(1);
    expect(g.countFor('evil')).toBe(25);
  });

  it('a real peer that makes progress within the cap of arrivals survives an endless flood from its own address', () => {
    const cap = 64;
    const g = new HandshakeGuard<string>(limits({ maxPending: cap, maxPerAddress: cap }));
    let now = 0;
    for (let i = 0; i < 500; i++) g.admit(`f${i}`, 'x', now++);
    const peer = g.admit('peer', 'x', now++).entry;
    let lost = false;
    for (let step = 0; step < 5; step++) {
      for (let i = 0; i < cap - 1; i++) if (g.admit('f', 'x', now++).evicted.some((e) => e === peer)) lost = true;
      g.progressed(peer, now++); // one handshake message per (cap - 1) flood arrivals
    }
    expect(lost).toBe(false);
    // one more arrival than the cap without progress, and it goes
    for (let i = 0; i < cap; i++) if (g.admit('f', 'x', now++).evicted.some((e) => e === peer)) lost = true;
    expect(lost).toBe(true);
  });

  it('release is idempotent and frees the counts', () => {
    const g = new HandshakeGuard<string>(limits());
    const e = g.admit('x', 'a', 0).entry;
    g.release(e);
    g.release(e);
    expect(g.size).toBe(0);
    expect(g.countFor('a')).toBe(0);
  });
});

describe('deadlines', () => {
  it('a socket that sends nothing is cut at the first-byte deadline; one that sent a byte is not', () => {
    const g = new HandshakeGuard<string>(limits());
    g.admit('silent', 'a', 0);
    const talker = g.admit('talker', 'a', 0).entry;
    g.sawBytes(talker, 50);
    expect(g.nextDeadline()).toBe(100);
    expect(g.expire(99)).toEqual([]);
    expect(g.expire(100).map((x) => [x.entry.item, x.cause])).toEqual([['silent', 'first_byte_timeout']]);
    expect(g.size).toBe(1);
  });

  it('the overall deadline cuts a handshake however it progresses', () => {
    const g = new HandshakeGuard<string>(limits());
    const e = g.admit('slow', 'a', 0).entry;
    for (let t = 10; t < 1000; t += 100) g.progressed(e, t);
    expect(g.expire(999)).toEqual([]);
    expect(g.nextDeadline()).toBe(1000);
    expect(g.expire(1000).map((x) => [x.entry.item, x.cause])).toEqual([['slow', 'handshake_timeout']]);
    expect(g.nextDeadline()).toBeUndefined();
  });

  it('the first-byte clock starts with the handshake (a TLS socket: after its TLS handshake)', () => {
    const g = new HandshakeGuard<string>(limits());
    const e = g.admit('tls', 'a', 0, false).entry;
    expect(g.expire(500)).toEqual([]);
    g.start(e, 500);
    expect(g.expire(599)).toEqual([]);
    expect(g.expire(600).map((x) => x.cause)).toEqual(['first_byte_timeout']);
  });
});

describe('limits', () => {
  it('defaults: 1024 pending, 256 per address, first byte within 2 s, the handshake within setupTimeMs', () => {
    expect(resolveGuardLimits({})).toEqual({ maxPending: 1024, maxPerAddress: 256, firstByteMs: 2000, deadlineMs: 7000 });
    expect(resolveGuardLimits({ setupTimeMs: 400 })).toEqual({ maxPending: 1024, maxPerAddress: 256, firstByteMs: 400, deadlineMs: 400 });
    expect(resolveGuardLimits({ maxHandshakes: 2 })).toMatchObject({ maxPending: 2, maxPerAddress: 2 });
    expect(resolveGuardLimits({ maxHandshakes: 8, maxHandshakesPerAddress: 100 })).toMatchObject({ maxPending: 8, maxPerAddress: 8 });
    expect(resolveGuardLimits({ firstByteTimeoutMs: 50, handshakeTimeoutMs: 900 })).toMatchObject({ firstByteMs: 50, deadlineMs: 900 });
  });

  it('refuses nonsense', () => {
    expect(() => resolveGuardLimits({ maxHandshakes: 0 })).toThrow(RangeError);
    expect(() => resolveGuardLimits({ maxHandshakesPerAddress: 1.5 })).toThrow(RangeError);
    expect(() => resolveGuardLimits({ firstByteTimeoutMs: -1 })).toThrow(RangeError);
    expect(() => resolveGuardLimits({ handshakeTimeoutMs: Number.NaN })).toThrow(RangeError);
  });

  it('addresses: IPv4 and IPv4-mapped as they are, IPv6 by its /64', () => {
    expect(addressKey('10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002::')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });
});

describe('LogLimiter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs the first entries of a window, then one summary of the rest', () => {
    vi.useFakeTimers();
    const log = new MemoryLogger();
    const lim = new LogLimiter(log, 1000, 2, () => Date.now());
    for (let i = 0; i < 10; i++) lim.log('warn', 'k', `m${i}`);
    lim.log('warn', 'other', 'o');
    expect(log.entries.map((e) => e.msg)).toEqual(['m0', 'm1', 'o']);
    vi.advanceTimersByTime(1000);
    expect(log.entries.map((e) => e.msg)).toEqual(['m0', 'm1', 'o', "dist: 8 more log entries like 'k' suppressed in the last 1 s"]);
    // a new window logs again
    lim.log('warn', 'k', 'again');
    expect(log.entries.at(-1)?.msg).toBe('again');
  });

  it('flush writes the pending summaries; a logger view keys by level', () => {
    const log = new MemoryLogger();
    const lim = new LogLimiter(log, 60_000, 1);
    const view = lim.asLogger('hs');
    view.error('e1');
    view.error('e2');
    view.info('i1');
    lim.flush();
    expect(log.entries.map((e) => `${e.level} ${e.msg}`)).toEqual([
      'error e1',
      'info i1',
      "warn dist: 1 more log entries like 'hs:error' suppressed in the last 60 s",
    ]);
  });
});

/** Just enough of a Socket for PacketChannel's reading side. */
function fakeSocket(): Socket & EventEmitter {
  const e = new EventEmitter() as Socket & EventEmitter;
  Object.assign(e, { cork() {}, uncork() {}, write: () => true });
  return e;
}

describe('a watched handshake channel', () => {
  it('reports bytes and complete messages', async () => {
    const s = fakeSocket();
    const seen: string[] = [];
    const ch = new PacketChannel(s, 2, { maxBytes: 64, onBytes: () => seen.push('bytes'), onPacket: () => seen.push('packet') });
    s.emit('data', Buffer.from([0, 3, 1]));
    s.emit('data', Buffer.from([2, 3]));
    expect(Array.from(await ch.next(1000))).toEqual([1, 2, 3]);
    expect(seen).toEqual(['bytes', 'bytes', 'packet']);
  });

  it('refuses a message longer than maxBytes as soon as its length is known', async () => {
    const s = fakeSocket();
    const ch = new PacketChannel(s, 4, { maxBytes: 64 });
    s.emit('data', Buffer.from([0, 0, 1, 0]));
    await expect(ch.next(1000)).rejects.toMatchObject({ why: 'oversize' });
  });

  it('refuses more buffered bytes than maxBytes', async () => {
    const s = fakeSocket();
    const ch = new PacketChannel(s, 2, { maxBytes: 8 });
    s.emit('data', Buffer.alloc(9));
    await expect(ch.next(1000)).rejects.toMatchObject({ why: 'oversize' });
  });

  it('an abort fails the pending read with the abort reason as cause, and no later packet is delivered', async () => {
    const s = fakeSocket();
    const ac = new AbortController();
    const ch = new PacketChannel(s, 2, { maxBytes: 64, signal: ac.signal });
    const p = ch.next(1000);
    const why = new Error('evicted');
    ac.abort(why);
    const e = (await p.catch((x: unknown) => x)) as ChannelClosed;
    expect(e).toBeInstanceOf(ChannelClosed);
    expect(e.why).toBe('aborted');
    expect(e.cause).toBe(why);
    s.emit('data', Buffer.from([0, 1, 7]));
    await expect(ch.next(1000)).rejects.toMatchObject({ why: 'aborted' });
  });

  it('without a watch, packets buffered before a close are still delivered', async () => {
    const s = fakeSocket();
    const ch = new PacketChannel(s, 2);
    s.emit('data', Buffer.from([0, 1, 7]));
    s.emit('end');
    expect(Array.from(await ch.next(1000))).toEqual([7]);
    await expect(ch.next(1000)).rejects.toMatchObject({ why: 'closed' });
  });
});
