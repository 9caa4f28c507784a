/**
 * `sofia profile <name> <command> …` (mod_sofia's cmd_profile), with its texts: start, stop,
 * restart, rescan, startgw, killgw, register, unregister, gwlist, flush_inbound_reg, check_sync,
 * siptrace, and the ones that mean nothing here (recover, capture, watchdog) answered as the C does.
 */
import { GenServer, type Where } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { type ApiEnv, switchTrue } from '@beamline/switch';
import type { ProfileConfig } from './config.ts';
import type { ProfileCommand, ProfileCommandResult } from './profile_commands.ts';

/** What the `sofia` commands need of the module (module.ts). */
export interface SofiaControl {
  /** The running profiles' pids by name. */
  readonly pids: () => ReadonlyMap<string, Pid>;
  /** sofia.conf's profiles now (re-read from the current XML when the module loaded it from there). */
  readonly configs: () => readonly ProfileConfig[];
  readonly stop: (where: Where, name: string) => Promise<void>;
  /** Starts (again) the profile with this configuration; whether it runs now. */
  readonly start: (where: Where, config: ProfileConfig) => Promise<boolean>;
  /** switch_xml_reload: `Success` or the error. */
  readonly reloadXml: () => string;
}

/** How long a profile must have run before stop / restart (cmd_profile's rsec). */
const MIN_UP_S = 10;

export async function ask(env: ApiEnv, pid: Pid, c: ProfileCommand): Promise<ProfileCommandResult> {
  try {
    return await GenServer.call<ProfileCommandResult>(env.ctx, pid, c, 5000);
  } catch {
    return { found: false }; // a profile restarting
  }
}

/** sofia_reg_find_gateway looks in every profile: the first that has the gateway answers. */
async function onGateway(env: ApiEnv, control: SofiaControl, c: ProfileCommand): Promise<ProfileCommandResult> {
  for (const pid of control.pids().values()) {
    const r = await ask(env, pid, c);
    if (r.found) return r;
  }
  return { found: false };
}

/** Re-reads sofia.conf (switch_xml_reload's text first, as the C writes it) and adds the gateways of `name` it does not have. */
async function rescan(
  env: ApiEnv,
  control: SofiaControl,
  name: string,
  only?: string,
): Promise<{ config?: ProfileConfig; added: readonly string[] }> {
  const config = control.configs().find((c) => c.name === name);
  const pid = control.pids().get(name);
  if (!config || !pid) return { config, added: [] };
  const gateways = config.gateways.filter((g) => only === undefined || g.name === only);
  const r = await ask(env, pid, { op: 'addGateways', gateways });
  return { config, added: r.found ? (r.added ?? []) : [] };
}

