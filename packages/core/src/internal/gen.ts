/**
 * The one call/reply implementation every behaviour and the distribution layer use (OTP's
 * gen.erl). A call monitors the callee, tags the request `[alias|Mref]` (the monitor ref is also
 * an alias, as in OTP 24+, so a reply sent after the caller gave up is dropped), and waits for
 * `{Tag, Reply}` or the 'DOWN'. A reply goes to the alias named in the tag (an explicit alias
 * send), else to the caller's pid.
 */
import { Atom, ImproperList, Pid, Tuple, atom, t, type Ref } from '@beamline/etf';
import { calling_self, error, noconnection, noproc } from './basics/atoms.ts';
import { BadArg, CallError, CallTimeout, ErlangError } from './basics/errors.ts';
import { pidEquals, refEquals } from './basics/refs.ts';
import { isDownOf } from './basics/signals.ts';
import { TIMEOUT, type Dest, type MonitorTarget, type ProcessContext } from './basics/types.ts';
import { Context, internalsOf } from './process/context.ts';
import { Runtime } from './runtime.ts';
import { aliasTag, tagAlias } from './services/aliases.ts';

export type Timeout = number | 'infinity';

/** A process context, or the runtime itself (then a temporary process acts). */
export type Where = ProcessContext | Runtime;

export function isContext(where: unknown): where is ProcessContext {
  return where instanceof Context;
}

/**
 * Runs `fn` with a process context: `where` itself, or a temporary process of the runtime
 * `where` (for calls made from outside any process). The one place this is done.
 */
export function inProcess<T>(where: Where, fn: (ctx: ProcessContext) => Promise<T>): Promise<T> {
  if (!(where instanceof Runtime)) return fn(where);
  return new Promise<T>((resolve, reject) => {
    where.spawn(async (ctx) => {
      try {
        resolve(await fn(ctx));
      } catch (e) {
        reject(e);
      }
    });
  });
}

const GLOBAL = atom('global');

/**
 * gen's `{global, Name}` (a 2-tuple whose first element is the atom `global`, as gen.erl reads
 * it before `{Name, Node}`): the pid `global` has for Name, or `null` when it has none (no global
 * on a hidden node, or no router). `undefined` for any other destination.
 */
export function whereGlobal(where: Where, dest: Dest): Pid | null | undefined {
  if (!(dest instanceof Tuple) || dest.elements.length !== 2 || dest.elements[0] !== GLOBAL) return undefined;
  const name = dest.elements[1];
  const pid = where instanceof Runtime ? where.remoteRouter?.whereisGlobal?.(name) : internalsOf(where)?.kernel.whereisGlobal(name);
  return pid ?? null;
}

/** The caller of a call, `{Pid, Tag}`; `reply` answers it (gen:reply). */
export class From {
  readonly #ctx: ProcessContext;

  constructor(
    ctx: ProcessContext,
    readonly pid: Pid,
    readonly tag: unknown,
  ) {
    this.#ctx = ctx;
  }

  /** `{Pid, Tag}` as a From of `ctx`'s calls; undefined when `term` has another shape. */
  static fromTerm(ctx: ProcessContext, term: unknown): From | undefined {
    if (!(term instanceof Tuple) || term.elements.length !== 2 || !(term.elements[0] instanceof Pid)) return undefined;
    return new From(ctx, term.elements[0], term.elements[1]);
  }

  /** The Erlang term `{Pid, Tag}`. */
  toTerm(): Tuple {
    return t(this.pid, this.tag as never);
  }

  /**
   * gen:reply: `{Tag, Reply}` to the alias in the tag (dropped if the caller gave up), else to the
   * pid. The pid also when the caller's node cannot take an alias send (no DFLAG_ALIAS): the
   * caller still matches the reply by its tag.
   *
   * A reply the remote router refuses (a JS value with no Erlang form: it throws an ErlangError,
   * see RemoteRouter.send) is answered `{Tag, {error, Reason}}` instead, so the caller gets an
   * answer rather than its timeout. A send to a pid or an alias throws nowhere else.
   */
  reply(reply: unknown): void {
    const alias = tagAlias(this.tag);
    const ctx = this.#ctx;
    const dest = alias !== undefined && aliasesTo(ctx, alias.node) ? alias : this.pid;
    try {
      ctx.send(dest, t(this.tag as never, reply as never));
    } catch (e) {
      if (!(e instanceof ErlangError)) throw e;
      ctx.send(dest, t(this.tag as never, t(error, e.reason as never)));
    }
  }
}

/**
 * What `monitor` takes for a call's destination (`{Name, Node}` as `[Name, Node]`). Any other
 * tuple stays as it is, so monitor refuses it (BadArg) rather than take its first two elements.
 */
export function monitorTarget(dest: Dest): MonitorTarget {
  if (dest instanceof Tuple && dest.elements.length === 2) return [dest.elements[0] as Atom, dest.elements[1] as Atom];
  return dest as MonitorTarget;
}

/** The server as Erlang's error reasons name it (names become atoms). */
function serverTerm(dest: Dest): unknown {
  if (typeof dest === 'string') return atom(dest);
  if (Array.isArray(dest)) return t(typeof dest[0] === 'string' ? atom(dest[0]) : dest[0], typeof dest[1] === 'string' ? atom(dest[1]) : dest[1]);
  return dest;
}

