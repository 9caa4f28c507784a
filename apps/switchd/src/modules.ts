/**
 * The optional modules switchd loads into its tree, after the node and the switch (so they stop
 * first). THIS IS THE ONE PLACE TO WIRE THEM IN.
 *
 * The Erlang event module (issue 9, @beamline/erlang-event, `load(switch, node, config)`) goes
 * here once it exists — add the dependency to apps/switchd/package.json, then:
 *
 *   import { load } from '@beamline/erlang-event';
 *   ...
 *   return [moduleChild('erlang_event', env, (sw, node) => load(sw, node, env.settings.conf))];
 *
 * `moduleChild` runs `load` in a process of the tree: a load that returns a pid (the module's own
 * supervisor) is linked, one that returns an object with `stop()` is stopped on shutdown, and a
 * load that throws fails the start with its error. Until then the `erlang` dialplan application
 * (conf/dialplan/default/123456_erlang.xml) and `erlang listeners|sessions` are not there.
 */
import { EXIT, GenServer, noreply, ok, pidEquals, type ChildSpec, type ProcessContext, stop } from '@beamline/core';
import { Pid, Tuple } from '@beamline/etf';
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
export type LoadFn = (sw: Switch, node: BeamNode) => Loaded | Promise<Loaded>;

interface ModArgs {
  name: string;
  env: ModuleEnv;
  load: LoadFn;
}

interface ModState {
  name: string;
  loaded: Loaded;
}

class LoadedModule extends GenServer<ModState, unknown, unknown, unknown, ModArgs> {
  async init(args: ModArgs, ctx: ProcessContext) {
    const sw = args.env.sw();
    const node = args.env.node();
    if (!sw || !node) return stop(`${args.name}: the switch or the node is not running`);
    const loaded = await args.load(sw, node);
    if (loaded instanceof Pid) ctx.link(loaded);
    args.env.log.log('NOTICE', 'switchd', `module ${args.name} loaded`);
    return ok({ name: args.name, loaded });
  }

  /** The module's own supervisor died: so does this child, and switchd_sup decides. */
  override handleInfo(msg: unknown, s: ModState) {
    if (msg instanceof Tuple && msg.elements[0] === EXIT && s.loaded instanceof Pid && pidEquals(msg.elements[1] as Pid, s.loaded)) {
      return stop(msg.elements[2], s);
    }
    return noreply(s);
  }

  override describe(s: ModState): Record<string, unknown> {
    return { module: s.name };
  }

  override async terminate(reason: unknown, s: ModState, ctx: ProcessContext): Promise<void> {
    const l = s.loaded;
    if (l instanceof Pid) ctx.exit(l, reason);
    else if (l && typeof l === 'object' && 'stop' in l) await l.stop();
  }
}

/** A child of switchd_sup that loads one module. */
export function moduleChild(name: string, env: ModuleEnv, load: LoadFn): ChildSpec {
  return {
    id: name,
    shutdown: 10_000,
    start: (ctx: ProcessContext) => GenServer.start(ctx, LoadedModule, { name, env, load }, { link: true, trapExit: true, name: `mod_${name}` }),
  };
}

/** The optional modules, in start order. */
export function optionalModules(_env: ModuleEnv): ChildSpec[] {
  return [
    // moduleChild('erlang_event', _env, (sw, node) => load(sw, node, _env.settings.conf)),   // issue 9
  ];
}
