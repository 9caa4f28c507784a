/**
 * The module registry: TS functions a node exports under an Erlang module name so that
 * `rpc:call(TsNode, M, F, A)`, `erpc:*` and the legacy `rex` calls can reach them.
 *
 *   node.exportModule('beamline', { ping: () => atom('pong'), 'add/2': (a, b) => a + b });
 *
 * A key `f` accepts any arity; a key `f/N` only arity N (and wins over `f`). A function returns a
 * term (or a promise of one); `undefined` becomes `ok`, other JS values are mapped as messages are
 * (wire_values.ts: booleans → atoms, objects → maps, ...), and a value with no Erlang form makes
 * the call fail with `error({not_encodable, Kind, Path})`. To leave the way Erlang code does,
 * throw `erlThrow(V)` (`throw(V)`), `erlExit(R)` (`exit(R)`, as does core's `ExitError`, and a
 * failed `GenServer.call`) or `erlError(R)` (`error(R)`, as does core's `ErlangError`, e.g.
 * `BadArg`); any other thrown value is an `error` with reason `{js_error, <<"Name: message">>}`.
 *
 * `erlang:apply(Fun, Args)` (what `erpc:call(Node, Fun)` and `spawn(Node, Fun)` ask for) runs an
 * external fun `fun M:F/A` the registry exports; an Erlang local fun cannot run here and fails with
 * `undef`, in the shape OTP gives on a node that lacks the fun's code.
 */
import { Atom, ErlMap, ExportFun, OpaqueFun, type Tuple, atom, t, type Term } from '@beamline/etf';
import { ErlangError, ExitError } from '@beamline/core';
import { NotEncodableError, toWireTerm } from './wire_values.ts';

/** What an exported function sees as `this` (use a `function`, not an arrow, to get it). */
export interface CallContext {
  /** The module, function and arguments being called. */
  readonly module: Atom;
  readonly fun: Atom;
  readonly args: readonly Term[];
  /** The process the call runs in (a `ProcessContext` of @beamline/core), when there is one. */
  readonly process?: unknown;
}

export type ExportedFunction = (this: CallContext, ...args: any[]) => unknown;
export type ModuleExports = Record<string, ExportedFunction>;

/** Base class of the three Erlang exception classes a TS function can raise on purpose. */
export class ErlangException extends Error {
  constructor(
    readonly errorClass: 'throw' | 'exit' | 'error',
    readonly value: Term,
  ) {
    super(`${errorClass}: ${String(value)}`);
    this.name = 'ErlangException';
  }
}
export const erlThrow = (value: Term): ErlangException => new ErlangException('throw', value);
export const erlExit = (reason: Term): ErlangException => new ErlangException('exit', reason);
export const erlError = (reason: Term): ErlangException => new ErlangException('error', reason);

/**
 * An error whose stack frame names the arguments, as erts' frames do for a BIF's refusal (with
 * `error_info`, below) and for a function clause that does not match.
 */
export class ArgsError extends ErlangException {
  constructor(
    reason: Term,
    /** true: a BIF's (argsFrame below); a map: this `error_info`; false: none. */
    readonly errorInfo: boolean | ErlMap,
  ) {
    super('error', reason);
    this.name = 'ArgsError';
  }
}
/** `error(badarg)`, what a BIF raises for a wrong argument. */
export const badarg = (): ErlangException => new ArgsError(atom('badarg'), true);
/** `error(function_clause)`, what an Erlang function's heads raise for arguments none of them takes. */
export const functionClause = (): ErlangException => new ArgsError(atom('function_clause'), false);

/**
 * The frame of a function that raised on its arguments: `{M, F, Args, []}`, and for a BIF
 * `{M, F, Args, [{error_info, #{module => ErrorsModule}}]}`, the module that formats its errors
 * for the shell (erts' BIFs: erl_erts_errors; os': erl_kernel_errors).
 */
export function argsFrame(module: Atom, fun: Atom, args: Term[], errorInfo: boolean | ErlMap = true): Tuple {
  if (errorInfo === false) return t(module, fun, args, []);
  const errors = atom(module.name === 'os' ? 'erl_kernel_errors' : 'erl_erts_errors');
  const info = errorInfo === true ? new ErlMap([[atom('module'), errors]]) : errorInfo;
  return t(module, fun, args, [t(atom('error_info'), info)]);
}

/** How a call ended, in Erlang's terms. */
export type Outcome =
  | { kind: 'return'; value: Term }
  | { kind: 'throw'; value: Term }
  | { kind: 'exit'; reason: Term }
  | { kind: 'error'; reason: Term; stack: Term };

