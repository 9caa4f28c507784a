/**
 * The `sofia` API command (`sofia status`, `sofia status profile <name> reg`) and `sofia_contact`,
 * with mod_sofia's layouts (cmd_status, sofia_contact_function).
 */
import { GenServer } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import type { ApiCommand, ApiEnv } from '@beamline/switch';
import type { ProfileStatus } from './profile.ts';
import { dialUri, registeredAs } from './registrations.ts';

const LINE = '='.repeat(97);
const pad = (s: string, n: number) => s.padStart(n);

export type ProfilePids = () => ReadonlyMap<string, Pid>;

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

/** cmd_status' URL lines: URL and BIND-URL unless `tls-only`, TLS-URL and TLS-BIND-URL with TLS. */
function urlLines(p: ProfileStatus): string {
  const plain = p.tlsOnly ? '' : `URL              \t${p.url}\nBIND-URL         \t${p.bindUrl}\n`;
  return p.tlsUrl ? `${plain}TLS-URL          \t${p.tlsUrl}\nTLS-BIND-URL     \t${p.tlsBindUrl}\n` : plain;
}

function registrationsOf(p: ProfileStatus): string {
  let s = `\nRegistrations:\n${LINE}\n`;
  for (const r of p.registrations) {
    s += `Call-ID:    \t${r.callId}\nUser:       \t${r.user}@${r.host}\nContact:    \t${r.contact}\nAgent:      \t${r.userAgent}\n`;
    s += `Status:     \t${r.status}(unknown) EXP(${new Date(r.expiresAtMs).toISOString()}) EXPSECS(${Math.max(0, Math.round((r.expiresAtMs - Date.now()) / 1000))})\n`;
    s += `Ping-Status:\tReachable\nPing-Time:\t0.00\nHost:       \t${p.name}\nIP:         \t${r.networkIp}\nPort:       \t${r.networkPort}\nAuth-User:  \t${r.username}\nAuth-Realm: \t${r.realm}\nMWI-Account:\t${r.user}@${r.host}\n\n`;
  }
  return `${s}Total items returned: ${p.registrations.length}\n${LINE}\n`;
}

export function sofiaCommands(profiles: ProfilePids): ApiCommand[] {
  return [
    {
      name: 'sofia',
      module: 'mod_sofia',
      syntax: 'status | status profile <name> [reg] | status gateway [<name>]',
      description: 'Sofia Controls',
      run: async (args, env) => {
        const argv = args.trim().split(/\s+/).filter(Boolean);
        if (argv.length === 0 || argv[0] !== 'status') return `-ERR Usage: sofia status | status profile <name> [reg] | status gateway <name>\n`;
        if (argv[1] === 'gateway' && argv.length > 2) return (await gatewayDetails(env, profiles, argv[2])) ?? 'Invalid Gateway!\n';
        const list = await statuses(env, profiles);
        if (argv[1] === 'gateway') return gatewaySummary(list);
        if (argv.length === 1) return statusTable(list);
        if (argv[1] !== 'profile' || argv.length < 3) return 'Invalid Syntax!\n';
        const p = list.find((x) => x.name === argv[2]);
        if (!p) return 'Invalid Profile!\n';
        if (argv[3] === 'reg') return registrationsOf(p);
        return `${LINE}\nName             \t${p.name}\nDomain Name      \tN/A\n${urlLines(p)}CALLS-IN         \t${p.callsInUse}\n${LINE}\n`;
      },
    },
    {
      name: 'sofia_contact',
      module: 'mod_sofia',
      syntax: '[profile/]<user>@<domain>',
      description: 'Sofia Contacts',
      run: async (args, env) => {
        let target = args.trim();
        let only: string | undefined;
        const slash = target.indexOf('/');
        if (slash >= 0) {
          only = target.slice(0, slash);
          target = target.slice(slash + 1);
        }
        const at = target.indexOf('@');
        if (at <= 0) return 'error/user_not_registered';
        const user = target.slice(0, at);
        const domain = target.slice(at + 1);
        const found: string[] = [];
        for (const p of await statuses(env, profiles)) {
          if (only !== undefined && only !== p.name) continue;
          for (const r of p.registrations) if (registeredAs(r, user, domain)) found.push(`sofia/${p.name}/${dialUri(r)}`);
        }
        return found.length > 0 ? found.join(',') : 'error/user_not_registered';
      },
    },
  ];
}
