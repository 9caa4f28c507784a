/**
 * The node's `net_kernel` process (spec §4.6). OTP 24+ `net_adm:ping(Node)` is
 * `gen:call({net_kernel, Node}, '$gen_call', {is_auth, node()}, infinity)`: it monitors the name
 * (so `net_kernel` must be registered), then expects `{Tag, yes}`. Anything else answers
 * `{Tag, {error, unsupported}}` so that no caller ever hangs.
 *
 * It is a GenServer, as OTP's is, so `sys:get_state({net_kernel, Node})` and `sys:get_status`
 * answer: the state is OTP 27's `#state{}` record, filled with what this node has (its name, name
 * type, tick, setup time and listen address; no connection tables).
 */
import { Atom, ErlMap, atom, charlist, t, type Term, type Tuple } from '@beamline/etf';
import { GenServer, noreply, ok, reply, type From, type ProcessContext } from '@beamline/core';
import { isTagged } from './gen_proto.ts';

const A_YES = atom('yes');
const A_ERROR = atom('error');
const A_UNSUPPORTED = atom('unsupported');

export interface NetKernelInfo {
  nodeName: string;
  /** `net_kernel:connect_node/1` and `erlang:disconnect_node/1` of this node. */
  connect(node: string): Promise<boolean>;
  disconnect(node: string): boolean;
  longNames: boolean;
  ticktimeMs: number;
  setupTimeMs: number;
  listenHost: string;
  port: number;
}

/**
 * The reply net_kernel gives to a call request: `is_auth`, and what OTP's net_kernel answers of
 * itself (`nodename`, `longnames`, `ticktime` in ms). Connection requests (`{connect, Type, Node}`,
 * `{disconnect, Node}`) answer through `connect` / `disconnect` (below).
 */
export function netKernelReply(request: Term, info: { nodeName: string; longNames?: boolean; ticktimeMs?: number }): Term {
  if (isTagged(request, 'is_auth', 2)) return A_YES;
  if (request === atom('node') || request === atom('nodename')) return atom(info.nodeName);
  if (request === atom('longnames') && info.longNames !== undefined) return atom(String(info.longNames));
  if (request === atom('ticktime') && info.ticktimeMs !== undefined) return info.ticktimeMs;
  return t(A_ERROR, A_UNSUPPORTED);
}

/**
 * OTP 27's `#state{node, type, tick, connecttime, connections, conn_owners, dist_ctrlrs,
 * pend_owners, listen, allowed, verbose, publish_on_nodeup, supervisor, req_auto_start}`. The tick
 * is `{tick, Ticker, TicktimeMs, 4}` (ticks go out a quarter of the tick time apart); there is no
 * ticker process here, so net_kernel names itself.
 */
export function netKernelState(info: NetKernelInfo, self: Term): Tuple {
  const ip = info.listenHost.split('.').map(Number);
  const address = ip.length === 4 && ip.every((n) => Number.isInteger(n)) ? t(...ip) : info.listenHost;
  const host = info.nodeName.slice(info.nodeName.indexOf('@') + 1);
  const listen = t(
    atom('listen'),
    atom('undefined'),
    atom('undefined'),
    t(atom('net_address'), t(address as Term, info.port), charlist(host), atom('tcp'), atom('inet')),
    atom('inet_tcp_dist'),
  );
  const none = new ErlMap();
  return t(
    atom('state'),
    atom(info.nodeName),
    atom(info.longNames ? 'longnames' : 'shortnames'),
    t(atom('tick'), self, info.ticktimeMs, 4),
    info.setupTimeMs,
    atom('sys_dist'),
    none,
    none,
    none,
    [listen],
    [],
    0,
    none,
    atom('net_sup'),
    none,
  );
}

/** Named after OTP's module, which sys:get_status and `'$initial_call'` show. */
export class net_kernel extends GenServer<Tuple, Term> {
  constructor(private readonly info: NetKernelInfo) {
    super();
  }

  init(_args: unknown, ctx: ProcessContext) {
    return ok(netKernelState(this.info, ctx.self));
  }

  override handleCall(request: Term, from: From, state: Tuple) {
    if (isTagged(request, 'connect', 3) && request.elements[2] instanceof Atom) {
      // answered when the connection is up or has failed; net_kernel goes on meanwhile, as OTP's
      void this.info.connect(request.elements[2].name).then((up) => from.reply(up));
      return noreply(state);
    }
    if (isTagged(request, 'disconnect', 2) && request.elements[1] instanceof Atom)
      return reply(this.info.disconnect(request.elements[1].name), state);
    return reply(netKernelReply(request, this.info), state);
  }

  // casts and stray messages are ignored, as a hidden node has no connection management to do
  override handleCast(_msg: Term, state: Tuple) {
    return noreply(state);
  }
}
