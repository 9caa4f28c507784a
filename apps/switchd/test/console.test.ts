/**
 * The fs_cli-like console: completion of command names and log levels, the slash commands,
 * history written to its file; then `switchd --console` as a program: API commands on its own
 * switch, leaving the console stops switchd (exit 0).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { complete, runConsole, type ConsoleBackend } from '../src/index.ts';
import { freePort, run } from '../../../tools/apps/run.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('complete', () => {
  const commands = ['status', 'show', 'shutdown', 'originate'];
  it('completes the first word from the command names and the slash commands', () => {
    expect(complete('sh', commands)).toEqual([['show', 'shutdown'], 'sh']);
    expect(complete('/q', commands)).toEqual([['/quit'], '/q']);
    expect(complete('x', commands)).toEqual([[], 'x']);
    expect(complete('show ch', commands)).toEqual([[], 'show ch']);
  });
  it('completes log levels after /log', () => {
    expect(complete('/log de', commands)).toEqual([['debug'], 'de']);
    expect(complete('/log ', commands)[0]).toEqual(['console', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug']);
  });
});

describe('runConsole', () => {
  it('runs API lines, /log and /nolog through the backend, writes history, ends on /quit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'console-'));
    dirs.push(dir);
    const calls: string[] = [];
    const backend: ConsoleBackend = {
      name: 'n@h',
      api: async (line) => {
        calls.push(`api ${line}`);
        return line === 'boom' ? Promise.reject(new Error('went wrong')) : `+OK ${line}\n`;
      },
      commands: async () => ['status'],
      followLog: async (level) => {
        calls.push(`log ${level}`);
      },
    };
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (b: Buffer) => (text += b.toString()));
    let print: ((l: string) => void) | undefined;
    const done = runConsole(backend, { input, output, historyFile: join(dir, 'hist'), terminal: false, onPrinter: (p) => (print = p) });
    input.write('status\n/log warning\n');
    await new Promise((r) => setTimeout(r, 50));
    print?.('a log line\n');
    input.write('/log loud\nboom\n/nolog\n\n/quit\nnot run\n');
    await done;
    expect(calls).toEqual(['api status', 'log 4', 'api boom', 'log undefined']);
    expect(text).toBe(
      ['+OK status', '+OK log level warning [4]', 'a log line', '-ERR invalid log level', '-ERR went wrong', '+OK no longer logging', ''].join('\n'),
    );
    expect((await readFile(join(dir, 'hist'), 'utf8')).split('\n')).toEqual(['status', '/log warning', '/log loud', 'boom', '/nolog', '/quit', '']);
  });

  it('`...` leaves a remote console as fs_cli does (nothing sent); on its own switch it is the shutdown command, then leaves', async () => {
    for (const remote of [true, false]) {
      const calls: string[] = [];
      const backend: ConsoleBackend = {
        name: 'n@h',
        remote,
        api: async (line) => {
          calls.push(line);
          return '+OK\n';
        },
        commands: async () => [],
        followLog: async () => {},
      };
      const input = new PassThrough();
      const done = runConsole(backend, { input, output: new PassThrough(), historyFile: null, terminal: false });
      input.write('status\n...\nnot run\n');
      await done;
      expect(calls).toEqual(remote ? ['status'] : ['status', '...']);
    }
  });
});

describe('runConsole on a terminal', () => {
  it('tab completes a command name, shows the prompt, prints log lines above it; Ctrl-C leaves', async () => {
    const calls: string[] = [];
    const backend: ConsoleBackend = {
      name: 'n@h',
      api: async (line) => {
        calls.push(line);
        return `+OK ${line}\n`;
      },
      commands: async () => ['status', 'show'],
      followLog: async () => {},
    };
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (b: Buffer) => (text += b.toString()));
    let print: ((l: string) => void) | undefined;
    const done = runConsole(backend, { input, output, historyFile: null, terminal: true, onPrinter: (p) => (print = p) });
    await new Promise((r) => setTimeout(r, 20));
    input.write('sta\t'); // readline completes asynchronously: Enter comes after
    await expect.poll(() => text).toContain('status');
    input.write('\r');
    await expect.poll(() => calls).toEqual(['status']);
    print?.('LOGLINE\n');
    input.write('\x03'); // Ctrl-C
    await done;
    expect(text).toContain('n@h> ');
    expect(text).toContain('+OK status');
    expect(text).toContain('\r\x1b[KLOGLINE\n');
  });
});

describe('switchd --console', { timeout: 90_000 }, () => {
  it('answers API commands on its own switch; leaving the console stops switchd with exit 0', async () => {
    const epmd = await freePort();
    const home = await mkdtemp(join(tmpdir(), 'home-'));
    dirs.push(home);
    const r = await run(
      'switchd',
      ['--console', '--name', 'fs_console@localhost', '--epmd-port', String(epmd), '--listen-port', '0', '--log-level', 'warning'],
      { HOME: home },
      'version\nshow channels count\n/quit\n',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('switchd is up: fs_console@localhost');
    expect(r.stdout).toContain('FreeSWITCH Version 1.10.12-release~64bit');
    expect(r.stdout).toContain('0 total.');
  });
});