const A_OK = atom('ok');
const A_TRUE = atom('true');
const A_FALSE = atom('false');
const A_UNDEF = atom('undef');
const A_BADRPC = atom('badrpc');
const A_EXIT = atom('EXIT');
const A_RETURN = atom('return');
const A_THROW = atom('throw');
const A_ERROR = atom('error');
const A_EXIT_CLASS = atom('exit');
const A_JS_ERROR = atom('js_error');
const A_ERLANG = atom('erlang');
const A_APPLY = atom('apply');
const A_BADARG = atom('badarg');
const A_BADARITY = atom('badarity');
const A_NOCATCH = atom('nocatch');

/**
 * What an exported function returned, as the term the caller gets: `undefined` is `ok` (a "void"
 * function), everything else is mapped as a message is (wire_values.ts). Throws NotEncodableError.
 */
export function toTerm(v: unknown): Term {
  if (v === undefined) return A_OK;
  if (v === true) return A_TRUE;
  if (v === false) return A_FALSE;
  return toWireTerm(v);
}

export class ModuleRegistry {
  private readonly modules = new Map<string, Map<string, ExportedFunction>>();

  /** Export (or replace) module `name`. */
  exportModule(name: string, fns: ModuleExports): void {
    const table = new Map<string, ExportedFunction>();
    for (const [key, fn] of Object.entries(fns)) {
      if (typeof fn !== 'function') throw new TypeError(`exportModule(${name}): ${key} is not a function`);
      if (!/^[^/]+(\/\d+)?$/.test(key)) throw new TypeError(`exportModule(${name}): bad key ${key} (use f or f/N)`);
      table.set(key, fn);
    }
    this.modules.set(name, table);
  }

  unexportModule(name: string): boolean {
    return this.modules.delete(name);
  }

  has(module: string): boolean {
    return this.modules.has(module);
  }

  /** Names of the exported modules. */
  list(): string[] {
    return [...this.modules.keys()];
  }

  lookup(module: string, fun: string, arity: number): ExportedFunction | undefined {
    const m = this.modules.get(module);
    if (!m) return undefined;
    return m.get(`${fun}/${arity}`) ?? m.get(fun);
  }

  /**
   * Run `M:F(Args)` and report how it ended. Never throws: an unknown function is
   * `error:undef` with the stack OTP reports, `[{M, F, Args, []}]`; `erlang:apply(Fun, Args)` is
   * `apply`.
   */
  async invoke(module: Atom, fun: Atom, args: Term[], process?: unknown): Promise<Outcome> {
    if (module === A_ERLANG && fun === A_APPLY && args.length === 2) return this.apply(args[0], args[1], process, true);
    if (module === A_ERLANG && fun === A_APPLY && args.length === 3) return this.apply3(args[0], args[1], args[2], process);
    const fn = this.lookup(module.name, fun.name, args.length);
    if (!fn) return { kind: 'error', reason: A_UNDEF, stack: [t(module, fun, args, [])] };
    const self: CallContext = { module, fun, args, process };
    try {
      return { kind: 'return', value: toTerm(await fn.apply(self, args)) };
    } catch (e) {
      return outcomeOf(e, module, fun, args);
    }
  }

  /**
   * `erlang:apply(M, F, Args)` (`rpc:call(N, erlang, apply, [M, F, A])`): `M:F(Args)`, whose
   * `undef` stack ends with `{erlang, apply, 3, []}` as in OTP; anything but two atoms and a
   * proper list is `badarg`.
   */
  private async apply3(m: Term, f: Term, args: Term, process?: unknown): Promise<Outcome> {
    if (!(m instanceof Atom && f instanceof Atom && Array.isArray(args))) {
      return { kind: 'error', reason: A_BADARG, stack: [argsFrame(A_ERLANG, A_APPLY, [m, f, args])] };
    }
    const outcome = await this.invoke(m, f, args, process);
    if (outcome.kind === 'error' && outcome.reason === A_UNDEF && !this.lookup(m.name, f.name, args.length)) {
      return { ...outcome, stack: [...(outcome.stack as Term[]), t(A_ERLANG, A_APPLY, 3, [])] };
    }
    return outcome;
  }

