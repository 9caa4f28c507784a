/**
 * The `beamline` module every node exports (introspection.ts), called from a real erl with
 * rpc:call: ping, tree (with restart counts and mailboxes), ps, info, kill, registered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenServer, Supervisor, noreply, ok, type ProcessContext } from '@beamline/core';
import { ev, freePort, startPair, until, type Pair } from './helpers/node_pair.ts';

let p: Pair;

class Idle extends GenServer<null> {
  init() {
    return ok(null);
  }
  override handleInfo(_msg: unknown, s: null) {
    return noreply(s);
  }
}

beforeAll(async () => {
  p = await startPair('intro', await freePort());
  await Supervisor.start(
    p.node.runtime,
    {
      strategy: 'one_for_one',
      intensity: 5,
      children: [{ id: 'idle', start: (ctx: ProcessContext) => GenServer.startLink(ctx, Idle, undefined, { name: 'idle' }) }],
    },
    { name: 'top_sup' },
  );
});
afterAll(async () => {
  await p?.stop();
});

const call = (expr: string) => ev(p.erl, expr);

describe('rpc:call(Node, beamline, F, A) from erl', () => {
  it('ping and registered', async () => {
    expect(await call(`rpc:call('${p.ts}', beamline, ping, [])`)).toBe('pong');
    const names = await call(`rpc:call('${p.ts}', beamline, registered, [])`);
    for (const n of ['idle', 'net_kernel', 'rex', 'top_sup']) expect(names).toContain(n);
  });

  it('tree: the supervisor with its child, names, restart counts and mailboxes', async () => {
    expect(await call(`[T] = rpc:call('${p.ts}', beamline, tree, []), {maps:get(name, T), maps:get(strategy, T), maps:get(type, T)}`)).toBe(
      '{top_sup,one_for_one,supervisor}',
    );
    expect(await call(`[C] = maps:get(children, T), {maps:get(id, C), maps:get(name, C), maps:get(behaviour, C), maps:get(restarts, C)}`)).toBe(
      '{idle,idle,<<"Idle">>,0}',
    );
  });

  it('info by name and by pid text; kill restarts the child and the count shows it', async () => {
    expect(await call(`I = rpc:call('${p.ts}', beamline, info, [idle]), {maps:get(name, I), maps:get(trap_exit, I), maps:get(status, I)}`)).toBe(
      '{idle,false,waiting}',
    );
    const pidText = p.node.runtime.whereis('idle')!.format(p.node.name);
    expect(await call(`maps:get(name, rpc:call('${p.ts}', beamline, info, [<<"${pidText}">>]))`)).toBe('idle');
    expect(await call(`rpc:call('${p.ts}', beamline, info, [nobody])`)).toBe('undefined');
    const before = p.node.runtime.whereis('idle')!;
    expect(await call(`rpc:call('${p.ts}', beamline, kill, [idle, <<"boom">>])`)).toBe('ok');
    await until(() => {
      const now = p.node.runtime.whereis('idle');
      return now !== undefined && now.id !== before.id;
    });
    expect(await call(`[T2] = rpc:call('${p.ts}', beamline, tree, []), [C2] = maps:get(children, T2), maps:get(restarts, C2)`)).toBe('1');
    expect(await call(`rpc:call('${p.ts}', beamline, kill, [nobody, kill])`)).toBe('{error,noproc}');
  });

  it('kill with a trappable reason comes from the rpc, not the parent: a top supervisor takes it as a stray EXIT and stays', async () => {
    const sup = p.node.runtime.whereis('top_sup')!;
    const idle = p.node.runtime.whereis('idle')!;
    expect(await call(`rpc:call('${p.ts}', beamline, kill, [top_sup, foo])`)).toBe('ok');
    await new Promise((r) => setTimeout(r, 100));
    expect(p.node.runtime.isAlive(sup)).toBe(true);
    expect(p.node.runtime.whereis('idle')?.id).toBe(idle.id);
  });

  it('ps: one row per process with the documented keys', async () => {
    const n = p.node.runtime.processCount;
    expect(await call(`Ps = rpc:call('${p.ts}', beamline, ps, []), length(Ps)`)).toBe(String(n + 1)); // + the rpc's own process
    expect(await call(`[R] = [X || X <- Ps, maps:get(name, X) =:= idle], lists:sort(maps:keys(R))`)).toBe(
      '[behaviour,mailbox,memory,messages_in,messages_out,name,pid,status,supervisor]',
    );
    expect(await call(`is_pid(maps:get(supervisor, R))`)).toBe('true');
  });
});
