/**
 * Start and drive real `erl` nodes from tests.
 *
 * ```ts
 * import { startErl } from '../../../tools/erl/node.ts';
 * const erl = await startErl({ name: 'e1@localhost', cookie: 'secret', epmdPort: 4370, ticktime: 4 });
 * await erl.eval("net_adm:ping('ts@localhost')");          // → 'pong'  (the ~p text of the value)
 * await erl.eval('X = 1 + 1.');  await erl.eval('X * 10'); // → '20'    (bindings persist)
 * await erl.waitForOutput(/nodeup/);                        // anything the node printed/logged
 * erl.suspend(); erl.resume();                              // SIGSTOP / SIGCONT (tick tests)
 * await erl.stop();
 * ```
 *
 * How it works: erl runs `-noshell` with a small read-eval-print loop on stdin (tools/erl/
 * ctl_loop.erl, passed as `-eval` text). `eval(expr)` sends one base64-encoded expression
 * sequence (a trailing `.` is optional), the node evaluates it in the loop process (so
 * `register(foo, self())` and `receive` work; calls are sequential) and answers
 * `BEAMLINE_RESULT <id> ok|error <base64 of ~tp text>`. An exception rejects the promise with
 * ErlEvalError (message = `Class:Reason`, depth-limited). Bindings persist between calls, so a
 * reused variable name is a match, not a new binding: wrap one-off code in `(fun() -> ... end)()`.
 *
 * The node's stdout+stderr is kept in `output` (error_logger reports land there too).
 * EPMD: `epmdPort` sets ERL_EPMD_PORT for the node; by default erl is started with
 * `-start_epmd false`, so an EPMD (ours, embedded, or a real one) must already listen there —
 * tests never leave stray epmd daemons behind. Pass `startEpmd: true` to let erl start one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { erlBinary } from './erl.ts';

export interface ErlNodeOptions {
  /** `alive@host` (`-name` when the host has a dot, else `-sname`). */
  name: string;
  cookie: string;
  /** ERL_EPMD_PORT for this node. Default: inherited env, else 4369. */
  epmdPort?: number;
  /** `-kernel net_ticktime N` (seconds). */
  ticktime?: number;
  hidden?: boolean;
  /** Expressions evaluated before the node reports ready (e.g. start a registered process). */
  init?: string;
  /** Extra erl command-line arguments. */
  args?: string[];
  env?: Record<string, string>;
  /** Let erl start an epmd daemon when none is running (default false). */
  startEpmd?: boolean;
  /** erl binary (default: erlBinary, i.e. BEAMLINE_ERL or `erl`). */
  erl?: string;
  readyTimeoutMs?: number;
  /** Echo the node's output to stderr (debugging). */
  echo?: boolean;
}

export class ErlEvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ErlEvalError';
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const ctlLoopSource = (): string =>
  readFileSync(join(here, 'ctl_loop.erl'), 'utf8')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('%'))
    .join('\n');

