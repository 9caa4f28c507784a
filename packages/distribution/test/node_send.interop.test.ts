/**
 * Sending by pid and by registered name, both ways (spec §4.2, §4.3, §9 items 22-24).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImproperList, Pid, Tuple, atom, binary, t, type Term } from '@beamline/etf';
import { Inbox, ev, startPair, type Pair, freePort } from './helpers/node_pair.ts';

let EPMD = 0; // a fresh port per run (helpers/node_pair.ts freePort)
let p: Pair;
let inbox: Inbox;

const isTagged = (tag: string) => (m: unknown) => m instanceof Tuple && m.elements[0] === atom(tag);

beforeAll(async () => {
  EPMD = await freePort();
  p = await startPair('send', EPMD);
  inbox = new Inbox(p.node.runtime, 'inbox');
  await ev(p.erl, `register(tester, self())`);
});
afterAll(async () => {
  await p?.stop();
});

describe('erl → TS', () => {
  it('by registered name: {inbox, TsNode} ! Msg', async () => {
    await ev(p.erl, `{inbox, '${p.ts}'} ! {hello, self(), [1,2,3], <<"bin">>, "str"}`);
    const m = await inbox.next<Tuple>(isTagged('hello'));
    expect(m.elements[1]).toBeInstanceOf(Pid);
    expect((m.elements[1] as Pid).node).toBe(atom(p.erlName));
    expect(m.elements[2]).toEqual([1, 2, 3]);
    expect(m.elements[3]).toEqual(binary('bin'));
    expect(m.elements[4]).toEqual([115, 116, 114]);
  });

  it('by pid: TsPid ! Msg', async () => {
    p.node.send(['tester', p.erlName], t(atom('your_pid'), inbox.pid));
    await ev(p.erl, `TsPid = receive {your_pid, $X} -> $X after 5000 -> timeout end`);
    await ev(p.erl, `TsPid ! {by_pid, node(TsPid)}`);
    expect(await inbox.next(isTagged('by_pid'))).toEqual(t(atom('by_pid'), atom(p.ts)));
  });

  it('keeps order for a burst of 10,000 messages', async () => {
    await ev(p.erl, `[ {inbox, '${p.ts}'} ! {seq, I} || I <- lists:seq(1, 10000) ], ok`);
    for (let i = 1; i <= 10000; i++) {
      const m = await inbox.next<Tuple>(isTagged('seq'));
      if (m.elements[1] !== i) expect(m.elements[1]).toBe(i);
    }
  });

  it('a message to an unknown name or a dead pid is dropped; the connection stays up', async () => {
    await ev(p.erl, `{nobody_here, '${p.ts}'} ! x`);
    const dead = p.node.runtime.spawn(async () => {});
    await new Promise((r) => setTimeout(r, 20));
    p.node.send(['tester', p.erlName], t(atom('dead_pid'), dead));
    await ev(p.erl, `Dead = receive {dead_pid, $D} -> $D after 5000 -> timeout end, Dead ! x`);
    await ev(p.erl, `{inbox, '${p.ts}'} ! still_up`);
    expect(await inbox.next((m) => m === atom('still_up'))).toBe(atom('still_up'));
    expect(p.node.nodes()).toContain(p.erlName);
  });

  it('a message to one of our pids from an older incarnation (stale creation) is dropped', async () => {
    const stale = new Pid(atom(p.ts), inbox.pid.id, inbox.pid.serial, (p.node.creation + 1) >>> 0);
    p.node.send(['tester', p.erlName], t(atom('stale'), stale));
    await ev(p.erl, `$S = receive {stale, $X} -> $X after 5000 -> timeout end, $S ! to_stale, {inbox, '${p.ts}'} ! after_stale`);
    expect(await inbox.next((m) => m === atom('after_stale') || m === atom('to_stale'))).toBe(atom('after_stale'));
    expect(inbox.kept).not.toContain(atom('to_stale'));
  });
});

describe('TS → erl', () => {
  it('by registered name', async () => {
    p.node.send(['tester', p.erlName], t(atom('from_ts'), 1, 'bin'));
    expect(await ev(p.erl, `receive {from_ts, _, _} = $M -> $M after 5000 -> timeout end`)).toBe('{from_ts,1,<<"bin">>}');
  });

  it('by pid, from inside a process (the sender pid is ours)', async () => {
    await ev(p.erl, `{inbox, '${p.ts}'} ! {erl_pid, self()}`);
    const m = await inbox.next<Tuple>(isTagged('erl_pid'));
    const erlPid = m.elements[1] as Pid;
    await p.node.inProcess(async (ctx) => ctx.send(erlPid, t(atom('to_pid'), ctx.self)));
    expect(await ev(p.erl, `receive {to_pid, $P} -> node($P) after 5000 -> timeout end`)).toBe(`${p.ts}`);
  });

  it('every term type survives a round trip through erl', async () => {
    await ev(
      p.erl,
      `Echo = spawn(fun EchoLoop() -> receive {EchoFrom, EchoMsg} -> EchoFrom ! {echo, EchoMsg}, EchoLoop() end end), register(echo, Echo)`,
    );
    const ref = p.node.runtime.makeRef();
    const samples: Term[] = [
      atom('an_atom'),
      atom('ünïcödé'),
      0,
      -1,
      255,
      256,
      2 ** 31,
      -(2 ** 31) - 1,
      2n ** 64n,
      -(2n ** 100n),
      3.5,
      'a binary',
      binary(new Uint8Array([0, 1, 2, 255])),
      [],
      [1, [2, [3]], atom('x')],
      new ImproperList([1, 2], 3),
      new ImproperList([atom('alias')], ref),
      t(),
      t(1, t(2, t(3))),
      inbox.pid,
      ref,
    ];
    for (const s of samples) {
      p.node.send(['echo', p.erlName], t(inbox.pid, s));
      const back = await inbox.next<Tuple>(isTagged('echo'));
      // a JS string is sent as a UTF-8 binary and comes back as one
      expect(back.elements[1]).toEqual(typeof s === 'string' ? binary(s) : s);
    }
  });
});
