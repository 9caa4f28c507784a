/**
 * mod_sofia's load: a `sofia` supervisor with `calls` (every call's process, temporary) and one
 * SofiaProfile process per profile (stopped and started again by `sofia profile <name> stop|start|restart`),
 * the `sofia` API commands (api.ts), and the `sofia` endpoint
 * (`sofia/<profile>/<user>@<host>[:port]`). A profile that cannot bind its port logs the error and
 * is not started; the switch goes on without it, as FreeSWITCH does.
 */
import { type ChildSpec, GenServer, type ProcessContext, Supervisor, type Where } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { type Switch, configuration } from '@beamline/switch';
import { type SofiaControl, sofiaCommands } from './api.ts';
import { type ProfileConfig, profilesFromXml } from './config.ts';
import { sofiaEndpointInterface } from './endpoint.ts';
import { InboundCall } from './inbound_call.ts';
import { OutboundCall } from './outbound_call.ts';
import type { ProcessResources } from './process_resources.ts';
import { type CallStart, SofiaProfile } from './profile.ts';

export interface SofiaOptions {
  /** The profiles; default: sofia.conf of the switch's conf/ (none when it has no sofia.conf). */
  readonly profiles?: readonly ProfileConfig[];
}

export class Sofia {
  readonly #pids = new Map<string, Pid>();
  /** Each profile's configuration, by name: `sofia profile <name> start|restart` re-reads it. */
  readonly #configs = new Map<string, ProfileConfig>();
  /** Each profile's last incarnation's sockets and the rest, by name (process_resources.ts). */
  readonly #resources = new Map<string, ProcessResources>();
  #sup: Pid | undefined;
  #callsPid: Pid | undefined;
  readonly #calls = () => this.#callsPid;
  #removeEndpoint: (() => void) | undefined;

  constructor(
    readonly sw: Switch,
    readonly profiles: readonly ProfileConfig[],
    /** Where a rescan reads the profiles again (sofia.conf of the current XML); none: they are fixed. */
    readonly reread?: () => readonly ProfileConfig[],
  ) {
    for (const c of profiles) this.#configs.set(c.name, c);
  }

  get supervisor(): Pid | undefined {
    return this.#sup;
  }

  /** The running profiles' pids by name. */
  profilePids(): ReadonlyMap<string, Pid> {
    return this.#pids;
  }

  async start(where: Where): Promise<Pid> {
    const callsSpec: ChildSpec = {
      id: 'calls',
      type: 'supervisor',
      start: async (ctx: ProcessContext) => {
        const calls = await Supervisor.start(ctx, {
          strategy: 'simple_one_for_one',
          intensity: 1000,
          period: 1,
          children: [{ id: 'call', restart: 'temporary', shutdown: 2000, start: startCall }],
        });
        this.#callsPid = calls;
        return calls;
      },
    };
    const profiles: ChildSpec[] = this.profiles.map((c) => this.#profileSpec(c.name));
    // rest_for_one: the profiles route to calls under `calls`, so a new `calls` restarts them
    this.#sup = await Supervisor.start(
      where,
      { strategy: 'rest_for_one', intensity: 5, period: 10, children: [callsSpec, ...profiles] },
      { name: 'sofia' },
    );
    this.sw.registry.add(...sofiaCommands(this.#control()));
    this.#removeEndpoint = this.sw.addEndpoint(
      'sofia',
      sofiaEndpointInterface(
        () => this.#pids,
        (text) => this.sw.core.log('ERR', text),
      ),
    );
    return this.#sup;
  }

  /** A profile's child spec: it starts with the configuration #configs holds for it then. */
  #profileSpec(name: string): ChildSpec {
    return {
      id: `sofia_profile_${name}`,
      start: async (ctx: ProcessContext) => {
        const config = this.#configs.get(name);
        if (!config) return undefined;
        const calls = this.#calls;
        // the supervisor starts a profile only once its last incarnation is dead: what that one
        // held goes now, whether or not its watcher has run yet (or still runs at all)
        this.#resources.get(name)?.release();
        const resources = (r: ProcessResources) => this.#resources.set(name, r);
        try {
          const pid = await GenServer.startLink(ctx, SofiaProfile, { sw: this.sw, config, calls, resources }, SOCKET_OWNER);
          this.#pids.set(config.name, pid);
          return pid;
        } catch (e) {
          this.sw.core.log(
            'ERR',
            `sofia: profile ${config.name} did not start on udp ${config.sipIp}:${config.sipPort}: ${e instanceof Error ? e.message : String(e)}`,
          );
          return undefined;
        }
      },
      restart: 'permanent',
    };
  }

  /** What `sofia profile …` needs of the module: the profiles' pids, stopping and starting one, sofia.conf again. */
  #control(): SofiaControl {
    const sup = () => {
      if (!this.#sup) throw new Error('sofia is not running');
      return this.#sup;
    };
    return {
      pids: () => this.#pids,
      reloadXml: () => this.sw.conf.reload(),
      configs: () => {
        try {
          return this.reread?.() ?? [...this.#configs.values()];
        } catch (e) {
          // a sofia.conf that no longer reads leaves the profiles as they are
          this.sw.core.log('ERR', `sofia: sofia.conf: ${e instanceof Error ? e.message : String(e)}`);
          return [...this.#configs.values()];
        }
      },
      stop: async (where, name) => {
        this.#pids.delete(name);
        // deleted too: a stopped child's spec would come back with its rest_for_one siblings' restart
        await Supervisor.terminateChild(where, sup(), `sofia_profile_${name}`);
        await Supervisor.deleteChild(where, sup(), `sofia_profile_${name}`);
      },
      start: async (where, config) => {
        this.#configs.set(config.name, config);
        const id = `sofia_profile_${config.name}`;
        const again = await Supervisor.restartChild(where, sup(), id);
        if (!again.ok && String(again.error).includes('not_found')) await Supervisor.startChild(where, sup(), this.#profileSpec(config.name));
        return this.#pids.has(config.name);
      },
    };
  }

  async stop(where: Where): Promise<void> {
    this.#removeEndpoint?.();
    if (this.#sup) await Supervisor.stop(where, this.#sup);
    this.#pids.clear();
  }
}

/** A process that owns a socket traps exits, so that a shutdown runs its terminate, which closes it. */
const SOCKET_OWNER = { trapExit: true } as const;

/** The `calls` supervisor's start function: an inbound or an outbound call process. */
function startCall(ctx: ProcessContext, call: CallStart): Promise<Pid> {
  return call.direction === 'inbound'
    ? GenServer.startLink(ctx, InboundCall, call.args, SOCKET_OWNER)
    : GenServer.startLink(ctx, OutboundCall, call.args, SOCKET_OWNER);
}

export async function loadSofia(sw: Switch, where: Where, options: SofiaOptions = {}): Promise<Sofia> {
  const root = sw.conf.current?.root;
  const profiles = options.profiles ?? profilesFromXml(root ? configuration(root, 'sofia.conf') : undefined);
  const reread = options.profiles
    ? undefined
    : () => {
        const now = sw.conf.current?.root;
        return profilesFromXml(now ? configuration(now, 'sofia.conf') : undefined);
      };
  const m = new Sofia(sw, profiles, reread);
  await m.start(where);
  return m;
}
