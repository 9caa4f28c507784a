/**
 * @beamline/distribution: makes a @beamline/core runtime a real Erlang node.
 *
 *   const node = await startNode({ name: 'ts@localhost', cookie: 'secret' });
 *
 * See README.md for the node API, joining an OTP cluster, and the deviations from OTP.
 */
export { startNode, BeamNode, type NodeOptions, type NodeEventOut, type Target } from './node.ts';
// what startNode throws for a bad name, cookie or EPMD registration
export { NodeNameError } from './node_name.ts';
export { CookieError } from './cookie.ts';
export { EpmdError } from './epmd_client.ts';
export {
  ModuleRegistry,
  ErlangException,
  erlThrow,
  erlExit,
  erlError,
  type CallContext,
  type ExportedFunction,
  type ModuleExports,
  type Outcome,
  spawnExitReason,
} from './exports.ts';
export { Op, decodeControl, encodeControl, ControlError, type Control, type ControlKind } from './control.ts';
export { Router, wireReason, type ExitInterceptor, type InboundExit, type InboundMessage, type MessageInterceptor } from './router.ts';
export { NotEncodableError, toWireTerm, MAX_WIRE_DEPTH, type NotEncodableKind } from './wire_values.ts';
export * from './transport.ts';
export { DistTransport } from './transport_impl.ts';
export { defaultLogger, MemoryLogger } from './log.ts';
export { GlobalState } from './global.ts';
export { introspectionModule, memoryEstimate, resolveTarget } from './introspection.ts';
