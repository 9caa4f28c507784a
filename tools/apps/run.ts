/**
 * Test support for the apps (like tools/erl, not a package): switchd and beamctl as child
 * processes, exactly as the README runs them (node with tsx on the sources and the `@beamline/source`
 * condition, what `pnpm start` / `pnpm beamctl` run); each test file picks its own EPMD port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../erl/free_port.ts';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export { freePort };

export interface Proc {
  child: ChildProcess;
  /** stdout and stderr so far. */
  out(): string;
  stdout(): string;
  stderr(): string;
  waitFor(re: RegExp, ms?: number): Promise<void>;
  /** Resolves with the exit code (null: a signal) once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnApp(app: 'switchd' | 'beamctl', args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Proc {
  const child = spawn(process.execPath, ['--conditions=@beamline/source', '--import', 'tsx', join(root, `apps/${app}/src/main.ts`), ...args], {
    cwd: root,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    // a switchd under test takes any free SIP port, so parallel ones never contend for 5060
    env: { ...process.env, ...(app === 'switchd' ? { SWITCHD_SIP_PORT: '0' } : {}), ...env },
  });
  if (input !== undefined) child.stdin!.end(input);
  let so = '';
  let se = '';
  child.stdout!.on('data', (b: Buffer) => (so += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (se += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    out: () => so + se,
    stdout: () => so,
    stderr: () => se,
    exited,
    waitFor(re, ms = 30_000) {
      return new Promise((res, rej) => {
        const end = Date.now() + ms;
        const check = () => {
          if (re.test(so + se)) return res();
          if (done) return rej(new Error(`${app} exited before printing ${re}:\n${so}${se}`));
          if (Date.now() > end) return rej(new Error(`${app} never printed ${re}:\n${so}${se}`));
          setTimeout(check, 25);
        };
        check();
      });
    },
  };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (`input`: its standard input). */
export async function run(app: 'switchd' | 'beamctl', args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<Ran> {
  const p = spawnApp(app, args, env, input);
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/**
 * switchd as the interop tests run it: a private EPMD port, any free listen port, log level NOTICE
 * (and `extra` flags); resolves once its banner is out.
 */
export async function startSwitchd(name: string, extra: string[] = []): Promise<{ proc: Proc; epmdPort: number }> {
  const epmdPort = await freePort();
  const listen = await freePort();
  const proc = spawnApp('switchd', [
    '--name',
    name,
    '--epmd-port',
    String(epmdPort),
    '--listen-port',
    String(listen),
    '--log-level',
    'notice',
    ...extra,
  ]);
  await proc.waitFor(/Ctrl-C/, 60_000);
  return { proc, epmdPort };
}

/** Stops a switchd still running (SIGTERM) and waits for its exit. */
export async function stopSwitchd(proc: Proc | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null) return;
  proc.child.kill('SIGTERM');
  await proc.exited;
}
