/** The start-up banner: where the node is, how it was configured, and how to reach it. */
import { DistTransport, type BeamNode } from '@beamline/distribution';
import { VERSION } from '@beamline/switch';
import type { Settings } from './settings.ts';

/** `erl -sname` for a host without dots, `-name` otherwise (the peer must use the same kind). */
export function erlNameFlag(nodeName: string): '-sname' | '-name' {
  return (nodeName.split('@')[1] ?? '').includes('.') ? '-name' : '-sname';
}

/** The one line that starts an erl shell already connected to the node. */
export function erlCommand(node: BeamNode, epmdPort: number | undefined): string {
  const env = epmdPort !== undefined && epmdPort !== 4369 ? `ERL_EPMD_PORT=${epmdPort} ` : '';
  const host = node.name.split('@')[1] ?? 'localhost';
  const me = erlNameFlag(node.name) === '-sname' ? 'debug' : `debug@${host}`;
  return `${env}erl ${erlNameFlag(node.name)} ${me} -setcookie '${node.cookie}' -eval "pong = net_adm:ping('${node.name}')."`;
}

/** One sofia profile as the banner shows it: what it actually listens on (empty: it did not start). */
export interface SipListening {
  readonly name: string;
  readonly sipIp: string;
  readonly sipPort: number;
  /** `udp+tcp 127.0.0.1:5060`, `tls 127.0.0.1:5061`. */
  readonly listening: readonly string[];
}

/** `sip:mod_sofia@127.0.0.1:5060;transport=udp,tcp` → `udp+tcp 127.0.0.1:5060`. */
function listenText(bindUrl: string, fallbackTransport: string): string | undefined {
  const m = /^sips?:[^@]*@([^;]+)(?:;(.*))?$/.exec(bindUrl.trim());
  if (!m) return undefined;
  const transport = /(?:^|;)transport=([^;]+)/.exec(m[2] ?? '')?.[1];
  return `${transport ? transport.split(',').join('+') : fallbackTransport} ${m[1]}`;
}

/**
 * What each profile listens on, asked of the running switch (`sofia status profile <name>`, its
 * BIND-URL and TLS-BIND-URL lines): a profile that could not bind its port has none.
 */
export async function sipListening(api: (line: string) => Promise<string>, profiles: Settings['sofia']): Promise<SipListening[]> {
  const out: SipListening[] = [];
  for (const p of profiles) {
    let status = '';
    try {
      status = await api(`sofia status profile ${p.name}`);
    } catch {
      /* no answer: shown as not listening */
    }
    const listening: string[] = [];
    for (const [, key, url] of status.matchAll(/^(BIND-URL|TLS-BIND-URL)\s+(\S+)/gm)) {
      const l = listenText(url!, key === 'TLS-BIND-URL' ? 'tls' : 'udp+tcp');
      if (l) listening.push(l);
    }
    out.push({ name: p.name, sipIp: p.sipIp, sipPort: p.sipPort, listening });
  }
  return out;
}

function sipLines(sip: readonly SipListening[]): string[] {
  return sip.map((p) =>
    p.listening.length > 0
      ? `  sip      ${p.listening.join(', ')} (sofia profile ${p.name}; phones register as <user>@${p.sipIp})`
      : `  sip      NOT LISTENING: sofia profile ${p.name} did not start on ${p.sipIp}:${p.sipPort === 0 ? '<any>' : p.sipPort} (its ERR line below says why; a port taken: \`ss -lunp 'sport = :${p.sipPort}'\` shows which program)`,
  );
}

/** pnpm as the user ran it: `pnpm start` names pnpm in npm_execpath; through npx (or tools/start.sh) pnpm is on no PATH of theirs. */
function pnpmCommand(): string {
  const execPath = process.env.npm_execpath ?? '';
  return execPath.includes('pnpm') && !execPath.includes('/_npx/') ? 'pnpm' : 'npx -y pnpm@12.4.2';
}

export function banner(node: BeamNode, s: Settings, sip: readonly SipListening[] = []): string {
  const t = node.transport;
  const epmdPort = t instanceof DistTransport ? t.epmdPort : s.epmdPort;
  const epmdMode = t instanceof DistTransport ? t.epmdMode : 'external';
  const epmd =
    epmdMode === 'embedded'
      ? `embedded EPMD on port ${epmdPort}, ${t instanceof DistTransport && t.embeddedEpmdHost === '127.0.0.1' ? 'loopback' : 'all interfaces'} (no epmd was running; other nodes on this host may register with it)`
      : `the EPMD already running on port ${epmdPort} (a system epmd or another switchd's embedded one: if it stops, this node embeds its own and registers again)`;
  const beamctlEnv = epmdPort !== undefined && epmdPort !== 4369 ? `ERL_EPMD_PORT=${epmdPort} ` : '';
  return [
    `switchd is up: ${node.name} (FreeSWITCH ${VERSION.full} API)`,
    `  node     ${node.name} (hidden node, as mod_erlang_event; name from ${s.nodeNameSource})`,
    `  cookie   ${node.cookie} (from ${s.cookieSource})`,
    `  listen   ${s.erlangEvent.listenIp}:${node.port} (distribution)`,
    `  epmd     ${epmd}`,
    ...sipLines(sip),
    `  conf     ${s.confDir}`,
    `  log      console at ${['CONSOLE', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'][s.logLevel]}`,
    `  connect  ${erlCommand(node, epmdPort)}`,
    `  inspect  ${beamctlEnv}${pnpmCommand()} beamctl --node ${node.name} --cookie '${node.cookie}' tree`,
    `Ctrl-C (SIGINT) or SIGTERM to pid ${process.pid} stops it (under pnpm, signal that pid: pnpm does not pass SIGTERM on).`,
    '',
  ].join('\n');
}
