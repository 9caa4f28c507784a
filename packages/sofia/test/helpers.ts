/** A switch on the real clock with sofia loaded on a free port of 127.0.0.1, and an event recorder. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenServer, Runtime } from '@beamline/core';
import { type Switch, type SwitchEvent, startSwitch } from '@beamline/switch';
import { freeUdpPort } from '../../../tools/sipp/sipp.ts';
import { type GatewayConfig, PROFILE_DEFAULTS, type ProfileConfig } from '../src/config.ts';
import { type Sofia, loadSofia } from '../src/module.ts';
import type { ProfileStatus } from '../src/profile.ts';

export const CONF = join(fileURLToPath(new URL('.', import.meta.url)), 'conf');

export interface Rig {
  readonly rt: Runtime;
  readonly sw: Switch;
  readonly sofia: Sofia;
  readonly port: number;
  readonly events: SwitchEvent[];
  readonly logs: string[];
  /** Resolves with the first recorded event that matches (waiting up to `ms`). */
  waitFor(match: (e: SwitchEvent) => boolean, ms?: number): Promise<SwitchEvent>;
  stop(): Promise<void>;
}

export async function startRig(profile: Partial<ProfileConfig> = {}): Promise<Rig> {
  const rt = new Runtime({ logger: null });
  const logs: string[] = [];
  const sw = await startSwitch(rt, { confDir: CONF, log: (l) => logs.push(`${l.level} ${l.text}`) });
  const events: SwitchEvent[] = [];
  const waiters: { match: (e: SwitchEvent) => boolean; resolve: (e: SwitchEvent) => void }[] = [];
  sw.events.subscribe({
    handler: (e) => {
      events.push(e);
      for (const w of [...waiters])
        if (w.match(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
    },
  });
  const port = await freeUdpPort();
  const sofia = await loadSofia(sw, rt, { profiles: [{ ...PROFILE_DEFAULTS, name: 'internal', sipPort: port, ...profile }] });
  return {
    rt,
    sw,
    sofia,
    port,
    events,
    logs,
    waitFor(match, ms = 10_000) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { match, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`no matching event in ${ms} ms`));
          }
        }, ms);
      });
    },
    async stop() {
      await sofia.stop(rt);
      await sw.stop();
    },
  };
}

/** A gateway `name` at 127.0.0.1:`port`, user bob / secret in realm sipp.test, registering every 60 s, no pings. */
export function gatewayConfig(name: string, port: number, o: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    name,
    username: 'bob',
    authUsername: 'bob',
    password: 'secret',
    realm: 'sipp.test',
    proxy: `127.0.0.1:${port}`,
    registerProxy: undefined,
    fromUser: 'bob',
    fromDomain: 'sipp.test',
    register: true,
    expireSeconds: 60,
    retrySeconds: 30,
    callerIdInFrom: false,
    ping: 0,
    pingMin: 1,
    pingMax: 1,
    pingMonitoring: false,
    registerTransport: 'udp',
    ...o,
  };
}

/** The TCP connections the rig's `internal` profile holds now. */
export async function tcpConnections(rig: Rig): Promise<number> {
  const profile = rig.sofia.profilePids().get('internal');
  if (!profile) throw new Error('no internal profile');
  return (await GenServer.call<ProfileStatus>(rig.rt, profile, { op: 'status' })).tcpConnections;
}

/** Polls `get` every 20 ms until it gives a value; fails naming `what` after `ms`. */
export async function until<T>(what: string, get: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
