/** Typed errors of the runtime. */
import { Pid, Port, Ref, Tuple, type Atom } from '@beamline/etf';
import { ignore as IGNORE, timeout as TIMEOUT_ATOM, badarg as BADARG } from './atoms.ts';

/**
 * Erlang's `exit(Reason)` as a JS exception. Throwing one from a process makes the process exit
 * with `reason` (not the Error object); `GenServer.call` rejects with one when the call fails.
 */
export class ExitError extends Error {
  constructor(
    readonly reason: unknown,
    message?: string,
  ) {
    super(message ?? `exit: ${formatTerm(reason)}`);
    this.name = 'ExitError';
  }
}

/**
 * A failed `call` (server died, did not exist, node down or timed out). `reason` is Erlang's
 * `{Reason, {gen_server, call, [Server, Request, Timeout]}}`; `cause` is the bare Reason
 * (`noproc`, `timeout`, the server's exit reason, ...).
 */
export class CallError extends ExitError {
  constructor(
    reason: unknown,
    override readonly cause: unknown,
    readonly server: unknown,
    readonly request: unknown,
    /** The caller's node: its pids print as `<0.N.S>` in the message. */
    localNode?: Atom,
  ) {
    super(reason, `call to ${formatTerm(server, localNode)} failed: ${formatTerm(cause, localNode)}`);
    this.name = 'CallError';
  }
}

/** A `call` that got no reply within its timeout (`cause` is the atom `timeout`). */
export class CallTimeout extends CallError {
  constructor(reason: unknown, server: unknown, request: unknown, localNode?: Atom) {
    super(reason, TIMEOUT_ATOM, server, request, localNode);
    this.name = 'CallTimeout';
  }
}

/**
 * An Erlang `error:Reason` exception raised by a runtime call (`link` to a missing process raises
 * `noproc`). Catchable; uncaught, the process exits with it.
 */
export class ErlangError extends Error {
  constructor(
    readonly reason: unknown,
    message?: string,
  ) {
    super(message ?? `error: ${formatTerm(reason)}`);
    this.name = 'ErlangError';
  }
}

/** Erlang's `badarg`: a runtime API misused (name taken, unknown registered name, ...). */
export class BadArg extends ErlangError {
  constructor(message: string) {
    super(BADARG, message);
    this.name = 'BadArg';
  }
}

/**
 * A start (`GenServer.start`, `Supervisor.start`, `StateMachine.start`) that did not give a running
 * process: `reason` is OTP's `{error, Reason}` Reason, or the atom `ignore` when init said
 * ignore (`ignored` is then true).
 */
export class StartError extends Error {
  constructor(readonly reason: unknown) {
    super(reason === IGNORE ? 'start: init returned ignore' : `start failed: ${formatTerm(reason)}`);
    this.name = 'StartError';
  }
  get ignored(): boolean {
    return this.reason === IGNORE;
  }
}

/** Short printable form of a term for messages and logs (pids of `localNode` print as `<0.N.S>`). */
export function formatTerm(term: unknown, localNode?: Atom, depth = 0): string {
  if (depth > 4) return '...';
  if (term instanceof Tuple) return `{${term.elements.map((e) => formatTerm(e, localNode, depth + 1)).join(',')}}`;
  if (Array.isArray(term)) return `[${term.map((e) => formatTerm(e, localNode, depth + 1)).join(',')}]`;
  if (term instanceof Pid || term instanceof Ref || term instanceof Port) return term.format(localNode);
  if (typeof term === 'string') return JSON.stringify(term);
  if (term instanceof Error) return `${term.name}: ${term.message}`;
  if (typeof term === 'symbol') return term.toString();
  if (term !== null && typeof term === 'object' && (term as object).toString === Object.prototype.toString) {
    try {
      return JSON.stringify(term) ?? String(term);
    } catch {
      return '[object]';
    }
  }
  return String(term);
}
