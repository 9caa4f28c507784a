/**
 * Node-name rules (OTP net_kernel / inet_tcp_dist / dist_util):
 * - a node name is `alive@host` with exactly one `@` and non-empty parts;
 * - our OWN alive part must match `^[0-9A-Za-z_-]+$` (net_kernel `valid_name_head`), so a
 *   unicode alive part is refused exactly as `erl -sname ñx` refuses it ("Invalid node name!");
 * - short names: the host has no dot. A bare `alive` gets the host name cut at the first dot;
 *   `-sname x@a.b` is refused ("Can't set short node name!");
 * - long names: a bare `alive` gets the FQDN. A dotless host is accepted (OTP accepts
 *   `-name x@localhost`);
 * - on the wire names are Latin-1 bytes (`atom_to_binary(Node, latin1)`), but erts only keeps
 *   connections to ASCII node names: verified on OTP 25, an inbound handshake from `été@localhost`
 *   is answered `nok` and logged "** Cannot get connection id for node ...". So we accept ASCII
 *   names only, in both directions: dialling a non-ASCII name fails with `bad_name`, and our
 *   acceptor refuses one (with `not_allowed`, a clearer answer than OTP's accidental `nok`).
 */
import { hostname } from 'node:os';

export type NameType = 'short' | 'long';

export class NodeNameError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'NodeNameError';
  }
}

export interface NodeName {
  alive: string;
  host: string;
  full: string;
  type: NameType;
}

const ALIVE_RE = /^[0-9A-Za-z_-]+$/;

/** Split `alive@host`; undefined unless exactly one `@` and both parts non-empty. */
export function splitNodeName(name: string): { alive: string; host: string } | undefined {
  const at = name.indexOf('@');
  if (at <= 0 || at === name.length - 1 || name.indexOf('@', at + 1) !== -1) return undefined;
  return { alive: name.slice(0, at), host: name.slice(at + 1) };
}

/** OTP's shortname rule: the host name up to the first dot. */
export function shortHostname(h: string = hostname()): string {
  const dot = h.indexOf('.');
  return dot === -1 ? h : h.slice(0, dot);
}

/** Resolve our own node name from the user's option, with OTP's validation. */
export function resolveOwnName(name: string, longNames?: boolean): NodeName {
  let alive: string;
  let host: string;
  if (!name.includes('@')) {
    alive = name;
    host = longNames ? hostname() : shortHostname();
  } else {
    const parts = splitNodeName(name);
    if (!parts) throw new NodeNameError(`Nodename ${JSON.stringify(name)} illegal`);
    ({ alive, host } = parts);
  }
  if (!ALIVE_RE.test(alive)) throw new NodeNameError(`Invalid node name ${JSON.stringify(name)}: alive part must match [0-9A-Za-z_-]+`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a host part must not contain
  if (!isAscii(host) || /[\s\x00-\x20\x7f]/.test(host)) throw new NodeNameError(`Invalid host part in ${JSON.stringify(name)}`);
  const type: NameType = (longNames ?? host.includes('.')) ? 'long' : 'short';
  if (type === 'short' && host.includes('.')) {
    throw new NodeNameError(`Can't set short node name ${JSON.stringify(name)}: host contains a dot`);
  }
  const full = `${alive}@${host}`;
  // the name is an atom on every node: at most 255 characters (erl: system_limit)
  if (full.length > 255)
    throw new NodeNameError(`Node name ${JSON.stringify(full.slice(0, 40))}… is ${full.length} characters; an atom holds at most 255`);
  return { alive, host, full, type };
}

/**
 * Check a peer name before dialling, like inet_tcp_dist:splitnode (verified against erl 25):
 * exactly one `@`, Latin-1, and the short/long rule: a short-names node refuses a host with a
 * dot (IP addresses included: "System NOT running to use fully qualified hostnames"); a
 * long-names node refuses a dotless host unless it parses as an address ("Hostname localhost is
 * illegal").
 */
export function checkPeerName(peer: string, ourType: NameType): { alive: string; host: string } {
  const parts = splitNodeName(peer);
  if (!parts) throw new NodeNameError(`Nodename ${JSON.stringify(peer)} illegal`);
  if (!isAscii(peer)) throw new NodeNameError(`Nodename ${JSON.stringify(peer)} is not ASCII (erts cannot hold a connection to it)`);
  if (ourType === 'short' && parts.host.includes('.')) {
    throw new NodeNameError(`System NOT running to use fully qualified hostnames: hostname ${parts.host} is illegal`);
  }
  if (ourType === 'long' && !parts.host.includes('.') && !isIpAddress(parts.host)) {
    throw new NodeNameError(`System running to use fully qualified hostnames: hostname ${parts.host} is illegal`);
  }
  return parts;
}

export function isIpAddress(h: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(':');
}

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

export function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 255) return false;
  return true;
}

/** Node names on the wire: Latin-1 bytes. Caller must have checked isLatin1. */
export function nameToBytes(name: string): Uint8Array {
  return Uint8Array.from(Buffer.from(name, 'latin1'));
}

export function bytesToName(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** OTP's is_node_name: exactly one @ with non-empty parts (the acceptor's name-shape check). */
export function isNodeName(name: string): boolean {
  return splitNodeName(name) !== undefined;
}

/** A name erts will keep a connection to: a node name in ASCII. */
export function isAcceptableNodeName(name: string): boolean {
  return isNodeName(name) && isAscii(name);
}
