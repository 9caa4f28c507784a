/**
 * The `sofia` API command (sofia_function: `sofia help`, `sofia status …`, `sofia xmlstatus …`,
 * `sofia profile <name> …` in api_profile.ts, `sofia global`, `sofia tracelevel`) and
 * `sofia_contact`, `sofia_count_reg`, `sofia_username_of`, `sofia_gateway_data` (api_functions.ts),
 * with mod_sofia's layouts.
 */
import { GenServer } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { type ApiCommand, type ApiEnv, logLevel2Str, logStr2Level, switchTrue } from '@beamline/switch';
import { type SofiaControl, ask, cmdProfile } from './api_profile.ts';
import { functionCommands } from './api_functions.ts';
import { profileStatusText } from './api_status_fields.ts';
import { xmlStatus } from './api_xml.ts';
import type { GatewayFacts } from './gateway.ts';
import { siptraceLevel } from './siptrace.ts';
import type { ProfileStatus } from './profile.ts';
import { type Registration, dialUri, registeredAs } from './registrations.ts';

const LINE = '='.repeat(97);
const pad = (s: string, n: number) => s.padStart(n);

export type ProfilePids = () => ReadonlyMap<string, Pid>;
export type { SofiaControl } from './api_profile.ts';

/** sofia_function's usage_string. */
export const SOFIA_USAGE = `USAGE:
${'-'.repeat(80)}
sofia global siptrace <on|off>
sofia        capture  <on|off>
             watchdog <on|off>

sofia profile <name> [start | stop | restart | rescan] [wait]
                     flush_inbound_reg [<call_id> | <[user]@domain>] [reboot]
                     check_sync [<call_id> | <[user]@domain>]
                     [register | unregister] [<gateway name> | all]
                     killgw <gateway name>
                     [stun-auto-disable | stun-enabled] [true | false]]
                     siptrace <on|off>
                     capture  <on|off>
                     watchdog <on|off>

sofia <status|xmlstatus> profile <name> [reg [<contact str>]] | [pres <pres str>] | [user <user@domain>]
sofia <status|xmlstatus> gateway <name>

sofia loglevel <all|default|tport|iptsec|nea|nta|nth_client|nth_server|nua|soa|sresolv|stun> [0-9]
sofia tracelevel <console|alert|crit|err|warning|notice|info|debug>

sofia help
${'-'.repeat(80)}
`;

