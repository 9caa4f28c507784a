/**
 * Links and exit signals across the wire, both ways (spec §4.3, §4.4, §9 items 30-34): normal,
 * kill, custom reasons, trap_exit, unlink with UNLINK_ID, noproc, and noconnection when the
 * connection is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pid, Tuple, atom, t } from '@beamline/etf';
import { TIMEOUT, type ProcessContext } from '@beamline/core';
import { startErl } from '../../../tools/erl/node.ts';
import {
  COOKIE,
  ERL_COLLECTOR,
  Inbox,
  bindOnErl,
  ev,
  exitReasonOf,
  sleep,
  startPair,
  untilErl,
  untilRemoteLinked,
  until,
  type Pair,
  freePort,
} from './helpers/node_pair.ts';

let EPMD = 0; // a fresh port per run (helpers/node_pair.ts freePort)
let p: Pair;
let n = 0;

beforeAll(async () => {
  EPMD = await freePort();
  p = await startPair('links', EPMD);
  await ev(p.erl, `register(tester, self())`);
  expect(await p.erl.eval(ERL_COLLECTOR)).toBe('ok');
});
afterAll(async () => {
  await p?.stop();
});

/** A TS process that waits for `{die, Reason}` and exits with it (or returns on `normal`). */
function spawnVictim(opts: { trapExit?: boolean } = {}): Pid {
  return p.node.runtime.spawn(
    async (ctx: ProcessContext) => {
      const m = (await ctx.receive((x) => x instanceof Tuple && x.elements[0] === atom('die'))) as Tuple;
      const reason = m.elements[1];
      if (reason === atom('normal')) return;
      const { ExitError } = await import('@beamline/core');
      throw new ExitError(reason);
    },
    { trapExit: opts.trapExit },
  );
}

/** A fresh trapping erl collector with a unique name. */
async function erlCollector(trap = true): Promise<string> {
  const name = `c${++n}`;
  await ev(p.erl, `${name.toUpperCase()} = Coll(${name}, ${trap})`);
  return name;
}

describe('erl links to a TS process', () => {
  for (const reason of ['normal', 'boom', '{shutdown,{custom,[1,2]}}']) {
    it(`TS process exits with ${reason} → trapping erl process gets {'EXIT', TsPid, ${reason}}`, async () => {
      const victim = spawnVictim();
      const c = await erlCollector();
      await bindOnErl(p, `V${n}`, victim);
      await ev(p.erl, `${c} ! {do, fun() -> link(V${n}) end}, Msgs(${c})`);
      await untilRemoteLinked(p.node.runtime, victim);
      const term = reason === 'normal' ? atom('normal') : reason === 'boom' ? atom('boom') : t(atom('shutdown'), t(atom('custom'), [1, 2]));
      p.node.send(victim, t(atom('die'), term));
      const got = await ev(p.erl, `[{'EXIT', $P, $R}] = WaitN(${c}, 1), {$P =:= V${n}, $R}`);
      expect(got).toBe(`{true,${reason}}`);
    });
  }

  it('a JS error as exit reason crosses as {js_error, <<"Name: message">>}', async () => {
    const victim = p.node.runtime.spawn(async (ctx: ProcessContext) => {
      await ctx.receive((m) => m === atom('go'));
      throw new RangeError('out of range');
    });
    const c = await erlCollector();
    await bindOnErl(p, `V${n}`, victim);
    await ev(p.erl, `${c} ! {do, fun() -> link(V${n}) end}, Msgs(${c})`);
    await untilRemoteLinked(p.node.runtime, victim);
    p.node.send(victim, atom('go'));
    expect(await ev(p.erl, `[{'EXIT', _, $R}] = WaitN(${c}, 1), $R`)).toBe('{js_error,<<"RangeError: out of range">>}');
  });

  it('a non-trapping erl process linked to a dying TS process dies with the same reason', async () => {
    const victim = spawnVictim();
    const c = await erlCollector(false);
    await bindOnErl(p, `V${n}`, victim);
    await ev(p.erl, `Mon${n} = monitor(process, ${c}), ${c} ! {do, fun() -> link(V${n}) end}, Msgs(${c})`);
    await untilRemoteLinked(p.node.runtime, victim);
    p.node.send(victim, t(atom('die'), atom('bad_thing')));
    expect(await ev(p.erl, `receive {'DOWN', Mon${n}, _, _, $R} -> $R after 5000 -> timeout end`)).toBe('bad_thing');
  });

  it('linking to a TS pid that is dead gives noproc', async () => {
    const dead = p.node.runtime.spawn(async () => {});
    await sleep(20);
    const c = await erlCollector();
    await bindOnErl(p, `D${n}`, dead);
    await ev(p.erl, `${c} ! {do, fun() -> link(D${n}) end}`);
    expect(await ev(p.erl, `[{'EXIT', $P, $R}] = WaitN(${c}, 1), {$P =:= D${n}, $R}`)).toBe('{true,noproc}');
  });

  it('unlink (UNLINK_ID, acked): a later exit is not propagated', async () => {
    const victim = spawnVictim();
    const c = await erlCollector();
    await bindOnErl(p, `V${n}`, victim);
    await ev(p.erl, `${c} ! {do, fun() -> link(V${n}), unlink(V${n}) end}, Msgs(${c})`);
    await sleep(50);
    p.node.send(victim, t(atom('die'), atom('boom')));
    await exitReasonOf(p.node.runtime, victim).catch(() => undefined);
    await sleep(100);
    expect(await ev(p.erl, `Msgs(${c})`)).toBe('[]');
    expect(p.node.router.stats().links).toBe(0);
  });

  it('exit(TsPid, kill) kills a trapping TS process with reason killed', async () => {
    const victim = spawnVictim({ trapExit: true });
    const down = exitReasonOf(p.node.runtime, victim);
    await bindOnErl(p, `K${n}`, victim);
    await ev(p.erl, `exit(K${n}, kill)`);
    expect(await down).toBe(atom('killed'));
  });

  it("exit(TsPid, Reason) reaches a trapping TS process as {'EXIT', ErlPid, Reason}", async () => {
    const inbox = new Inbox(p.node.runtime, undefined, { trapExit: true });
    await bindOnErl(p, `T${++n}`, inbox.pid);
    await ev(p.erl, `exit(T${n}, {please, stop})`);
    const m = await inbox.next<Tuple>();
    expect(m.elements[0]).toBe(atom('EXIT'));
    expect((m.elements[1] as Pid).node).toBe(atom(p.erlName));
    expect(m.elements[2]).toEqual(t(atom('please'), atom('stop')));
  });

  it('exit(TsPid, normal) is ignored by a non-trapping TS process', async () => {
    const victim = spawnVictim();
    await bindOnErl(p, `N${++n}`, victim);
    await ev(p.erl, `exit(N${n}, normal)`);
    await sleep(100);
    expect(p.node.runtime.processInfo(victim)).toBeDefined();
    p.node.send(victim, t(atom('die'), atom('normal')));
  });
});

