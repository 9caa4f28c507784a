import { afterEach, describe, expect, it } from 'vitest';
import { GenServer, type Runtime, TIMEOUT, type TestClock, type ProcessContext, kill, ok } from '../src/index.ts';
import { deferred, setup } from './helpers.ts';

let rt: Runtime;
let clock: TestClock;
afterEach(async () => {
  await rt?.stop();
});

/** Run `body` in a process; resolve with what it returns. */
function inProcess<T>(body: (ctx: ProcessContext) => Promise<T>): { pid: ReturnType<Runtime['spawn']>; result: Promise<T> } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const result = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const pid = rt.spawn(async (ctx) => {
    try {
      resolve(await body(ctx));
    } catch (e) {
      reject(e);
    }
  });
  return { pid, result };
}

describe('mailbox and receive', () => {
  it('messages from one sender arrive in send order', async () => {
    ({ rt } = setup());
    const { pid, result } = inProcess(async (ctx) => {
      const got: unknown[] = [];
      for (let i = 0; i < 1000; i++) got.push(await ctx.receive());
      return got;
    });
    for (let i = 0; i < 1000; i++) rt.send(pid, i);
    expect(await result).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('selective receive takes the first match; the others keep their order', async () => {
    ({ rt } = setup());
    const { pid, result } = inProcess(async (ctx) => {
      await ctx.receive((m) => m === 'go');
      const picked = await ctx.receive((m) => typeof m === 'number' && m % 2 === 0);
      const picked2 = await ctx.receive((m) => typeof m === 'number' && m % 2 === 0);
      const rest: unknown[] = [];
      for (;;) {
        const m = await ctx.receive(undefined, 0);
        if (m === TIMEOUT) break;
        rest.push(m);
      }
      return { picked, picked2, rest };
    });
    for (const m of [1, 3, 4, 5, 6, 7]) rt.send(pid, m);
    rt.send(pid, 'go');
    expect(await result).toEqual({ picked: 4, picked2: 6, rest: [1, 3, 5, 7] });
  });

  it('a parked selective receive skips non-matching arrivals and wakes on the match', async () => {
    ({ rt } = setup());
    const { pid, result } = inProcess(async (ctx) => {
      const m = await ctx.receive((x) => x === 'wanted');
      const rest = [await ctx.receive(), await ctx.receive(), await ctx.receive()];
      return { m, rest };
    });
    await rt.settle(); // parked
    rt.send(pid, 'a');
    await rt.settle();
    rt.send(pid, 'b');
    rt.send(pid, 'wanted');
    rt.send(pid, 'c');
    expect(await result).toEqual({ m: 'wanted', rest: ['a', 'b', 'c'] });
  });

  it('receive with after: resolves TIMEOUT when nothing matches in time (test clock, no sleep)', async () => {
    ({ rt, clock } = setup());
    const { pid, result } = inProcess(async (ctx) => {
      const r = await ctx.receive((m) => m === 'never', 100);
      const next = await ctx.receive();
      return { r, next };
    });
    await rt.settle();
    rt.send(pid, 'other');
    await clock.advance(99);
    let done = false;
    void result.then(() => (done = true));
    await rt.settle();
    expect(done).toBe(false);
    await clock.advance(1);
    expect(await result).toEqual({ r: TIMEOUT, next: 'other' });
  });

  it('a message arriving before the timeout wins and cancels the timer', async () => {
    ({ rt, clock } = setup());
    const { pid, result } = inProcess(async (ctx) => ctx.receive(undefined, 1000));
    await rt.settle();
    expect(clock.pending).toBe(1);
    rt.send(pid, 'hi');
    expect(await result).toBe('hi');
    expect(clock.pending).toBe(0);
  });

  it('after 0 polls: a match already there is returned, else TIMEOUT at once', async () => {
    ({ rt } = setup());
    const { pid, result } = inProcess(async (ctx) => {
      const first = await ctx.receive(undefined, 0);
      await ctx.receive((m) => m === 'sync');
      const second = await ctx.receive((m) => m === 'x', 0);
      const third = await ctx.receive((m) => m === 'x', 0);
      return [first, second, third];
    });
    await rt.settle();
    rt.send(pid, 'sync');
    rt.send(pid, 'x');
    expect(await result).toEqual([TIMEOUT, 'x', TIMEOUT]);
  });

  it('a second concurrent receive is refused', async () => {
    ({ rt } = setup());
    const { result } = inProcess(async (ctx) => {
      void ctx.receive();
      return ctx.receive();
    });
    await expect(result).rejects.toThrow(/pending receive/);
  });

  it('no message is lost under many concurrent senders and a selective receiver', async () => {
    ({ rt } = setup());
    const senders = 50;
    const each = 200;
    const { pid, result } = inProcess(async (ctx) => {
      const perSender = new Map<number, number[]>();
      // take sender 0's messages first (selective), then everything else
      for (let i = 0; i < each; i++) {
        const m = (await ctx.receive((x) => (x as [number, number])[0] === 0)) as [number, number];
        (perSender.get(0) ?? perSender.set(0, []).get(0)!).push(m[1]);
      }
      for (let i = 0; i < (senders - 1) * each; i++) {
        const m = (await ctx.receive()) as [number, number];
        (perSender.get(m[0]) ?? perSender.set(m[0], []).get(m[0])!).push(m[1]);
      }
      return perSender;
    });
    for (let s = senders - 1; s >= 0; s--) {
      rt.spawn(async (ctx) => {
        for (let i = 0; i < each; i++) {
          ctx.send(pid, [s, i]);
          if (i % 7 === 0) await Promise.resolve();
        }
      });
    }
    const per = await result;
    expect(per.size).toBe(senders);
    for (const list of per.values()) expect(list).toEqual(Array.from({ length: each }, (_, i) => i));
  });

  it('a process that is killed while parked never resumes', async () => {
    ({ rt } = setup());
    let resumed = false;
    const pid = rt.spawn(async (ctx) => {
      await ctx.receive();
      resumed = true;
    });
    await rt.settle();
    rt.exit(pid, (await import('../src/index.ts')).kill);
    rt.send(pid, 'late');
    await rt.settle();
    expect(resumed).toBe(false);
    expect(rt.isAlive(pid)).toBe(false);
  });
});

describe('a parked receive woken by a send from a process (no scheduler round trip)', () => {
  it('non-matching arrivals keep their order, and the matcher sees each message once', async () => {
    ({ rt } = setup());
    let calls = 0;
    const { pid, result } = inProcess(async (ctx) => {
      const m = await ctx.receive((x) => {
        calls++;
        return x === 'wanted';
      });
      const rest = [await ctx.receive(), await ctx.receive(), await ctx.receive()];
      return { m, rest };
    });
    await rt.settle(); // parked, mailbox scanned
    rt.spawn(async (ctx) => {
      ctx.send(pid, 'a');
      await Promise.resolve();
      ctx.send(pid, 'b');
      ctx.send(pid, 'wanted');
      ctx.send(pid, 'c');
    });
    expect(await result).toEqual({ m: 'wanted', rest: ['a', 'b', 'c'] });
    expect(calls).toBe(3);
  });

  it('cancels the receive timer', async () => {
    ({ rt, clock } = setup());
    const { pid, result } = inProcess(async (ctx) => ctx.receive(undefined, 1000));
    await rt.settle();
    expect(clock.pending).toBe(1);
    rt.spawn(async (ctx) => ctx.send(pid, 'hi'));
    expect(await result).toBe('hi');
    expect(clock.pending).toBe(0);
  });

  it('a process with a kill queued is not woken by a later send', async () => {
    ({ rt } = setup());
    let resumed = false;
    const pid = rt.spawn(async (ctx) => {
      await ctx.receive();
      resumed = true;
    });
    await rt.settle();
    rt.spawn(async (ctx) => {
      ctx.exit(pid, kill);
      ctx.send(pid, 'late');
    });
    await rt.settle();
    expect(resumed).toBe(false);
    expect(rt.isAlive(pid)).toBe(false);
  });

  it('two async processes ping-ponging still yield to the event loop', async () => {
    ({ rt } = setup({ budget: 1000 }));
    const n = 100_000;
    let immediates = 0;
    let stop = false;
    const spin = (): void => {
      if (stop) return;
      immediates++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const done = deferred<void>();
    const player = (last: boolean) => async (ctx: ProcessContext) => {
      for (;;) {
        const [other, k] = (await ctx.receive()) as [ReturnType<Runtime['spawn']>, number];
        if (last && k >= n) return done.resolve();
        ctx.send(other, [ctx.self, k + 1]);
      }
    };
    const a = rt.spawn(player(true));
    const b = rt.spawn(player(false));
    await rt.settle();
    rt.send(a, [b, 0]);
    await done.promise;
    stop = true;
    // 100k messages, 2 reductions each, a budget of 1000: the event loop got ~200 turns
    expect(immediates).toBeGreaterThan(50);
  });
});

describe('proc_lib start with a full mailbox (the receive mark)', () => {
  it('a start under 500 queued messages leaves them all, in order', async () => {
    ({ rt } = setup());
    class Quick extends GenServer<number> {
      init() {
        return ok(0);
      }
    }
    const { pid, result } = inProcess(async (ctx) => {
      await ctx.receive((m) => m === 'go');
      const child = await GenServer.start(ctx, Quick, undefined);
      const rest: unknown[] = [];
      for (;;) {
        const m = await ctx.receive(undefined, 0);
        if (m === TIMEOUT) break;
        rest.push(m);
      }
      return { child, rest };
    });
    for (let i = 0; i < 500; i++) rt.send(pid, ['queued', i]);
    rt.send(pid, 'go');
    const { child, rest } = await result;
    expect(child).toBeDefined();
    expect(rest).toEqual(Array.from({ length: 500 }, (_, i) => ['queued', i]));
  });
});
