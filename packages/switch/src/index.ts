/**
 * @beamline/switch: a FreeSWITCH-style call-control core: the pure foundations — event
 * model and formats, hangup causes, the channel state machine, channel data, dial strings, the
 * XML dialplan's matching and `${...}` expansion, an XML loader — and the processes on top: the
 * switch's supervision tree, the event bus, channel processes, endpoints, applications and API
 * commands. The whole public surface is listed here; README.md says what each part guarantees and what comes next.
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
  cloneProfile,
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
export { MediaTable, type AudioCodecName, type AudioFrame, type MediaPort } from './media/media_table.ts';
export { alawToLinear, alawToUlaw, linearToAlaw, linearToUlaw, ulawToAlaw, ulawToLinear } from './media/g711.ts';
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
export { USER_ENDPOINT } from './endpoints/user.ts';
export { type DirectorySource, type DirectoryUser, locateUser, userIn } from './config/directory.ts';
export { BUILTIN_ENDPOINTS, ERROR_ENDPOINT, LOOPBACK_ENDPOINT, NULL_ENDPOINT } from './endpoints/builtin.ts';
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
export { bytesText, textBytes } from './internal/byte_text.ts';
export { caseEqual, separateString, switchTrue, urlDecode, urlDecodeBytes, urlEncode } from './internal/strings.ts';
export { formatLocalDate, formatRfc822, systemUtcOffsetMinutes } from './internal/time.ts';

// -- processes: the switch, its core services, channels, applications, API ------------------------
export { startSwitch, Switch, type SwitchOptions } from './switch.ts';
export { ChatInterfaces, type ChatArgs, type ChatInterface } from './chat/chat.ts';
export type { ChannelMessage } from './chat/channel_message.ts';
export { SwitchCore, type CoreOptions, type SwitchLogLevel, type SwitchLogLine } from './core/core.ts';
export { makeIdentity, VERSION, type SwitchIdentityOptions } from './core/identity.ts';
export { SessionTable } from './core/sessions.ts';
export { GlobalVariables } from './core/globals.ts';
export { CHANNEL_COLUMNS, ChannelTable, type ChannelRow } from './core/channel_table.ts';
export { REGISTRATION_COLUMNS, RegistrationTable, type RegistrationReport, type RegistrationRow } from './core/registrations.ts';
export { DEFAULT_QUEUE_CAPACITY, EventBus, type EventBusOptions, type EventSubscription, type SubscribeOptions } from './events/bus.ts';
export { callingSite } from './events/calling.ts';
export {
  Channel,
  type ChannelServices,
  type ChannelSpec,
  type Endpoint,
  type EndpointChannel,
  type EndpointInterface,
  type OutgoingChannel,
  type OutgoingRequest,
} from './channel/channel.ts';
export { ChannelServer, type ChannelArgs, type ChannelCall, type ChannelCast } from './channel/server.ts';
export { nullEndpoint } from './endpoints/null_channel.ts';
export { loopbackA } from './endpoints/loopback_channel.ts';
export { DPTOOLS } from './applications/dptools.ts';
export type { AppChannel, Application, ApplicationRun, DeflectMessage, Interrupter } from './applications/types.ts';
export { fetchingDialplan, staticDialplan, xmlDialplan, type Dialplan, type StaticDialplanTable } from './dialplan/dialplan.ts';
export { XML_SECTIONS, XmlBindings, type XmlFetchRequest, type XmlSearchFunction, type XmlSectionName } from './config/xml_fetch.ts';
export { ApiRegistry, splitCommand, trimWs, type ApiCommand, type ApiEnv, type ApiFunction, type ApiHost, type ApiResult } from './api/registry.ts';
export { CORE_COMMANDS, formatUptime } from './api/core_commands.ts';
export { UUID_COMMANDS } from './api/uuid_commands.ts';
export { MEDIA_COMMANDS } from './api/media_commands.ts';
export { SHOW_USAGE, showCommands } from './api/show.ts';
export { ORIGINATE_COMMAND, originate } from './api/originate.ts';

// -- calls: originate with several legs, bridge, timestamps -------------------------------------------
export { originateCall } from './originate/originate.ts';
export { createLeg, sanitizeNumber, type LegResult } from './originate/legs.ts';
export type {
  LegReport,
  LegStatus,
  OriginateApiProfile,
  OriginateCaller,
  OriginateCancel,
  OriginateRequest,
  OriginateResult,
  OriginateWinner,
} from './channel/originate_types.ts';
export { Bridge, type BridgeHost } from './channel/bridge.ts';
export { BRIDGE_APP } from './applications/bridge.ts';
export { DIALSTATUS, type FailureOutcome, handleCause } from './channel/handle_cause.ts';
export { timestampVariables, type TimestampInput } from './channel/timestamps.ts';

// -- config and logging ------------------------------------------------------------------------------
export { aclCheck, autoAclLists, cidrNode, hostMaskNode, parseAclConf, parseIpv4, type AclList, type AclNode } from './config/acl.ts';
export {
  ConfError,
  configuration,
  expandDollarVars,
  globFiles,
  loadConf,
  preprocess,
  section,
  settingsOf,
  type LoadedConf,
  type Preprocessed,
} from './config/conf.ts';
export { LOG_DISABLE, LOG_INVALID, LOG_LEVEL_NAMES, formatLogLine, logLevel2Str, logPasses, logStr2Level, type LogLineParts } from './log/levels.ts';
export { LiveConf, aclCommand, reloadaclCommand, reloadxmlCommand, startConf, type ExplicitSettings } from './config/live.ts';
export { coreSettings, type CoreSettings } from './config/switch_conf.ts';
export { Logger, type LogRecord, type LogSubscription, type LoggerOptions } from './log/logger.ts';
export { CTL_SYNTAX, FSCTL_COMMAND, fireTrap } from './api/fsctl.ts';
export type { CoreControl, StopRequest } from './core/control.ts';
export { SessionLimits, type LimitsSnapshot } from './core/limits.ts';
export { type CpuTimes, IdleCpuMeter, systemCpuTimes } from './core/idle_cpu.ts';
export { addCoreTasks, heartbeatEvent } from './core/heartbeat.ts';
export { Scheduler, coreScheduler, type SchedulerTask, type TaskFlags, type TaskFunction } from './core/scheduler.ts';
export { sessionReaper, type ReaperWatch } from './core/reaper.ts';