export async function cmdProfile(argv: readonly string[], env: ApiEnv, control: SofiaControl): Promise<string> {
  if (argv.length < 2) return 'Invalid Args!\n';
  const [name, command] = argv;
  const cmd = command.toLowerCase();
  const reload = () => `Reload XML [${control.reloadXml()}]\n`;
  if (cmd === 'start') {
    const head = reload();
    const running = control.pids().has(name);
    if (running) return `${head}${(await rescan(env, control, name)).config ? `${name} started successfully\n` : `Failure starting ${name}\n`}`;
    const config = control.configs().find((c) => c.name === name);
    const ok = config !== undefined && (await control.start(env.ctx, config));
    return `${head}${ok ? `${name} started successfully\n` : `Failure starting ${name}\n`}`;
  }
  if (name.toLowerCase() === 'restart' && cmd === 'all') {
    env.core.log('NOTICE', `Reload XML [${control.reloadXml()}]`);
    const configs = control.configs();
    for (const n of [...control.pids().keys()]) {
      const config = configs.find((c) => c.name === n);
      await control.stop(env.ctx, n);
      if (config) await control.start(env.ctx, config);
    }
    return '';
  }
  const pid = control.pids().get(name);
  if (!pid) return `Invalid Profile [${name}]`;
  const arg = argv[2];
  switch (cmd) {
    case 'killgw': {
      if (arg === undefined) return '-ERR missing gw name\n';
      if (arg.toLowerCase() === '_all_') {
        await ask(env, pid, { op: 'gatewayCommand', command: 'kill', name: arg });
        return '+OK every gateway marked for deletion.\n';
      }
      const r = await onGateway(env, control, { op: 'gatewayCommand', command: 'kill', name: arg });
      return r.found ? '+OK gateway marked for deletion.\n' : '-ERR no such gateway.\n';
    }
    case 'startgw': {
      if (arg === undefined) return '-ERR missing gw name\n';
      const head = reload();
      const { added } = await rescan(env, control, name, arg);
      return `${head}${added.includes(arg) ? `+OK start gateway ${arg} complete\n` : `-ERR cannot add gateway ${arg} for profile ${name}\n`}`;
    }
    case 'rescan': {
      const head = reload();
      const { config } = await rescan(env, control, name);
      return `${head}${config ? '+OK scan complete\n' : `-ERR cannot find config for profile ${name}\n`}`;
    }
    case 'check_sync':
      await ask(env, pid, { op: 'checkSync', match: arg });
      return arg === undefined ? '+OK syncing all registrations\n' : '+OK syncing all registrations matching specified call_id\n';
    case 'flush_inbound_reg': {
      const rebootOnly = arg?.toLowerCase() === 'reboot';
      const match = rebootOnly ? undefined : arg;
      const reboot = rebootOnly || (match !== undefined && argv[3]?.toLowerCase() === 'reboot');
      await ask(env, pid, { op: 'flushReg', match, reboot });
      const verb = reboot ? 'rebooting' : 'flushing';
      return match === undefined ? `+OK ${verb} all registrations\n` : `+OK ${verb} all registrations matching specified call_id\n`;
    }
    case 'recover':
      return arg?.toLowerCase() === 'flush' ? 'Flushing recovery database.\n' : 'No sessions to recover.\n';
    case 'register':
    case 'unregister':
      return gatewayRegistration(env, control, pid, cmd, arg);
    case 'stop':
    case 'restart':
      return stopOrRestart(env, control, pid, name, cmd);
    case 'siptrace':
    case 'capture':
    case 'watchdog': {
      if (arg === undefined) return `Usage: sofia profile <name> ${cmd} <on/off>\n`;
      const on = switchTrue(arg);
      if (cmd === 'siptrace') await ask(env, pid, { op: 'siptrace', on });
      // capture (HEP) and the watchdog have nothing to switch here; the C's texts (watchdog's says "sip debugging")
      const what = cmd === 'capture' ? 'sip capturing' : 'sip debugging';
      return `${on ? 'Enabled' : 'Disabled'} ${what} on ${name}`;
    }
    case 'gwlist': {
      const r = await ask(env, pid, { op: 'gatewayNames', up: arg?.toLowerCase() !== 'down' });
      return (r.found ? (r.names ?? []) : []).map((n) => `${n} `).join('');
    }
    default:
      return '-ERR Unknown command!\n';
  }
}

async function gatewayRegistration(
  env: ApiEnv,
  control: SofiaControl,
  pid: Pid,
  cmd: 'register' | 'unregister',
  name: string | undefined,
): Promise<string> {
  if (!name) return 'No gateway name provided!\n';
  if (name.toLowerCase() === 'all') {
    await ask(env, pid, { op: 'gatewayCommand', command: cmd, name });
    return '+OK\n';
  }
  const r = await onGateway(env, control, { op: 'gatewayCommand', command: cmd, name });
  if (!r.found) return 'Invalid gateway!\n';
  return r.noreg ? `-ERR NOREG gateway [${name}] can't be ${cmd}ed!\n` : '+OK\n';
}

async function stopOrRestart(env: ApiEnv, control: SofiaControl, pid: Pid, name: string, cmd: 'stop' | 'restart'): Promise<string> {
  const r = await ask(env, pid, { op: 'startedAt' });
  const up = Math.floor((Date.now() - (r.found ? (r.startedAtMs ?? 0) : 0)) / 1000);
  if (up < MIN_UP_S) {
    const remain = MIN_UP_S - up;
    return `Profile ${name} must be up for at least ${MIN_UP_S} seconds to stop/restart.\nPlease wait ${remain} second${remain === 1 ? '' : 's'}\n`;
  }
  const head = `Reload XML [${control.reloadXml()}]\n`;
  const config = control.configs().find((c) => c.name === name);
  await control.stop(env.ctx, name);
  if (cmd === 'stop') return `${head}stopping: ${name}`;
  if (config) await control.start(env.ctx, config);
  return `${head}restarting: ${name}`;
}
