/**
 * Monitors across the wire, both ways, by pid and by registered name (spec §4.3, §9 items
 * 25-29): DOWN reasons, the `{Name, Node}` form, noproc, demonitor, noconnection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pid, Tuple, atom, t, type Ref } from '@beamline/etf';
import { ExitError, TIMEOUT, refEquals, type ProcessContext } from '@beamline/core';
import { startErl } from '../../../tools/erl/node.ts';
import { COOKIE, Inbox, bindOnErl, ev, sleep, startPair, untilErl, untilRemoteLinked, type Pair, freePort } from './helpers/node_pair.ts';

let EPMD = 0; // a fresh port per run (helpers/node_pair.ts freePort)
let p: Pair;
let n = 0;

beforeAll(async () => {
  EPMD = await freePort();
  p = await startPair('mon', EPMD);
  await ev(p.erl, `register(tester, self())`);
});
afterAll(async () => {
  await p?.stop();
});

function spawnVictim(name?: string): Pid {
  return p.node.runtime.spawn(
    async (ctx: ProcessContext) => {
      const m = (await ctx.receive((x) => x instanceof Tuple && x.elements[0] === atom('die'))) as Tuple;
      if (m.elements[1] !== atom('normal')) throw new ExitError(m.elements[1]);
    },
    { name },
  );
}

const isDown = (ref: Ref) => (m: unknown) => m instanceof Tuple && m.elements[0] === atom('DOWN') && refEquals(m.elements[1], ref);

/** Monitor `target` from a fresh TS process; resolves with its DOWN message (or TIMEOUT). */
function tsMonitor(target: Pid | [string, string], opts: { demonitorAfterMs?: number; timeoutMs?: number } = {}) {
  return new Promise<unknown>((resolve) => {
    p.node.runtime.spawn(async (ctx: ProcessContext) => {
      const ref = ctx.monitor(target);
      if (opts.demonitorAfterMs !== undefined) {
        await ctx.receive(() => false, opts.demonitorAfterMs);
        expect(ctx.demonitor(ref)).toBe(true);
      }
      resolve(await ctx.receive(isDown(ref), opts.timeoutMs ?? 5000));
    });
  });
}

async function erlPid(expr: string): Promise<Pid> {
  const inbox = new Inbox(p.node.runtime, `mon_inbox_${++n}`);
  await ev(p.erl, `{mon_inbox_${n}, '${p.ts}'} ! {the_pid, ${expr}}`);
  return ((await inbox.next<Tuple>()) as Tuple).elements[1] as Pid;
}

describe('erl monitors TS processes', () => {
  it('by pid: DOWN with the exit reason', async () => {
    const v = spawnVictim();
    await bindOnErl(p, `V${++n}`, v);
    await ev(p.erl, `R${n} = monitor(process, V${n})`);
    await untilRemoteLinked(p.node.runtime, v, 'monitoredBy');
    p.node.send(v, t(atom('die'), t(atom('custom'), 1)));
    expect(await ev(p.erl, `receive {'DOWN', R${n}, process, $P, $Why} -> {$P =:= V${n}, $Why} after 5000 -> timeout end`)).toBe('{true,{custom,1}}');
  });

  it('by name: DOWN names {Name, Node}', async () => {
    const v = spawnVictim('mon_victim');
    await ev(p.erl, `Rv = monitor(process, {mon_victim, '${p.ts}'})`);
    await untilRemoteLinked(p.node.runtime, v, 'monitoredBy');
    p.node.send('mon_victim', t(atom('die'), atom('bye')));
    expect(await ev(p.erl, `receive {'DOWN', Rv, process, $Item, $Why} -> {$Item, $Why} after 5000 -> timeout end`)).toBe(
      `{{mon_victim,${p.ts}},bye}`,
    );
  });

  it('noproc for an unknown name and for a dead pid', async () => {
    expect(
      await ev(
        p.erl,
        `$R = monitor(process, {no_such_name, '${p.ts}'}), receive {'DOWN', $R, process, $I, $W} -> {$I, $W} after 5000 -> timeout end`,
      ),
    ).toBe(`{{no_such_name,${p.ts}},noproc}`);
    const dead = p.node.runtime.spawn(async () => {});
    await sleep(20);
    await bindOnErl(p, 'Dead', dead);
    expect(await ev(p.erl, `$R = monitor(process, Dead), receive {'DOWN', $R, process, _, $W} -> $W after 5000 -> timeout end`)).toBe('noproc');
  });

  it('demonitor: no DOWN later, and the TS process no longer lists the monitor', async () => {
    const v = spawnVictim();
    await bindOnErl(p, `V${++n}`, v);
    await ev(p.erl, `R${n} = monitor(process, V${n})`);
    await untilRemoteLinked(p.node.runtime, v, 'monitoredBy');
    expect(p.node.runtime.processInfo(v)?.monitoredBy.length).toBe(1);
    await ev(p.erl, `true = demonitor(R${n})`);
    await sleep(50);
    expect(p.node.runtime.processInfo(v)?.monitoredBy.length).toBe(0);
    p.node.send(v, t(atom('die'), atom('bye')));
    expect(await ev(p.erl, `receive {'DOWN', R${n}, _, _, _} = $M -> $M after 300 -> none end`)).toBe('none');
  });

  it('noconnection when we disconnect', async () => {
    const v = spawnVictim();
    await bindOnErl(p, `V${++n}`, v);
    await ev(p.erl, `R${n} = monitor(process, V${n})`);
    await untilRemoteLinked(p.node.runtime, v, 'monitoredBy');
    p.node.disconnect(p.erlName);
    expect(await ev(p.erl, `receive {'DOWN', R${n}, process, _, $Why} -> $Why after 5000 -> timeout end`)).toBe('noconnection');
    p.node.send(v, t(atom('die'), atom('normal')));
    expect(await p.node.ping(p.erlName)).toBe('pong');
  });
});