describe('a TS process links to an erl process', () => {
  it("the erl process exits with a custom reason → trapping TS process gets {'EXIT', ErlPid, Reason}", async () => {
    const c = await erlCollector(false);
    const erlPid = (await evalPid(`${c.toUpperCase()}`)) as Pid;
    const got = new Promise<unknown>((resolve) => {
      p.node.runtime.spawn(
        async (ctx: ProcessContext) => {
          ctx.link(erlPid);
          ctx.send(['tester', p.erlName], t(atom('linked'), ctx.self));
          resolve(await ctx.receive((m) => m instanceof Tuple && m.elements[0] === atom('EXIT'), 5000));
        },
        { trapExit: true },
      );
    });
    await ev(p.erl, `receive {linked, _} -> ok after 5000 -> timeout end, exit(${c.toUpperCase()}, custom_reason)`);
    expect(await got).toEqual(t(atom('EXIT'), erlPid, atom('custom_reason')));
  });

  it("a non-trapping TS process dies with the linked erl process's reason; kill arrives as killed", async () => {
    for (const [how, expected] of [
      ['some_reason', 'some_reason'],
      ['kill', 'killed'],
    ] as const) {
      const c = await erlCollector(false);
      const erlPid = (await evalPid(`${c.toUpperCase()}`)) as Pid;
      const ts = p.node.runtime.spawn(async (ctx: ProcessContext) => {
        ctx.link(erlPid);
        ctx.send(['tester', p.erlName], atom('linked'));
        await ctx.receive(() => false);
      });
      const down = exitReasonOf(p.node.runtime, ts);
      await ev(p.erl, `receive linked -> ok after 5000 -> timeout end, exit(${c.toUpperCase()}, ${how})`);
      expect(await down).toBe(atom(expected));
    }
  });

  it('the TS process dies → the linked erl process (trapping) gets the reason; TS exit/2 kills an erl process', async () => {
    const c = await erlCollector(true);
    const erlPid = (await evalPid(`${c.toUpperCase()}`)) as Pid;
    const ts = p.node.runtime.spawn(async (ctx: ProcessContext) => {
      ctx.link(erlPid);
      await ctx.receive((m) => m === atom('go'));
      const { ExitError } = await import('@beamline/core');
      throw new ExitError(t(atom('ts_died'), 7));
    });
    await untilErl(p.erl, `length(element(2, process_info(${c.toUpperCase()}, links))) > 0`);
    p.node.send(ts, atom('go'));
    expect(await ev(p.erl, `[{'EXIT', $P, $R}] = WaitN(${c}, 1), {node($P), $R}`)).toBe(`{${p.ts},{ts_died,7}}`);

    const c2 = await erlCollector(true);
    const erlPid2 = (await evalPid(`${c2.toUpperCase()}`)) as Pid;
    await ev(p.erl, `Mk = monitor(process, ${c2.toUpperCase()})`);
    await p.node.inProcess(async (ctx) => ctx.exit(erlPid2, atom('kill')));
    expect(await ev(p.erl, `receive {'DOWN', Mk, _, _, $R} -> $R after 5000 -> timeout end`)).toBe('killed');
  });

  it('TS unlink sends UNLINK_ID; erl acks and no exit follows', async () => {
    const c = await erlCollector(true);
    const erlPid = (await evalPid(`${c.toUpperCase()}`)) as Pid;
    const inbox = new Inbox(p.node.runtime);
    const ts = p.node.runtime.spawn(async (ctx: ProcessContext) => {
      ctx.link(erlPid);
      ctx.unlink(erlPid);
      ctx.send(inbox.pid, atom('unlinked'));
      await ctx.receive((m) => m === atom('go'));
      const { ExitError } = await import('@beamline/core');
      throw new ExitError(atom('after_unlink'));
    });
    await inbox.next((m) => m === atom('unlinked'));
    // the entry stays (inactive) until erl's UNLINK_ID_ACK comes back
    await until(() => p.node.router.stats().links === 0, 5000, 'UNLINK_ID_ACK');
    p.node.send(ts, atom('go'));
    await sleep(100);
    expect(await ev(p.erl, `Msgs(${c})`)).toBe('[]');
  });

  it('linking to a dead erl pid gives noproc', async () => {
    const c = await erlCollector(false);
    const erlPid = (await evalPid(`${c.toUpperCase()}`)) as Pid;
    await ev(p.erl, `exit(${c.toUpperCase()}, kill)`);
    await sleep(20);
    const got = await p.node.inProcess(async (ctx) => {
      ctx.trapExit(true);
      ctx.link(erlPid);
      return ctx.receive((m) => m instanceof Tuple && m.elements[0] === atom('EXIT'), 5000);
    });
    expect(got).toEqual(t(atom('EXIT'), erlPid, atom('noproc')));
  });
});

