/**
 * The pure parts of the node's services: gen call shapes, net_kernel's answers, and which
 * SPAWN_REQUESTs erpc.ts serves or refuses.
 */
import { describe, expect, it } from 'vitest';
import { ImproperList, Pid, Ref, atom, t } from '@beamline/etf';
import { Runtime, inProcess } from '@beamline/core';
import { asGenCall, asGenCast } from '../src/gen_proto.ts';
import { netKernelReply } from '../src/net_kernel.ts';
import { planSpawn, type SpawnRequest } from '../src/erpc.ts';
import { ModuleRegistry } from '../src/exports.ts';
import { isErpcExit } from '../src/runtime_adapter.ts';

const P = new Pid(atom('a@localhost'), 80, 0, 3);
const R = new Ref(atom('a@localhost'), 3, [1, 2, 3]);
const TAG = new ImproperList([atom('alias')], R);

describe('gen call shapes', () => {
  it('parses calls and casts, keeps the tag exactly', async () => {
    const rt = new Runtime({ logger: null });
    const [call, bad] = await inProcess(rt, async (ctx) => [
      asGenCall(ctx, t(atom('$gen_call'), t(P, TAG), atom('req')))!,
      asGenCall(ctx, t(atom('$gen_call'), P, atom('req'))),
    ]);
    expect(call.from.pid).toBe(P);
    expect(call.from.tag).toBe(TAG);
    expect(call.from.toTerm()).toEqual(t(P, TAG));
    expect(call.request).toBe(atom('req'));
    expect(bad).toBeUndefined();
    expect(asGenCast(t(atom('$gen_cast'), 1))).toBe(1);
    expect(asGenCast(t(atom('$gen_cast'), 1, 2))).toBeUndefined();
    await rt.stop();
  });
});

describe('net_kernel', () => {
  it('is_auth → yes; anything else → {error, unsupported}', () => {
    expect(netKernelReply(t(atom('is_auth'), atom('a@localhost')), { nodeName: 'ts@localhost' })).toBe(atom('yes'));
    expect(netKernelReply(atom('node'), { nodeName: 'ts@localhost' })).toBe(atom('ts@localhost'));
    expect(netKernelReply(t(atom('connect'), atom('normal'), atom('x@y')), { nodeName: 'ts@localhost' })).toEqual(
      t(atom('error'), atom('unsupported')),
    );
  });
});

describe('SPAWN_REQUEST planning', () => {
  const registry = new ModuleRegistry();
  registry.exportModule('m', { f: () => 1, 'g/2': () => 2 });
  const req = (module: string, fun: string, args: unknown[]): SpawnRequest => ({
    kind: 'spawn_request',
    reqId: R,
    from: P,
    groupLeader: P,
    module: atom(module),
    fun: atom(fun),
    arity: args.length,
    opts: [atom('monitor')],
    args: args as never,
  });
  it('serves erpc:execute_call/4 and execute_cast/3 (even for unknown functions: undef comes later)', () => {
    expect(planSpawn(registry, req('erpc', 'execute_call', [R, atom('m'), atom('f'), []]))).toBeTypeOf('function');
    expect(planSpawn(registry, req('erpc', 'execute_call', [R, atom('nomod'), atom('f'), []]))).toBeTypeOf('function');
    expect(planSpawn(registry, req('erpc', 'execute_cast', [atom('m'), atom('f'), []]))).toBeTypeOf('function');
  });
  it('spawns any M:F/A and erlang:apply/2 (they end as OTP processes do); refuses only malformed requests', async () => {
    expect(planSpawn(registry, req('m', 'g', [1, 2]))).toBeTypeOf('function');
    expect(planSpawn(registry, req('erpc', 'execute_call', [atom('noref'), atom('m'), atom('f'), []]))).toBeUndefined();
    expect(planSpawn(registry, { ...req('m', 'g', [1]), arity: 2 })).toBeUndefined();
    // an unexported function: the process exits {undef, [{M, F, Args, []}]}, as on an OTP node
    const undef = planSpawn(registry, req('nomod', 'f', [1]))!;
    expect(await undef({} as never)).toEqual(t(atom('undef'), [t(atom('nomod'), atom('f'), [1], [])]));
    // erlang:apply(NotAFun, []) is badarg
    const bad = planSpawn(registry, req('erlang', 'apply', [atom('fun'), []]))!;
    expect(await bad({} as never)).toMatchObject({ elements: [atom('badarg'), expect.anything()] });
  });
  it('the execute_call body ends with the erpc reason', async () => {
    const body = planSpawn(registry, req('erpc', 'execute_call', [R, atom('m'), atom('f'), []]))!;
    const reason = await body({} as never);
    expect(reason).toEqual(t(R, atom('return'), 1));
    expect(isErpcExit(reason)).toBe(true);
    expect(isErpcExit(t(R, atom('error'), atom('undef'), []))).toBe(true);
    expect(isErpcExit(t(atom('shutdown'), atom('x')))).toBe(false);
  });
});
