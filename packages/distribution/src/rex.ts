/**
 * The node's `rex` process: legacy and auxiliary RPC (spec §4.9). `rpc:call` no longer comes here
 * (it is erpc over SPAWN_REQUEST, erpc.ts), but `rpc:block_call`, ei's `ei_rpc`, old Jinterface
 * clients and `rpc:sbcast` do. Each call runs in its own process, so a slow function never
 * blocks `rex`.
 */
import { Atom, ErlMap, Pid, Tuple, atom, t, type Term } from '@beamline/etf';
import { From, GenServer, noreply, ok, reply, type ProcessContext } from '@beamline/core';
import { isTagged } from './gen_proto.ts';
import { rexResult, type ModuleRegistry, type Outcome } from './exports.ts';
import { setCallOrigin } from './call_origin.ts';

const A_REX = atom('rex');
const A_BADARG = atom('badarg');
const A_ERROR = atom('error');
const A_UNSUPPORTED = atom('unsupported');

export interface RexHost {
  nodeName: string;
  registry: ModuleRegistry;
  /** Whether the node serves SPAWN_REQUEST (then `features_request` answers `[erpc]`). */
  spawnSupported: boolean;
  /** Deliver to a local registered name; false when unknown. */
  sendToName(name: string, msg: Term): boolean;
}

/** `{call | block_call, M, F, A, GL}` → [M, F, A, GL]. */
function asCall(req: unknown): [Atom, Atom, unknown, Term] | undefined {
  if (!(req instanceof Tuple) || req.elements.length !== 5) return undefined;
  const [tag, m, f, a, gl] = req.elements;
  if (tag !== atom('call') && tag !== atom('block_call')) return undefined;
  if (!(m instanceof Atom) || !(f instanceof Atom)) return undefined;
  return [m, f, a, gl as Term];
}

/** Runs `M:F(A)` in `ctx` for `caller`, whose group leader `gl` its io goes to (when they are pids). */
async function run(host: RexHost, m: Atom, f: Atom, a: unknown, ctx: ProcessContext, caller?: Term, gl?: Term): Promise<Outcome> {
  setCallOrigin(ctx, caller, gl);
  if (!Array.isArray(a)) return { kind: 'error', reason: A_BADARG, stack: [t(atom('erlang'), atom('apply'), [m, f, a as Term], [])] };
  return host.registry.invoke(m, f, a as Term[], ctx);
}

/**
 * A GenServer, as OTP's rex is, so that `sys:get_state({rex, Node})` and `sys:get_status` answer
 * (the state is an empty map: there is no `nodes_observer` here). The class is named after OTP's
 * module, which `'$initial_call'` and `sys:get_status` show.
 */
export class rpc extends GenServer<ErlMap, Term, Term> {
  constructor(private readonly host: RexHost) {
    super();
  }

  init() {
    return ok(new ErlMap());
  }

  /** Runs a call in its own process: a slow function never blocks rex. */
  private worker(ctx: ProcessContext, job: (w: ProcessContext) => Promise<void>): void {
    ctx.spawn(async (w: ProcessContext) => {
      await job(w);
    });
  }

  override handleCall(request: Term, from: From, state: ErlMap, ctx: ProcessContext) {
    const mfa = asCall(request);
    if (!mfa) return reply(t(A_ERROR, A_UNSUPPORTED), state);
    this.worker(ctx, async (w) => {
      const outcome = await run(this.host, mfa[0], mfa[1], mfa[2], w, from.pid, mfa[3]);
      new From(w, from.pid, from.tag).reply(rexResult(outcome)); // answered by the worker, as OTP's rex does
    });
    return noreply(state);
  }

  override handleCast(msg: Term, state: ErlMap, ctx: ProcessContext) {
    if (isTagged(msg, 'cast', 5)) {
      const [, m, f, a, gl] = msg.elements;
      if (m instanceof Atom && f instanceof Atom) this.worker(ctx, async (w) => void (await run(this.host, m, f, a, w, undefined, gl)));
    }
    return noreply(state);
  }

  override handleInfo(msg: unknown, state: ErlMap, ctx: ProcessContext) {
    if (msg instanceof Tuple && msg.elements.length === 2 && msg.elements[0] instanceof Pid) this.legacy(ctx, msg.elements[0], msg.elements[1]);
    return noreply(state);
  }

  /** `{From, Request}`: ei_rpc / Jinterface calls, sbcast, send and features_request. */
  private legacy(ctx: ProcessContext, from: Pid, body: Term): void {
    const host = this.host;
    const self = atom(host.nodeName);
    const mfa = asCall(body);
    if (mfa) {
      // ei_rpc / Jinterface: {From, {call, M, F, A, GL}} → From ! {rex, Result}
      this.worker(ctx, async (w) => {
        const outcome = await run(host, mfa[0], mfa[1], mfa[2], w, from, mfa[3]);
        w.send(from, t(A_REX, rexResult(outcome)));
      });
    } else if (isTagged(body, 'sbcast', 3)) {
      const [, name, m] = body.elements;
      const ok = name instanceof Atom && host.sendToName(name.name, m);
      ctx.send(from, t(A_REX, self, ok ? self : t(atom('nonexisting_name'), name)));
    } else if (isTagged(body, 'send', 3)) {
      const [, name, m] = body.elements;
      if (name instanceof Atom) host.sendToName(name.name, t(from, m));
    } else if (body === atom('features_request')) {
      if (host.spawnSupported) ctx.send(from, t(atom('features_reply'), self, [atom('erpc')]));
    }
  }
}
