/**
 * @beamline/erlang-event: FreeSWITCH's mod_erlang_event on @beamline/switch and
 * @beamline/distribution — the switch node behaves as `freeswitch@host` does towards Erlang.
 *
 *   const fs = await startErlangEvent({ confDir: 'conf' });   // node + switch + module
 *   // or, on a node and switch you started: await load(sw, node, config)
 *
 * README.md says what works and where it deviates from the original module. The surface is
 * what a host needs: start or load the module, its configuration, the handle `load` returns
 * (a type: only `load` makes one), the outbound seam (`LoadOptions.calls`) and the event term.
 */
export {
  DEFAULTS,
  configFromXml,
  fullNodeName,
  parseConfig,
  type ConfigEnv,
  type Encoding,
  type ErlangEventConfig,
  type EventFormat,
  type FilterSemantics,
} from './config.ts';
export { load, startErlangEvent, systemConfigEnv, type StartOptions, type Started } from './start.ts';
export type { ErlangEvent, LoadOptions } from './module.ts';
export {
  NO_CALL_CONTROL,
  type CallControl,
  type CallListener,
  type HandlecallResult,
  type SessionOp,
} from './outbound/call_control.ts';
/**
 * An event as handlers receive it (`{event, [UUID | Headers]}`), string or binary encoding. In binary
 * encoding a binary may be a `Uint8Array` or a JS string (which etf encodes as its UTF-8 bytes).
 */
export { eventTerm } from './encode.ts';
