import { type Pid, type Tuple, atom, t } from '@beamline/etf';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BadArg,
  CallError,
  CallTimeout,
  ExitError,
  type From,
  GenServer,
  type Runtime,
  type TestClock,
  kill,
  noproc,
  noreply,
  ok as okResult,
  reply,
  stop,
  sys,
  StartError,
  StateMachine,
  TIMEOUT,
  ignore,
  type CallResult,
  type CrashReport,
  type FormatStatus,
  type InitResult,
  type NoReplyResult,
  type ProcessContext,
  type WarningReport,
} from '../src/index.ts';
import { setup as setup_ } from 'xstate';
import { setup, view } from './helpers.ts';

let rt: Runtime;
let clock: TestClock;
afterEach(async () => {
  await rt?.stop();
});

type Req = ['get'] | ['add', number] | ['later'] | ['stop', unknown] | ['crash'] | ['slow'];

class Counter extends GenServer<{ n: number; pending: From[] }, Req, unknown, unknown> {
  static log: string[] = [];
  init(args: unknown) {
    return okResult({ n: args as number, pending: [] as From[] });
  }
  override handleCall(req: Req, from: From, s: { n: number; pending: From[] }): CallResult<{ n: number; pending: From[] }, unknown> {
    switch (req[0]) {
      case 'get':
        return reply(s.n, s);
      case 'add':
        return reply(s.n + req[1], { ...s, n: s.n + req[1] });
      case 'later':
        return noreply({ ...s, pending: [...s.pending, from] });
      case 'stop':
        return stop(req[1], s, { reply: 'stopping' });
      case 'crash':
        throw new Error('handler bug');
      case 'slow':
        return noreply(s); // never replies
    }
  }
  override handleCast(msg: unknown, s: { n: number; pending: From[] }): NoReplyResult<{ n: number; pending: From[] }> {
    if (msg === 'flush') {
      for (const f of s.pending) GenServer.reply(f, ['deferred', s.n]);
      return noreply({ ...s, pending: [] });
    }
    if (msg === 'inc') return noreply({ ...s, n: s.n + 1 });
    return stop(atom('bad_cast'), s);
  }
  override handleInfo(msg: unknown, s: { n: number; pending: From[] }): NoReplyResult<{ n: number; pending: From[] }> {
    Counter.log.push(`info ${String(msg)}`);
    return noreply(s);
  }
  override terminate(reason: unknown, s: { n: number }): void {
    Counter.log.push(`terminate ${String(reason)} ${s.n}`);
  }
}

/** Run body in a fresh process and resolve with its result (or reject with its error). */
function inProcess<T>(body: (ctx: ProcessContext) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    rt.spawn(async (ctx) => {
      try {
        resolve(await body(ctx));
      } catch (e) {
        reject(e);
      }
    });
  });
}

