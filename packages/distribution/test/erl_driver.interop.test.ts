/** tools/erl/node.ts: the erl test driver itself (here because it needs an EPMD, and this package has one). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EpmdServer } from '../src/epmd_server.ts';
import { MemoryLogger } from '../src/log.ts';
import { ErlEvalError, otpRelease, startErl, type ErlNode } from '../../../tools/erl/node.ts';

let epmd: EpmdServer;
let erl: ErlNode;
beforeAll(async () => {
  epmd = new EpmdServer({ port: 0, host: '127.0.0.1', logger: new MemoryLogger() });
  await epmd.start();
  erl = await startErl({ name: 'tool_e@localhost', cookie: 'tool_cookie', epmdPort: epmd.port, init: 'register(tool_probe, self())' });
});
afterAll(async () => {
  await erl?.stop();
  await epmd?.stop();
});

describe('startErl / ErlNode', () => {
  it('evaluates expressions and keeps bindings', async () => {
    expect(await erl.eval('node()')).toBe('tool_e@localhost');
    expect(await erl.eval('erlang:get_cookie()')).toBe('tool_cookie');
    expect(await erl.eval('X = 6 * 7.')).toBe('42');
    expect(await erl.eval('X + 1')).toBe('43');
    expect(await erl.eval('whereis(tool_probe) =:= self()')).toBe('true');
    expect(await erl.eval('<<"héllo"/utf8>>')).toBe('<<"héllo"/utf8>>');
  });

  it('rejects with the exception, and keeps serving', async () => {
    await expect(erl.eval('1 / 0')).rejects.toThrow(ErlEvalError);
    await expect(erl.eval('1 / 0')).rejects.toThrow(/error:badarith/);
    await expect(erl.eval('this is not erlang')).rejects.toThrow(ErlEvalError);
    expect(await erl.eval('ok')).toBe('ok');
  });

  it('registers in the EPMD it was pointed at, and sees its own output', async () => {
    expect(epmd.registered().map((n) => n.name)).toContain('tool_e');
    await erl.eval('io:format("marker-~p~n", [123])');
    await expect(erl.waitForOutput(/marker-123/, 2000)).resolves.toBe('marker-123');
    await expect(erl.waitForOutput(/never-printed/, 200)).rejects.toThrow(/timeout/);
  });

  it('fails fast when erl cannot start (no EPMD on the port, -start_epmd false)', async () => {
    await expect(startErl({ name: 'tool_noepmd@localhost', cookie: 'c', epmdPort: 1, readyTimeoutMs: 10_000 })).rejects.toThrow(/exited/);
  });

  it('stop() halts the node and unregisters it', async () => {
    const e = await startErl({ name: 'tool_short@localhost', cookie: 'c', epmdPort: epmd.port });
    expect(e.running).toBe(true);
    await e.stop();
    expect(e.running).toBe(false);
    await expect(e.eval('ok')).rejects.toThrow(/not running/);
  });

  it('otpRelease reports the release under test', async () => {
    expect(Number(await otpRelease())).toBeGreaterThanOrEqual(25);
  });
});
