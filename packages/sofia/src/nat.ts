/**
 * mod_sofia's NAT detection and what it changes: whether a REGISTER or an INVITE came through a
 * NAT (sofia_reg_handle_sip_i_register, sofia_handle_sip_i_invite), and the Contact a NAT'd
 * registration is stored with (`fs_nat=yes`, and `fs_path` naming where its packets came from,
 * which is where calls to it go).
 */
import { type Switch, aclCheck, cidrNode } from '@beamline/switch';
import type { ProfileConfig } from './config.ts';
import { parseVia } from './sip/address.ts';
import { type SipRequest, header } from './sip/message.ts';
import type { Address } from './transport.ts';

/**
 * switch_check_network_list_ip: `list` is an ACL list's name, else a CIDR; a name the switch does
 * not know and that is no CIDR matches nothing.
 */
export function inNetworkList(sw: Switch, list: string, ip: string): boolean {
  if (sw.conf.acl(list)) return sw.conf.aclAllows(list, ip);
  const node = cidrNode(list, true);
  return node !== undefined && aclCheck({ name: list, defaultAllow: false, nodes: [node] }, ip);
}

/** The top Via's word on NAT: `via received`, `via host`, `via port`, or undefined. */
function viaNat(req: SipRequest, source: Address, register: boolean): string | undefined {
  let via: ReturnType<typeof parseVia>;
  try {
    via = parseVia(header(req, 'via') ?? '');
  } catch {
    return undefined;
  }
  const host = via.host.replace(/^\[|\]$/g, '');
  // the stack adds `received` to a Via whose sent-by is not the source (RFC 3261 §18.2.1), so a
  // Via that names another host says `via received` whether or not the phone wrote it
  if (via.params.has('received') || host !== source.address) return 'via received';
  if (via.port !== undefined && via.port !== source.port) return 'via port';
  // REGISTER alone: a phone claiming 5060 while its packets come from elsewhere
  if (register && via.port === 5060 && source.port !== 5060) return 'via port';
  return undefined;
}

/** The host a Contact value names, or undefined. */
function contactHost(req: SipRequest): string | undefined {
  const c = header(req, 'contact');
  const m = c && /sips?:(?:[^@>;]*@)?(\[[^\]]+\]|[^:;>\s]+)/i.exec(c);
  return m ? m[1].replace(/^\[|\]$/g, '') : undefined;
}

/**
 * Why a REGISTER counts as NAT'd (sofia_reg_handle_sip_i_register), or undefined: with
 * `aggressive-nat-detection`, its top Via against where it came from; else, with `apply-nat-acl`,
 * a Contact host inside every such list (the reason is the last list's name). A source inside
 * `local-network-acl` is never NAT'd.
 */
export function registerNat(sw: Switch, c: ProfileConfig, req: SipRequest, source: Address): string | undefined {
  let why = c.aggressiveNatDetection ? viaNat(req, source, true) : undefined;
  if (!why && c.natAcls.length > 0) {
    const host = contactHost(req);
    if (host && c.natAcls.every((acl) => inNetworkList(sw, acl, host))) why = c.natAcls.at(-1);
  }
  if (why && c.localNetworkAcl !== undefined && inNetworkList(sw, c.localNetworkAcl, source.address)) return undefined;
  return why;
}

/**
 * Why an INVITE counts as NAT'd (sofia_handle_sip_i_invite), or undefined: its top Via with
 * `aggressive-nat-detection` (or a Poly / KIRK phone over UDP from outside `local-network-acl`
 * with `NDLB-force-rport`); else, with `apply-nat-acl`, a Via (else Contact) host in one of the
 * lists while the source is in none of them — a private address seen from a public one.
 */
export function inviteNat(sw: Switch, c: ProfileConfig, req: SipRequest, source: Address): string | undefined {
  const local = c.localNetworkAcl !== undefined && inNetworkList(sw, c.localNetworkAcl, source.address);
  const ua = header(req, 'user-agent') ?? '';
  const rportPhone = source.transport === 'udp' && !local && c.serverRportLevel >= 2 && /^(Poly|KIRK Wireless Server)/i.test(ua);
  let why = c.aggressiveNatDetection || rportPhone ? viaNat(req, source, false) : undefined;
  if (!why && c.natAcls.length > 0) {
    let host: string | undefined;
    try {
      host = parseVia(header(req, 'via') ?? '').host.replace(/^\[|\]$/g, '');
    } catch {
      host = contactHost(req);
    }
    const listed = host === undefined ? undefined : c.natAcls.find((acl) => inNetworkList(sw, acl, host));
    if (listed && !c.natAcls.some((acl) => inNetworkList(sw, acl, source.address))) why = listed;
  }
  return why;
}

/**
 * sofia_reg_handle_register's rewrite of a NAT'd Contact URI: the URI as the phone wrote it, then
 * `;received=<ip>:<port>` (with `NDLB-received-in-nat-reg-contact`), `;fs_nat=yes`, and
 * `;fs_path=` the URL-encoded `<scheme>:<user>@<source ip>:<source port>[;<its params>]`.
 */
export function natContactUri(uri: string, source: Address, receivedInContact: boolean): string {
  const m = /^(sips?):(?:([^@;]*)@)?([^;]*)(?:;(.*))?$/i.exec(uri);
  if (!m) return uri;
  const [, scheme, user, hostPort, params] = m;
  const ip = source.address.includes(':') ? `[${source.address}]` : source.address;
  const path = `${scheme.toLowerCase()}:${user ?? ''}@${ip}:${source.port}${params ? `;${params}` : ''}`;
  const received = receivedInContact ? `;received=${ip}:${source.port}` : '';
  return `${scheme.toLowerCase()}:${user === undefined ? '' : `${user}@`}${hostPort}${params ? `;${params}` : ''}${received};fs_nat=yes;fs_path=${encodeURIComponent(path)}`;
}
