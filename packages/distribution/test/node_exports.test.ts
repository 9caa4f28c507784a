import { describe, expect, it } from 'vitest';
import { ErlMap, ExportFun, OpaqueFun, Pid, Ref, atom, t } from '@beamline/etf';
import { BadArg } from '@beamline/core';
import { ModuleRegistry, erlError, erlExit, erlThrow, erpcExitReason, rexResult, spawnExitReason, type CallContext } from '../src/exports.ts';

const m = atom('m');
const R = new Ref(atom('a@localhost'), 1, [1, 2, 3]);

function registry(): ModuleRegistry {
  const r = new ModuleRegistry();
  r.exportModule('m', {
    add: (a: number, b: number) => a + b,
    'add/3': (a: number, b: number, c: number) => a + b + c + 1000,
    nothing: () => undefined,
    yes: () => true,
    slow: async (x: number) => {
      await new Promise((res) => setTimeout(res, 5));
      return x * 2;
    },
    thrower: () => {
      throw erlThrow(atom('v'));
    },
    exiter: () => {
      throw erlExit(atom('v'));
    },
    errorer: () => {
      throw erlError(atom('v'));
    },
    crash: () => {
      throw new TypeError('nope');
    },
    whoami: function (this: CallContext) {
      return t(this.module, this.fun, this.args.length);
    },
  });
  return r;
}

describe('ModuleRegistry', () => {
  it('f/N wins over f, f matches any arity', async () => {
    const r = registry();
    expect(await r.invoke(m, atom('add'), [1, 2])).toEqual({ kind: 'return', value: 3 });
    expect(await r.invoke(m, atom('add'), [1, 2, 3])).toEqual({ kind: 'return', value: 1006 });
  });
  it('maps undefined / booleans to atoms, awaits promises, binds the call context', async () => {
    const r = registry();
    expect(await r.invoke(m, atom('nothing'), [])).toEqual({ kind: 'return', value: atom('ok') });
    expect(await r.invoke(m, atom('yes'), [])).toEqual({ kind: 'return', value: atom('true') });
    expect(await r.invoke(m, atom('slow'), [21])).toEqual({ kind: 'return', value: 42 });
    expect(await r.invoke(m, atom('whoami'), [1, 2])).toEqual({ kind: 'return', value: t(m, atom('whoami'), 2) });
  });
  it('unknown module or function is error:undef with the stack OTP reports', async () => {
    const r = registry();
    expect(await r.invoke(atom('nomod'), atom('f'), [1, 2])).toEqual({
      kind: 'error',
      reason: atom('undef'),
      stack: [t(atom('nomod'), atom('f'), [1, 2], [])],
    });
    expect((await r.invoke(m, atom('nofun'), [])).kind).toBe('error');
  });
  it('erlThrow / erlExit / erlError / a JS crash', async () => {
    const r = registry();
    expect(await r.invoke(m, atom('thrower'), [])).toEqual({ kind: 'throw', value: atom('v') });
    expect(await r.invoke(m, atom('exiter'), [])).toEqual({ kind: 'exit', reason: atom('v') });
    expect(await r.invoke(m, atom('errorer'), [])).toMatchObject({ kind: 'error', reason: atom('v') });
    expect(await r.invoke(m, atom('crash'), [])).toEqual({
      kind: 'error',
      reason: t(atom('js_error'), 'TypeError: nope'),
      stack: [t(m, atom('crash'), 0, [])],
    });
  });
  it('rejects bad keys and non-functions', () => {
    const r = new ModuleRegistry();
    expect(() => r.exportModule('x', { 'a/b': () => 1 })).toThrow(TypeError);
    expect(() => r.exportModule('x', { a: 1 as never })).toThrow(TypeError);
    r.exportModule('x', { a: () => 1 });
    expect(r.list()).toEqual(['x']);
    expect(r.unexportModule('x')).toBe(true);
    expect(r.has('x')).toBe(false);
  });
});

describe('erpc exit reasons and rex results (spec §4.8, §4.9; shapes checked against erl 25)', () => {
  it('erpc', () => {
    expect(erpcExitReason(R, { kind: 'return', value: 1 })).toEqual(t(R, atom('return'), 1));
    expect(erpcExitReason(R, { kind: 'throw', value: 1 })).toEqual(t(R, atom('throw'), 1));
    expect(erpcExitReason(R, { kind: 'exit', reason: 1 })).toEqual(t(R, atom('exit'), 1));
    expect(erpcExitReason(R, { kind: 'error', reason: 1, stack: [] })).toEqual(t(R, atom('error'), 1, []));
  });
  it('rex', () => {
    const badrpc = atom('badrpc');
    const EXIT = atom('EXIT');
    expect(rexResult({ kind: 'return', value: 1 })).toBe(1);
    expect(rexResult({ kind: 'throw', value: atom('v') })).toBe(atom('v'));
    expect(rexResult({ kind: 'exit', reason: atom('v') })).toEqual(t(badrpc, t(EXIT, atom('v'))));
    expect(rexResult({ kind: 'error', reason: atom('undef'), stack: [] })).toEqual(t(badrpc, t(EXIT, t(atom('undef'), []))));
  });
});

