/**
 * The BIFs of `erlang` a node answers over rpc, so that an Erlang cluster's tools and an operator's
 * shell find what they ask every node for:
 *
 *   rpc:call(N, erlang, node, [])              -> N
 *   rpc:call(N, erlang, node, [PidRefOrPort])  -> its node
 *   rpc:call(N, erlang, nodes, [])             -> visible peers ([] on a hidden node, as on `erl -hidden`)
 *   rpc:call(N, erlang, nodes, [Arg])          -> Arg: visible | hidden | connected | this | known, or a list of them
 *   rpc:call(N, erlang, nodes, [Arg, Opts])    -> [{Node, #{connection_id => Id, node_type => Type}}]
 *   rpc:call(N, erlang, whereis, [Name])       -> pid | undefined
 *   rpc:call(N, erlang, registered, [])        -> [atom()]
 *   rpc:call(N, erlang, processes, [])         -> [pid()]
 *   rpc:call(N, erlang, is_process_alive, [P]) -> boolean()   (a pid of another node: badarg)
 *   rpc:call(N, erlang, exit, [P, R]) -> true; rpc:call(N, erlang, send, [Dest, Msg]) -> Msg
 *   rpc:call(N, erlang, process_info, [P | P, Item | P, [Item]])   (process_info_bif.ts)
 *   memory, system_info, statistics and the clock BIFs                 (system_bifs.ts, with `os`'s)
 *
 * A wrong argument is `error(badarg)`, as the BIF raises it. `erlang:apply/2` is the registry's own
 * (exports.ts); nothing else of `erlang` runs here, so other functions stay `undef`.
 */
import { Atom, ErlMap, Pid, Port, Ref, Tuple, atom, t, type Term } from '@beamline/etf';
import { BadArg, type Dest, type ProcessContext, type Runtime } from '@beamline/core';
import { badarg, type CallContext, type ModuleExports } from './exports.ts';
import { processInfoBifs } from './process_info_bif.ts';
import { systemBifs } from './system_bifs.ts';

/** What the BIFs read of the node. */
export interface NodeView {
  readonly name: string;
  /** Whether this node is hidden: then every connection of its is hidden too. */
  readonly hidden: boolean;
  /** Peers with a connection up, oldest first: whether each is hidden, and its connection's id (`nodes/2`'s `connection_id`). */
  peers(): { readonly name: string; readonly hidden: boolean; readonly id: number }[];
}

const NODE_KINDS = new Set(['visible', 'hidden', 'connected', 'this', 'known']);

/**
 * `nodes/1,2`'s list in erts' order: hidden peers, then visible ones (each oldest first), then this
 * node. `known` adds no nodes that are not connected: the node keeps no table of them.
 */
function nodes(node: NodeView, kinds: readonly Term[]): { name: string; type: 'this' | 'visible' | 'hidden'; id?: number }[] {
  const want = new Set<string>();
  for (const k of kinds) {
    if (!(k instanceof Atom) || !NODE_KINDS.has(k.name)) throw badarg();
    want.add(k.name);
  }
  const all = want.has('connected') || want.has('known');
  const peers = node.peers().map((p) => ({ name: p.name, type: node.hidden || p.hidden ? ('hidden' as const) : ('visible' as const), id: p.id }));
  const out = [...peers.filter((p) => p.type === 'hidden'), ...peers.filter((p) => p.type === 'visible')].filter((p) => all || want.has(p.type));
  return want.has('this') || want.has('known') ? [...out, { name: node.name, type: 'this' }] : out;
}

const NODES_INFO = new Set(['connection_id', 'node_type']);

/** `nodes(Arg, #{connection_id => boolean(), node_type => boolean()})`: `[{Node, Info}]`. */
function nodesWithInfo(node: NodeView, arg: Term, opts: Term): Tuple[] {
  if (!(opts instanceof ErlMap)) throw badarg();
  const want = new Set<string>();
  for (const [k, v] of opts.entries()) {
    if (!(k instanceof Atom) || !NODES_INFO.has(k.name) || (v !== atom('true') && v !== atom('false'))) throw badarg();
    if (v === atom('true')) want.add(k.name);
  }
  return nodes(node, Array.isArray(arg) ? arg : [arg]).map((n) => {
    const info = new ErlMap();
    if (want.has('connection_id')) info.set(atom('connection_id'), n.id ?? atom('undefined'));
    if (want.has('node_type')) info.set(atom('node_type'), atom(n.type));
    return t(atom(n.name), info);
  });
}

/** `{Name, Node}` with two atoms. */
function isNameAtNode(x: Term): x is Tuple {
  return x instanceof Tuple && x.elements.length === 2 && x.elements.every((e) => e instanceof Atom);
}

/** Who sends a signal: the process serving the call, or the runtime for a call made in place. */
function processOf(call: CallContext, rt: Runtime): Pick<ProcessContext, 'send' | 'exit'> {
  return (call.process as ProcessContext | undefined) ?? rt;
}

/** The `erlang` module's BIFs for `rt` on `node`. */
export function erlangBifs(rt: Runtime, node: NodeView): ModuleExports {
  return {
    'node/0': () => atom(node.name),
    'node/1': (x: Term) => {
      if (x instanceof Pid || x instanceof Ref || x instanceof Port) return x.node;
      throw badarg();
    },
    'nodes/0': () => nodes(node, [atom('visible')]).map((n) => atom(n.name)),
    'nodes/1': (arg: Term) => nodes(node, Array.isArray(arg) ? arg : [arg]).map((n) => atom(n.name)),
    'nodes/2': (arg: Term, opts: Term) => nodesWithInfo(node, arg, opts),
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
    // signals from the process serving the call, as erl's exit/2 and !
    'exit/2': function (this: CallContext, pid: Term, reason: Term) {
      if (!(pid instanceof Pid || pid instanceof Port)) throw badarg();
      if (pid instanceof Pid) processOf(this, rt).exit(pid, reason);
      return true;
    },
    'send/2': function (this: CallContext, dest: Term, msg: Term) {
      const to = dest instanceof Pid ? dest : dest instanceof Atom ? dest.name : isNameAtNode(dest) ? dest : undefined;
      if (to === undefined) throw badarg();
      try {
        processOf(this, rt).send(to as Dest, msg);
      } catch (e) {
        if (e instanceof BadArg) throw badarg(); // an unregistered name
        throw e;
      }
      return msg;
    },
    ...processInfoBifs(rt),
    ...systemBifs(rt),
  };
}