export class ErlNode {
  output = '';
  readonly exited: Promise<number | null>;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  private outputWaiters: { re: RegExp; resolve: (m: string) => void }[] = [];
  private lineBuf = '';
  private exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
    private readonly echo: boolean,
  ) {
    this.exited = new Promise((r) =>
      proc.on('exit', (code) => {
        this.exitCode = code;
        for (const w of this.waiting.values()) w.reject(new ErlEvalError(`erl node ${name} exited (${code}) before answering`));
        this.waiting.clear();
        r(code);
      }),
    );
    proc.stdout!.on('data', (b: Buffer) => this.onOutput(b.toString('utf8')));
    proc.stderr!.on('data', (b: Buffer) => this.onOutput(b.toString('utf8')));
    proc.stdin!.on('error', () => {});
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  private onOutput(s: string): void {
    if (this.echo) process.stderr.write(`[${this.name}] ${s}`);
    this.output += s;
    this.lineBuf += s;
    let nl: number;
    while ((nl = this.lineBuf.indexOf('\n')) !== -1) {
      const line = this.lineBuf.slice(0, nl);
      this.lineBuf = this.lineBuf.slice(nl + 1);
      const m = /BEAMLINE_RESULT (\d+) (ok|error) ([A-Za-z0-9+/=]*)/.exec(line);
      if (m) {
        const w = this.waiting.get(Number(m[1]));
        if (w) {
          this.waiting.delete(Number(m[1]));
          const text = Buffer.from(m[3]!, 'base64').toString('utf8');
          if (m[2] === 'ok') w.resolve(text);
          else w.reject(new ErlEvalError(text));
        }
      }
    }
    this.outputWaiters = this.outputWaiters.filter((w) => {
      const m = w.re.exec(this.output);
      if (m) w.resolve(m[0]);
      return !m;
    });
  }

  /** Compile an .erl file in memory and load it on the node (no .beam is written). */
  async loadModule(file: string): Promise<void> {
    const r = await this.eval(
      // in a fun with names of its own, so the shell keeps no bindings from it (a later `M` would match)
      `(fun() -> {ok, LoadMod__, LoadBin__} = compile:file(${JSON.stringify(file)}, [binary, report_errors]), {module, LoadMod__} = code:load_binary(LoadMod__, ${JSON.stringify(file)}, LoadBin__), ok end)()`,
    );
    if (r !== 'ok') throw new ErlEvalError(`loading ${file}: ${r}`);
  }

  /** Evaluate Erlang expressions on the node; resolves with the `~tp` text of the value. */
  eval(expr: string, timeoutMs = 20_000): Promise<string> {
    if (!this.running) return Promise.reject(new ErlEvalError(`erl node ${this.name} is not running`));
    const id = this.nextId++;
    let text = expr.trim();
    if (!text.endsWith('.')) text += '.';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new ErlEvalError(`eval timeout after ${timeoutMs} ms: ${expr}`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.proc.stdin!.write(`${id} ${Buffer.from(text, 'utf8').toString('base64')}\n`);
    });
  }

  /** Resolves with the first match of `re` in everything the node has printed (past or future). */
  waitForOutput(re: RegExp, timeoutMs = 15_000): Promise<string> {
    const m = re.exec(this.output);
    if (m) return Promise.resolve(m[0]);
    return new Promise((resolve, reject) => {
      const w = {
        re,
        resolve: (s: string) => {
          clearTimeout(timer);
          resolve(s);
        },
      };
      const timer = setTimeout(() => {
        this.outputWaiters = this.outputWaiters.filter((x) => x !== w);
        reject(new Error(`timeout waiting for ${re} in the output of ${this.name}:\n${this.output.slice(-2000)}`));
      }, timeoutMs);
      this.outputWaiters.push(w);
    });
  }

  /** SIGSTOP the node (it stops answering ticks). */
  suspend(): void {
    this.proc.kill('SIGSTOP');
  }

  resume(): void {
    this.proc.kill('SIGCONT');
  }

  /** Halt the node (stdin EOF → halt()), SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return;
    this.resume();
    this.proc.stdin!.end();
    const t = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }

  /** SIGKILL now. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }
}

/** Start an erl node and wait until its distribution is up and the control loop answers. */
export async function startErl(opts: ErlNodeOptions): Promise<ErlNode> {
  const host = opts.name.split('@')[1] ?? '';
  const args = ['-noshell', host.includes('.') ? '-name' : '-sname', opts.name, '-setcookie', opts.cookie];
  if (opts.hidden) args.push('-hidden');
  if (opts.ticktime !== undefined) args.push('-kernel', 'net_ticktime', String(opts.ticktime));
  if (!opts.startEpmd) args.push('-start_epmd', 'false');
  args.push(...(opts.args ?? []));
  args.push('-eval', ctlLoopSource());
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...(opts.env ?? {}) };
  if (opts.epmdPort !== undefined) env.ERL_EPMD_PORT = String(opts.epmdPort);
  const proc = spawn(opts.erl ?? erlBinary, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const node = new ErlNode(opts.name, proc, opts.echo ?? false);
  const timeoutMs = opts.readyTimeoutMs ?? 20_000;
  const ready = node.waitForOutput(/BEAMLINE_READY/, timeoutMs);
  const failed = node.exited.then((code) => {
    throw new Error(`erl ${opts.name} exited (${code}) during startup:\n${node.output.slice(-3000)}`);
  });
  try {
    await Promise.race([ready, failed]);
  } catch (e) {
    await node.kill();
    throw e;
  }
  failed.catch(() => {});
  if (opts.init) await node.eval(opts.init);
  return node;
}

/** The OTP release of the erl binary under test (e.g. "25"). */
export async function otpRelease(erl: string = erlBinary): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(erl, ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`erl exited ${code}`))));
  });
}
