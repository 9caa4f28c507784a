/**
 * `pnpm bench <name>` with a mistyped flag or a bad value: one line naming it, exit 1, before any
 * measuring (a typo such as `--quik` used to start the full ring run on its defaults, and `--n=abc`
 * ended in a stack trace).
 */
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function bench(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--conditions=@beamline/source', '--import', 'tsx', join(root, 'tools/bench/run.ts'), ...args],
      // far longer than a refusal takes, far shorter than the runs these would start
      { cwd: root, env, timeout: 20_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe('pnpm bench: bad arguments', () => {
  it.each([
    [['ring', '--quik'], "pnpm bench ring: Unknown option '--quik'"],
    [['spawn', '--n=abc'], 'pnpm bench spawn: --n "abc": give a whole number of at least 1'],
    [['spawn', '--kinds=behaviour,actors'], 'pnpm bench spawn: --kinds actors: the kinds are behaviour, genserver, async'],
    [['switch', '--sizes=1000,0'], 'pnpm bench switch: --sizes "0": give a whole number of at least 1'],
    [['etf', '--ms', 'fast'], 'pnpm bench etf: --ms "fast": give a whole number of at least 1'],
    [['dist', '--only=both'], 'pnpm bench dist: --only both: give in or out'],
    [['switch', '--child=abc'], 'pnpm bench switch: --child "abc": give a whole number of at least 1'],
  ])('%j: one line, exit 1, nothing measured', async (args, line) => {
    const r = await bench(args);
    expect(r.stderr.split('\n')[0]).toBe(line);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
  });

  it("--help prints the bench's opening comment (its arguments), exit 0, nothing measured", async () => {
    const r = await bench(['dist', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('`pnpm bench dist [--n 1000000] [--pings 20000] [--runs 5] [--epmd-port 4490] [--only in|out]`');
    expect(r.stdout).not.toMatch(/^ \*/m);
  });

  it('an anchor that is not installed: what to run, before anything starts', async () => {
    const r = await bench(['etf'], { ...process.env, BEAMLINE_ERL: '/nonexistent/erl' });
    expect(r.stderr).toBe(
      'pnpm bench etf runs real Erlang nodes (erl), and `/nonexistent/erl` is not an executable file.\n' +
        "  Run `bash tools/setup.sh` once (it installs it from Debian's packages), or set BEAMLINE_ERL to one.\n",
    );
    expect(r.code).toBe(1);
  });
});
