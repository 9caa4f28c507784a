/**
 * The optional modules switchd loads into its tree, after the node and the switch (so they stop
 * first). THIS IS THE ONE PLACE TO WIRE THEM IN.
 *
 * `moduleChild` runs a module's load in a process of the tree: a load that returns a pid (the
 * module's own supervisor) is linked, one that returns an object with `stop()` is stopped on
 * shutdown (or, when its process was killed outright, before the next load), and a load that
 * throws fails the start with its error. A load may also link what it
 * starts to the loading process (the context it is given): when that dies, so does the child, and
 * switchd_sup decides.
 *
 * Loaded today: the Erlang event module (@beamline/erlang-event, mod_erlang_event), with the
 * erlang_event.conf settings switchd started the node with, as a supervisor of its own
 * (erlangEventChild) so that the module's processes stay in the one tree; and, when sofia.conf
 * has profiles, the SIP face (@beamline/sofia, mod_sofia).
 */
import {
  DOWN,
  EXIT,
  ExitError,
  GenServer,
  TIMEOUT,
  noreply,
  ok,
  pidEquals,
  refEquals,
  Supervisor,
  type ChildSpec,
  type ProcessContext,
  stop,
  shutdown as SHUTDOWN,
} from '@beamline/core';
import { type ErlangEvent, load as loadErlangEvent } from '@beamline/erlang-event';
import { loadSofia } from '@beamline/sofia';
import { Pid, Ref, Tuple } from '@beamline/etf';
import type { BeamNode } from '@beamline/distribution';
import type { Switch } from '@beamline/switch';
import type { ConsoleLog } from './log.ts';
import type { Settings } from './settings.ts';

export interface ModuleEnv {
  readonly settings: Settings;
  readonly log: ConsoleLog;
  /** The live node and switch (a restart replaces them). */
  node(): BeamNode | undefined;
  sw(): Switch | undefined;
}

/** What a module's load returns: its supervisor's pid, a handle with stop(), or nothing. */
export type Loaded = Pid | { stop(): Promise<void> | void } | undefined | void;
export type LoadFn = (sw: Switch, node: BeamNode, ctx: ProcessContext) => Loaded | Promise<Loaded>;

interface ModArgs {
  name: string;
  env: ModuleEnv;
  load: LoadFn;
  /** What the last load returned until it is stopped: a LoadedModule killed outright never ran its terminate. */
  last: { loaded: Loaded };
}

interface ModState {
  name: string;
  last: { loaded: Loaded };
}

class LoadedModule extends GenServer<ModState, unknown, unknown, unknown, ModArgs> {
  async init(args: ModArgs, ctx: ProcessContext) {
    const sw = args.env.sw();
    const node = args.env.node();
    if (!sw || !node) return stop(`${args.name}: the switch or the node is not running`);
    await unload(args.last, ctx);
    const loaded = await args.load(sw, node, ctx);
    args.last.loaded = loaded;
    if (loaded instanceof Pid) ctx.link(loaded);
    args.env.log.log('NOTICE', 'switchd', `module ${args.name} loaded`);
    return ok({ name: args.name, last: args.last });
  }

  /**
   * A linked process died — the module's own supervisor, or the parent (switchd_sup): so does this
   * child, and switchd_sup decides.
   */
  override handleInfo(msg: unknown, s: ModState) {
    if (msg instanceof Tuple && msg.elements[0] === EXIT && msg.elements[1] instanceof Pid) return stop(msg.elements[2], s);
    return noreply(s);
  }

  override describe(s: ModState): Record<string, unknown> {
    return { module: s.name };
  }

  override terminate(reason: unknown, s: ModState, ctx: ProcessContext): Promise<void> {
    return unload(s.last, ctx, reason);
  }
}

/** Stops what a load returned, once. */
async function unload(last: { loaded: Loaded }, ctx: ProcessContext, reason: unknown = SHUTDOWN): Promise<void> {
  const l = last.loaded;
  last.loaded = undefined;
  if (l instanceof Pid) ctx.exit(l, reason);
  else if (l && typeof l === 'object' && 'stop' in l) await l.stop();
}

/** A child of switchd_sup that loads one module. */
export function moduleChild(name: string, env: ModuleEnv, load: LoadFn): ChildSpec {
  const last = { loaded: undefined as Loaded };
  return {
    id: name,
    shutdown: 10_000,
    start: (ctx: ProcessContext) =>
      GenServer.start(ctx, LoadedModule, { name, env, load, last }, { link: true, trapExit: true, name: `mod_${name}` }),
  };
}

/** The optional modules, in start order. */
export function optionalModules(env: ModuleEnv): ChildSpec[] {
  return [erlangEventChild(env), ...(env.settings.sofia.length > 0 ? [sofiaChild(env)] : [])];
}