describe('TS monitors erl processes', () => {
  it('by pid: DOWN with the pid and the reason (kill → killed)', async () => {
    await ev(p.erl, `S1 = spawn(fun() -> receive $X -> exit($X) end end)`);
    const pid = await erlPid('S1');
    const down = tsMonitor(pid);
    await untilErl(p.erl, `length(element(2, process_info(S1, monitored_by))) > 0`);
    await ev(p.erl, `S1 ! {shutdown, why}`);
    const m = (await down) as Tuple;
    expect(m.elements[0]).toBe(atom('DOWN'));
    expect(m.elements.slice(2)).toEqual([atom('process'), pid, t(atom('shutdown'), atom('why'))]);
    await ev(p.erl, `S2 = spawn(fun() -> receive after infinity -> ok end end)`);
    const pid2 = await erlPid('S2');
    const down2 = tsMonitor(pid2);
    await untilErl(p.erl, `length(element(2, process_info(S2, monitored_by))) > 0`);
    await ev(p.erl, `exit(S2, kill)`);
    expect(((await down2) as Tuple).elements[4]).toBe(atom('killed'));
  });

  it('by name: DOWN names {Name, Node} (MONITOR_P_EXIT carries the name)', async () => {
    await ev(p.erl, `register(erl_named, spawn(fun() -> receive $X -> exit($X) end end))`);
    const down = tsMonitor(['erl_named', p.erlName]);
    await untilErl(p.erl, `length(element(2, process_info(whereis(erl_named), monitored_by))) > 0`);
    await ev(p.erl, `erl_named ! named_reason`);
    const m = (await down) as Tuple;
    expect(m.elements[3]).toEqual(t(atom('erl_named'), atom(p.erlName)));
    expect(m.elements[4]).toBe(atom('named_reason'));
  });

  it('noproc for an unknown erl name', async () => {
    const m = (await tsMonitor(['nobody', p.erlName])) as Tuple;
    expect(m.elements[3]).toEqual(t(atom('nobody'), atom(p.erlName)));
    expect(m.elements[4]).toBe(atom('noproc'));
  });

  it('demonitor: no DOWN, and erl forgets the monitor', async () => {
    await ev(p.erl, `S3 = spawn(fun() -> receive $X -> exit($X) end end)`);
    const pid = await erlPid('S3');
    const down = tsMonitor(pid, { demonitorAfterMs: 100, timeoutMs: 400 });
    await sleep(200);
    expect(await ev(p.erl, `{monitored_by, $L} = process_info(S3, monitored_by), length($L)`)).toBe('0');
    await ev(p.erl, `S3 ! bye`);
    expect(await down).toBe(TIMEOUT);
  });

  it('noconnection when the erl node dies', async () => {
    const erl2 = await startErl({ name: 'erl_mon2@localhost', cookie: COOKIE, epmdPort: EPMD });
    try {
      await erl2.eval(`register(sleeper, spawn(fun() -> receive after infinity -> ok end end))`);
      const byName = tsMonitor(['sleeper', 'erl_mon2@localhost'], { timeoutMs: 10000 });
      await sleep(200);
      await erl2.kill();
      const m = (await byName) as Tuple;
      expect(m.elements[3]).toEqual(t(atom('sleeper'), atom('erl_mon2@localhost')));
      expect(m.elements[4]).toBe(atom('noconnection'));
    } finally {
      await erl2.kill();
    }
  });

  it('monitoring a process on a node that cannot be reached gives noconnection', async () => {
    const m = (await tsMonitor(['x', 'ghost@localhost'])) as Tuple;
    expect(m.elements[4]).toBe(atom('noconnection'));
  });
});
