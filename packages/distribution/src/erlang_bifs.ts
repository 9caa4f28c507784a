/**
 * The BIFs of `erlang` a node answers over rpc, so that an Erlang cluster's tools and an operator's
 * shell find what they ask every node for:
 *
 *   rpc:call(N, erlang, node, [])              -> N
 *   rpc:call(N, erlang, node, [PidRefOrPort])  -> its node
 *   rpc:call(N, erlang, nodes, [])             -> visible peers ([] on a hidden node, as on `erl -hidden`)
 *   rpc:call(N, erlang, nodes, [Arg])          -> Arg: visible | hidden | connected | this | known, or a list of them
 *   rpc:call(N, erlang, whereis, [Name])       -> pid | undefined
 *   rpc:call(N, erlang, registered, [])        -> [atom()]
 *   rpc:call(N, erlang, processes, [])         -> [pid()]
 *   rpc:call(N, erlang, is_process_alive, [P]) -> boolean()   (a pid of another node: badarg)
 *   rpc:call(N, erlang, process_info, [P | P, Item | P, [Item]])   (process_info_bif.ts)
 *   memory, system_info, statistics and the clock BIFs                 (system_bifs.ts, with `os`'s)
 *
 * A wrong argument is `error(badarg)`, as the BIF raises it. `erlang:apply/2` is the registry's own
 * (exports.ts); nothing else of `erlang` runs here, so other functions stay `undef`.
 */
import { Atom, Pid, Port, Ref, atom, type Term } from '@beamline/etf';
import type { Runtime } from '@beamline/core';
import { badarg, type ModuleExports } from './exports.ts';
import { processInfoBifs } from './process_info_bif.ts';
import { systemBifs } from './system_bifs.ts';

/** What the BIFs read of the node. */
export interface NodeView {
  readonly name: string;
  /** Whether this node is hidden: then every connection of its is hidden too. */
  readonly hidden: boolean;
  /** Peers with a connection up, and whether each is hidden. */
  peers(): { readonly name: string; readonly hidden: boolean }[];
}

const NODE_KINDS = new Set(['visible', 'hidden', 'connected', 'this', 'known']);

function nodes(node: NodeView, kinds: readonly Term[]): Atom[] {
  const want = new Set<string>();
  for (const k of kinds) {
    if (!(k instanceof Atom) || !NODE_KINDS.has(k.name)) throw badarg();
    want.add(k.name);
  }
  const out: Atom[] = [];
  if (want.has('this') || want.has('known')) out.push(atom(node.name));
  for (const p of node.peers()) {
    const hidden = node.hidden || p.hidden;
    if (want.has('connected') || want.has('known') || want.has(hidden ? 'hidden' : 'visible')) out.push(atom(p.name));
  }
  return out;
}

/** The `erlang` module's BIFs for `rt` on `node`. */
export function erlangBifs(rt: Runtime, node: NodeView): ModuleExports {
  return {
    'node/0': () => atom(node.name),
    'node/1': (x: Term) => {
      if (x instanceof Pid || x instanceof Ref || x instanceof Port) return x.node;
      throw badarg();
    },
    'nodes/0': () => nodes(node, [atom('visible')]),
    'nodes/1': (arg: Term) => nodes(node, Array.isArray(arg) ? arg : [arg]),
    'whereis/1': (name: Term) => {
      if (!(name instanceof Atom)) throw badarg();
      return rt.whereis(name.name) ?? atom('undefined');
    },
    'registered/0': () => rt.registered().map((n) => atom(n)),
    'processes/0': () => rt.processes(),
    'is_process_alive/1': (pid: Term) => {
      if (!(pid instanceof Pid) || pid.node.name !== node.name) throw badarg();
      return rt.isAlive(pid);
    },
    ...processInfoBifs(rt),
    ...systemBifs(rt),
  };
}