function nodeOf(ctx: ProcessContext, dest: Dest): Atom {
  const node = dest instanceof Pid ? dest.node : dest instanceof Tuple ? dest.elements[1] : Array.isArray(dest) ? dest[1] : ctx.self.node;
  return typeof node === 'string' ? atom(node) : node instanceof Atom ? node : ctx.self.node;
}

function isReplyOrDown(msg: unknown, mref: Ref): boolean {
  if (!(msg instanceof Tuple)) return false;
  const e = msg.elements;
  if (e.length === 2) return e[0] instanceof ImproperList ? refEquals(e[0].tail, mref) : refEquals(e[0], mref);
  return isDownOf(msg, mref);
}

/**
 * Whether the reply can come to an alias: not over a connection without DFLAG_ALIAS, where an
 * OTP server's `Alias ! Reply` would be lost (then a plain Mref tag, as OTP 23's gen).
 */
function aliasesTo(ctx: ProcessContext, node: Atom): boolean {
  return node === ctx.self.node || (internalsOf(ctx)?.kernel.canAlias(node) ?? true);
}

/** Whether `dest` names the calling process itself. */
function isSelf(ctx: ProcessContext, dest: Dest): boolean {
  if (dest instanceof Pid) return pidEquals(dest, ctx.self);
  let name: unknown = dest;
  if (dest instanceof Tuple || Array.isArray(dest)) {
    const [n, node] = dest instanceof Tuple ? dest.elements : dest;
    const nodeName = typeof node === 'string' ? node : node instanceof Atom ? node.name : undefined;
    if (nodeName !== ctx.self.node.name) return false;
    name = n;
  }
  const key = typeof name === 'string' ? name : name instanceof Atom ? name.name : undefined;
  return key !== undefined && key === ctx.registeredName;
}

/** What a failed call names in its exit reason: `{Mod, Fn, Args}` of the API function called. */
export interface CalledAs {
  mod: string;
  fn: string;
  /** The arguments as the caller gave them (the server term is put first). */
  args: unknown[];
}

/** The `{Mod, Fn, Args}` of a call: the timeout is listed only when the caller gave one, as in OTP. */
function calledAs(dest: Dest, request: unknown, timeout: Timeout | undefined, as: CalledAs | undefined): Tuple {
  if (as !== undefined) return t(atom(as.mod), atom(as.fn), [serverTerm(dest), ...as.args] as never);
  const args = timeout === undefined ? [serverTerm(dest), request] : [serverTerm(dest), request, timeout === 'infinity' ? atom('infinity') : timeout];
  return t(atom('gen_server'), atom('call'), args as never);
}

/**
 * `{Label, {Self, Tag}, Request}` to `dest`, then wait for the reply (5 s when `timeout` is not
 * given). Rejects with CallError (`reason` = `{Cause, {Mod, Fn, Args}}`, `cause` = the server's
 * exit reason, `noproc`, `{nodedown, Node}`, `calling_self`) or CallTimeout.
 */
export function call(where: Where, dest: Dest, label: Atom, request: unknown, timeout?: Timeout, as?: CalledAs): Promise<unknown> {
  // gen:call's guard: a non-negative integer or infinity (erl: function_clause)
  if (timeout !== undefined && timeout !== 'infinity' && !(Number.isSafeInteger(timeout) && timeout >= 0))
    return Promise.reject(new BadArg(`call: timeout must be a non-negative integer (ms) or 'infinity', not ${String(timeout)}`));
  return inProcess(where, async (ctx) => {
    const mfa = calledAs(dest, request, timeout, as);
    const server = serverTerm(dest);
    const global = whereGlobal(ctx, dest);
    if (global === null) throw new CallError(t(noproc, mfa), noproc, server, request, ctx.self.node);
    if (global !== undefined) dest = global;
    if (isSelf(ctx, dest)) throw new CallError(t(calling_self, mfa), calling_self, server, request, ctx.self.node);
    const node = nodeOf(ctx, dest);
    const alias = aliasesTo(ctx, node);
    // gen's {alias, demonitor}: active until the demonitor after the reply, as in OTP (a second reply
    // that came before it stays in the mailbox; one after it is dropped)
    const mref = ctx.monitor(monitorTarget(dest), alias ? { alias: 'demonitor' } : undefined);
    try {
      ctx.send(dest, t(label, t(ctx.self, alias ? aliasTag(mref) : mref), request as never));
    } catch (e) {
      if (!(e instanceof BadArg)) throw e;
      // unknown name: the monitor already queued a 'DOWN' noproc
    }
    const msg = await ctx.receive((m) => isReplyOrDown(m, mref), timeout === 'infinity' ? undefined : (timeout ?? 5000));
    if (msg === TIMEOUT) {
      ctx.demonitor(mref, { flush: true }); // also deactivates the alias: a later reply is dropped
      // gen:do_call's last look: a reply that came in as the time ran out is taken, not left queued
      const last = await ctx.receive((m) => isReplyOrDown(m, mref), 0);
      if (last !== TIMEOUT) return (last as Tuple).elements[1];
      throw new CallTimeout(t(atom('timeout'), mfa), server, request, ctx.self.node);
    }
    const e = (msg as Tuple).elements;
    if (e.length === 5) {
      const cause = e[4] === noconnection ? t(atom('nodedown'), node) : e[4];
      throw new CallError(t(cause as never, mfa), cause, server, request, ctx.self.node);
    }
    ctx.demonitor(mref, { flush: true });
    return e[1];
  });
}