  /**
   * `erlang:apply(Fun, Args)`: a `fun M:F/A` runs the exported function; a local Erlang fun cannot
   * run here, so it is `error:undef` with OTP's stack for a fun whose code is not loaded,
   * `[{Fun, Args, []}]`; a wrong argument count is `{badarity, {Fun, Args}}`, anything else that
   * is not a fun and a list `badarg`. `viaApply`: called as `erlang:apply/2` (rpc, erpc), whose
   * frame `{erlang, apply, 2, []}` ends the stack, as in OTP; a spawned process has none.
   */
  async apply(fun: Term, args: Term, process?: unknown, viaApply = false): Promise<Outcome> {
    const tail: Term[] = viaApply ? [t(A_ERLANG, A_APPLY, 2, [])] : [];
    if (!(fun instanceof ExportFun || fun instanceof OpaqueFun) || !Array.isArray(args)) {
      return { kind: 'error', reason: A_BADARG, stack: [argsFrame(A_ERLANG, A_APPLY, [fun, args]), ...tail] };
    }
    if (fun.arity !== args.length) return { kind: 'error', reason: t(A_BADARITY, t(fun, args)), stack: tail };
    if (fun instanceof ExportFun) {
      if (this.lookup(fun.module.name, fun.name.name, args.length)) return this.invoke(fun.module, fun.name, args, process);
      return { kind: 'error', reason: A_UNDEF, stack: [t(fun.module, fun.name, args, []), ...tail] };
    }
    return { kind: 'error', reason: A_UNDEF, stack: [t(fun, args, []), ...tail] };
  }
}

/** Turn a thrown JS value into an Erlang exception outcome. */
export function outcomeOf(e: unknown, module: Atom, fun: Atom, args: Term[]): Outcome {
  const stack: Term = [t(module, fun, args.length, [])];
  if (e instanceof ErlangException) {
    if (e.errorClass === 'throw') return { kind: 'throw', value: e.value };
    if (e.errorClass === 'exit') return { kind: 'exit', reason: e.value };
    return { kind: 'error', reason: e.value, stack: e instanceof ArgsError ? [argsFrame(module, fun, args, e.errorInfo)] : stack };
  }
  // `exit(Reason)` the runtime's way, or a failed GenServer.call (CallError / CallTimeout carry
  // Erlang's `{Reason, {gen_server, call, [...]}}`, as gen_server:call exits).
  if (e instanceof ExitError) return { kind: 'exit', reason: e.reason as Term };
  // `error(Reason)` the runtime's way (BadArg, NotEncodableError, ...)
  if (e instanceof ErlangError) return { kind: 'error', reason: errorReason(e), stack };
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { kind: 'error', reason: t(A_JS_ERROR, text), stack };
}

/** An ErlangError's reason as a term (one with no Erlang form is itself not encodable). */
function errorReason(e: ErlangError): Term {
  try {
    return toWireTerm(e.reason);
  } catch (err) {
    if (err instanceof NotEncodableError) return err.reason as Term;
    throw err;
  }
}

/**
 * The exit reason of a process spawned to run `M:F(Args)` (`spawn(Node, M, F, A)`,
 * `spawn(Node, Fun)`), as OTP's: `normal` after a return, `{{nocatch, V}, Stack}` after a throw,
 * `{Reason, Stack}` after an error, `R` after `exit(R)`. `undefined`: normal.
 */
export function spawnExitReason(o: Outcome, module: Atom, fun: Atom, arity: number): Term | undefined {
  switch (o.kind) {
    case 'return':
      return undefined;
    case 'throw':
      return t(t(A_NOCATCH, o.value), [t(module, fun, arity, [])]);
    case 'exit':
      return o.reason;
    case 'error':
      return t(o.reason, o.stack);
  }
}

/**
 * The exit reason `erpc:execute_call/4` gives its process (spec §4.8); the caller's erpc turns it
 * back into a return value or an exception.
 */
export function erpcExitReason(ref: Term, o: Outcome): Tuple {
  switch (o.kind) {
    case 'return':
      return t(ref, A_RETURN, o.value);
    case 'throw':
      return t(ref, A_THROW, o.value);
    case 'exit':
      return t(ref, A_EXIT_CLASS, o.reason);
    case 'error':
      return t(ref, A_ERROR, o.reason, o.stack);
  }
}

/**
 * What `catch apply(M, F, A)` gives, which is what `rex` answers to `{call, M, F, A, GL}`:
 * the value, a thrown value as is, `{badrpc, {'EXIT', Reason}}` for exits and
 * `{badrpc, {'EXIT', {Reason, Stack}}}` for errors.
 */
export function rexResult(o: Outcome): Term {
  switch (o.kind) {
    case 'return':
      return o.value;
    case 'throw':
      return o.value;
    case 'exit':
      return t(A_BADRPC, t(A_EXIT, o.reason));
    case 'error':
      return t(A_BADRPC, t(A_EXIT, t(o.reason, o.stack)));
  }
}
