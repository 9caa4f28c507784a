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

export function banner(node: BeamNode, s: Settings): string {
  const t = node.transport;
  const epmdPort = t instanceof DistTransport ? t.epmdPort : s.epmdPort;
  const epmdMode = t instanceof DistTransport ? t.epmdMode : 'external';
  const epmd = epmdMode === 'embedded' ? `embedded EPMD on port ${epmdPort} (no epmd was running)` : `system epmd on port ${epmdPort}`;
  const beamctlEnv = epmdPort !== undefined && epmdPort !== 4369 ? `ERL_EPMD_PORT=${epmdPort} ` : '';
  return [
    `switchd is up: ${node.name} (FreeSWITCH ${VERSION.full} API)`,
    `  node     ${node.name} (hidden node, as mod_erlang_event; name from ${s.nodeNameSource})`,
    `  cookie   ${node.cookie} (from ${s.cookieSource})`,
    `  listen   ${s.erlangEvent.listenIp}:${node.port} (distribution)`,
    `  epmd     ${epmd}`,
    ...s.sofia.map(
      (p) =>
        `  sip      udp ${p.sipIp}:${p.sipPort === 0 ? '<a free port: see the profile NOTICE below>' : p.sipPort} (sofia profile ${p.name}; phones register as <user>@${p.sipIp})`,
    ),
    `  conf     ${s.confDir}`,
    `  log      console at ${['CONSOLE', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'][s.logLevel]}`,
    `  connect  ${erlCommand(node, epmdPort)}`,
    `  inspect  ${beamctlEnv}pnpm beamctl --node ${node.name} --cookie '${node.cookie}' tree`,
    `Ctrl-C (SIGINT) or SIGTERM to pid ${process.pid} stops it (under pnpm, signal that pid: pnpm does not pass SIGTERM on).`,
    '',
  ].join('\n');
}
