/**
 * Runs the demo node (`pnpm start`'s program) as a child process and talks to it from a real
 * erl: ping, rpc into the exported `beamline` module, gen_server:call to the supervised `echo`,
 * then SIGTERM stops it cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
let EPMD = 0; // a fresh port per run, so concurrent runs of this suite do not collide
const COOKIE = 'demo_test_cookie';
const NAME = 'demo_t@localhost';

let demo: ChildProcess;
let output = '';
let erl: ErlNode;

function waitFor(re: RegExp, ms = 20_000): Promise<void> {
  return new Promise((res, rej) => {
    const end = Date.now() + ms;
    const check = () => {
      if (re.test(output)) return res();
      if (Date.now() > end) return rej(new Error(`demo never printed ${re}:\n${output}`));
      setTimeout(check, 25);
    };
    check();
  });
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

beforeAll(async () => {
  EPMD = await freePort();
  // as `pnpm start` runs it: on the packages' sources (their `@beamline/source` export condition)
  demo = spawn(
    join(root, 'node_modules/.bin/tsx'),
    ['--conditions=@beamline/source', join(root, 'apps/demo/src/main.ts'), '--name', NAME, '--cookie', COOKIE, '--epmd-port', String(EPMD)],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  demo.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  demo.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  await waitFor(/is up/);
  erl = await startErl({ name: 'demo_erl@localhost', cookie: COOKIE, epmdPort: EPMD });
});

afterAll(async () => {
  await erl?.stop();
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
});

describe('the demo node', () => {
  it('prints how to reach it from erl', () => {
    expect(output).toContain(`net_adm:ping('${NAME}').`);
    expect(output).toContain(`-setcookie ${COOKIE}`);
    expect(output).toContain(`gen_server:call({echo, '${NAME}'}, hello).`);
  });

  it('answers ping, rpc and gen_server:call', async () => {
    expect(await erl.eval(`net_adm:ping('${NAME}')`)).toBe('pong');
    expect(await erl.eval(`rpc:call('${NAME}', beamline, ping, [])`)).toBe('pong');
    expect(await erl.eval(`rpc:call('${NAME}', beamline, node, [])`)).toBe(NAME);
    const procs = await erl.eval(`rpc:call('${NAME}', beamline, processes, [])`);
    for (const name of ['echo', 'demo_sup', 'net_kernel', 'rex']) expect(procs).toContain(name);
    expect(await erl.eval(`gen_server:call({echo, '${NAME}'}, hello)`)).toBe('{echo,hello}');
  });

  it('the echo server is supervised: killed, it comes back', async () => {
    expect(await erl.eval(`P1 = rpc:call('${NAME}', beamline, whereis, [echo]), exit(P1, kill), is_pid(P1)`)).toBe('true');
    await new Promise((r) => setTimeout(r, 200));
    expect(await erl.eval(`P2 = rpc:call('${NAME}', beamline, whereis, [echo]), {is_pid(P2), P2 =/= P1}`)).toBe('{true,true}');
    expect(await erl.eval(`gen_server:call({echo, '${NAME}'}, again)`)).toBe('{echo,again}');
  });

  it('stops cleanly on SIGTERM (exit code 0, erl sees nodedown)', async () => {
    await erl.eval(`true = monitor_node('${NAME}', true)`);
    const exited = new Promise<number | null>((r) => demo.on('exit', (code) => r(code)));
    demo.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await erl.eval(`receive {nodedown, N} -> N after 5000 -> timeout end`)).toBe(NAME);
  });
});
