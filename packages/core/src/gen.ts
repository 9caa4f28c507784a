/**
 * Plumbing shared by every behaviour (OTP's gen.erl): the synchronous `call` that monitors the
 * callee, tags the request `[alias|Mref]` (the monitor ref is also an alias, as in OTP 24+, so a
 * reply sent to it after the caller gave up is dropped), and waits for `{Tag, Reply}` or the
 * 'DOWN'. `reply` answers either tag form.
 * Works from inside a process (a ProcessContext) and from outside (a Runtime: a temporary
 * process makes the call).
 */
import { Atom, ImproperList, Pid, Tuple, atom, t, type Ref } from '@beamline/etf';
import { DOWN } from './atoms.ts';
import { BadArg, CallError, CallTimeout } from './errors.ts';
import { aliasTag, tagAlias } from './aliases.ts';
import { refEquals } from './refs.ts';
import type { Proc } from './process.ts';
import type { Runtime } from './runtime.ts';
import { TIMEOUT, type Dest, type MonitorTarget, type ProcessContext } from './types.ts';

/** Anything that can start a call: a process's context, or the runtime itself (from outside). */
export interface Caller {
  spawn(code: (ctx: ProcessContext) => Promise<unknown>): Pid;
  send(dest: Dest, msg: unknown): void;
}

export type Timeout = number | 'infinity';

export function isContext(where: unknown): where is ProcessContext {
  return typeof where === 'object' && where !== null && 'self' in where && 'receive' in where;
}

function monitorTarget(dest: Dest): MonitorTarget {
  if (dest instanceof Tuple) return [dest.elements[0] as Atom, dest.elements[1] as Atom];
  return dest as MonitorTarget;
}

/** The server as Erlang's error reasons name it (names become atoms). */
function serverTerm(dest: Dest): unknown {
  if (typeof dest === 'string') return atom(dest);
  if (Array.isArray(dest)) return t(typeof dest[0] === 'string' ? atom(dest[0]) : dest[0], typeof dest[1] === 'string' ? atom(dest[1]) : dest[1]);
  return dest;
}

function isReplyOrDown(msg: unknown, mref: Ref): boolean {
  if (!(msg instanceof Tuple)) return false;
  const e = msg.elements;
  if (e.length === 2) return e[0] instanceof ImproperList ? refEquals(e[0].tail, mref) : refEquals(e[0], mref);
  return e.length === 5 && e[0] === DOWN && refEquals(e[1], mref);
}

/**
 * Whether the reply can come to an alias: not over a connection without DFLAG_ALIAS, where an
 * OTP server's `Alias ! Reply` would be lost (then a plain Mref tag, as OTP 23's gen).
 */
function aliasesTo(ctx: ProcessContext, dest: Dest): boolean {
  const router = (ctx as { rt?: Runtime }).rt?.router;
  if (router?.canAlias === undefined || typeof dest === 'string' || dest instanceof Atom) return true;
  const node = dest instanceof Pid ? dest.node : dest instanceof Tuple ? dest.elements[1] : Array.isArray(dest) ? dest[1] : undefined;
  const nodeAtom = typeof node === 'string' ? atom(node) : node;
  return !(nodeAtom instanceof Atom) || nodeAtom.name === ctx.self.node.name || router.canAlias(nodeAtom);
}

/**
 * Send `{Label, {Self, Mref}, Request}` to `dest` and wait for the reply. Rejects with CallError
 * (`cause` = the server's exit reason, `noproc`, `noconnection`) or CallTimeout.
 */
export async function call(
  where: ProcessContext | Caller,
  dest: Dest,
  label: Atom,
  request: unknown,
  timeout: Timeout = 5000,
  mod = 'gen_server',
  fn = 'call',
): Promise<unknown> {
  if (!isContext(where)) {
    return new Promise((resolve, reject) => {
      where.spawn(async (ctx) => {
        try {
          resolve(await call(ctx, dest, label, request, timeout, mod, fn));
        } catch (e) {
          reject(e);
        }
      });
    });
  }
  const ctx = where;
  const alias = aliasesTo(ctx, dest);
  const mref = alias ? ctx.monitor(monitorTarget(dest), { alias: 'reply_demonitor' }) : ctx.monitor(monitorTarget(dest));
  try {
    ctx.send(dest, t(label, t(ctx.self, alias ? aliasTag(mref) : mref), request as never));
  } catch (e) {
    if (!(e instanceof BadArg)) throw e;
    // unknown name: the monitor already queued a 'DOWN' noproc
  }
  const after = timeout === 'infinity' ? undefined : timeout;
  const msg = await ctx.receive((m) => isReplyOrDown(m, mref), after);
  const args = timeout === 'infinity' ? [serverTerm(dest), request, atom('infinity')] : [serverTerm(dest), request, timeout];
  const where_ = t(atom(mod), atom(fn), args as never);
  if (msg === TIMEOUT) {
    ctx.demonitor(mref, { flush: true }); // also deactivates the alias: a late reply is dropped
    throw new CallTimeout(t(atom('timeout'), where_), dest, request);
  }
  const e = (msg as Tuple).elements;
  if (e.length === 5) {
    const reason = e[4];
    throw new CallError(t(reason as never, where_), reason, dest, request);
  }
  ctx.demonitor(mref, { flush: true });
  return e[1];
}

/** Is `x` the `{Pid, Tag}` of a call? */
export function isFromTuple(x: unknown): x is Tuple {
  return x instanceof Tuple && x.elements.length === 2 && x.elements[0] instanceof Pid;
}

/**
 * gen:reply: `{Tag, Reply}` to the caller. An `[alias|Ref]` tag of a local caller goes to the
 * alias (dropped if the caller gave up); a remote caller's goes to its pid, and the router sends
 * it to the alias when the connection can (ALIAS_SEND). A plain tag goes to the pid.
 */
export function reply(rt: Runtime, sender: Proc | undefined, pid: Pid, tag: unknown, reply: unknown): void {
  const msg = t(tag as never, reply as never);
  const alias = tagAlias(tag);
  if (alias !== undefined && alias.node === rt.node) rt.aliasSend(sender?.self, alias, msg);
  else rt.route(sender, pid, msg);
}
