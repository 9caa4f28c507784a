import { describe, expect, it } from 'vitest';
import { RealClock, Runtime } from '../src/index.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RealClock: delays longer than one Node timer', () => {
  it('a timer past Node’s longest delay (2^31 − 1 ms) does not fire at once (Node would fire it after 1 ms)', async () => {
    const rt = new Runtime({ logger: null });
    const got: unknown[] = [];
    const pid = rt.spawn(async (ctx) => {
      got.push(await ctx.receive(() => true, 200));
    });
    // erlang:send_after has no 32-bit limit
    rt.sendAfter(2 ** 31, pid, 'too early');
    await sleep(300);
    expect(got).toHaveLength(1);
    expect(got[0]).not.toBe('too early');
    await rt.stop();
  });

  it('is armed in steps and fires once the whole delay has passed; clearing it between steps stops it', async () => {
    const clock = new RealClock({ maxStepMs: 10 });
    const fired: number[] = [];
    const t0 = performance.now();
    clock.setTimer(45, () => fired.push(performance.now() - t0));
    const cleared = clock.setTimer(45, () => fired.push(-1));
    await sleep(25);
    clock.clearTimer(cleared);
    await sleep(60);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(44);
  });
});