describe('connection loss', () => {
  it('noconnection on both sides: TS processes linked to a killed erl node, erl processes linked to us', async () => {
    const erl2 = await startErl({ name: 'erl_links2@localhost', cookie: COOKIE, epmdPort: EPMD });
    try {
      await erl2.eval(`Pid = spawn(fun() -> receive after infinity -> ok end end), register(sleeper, Pid)`);
      const inbox = new Inbox(p.node.runtime, 'links_inbox2');
      await erl2.eval(`{links_inbox2, '${p.ts}'} ! {sleeper, whereis(sleeper)}`);
      const sleeper = ((await inbox.next<Tuple>()) as Tuple).elements[1] as Pid;
      const trapped = new Promise<unknown>((resolve) => {
        p.node.runtime.spawn(
          async (ctx: ProcessContext) => {
            ctx.link(sleeper);
            ctx.send(inbox.pid, atom('linked'));
            resolve(await ctx.receive((m) => m instanceof Tuple && m.elements[0] === atom('EXIT'), 10000));
          },
          { trapExit: true },
        );
      });
      const plain = p.node.runtime.spawn(async (ctx: ProcessContext) => {
        ctx.link(sleeper);
        await ctx.receive(() => false);
      });
      const plainDown = exitReasonOf(p.node.runtime, plain, 10000);
      await inbox.next((m) => m === atom('linked'));
      await sleep(50);
      await erl2.kill();
      const got = await trapped;
      expect(got).not.toBe(TIMEOUT);
      expect(got).toEqual(t(atom('EXIT'), sleeper, atom('noconnection')));
      expect(await plainDown).toBe(atom('noconnection'));
    } finally {
      await erl2.kill();
    }
  });

  it('erl side: a trapping erl process linked to a TS process gets noconnection when we disconnect', async () => {
    const victim = spawnVictim();
    const c = await erlCollector(true);
    await bindOnErl(p, `V${n}`, victim);
    await ev(p.erl, `${c} ! {do, fun() -> link(V${n}) end}, Msgs(${c})`);
    await untilRemoteLinked(p.node.runtime, victim);
    p.node.disconnect(p.erlName);
    expect(await ev(p.erl, `[{'EXIT', $P, $R}] = WaitN(${c}, 1), {$P =:= V${n}, $R}`)).toBe('{true,noconnection}');
    p.node.send(victim, t(atom('die'), atom('normal')));
  });
});

/** Evaluate an Erlang expression whose value is a pid, and get that pid on the TS side. */
async function evalPid(expr: string): Promise<Pid> {
  const inbox = new Inbox(p.node.runtime, `pid_inbox_${++n}`);
  await ev(p.erl, `{pid_inbox_${n}, '${p.ts}'} ! {the_pid, ${expr}}`);
  const m = await inbox.next<Tuple>();
  return m.elements[1] as Pid;
}
