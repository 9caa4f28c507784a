/**
 * mod_sofia's load: a `sofia` supervisor with `calls` (every call's process, temporary) and one
 * SofiaProfile process per profile, the `sofia` and `sofia_contact` API commands, and the `sofia` endpoint
 * (`sofia/<profile>/<user>@<host>[:port]`). A profile that cannot bind its port logs the error and
 * is not started; the switch goes on without it, as FreeSWITCH does.
 */
import { type ChildSpec, GenServer, type ProcessContext, Supervisor, type Where } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { type Switch, configuration } from '@beamline/switch';
import { sofiaCommands } from './api.ts';
import { type ProfileConfig, profilesFromXml } from './config.ts';
import { sofiaEndpointInterface } from './endpoint.ts';
import { InboundCall } from './inbound_call.ts';
import { OutboundCall } from './outbound_call.ts';
import { type CallStart, SofiaProfile } from './profile.ts';

export interface SofiaOptions {
  /** The profiles; default: sofia.conf of the switch's conf/ (none when it has no sofia.conf). */
  readonly profiles?: readonly ProfileConfig[];
}

export class Sofia {
  readonly #pids = new Map<string, Pid>();
  #sup: Pid | undefined;
  #removeEndpoint: (() => void) | undefined;

  constructor(
    readonly sw: Switch,
    readonly profiles: readonly ProfileConfig[],
  ) {}

  get supervisor(): Pid | undefined {
    return this.#sup;
  }

  /** The running profiles' pids by name. */
  profilePids(): ReadonlyMap<string, Pid> {
    return this.#pids;
  }

  async start(where: Where): Promise<Pid> {
    let calls: Pid | undefined;
    const callsSpec: ChildSpec = {
      id: 'calls',
      type: 'supervisor',
      start: async (ctx: ProcessContext) => {
        calls = await Supervisor.start(ctx, {
          strategy: 'simple_one_for_one',
          intensity: 1000,
          period: 1,
          children: [{ id: 'call', restart: 'temporary', shutdown: 2000, start: startCall }],
        });
        return calls;
      },
    };
    const profiles: ChildSpec[] = this.profiles.map((config) => ({
      id: `sofia_profile_${config.name}`,
      start: async (ctx: ProcessContext) => {
        try {
          const pid = await GenServer.startLink(ctx, SofiaProfile, { sw: this.sw, config, calls: () => calls }, SOCKET_OWNER);
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
    }));
    // rest_for_one: the profiles route to calls under `calls`, so a new `calls` restarts them
    this.#sup = await Supervisor.start(
      where,
      { strategy: 'rest_for_one', intensity: 5, period: 10, children: [callsSpec, ...profiles] },
      { name: 'sofia' },
    );
    this.sw.registry.add(...sofiaCommands(() => this.#pids));
    this.#removeEndpoint = this.sw.addEndpoint(
      'sofia',
      sofiaEndpointInterface(
        () => this.#pids,
        (text) => this.sw.core.log('ERR', text),
      ),
    );
    return this.#sup;
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
  const m = new Sofia(sw, profiles);
  await m.start(where);
  return m;
}