async function statuses(env: ApiEnv, profiles: ProfilePids): Promise<ProfileStatus[]> {
  const out: ProfileStatus[] = [];
  for (const pid of profiles().values()) {
    try {
      out.push(await GenServer.call<ProfileStatus>(env.ctx, pid, { op: 'status' }, 5000));
    } catch {
      // a profile restarting is left out, as FreeSWITCH leaves out one that is not RUNNING
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** `sofia status gateway <name>` from the profile that has it. */
async function gatewayDetails(env: ApiEnv, profiles: ProfilePids, name: string): Promise<string | undefined> {
  for (const pid of profiles().values()) {
    try {
      const text = await GenServer.call<string | undefined>(env.ctx, pid, { op: 'gatewayDetails', name, line: LINE }, 5000);
      if (text !== undefined) return text;
    } catch {
      // a profile restarting
    }
  }
  return undefined;
}

function statusTable(list: readonly ProfileStatus[]): string {
  let s = `${pad('Name', 25)}\t${'   Type'}\t  ${pad('Data', 40)}\tState\n${LINE}\n`;
  for (const p of list) {
    if (!p.tlsOnly) s += `${pad(p.name, 25)}\tprofile\t  ${pad(p.url, 40)}\tRUNNING (${p.callsInUse})\n`;
    if (p.tlsUrl) s += `${pad(p.name, 25)}\tprofile\t  ${pad(p.tlsUrl, 40)}\tRUNNING (${p.callsInUse}) (TLS)\n`;
    for (const g of p.gateways) s += `${pad(`${p.name}::${g.name}`, 25)}\tgateway\t  ${pad(g.url, 40)}\t${g.state}\n`;
  }
  const c = list.length;
  return `${s}${LINE}\n${c} profile${c === 1 ? '' : 's'} 0 aliases\n`;
}

/** `sofia status gateway`: every gateway's row, with its ping time and calls, and the totals (inbound calls are 0: none come through a gateway here). */
function gatewaySummary(list: readonly ProfileStatus[]): string {
  let s = `${pad('Profile::Gateway-Name', 25)}\t${pad('    Data    ', 32)}\tState\t${pad('Ping Time', 9)}\tIB Calls(F/T)\tOB Calls(F/T)\n${LINE}\n`;
  let [count, failed, total] = [0, 0, 0];
  for (const p of list)
    for (const g of p.gateways) {
      count++;
      failed += g.failedCallsOut;
      total += g.callsOut;
      s += `${pad(`${p.name}::${g.name}`, 25)}\t${pad(g.url, 32)}\t${g.state}\t${pad(g.pingTime.toFixed(2), 6)}\t0/0\t${g.failedCallsOut}/${g.callsOut}\n`;
    }
  return `${s}${LINE}\n${count} gateway${count === 1 ? '' : 's'}: Inbound(Failed/Total): 0/0,Outbound(Failed/Total):${failed}/${total}\n`;
}

/** cmd_status' `reg [<contact str>]` and `user <user@host>` (a bare host, or `user@`) filters. */
function registrationFilter(what: string, arg: string | undefined): ((r: Registration) => boolean) | undefined {
  if (what === 'reg') return arg === undefined ? () => true : (r) => r.contact.includes(arg);
  if (what === 'pres' && arg !== undefined) return () => false; // no presence hosts are kept
  if (what !== 'user' || arg === undefined) return undefined;
  const at = arg.indexOf('@');
  const user = at >= 0 ? arg.slice(0, at) : '';
  const host = at >= 0 ? arg.slice(at + 1) : arg;
  return (r) => (user === '' || r.user === user) && (host === '' || r.host === host);
}

function registrationsOf(p: ProfileStatus, keep: (r: Registration) => boolean): string {
  let s = `\nRegistrations:\n${LINE}\n`;
  const list = p.registrations.filter(keep);
  for (const r of list) {
    s += `Call-ID:    \t${r.callId}\nUser:       \t${r.user}@${r.host}\nContact:    \t${r.contact}\nAgent:      \t${r.userAgent}\n`;
    s += `Status:     \t${r.status}(unknown) EXP(${new Date(r.expiresAtMs).toISOString()}) EXPSECS(${Math.max(0, Math.round((r.expiresAtMs - Date.now()) / 1000))})\n`;
    const ping = p.pings[r.callId];
    s += `Ping-Status:\t${ping?.status ?? 'Reachable'}\nPing-Time:\t${(ping?.timeMs ?? 0).toFixed(2)}\nHost:       \t${p.name}\nIP:         \t${r.networkIp}\nPort:       \t${r.networkPort}\nAuth-User:  \t${r.username}\nAuth-Realm: \t${r.realm}\nMWI-Account:\t${r.user}@${r.host}\n\n`;
  }
  return `${s}Total items returned: ${list.length}\n${LINE}\n`;
}

/** The gateways' xmlstatus values: all of them (by profile), or the one named. */
async function gatewayFacts(env: ApiEnv, profiles: ProfilePids, name?: string): Promise<GatewayFacts[]> {
  const out: GatewayFacts[] = [];
  for (const [, pid] of [...profiles()].sort(([a], [b]) => a.localeCompare(b))) {
    try {
      out.push(...(await GenServer.call<GatewayFacts[]>(env.ctx, pid, { op: 'gatewayFacts', name }, 5000)));
    } catch {
      // a profile restarting
    }
    if (name !== undefined && out.length > 0) break;
  }
  return out;
}

/** `sofia tracelevel [<level>]`: the level siptrace logs at. */
function tracelevel(level: string | undefined): string {
  if (level !== undefined) siptraceLevel.value = logStr2Level(level);
  return `+OK tracelevel is ${logLevel2Str(siptraceLevel.value)}`;
}

/** mod_sofia_globals.debug_presence / debug_sla: kept for `global debug`'s summary (nothing here logs more for them). */
const globalDebug = { presence: false, sla: false };

/** `sofia global siptrace|capture|watchdog|standby <on|off>` and `global debug …`. */
async function globalCommand(argv: readonly string[], env: ApiEnv, control: SofiaControl): Promise<string> {
  const what = argv[0]?.toLowerCase();
  if (what === 'debug') {
    const kinds = argv[1] ?? '';
    let s = '';
    if (kinds.includes('presence')) {
      globalDebug.presence = true;
      s += '+OK Debugging presence\n';
    }
    if (kinds.includes('sla')) {
      globalDebug.sla = true;
      s += '+OK Debugging sla\n';
    }
    if (kinds.includes('none')) {
      s += '+OK Debugging nothing\n';
      globalDebug.presence = globalDebug.sla = false;
    }
    return `${s}+OK Debugging summary: presence: ${globalDebug.presence ? 'on' : 'off'} sla: ${globalDebug.sla ? 'on' : 'off'}\n`;
  }
  if (argv.length > 1 && (what === 'siptrace' || what === 'capture' || what === 'watchdog' || what === 'standby')) {
    const on = switchTrue(argv[1]);
    if (what === 'siptrace') for (const pid of control.pids().values()) await ask(env, pid, { op: 'siptrace', on });
    return `+OK Global ${what} ${on ? 'on' : 'off'}`;
  }
  return '-ERR Usage: siptrace <on|off>|capture <on|off>|watchdog <on|off>|debug <sla|presence|none';
}

/** `sofia recover [flush]`: no call survives a restart here, so none is recovered (and the C's event says 0). */
function recover(argv: readonly string[], env: ApiEnv): string {
  if (argv[0]?.toLowerCase() === 'flush') return 'Flushing recovery database.\n';
  const e = env.core.bus.create('CUSTOM', 'sofia::recovery_recovered');
  e.addHeader('recovered_calls', '0');
  env.core.fire(e);
  return 'No calls to recover.\n';
}

/** cmd_status. */
async function cmdStatus(argv: readonly string[], env: ApiEnv, profiles: ProfilePids): Promise<string> {
  if (argv.length > 1 && argv[0].toLowerCase() === 'gateway') return (await gatewayDetails(env, profiles, argv[1])) ?? 'Invalid Gateway!\n';
  const list = await statuses(env, profiles);
  if (argv.length === 0) return statusTable(list);
  if (argv.length === 1) return gatewaySummary(list);
  if (argv[0].toLowerCase() !== 'profile') return 'Invalid Syntax!\n';
  const p = list.find((x) => x.name === argv[1]);
  if (!p) return 'Invalid Profile!\n';
  const what = argv[2]?.toLowerCase();
  const head = what === 'reg' || what === 'user' ? '' : `${LINE}\n${profileStatusText(p)}`;
  const keep = what === undefined ? undefined : registrationFilter(what, argv[3]);
  if (keep) return `${head}${registrationsOf(p, keep)}`;
  return head; // nothing closes the fields: cmd_status writes its line again only after registrations
}

export function sofiaCommands(control: SofiaControl): ApiCommand[] {
  const profiles = control.pids;
  return [
    {
      name: 'sofia',
      module: 'mod_sofia',
      syntax: '<cmd> <args>',
      description: 'Sofia Controls',
      run: async (args, env) => {
        const argv = args.trim().split(/\s+/).filter(Boolean);
        if (argv.length === 0) return SOFIA_USAGE;
        const rest = argv.slice(1);
        switch (argv[0].toLowerCase()) {
          case 'profile':
            return cmdProfile(rest, env, control);
          case 'status':
            return cmdStatus(rest, env, profiles);
          case 'xmlstatus':
            return xmlStatus(rest, await statuses(env, profiles), (name) => gatewayFacts(env, profiles, name), registrationFilter);
          case 'help':
            return SOFIA_USAGE;
          case 'tracelevel':
            return tracelevel(rest[0]);
          case 'loglevel':
            return SOFIA_USAGE; // sofia-sip's own log levels are not kept here
          case 'global':
            return globalCommand(rest, env, control);
          case 'recover':
            return recover(rest, env);
          default:
            return `Unknown Command [${argv[0]}]\n`;
        }
      },
    },
    {
      name: 'sofia_contact',
      module: 'mod_sofia',
      syntax: '[profile/]<user>@<domain>',
      description: 'Sofia Contacts',
      run: async (args, env) => {
        let target = args.trim();
        if (target === '') return '';
        let named: string | undefined;
        const slash = target.indexOf('/');
        if (slash >= 0) {
          named = target.slice(0, slash);
          target = target.slice(slash + 1);
        }
        const at = target.indexOf('@');
        const user = at < 0 ? target : target.slice(0, at);
        // sofia_contact_function: no domain is switch_core_get_domain's
        const domain = (at < 0 ? '' : target.slice(at + 1)) || (env.core.globals.get('domain') ?? 'freeswitch.local');
        // the named profile (not `*`), else one named as the domain, else every profile
        const all = await statuses(env, profiles);
        const one = (named !== undefined && named !== '*' ? all.find((p) => p.name === named) : undefined) ?? all.find((p) => p.name === domain);
        const found: string[] = [];
        for (const p of one ? [one] : all) {
          for (const r of p.registrations) if (registeredAs(r, user, domain)) found.push(`sofia/${p.name}/${dialUri(r)}`);
        }
        return found.length > 0 ? found.join(',') : 'error/user_not_registered';
      },
    },
    ...functionCommands(control),
  ];
}