describe('exits raised through the runtime', () => {
  it("core's ExitError and a failed GenServer.call become exit:Reason", async () => {
    const { ExitError, CallTimeout } = await import('@beamline/core');
    const r = new ModuleRegistry();
    const reason = t(atom('timeout'), t(atom('gen_server'), atom('call'), [atom('srv'), atom('req'), 100]));
    r.exportModule('x', {
      a: () => {
        throw new ExitError(atom('bye'));
      },
      b: () => {
        throw new CallTimeout(reason, 'srv', atom('req'));
      },
    });
    expect(await r.invoke(atom('x'), atom('a'), [])).toEqual({ kind: 'exit', reason: atom('bye') });
    expect(await r.invoke(atom('x'), atom('b'), [])).toEqual({ kind: 'exit', reason });
  });
});

describe('JS values returned, and erlang:apply (README "What crosses the wire", "Erlang funs")', () => {
  const FUN = new OpaqueFun({
    arity: 0,
    uniq: new Uint8Array(16),
    index: 0,
    module: atom('shell_mod'),
    oldIndex: 0,
    oldUniq: 1,
    pid: new Pid(atom('a@localhost'), 1, 0, 1),
    freeVars: [],
  });
  const apply2 = t(atom('erlang'), atom('apply'), 2, []);

  it('a returned object is mapped; one with no Erlang form fails with error {not_encodable, Kind, Path}', async () => {
    const r = new ModuleRegistry();
    r.exportModule('x', {
      obj: () => ({ a: null }),
      fn: () => ({ cb: () => 1 }),
      badarg: () => {
        throw new BadArg('no');
      },
    });
    const obj = await r.invoke(atom('x'), atom('obj'), []);
    expect(obj).toEqual({ kind: 'return', value: new ErlMap([['a', atom('null')]]) });
    expect(await r.invoke(atom('x'), atom('fn'), [])).toEqual({
      kind: 'error',
      reason: t(atom('not_encodable'), atom('function'), '$.cb'),
      stack: [t(atom('x'), atom('fn'), 0, [])],
    });
    // core's ErlangError (BadArg here) is error:Reason, as in Erlang
    expect(await r.invoke(atom('x'), atom('badarg'), [])).toMatchObject({ kind: 'error', reason: atom('badarg') });
  });

  it('erlang:apply(Fun, Args): a local Erlang fun is undef with the stack OTP gives for a fun whose code is missing', async () => {
    const r = registry();
    expect(await r.invoke(atom('erlang'), atom('apply'), [FUN, []])).toEqual({
      kind: 'error',
      reason: atom('undef'),
      stack: [t(FUN, [], []), apply2],
    });
    expect(await r.invoke(atom('erlang'), atom('apply'), [FUN, [1]])).toEqual({
      kind: 'error',
      reason: t(atom('badarity'), t(FUN, [1])),
      stack: [apply2],
    });
    expect(await r.invoke(atom('erlang'), atom('apply'), [atom('nofun'), []])).toMatchObject({ kind: 'error', reason: atom('badarg') });
    // spawned (no apply frame)
    expect(await r.apply(FUN, [])).toEqual({ kind: 'error', reason: atom('undef'), stack: [t(FUN, [], [])] });
  });

  it('erlang:apply(fun M:F/A, Args) runs an exported function; an unknown one is undef', async () => {
    const r = registry();
    expect(await r.invoke(atom('erlang'), atom('apply'), [new ExportFun(m, atom('add'), 2), [2, 3]])).toEqual({ kind: 'return', value: 5 });
    expect(await r.invoke(atom('erlang'), atom('apply'), [new ExportFun(atom('nomod'), atom('f'), 0), []])).toEqual({
      kind: 'error',
      reason: atom('undef'),
      stack: [t(atom('nomod'), atom('f'), [], []), apply2],
    });
  });

  it("a spawned process ends as OTP's: normal, {{nocatch, V}, Stack}, R, {Reason, Stack}", () => {
    const f = atom('f');
    expect(spawnExitReason({ kind: 'return', value: 1 }, m, f, 0)).toBeUndefined();
    expect(spawnExitReason({ kind: 'throw', value: atom('v') }, m, f, 0)).toEqual(t(t(atom('nocatch'), atom('v')), [t(m, f, 0, [])]));
    expect(spawnExitReason({ kind: 'exit', reason: atom('gone') }, m, f, 0)).toBe(atom('gone'));
    expect(spawnExitReason({ kind: 'error', reason: atom('bad'), stack: [] }, m, f, 0)).toEqual(t(atom('bad'), []));
  });
});
