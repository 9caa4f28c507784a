import { describe, expect, it } from 'vitest';
import { MediaClock } from '../src/media/media_clock.ts';

describe('MediaClock', () => {
  it('runs callbacks earliest first, never before they are due, in the order set; a cancel takes one out', () => {
    let now = 100.5;
    const ran: string[] = [];
    const clock = new MediaClock(() => now);
    clock.after(20, () => ran.push('b20'));
    clock.after(5, () => ran.push('a5'));
    clock.after(20, () => ran.push('c20'));
    const cancel = clock.after(10, () => ran.push('x10'));
    // due at ceil(100.5 + 5) = 106, then 121
    expect(clock.runDue()).toBe(5.5);
    cancel();
    now = 120.9;
    // 0.1 ms to go, but a wait is at least 1 ms (the event loop gets its turn)
    expect(clock.runDue()).toBe(1);
    expect(ran).toEqual(['a5']);
    now = 121;
    expect(clock.runDue()).toBeUndefined();
    expect(ran).toEqual(['a5', 'b20', 'c20']);
    expect(clock.pending).toBe(0);
  });

  it('a callback may set the next one (due after now, never in the same round at 0 ms); one that throws is reported and the others run', () => {
    let now = 0;
    const errors: unknown[] = [];
    const clock = new MediaClock(
      () => now,
      (e) => errors.push(e),
    );
    let ticks = 0;
    const tick = () => {
      ticks++;
      clock.after(0, tick);
    };
    clock.after(0, tick);
    clock.after(0, () => {
      throw new Error('boom');
    });
    now = 1;
    expect(clock.runDue()).toBe(1);
    expect([ticks, errors.length]).toEqual([1, 1]);
    now = 5;
    clock.runDue();
    expect(ticks).toBe(2);
  });

  it('wakes its worker only for a callback due sooner than it sleeps', () => {
    let now = 0;
    let wakes = 0;
    const clock = new MediaClock(() => now);
    clock.attach(() => wakes++);
    clock.after(20, () => {});
    expect(wakes).toBe(1);
    expect(clock.runDue()).toBe(20);
    clock.after(30, () => {});
    expect(wakes).toBe(1);
    clock.after(10, () => {});
    expect(wakes).toBe(2);
    now = 10;
    clock.runDue();
    expect(clock.pending).toBe(2);
  });
});
