/** What an application sees of the channel running it (switch_application_interface). */
import type { ProcessContext } from '@beamline/core';
import type { SessionPeer } from '../channel/session_peer.ts';
import type { DtmfSource } from '../channel/dtmf_queue.ts';
import type { HookPoint } from '../channel/hooks.ts';
import type { PresenceUpdate } from '../channel/presence.ts';
import type { CallerProfile } from '../channel/profile.ts';
import type { ChannelEvent, ChannelView } from '../channel/machine.ts';
import type { ChannelStateName } from '../channel/states.ts';
import type { DirectoryUser } from '../config/directory.ts';
import type { XmlElement } from '../config/xml.ts';
import type { Extension } from '../dialplan/xml_match.ts';
import type { SwitchCore } from '../core/core.ts';
import type { SwitchEvent } from '../events/event.ts';
import type { EventTypeName } from '../events/types.ts';

/** What `uuid_deflect`, `uuid_redirect` and the `deflect` / `redirect` applications ask of an endpoint. */
export interface DeflectMessage {
  readonly id: 'DEFLECT' | 'REDIRECT';
  /** The message's string_arg, as given. */
  readonly uri: string;
}

export interface AppChannel {
  readonly uuid: string;
  readonly name: string;
  readonly core: SwitchCore;
  /** A channel-machine event, performed at once (answer, hangup, …). */
  send(event: ChannelEvent): Promise<void>;
  variable(name: string): string | undefined;
  setVariable(name: string, value: string | undefined): void;
  /** switch_channel_add_variable_var_check with SWITCH_STACK_PUSH / _UNSHIFT: one more item at the end / start of an array variable. */
  pushVariable(name: string, value: string, stack?: 'push' | 'unshift'): void;
  /** switch_channel_set_profile_var: a caller profile field, or a soft one. */
  setProfileVar(name: string, value: string | undefined): void;
  /** CF_VERBOSE_EVENTS: every event of the channel carries its variables. */
  setVerboseEvents(): void;
  /** Fires an event with the channel data (CHANNEL_PARK, …); `post`: headers after the channel data. */
  fire(type: EventTypeName, view?: ChannelView, pre?: readonly (readonly [string, string])[], post?: readonly (readonly [string, string])[]): void;
  /** switch_channel_presence: PRESENCE_IN with the channel data, when it has an id (given, else `presence_id`). */
  presence(update: PresenceUpdate): void;
  /** Calls `fn` after `ms` on the runtime clock (from the channel's own process); returns a cancel. */
  after(ms: number, fn: () => void | Promise<void>): () => void;
  readonly hungUp: boolean;
  /** switch_channel_media_ready: answered or early media. */
  readonly mediaUp: boolean;
  /** Adds the channel data (basic headers and variables) to `event`. */
  addChannelData(event: SwitchEvent): void;
  /** switch_ivr_session_transfer: a new destination, routing again, running applications ended. */
  redirect(destination: string, dialplan?: string, context?: string): Promise<void>;
  /** Park marks the channel parked: queued applications run nested inside it. */
  parked(on: boolean): Promise<void>;
  /** switch_ivr_park_session: CS_PARK requested, the running applications ended. */
  parkSession(): Promise<void>;
  /** switch_channel_set_name: a new channel name (and `channel_name`). */
  setName(name: string): void;
  /** CF_REUSE_CALLER_PROFILE: a session transfer changes the caller profile in place, keeping no history. */
  reuseCallerProfile: boolean;
  /** CF_ZOMBIE_EXEC: at hangup, the extension's remaining applications get their turn. */
  zombieExec: boolean;
  /** The `respond` application's message to the endpoint (a SIP response); false without one. */
  respond(data: string): Promise<boolean>;
  /** SWITCH_MESSAGE_INDICATE_DEFLECT / _REDIRECT to the endpoint (applications/deflect.ts); its reply, if any. */
  deflect(message: DeflectMessage): Promise<string | undefined>;
  /** Transfers the bridged partner (`transfer -bleg/-both`); false when there is none. */
  transferPartner(destination: string, dialplan: string | undefined, context: string | undefined, silent: boolean): Promise<boolean>;
  /** The bridge application: dial, bridge, `done` when the bridge is over; returns the interrupter. */
  bridge(dial: string, done: () => void | Promise<void>): Promise<() => void | Promise<void>>;
  /**
   * switch_ivr_multi_threaded_bridge from the application to the session `other` (already up, its
   * pid and profile looked up): `end` once the bridge is over (the peer left, `peerHungUp` when it
   * hung up); returns the interrupter, which ends the bridge from this side.
   */
  bridgeSession(other: SessionPeer, end: (peerHungUp: boolean, cause: number) => void | Promise<void>): Promise<() => Promise<void>>;
  /** CF_BREAK: true, and cleared, when a break was asked for (a breakable application ends on it). */
  takeBreak(): boolean;
  /**
   * Reads the channel's digits (the queued ones first, then each as it comes, in the channel's
   * process) until the returned function is called.
   */
  readDtmf(reader: (digit: string) => void | Promise<void>): () => void;
  /** switch_channel_has_dtmf: `watcher` runs once a digit waits in the queue, left there; returns the end of waiting. */
  watchDtmf(watcher: () => void | Promise<void>): () => void;
  /** switch_channel_flush_dtmf: the queued digits are dropped. */
  flushDtmf(): void;
  /** switch_channel_queue_dtmf: a digit from the far end (the DTMF event, then whoever reads digits). */
  receiveDtmf(digit: string, duration: number, source?: DtmfSource): void;
  /** switch_core_session_send_dtmf: one digit (`duration` in samples) to the endpoint; false once the channel is down. */
  sendDtmf(digit: string, duration: number, hooked?: boolean, source?: DtmfSource): boolean;
  /**
   * switch_core_event_hook_add_recv_dtmf / _send_dtmf: `hook` sees each digit the far end sends
   * (`recv`, before its DTMF event) and each a bridged partner passes on to it (`send`); false
   * swallows the digit. Digits from uuid_recv_dtmf / uuid_send_dtmf skip the hooks
   * (DTMF_FLAG_SKIP_PROCESS). Returns the removal.
   */
  addDtmfHook(hook: DtmfHook): () => void;
  /** switch_ivr_hold / switch_ivr_unhold / the toggle (channel/channel.ts `hold`); false when refused. */
  hold(mode: 'on' | 'off' | 'toggle'): Promise<boolean>;
  /** The bridged partner's uuid, if any. */
  readonly bridgePartner: string | undefined;
  /**
   * Work in a process of its own (where FreeSWITCH's application would act on other sessions from
   * its thread): it may call other channels, and this one too. `then` gets its result back in this
   * channel's process (not at all if the work throws: that is logged).
   */
  aside<T>(work: (ctx: ProcessContext) => Promise<T>, then?: (value: T) => void | Promise<void>): void;
  /** switch_loadable_module_get_application_interface: whether the switch has the application. */
  hasApplication(name: string): boolean;
  /**
   * switch_core_session_exec: the application nested in the running one (CHANNEL_EXECUTE and
   * _COMPLETE); true when it finished at once, else `then` runs when it does.
   */
  execute(name: string, data: string, then: () => Promise<void>): Promise<boolean>;
  /** switch_channel_expand_variables on the channel (`${api args}` included). */
  expand(text: string): Promise<string>;
  /** switch_api_execute with no session: an API command in a process of its own, its output (undefined: no such command). */
  api(command: string, args: string): Promise<string | undefined> | undefined;
  /** switch_core_session_execute_application_async: the application runs at the channel's next safe point. */
  queueExecute(name: string, data: string): Promise<void>;
  /** switch_xml_locate_language: the `<language>` element of `lang`, logged and undefined when there is none. */
  locateLanguage(lang: string, params: SwitchEvent): Promise<XmlElement | undefined>;
  /** switch_channel_execute_on: the channel's `execute_on_<point>` applications. */
  runExecuteOn(point: HookPoint): Promise<boolean>;
  /** A state-change hook: runs (and is waited for) in the channel's process as it takes up each state, while it returns true. */
  addStateHook(hook: (state: ChannelStateName) => boolean | Promise<boolean>): void;
  /** Ends the running applications, innermost first (what a state change does to their loops in FreeSWITCH). */
  interruptAll(): void;
  /** The channel's state as its events report it (answered, call state, …). */
  readonly view: ChannelView;
  readonly profile: CallerProfile;
  /** The privacy application's caller-profile flags. */
  setProfileFlags(flags: { readonly screen?: boolean; readonly hideName?: boolean; readonly hideNumber?: boolean }): void;
  /** uuid_break on this channel (`all`: its queued applications are dropped too). */
  uuidBreak(all: boolean): void;
  /** switch_core_session_execute_exten's hunt: the extension `profile`'s dialplans find, if any. */
  huntExtension(profile: CallerProfile): Promise<Extension | undefined>;
  /** How many applications run nested in each other now. */
  readonly stackDepth: number;
  /** The channel's variables, in order. */
  variables(): [string, string][];
  /** switch_xml_locate_user_merged by `id`. */
  locateUser(id: string, domain: string): Promise<DirectoryUser | undefined>;
}

