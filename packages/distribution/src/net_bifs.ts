/**
 * What an operator asks a node about its distribution, over rpc, with OTP's answers:
 *
 *   rpc:call(N, net_adm, ping, [Node])              -> pong | pang (from this node)
 *   rpc:call(N, net_adm, names, [] | [Host])        -> {ok, [{Name, Port}]} from the host's EPMD, {error, Reason}
 *   rpc:call(N, net_adm, localhost, [])             -> this machine's host name
 *   rpc:call(N, net_kernel, connect_node, [Node])   -> boolean()
 *   rpc:call(N, net_kernel, get_net_ticktime, [])   -> seconds
 *   rpc:call(N, net_kernel, nodename | longnames, [])
 *   rpc:call(N, erlang, is_alive | disconnect_node, ...)
 *   rpc:call(N, init, get_status, [])              -> {started, started} (a node that answers has started)
 *
 * An argument of the wrong type fails as OTP's does: `function_clause` for net_adm / net_kernel's
 * Erlang functions.
 */
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { Atom, atom, charlist, t, type Term } from '@beamline/etf';
import type { Runtime } from '@beamline/core';
import { names } from './epmd_client.ts';
import { functionClause, type ModuleExports } from './exports.ts';

/** The node as these functions use it. */
export interface NetNode {
  readonly name: string;
  readonly longNames: boolean;
  readonly ticktimeMs: number;
  readonly epmdPort: number;
  ping(node: string): Promise<'pong' | 'pang'>;
  connect(node: string): Promise<boolean>;
  disconnect(node: string): boolean;
}

function nodeArg(node: Term): string {
  if (!(node instanceof Atom)) throw functionClause();
  return node.name;
}

/** A host as net_adm takes it: an atom or a string (charlist). */
function hostArg(host: Term): string {
  if (host instanceof Atom) return host.name;
  if (Array.isArray(host) && host.length > 0 && host.every((c) => typeof c === 'number' && Number.isInteger(c) && c > 0 && c < 0x110000)) {
    return String.fromCodePoint(...(host as number[]));
  }
  throw functionClause();
}

/** inet:gethostname/0 as net_adm:localhost/0 gives it: the short name, the full one with long names. */
function localhost(longNames: boolean): string {
  const h = hostname();
  return longNames ? h : h.split('.')[0]!;
}

/** erl_epmd:names/1: `{ok, [{Name, Port}]}`; an unknown host is `{error, nxdomain}`, no EPMD `{error, address}`. */
async function epmdNames(host: string, epmdPort: number): Promise<Term> {
  let address: string;
  try {
    address = (await lookup(host, { family: 4 })).address;
  } catch {
    return t(atom('error'), atom('nxdomain'));
  }
  try {
    const { nodes } = await names({ epmdHost: address, epmdPort, timeoutMs: 5000 });
    return t(
      atom('ok'),
      nodes.map((n) => t(charlist(n.name), n.port)),
    );
  } catch {
    return t(atom('error'), atom('address'));
  }
}

export function netAdmBifs(node: NetNode): ModuleExports {
  return {
    'ping/1': async (n: Term) => atom(await node.ping(nodeArg(n))),
    'names/0': () => epmdNames(localhost(node.longNames), node.epmdPort),
    'names/1': (host: Term) => epmdNames(hostArg(host), node.epmdPort),
    'localhost/0': () => charlist(localhost(node.longNames)),
  };
}

export function netKernelBifs(node: NetNode): ModuleExports {
  return {
    'connect_node/1': (n: Term) => node.connect(nodeArg(n)),
    'get_net_ticktime/0': () => Math.round(node.ticktimeMs / 1000),
    'nodename/0': () => atom(node.name),
    'longnames/0': () => node.longNames,
  };
}

/**
 * init:get_status/0, which deployment scripts and health checks ask a node for: a node whose rpc
 * answers has started its services; `stopping` once its runtime is being stopped.
 */
export function initBifs(rt: Runtime): ModuleExports {
  return {
    'get_status/0': () => t(atom(rt.isStopped ? 'stopping' : 'started'), atom('started')),
  };
}

/** erlang's BIFs about the node's own distribution (the rest of `erlang` is erlang_bifs.ts). */
export function distBifs(node: NetNode): ModuleExports {
  return {
    'is_alive/0': () => true,
    // erts answers false, not badarg, for a term that is no node name
    'disconnect_node/1': (n: Term) => n instanceof Atom && node.disconnect(n.name),
  };
}