describe('GenServer', () => {
  it('call / cast / info, from a process and from outside', async () => {
    ({ rt } = setup());
    Counter.log = [];
    const pid = await GenServer.start(rt, Counter, 10, { name: 'counter' });
    expect(await GenServer.call(rt, pid, ['get'])).toBe(10);
    GenServer.cast(rt, 'counter', 'inc');
    rt.send(pid, 'hello');
    expect(await inProcess(async (ctx) => [await GenServer.call(ctx, 'counter', ['add', 5]), await GenServer.call(ctx, pid, ['get'])])).toEqual([
      16, 16,
    ]);
    expect(Counter.log).toEqual(['info hello']);
    expect(rt.processInfo(pid)!.behaviour).toBe('Counter');
  });

  it('speaks Erlang gen_server messages: {$gen_call, {Pid, Tag}, Req} -> {Tag, Reply}', async () => {
    ({ rt } = setup());
    const pid = await GenServer.start(rt, Counter, 3);
    const reply = await inProcess(async (ctx) => {
      const tag = ctx.makeRef();
      ctx.send(pid, t(atom('$gen_call'), t(ctx.self, tag), ['get'] as never));
      ctx.send(pid, t(atom('$gen_cast'), 'inc'));
      ctx.send(pid, t(atom('$gen_call'), t(ctx.self, tag), ['get'] as never));
      return [await ctx.receive(), await ctx.receive()];
    });
    expect((reply[0] as Tuple).elements[1]).toBe(3);
    expect((reply[1] as Tuple).elements[1]).toBe(4);
  });

  it('deferred replies with GenServer.reply', async () => {
    ({ rt } = setup());
    const pid = await GenServer.start(rt, Counter, 7);
    const a = GenServer.call(rt, pid, ['later']);
    const b = GenServer.call(rt, pid, ['later']);
    await rt.settle();
    GenServer.cast(rt, pid, 'flush');
    expect(await a).toEqual(['deferred', 7]);
    expect(await b).toEqual(['deferred', 7]);
  });

  it('call timeout rejects with CallTimeout carrying {timeout, {gen_server, call, ...}} and cleans up', async () => {
    ({ rt, clock } = setup());
    const pid = await GenServer.start(rt, Counter, 0);
    let caller!: Pid;
    const p = inProcess(async (ctx) => {
      caller = ctx.self;
      try {
        await GenServer.call(ctx, pid, ['slow'], 1000);
        return 'no';
      } catch (e) {
        // the monitor is gone and nothing is left in the mailbox
        return [e, rt.processInfo(ctx.self)!.monitors.length, rt.processInfo(ctx.self)!.messageQueueLen];
      }
    });
    await rt.settle();
    expect(rt.processInfo(caller)!.monitors).toHaveLength(1);
    await clock.advance(999);
    expect(rt.processInfo(caller)!.status).toBe('waiting');
    await clock.advance(1);
    const [err, monitors, queued] = (await p) as [CallTimeout, number, number];
    expect(err).toBeInstanceOf(CallTimeout);
    expect(err).toBeInstanceOf(ExitError);
    expect(err.cause).toBe(atom('timeout'));
    expect(view(err.reason)).toEqual(['timeout', ['gen_server', 'call', [String(pid), ['slow'], 1000]]]);
    expect(monitors).toBe(0);
    expect(queued).toBe(0);
    expect(rt.isAlive(pid)).toBe(true);
  });

  it('a reply that lands as a call times out is not left in the mailbox (timeout 0 against a server that answers at once)', async () => {
    ({ rt } = setup());
    const pid = await GenServer.start(rt, Counter, 4);
    for (let i = 0; i < 20; i++) {
      const [outcome, queued] = await inProcess(async (ctx) => {
        let r: unknown;
        try {
          r = await GenServer.call(ctx, pid, ['get'], 0);
        } catch (e) {
          r = e instanceof CallTimeout ? 'timeout' : e;
        }
        await rt.settle();
        return [r, rt.processInfo(ctx.self)!.messageQueueLen];
      });
      // gen:do_call takes a reply that is there once the monitor is gone, else exits timeout
      expect([4, 'timeout']).toContain(outcome);
      expect(queued).toBe(0);
    }
  });

  it('an uncaught call timeout makes the caller exit with the timeout reason', async () => {
    ({ rt, clock } = setup({ logger: null }));
    const pid = await GenServer.start(rt, Counter, 0);
    let reason: unknown;
    rt.spawn(async (ctx) => {
      ctx.trapExit(true);
      ctx.spawnLink(async (c) => {
        await GenServer.call(c, pid, ['slow'], 50);
      });
      reason = ((await ctx.receive()) as Tuple).elements[2];
    });
    await clock.advance(50);
    expect(view(reason)).toEqual(['timeout', ['gen_server', 'call', [String(pid), ['slow'], 50]]]);
  });

  it('a server that dies during the call fails it promptly (no timeout needed)', async () => {
    ({ rt } = setup({ logger: null }));
    const pid = await GenServer.start(rt, Counter, 0);
    const p = GenServer.call(rt, pid, ['slow'], 'infinity');
    await rt.settle();
    rt.exit(pid, kill);
    const err = (await p.catch((e: unknown) => e)) as CallError;
    expect(err).toBeInstanceOf(CallError);
    expect(err.cause).toBe(atom('killed'));
  });

  it('calling a dead pid or unknown name fails with noproc at once', async () => {
    ({ rt } = setup());
    const pid = await GenServer.start(rt, Counter, 0);
    await GenServer.stop(rt, pid);
    const e1 = (await GenServer.call(rt, pid, ['get']).catch((e: unknown) => e)) as CallError;
    const e2 = (await GenServer.call(rt, 'nobody', ['get']).catch((e: unknown) => e)) as CallError;
    expect(e1.cause).toBe(noproc);
    expect(e2.cause).toBe(noproc);
    expect(view(e2.reason)).toEqual(['noproc', ['gen_server', 'call', ['nobody', ['get']]]]); // call/2: no timeout listed, as OTP
  });

  it('a timeout that is not a non-negative integer or infinity is a BadArg before anything is sent (erl: function_clause)', async () => {
    ({ rt } = setup());
    const pid = await GenServer.start(rt, Counter, 0);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      await expect(GenServer.call(rt, pid, ['get'], bad)).rejects.toBeInstanceOf(BadArg);
    expect([await GenServer.call(rt, pid, ['get'], 'infinity'), await GenServer.call(rt, pid, ['get'], 1000)]).toEqual([0, 0]);
    await GenServer.stop(rt, pid);
  });

  it('a server that is no pid, name, {Name, Node} or {global, Name} is a BadArg before anything is sent (erl: function_clause), never another node', async () => {
    ({ rt } = setup());
    for (const bad of [t(atom('foo'), atom('bar'), atom('baz')), t(atom('foo')), 42]) {
      await expect(GenServer.call(rt, bad as never, 'x', 100)).rejects.toBeInstanceOf(BadArg);
      await expect(GenServer.stop(rt, bad as never)).rejects.toBeInstanceOf(BadArg);
      await expect(sys.getState(rt, bad as never, 100)).rejects.toBeInstanceOf(BadArg);
      expect(() => GenServer.cast(rt, bad as never, 'x')).not.toThrow(); // gen_server:cast never fails
    }
  });

  it('a crashing handler exits the server with the error; terminate runs; callers see it', async () => {
    ({ rt } = setup({ logger: null }));
    Counter.log = [];
    const pid = await GenServer.start(rt, Counter, 1);
    const err = (await GenServer.call(rt, pid, ['crash']).catch((e: unknown) => e)) as CallError;
    expect(err.cause).toBeInstanceOf(Error);
    expect((err.cause as Error).message).toBe('handler bug');
    expect(Counter.log).toEqual(['terminate Error: handler bug 1']);
    expect(rt.isAlive(pid)).toBe(false);
  });

  it("a crash report names the message being handled and the state, as gen_server's error report; not for a failed init", async () => {
    let crashes: CrashReport[];
    ({ rt, crashes } = setup());
    const pid = await GenServer.start(rt, Counter, 7, { name: 'crashy' });
    GenServer.cast(rt, pid, 'inc');
    await GenServer.call(rt, pid, ['crash']).catch(() => {});
    await rt.settle();
    expect(crashes).toHaveLength(1);
    expect(crashes[0]).toMatchObject({ name: 'crashy', state: { n: 8, pending: [] } });
    expect(view(crashes[0].lastMessage)).toEqual(['$gen_call', [expect.any(String), expect.anything()], ['crash']]);
    await GenServer.start(rt, Counter, 1, { name: 'crashy' }).then(() => GenServer.cast(rt, 'crashy', 'unknown'));
    await rt.settle();
    expect(crashes[1]).toMatchObject({ reason: atom('bad_cast'), lastMessage: t(atom('$gen_cast'), 'unknown'), state: { n: 1 } });
    class BadInit extends GenServer {
      init(): never {
        throw new Error('no');
      }
    }
    await GenServer.start(rt, BadInit).catch(() => {});
    await rt.settle();
    expect(crashes[2].error).toBeInstanceOf(Error);
    expect('lastMessage' in crashes[2]).toBe(false);
  });

  it('formatStatus (format_status/1) shapes what get_status and a crash report show; get_state is the state itself', async () => {
    let crashes: CrashReport[];
    ({ rt, crashes } = setup());
    class Secret extends GenServer<{ password: string }, string, never, string> {
      init() {
        return okResult({ password: 'hunter2' });
      }
      override handleCall(req: string, _from: unknown, s: { password: string }) {
        if (req === 'crash') throw new Error('boom');
        return reply(req, s);
      }
      override formatStatus(status: FormatStatus<{ password: string }>) {
        return { ...status, state: 'hidden', message: status.message === undefined ? undefined : 'redacted' };
      }
    }
    const pid = await GenServer.start(rt, Secret);
    expect((await sys.getStatus(rt, pid)).state).toBe('hidden');
    expect(await sys.getState(rt, pid)).toEqual({ password: 'hunter2' });
    await GenServer.call(rt, pid, 'crash').catch(() => {});
    await rt.settle();
    expect(crashes[0]).toMatchObject({ state: 'hidden', lastMessage: 'redacted' });
    class Broken extends GenServer {
      init() {
        return okResult(1);
      }
      override formatStatus(): never {
        throw new Error('no');
      }
    }
    const broken = await GenServer.start(rt, Broken);
    expect(String.fromCodePoint(...((await sys.getStatus(rt, broken)).state as number[]))).toBe('Broken:format_status/1 crashed');
  });

  it('{stop, reason, reply} replies, runs terminate and exits with reason', async () => {
    ({ rt } = setup({ logger: null }));
    Counter.log = [];
    const pid = await GenServer.start(rt, Counter, 2);
    expect(await GenServer.call(rt, pid, ['stop', atom('done')])).toBe('stopping');
    expect(Counter.log).toEqual(['terminate done 2']);
    expect(rt.isAlive(pid)).toBe(false);
  });

  it('GenServer.stop runs terminate and returns after the exit', async () => {
    ({ rt } = setup());
    Counter.log = [];
    const pid = await GenServer.start(rt, Counter, 5, { name: 'c' });
    await GenServer.stop(rt, 'c', atom('shutdown'));
    expect(Counter.log).toEqual(['terminate shutdown 5']);
    expect(rt.whereis('c')).toBeUndefined();
    expect(rt.isAlive(pid)).toBe(false);
  });

  it('init results: ok resolves the start; stop, ignore and a bad return reject it with StartError', async () => {
    ({ rt } = setup({ logger: null }));
    class S extends GenServer<unknown, unknown, unknown, unknown, InitResult<unknown>> {
      init(result: InitResult<unknown>) {
        return result;
      }
      override handleCall(_r: unknown, _f: From, s: unknown) {
        return reply(s, s);
      }
    }
    const started = await GenServer.start(rt, S, okResult('st'));
    expect(await GenServer.call(rt, started, 'x')).toBe('st');
    const stopped = (await GenServer.start(rt, S, stop(atom('no_config'))).catch((e: unknown) => e)) as StartError;
    expect(stopped).toBeInstanceOf(StartError);
    expect(stopped.reason).toBe(atom('no_config'));
    expect(stopped.ignored).toBe(false);
    const ignored = (await GenServer.start(rt, S, ignore()).catch((e: unknown) => e)) as StartError;
    expect(ignored.ignored).toBe(true);
    const bad = (await GenServer.start(rt, S, { some: 'state' } as never).catch((e: unknown) => e)) as StartError;
    expect(view(bad.reason)).toEqual(['bad_return_value', { some: 'state' }]);
    expect(rt.processCount).toBe(1);
  });

  it('start_link whose init fails: a trapping starter gets StartError and no EXIT message (OTP 26+)', async () => {
    ({ rt } = setup({ logger: null }));
    class Bad extends GenServer<unknown> {
      init(): never {
        throw new ExitError(atom('bad_init'));
      }
    }
    const got = await inProcess(async (ctx) => {
      ctx.trapExit(true);
      const err = await GenServer.startLink(ctx, Bad).catch((e: unknown) => e);
      return [err, await ctx.receive(undefined, 0)];
    });
    expect((got[0] as StartError).reason).toBe(atom('bad_init'));
    expect(got[1]).toBe(TIMEOUT);
  });

  it('a trapping server stops with its parent, running terminate', async () => {
    ({ rt } = setup());
    Counter.log = [];
    let server!: Pid;
    const parent = rt.spawn(async (ctx) => {
      server = await GenServer.startLink(ctx, Counter, 9, { trapExit: true });
      await ctx.receive((m) => m === 'never');
    });
    await rt.settle();
    rt.exit(parent, atom('going'));
    await rt.settle();
    expect(rt.isAlive(server)).toBe(false);
    expect(Counter.log).toEqual(['terminate going 9']);
  });

  it('result timeout: handleInfo gets timeout when idle; any message cancels it', async () => {
    ({ rt, clock } = setup());
    const log: string[] = [];
    class Idle extends GenServer<number> {
      init() {
        return okResult(0, { timeout: 100 });
      }
      override handleCast(_m: unknown, s: number) {
        return noreply(s + 1, { timeout: 100 });
      }
      override handleInfo(m: unknown, s: number) {
        log.push(`${String(m)} ${s}`);
        return noreply(s);
      }
    }
    const pid = await GenServer.start(rt, Idle);
    await clock.advance(60);
    GenServer.cast(rt, pid, 'x');
    await clock.advance(60);
    expect(log).toEqual([]);
    await clock.advance(40);
    expect(log).toEqual(['timeout 1']);
    await clock.advance(500);
    expect(log).toEqual(['timeout 1']);
  });

  it('async handlers: the server can await a call to another server inside a handler', async () => {
    ({ rt } = setup());
    const inner = await GenServer.start(rt, Counter, 40);
    class Forwarder extends GenServer<null> {
      init() {
        return okResult(null);
      }
      override async handleCall(req: unknown, _f: From, s: null, ctx: ProcessContext) {
        const n = (await GenServer.call(ctx, inner, ['add', req as number])) as number;
        return reply(n, s);
      }
    }
    const proxy = await GenServer.start(rt, Forwarder);
    const [a, b] = await Promise.all([GenServer.call(rt, proxy, 1), GenServer.call(rt, proxy, 1)]);
    expect([a, b]).toEqual([41, 42]);
  });

  it('an unknown-shaped $gen_call is just info, and casts to unknown names never throw', async () => {
    ({ rt } = setup());
    Counter.log = [];
    const pid = await GenServer.start(rt, Counter, 0);
    rt.send(pid, t(atom('$gen_call'), 'not a from', 'x'));
    GenServer.cast(rt, 'nobody', 'x');
    await rt.settle();
    expect(Counter.log).toHaveLength(1);
    expect(Counter.log[0]).toMatch(/^info /);
  });
});

