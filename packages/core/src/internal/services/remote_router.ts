/**
 * The outbound half of the remote hook: how the runtime talks to @beamline/distribution without
 * knowing about sockets. For any signal to a non-local pid (or a `{Name, Node}` on another node)
 * the runtime calls the installed RemoteRouter; what arrives from the wire comes back through
 * `RemoteInbound` (remote.ts).
 */
import type { Atom, Pid, Ref } from '@beamline/etf';

/** Name on a node: `{Name, Node}`. */
export type RemoteName = [name: Atom, node: Atom];

import type { SysStateForm } from '../basics/types.ts';

export type { SysStateForm };

export interface RemoteRouter {
  /**
   * A message to a remote pid or `{Name, Node}` (`from` is undefined for sends from outside a
   * process). May throw an ErlangError when the message cannot be carried (a value with no wire
   * form): the sender's `send` throws it, and a gen reply (`From.reply`) answers `{error, Reason}`.
   */
  send(from: Pid | undefined, to: Pid | RemoteName, msg: unknown): void;
  /** A message to an alias of a process on another node (ALIAS_SEND); may throw as `send`. */
  aliasSend(from: Pid | undefined, alias: Ref, msg: unknown): void;
  /**
   * Optional: false when the connection to `node` cannot carry ALIAS_SEND (no DFLAG_ALIAS), so
   * gen calls there use a plain ref tag. Absent: aliases assumed.
   */
  canAlias?(node: Atom): boolean;
  /**
   * Optional: which form `node`'s sys reads a get_state reply in (a promise while that is being
   * found out). A GenServer answers a remote `sys:get_state` in it, and `sys.getState` reads a
   * remote server's reply by it. Absent: `'bare'`.
   */
  sysStateForm?(node: Atom): SysStateForm | Promise<SysStateForm>;
  /**
   * Optional: `global:whereis_name(Name)`, for gen's `{global, Name}` (GenServer.call / cast,
   * sys, Supervisor). Absent, or undefined: no such global name.
   */
  whereisGlobal?(name: unknown): Pid | undefined;
  /** Local `from` linked to remote `to` (LINK). */
  link(from: Pid, to: Pid): void;
  /** Local `from` unlinked from remote `to` (UNLINK / UNLINK_ID). */
  unlink(from: Pid, to: Pid): void;
  /** exit/2 from local `from` to remote `to` (EXIT2). */
  exit(from: Pid, to: Pid, reason: unknown): void;
  /** Local `from`, linked to remote `to`, died with `reason` (EXIT). */
  linkExit(from: Pid, to: Pid, reason: unknown): void;
  /** Local `from` monitors remote `target` (MONITOR_P). */
  monitor(from: Pid, target: Pid | RemoteName, ref: Ref): void;
  /** Local `from` drops its monitor `ref` on remote `target` (DEMONITOR_P). */
  demonitor(from: Pid, target: Pid | RemoteName, ref: Ref): void;
  /**
   * Local `target`, monitored by remote `watcher` with `ref`, died with `reason`, or did not exist
   * when the monitor arrived (reason `noproc`) (MONITOR_P_EXIT).
   */
  monitorExit(target: Pid | RemoteName, watcher: Pid, ref: Ref, reason: unknown): void;
}
