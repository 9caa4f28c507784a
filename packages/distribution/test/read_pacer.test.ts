/**
 * ReadPacer on its own (read_pacer.ts), against a socket stand-in and fake timers: when pacing
 * starts, what pauses, when reading resumes, when pacing ends, and that hold() and stop() win over
 * a pending resume. read_pacing.interop.test.ts floods a real erl sender against it.
 */
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReadPacer } from '../src/read_pacer.ts';

class FakeSocket {
  paused = false;
  destroyed = false;
  pauseCalls = 0;
  pause(): this {
    this.paused = true;
    this.pauseCalls++;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
}

const CFG = { floodReads: 4, floodBytes: 1000, pauseMs: 1 };

let s: FakeSocket;
let p: ReadPacer;
beforeEach(() => {
  vi.useFakeTimers();
  s = new FakeSocket();
  p = new ReadPacer(s as unknown as Socket, CFG);
});
afterEach(() => {
  vi.useRealTimers();
});

/** `n` reads of `bytes` each, all in millisecond `ms`. */
function reads(n: number, bytes: number, ms: number): void {
  for (let i = 0; i < n; i++) p.onRead(bytes, ms);
}

describe('ReadPacer', () => {
  it('reads straight through below floodReads reads in one millisecond', () => {
    for (let ms = 0; ms < 50; ms++) reads(CFG.floodReads - 1, 400, ms);
    expect(s.pauseCalls).toBe(0);
    expect(p.pauses).toBe(0);
  });

  it('reads straight through when many reads in one millisecond bring fewer than floodBytes', () => {
    for (let ms = 0; ms < 50; ms++) reads(10 * CFG.floodReads, 20, ms);
    expect(p.pauses).toBe(0);
  });

  it('pauses at the floodReads-th read of a millisecond and resumes pauseMs later', () => {
    reads(CFG.floodReads - 1, 400, 7);
    expect(s.paused).toBe(false);
    p.onRead(400, 7);
    expect(s.paused).toBe(true);
    expect(p.pauses).toBe(1);
    vi.advanceTimersByTime(CFG.pauseMs);
    expect(s.paused).toBe(false);
  });

  it('while pacing, keeps reading after a full 64 KiB read and pauses after the one that emptied the socket', () => {
    reads(CFG.floodReads, 400, 1);
    vi.advanceTimersByTime(CFG.pauseMs);
    p.onRead(65536, 2);
    p.onRead(65536, 2);
    expect(s.paused).toBe(false);
    p.onRead(3000, 2);
    expect(s.paused).toBe(true);
    expect(p.pauses).toBe(2);
  });

  it('stops pacing when a pause gathered fewer than floodBytes, and reads straight through again', () => {
    reads(CFG.floodReads, 400, 1);
    vi.advanceTimersByTime(CFG.pauseMs);
    p.onRead(CFG.floodBytes - 1, 2); // the flood is over
    expect(s.paused).toBe(false);
    expect(p.pauses).toBe(1);
    reads(CFG.floodReads - 1, 100, 3);
    expect(p.pauses).toBe(1);
  });

  it('hold() pauses for good: a pending resume does not undo it', () => {
    reads(CFG.floodReads, 400, 1);
    p.hold();
    vi.advanceTimersByTime(10 * CFG.pauseMs);
    expect(s.paused).toBe(true);
    reads(10 * CFG.floodReads, 400, 2);
    expect(p.pauses).toBe(1);
  });

  it('stop() cancels a pending resume (the connection is going down)', () => {
    reads(CFG.floodReads, 400, 1);
    p.stop();
    vi.advanceTimersByTime(10 * CFG.pauseMs);
    expect(s.paused).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not resume a destroyed socket', () => {
    reads(CFG.floodReads, 400, 1);
    s.destroyed = true;
    vi.advanceTimersByTime(CFG.pauseMs);
    expect(s.paused).toBe(true);
  });
});