/** A DTMF hook (switch_io_event_hook_recv_dtmf / _send_dtmf): false swallows the digit; `source` and `duration` (samples) are the digit's switch_dtmf_t. */
export type DtmfHook = (digit: string, direction: 'recv' | 'send', source: DtmfSource, duration: number) => boolean;

/**
 * Runs the application. A synchronous one calls `done` before returning; one that waits (park,
 * sleep, playback) calls it later and returns an interrupter, which the channel calls when it is
 * hung up (SWITCH_SIG_KILL) and which must end the application (calling `done`).
 */
export type Interrupter = () => void | Promise<void>;
export type ApplicationRun = (
  ch: AppChannel,
  data: string,
  done: () => void | Promise<void>,
) => Interrupter | undefined | Promise<Interrupter | undefined>;

export interface Application {
  readonly name: string;
  readonly run: ApplicationRun;
  /** Needs media (no SAF_SUPPORT_NOMEDIA): an unanswered inbound channel is pre-answered first. */
  readonly needsMedia?: boolean;
  /** Runs on a hung-up channel too (SAF_ZOMBIE_EXEC). */
  readonly zombieExec?: boolean;
  /** May run inline during the dialplan hunt (SAF_ROUTING_EXEC). */
  readonly routingExec?: boolean;
  /** Ends on CF_BREAK (`uuid_break`, a stopped broadcast): media applications such as playback and sleep. */
  readonly breakable?: boolean;
  /** What `show application` lists (FreeSWITCH's registration when not given, api/interface_catalog.ts). */
  readonly syntax?: string;
  readonly description?: string;
  readonly module?: string;
}
