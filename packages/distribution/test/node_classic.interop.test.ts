/**
 * A node that does not advertise EXIT_PAYLOAD, SEND_SENDER and ALIAS: erl then uses the classic
 * ops (2, 3, 8, 21) and we must send only those (spec §4.1 "Sending rules"); gen_server replies
 * go to the caller's pid instead of an alias.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pid, Tuple, atom, t } from '@beamline/etf';
import { ExitError, GenServer, Runtime, ok, reply, type CallResult, type ProcessContext } from '@beamline/core';
import { startNode, type BeamNode } from '../src/node.ts';
import { DFLAG, hasFlag } from '../src/flags.ts';
import { MemoryLogger } from '../src/log.ts';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { COOKIE, Inbox, ev, exitReasonOf, sleep, freePort } from './helpers/node_pair.ts';

let EPMD = 0; // a fresh port per run (helpers/node_pair.ts freePort)
let node: BeamNode;
let runtime: Runtime;
let erl: ErlNode;
let ts: string;

class Echo extends GenServer<null> {
  init() {
    return ok(null);
  }
  override handleCall(req: unknown, _f: unknown, s: null): CallResult<null, unknown> {
    return reply(t(atom('echo'), req as never), s);
  }
}

beforeAll(async () => {
  EPMD = await freePort();
  runtime = new Runtime({ logger: null });
  node = await startNode({
    name: 'ts_classic@localhost',
    cookie: COOKIE,
    epmdPort: EPMD,
    runtime,
    logger: new MemoryLogger(),
    transport: { removeFlags: DFLAG.EXIT_PAYLOAD | DFLAG.SEND_SENDER | DFLAG.ALIAS },
  });
  ts = node.name;
  erl = await startErl({ name: 'erl_classic@localhost', cookie: COOKIE, epmdPort: EPMD });
  GenServer.start(runtime, Echo, [], { name: 'echo' });
  await erl.eval(`register(tester, self())`);
});
afterAll(async () => {
  await erl?.stop();
  await node?.stop();
  await runtime?.stop();
});

describe('classic control forms', () => {
  it('the connection really lacks the three flags', async () => {
    expect(await erl.eval(`net_adm:ping('${ts}')`)).toBe('pong');
    const conn = node.connection(erl.name)!;
    expect(hasFlag(conn.flags, DFLAG.EXIT_PAYLOAD) || hasFlag(conn.flags, DFLAG.SEND_SENDER) || hasFlag(conn.flags, DFLAG.ALIAS)).toBe(false);
  });

  it('send by pid (SEND without sender) both ways', async () => {
    const inbox = new Inbox(runtime, 'inbox');
    await erl.eval(`{inbox, '${ts}'} ! {erl_pid, self()}`);
    const erlPid = ((await inbox.next<Tuple>()) as Tuple).elements[1] as Pid;
    await node.inProcess(async (ctx) => ctx.send(erlPid, t(atom('to_pid'), ctx.self)));
    expect(await ev(erl, `receive {to_pid, $P} -> node($P) after 5000 -> timeout end`)).toBe(ts);
    node.send(['tester', erl.name], t(atom('inbox_pid'), inbox.pid));
    await ev(erl, `$I = receive {inbox_pid, $X} -> $X after 5000 -> timeout end, $I ! by_pid`);
    expect(await inbox.next((m) => m === atom('by_pid'))).toBe(atom('by_pid'));
  });

  it('link exit (EXIT op 3) both ways and exit/2 (EXIT2 op 8)', async () => {
    const victim = runtime.spawn(async (ctx: ProcessContext) => {
      await ctx.receive((m) => m === atom('die'));
      throw new ExitError(t(atom('classic'), 1));
    });
    node.send(['tester', erl.name], t(atom('victim'), victim));
    const got = await ev(
      erl,
      `process_flag(trap_exit, true), $V = receive {victim, $X} -> $X after 5000 -> timeout end, link($V), $V ! die,
       receive {'EXIT', $V, $R} -> $R after 5000 -> timeout end`,
    );
    expect(got).toBe('{classic,1}');
    const inbox = new Inbox(runtime, undefined, { trapExit: true });
    node.send(['tester', erl.name], t(atom('target'), inbox.pid));
    await ev(erl, `$T = receive {target, $X} -> $X after 5000 -> timeout end, exit($T, classic_exit2)`);
    const m = await inbox.next<Tuple>();
    expect(m.elements[0]).toBe(atom('EXIT'));
    expect(m.elements[2]).toBe(atom('classic_exit2'));
    await erl.eval(`process_flag(trap_exit, false)`);
  });

  it('monitor exits (MONITOR_P_EXIT op 21) both ways', async () => {
    const victim = runtime.spawn(async (ctx: ProcessContext) => {
      await ctx.receive((m) => m === atom('die'));
      throw new ExitError(atom('mon_classic'));
    });
    node.send(['tester', erl.name], t(atom('mvictim'), victim));
    expect(
      await ev(
        erl,
        `$V = receive {mvictim, $X} -> $X after 5000 -> timeout end, $R = monitor(process, $V), $V ! die,
        receive {'DOWN', $R, process, _, $W} -> $W after 5000 -> timeout end`,
      ),
    ).toBe('mon_classic');
    await erl.eval(`register(erl_mortal, spawn(fun() -> receive X -> exit(X) end end))`);
    const watcher = runtime.spawn(async (ctx: ProcessContext) => {
      ctx.monitor(['erl_mortal', erl.name]);
      const down = (await ctx.receive((m) => m instanceof Tuple && m.elements[0] === atom('DOWN'))) as Tuple;
      throw new ExitError(down.elements[4]);
    });
    const reason = exitReasonOf(runtime, watcher);
    await sleep(50);
    await erl.eval(`erl_mortal ! erl_side_reason`);
    expect(await reason).toBe(atom('erl_side_reason'));
  });

  it('gen_server:call into TS: the reply goes to the pid (no ALIAS_SEND)', async () => {
    expect(await erl.eval(`gen_server:call({echo, '${ts}'}, hi)`)).toBe('{echo,hi}');
  });

  it('TS → erl call with a plain tag', async () => {
    await erl.eval(`register(erl_srv, spawn(fun L() -> receive {'$gen_call', {F, T}, Q} -> F ! {T, {got, Q}}, L() end end))`);
    expect(await node.call(['erl_srv', erl.name], atom('q'))).toEqual(t(atom('got'), atom('q')));
  });
});
