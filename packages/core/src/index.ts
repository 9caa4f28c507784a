/** @beamline/core: Erlang processes for Node.js. See API.md. */
export { Runtime, consoleLogger, type RuntimeOptions } from './runtime.ts';
export { RealClock, TestClock, type Clock, type TimerHandle } from './clock.ts';
export {
  TIMEOUT,
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
  type SpawnOptions,
  type TimerRef,
  type TreeNode,
} from './types.ts';
export { normal, kill, killed, shutdown, noproc, noconnection, timeout, EXIT, DOWN } from './atoms.ts';
export { ExitError, CallError, CallTimeout, BadArg, formatTerm } from './errors.ts';
export { GenServer, GenServerProcess, From, type InitResult, type CallResult, type CastResult } from './gen_server.ts';
export { call as genCall, type Caller, type Timeout } from './gen.ts';
export { sys, type SysStatus, type SysStatistics } from './sys.ts';
export { RemoteInbound, type RemoteRouter, type RemoteName } from './remote.ts';
export { refEquals, refKey, pidEquals, pidKey } from './refs.ts';
// Behaviours built on GenServer by the supervisor engineer (supervisor.ts, state_machine.ts).
export * from './supervisor.ts';
export * from './state_machine.ts';
