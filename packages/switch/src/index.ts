/**
 * @beamline/switch: a FreeSWITCH-style call-control core. So far the pure foundations — event
 * model and formats, hangup causes, the channel state machine, channel data, dial strings, the
 * XML dialplan's matching and `${...}` expansion, and an XML loader. The whole public surface is
 * listed here; README.md says what each part guarantees and what comes next.
 */
export { EVENT_NAMES, eventId, eventName, nameEvent, takesSubclass, type EventTypeName } from './events/types.ts';
export {
  SwitchEvent,
  stampedEvent,
  type CallingSite,
  type EventHeader,
  type EventStamp,
  type HeaderStack,
  type SwitchIdentity,
} from './events/event.ts';
export { serializeJson, serializePlain, serializeXml } from './events/serialize.ts';
export { CAUSES, Cause, causeName, causeNumber, causeQ850, parseCause, type CauseName } from './channel/causes.ts';
export {
  CALL_STATES,
  CHANNEL_STATES,
  REQUESTABLE_STATES,
  answerState,
  callStateName,
  callStateNumber,
  isDownState,
  parseCallState,
  parseState,
  stateNumber,
  type AnswerState,
  type CallDirection,
  type CallStateName,
  type ChannelStateName,
  type RequestableState,
} from './channel/states.ts';
export {
  ALLOWED_TRANSITIONS,
  channelMachine,
  effectsOf,
  transitionVerdict,
  viewOf,
  type ChannelContext,
  type ChannelEffect,
  type ChannelEvent,
  type ChannelInput,
  type ChannelOperation,
  type ChannelView,
  type FireParams,
  type Indication,
  type LogLevelName,
  type ProfileTime,
} from './channel/machine.ts';
export {
  DEFAULT_CLID_NAME,
  DEFAULT_CLID_NUMBER,
  NO_TIMES,
  addProfileHeaders,
  profileField,
  type CallerProfile,
  type ProfileTimes,
} from './channel/profile.ts';
export { channelVariable, newVariables, type VariableSources } from './channel/variables.ts';
export {
  VARIABLE_EVENT_TYPES,
  addBasicChannelData,
  addChannelData,
  addExtendedChannelData,
  type ChannelSnapshot,
  type CodecInfo,
  type ExtendedDataOptions,
} from './channel/data.ts';
export {
  ENTERPRISE_DELIMITER,
  getVar,
  legVars,
  parseDialString,
  setVar,
  type DialLeg,
  type DialString,
  type DialStringResult,
  type EnterpriseDialString,
  type VarList,
} from './endpoints/dial_string.ts';
export { parseLoopbackTarget, type LoopbackTarget } from './endpoints/loopback.ts';
export { parseNullTarget, type NullTarget } from './endpoints/null.ts';
export { errorEndpointCause } from './endpoints/error.ts';
export {
  ORIGINATE_SYNTAX,
  ORIGINATE_USAGE,
  parseOriginateArgs,
  type OriginateArgs,
  type OriginateArgsResult,
  type OriginateTarget,
} from './api/originate_args.ts';
export { expandVariables, type ExpandEnv } from './dialplan/expand.ts';
export { asteriskToRegex, captures, regexPerform, substitute, type RegexResult } from './dialplan/regex.ts';
export {
  huntDialplan,
  type DialplanApplication,
  type DialplanEnv,
  type Extension,
  type HuntResult,
} from './dialplan/xml_match.ts';
export { XmlSyntaxError, attr, child, children, findChild, parseXml, type XmlElement } from './config/xml.ts';
export { separateString, switchTrue, urlDecode, urlEncode } from './internal/strings.ts';
export { formatLocalDate, formatRfc822, systemUtcOffsetMinutes } from './internal/time.ts';