describe('typed behaviours (checked by the typecheck: each @ts-expect-error must be an error)', () => {
  type CounterCall = { op: 'get' } | { op: 'add'; n: number };
  class Typed extends GenServer<number, CounterCall, 'reset', number, number> {
    init(start: number) {
      return okResult(start);
    }
    override handleCall(req: CounterCall, _from: From, n: number) {
      return req.op === 'get' ? reply(n, n) : reply(n + req.n, n + req.n);
    }
    override handleCast(_msg: 'reset', _n: number) {
      return noreply(0);
    }
  }

  it('start returns a pid that types call, cast and the reply', async () => {
    ({ rt } = setup());
    const pid = await GenServer.start(rt, Typed, 40);
    const sum: number = await GenServer.call(rt, pid, { op: 'add', n: 2 });
    GenServer.cast(rt, pid, 'reset');
    expect(sum).toBe(42);
    expect(await GenServer.call(rt, pid, { op: 'get' })).toBe(0);
    // @ts-expect-error: not a request this server takes
    await GenServer.call(rt, pid, { op: 'mul', n: 2 }).catch(() => undefined);
    // @ts-expect-error: the reply is a number
    const wrong: string = await GenServer.call(rt, pid, { op: 'get' });
    void wrong;
    // @ts-expect-error: init takes a number
    await GenServer.start(rt, Typed, 'forty').catch(() => undefined);
  });

  it('string-literal messages: another string is not taken (the types come from the pid, not the argument)', async () => {
    ({ rt } = setup());
    class Lit extends GenServer<number, 'get', 'inc', number, number> {
      init(start: number) {
        return okResult(start);
      }
      override handleCall(_req: 'get', _from: From, n: number) {
        return reply(n, n);
      }
      override handleCast(_msg: 'inc', n: number) {
        return noreply(n + 1);
      }
    }
    const pid = await GenServer.start(rt, Lit, 1);
    GenServer.cast(rt, pid, 'inc');
    expect(await GenServer.call(rt, pid, 'get')).toBe(2);
    // @ts-expect-error: not a cast this server takes
    GenServer.cast(rt, pid, 'dec');
    // @ts-expect-error: not a request this server takes
    await GenServer.call(rt, pid, 'put', 100).catch(() => undefined);
  });

  it('a StateMachine pid types its events and the snapshot', async () => {
    ({ rt } = setup());
    const toggle = setup_({ types: { events: {} as { type: 'flip' } } }).createMachine({
      initial: 'off',
      states: { off: { on: { flip: 'on' } }, on: { on: { flip: 'off' } } },
    });
    const pid = await StateMachine.start(rt, toggle);
    const snap = await StateMachine.call(rt, pid, { type: 'flip' });
    expect(snap.value).toBe('on');
    // @ts-expect-error: not an event of this machine
    StateMachine.send(rt, pid, { type: 'flop' });
  });
});

