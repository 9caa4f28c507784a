/**
 * The `beamline` module every node exports for rpc: what `beamctl` reads, and what a plain erl
 * shell can call as well.
 *
 *   rpc:call(N, beamline, ping, [])          -> pong
 *   rpc:call(N, beamline, tree, [])          -> [#{pid, id, type, restart, restarts, behaviour, name, mailbox, children, ...}]
 *   rpc:call(N, beamline, ps, [])            -> [#{pid, name, behaviour, status, mailbox, messages_in, messages_out, memory, supervised}]
 *   rpc:call(N, beamline, info, [Target])    -> #{...} | undefined
 *   rpc:call(N, beamline, kill, [Target, R]) -> ok | {error, noproc}
 *   rpc:call(N, beamline, registered, [])    -> [atom()]
 *
 * A Target is a pid, a registered name (atom, binary or string) or a pid's text (`"<0.42.0>"`,
 * as beamctl and erl print it). Everything is read synchronously from the runtime: one
 * consistent snapshot, no messages to the processes inspected.
 */
import { Atom, ErlMap, Pid, atom, t, text, type Term } from '@beamline/etf';
import { type ProcessContext, type ProcessInfo, type Runtime, type SupervisionNode, supervisionTree } from '@beamline/core';
import type { CallContext, ModuleExports } from './exports.ts';
import { toWireTerm } from './wire_values.ts';

const A_UNDEFINED = atom('undefined');
const A_OK = atom('ok');
const A_ERROR = atom('error');
const A_NOPROC = atom('noproc');

/**
 * A rough size of a process in bytes: a fixed record, its links and monitors, and its queued
 * messages at a nominal size each. JavaScript gives no per-process heap; this ranks processes,
 * it does not measure them.
 */
export function memoryEstimate(info: ProcessInfo): number {
  return 512 + 48 * (info.links.length + info.monitors.length + info.monitoredBy.length) + 128 * info.messageQueueLen;
}

function nameOrUndefined(name: string | undefined): Atom {
  return name === undefined ? A_UNDEFINED : atom(name);
}

/** The pid a Target names on this runtime, or undefined. */
export function resolveTarget(rt: Runtime, target: Term): Pid | undefined {
  if (target instanceof Pid) return target.node === rt.node ? target : undefined;
  const s = text(target);
  if (s === undefined || s === '') return undefined;
  const m = /^<(\d+)\.(\d+)\.(\d+)>$/.exec(s.trim());
  if (m === null) return rt.whereis(s);
  const id = Number(m[2]);
  const serial = Number(m[3]);
  // `<0.N.S>` is local; `<X.N.S>` with X > 0 names another node in erl's own numbering, which we cannot map
  if (m[1] !== '0') return undefined;
  return rt.processes().find((p) => p.id === id && p.serial === serial);
}

function supervisedBy(rt: Runtime, info: ProcessInfo): Pid | undefined {
  return info.ancestors.find((a) => rt.processInfo(a)?.behaviour === 'supervisor');
}

function details(d: Record<string, unknown> | undefined): Term {
  if (d === undefined) return A_UNDEFINED;
  try {
    return toWireTerm(d);
  } catch {
    return JSON.stringify(d, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? '';
  }
}

function treeTerm(rt: Runtime, n: SupervisionNode): ErlMap {
  const info = n.pid instanceof Pid ? rt.processInfo(n.pid) : undefined;
  const m = ErlMap.fromObject({
    id: nameOrUndefined(n.id),
    pid: n.pid instanceof Pid ? n.pid : n.pid === 'restarting' ? atom('restarting') : A_UNDEFINED,
    type: atom(n.type),
    restart: nameOrUndefined(n.restart),
    restarts: n.restarts ?? 0,
    behaviour: n.behaviour ?? '',
    name: nameOrUndefined(n.registeredName),
    mailbox: info?.messageQueueLen ?? 0,
    children: (n.children ?? []).map((c) => treeTerm(rt, c)),
  });
  if (n.strategy !== undefined) m.set(atom('strategy'), atom(n.strategy));
  return m;
}

function psRow(rt: Runtime, info: ProcessInfo): ErlMap {
  return ErlMap.fromObject({
    pid: info.pid,
    name: nameOrUndefined(info.registeredName),
    behaviour: info.behaviour,
    status: atom(info.status),
    mailbox: info.messageQueueLen,
    messages_in: info.messagesIn,
    messages_out: info.messagesOut,
    memory: memoryEstimate(info),
    supervisor: supervisedBy(rt, info) ?? A_UNDEFINED,
  });
}

function infoTerm(rt: Runtime, info: ProcessInfo): ErlMap {
  const m = psRow(rt, info);
  m.set(atom('links'), info.links);
  m.set(
    atom('monitors'),
    info.monitors.map((x) => (x.target instanceof Pid ? x.target : t(atom(x.target[0]), atom(x.target[1])))),
  );
  m.set(atom('monitored_by'), info.monitoredBy);
  m.set(atom('trap_exit'), atom(String(info.trapExit)));
  m.set(atom('parent'), info.parent ?? A_UNDEFINED);
  m.set(atom('ancestors'), info.ancestors);
  m.set(atom('details'), details(info.details));
  return m;
}

function reasonTerm(r: Term | undefined): Term {
  if (r === undefined) return atom('kill');
  const s = r instanceof Atom ? undefined : text(r);
  return s === undefined ? r : atom(s);
}

/** The functions of the `beamline` module for `rt`, whose node is `nodeName`. */
export function introspectionModule(rt: Runtime, nodeName: string): ModuleExports {
  return {
    'ping/0': () => atom('pong'),
    'node/0': () => atom(nodeName),
    'tree/0': () => supervisionTree(rt).map((n) => treeTerm(rt, n)),
    'ps/0': () =>
      rt
        .processes()
        .map((p) => rt.processInfo(p))
        .filter((i): i is ProcessInfo => i !== undefined)
        .map((i) => psRow(rt, i)),
    'registered/0': () =>
      rt
        .registered()
        .sort()
        .map((n) => atom(n)),
    'whereis/1': (target: Term) => resolveTarget(rt, target) ?? A_UNDEFINED,
    'info/1': (target: Term) => {
      const pid = resolveTarget(rt, target);
      const info = pid === undefined ? undefined : rt.processInfo(pid);
      return info === undefined ? A_UNDEFINED : infoTerm(rt, info);
    },
    'kill/1': function (this: CallContext, target: Term) {
      return kill(rt, this, target, undefined);
    },
    'kill/2': function (this: CallContext, target: Term, reason: Term) {
      return kill(rt, this, target, reason);
    },
  };
}

/**
 * exit/2 from the process the call runs in, as `rpc:call(N, erlang, exit, [P, R])` is on an OTP
 * node: from the runtime itself, the signal would reach a top supervisor as its parent's and stop it.
 */
function kill(rt: Runtime, call: CallContext, target: Term, reason: Term | undefined): Term {
  const pid = resolveTarget(rt, target);
  if (pid === undefined || !rt.isAlive(pid)) return t(A_ERROR, A_NOPROC);
  const caller = call.process as ProcessContext | undefined;
  if (typeof caller?.exit === 'function') caller.exit(pid, reasonTerm(reason));
  else rt.exit(pid, reasonTerm(reason));
  return A_OK;
}
