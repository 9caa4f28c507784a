/**
 * The node's own services (`net_kernel`, `rex`) outlive a peer's `exit(Pid, kill)`: a real erl
 * kills each, then pings and rpcs the node again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ev, freePort, startPair, untilErl, type Pair } from './helpers/node_pair.ts';

let p: Pair;

beforeAll(async () => {
  p = await startPair('kernel', await freePort());
});
afterAll(async () => {
  await p?.stop();
});

const call = (expr: string) => ev(p.erl, expr);

describe('a killed net_kernel or rex comes back', () => {
  it('rex: rpc:block_call answers again, from a new rex', async () => {
    const old = await call(`$Rex0 = rpc:call('${p.ts}', erlang, whereis, [rex]), exit($Rex0, kill), $Rex0`);
    await untilErl(p.erl, `is_pid(rpc:call('${p.ts}', erlang, whereis, [rex]))`);
    expect(await call(`rpc:block_call('${p.ts}', erlang, node, [], 2000)`)).toBe(p.ts);
    expect(await call(`rpc:call('${p.ts}', erlang, whereis, [rex])`)).not.toBe(old);
    expect(p.logger.entries.some((e) => e.level === 'warn' && e.msg.includes('rex'))).toBe(true);
  });

  it('net_kernel: net_adm:ping is pong again', async () => {
    await call(`exit(rpc:call('${p.ts}', erlang, whereis, [net_kernel]), kill)`);
    await untilErl(p.erl, `is_pid(rpc:call('${p.ts}', erlang, whereis, [net_kernel]))`);
    expect(await call(`net_adm:ping('${p.ts}')`)).toBe('pong');
  });

  it('both, several times: each comes back every time', async () => {
    for (let i = 0; i < 3; i++) {
      await call(`[exit(rpc:call('${p.ts}', erlang, whereis, [N]), kill) || N <- [rex, net_kernel]], ok`);
      await untilErl(p.erl, `lists:all(fun erlang:is_pid/1, [rpc:call('${p.ts}', erlang, whereis, [N]) || N <- [rex, net_kernel]])`);
    }
    expect(await call(`{net_adm:ping('${p.ts}'), rpc:block_call('${p.ts}', erlang, node, [], 2000)}`)).toBe(`{pong,${p.ts}}`);
  });

  it('a killed keeper leaves them running', async () => {
    // the keeper is the one process that monitors rex
    await call(`[Keeper] = maps:get(monitored_by, rpc:call('${p.ts}', beamline, info, [rex])), exit(Keeper, kill)`);
    expect(await call(`{net_adm:ping('${p.ts}'), rpc:block_call('${p.ts}', erlang, node, [], 2000)}`)).toBe(`{pong,${p.ts}}`);
  });
});

describe('sys on net_kernel and rex, as on an OTP node (both are gen_servers there)', () => {
  // what an operator reads of a status: the behaviour, the status, the header and '$initial_call'
  const statusOf = (node: string, name: string) =>
    `{status, _, {module, $M}, [$PD, $S, _, [], [{header, $H} | _]]} = sys:get_status({${name}, '${node}'}, 2000),
     {$M, $S, $H, proplists:get_value('$initial_call', $PD)}`;

  it('sys:get_status answers as erl does', async () => {
    for (const name of ['net_kernel', 'rex']) expect(await call(statusOf(p.ts, name))).toBe(await call(statusOf(p.erlName, name)));
    expect(await call(statusOf(p.ts, 'rex'))).toBe('{gen_server,running,"Status for generic server rex",{rpc,init,1}}');
  });

  it("sys:get_state gives net_kernel's #state{} and rex's map", async () => {
    const head = (node: string) =>
      `$NK = sys:get_state({net_kernel, '${node}'}, 2000), {element(1, $NK), element(2, $NK) =:= '${node}', element(3, $NK)}`;
    expect(await call(head(p.ts))).toBe(await call(head(p.erlName)));
    expect(await call(`element(4, sys:get_state({net_kernel, '${p.ts}'}, 2000))`)).toMatch(/^\{tick,<[\d.]+>,60000,4\}$/);
    expect(await call(`is_map(sys:get_state({rex, '${p.ts}'}, 2000))`)).toBe('true');
  });

  it('rpc:call(N, sys, get_state | get_status, ...) answers as on erl, errors included', async () => {
    expect(await call(`rpc:call('${p.ts}', sys, get_state, [net_kernel]) =:= sys:get_state({net_kernel, '${p.ts}'})`)).toBe('true');
    expect(await call(`element(1, rpc:call('${p.ts}', sys, get_status, [rex, 2000]))`)).toBe('status');
    for (const args of ['[nope]', '[nope, 500]', `[{nope, '${p.ts}'}]`]) {
      const on = (node: string) => call(`rpc:call('${node}', sys, get_state, ${args.replace(p.ts, node)})`);
      expect(await on(p.ts)).toBe((await on(p.erlName)).replaceAll(p.erlName, p.ts));
    }
  });
});

describe("net_kernel's own calls, as OTP's net_kernel answers them", () => {
  it('nodename, longnames, ticktime, {connect, normal, N}, {disconnect, N}', async () => {
    const calls = (node: string, other: string) =>
      `[gen_server:call({net_kernel, '${node}'}, nodename) =:= '${node}'
        | [gen_server:call({net_kernel, '${node}'}, $Q, 10000) || $Q <- [longnames, ticktime, {connect, normal, '${other}'},
           {connect, normal, 'nobody@localhost'}, {disconnect, 'nobody@localhost'}]]]`;
    const onErl = await call(calls(p.erlName, p.ts));
    expect(onErl).toBe('[true,false,60000,true,false,false]');
    expect(await call(calls(p.ts, p.erlName))).toBe(onErl);
  });
});
