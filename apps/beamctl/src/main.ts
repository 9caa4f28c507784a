/**
 * beamctl: inspect and drive a running beamline node (switchd or any @beamline/distribution node)
 * from the command line, as a hidden Erlang node. `pnpm beamctl --help`.
 */
import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hostname } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { TIMEOUT } from '@beamline/core';
import { Tuple, atom, binary, mapGet, text, type Term } from '@beamline/etf';
import { runConsole } from '@beamline/switchd';
import { formatInfo, formatPs, formatTree, PS_SORT_KEYS, sortPs, toPsRow, toTreeRow, type PsSortKey } from './render.ts';
import { CtlError, EXIT, Session, type SessionOptions } from './session.ts';
import { findChild, TARGET_HINT } from './target.ts';

interface GlobalOpts {
  node: string;
  cookie?: string;
  epmdPort?: number;
  verbose?: boolean;
  timeout: number;
}

function int(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('not a number');
  return Number(v);
}

/** A TCP port: outside 1..65535 the connect would fail later with a less helpful error. */
function port(v: string): number {
  const n = int(v);
  if (n < 1 || n > 65535) throw new InvalidArgumentError('not a TCP port (1-65535)');
  return n;
}

/** A wait: 0 would time every rpc out at once, or redraw `ps --watch` without pause. */
function seconds(v: string): number {
  if (!/^\d+(\.\d{1,3})?$/.test(v) || Number(v) <= 0) throw new InvalidArgumentError('not a positive number of seconds');
  return Number(v);
}

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);

