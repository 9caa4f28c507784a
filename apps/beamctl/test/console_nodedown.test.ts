/**
 * `beamctl console` when its node goes away: it leaves, as fs_cli does on `Disconnected.`, with
 * one line and exit 3, whatever the user types next (`/log` too), and no stack trace. The node is
 * a plain @beamline/distribution node exporting a stand-in `switchd` module.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '@beamline/core';
import { atom } from '@beamline/etf';
import { startNode, type BeamNode } from '@beamline/distribution';
import { freePort, root } from '../../../tools/apps/run.ts';

const NAME = 'gone_ctl@localhost';
const COOKIE = 'gone_cookie';
let EPMD = 0;
let node: BeamNode;
let rt: Runtime;

beforeAll(async () => {
  EPMD = await freePort();
  rt = new Runtime({ logger: null });
  node = await startNode({ name: NAME, cookie: COOKIE, epmdPort: EPMD, runtime: rt });
  node.exportModule('switchd', {
    api: () => 'UP 0 years, 0 days\n',
    commands: () => [],
    log_follow: () => atom('ok'),
    log_unfollow: () => atom('ok'),
  });
});

afterAll(async () => {
  await node?.stop();
  await rt?.stop();
});

describe('beamctl console, its node gone', { timeout: 60_000 }, () => {
  it('leaves with one line and exit 3, also when /log is typed next', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@beamline/source',
        '--import',
        'tsx',
        join(root, 'apps/beamctl/src/main.ts'),
        '--node',
        NAME,
        '--cookie',
        COOKIE,
        '--epmd-port',
        String(EPMD),
        'console',
      ],
      { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    child.stdin.write('status\n');
    for (const end = Date.now() + 30_000; !stdout.includes('UP 0 years'); ) {
      if (Date.now() > end) throw new Error(`no status answer:\n${stdout}${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    await node.stop();
    child.stdin.end('/log info\nstatus\n');
    expect(await exited).toBe(3);
    expect(stderr).toBe(`beamctl: node ${NAME} went down (disconnected)\n`);
    expect(stdout).toBe('UP 0 years, 0 days\n');
  });
});
