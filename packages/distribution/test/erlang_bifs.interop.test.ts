/**
 * The `erlang` and `os` BIFs a node answers over rpc (erlang_bifs.ts), differentially: one
 * script of rpc calls runs in a real erl against erl's own node and against the TS node, and both
 * must print the same. The script prints what does not depend on which node answers (a pid is
 * checked for its node, the node lists for who is in them).
 */
import { Runtime } from '@beamline/core';
import { atom } from '@beamline/etf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erlangBifs } from '../src/erlang_bifs.ts';
import { ev, freePort, startPair, type Pair } from './helpers/node_pair.ts';

let p: Pair;
beforeAll(async () => {
  p = await startPair('bifs', await freePort());
});
afterAll(async () => {
  await p?.stop();
});

/** The script, for the node `target`; `other` is a pid of the other node of the pair. */
function script(target: string, other: string): string {
  const N = `'${target}'`;
  const rpc = (m: string, f: string, a: string) => `rpc:call(${N}, ${m}, ${f}, ${a})`;
  const reason = (m: string, f: string, a: string) => `case ${rpc(m, f, a)} of {badrpc, {'EXIT', {$R, _}}} -> $R; $V -> {returned, $V} end`;
  return `$Rex = ${rpc('erlang', 'whereis', '[rex]')}, $Ps = ${rpc('erlang', 'processes', '[]')}, [
    ${rpc('erlang', 'node', '[]')} =:= ${N},
    ${rpc('erlang', 'node', '[self()]')} =:= node(),
    ${reason('erlang', 'node', '[foo]')},
    is_pid($Rex) andalso node($Rex) =:= ${N},
    ${rpc('erlang', 'whereis', '[no_such_name]')},
    ${reason('erlang', 'whereis', '["rex"]')},
    lists:member(rex, ${rpc('erlang', 'registered', '[]')}),
    lists:all(fun(X) -> is_pid(X) andalso node(X) =:= ${N} end, $Ps) andalso lists:member($Rex, $Ps),
    ${rpc('erlang', 'is_process_alive', '[$Rex]')},
    ${reason('erlang', 'is_process_alive', `[${other}]`)},
    ${reason('erlang', 'is_process_alive', '[rex]')},
    ${rpc('erlang', 'nodes', '[]')},
    lists:sort([${N} | ${rpc('erlang', 'nodes', '[connected]')}]) =:= lists:sort([node(), '${p.ts}']),
    lists:sort([${N} | ${rpc('erlang', 'nodes', '[[hidden, this]]')}]) =:= lists:sort([${N}, node(), '${p.ts}']),
    ${rpc('erlang', 'nodes', '[this]')} =:= [${N}],
    ${reason('erlang', 'nodes', '[everything]')},
    is_integer(list_to_integer(${rpc('os', 'getpid', '[]')}))
  ]`;
}

describe('erlang and os BIFs over rpc, erl against itself and against the TS node', () => {
  it('answer the same', async () => {
    // a pid of the TS node, as erl writes it: rpc:call(TS, erlang, whereis, [rex]) from erl
    const onErl = await ev(p.erl, script(p.erlName, `rpc:call('${p.ts}', erlang, whereis, [rex])`));
    const onTs = await ev(p.erl, script(p.ts, 'self()'));
    expect(onErl).toMatch(/^\[true,true,badarg,true,undefined,badarg,true,true,true,badarg,badarg,/);
    expect(onTs).toBe(onErl);
    expect(onErl).toBe(await ev(p.erl, script(p.ts, 'self()'))); // answered twice alike
  });

  it('os:getpid is this process', async () => {
    expect(await ev(p.erl, `rpc:call('${p.ts}', os, getpid, [])`)).toBe(`"${process.pid}"`);
  });
});

describe('nodes/0,1 on a visible node', () => {
  it('lists visible peers by default, hidden ones on request', () => {
    const rt = new Runtime({ logger: null });
    const peers = () => [
      { name: 'a@localhost', hidden: false },
      { name: 'b@localhost', hidden: true },
    ];
    const visible = erlangBifs(rt, { name: 'me@localhost', hidden: false, peers });
    const call = (f: string, ...args: unknown[]) => (visible[f] as (...a: unknown[]) => unknown)(...args);
    expect(call('nodes/0')).toEqual([atom('a@localhost')]);
    expect(call('nodes/1', atom('hidden'))).toEqual([atom('b@localhost')]);
    expect(call('nodes/1', [atom('this'), atom('connected')])).toEqual([atom('me@localhost'), atom('a@localhost'), atom('b@localhost')]);
    const hidden = erlangBifs(rt, { name: 'me@localhost', hidden: true, peers });
    expect((hidden['nodes/0'] as () => unknown)()).toEqual([]);
    expect((hidden['nodes/1'] as (k: unknown) => unknown)(atom('hidden'))).toEqual([atom('a@localhost'), atom('b@localhost')]);
  });
});
