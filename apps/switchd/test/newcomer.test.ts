/**
 * A newcomer's first run: clone the repository (its committed HEAD) into a temporary folder,
 * install as tools/setup.sh does, and run the README's command, `pnpm start`, as written; the
 * environment only moves EPMD and the listen port off the machine's defaults (ERL_EPMD_PORT,
 * SWITCHD_LISTEN_PORT), so the test does not clash with anything running, and names the node
 * `freeswitch@localhost` (SWITCHD_NODE) so that no connection leaves 127.0.0.1 whatever the host
 * name resolves to; the default `freeswitch@<short host>` is settings.test.ts's. A real erl pings
 * the node; SIGTERM to the process group stops it. Then the README's other start command,
 * `bash tools/start.sh`, in the same clone: a SIGTERM to its pid alone stops switchd.
 */
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { freePort, root } from '../../../tools/apps/run.ts';

const exec = promisify(execFile);
let dir: string | undefined;
let erl: ErlNode | undefined;

afterAll(async () => {
  await erl?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a fresh clone', () => {
  it('runs `pnpm start` as the README says: freeswitch@localhost (SWITCHD_NODE) answers net_adm:ping, SIGTERM stops it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'beamline-newcomer-'));
    const clone = join(dir, 'beamline');
    await exec('git', ['clone', '--quiet', '--no-hardlinks', root, clone], { timeout: 60_000 });
    await exec('npx', ['-y', 'pnpm@12.4.2', 'install', '--frozen-lockfile', '--prefer-offline'], {
      cwd: clone,
      timeout: 180_000,
      maxBuffer: 16 << 20,
    });

    const epmd = await freePort();
    const node = 'freeswitch@localhost';
    const p = spawn('npx', ['-y', 'pnpm@12.4.2', 'start'], {
      cwd: clone,
      detached: true, // its own process group: pnpm, tsx and node all get the SIGTERM, as from a terminal
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ERL_EPMD_PORT: String(epmd), SWITCHD_LISTEN_PORT: '0', SWITCHD_NODE: node },
    });
    let out = '';
    p.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<void>((res) => p.once('exit', () => res()));
    try {
      await expect.poll(() => out, { timeout: 60_000, interval: 200 }).toContain('Ctrl-C');
      expect(out).toContain(`switchd is up: ${node}`);
      expect(out).toContain('environment SWITCHD_NODE');
      expect(out).toContain('cookie   ClueCon (from autoload_configs/erlang_event.conf.xml cookie)');
      erl = await startErl({ name: 'newcomer@localhost', cookie: 'ClueCon', epmdPort: epmd });
      expect(await erl.eval(`net_adm:ping('${node}')`)).toBe('pong');
    } finally {
      process.kill(-p.pid!, 'SIGTERM');
    }
    await exited;
    // npx / pnpm may exit on the signal before node has finished its ordered shutdown: node keeps
    // the pipe open until it exits, so its last line still arrives
    await expect.poll(() => out, { timeout: 20_000, interval: 100 }).toMatch(/\[NOTICE\] switchd: stopped/);
  }, 300_000);

  it('runs `bash tools/start.sh`, whose own pid becomes the node: a SIGTERM to that one pid stops switchd, exit 0', async () => {
    const clone = join(dir!, 'beamline'); // installed by the test above
    const epmd = await freePort();
    const p = spawn('bash', ['tools/start.sh'], {
      cwd: clone,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ERL_EPMD_PORT: String(epmd), SWITCHD_LISTEN_PORT: '0', SWITCHD_NODE: 'freeswitch@localhost' },
    });
    let out = '';
    p.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((res) => p.once('exit', (code, signal) => res({ code, signal })));
    await expect.poll(() => out, { timeout: 120_000, interval: 200 }).toContain('Ctrl-C');
    p.kill('SIGTERM'); // the pid only, as a service manager or `kill <pid>` sends it
    // on a failure, how it ended and what it printed say why
    expect({ ...(await exited), out }).toMatchObject({ code: 0, signal: null });
    expect(out).toMatch(/SIGTERM: shutting down[\s\S]*\[NOTICE\] switchd: stopped\n$/);
  }, 180_000);
});