async function withSession<T>(cmd: Command, fn: (s: Session) => Promise<T>): Promise<T> {
  const g = cmd.optsWithGlobals<GlobalOpts>();
  const opts: SessionOptions = { node: g.node, timeoutMs: g.timeout * 1000, verbose: g.verbose ?? false };
  if (g.cookie !== undefined) opts.cookie = g.cookie;
  if (g.epmdPort !== undefined) opts.epmdPort = g.epmdPort;
  const s = await Session.open(opts);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** An API line through switchd's rpc module; a node without it is `unsupported`. */
async function api(s: Session, line: string): Promise<string> {
  try {
    return text(await s.rpc('switchd', 'api', [binary(line)])) ?? '';
  } catch (e) {
    if (e instanceof CtlError && e.code === EXIT.unsupported)
      throw new CtlError(`${s.target} is not a switchd (it has no switch API)`, EXIT.unsupported);
    throw e;
  }
}

async function erlangApi(s: Session, args: string): Promise<string> {
  const r = await api(s, `erlang ${args}`);
  if (/^-ERR erlang Command not found/.test(r))
    throw new CtlError(
      `the Erlang module (mod_erlang_event, @beamline/erlang-event) is not loaded on ${s.target}: no 'erlang ${args.split(' ')[0]}'`,
      EXIT.unsupported,
    );
  return r;
}

async function ps(s: Session, sort: PsSortKey, limit: number | undefined): Promise<string> {
  const rows = ((await s.rpc('beamline', 'ps', [])) as Term[]).map((r) => toPsRow(r, s.target));
  const sorted = sortPs(rows, sort);
  return formatPs(limit === undefined ? sorted : sorted.slice(0, limit));
}

/**
 * `beamline:info` of a pid or registered name, else of the child the tree shows under that id
 * (one match: an id used in several places needs its path); no process: exit 5 with the forms.
 */
async function processInfo(s: Session, target: string): Promise<Term> {
  const info = await s.rpc('beamline', 'info', [binary(target)]);
  if (info !== atom('undefined')) return info;
  const roots = ((await s.rpc('beamline', 'tree', [])) as Term[]).map((t) => toTreeRow(t, s.target));
  const matches = findChild(roots, target);
  if (matches.length > 1)
    throw new CtlError(
      `${target} is a child id in ${matches.length} places on ${s.target}: ${matches.map((m) => m.path).join(', ')}; give one of these paths`,
      EXIT.noproc,
    );
  const byId = matches.length === 1 ? await s.rpc('beamline', 'info', [binary(matches[0]!.pid)]) : atom('undefined');
  if (byId === atom('undefined')) throw new CtlError(`no process ${target} on ${s.target}: ${TARGET_HINT}`, EXIT.noproc);
  return byId;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new CtlError('not a terminal, so kill cannot ask: add --yes', EXIT.aborted);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export function beamctlCommand(): Command {
  const program = new Command('beamctl')
    .description('Inspect and drive a running beamline node over the Erlang distribution protocol (as a hidden node).')
    .addOption(new Option('-N, --node <node>', 'target node').env('BEAMCTL_NODE').default(`freeswitch@${hostname().split('.')[0]}`))
    .addOption(new Option('-C, --cookie <cookie>', 'cookie (default: ~/.erlang.cookie, as erl)').env('BEAMCTL_COOKIE'))
    .addOption(new Option('--epmd-port <port>', 'EPMD port of the target host').env('ERL_EPMD_PORT').argParser(port))
    .addOption(new Option('-t, --timeout <seconds>', 'rpc timeout').argParser(seconds).default(10))
    .option('-v, --verbose', 'print distribution messages on stderr')
    .showHelpAfterError('(`pnpm beamctl --help` lists the commands)')
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 command failed (-ERR, pang), 2 usage, 3 node unreachable, 4 wrong cookie, 5 no such process, 6 not supported by the node, 7 kill not confirmed.',
    );

  program
    .command('ping')
    .description('net_adm:ping the node: pong (exit 0) or pang (exit 1)')
    .action(async (_o, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await s.node.ping(s.target);
        out(r);
        if (r !== 'pong') process.exitCode = EXIT.failed;
      });
    });

  program
    .command('tree')
    .description('the supervision tree: supervisors, workers, behaviours, names, pids, restart counts, mailboxes')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const roots = ((await s.rpc('beamline', 'tree', [])) as Term[]).map((t) => toTreeRow(t, s.target));
        const loose = ((await s.rpc('beamline', 'ps', [])) as Term[]).map((r) => toPsRow(r, s.target)).filter((p) => !p.supervised);
        if (o.json) out(JSON.stringify({ node: s.target, tree: roots, unsupervised: loose }, null, 2));
        else out(formatTree(roots, loose));
      });
    });

  program
    .command('ps')
    .description('the processes as a table (pid, name, behaviour, status, mailbox, messages in/out, memory estimate)')
    .addOption(new Option('-s, --sort <key>', 'sort by').choices([...PS_SORT_KEYS]).default('mailbox'))
    .addOption(new Option('-n, --limit <n>', 'show the first n rows').argParser(int))
    .addOption(new Option('-w, --watch [seconds]', 'refresh in place every n seconds (Ctrl-C stops)').argParser(seconds))
    .action(async (o: { sort: PsSortKey; limit?: number; watch?: number | true }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        if (o.watch === undefined) {
          out(await ps(s, o.sort, o.limit));
          return;
        }
        const every = (o.watch === true ? 2 : o.watch) * 1000;
        let stop = false;
        process.once('SIGINT', () => (stop = true));
        while (!stop) {
          const table = await ps(s, o.sort, o.limit);
          process.stdout.write(
            `\x1b[H\x1b[2J${s.target}  ${new Date().toLocaleTimeString()}  (every ${every / 1000}s, sorted by ${o.sort}; Ctrl-C stops)\n${table}\n`,
          );
          const t0 = Date.now();
          while (!stop && Date.now() - t0 < every) await new Promise((r) => setTimeout(r, 100));
        }
      });
    });

  program
    .command('info')
    .description('one process: links, monitors, mailbox, parent, ancestors, behaviour details')
    .argument('<process>', 'a pid (<0.42.0>), a registered name, or a child id from `beamctl tree` (id, or ids/down/to/it)')
    .action(async (target: string, _o, cmd: Command) => {
      await withSession(cmd, async (s) => {
        out(formatInfo(await processInfo(s, target), s.target));
      });
    });

  program
    .command('kill')
    .description('send an exit signal to a process (asks first unless --yes)')
    .argument('<process>', 'a pid (<0.42.0>), a registered name, or a child id from `beamctl tree` (id, or ids/down/to/it)')
    .argument('[reason]', 'exit reason (an atom)', 'kill')
    .option('-y, --yes', 'do not ask')
    .action(async (target: string, reason: string, o: { yes?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const info = await processInfo(s, target);
        const row = toPsRow(info, s.target);
        const what = `${row.pid}${row.name ? ` (${row.name})` : ''} [${row.behaviour}]`;
        if (!o.yes && !(await confirm(`kill ${what} on ${s.target} with reason ${reason}? [y/N] `))) throw new CtlError('not killed', EXIT.aborted);
        const r = await s.rpc('beamline', 'kill', [binary(row.pid), binary(reason)]);
        if (r instanceof Tuple) throw new CtlError(`no process ${target} on ${s.target} (it ended meanwhile)`, EXIT.noproc);
        const traps = mapGet(info, 'trap_exit') === atom('true');
        if (reason === 'normal' && !traps) {
          out(`sent ${what} an exit signal with reason normal: it does not trap exits, so the signal is ignored (as in Erlang); use reason kill`);
          return;
        }
        out(`killed ${what} with reason ${reason}`);
        if (reason !== 'kill' && traps)
          out(`note: ${row.pid} traps exits, so reason ${reason} reached it as an 'EXIT' message (as in Erlang); reason kill cannot be trapped`);
      });
    });

  program
    .command('api')
    .description('run an API command (status, show channels, originate ...); exit 1 when it answers -ERR')
    .argument('<command...>', 'the command and its arguments')
    .action(async (words: string[], _o, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await api(s, words.join(' '));
        out(r);
        if (r.startsWith('-ERR') || r.startsWith('-USAGE')) process.exitCode = EXIT.failed;
      });
    });

  program
    .command('listeners')
    .description("the Erlang module's listeners (api erlang listeners)")
    .action(async (_o, cmd: Command) => {
      await withSession(cmd, async (s) => out(await erlangApi(s, 'listeners')));
    });

  program
    .command('sessions')
    .description("the Erlang module's sessions of one Erlang node (api erlang sessions <node>)")
    .argument('<node>', 'the Erlang node whose sessions to list')
    .action(async (peer: string, _o, cmd: Command) => {
      // the module splits its arguments on spaces: a name with one would get its usage text
      if (!/^[^@\s]+@[^@\s]+$/.test(peer)) throw new CtlError(`bad node name ${peer}: give alive@host`, EXIT.usage);
      await withSession(cmd, async (s) => {
        const r = await erlangApi(s, `sessions ${peer}`);
        out(r);
        // the module's answer for a node it has no listener for
        if (r.startsWith('Could not find a listener')) process.exitCode = EXIT.failed;
      });
    });

  program
    .command('console')
    .description('an fs_cli-like console on the node (API commands, history, tab completion, /log <level>)')
    .action(async (_o, cmd: Command) => {
      await withSession(cmd, async (s) => {
        await api(s, 'version'); // fails early, with the right code, on a node that is not a switchd
        let print: (line: string) => void = (l) => out(l);
        // the process that receives the followed log lines on our node
        const sink = s.node.runtime.spawn(async (ctx) => {
          for (;;) {
            const m = await ctx.receive();
            if (m === TIMEOUT || m === 'stop') return;
            if (m instanceof Tuple && m.elements[0] === atom('switchd_log')) print(text(m.elements[2] as Term) ?? '');
          }
        });
        let gone = false;
        const down = new Promise<void>((res) => {
          const off = s.node.on('nodedown', (e) => {
            if (e.node !== s.target) return;
            gone = true;
            off();
            res();
          });
        });
        await runConsole(
          {
            name: s.target,
            remote: true,
            gone: down,
            api: (line) => api(s, line),
            commands: async () => ((await s.rpc('switchd', 'commands', [])) as Term[]).map((c) => text(c) ?? ''),
            followLog: async (level) => {
              if (level === undefined) await s.rpc('switchd', 'log_unfollow', [sink]);
              else await s.rpc('switchd', 'log_follow', [sink, level]);
            },
          },
          { onPrinter: (p) => (print = p) },
        );
        s.node.runtime.send(sink, 'stop');
        if (gone) throw new CtlError(`node ${s.target} went down (disconnected)`, EXIT.unreachable);
      });
    });

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = beamctlCommand();
  if (argv.length === 0) {
    // no command is a usage error (exit 2), not a request for help
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CtlError) {
      process.stderr.write(`beamctl: ${e.message}\n`);
      return e.code;
    }
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      // help and version are not errors; commander has printed the message
      return ce.code === 'commander.helpDisplayed' || ce.code === 'commander.help' || ce.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    process.stderr.write(`beamctl: ${(e as Error).message ?? String(e)}\n`);
    return EXIT.failed;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
