/**
 * mod_sofia's small API functions over the registrations and gateways: `sofia_count_reg`,
 * `sofia_username_of`, `sofia_presence_data` (sofia_count_reg_function, sofia_username_of_function,
 * sofia_presence_data_function) and
 * `sofia_gateway_data` (sofia_gateway_data_function), with the C's answers for what is missing.
 */
import { GenServer } from '@beamline/core';
import type { ApiCommand, ApiEnv } from '@beamline/switch';
import type { SofiaControl } from './api_profile.ts';
import type { ProfileStatus } from './profile.ts';
import type { Registration } from './registrations.ts';

/** `[profile/]user[@domain]` as both functions split it: the profile is the part before `/`, else the domain. */
interface Target {
  readonly profile: string | undefined;
  readonly user: string;
  readonly domain: string | undefined;
}

function splitTarget(text: string, dropConcat: boolean): Target {
  let profile: string | undefined;
  let rest = text;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    profile = rest.slice(0, slash);
    rest = rest.slice(slash + 1);
  }
  const at = rest.indexOf('@');
  let user = at >= 0 ? rest.slice(0, at) : rest;
  let domain = at >= 0 ? rest.slice(at + 1) : undefined;
  // sofia_count_reg's trailing `/<concat>` is cut off
  if (dropConcat && domain?.includes('/')) domain = domain.slice(0, domain.indexOf('/'));
  if (dropConcat && domain === undefined && user.includes('/')) user = user.slice(0, user.indexOf('/'));
  return { profile: profile ?? domain, user, domain };
}

async function status(env: ApiEnv, control: SofiaControl, name: string): Promise<ProfileStatus | undefined> {
  const pid = control.pids().get(name);
  if (!pid) return undefined;
  try {
    return await GenServer.call<ProfileStatus>(env.ctx, pid, { op: 'status' }, 5000);
  } catch {
    return undefined;
  }
}

/**
 * The profile a target names, and the domain to match: a profile found by the name in front (else
 * by the domain); a domain with no dot is the profile's name.
 */
async function lookup(env: ApiEnv, control: SofiaControl, t: Target): Promise<{ p: ProfileStatus; domain: string } | undefined> {
  if (t.profile === undefined) return undefined;
  let domain = t.domain;
  let p = await status(env, control, t.profile);
  if (!p) {
    domain = undefined;
    if (t.domain !== undefined) p = await status(env, control, t.domain);
  }
  if (!p) return undefined;
  return { p, domain: domain === undefined || !domain.includes('.') ? p.name : domain };
}

/** get_presence_data: the registrations of `user` in realm `domain`, joined to PUBLISHed presence (none is kept: its columns are `unknown`). */
function presenceData(p: ProfileStatus, user: string, domain: string, search: string): string {
  const rows = p.registrations.filter((r) => r.user === user && r.realm === domain);
  const s = search.toLowerCase();
  if (s === 'status' || s === 'rpid') return rows.map(() => 'unknown').join('');
  if (s === 'user_agent') return rows.map((r) => r.userAgent || 'unknown').join('');
  const head = rows.length > 0 ? 'status|rpid|user_agent|network_ip|network_port\n' : '';
  return head + rows.map((r) => `unknown|unknown|${r.userAgent || 'unknown'}|${r.networkIp}|${r.networkPort}\n`).join('');
}

const ofUser = (user: string, domain: string) => (r: Registration) => (user === '' || r.user === user) && r.host === domain;

export function functionCommands(control: SofiaControl): ApiCommand[] {
  return [
    {
      name: 'sofia_count_reg',
      module: 'mod_sofia',
      syntax: '[profile/]<user>@<domain>',
      description: 'Count Sofia registration',
      run: async (args, env) => {
        const text = args.trim();
        if (text === '') return '';
        const found = await lookup(env, control, splitTarget(text, true));
        if (!found) return '-1';
        const t = splitTarget(text, true);
        return String(found.p.registrations.filter(ofUser(t.user, found.domain)).length);
      },
    },
    {
      name: 'sofia_username_of',
      module: 'mod_sofia',
      syntax: '[profile/]<user>@<domain>',
      description: 'Sofia Username Lookup',
      run: async (args, env) => {
        const text = args.trim();
        if (text === '') return '';
        const t = splitTarget(text, false);
        const found = await lookup(env, control, t);
        if (!found || t.user === '') return '';
        return found.p.registrations.find(ofUser(t.user, found.domain))?.username ?? '';
      },
    },
    {
      name: 'sofia_presence_data',
      module: 'mod_sofia',
      syntax: '[list|status|rpid|user_agent] [profile/]<user>@domain',
      description: 'Sofia Presence Data',
      run: async (args, env) => {
        const argv = args.trim().split(/\s+/).filter(Boolean);
        if (argv.length < 2) return '';
        const [search, target] = argv;
        const t = splitTarget(target, true);
        const profileName = target.includes('/') ? target.slice(0, target.indexOf('/')) : undefined;
        const domain = t.domain || env.core.globals.get('domain') || undefined;
        let out = '';
        let p: ProfileStatus | undefined;
        if (profileName === undefined || profileName !== '*' || domain === undefined) {
          if (profileName) p = await status(env, control, profileName);
          if (!p && domain !== undefined) p = await status(env, control, domain);
        }
        if (p) out += presenceData(p, t.user, domain ?? p.name, search);
        else if (domain !== undefined)
          for (const name of [...control.pids().keys()].sort()) {
            const each = await status(env, control, name);
            if (each) out += presenceData(each, t.user, domain, search);
          }
        return search.toLowerCase() === 'list' ? `${out}+OK\n` : out;
      },
    },
    {
      name: 'sofia_gateway_data',
      module: 'mod_sofia',
      syntax: '<gateway_name> [ivar|ovar|var] <name>',
      description: 'Get data from a sofia gateway',
      run: async (args, env) => {
        const argv = args.trim().split(/\s+/).filter(Boolean);
        if (argv.length === 0) return '-ERR Parameter missing\n';
        const [gateway, kind, name] = argv;
        if (kind === undefined || name === undefined) return '';
        for (const pid of control.pids().values()) {
          let value: string | undefined | null = null;
          try {
            value = await GenServer.call<string | undefined | null>(
              env.ctx,
              pid,
              { op: 'gatewayVariable', gateway, kind: kind.toLowerCase(), name },
              5000,
            );
          } catch {
            // a profile restarting
          }
          if (value !== null) return value ?? '';
        }
        return '';
      },
    },
  ];
}
