/**
 * The demo node (`pnpm start`): a named beamline node an Erlang shell can ping, rpc and
 * gen_server:call.
 *
 *   pnpm start [--name beamline@localhost] [--cookie secret] [--epmd-port 4369]
 *
 * The cookie: `--cookie`, else `~/.erlang.cookie`, created as erl does (20 random uppercase
 * letters, mode 0400) when it does not exist: @beamline/distribution's default.
 *
 * - `echo`      a registered GenServer under a one_for_one supervisor: `hello` → `{echo, hello}`
 * - `beamline`  an rpc module: `ping/0` → `pong`, `processes/0` → the registered processes,
 *               `echo/1` → its argument, `node/0` → the node name, `whereis/1` → a pid.
 * Stops cleanly on SIGINT / SIGTERM.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GenServer, Runtime, Supervisor, noreply, ok, reply, type ProcessContext } from '@beamline/core';
import { Atom, atom, t, type Term } from '@beamline/etf';
import { startNode, type BeamNode } from '@beamline/distribution';

export interface DemoOptions {
  name: string;
  /** Default: `~/.erlang.cookie` (created like erl does when missing). */
  cookie?: string;
  epmdPort?: number;
}

class Echo extends GenServer<{ calls: number }> {
  init() {
    return ok({ calls: 0 });
  }
  override handleCall(req: unknown, _from: unknown, state: { calls: number }) {
    if (req === atom('stats')) return reply(t(atom('calls'), state.calls), state);
    return reply(t(atom('echo'), req as Term), { calls: state.calls + 1 });
  }
  override handleCast(_msg: unknown, state: { calls: number }) {
    return noreply(state);
  }
}

export async function startDemo(opts: DemoOptions): Promise<{ node: BeamNode; stop: () => Promise<void> }> {
  const runtime = new Runtime();
  const node = await startNode({ name: opts.name, cookie: opts.cookie, epmdPort: opts.epmdPort, runtime });
  await Supervisor.start(
    runtime,
    {
      strategy: 'one_for_one',
      children: [
        {
          id: 'echo',
          start: (ctx: ProcessContext) => GenServer.startLink(ctx, Echo, [], { name: 'echo' }),
          restart: 'permanent',
          shutdown: 1000,
          type: 'worker',
        },
      ],
    },
    { name: 'demo_sup' },
  );
  node.exportModule('beamline', {
    ping: () => atom('pong'),
    node: () => atom(node.name),
    echo: (x: Term) => x,
    whereis: (name: Term) => {
      const n = name instanceof Atom ? name.name : undefined;
      return (n !== undefined ? runtime.whereis(n) : undefined) ?? atom('undefined');
    },
    processes: () =>
      runtime
        .processes()
        .map((p) => runtime.processInfo(p)?.registeredName)
        .filter((n): n is string => n !== undefined)
        .sort()
        .map((n) => atom(n)),
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await node.stop();
      await runtime.stop();
    })());
  return { node, stop };
}

function usage(name: string, cookie: string, epmdPort: number | undefined): string {
  const env = epmdPort ? `ERL_EPMD_PORT=${epmdPort} ` : '';
  const short = name.includes('.') ? '-name' : '-sname';
  const host = name.split('@')[1] ?? 'localhost';
  return [
    `beamline node ${name} is up (cookie ${cookie}).`,
    `From an Erlang shell:`,
    `  ${env}erl ${short} x@${host} -setcookie ${cookie}`,
    `  net_adm:ping('${name}').`,
    `  rpc:call('${name}', beamline, ping, []).`,
    `  rpc:call('${name}', beamline, processes, []).`,
    `  gen_server:call({echo, '${name}'}, hello).`,
    `Ctrl-C stops it.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      name: { type: 'string', default: 'beamline@localhost' },
      cookie: { type: 'string' },
      'epmd-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('usage: pnpm start [--name alive@host] [--cookie C] [--epmd-port N]');
    return;
  }
  const epmdPort = values['epmd-port'] ? Number(values['epmd-port']) : undefined;
  const { node, stop } = await startDemo({ name: values.name!, cookie: values.cookie, epmdPort });
  node.events.subscribe((e) => console.log(`${e.type} ${e.node}`));
  console.log(usage(node.name, node.cookie, epmdPort));
  const shutdown = (sig: string) => {
    console.log(`${sig}: stopping`);
    stop().then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
