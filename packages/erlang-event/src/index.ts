/**
 * @beamline/erlang-event: FreeSWITCH's mod_erlang_event on @beamline/switch and
 * @beamline/distribution — the switch node behaves as `freeswitch@host` does towards Erlang.
 *
 *   const fs = await startErlangEvent({ confDir: 'conf' });   // node + switch + module
 *   // or, on a node and switch you started: await load(sw, node, config)
 *
 * README.md says what works and where it deviates from the original module.
 */
export {
  DEFAULTS,
  configFromXml,
  fullNodeName,
  paramsOf,
  parseConfig,
  type ConfigEnv,
  type Encoding,
  type ErlangEventConfig,
  type FilterSemantics,
} from './config.ts';
export { ErlangEvent, type LoadOptions } from './module.ts';
export { Listener, type ListenerMessage } from './listener.ts';
export { load, startErlangEvent, systemConfigEnv, type StartOptions, type Started } from './start.ts';
export { eventList, eventTerm, logTerm, s, str, urlDecodeBytes, TEXT_CHANNEL } from './encode.ts';
export {
  NO_CALL_CONTROL,
  type CallControl,
  type CallListener,
  type HandlecallResult,
  type SessionOp,
} from './outbound/call_control.ts';
export { OutboundCalls, type OutboundHost, type OutboundOptions } from './outbound/sessions.ts';
export { outboundApplications, type ApplicationsHost } from './outbound/applications.ts';
export { parseErlangArgs, parseSendmsgArgs, parseTarget, type OutboundTarget } from './outbound/args.ts';
export { sessionMachine, type AttachKind, type ExitPolicy, type SessionEvent, type SessionInput } from './outbound/session_machine.ts';
export { FetchBindings, type FetchHost, sectionBit, sectionLabel, sectionMask } from './fetch/index.ts';
export { Subscription } from './internal/subscription.ts';
export { ERLANG_USAGE, erlangCommand, type ConsoleView, type HandlerView, type ListenerView } from './console.ts';
export { filterCommand, passes, type Filter } from './internal/filters.ts';
export { decodeHeaders, decodeLStr, decodeSB } from './inbound/decode.ts';
export { parseLogLevel } from './inbound/logs.ts';
