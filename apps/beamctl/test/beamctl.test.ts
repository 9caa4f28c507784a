/**
 * beamctl against any @beamline/distribution node (not a switchd): a node started here with a
 * supervisor and a GenServer; beamctl (a child process, as `pnpm beamctl` runs it) reads its tree
 * and processes through the `beamline` module every node exports, kills a worker that its
 * supervisor restarts, and says clearly what the node cannot do (no switch API: exit 6).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenServer, Runtime, Supervisor, noreply, ok, type ProcessContext } from '@beamline/core';
import { startNode, type BeamNode } from '@beamline/distribution';
import { freePort, run, spawnApp } from '../../../tools/apps/run.ts';

const NAME = 'plain_ctl@localhost';
const COOKIE = 'plain_cookie';
let EPMD = 0;
let node: BeamNode;
let rt: Runtime;

class Worker extends GenServer<number> {
  init() {
    return ok(0);
  }
  override handleInfo(_m: unknown, n: number) {
    return noreply(n + 1);
  }
}

const ctl = (...args: string[]) => run('beamctl', ['--node', NAME, '--cookie', COOKIE, '--epmd-port', String(EPMD), ...args]);

beforeAll(async () => {
  EPMD = await freePort();
  rt = new Runtime({ logger: null });
  node = await startNode({ name: NAME, cookie: COOKIE, epmdPort: EPMD, runtime: rt });
  await Supervisor.start(
    rt,
    {
      strategy: 'one_for_all',
      intensity: 5,
      children: [
        { id: 'w1', start: (ctx: ProcessContext) => GenServer.startLink(ctx, Worker, undefined, { name: 'w1' }) },
        { id: 'w2', start: (ctx: ProcessContext) => GenServer.startLink(ctx, Worker, undefined, { name: 'w2' }) },
      ],
    },
    { name: 'app_sup' },
  );
  // a backlog in w2's mailbox: ps shows it, sorted first
  for (let i = 0; i < 3; i++) rt.send('w2', 'tick');
});

afterAll(async () => {
  await node?.stop();
  await rt?.stop();
});

describe('beamctl against a plain beamline node', { timeout: 90_000 }, () => {
  it('ping, tree and ps', async () => {
    const [ping, tree, ps] = await Promise.all([ctl('ping'), ctl('tree'), ctl('ps', '--limit', '3')]);
    expect([ping.code, ping.stdout]).toEqual([0, 'pong\n']);
    expect(tree.code).toBe(0);
    expect(tree.stdout.split('\n').slice(0, 3)).toEqual([
      expect.stringMatching(/^app_sup +<0\.\d+\.0> +supervisor one_for_all +restarts=0 +mailbox=0$/),
      expect.stringMatching(/^├─ w1 +<0\.\d+\.0> +worker \[Worker\] +permanent +restarts=0 +mailbox=0$/),
      expect.stringMatching(/^└─ w2 +<0\.\d+\.0> +worker \[Worker\] +permanent +restarts=0 +mailbox=0$/),
    ]);
    expect(tree.stdout).toMatch(/not supervised:\n {2}net_kernel /);
    expect(ps.code).toBe(0);
    const rows = ps.stdout.split('\n').filter((l) => l.startsWith('│') && !l.includes('PID'));
    expect(rows).toHaveLength(3);
  });

  it('ps --watch redraws in place until Ctrl-C, then exits 0', async () => {
    const p = spawnApp('beamctl', ['--node', NAME, '--cookie', COOKIE, '--epmd-port', String(EPMD), 'ps', '--watch', '1', '--sort', 'pid']);
    await expect.poll(() => p.stdout().split('\x1b[H\x1b[2J').length, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(3);
    p.child.kill('SIGINT');
    expect((await p.exited).code).toBe(0);
    const frames = p.stdout().split('\x1b[H\x1b[2J').filter(Boolean);
    for (const f of frames.slice(0, 2)) {
      expect(f).toMatch(new RegExp(`^${NAME} .* \\(every 1s, sorted by pid; Ctrl-C stops\\)`));
      expect(f).toContain('net_kernel');
    }
  });

  it('kill --yes: the one_for_all supervisor restarts both workers; tree shows the counts', async () => {
    const before = rt.whereis('w1')!;
    const r = await ctl('kill', 'w1', '--yes');
    expect(r.code).toBe(0);
    await expect.poll(() => rt.whereis('w1')?.id !== before.id && rt.whereis('w1') !== undefined).toBe(true);
    const tree = await ctl('tree', '--json');
    const j = JSON.parse(tree.stdout) as { tree: { children: { id: string; restarts: number }[] }[] };
    expect(j.tree[0].children.map((c) => [c.id, c.restarts])).toEqual([
      ['w1', 1],
      ['w2', 1],
    ]);
  });

  it('kill --yes <worker> normal: says the signal is ignored by a process that does not trap exits, which lives on', async () => {
    const before = rt.whereis('w2')!;
    const r = await ctl('kill', 'w2', 'normal', '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('it does not trap exits, so the signal is ignored');
    await new Promise((res) => setTimeout(res, 100));
    expect(rt.whereis('w2')?.id).toBe(before.id);
  });

  it('info by pid text; unknown pid exits 5; no switch API exits 6', async () => {
    const pid = rt.whereis('w2')!.format(NAME);
    const [info, unknown, api, consoleRun] = await Promise.all([ctl('info', pid), ctl('info', '<0.9999.0>'), ctl('api', 'status'), ctl('console')]);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(new RegExp(`^pid: +${pid.replace(/[.<>]/g, '\\$&')}$`, 'm'));
    expect(info.stdout).toMatch(/^name: +w2$/m);
    expect([unknown.code, unknown.stderr]).toEqual([
      5,
      `beamctl: no process <0.9999.0> on ${NAME}: give a pid (<0.42.0>), a registered name, or a child id as \`beamctl tree\` shows it (id, or ids/down/to/it)\n`,
    ]);
    expect([api.code, api.stderr]).toEqual([6, `beamctl: ${NAME} is not a switchd (it has no switch API)\n`]);
    expect(consoleRun.code).toBe(6);
  });

  it('the default cookie is ~/.erlang.cookie, as erl: the right one connects, another is refused (exit 4)', async () => {
    const homes = await Promise.all(
      [COOKIE, 'another_cookie'].map(async (cookie) => {
        const home = await mkdtemp(join(tmpdir(), 'beamctl-home-'));
        await writeFile(join(home, '.erlang.cookie'), cookie, { mode: 0o400 });
        return home;
      }),
    );
    try {
      const [good, bad] = await Promise.all(homes.map((HOME) => run('beamctl', ['--node', NAME, '--epmd-port', String(EPMD), 'ping'], { HOME })));
      expect([good.code, good.stdout]).toEqual([0, 'pong\n']);
      expect(bad.code).toBe(4);
      expect(bad.stderr).toContain('refused our cookie');
    } finally {
      for (const h of homes) await rm(h, { recursive: true, force: true });
    }
  });

  it('--help lists the commands and the exit codes', async () => {
    const r = await run('beamctl', ['--help']);
    expect(r.code).toBe(0);
    for (const c of ['ping', 'tree', 'ps', 'info', 'kill', 'api', 'listeners', 'sessions', 'console'])
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    expect(r.stdout).toContain('3 node unreachable, 4 wrong cookie, 5 no such process');
  });

  it('no command: the usage on stderr, exit 2', async () => {
    const r = await run('beamctl', []);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Usage: beamctl \[options\] \[command\]/);
  });

  it('sessions with a bad node name: exit 2, before connecting', async () => {
    const [spaced, bare] = await Promise.all([ctl('sessions', 'a b@localhost'), ctl('sessions', 'nohost')]);
    expect([spaced.code, spaced.stderr]).toEqual([2, 'beamctl: bad node name a b@localhost: give alive@host\n']);
    expect([bare.code, bare.stderr]).toEqual([2, 'beamctl: bad node name nohost: give alive@host\n']);
  });

  it('a bad flag: exit 2 and a hint a user can type', async () => {
    const r = await run('beamctl', ['--bogus', 'ping']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown option '--bogus'\n(`pnpm beamctl --help` lists the commands)\n");
  });

  it('--timeout and --watch take a positive number of seconds: 1.5 works, 0 is a usage error (exit 2)', async () => {
    const [half, zero, watchZero] = await Promise.all([ctl('-t', '1.5', 'ping'), ctl('-t', '0', 'ping'), ctl('ps', '-w', '0')]);
    expect([half.code, half.stdout]).toEqual([0, 'pong\n']);
    expect([zero.code, zero.stderr.split('\n')[0]]).toEqual([
      2,
      "error: option '-t, --timeout <seconds>' argument '0' is invalid. not a positive number of seconds",
    ]);
    expect([watchZero.code, watchZero.stderr.split('\n')[0]]).toEqual([
      2,
      "error: option '-w, --watch [seconds]' argument '0' is invalid. not a positive number of seconds",
    ]);
  });

  it('--epmd-port outside 1..65535 is a usage error (exit 2), not a failed connect', async () => {
    const [big, zero] = await Promise.all([
      run('beamctl', ['--node', NAME, '--epmd-port', '70000', 'ping']),
      run('beamctl', ['--node', NAME, '--epmd-port', '0', 'ping']),
    ]);
    for (const [r, v] of [
      [big, '70000'],
      [zero, '0'],
    ] as const)
      expect([r.code, r.stderr.split('\n')[0]]).toEqual([
        2,
        `error: option '--epmd-port <port>' argument '${v}' is invalid. not a TCP port (1-65535)`,
      ]);
  });

  // last: it takes the node's net_kernel name away (a killed net_kernel would come back)
  it('ping answered pang (the node is up, its net_kernel is not): exit 1, as --help says', async () => {
    rt.unregister('net_kernel');
    const r = await ctl('ping');
    expect([r.code, r.stdout]).toEqual([1, 'pang\n']);
  });
});
