/**
 * @beamline/core: Erlang processes for Node.js. The whole public surface is listed here; see
 * API.md. Everything under ./internal is machinery.
 */
export { Runtime, type RuntimeOptions } from './internal/runtime.ts';
export { RealClock, TestClock, type Clock, type TimerHandle } from './internal/basics/clock.ts';
export { consoleLogger } from './internal/basics/logger.ts';
export {
  TIMEOUT,
  type AliasMode,
  type AliasOptions,
  type AsyncProcess,
  type CrashReport,
  type Dest,
  type Logger,
  type MonitorInfo,
  type MonitorTarget,
  type ProcessBehaviour,
  type ProcessCode,
  type ProcessContext,
  type ProcessInfo,
  type ProcessStatus,
  type ProgressReport,
  type SpawnOptions,
  type SupervisorReport,
  type TimerRef,
  type TreeNode,
  type WarningReport,
} from './internal/basics/types.ts';
export { DOWN, EXIT, kill, killed, noconnection, noproc, normal, shutdown, timeout } from './internal/basics/atoms.ts';
export { BadArg, CallError, CallTimeout, ErlangError, ExitError, StartError } from './internal/basics/errors.ts';
export { pidEquals, pidKey, refEquals, refKey } from './internal/basics/refs.ts';
export { From, call as genCall, inProcess, type Timeout, type Where } from './internal/gen.ts';
export { sys, type SysStatistics, type SysStatus } from './internal/sys.ts';
export type { RemoteInbound } from './internal/services/remote.ts';
export type { RemoteName, RemoteRouter, SysStateForm } from './internal/services/remote_router.ts';
export {
  GenServer,
  ignore,
  noreply,
  ok,
  reply,
  stop,
  type CallResult,
  type FormatStatus,
  type ResultOptions,
  type GenServerStartOptions,
  type InitResult,
  type NoReplyResult,
  type ServerPid,
} from './gen_server.ts';
export {
  Supervisor,
  type ChildCounts,
  type ChildInfo,
  type ChildResult,
  type StartChildResult,
  type SupervisorStartOptions,
} from './supervisor/supervisor.ts';
export type {
  AutoShutdown,
  ChildSpec,
  ChildType,
  RestartType,
  Shutdown,
  StartFn,
  Strategy,
  SupFlags,
} from './supervisor/policy.ts';
/** `normal`, `shutdown` or `{shutdown, _}`: an exit a supervisor does not report. */
export { isCleanExit } from './supervisor/policy.ts';
export { formatSupervisionTree, supervisionTree, type SupervisionNode } from './supervisor/tree.ts';
export { StateMachine, effect, type ActionInfo, type EffectFn, type MachinePid, type StateMachineOptions } from './state_machine.ts';
