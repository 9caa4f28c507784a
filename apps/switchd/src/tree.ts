/**
 * The switchd node as one supervision tree:
 *
 *   switchd_sup (rest_for_one)
 *   ├── dist        Distribution: the owner of the Erlang node (EPMD registration, listener, connections)
 *   ├── switch      the switch's own tree (switch → channels → one ChannelServer per call)
 *   └── modules…    the optional modules (modules.ts), e.g. the Erlang event module
 *
 * rest_for_one: a restarted node restarts what stands on it. Shutdown first hangs every call up
 * with SYSTEM_SHUTDOWN while the modules still run (FreeSWITCH's switch_core_destroy does its
 * hupall before it unloads the modules, so an Erlang handler sees its call end as usual), then
 * closes the node's connections (peers see nodedown, and `noconnection` for their links and
 * monitors), then stops the tree in reverse: the modules, the switch, the node.
 */
import {
  type ChildSpec,
  DOWN,
  type From,
  GenServer,
  noreply,
  ok,
  pidEquals,
  refEquals,
  type ProcessContext,
  reply,
  Runtime,
  type SupervisionNode,
  Supervisor,
  shutdown as SHUTDOWN,
  supervisionTree,
} from '@beamline/core';
import { Pid, Ref, type Term, Tuple, atom, format, t } from '@beamline/etf';
import { type BeamNode, startNode, type NodeOptions } from '@beamline/distribution';
import { startSwitch, type StopRequest, type Switch, systemCpuTimes } from '@beamline/switch';
import { consoleCommand } from './console_api.ts';
import { switchdTempDir, writeHoldMusic } from './hold_music.ts';
import { type ConsoleLog, oneLine } from './log.ts';
import { type ModuleEnv, optionalModules } from './modules.ts';
import { switchdModule } from './rpc.ts';
import type { Settings } from './settings.ts';

/** The live parts, as the tree (re)starts them. */
export interface Holder {
  node: BeamNode | undefined;
  sw: Switch | undefined;
  /** Why the switch did not start (the raw error, for the one-line message). */
  failure: unknown;
}

interface DistArgs {
  node: BeamNode;
  holder: Holder;
  log: ConsoleLog;
}

interface DistState {
  node: BeamNode;
  log: ConsoleLog;
}

/**
 * The node's owner in the tree. The node itself is started before the tree (a runtime takes its
 * node identity, the creation EPMD hands out, before its first process), so this child adopts it:
 * a restarted owner adopts the same running node; a shutdown (the tree stopping) stops it, and
 * with it the connections (peers see nodedown), EPMD registration and listener. Registered as
 * `dist`, any peer can call it: a call it does not know is answered `{error, {unknown_call, Req}}`,
 * such a cast dropped, both logged.
 */
class Distribution extends GenServer<DistState, unknown, unknown, unknown, DistArgs> {
  init(args: DistArgs) {
    args.holder.node = args.node;
    return ok({ node: args.node, log: args.log });
  }

  /**
   * A peer's typo must not crash the owner: switchd_sup would restart everything after it
   * (rest_for_one), and give up after three crashes in ten seconds.
   */
  override handleCall(req: unknown, _from: From, s: DistState) {
    s.log.log('WARNING', 'switchd', `dist: unknown call ${format(req as Term, { depth: 5 })}, answered {error, {unknown_call, …}}`);
    return reply(t(atom('error'), t(atom('unknown_call'), req as Term)), s);
  }

  override handleCast(msg: unknown, s: DistState) {
    s.log.log('WARNING', 'switchd', `dist: unknown cast ${format(msg as Term, { depth: 5 })}, dropped`);
    return noreply(s);
  }

  override describe({ node }: DistState): Record<string, unknown> {
    return { node: node.name, port: node.port, peers: node.nodes() };
  }

  override async terminate(reason: unknown, { node }: DistState): Promise<void> {
    if (reason === SHUTDOWN) await node.stop();
  }
}

export interface SwitchdTree {
  readonly runtime: Runtime;
  readonly holder: Holder;
  readonly supervisor: ReturnType<Runtime['spawn']>;
  /** Resolves with the exit reason when switchd_sup ends (a stop() or, say, too many restarts). */
  readonly ended: Promise<unknown>;
  /** Stops the tree in order, then the runtime. */
  stop(): Promise<void>;
}

export interface TreeOptions {
  /** The optional modules' children (default: modules.ts's optionalModules). */
  modules?: (env: ModuleEnv) => ChildSpec[];
  /** `fsctl shutdown` / the `shutdown` command asks the process to stop (each switch the tree starts). */
  onStop?: (how: StopRequest) => void;
}

