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
    await call(`exit(maps:get(parent, rpc:call('${p.ts}', beamline, info, [rex])), kill)`);
    expect(await call(`{net_adm:ping('${p.ts}'), rpc:block_call('${p.ts}', erlang, node, [], 2000)}`)).toBe(`{pong,${p.ts}}`);
  });
});
