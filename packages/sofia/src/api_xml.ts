/**
 * `sofia xmlstatus …` (mod_sofia's cmd_xml_status, xml_gateway_status, show_reg_callback_xml): the
 * profiles and gateways, one profile (with its registrations for `reg` / `user`), the gateways,
 * one gateway, in the C's XML layout.
 */
import { urlEncode } from '@beamline/switch';
import { profileInfoXml } from './api_status_fields.ts';
import type { GatewayFacts } from './gateway.ts';
import type { ProfileStatus } from './profile.ts';
import type { Registration } from './registrations.ts';

const HEADER = '<?xml version="1.0" encoding="ISO-8859-1"?>';

/** switch_amp_encode. */
export const ampEncode = (s: string) =>
  s.replace(/[&"'<>]/g, (c) => ({ '&': '&amp;', '"': '&quot;', "'": '&apos;', '<': '&lt;', '>': '&gt;' })[c] ?? c);

/** `%Y-%m-%d %T` in local time. */
function localStamp(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export function gatewayXml(g: GatewayFacts): string {
  const encoded = new Set(['from', 'contact', 'exten']);
  const rows = Object.entries(g).map(([k, v]) => `    <${k}>${encoded.has(k) ? ampEncode(v) : v}</${k}>\n`);
  return `  <gateway>\n${rows.join('')}  </gateway>\n`;
}

function registrationXml(p: ProfileStatus, r: Registration): string {
  const ping = p.pings[r.callId];
  const expS = Math.floor(r.expiresAtMs / 1000);
  return (
    '    <registration>\n' +
    `        <call-id>${r.callId}</call-id>\n` +
    `        <user>${r.user}@${r.host}</user>\n` +
    `        <contact>${ampEncode(r.contact)}</contact>\n` +
    `        <agent>${ampEncode(r.userAgent)}</agent>\n` +
    `        <status>${r.status}(unknown) exp(${localStamp(expS * 1000)}) expsecs(${expS - Math.floor(Date.now() / 1000)})</status>\n` +
    `        <ping-status>${ping?.status ?? 'Reachable'}</ping-status>\n` +
    `        <ping-time>${(ping?.timeMs ?? 0).toFixed(2)}</ping-time>\n` +
    `        <host>${p.name}</host>\n` +
    `        <network-ip>${r.networkIp}</network-ip>\n` +
    `        <network-port>${r.networkPort}</network-port>\n` +
    `        <sip-auth-user>${urlEncode(r.username)}</sip-auth-user>\n` +
    `        <sip-auth-realm>${r.realm}</sip-auth-realm>\n` +
    `        <mwi-account>${r.user}@${r.host}</mwi-account>\n` +
    '    </registration>\n'
  );
}

/** The top-level `<profiles>` list: each profile (its TLS one), each gateway with the C's retry text after it. */
function profilesXml(list: readonly ProfileStatus[]): string {
  const entry = (kind: string, name: string, data: string, state: string) =>
    `<${kind}>\n<name>${name}</name>\n<type>${kind}</type>\n<data>${data}</data>\n<state>${state}</state>\n</${kind}>\n`;
  let s = `${HEADER}\n<profiles>\n`;
  for (const p of list) {
    if (!p.tlsOnly) s += entry('profile', p.name, p.url, `RUNNING (${p.callsInUse})`);
    if (p.tlsUrl) s += entry('profile', p.name, p.tlsUrl, `RUNNING (${p.callsInUse}) (TLS)`);
    for (const g of p.gateways) {
      const space = g.state.indexOf(' ');
      const state = space < 0 ? g.state : g.state.slice(0, space);
      s += `${entry('gateway', g.name, g.url, state)}${space < 0 ? '' : g.state.slice(space)}\n`;
    }
  }
  return `${s}</profiles>\n`;
}

export async function xmlStatus(
  argv: readonly string[],
  list: readonly ProfileStatus[],
  gateways: (name?: string) => Promise<GatewayFacts[]>,
  keepOf: (what: string, arg: string | undefined) => ((r: Registration) => boolean) | undefined,
): Promise<string> {
  if (argv.length === 0) return profilesXml(list);
  if (argv.length === 1) return `${HEADER}\n<gateways>\n${(await gateways()).map(gatewayXml).join('')}</gateways>\n`;
  const what = argv[0].toLowerCase();
  if (what === 'gateway') {
    const [g] = await gateways(argv[1]);
    return g ? `${HEADER}\n${gatewayXml(g)}` : 'Invalid Gateway!\n';
  }
  if (what !== 'profile') return 'Invalid Syntax!\n';
  const p = list.find((x) => x.name === argv[1]);
  if (!p) return 'Invalid Profile!\n';
  const sub = argv[2]?.toLowerCase();
  let s = `${HEADER}\n<profile>\n`;
  if (sub !== 'reg' && sub !== 'user') s += profileInfoXml(p);
  const keep = sub === undefined ? undefined : keepOf(sub, argv[3]);
  if (keep)
    s += `  <registrations>\n${p.registrations
      .filter(keep)
      .map((r) => registrationXml(p, r))
      .join('')}  </registrations>\n`;
  return `${s}</profile>\n`;
}