export async function startTree(settings: Settings, log: ConsoleLog, opts: TreeOptions = {}): Promise<SwitchdTree> {
  const rt = new Runtime({ logger: log.reports() });
  const holder: Holder = { node: undefined, sw: undefined, failure: undefined };
  const ee = settings.erlangEvent;
  const options: NodeOptions = {
    name: ee.nodeName,
    hidden: true,
    listenPort: ee.listenPort,
    listenHost: ee.listenIp,
    epmd: settings.epmd === 'system' ? 'external' : settings.epmd,
    logger: log.dist(),
    cookie: ee.cookie,
    ...(settings.epmdPort === undefined ? {} : { epmdPort: settings.epmdPort }),
  };
  const node = await startNode({ ...options, runtime: rt });
  log.localNode = node.name;
  log.pidLabel = (pid) => childIdPath(rt, pid);
  node.exportModule('switchd', switchdModule(holder, log, rt));
  node.events.subscribe((e) =>
    log.log('NOTICE', 'dist', e.type === 'nodeup' ? `nodeup ${e.node}${e.hidden ? ' (hidden)' : ''}` : `nodedown ${e.node} (${e.reason.kind})`),
  );
  let sup: ReturnType<Runtime['spawn']>;
  try {
    sup = await Supervisor.start(
      rt,
      {
        strategy: 'rest_for_one',
        intensity: 3,
        period: 10,
        children: [
          {
            id: 'dist',
            shutdown: 10_000,
            start: (ctx: ProcessContext) => GenServer.start(ctx, Distribution, { node, holder, log }, { link: true, trapExit: true, name: 'dist' }),
          },
          {
            id: 'switch',
            type: 'supervisor',
            start: async (ctx: ProcessContext) => {
              try {
                const sw = await startSwitch(ctx, {
                  confDir: settings.confDir,
                  globals: [['temp_dir', holdMusicTempDir(log)]],
                  cpuTimes: systemCpuTimes,
                  log: (l) => log.log(l.level, 'switch', l.text, l.uuid),
                });
                holder.sw = sw;
                sw.core.control.stopProcess = opts.onStop;
                // mod_console's `console loglevel`; the switch's hard level (fsctl loglevel) caps every line
                sw.registry.add(consoleCommand(log));
                log.ceiling = () => sw.core.logger.level;
                return sw.supervisor;
              } catch (e) {
                holder.failure = e;
                throw e;
              }
            },
          },
          ...(opts.modules ?? optionalModules)({ settings, log, node: () => holder.node, sw: () => holder.sw }),
        ],
      },
      { name: 'switchd_sup' },
    );
  } catch (e) {
    await node.stop().catch(() => {});
    await rt.stop().catch(() => {});
    throw holder.failure ?? e;
  }
  const ended = new Promise<unknown>((resolve) => {
    rt.spawn(async (ctx) => {
      const ref = ctx.monitor(sup);
      // its own monitor's DOWN only: a peer may send any process a message shaped like one
      const down = await ctx.receive(
        (m) => m instanceof Tuple && m.elements[0] === DOWN && m.elements[1] instanceof Ref && refEquals(m.elements[1], ref),
      );
      resolve((down as Tuple).elements[4]);
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    runtime: rt,
    holder,
    supervisor: sup,
    ended,
    stop: () =>
      (stopping ??= (async () => {
        await hangUpAll(holder.sw);
        await closeConnections(holder.node);
        if (rt.isAlive(sup)) await Supervisor.stop(rt, sup);
        await rt.stop();
      })()),
  };
}

/**
 * A process's place in switchd's tree as child ids from the top, `switchd_sup/switch`, so that a
 * report can name a supervisor that has no registered name; undefined for a process outside the
 * tree or without a child id of its own (a simple_one_for_one child).
 */
export function childIdPath(rt: Runtime, pid: Pid): string | undefined {
  const walk = (n: SupervisionNode, path: string): string | undefined => {
    if (n.pid instanceof Pid && pidEquals(n.pid, pid)) return path;
    for (const c of n.children ?? []) {
      const found = c.id === undefined ? undefined : walk(c, `${path}/${c.id}`);
      if (found) return found;
    }
    return undefined;
  };
  for (const root of supervisionTree(rt, 'switchd_sup')) {
    const found = walk(root, 'switchd_sup');
    if (found) return found;
  }
  return undefined;
}

/** switchd's temp_dir, with the hold music written into it (a failure is logged: the switch then has no music). */
function holdMusicTempDir(log: ConsoleLog): string {
  const dir = switchdTempDir();
  try {
    writeHoldMusic(dir);
  } catch (e) {
    log.log('WARNING', 'switchd', `hold music not written into ${dir}: ${oneLine(e)}`);
  }
  return dir;
}

/**
 * Once the calls are over (their events and `call_hangup`s written), the connections close before
 * any process stops: a peer's links and monitors to the node's processes end `noconnection`, as
 * when FreeSWITCH's module unloads, not with the `shutdown` the processes stop with.
 */
async function closeConnections(node: BeamNode | undefined): Promise<void> {
  if (!node) return;
  for (const peer of node.nodes()) {
    await node.connection(peer)?.drained();
    node.disconnect(peer);
  }
}

/** How long shutdown waits for the calls it hung up to be gone before it stops the tree anyway. */
const HANGUP_WAIT_MS = 5000;

/** `hupall SYSTEM_SHUTDOWN`, then wait (bounded) until no channel is left. */
async function hangUpAll(sw: Switch | undefined): Promise<void> {
  if (!sw || sw.core.sessions.count === 0) return;
  await sw.api('hupall SYSTEM_SHUTDOWN').catch(() => undefined);
  const until = Date.now() + HANGUP_WAIT_MS;
  while (sw.core.sessions.count > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}