/**
 * The SIP face (@beamline/sofia, mod_sofia) with sofia.conf's profiles: its `sofia` supervisor (a
 * SofiaProfile per profile, each with its calls) is this child, so it shows in the one tree. A
 * restart loads it again: the endpoint and the API commands are replaced by the new ones.
 */
export function sofiaChild(env: ModuleEnv): ChildSpec {
  let previous: Pid | undefined;
  return {
    id: 'sofia',
    type: 'supervisor',
    shutdown: 10_000,
    start: async (ctx: ProcessContext) => {
      const sw = env.sw();
      if (!sw) throw new Error('sofia: the switch is not running');
      if (previous) await awaitGone(ctx, env.node()?.runtime.children(previous) ?? [], 5_000);
      const sofia = await loadSofia(sw, ctx, { profiles: env.settings.sofia });
      previous = sofia.supervisor;
      env.log.log('NOTICE', 'switchd', 'module sofia loaded');
      return sofia.supervisor;
    },
  };
}

/**
 * Waits (at most `ms`) for the DOWN of each pid. A killed sofia supervisor's profiles die of its
 * exit signal after switchd_sup has already begun the restart, and the new profiles would find
 * their SIP ports still bound (EADDRINUSE) and stay down.
 */
async function awaitGone(ctx: ProcessContext, pids: Pid[], ms: number): Promise<void> {
  const refs = pids.map((p) => ctx.monitor(p));
  const end = ctx.now() + ms;
  for (const ref of refs) {
    const left = end - ctx.now();
    const down =
      left > 0
        ? await ctx.receive(
            (m) => m instanceof Tuple && m.elements[0] === DOWN && m.elements[1] instanceof Ref && refEquals(m.elements[1], ref),
            left,
          )
        : TIMEOUT;
    if (down === TIMEOUT) ctx.demonitor(ref, { flush: true });
  }
}

const isExit = (m: unknown) => m instanceof Tuple && m.elements[0] === EXIT;

/**
 * The Erlang event module as a supervisor of switchd_sup, so that the node stays one tree:
 *
 *   erlang_event (one_for_all, no restarts of its own)
 *   ├── module   the module's own supervisor (fs, listeners, calls), started by load()
 *   └── unload   on stop, the module's stop(): its hooks on the node and the switch are removed
 *
 * Either child dying stops the group (unload first, so the hooks go), and switchd_sup restarts it:
 * a fresh load on the same node.
 */
export function erlangEventChild(env: ModuleEnv): ChildSpec {
  let loaded: ErlangEvent | undefined;
  return {
    id: 'erlang_event',
    type: 'supervisor',
    shutdown: 10_000,
    start: (ctx: ProcessContext) =>
      Supervisor.start(
        ctx,
        {
          strategy: 'one_for_all',
          intensity: 0,
          period: 1,
          children: [
            {
              id: 'module',
              type: 'supervisor',
              start: async (c: ProcessContext) => {
                const sw = env.sw();
                const node = env.node();
                if (!sw || !node) throw new Error('erlang_event: the switch or the node is not running');
                // an unload worker killed outright never ran stop(): the last load's hooks go first (stop() runs once)
                await loaded?.stop().catch((e: unknown) => env.log.log('WARNING', 'switchd', `erlang_event: stop: ${String(e)}`));
                loaded = await loadErlangEvent(sw, node, env.settings.erlangEvent, {}, c);
                env.log.log('NOTICE', 'switchd', 'module erlang_event loaded');
                return loaded.supervisor;
              },
            },
            {
              id: 'unload',
              shutdown: 10_000,
              start: (c: ProcessContext) =>
                c.spawnLink(
                  async (w) => {
                    // its supervisor's exit signal only: a peer may send any process an {'EXIT', Pid, R} message
                    const fromParent = (m: unknown) => {
                      const from = isExit(m) ? (m as Tuple).elements[1] : undefined;
                      return from instanceof Pid && w.parent !== undefined && pidEquals(from, w.parent);
                    };
                    const signal = (await w.receive<Tuple>(fromParent)) as Tuple;
                    await loaded?.stop().catch((e: unknown) => env.log.log('WARNING', 'switchd', `erlang_event: stop: ${String(e)}`));
                    // ends with the reason it was stopped with: a supervisor reports any other as a shutdown_error
                    throw new ExitError(signal.elements[2]);
                  },
                  { trapExit: true },
                ),
            },
          ],
        },
        // not mod_erlang_event: as on FreeSWITCH, a message to that name (any name no process holds) is a command
        { name: 'erlang_event_sup' },
      ),
  };
}
