/**
 * IP access lists (acl.conf `<network-lists>`, switch_core.c's network lists, switch_utils.c's
 * check): each list has a default (allow/deny) and nodes (`cidr=` or `host=` + `mask=`, `type=`
 * allow/deny). An address is decided by the most specific matching node (the largest prefix; of
 * equal prefixes the later node), else by the list's default. IPv4 only for now (the Erlang
 * module checks IPv4 peers only, spec mod_erlang_event §4.2).
 */
import { switchTrue } from '../internal/strings.ts';
import { type XmlElement, attr, child, children } from './xml.ts';

export interface AclNode {
  readonly allow: boolean;
  /** The network address as an unsigned 32-bit number, and its prefix length. */
  readonly ip: number;
  readonly bits: number;
}

export interface AclList {
  readonly name: string;
  readonly defaultAllow: boolean;
  readonly nodes: readonly AclNode[];
}

/** A dotted IPv4 address → unsigned 32-bit, or undefined. */
export function parseIpv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

const maskOf = (bits: number): number => (bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);

/** `a.b.c.d/n` → node; undefined when it is not an IPv4 CIDR. */
export function cidrNode(cidr: string, allow: boolean): AclNode | undefined {
  const [addr, len] = cidr.split('/');
  const ip = parseIpv4(addr ?? '');
  const bits = len === undefined ? 32 : Number(len);
  if (ip === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  return { allow, ip: (ip & maskOf(bits)) >>> 0, bits };
}

/** `host=` + `mask=` (dotted mask) → node. */
export function hostMaskNode(host: string, mask: string, allow: boolean): AclNode | undefined {
  const ip = parseIpv4(host);
  const m = parseIpv4(mask);
  if (ip === undefined || m === undefined) return undefined;
  let bits = 0;
  for (let b = 31; b >= 0 && (m >>> b) & 1; b--) bits++;
  return { allow, ip: (ip & maskOf(bits)) >>> 0, bits };
}

/** switch_network_list_validate_ip: the most specific match (later wins a tie), else the default. */
export function aclCheck(list: AclList, ip: string): boolean {
  const addr = parseIpv4(ip.startsWith('::ffff:') ? ip.slice(7) : ip);
  if (addr === undefined) return list.defaultAllow;
  let ok = list.defaultAllow;
  let bits = 0;
  for (const node of list.nodes) {
    if (node.bits >= bits && (addr & maskOf(node.bits)) >>> 0 === node.ip) {
      ok = node.allow;
      bits = node.bits;
    }
  }
  return ok;
}

const list = (name: string, defaultAllow: boolean, cidrs: readonly [string, boolean][]): AclList => ({
  name,
  defaultAllow,
  nodes: cidrs.map(([c, a]) => cidrNode(c, a)).filter((n): n is AclNode => n !== undefined),
});

const PRIVATE: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/**
 * The lists the core builds at startup (switch_load_network_lists); IPv6 entries are left out.
 * `localnet.auto` allows the switch's own IPv4 network (given as CIDR, default none).
 */
export function autoAclLists(localnet?: string): AclList[] {
  const wanDeny: [string, boolean][] = ['0.0.0.0/8', ...PRIVATE, '169.254.0.0/16', '100.64.0.0/10'].map((c) => [c, false]);
  return [
    list('rfc6598.auto', false, [['100.64.0.0/10', true]]),
    list(
      'rfc1918.auto',
      false,
      PRIVATE.map((c) => [c, true]),
    ),
    list('wan.auto', true, wanDeny),
    list('wan_v6.auto', true, [['0.0.0.0/0', false]]),
    list('wan_v4.auto', true, wanDeny),
    list('any_v6.auto', true, [['0.0.0.0/0', false]]),
    list('any_v4.auto', true, []),
    list('nat.auto', false, [...PRIVATE, '100.64.0.0/10'].map((c) => [c, true] as [string, boolean]).concat(localnet ? [[localnet, false]] : [])),
    list('loopback.auto', false, [['127.0.0.0/8', true]]),
    list('localnet.auto', false, localnet ? [[localnet, true]] : []),
  ];
}

/** Problems met while reading the lists (the node is skipped, as FreeSWITCH does). */
export interface AclParseResult {
  readonly lists: Map<string, AclList>;
  readonly warnings: string[];
}

/**
 * `<configuration name="acl.conf"><network-lists><list name= default=><node …/>`: the lists by
 * name (case-insensitive, as FreeSWITCH's hash), after the automatic ones (a conf list with the
 * same name replaces one).
 */
export function parseAclConf(conf: XmlElement | undefined, localnet?: string): AclParseResult {
  const lists = new Map<string, AclList>();
  const warnings: string[] = [];
  for (const l of autoAclLists(localnet)) lists.set(l.name.toLowerCase(), l);
  const nl = conf ? child(conf, 'network-lists') : undefined;
  for (const x of nl ? children(nl, 'list') : []) {
    const name = attr(x, 'name');
    if (!name) continue;
    const dft = attr(x, 'default');
    const defaultAllow = dft === undefined ? true : switchTrue(dft);
    const nodes: AclNode[] = [];
    for (const n of children(x, 'node')) {
      const type = attr(n, 'type');
      const allow = type === undefined ? defaultAllow : switchTrue(type);
      const cidr = attr(n, 'cidr');
      const host = attr(n, 'host');
      const mask = attr(n, 'mask');
      let node: AclNode | undefined;
      if (cidr !== undefined) node = cidrNode(cidr, allow);
      else if (host !== undefined && mask !== undefined) node = hostMaskNode(host, mask, allow);
      else continue;
      if (node) nodes.push(node);
      else warnings.push(`Invalid cidr/host in list ${name} (line ${n.line})`);
    }
    lists.set(name.toLowerCase(), { name, defaultAllow, nodes });
  }
  return { lists, warnings };
}