describe('a message to a GenServer without handleInfo', () => {
  class Quiet extends GenServer<number, string, unknown, string> {
    init() {
      return okResult(0);
    }
    override handleCall(_req: string, _from: From, s: number): CallResult<number, string> {
      return reply('alive', s);
    }
  }

  it('is dropped with a no_handle_info warning naming the server and the message, as gen_server logs one', async () => {
    const warnings: WarningReport[] = [];
    ({ rt, clock } = setup({ logger: { warning: (r) => warnings.push(r) } }));
    const pid = await GenServer.start(rt, Quiet, undefined, { name: 'quiet' });
    rt.send(pid, t(atom('hello'), 1));
    expect(await GenServer.call(rt, pid, 'ping')).toBe('alive');
    expect(warnings.map((w) => [w.kind, w.pid, w.name, w.behaviour, view(w.message)])).toEqual([
      ['no_handle_info', pid, 'quiet', 'Quiet', ['hello', 1]],
    ]);
  });

  it('a GenServer with handleInfo gets the message and nothing is logged', async () => {
    const warnings: WarningReport[] = [];
    ({ rt, clock } = setup({ logger: { warning: (r) => warnings.push(r) } }));
    const pid = await GenServer.start(rt, Counter, 1);
    rt.send(pid, t(atom('hello'), 1));
    expect(await GenServer.call(rt, pid, ['get'])).toBe(1);
    expect(warnings).toEqual([]);
  });
});
