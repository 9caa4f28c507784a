/**
 * ReadPacer on its own (read_pacer.ts), against a socket stand-in and fake timers: when pacing
 * starts, that it decides once a turn of the event loop (after the turn's reads), when reading
 * resumes, when pacing ends, and that hold() and stop() win over a pending resume.
 * read_pacing.interop.test.ts floods a real erl sender against it.
 */
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReadPacer } from '../src/read_pacer.ts';

class FakeSocket {
  paused = false;
  destroyed = false;
  pause(): this {
    this.paused = true;
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

/** The end of an event-loop turn: the check phase (setImmediate) runs. */
const endTurn = () => vi.advanceTimersByTime(0);

describe('ReadPacer', () => {
  it('reads straight through below floodReads reads in one millisecond', () => {
    for (let ms = 0; ms < 50; ms++) {
      reads(CFG.floodReads - 1, 400, ms);
      endTurn();
    }
    expect(s.paused).toBe(false);
    expect(p.pauses).toBe(0);
  });

  it('reads straight through when many reads in one millisecond bring fewer than floodBytes', () => {
    for (let ms = 0; ms < 50; ms++) {
      reads(10 * CFG.floodReads, 20, ms);
      endTurn();
    }
    expect(p.pauses).toBe(0);
  });

  it('at a flood, lets the turn read on, pauses at its end and resumes pauseMs later', () => {
    reads(CFG.floodReads, 400, 7);
    reads(20, 400, 7); // the rest of the turn's reads
    expect(s.paused).toBe(false);
    endTurn();
    expect(s.paused).toBe(true);
    expect(p.pauses).toBe(1);
    vi.advanceTimersByTime(CFG.pauseMs);
    expect(s.paused).toBe(false);
  });

  it('while pacing, pauses again after each turn that gathered floodBytes, whatever the chunk sizes', () => {
    reads(CFG.floodReads, 400, 1);
    endTurn();
    vi.advanceTimersByTime(CFG.pauseMs);
    reads(3, 16384, 2); // e.g. TLS records
    endTurn();
    expect(s.paused).toBe(true);
    expect(p.pauses).toBe(2);
  });

  it('stops pacing when a pause gathered fewer than floodBytes, and reads straight through again', () => {
    reads(CFG.floodReads, 400, 1);
    endTurn();
    vi.advanceTimersByTime(CFG.pauseMs);
    p.onRead(CFG.floodBytes - 1, 2); // the flood is over
    endTurn();
    expect(s.paused).toBe(false);
    expect(p.pauses).toBe(1);
    reads(CFG.floodReads - 1, 100, 3);
    endTurn();
    expect(p.pauses).toBe(1);
  });

  it('hold() pauses for good: a pending resume does not undo it, and no pause is made after it', () => {
    reads(CFG.floodReads, 400, 1);
    endTurn();
    p.hold();
    vi.advanceTimersByTime(10 * CFG.pauseMs);
    expect(s.paused).toBe(true);
    reads(10 * CFG.floodReads, 400, 2);
    endTurn();
    expect(p.pauses).toBe(1);
  });

  it('stop() cancels a pending resume and a pending decision (the connection is going down)', () => {
    reads(CFG.floodReads, 400, 1);
    endTurn();
    p.stop();
    vi.advanceTimersByTime(10 * CFG.pauseMs);
    expect(s.paused).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    s.paused = false;
    reads(CFG.floodReads, 400, 3);
    endTurn();
    expect(s.paused).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not resume a destroyed socket', () => {
    reads(CFG.floodReads, 400, 1);
    endTurn();
    s.destroyed = true;
    vi.advanceTimersByTime(CFG.pauseMs);
    expect(s.paused).toBe(true);
  });
});
