/**
 * beamctl's connection: a hidden node (not registered with EPMD) that dials the target over the
 * distribution protocol and calls it with rpc, exactly as an erl shell would. Every failure a
 * script may want to tell apart ends in a CtlError with its exit code (EXIT below).
 */
import { hostname } from 'node:os';
import { ConnectError, startNode, type BeamNode, type DistLogger } from '@beamline/distribution';
import { Tuple, atom, type Term } from '@beamline/etf';

/** beamctl's exit codes (README: "beamctl exit codes"). */
export const EXIT = {
  ok: 0,
  failed: 1, // the command ran and reports failure (an API command answering -ERR, pang)
  usage: 2, // bad command line
  unreachable: 3, // no EPMD, node not registered, connection refused or timed out
  cookie: 4, // the node refused our cookie
  noproc: 5, // no such pid or registered name
  unsupported: 6, // the node lacks what the command needs (not a switchd, Erlang module not loaded)
  aborted: 7, // a kill not confirmed
} as const;

export class CtlError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'CtlError';
  }
}

const silent: DistLogger = { debug() {}, info() {}, warn() {}, error() {} };

const verboseLogger: DistLogger = {
  debug: () => {},
  info: (m) => process.stderr.write(`[dist] ${m}\n`),
  warn: (m) => process.stderr.write(`[dist] warn: ${m}\n`),
  error: (m) => process.stderr.write(`[dist] error: ${m}\n`),
};

/** Our own name: a host of the same kind as the target's (short or long names do not mix). */
export function ctlNodeName(target: string): string {
  const host = target.split('@')[1] ?? 'localhost';
  const alive = `beamctl_${process.pid}`;
  if (host === 'localhost') return `${alive}@localhost`;
  if (host.includes('.')) return `${alive}@${hostname().includes('.') ? hostname() : '127.0.0.1'}`;
  return `${alive}@${hostname().split('.')[0]}`;
}

export interface SessionOptions {
  node: string;
  cookie?: string;
  epmdPort?: number;
  verbose?: boolean;
  timeoutMs?: number;
}

export class Session {
  private constructor(
    readonly node: BeamNode,
    readonly target: string,
    private readonly timeoutMs: number,
  ) {}

  static async open(o: SessionOptions): Promise<Session> {
    if (!o.node.includes('@')) throw new CtlError(`bad node name ${o.node}: give alive@host`, EXIT.usage);
    let node: BeamNode;
    try {
      node = await startNode({
        name: ctlNodeName(o.node),
        hidden: true,
        epmd: 'none',
        logger: o.verbose ? verboseLogger : silent,
        ...(o.cookie === undefined ? {} : { cookie: o.cookie }),
        ...(o.epmdPort === undefined ? {} : { epmdPort: o.epmdPort }),
      });
    } catch (e) {
      throw new CtlError(`cannot start beamctl's node: ${(e as Error).message}`, EXIT.usage);
    }
    try {
      await node.transport.connect(o.node);
    } catch (e) {
      await node.stop();
      throw connectFailure(o.node, e, o.epmdPort);
    }
    return new Session(node, o.node, o.timeoutMs ?? 10_000);
  }

  /** rpc:call; `{badrpc, _}` becomes a CtlError (undef: `unsupported`). */
  async rpc(module: string, fun: string, args: Term[], timeoutMs = this.timeoutMs): Promise<Term> {
    const r = await this.node.rpc(this.target, module, fun, args, timeoutMs);
    if (r instanceof Tuple && r.elements[0] === atom('badrpc')) throw badrpc(this.target, module, fun, args.length, r.elements[1], timeoutMs);
    return r;
  }

  async close(): Promise<void> {
    await this.node.stop();
  }
}

function connectFailure(target: string, e: unknown, epmdPort: number | undefined): CtlError {
  if (!(e instanceof ConnectError)) return new CtlError(`cannot connect to ${target}: ${(e as Error).message}`, EXIT.unreachable);
  const host = target.split('@')[1];
  const port = epmdPort ?? (Number(process.env.ERL_EPMD_PORT) || 4369);
  switch (e.failure) {
    case 'bad_cookie':
      return new CtlError(`${target} refused our cookie (wrong cookie): give --cookie, or set the one in ~/.erlang.cookie`, EXIT.cookie);
    case 'no_epmd':
      return new CtlError(`node ${target} is unreachable: no EPMD answers on ${host}:${port} (is it running? --epmd-port?)`, EXIT.unreachable);
    case 'not_registered':
      return new CtlError(
        `node ${target} is unreachable: EPMD on ${host}:${port} does not know it (not running, or another name?)`,
        EXIT.unreachable,
      );
    case 'bad_name':
      return new CtlError(`bad node name ${target}: ${e.message}`, EXIT.usage);
    default:
      return new CtlError(`node ${target} is unreachable: ${e.failure} (${e.message})`, EXIT.unreachable);
  }
}

function badrpc(target: string, m: string, f: string, arity: number, reason: Term, timeoutMs: number): CtlError {
  if (reason === atom('nodedown')) return new CtlError(`node ${target} went down during ${m}:${f}`, EXIT.unreachable);
  if (reason === atom('timeout'))
    return new CtlError(
      `no answer from ${target} to ${m}:${f} within ${timeoutMs / 1000} s; it may still be running there (an originate waits for its timeout: --timeout <seconds> waits longer)`,
      EXIT.unreachable,
    );
  const inner = reason instanceof Tuple && reason.elements[0] === atom('EXIT') ? reason.elements[1] : reason;
  const undef = inner === atom('undef') || (inner instanceof Tuple && inner.elements[0] === atom('undef'));
  if (undef) return new CtlError(`${target} has no ${m}:${f}/${arity}`, EXIT.unsupported);
  return new CtlError(`${m}:${f} on ${target} failed: ${String(inner)}`, EXIT.failed);
}
