/**
 * Start-up failures: each prints one line naming the cause and what to do (no stack trace) and
 * exits 1 — the node name taken, the listen port in use, a conf that does not load, a bad
 * setting; `--help` lists every flag with its environment variable.
 */
import { mkdtemp, writeFile, cp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, root, run, spawnApp, type Proc, type Ran } from '../../../tools/apps/run.ts';

let EPMD = 0;
let first: Proc;
let dir: string;

function oneLine(r: Ran, re: RegExp): void {
  expect(r.code).toBe(1);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(re);
  expect(r.stderr + r.stdout).not.toMatch(/^\s+at /m); // no stack trace
  expect(r.stdout).not.toContain('is up');
}

beforeAll(async () => {
  EPMD = await freePort();
  dir = await mkdtemp(join(tmpdir(), 'switchd-conf-'));
  first = spawnApp('switchd', ['--name', 'fs_taken@localhost', '--epmd-port', String(EPMD), '--listen-port', '0']);
  await first.waitFor(/Ctrl-C/, 60_000);
});

afterAll(async () => {
  if (first && first.child.exitCode === null) {
    first.child.kill('SIGTERM');
    await first.exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe('switchd start-up failures', { timeout: 90_000 }, () => {
  it("the banner names the node's own pid for SIGTERM (pnpm does not pass signals on)", () => {
    expect(first.stdout()).toContain(`SIGTERM to pid ${first.child.pid} stops it`);
  });

  it('the node name is taken', async () => {
    const r = await run('switchd', ['--name', 'fs_taken@localhost', '--epmd-port', String(EPMD), '--listen-port', '0']);
    oneLine(r, /^switchd: node name fs_taken@localhost is already registered with EPMD .*choose another name with --name$/);
  });

  it('the listen port is in use', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((res) => holder.listen(port, '0.0.0.0', res));
    try {
      const r = await run('switchd', ['--name', 'fs_port@localhost', '--epmd-port', String(EPMD), '--listen-port', String(port)]);
      oneLine(
        r,
        new RegExp(
          `^switchd: listen port ${port} \\(0\\.0\\.0\\.0\\) is in use by another program \\(\`ss -ltnp 'sport = :${port}'\` shows which program\\); .*--listen-port`,
        ),
      );
    } finally {
      holder.close();
    }
  });

  it('a conf that does not load names the file and line', async () => {
    await cp(join(root, 'apps/switchd/conf'), join(dir, 'conf'), { recursive: true });
    await writeFile(join(dir, 'conf/dialplan/default/01_echo.xml'), '<include>\n  <extension name="broken">\n</include>\n');
    const r = await run('switchd', ['--conf', join(dir, 'conf'), '--name', 'fs_conf@localhost', '--epmd-port', String(EPMD), '--listen-port', '0']);
    oneLine(
      r,
      /^switchd: bad config: \S+\/conf\/dialplan\/default\.xml:\d+: Expected closing tag 'extension' .*[^.]; fix the file or point --conf at another conf dir$/,
    );
  });

  it('a missing conf dir, a bad log level and a missing cookie file (from the environment), --epmd system without an epmd', async () => {
    const [missing, level, system, cookieFile] = await Promise.all([
      run('switchd', ['--conf', join(dir, 'nowhere'), '--epmd-port', String(EPMD)]),
      run('switchd', ['--name', 'fs_lvl@localhost', '--epmd-port', String(EPMD)], { SWITCHD_LOG_LEVEL: 'loud' }),
      run('switchd', ['--name', 'fs_sys@localhost', '--epmd', 'system', '--epmd-port', String(await freePort()), '--listen-port', '0']),
      run('switchd', ['--name', 'fs_cf@localhost', '--epmd-port', String(EPMD)], { SWITCHD_COOKIE_FILE: join(dir, 'no-such-cookie') }),
    ]);
    oneLine(cookieFile, /^switchd: bad setting: cookie file \S+no-such-cookie cannot be read \(ENOENT\); fix --cookie-file or give --cookie$/);
    oneLine(missing, /^switchd: bad config: \S+nowhere\/freeswitch\.xml: cannot open; /);
    oneLine(level, /^switchd: bad setting: log level loud is not a level; use one of console, .*debug/);
    oneLine(system, /^switchd: no EPMD answers on port (\d+) \(--epmd system\); start one with `epmd -daemon -port \1`, or use --epmd auto$/);
  });

  it('--help lists the flags with their environment variables (also after the `--` of `pnpm start -- --help`); a bad flag exits non-zero', async () => {
    const [help, bad, dashed] = await Promise.all([
      run('switchd', ['--help']),
      run('switchd', ['--listen-port', 'x']),
      run('switchd', ['--', '--help']),
    ]);
    expect(help.code).toBe(0);
    expect(dashed.code).toBe(0);
    expect(dashed.stdout).toBe(help.stdout);
    for (const [flag, env] of [
      ['--conf <dir>', 'SWITCHD_CONF'],
      ['--name <node>', 'SWITCHD_NODE'],
      ['--cookie <cookie>', 'SWITCHD_COOKIE'],
      ['--cookie-file <path>', 'SWITCHD_COOKIE_FILE'],
      ['--listen-ip <ip>', 'SWITCHD_LISTEN_IP'],
      ['--listen-port <port>', 'SWITCHD_LISTEN_PORT'],
      ['--log-level <level>', 'SWITCHD_LOG_LEVEL'],
      ['--epmd <mode>', 'SWITCHD_EPMD'],
      ['--epmd-port <port>', 'ERL_EPMD_PORT'],
    ])
      expect(help.stdout.replace(/\s+/g, ' ')).toMatch(new RegExp(`${flag.replace(/[<>]/g, '.')} .*?env: ${env}`));
    expect(help.stdout).toContain('--console');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("option '--listen-port <port>' argument 'x' is invalid");
    // the hint names what a user can type (there is no `switchd` command; a bare `pnpm start --help` is pnpm's)
    expect(bad.stderr).toContain('(`pnpm start -- --help` lists the options)');
  });

  it('the running switchd was not disturbed by the failed starts', async () => {
    const r = await run('beamctl', ['--node', 'fs_taken@localhost', '--cookie', 'ClueCon', '--epmd-port', String(EPMD), 'ping']);
    expect([r.code, r.stdout.trim()]).toEqual([0, 'pong']);
  });

  it('when the top supervisor dies, switchd says so and exits 1 instead of running unsupervised', async () => {
    const other = spawnApp('switchd', ['--name', 'fs_top@localhost', '--epmd-port', String(EPMD), '--listen-port', '0']);
    await other.waitFor(/Ctrl-C/, 60_000);
    const r = await run('beamctl', [
      '--node',
      'fs_top@localhost',
      '--cookie',
      'ClueCon',
      '--epmd-port',
      String(EPMD),
      'kill',
      'switchd_sup',
      '--yes',
    ]);
    expect(r.code).toBe(0);
    expect((await other.exited).code).toBe(1);
    expect(other.out()).toMatch(/\[CRIT\] switchd: switchd_sup ended \(killed\): exiting/);
  });

  it('SIGINT (Ctrl-C) stops it as SIGTERM does: exit 0', async () => {
    first.child.kill('SIGINT');
    const { code } = await first.exited;
    expect(code).toBe(0);
    expect(first.out()).toMatch(/SIGINT: shutting down[\s\S]*\[NOTICE\] switchd: stopped\n$/);
    // an orderly stop: no child ends with a reason its supervisor reports (shutdown_error, …)
    expect(first.out()).not.toMatch(/\[(ERR|CRIT)\]/);
  });
});
