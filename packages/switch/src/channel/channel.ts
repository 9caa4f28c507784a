/**
 * One channel (switch_core_session + its session thread), owned by one process (channel/server.ts).
 *
 * The state loop is FreeSWITCH's switch_core_session_run: the machine (channel/machine.ts) is
 * advanced with xstate's pure `transition`, and the effects it returns are performed here in
 * order. `wake` queues a RUN when no state handler is running; RUN's `runHandlers` runs the
 * endpoint's handler and the standard behaviour of the state; when they are over, HANDLED, then
 * RUN again. Handlers that wait (an application such as park or sleep) do not block the process:
 * they leave an interrupter and finish later from a timer message or from `interrupt` (hangup).
 * `drain` works the queue until it is empty; the process calls it after every message.
 */
import type { ChannelMessage } from '../chat/channel_message.ts';
import type { DirectoryUser } from '../config/directory.ts';
import { randomUUID } from 'node:crypto';
import type { ProcessContext, Where } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import type { Application, AppChannel, DeflectMessage, DtmfHook } from '../applications/types.ts';
import type { SwitchCore } from '../core/core.ts';
import type { Dialplan } from '../dialplan/dialplan.ts';
import { expandWithApi, expandWithoutApi } from '../dialplan/expand.ts';
import { executeInline } from '../dialplan/inline.ts';
import { INLINE_DIALPLAN } from '../dialplan/inline_dialplan.ts';
import type { Extension } from '../dialplan/xml_match.ts';

import type { EventTypeName } from '../events/types.ts';
import type { EventHeader, SwitchEvent } from '../events/event.ts';
import type { XmlElement } from '../config/xml.ts';
import { Cause, causeName, causeQ850 } from './causes.ts';
import { withProfileVar } from './profile_var.ts';
import { Bridge } from './bridge.ts';
import type { SessionPeer } from './session_peer.ts';
import type { Exports } from './exports.ts';
import type { LegReport, LegStatus, OriginateApiProfile, OriginateCaller, OriginateRequest, OriginateResult } from './originate_types.ts';
import { type ChannelSnapshot, type CodecInfo, addBasicChannelData, addChannelData } from './data.ts';
import {
  type ChannelContext as ChannelContextView,
  type ChannelEffect,
  type ChannelEvent,
  type ChannelView,
  type Indication,
  effectsOf,
  viewOf,
} from './machine.ts';
import { type ChannelSnapshot as Snapshot, channelInitial, channelTransition } from './transition.ts';
import { type AppLogEntry, type ChannelRecord, type ProfileRecord, extensionRecord, transferTimes } from './callflow.ts';
import { type CallerProfile, NO_TIMES, type ProfileTimes, addProfileHeaders } from './profile.ts';
import type { CallDirection, ChannelStateName } from './states.ts';
import { timestampVariables } from './timestamps.ts';
import { channelVariable, newVariables } from './variables.ts';
import { atoi, caseEqual, separateString, switchTrue } from '../internal/strings.ts';
import { takeParkTimeout } from './park_timeout.ts';
import { disableHeartbeat, heartbeatOnAnswer } from './heartbeat.ts';
import { DtmfQueue, type DtmfReader, type DtmfSource } from './dtmf_queue.ts';
import { isDtmf } from './dtmf_string.ts';
import { type HookChannel, type HookPoint, apiHook, apiOn, executeOn } from './hooks.ts';
import { LOG_SITES } from '../log/sites.ts';
import { type PresenceUpdate, holdPresence, presenceHeaders } from './presence.ts';

export interface ChannelSpec {
  readonly uuid: string;
  readonly name: string;
  readonly direction: CallDirection;
  readonly profile: CallerProfile;
  readonly variables: readonly (readonly [string, string])[];
  readonly endpoint: Endpoint;
  /** An originate leg: parked in CS_CONSUME_MEDIA until originate gives it an extension. */
  readonly originating?: boolean;
  /** Fire CHANNEL_OUTGOING once the leg exists (switch_core_session_outgoing_channel). */
  readonly outgoing?: boolean;
  readonly codec?: CodecInfo;
  readonly partner?: Pid;
  /** The profile of the channel this leg was originated from (`Other-Type: originator`). */
  readonly otherLeg?: OtherLeg;
  /** The originate watching this leg from its start (it gets a LegReport on each status change). */
  readonly watcher?: { readonly pid: Pid; readonly tag: number };
}

/** sendmsg execute's options (switch_ivr_parse_event). */
export interface QueueOptions {
  readonly appUuid?: string | undefined;
  readonly appUuidName?: string | undefined;
  /** Passes; 0 runs nothing, negative runs until a pass is shorter than 0.5 s. Default 1. */
  readonly loops?: number;
  /** `event-lock`: nothing queued runs nested inside this one. */
  readonly lock?: boolean;
  /** `hold-bleg`: while it runs, a bridged partner hears its hold music (uuid_broadcast's default). */
  readonly holdBleg?: boolean;
  /** Once its passes are over (switch_ivr_parse_next_event fires PRIVATE_COMMAND after parse_event returns); never for one that does not run. */
  readonly ran?: () => void;
}

/** A sendmsg `hangup` or `xferext` that waited for an event-locked application. */
interface QueuedCommand {
  readonly run: () => Promise<void>;
}

interface QueuedExecute {
  readonly name: string;
  readonly data: string;
  readonly uuid: string | undefined;
  readonly uuidName: string | undefined;
  readonly loops: number;
  readonly lock: boolean;
  readonly holdBleg: boolean;
  readonly ran: (() => void) | undefined;
}

export interface OtherLeg {
  readonly type: 'originator' | 'originatee';
  readonly profile: CallerProfile;
}

/** What every channel of a switch shares. */
export interface ChannelServices {
  readonly core: SwitchCore;
  readonly applications: ReadonlyMap<string, Application>;
  /** The endpoint interfaces by lower-case name (`null`, `loopback`, `error`, and what modules add). */
  readonly endpoints: ReadonlyMap<string, EndpointInterface>;
  readonly dialplan?: Dialplan;
  /** Starts another channel under the channel supervisor (loopback's B leg). */
  startChannel(ctx: ProcessContext, spec: ChannelSpec): Promise<Pid>;
  /** switch_ivr_originate, run in `ctx`'s process (the bridge application spawns one). */
  originate?(ctx: ProcessContext, req: OriginateRequest): Promise<OriginateResult>;
  /** switch_api_execute for a `${cmd args}` reference in the expansions of the channel `from`: the output, or undefined. */
  api?(command: string, args: string, from?: BusyChannel): Promise<string | undefined>;
  /** switch_xml_locate_user: a user of the directory (static XML or an XML-fetch binding), with `params` in the request. */
  locateUser?(id: string, domain: string, params?: readonly (readonly [string, string])[]): Promise<DirectoryUser | undefined>;
  /** switch_xml_locate_language (config/languages.ts). */
  locateLanguage?(lang: string, params: SwitchEvent): Promise<XmlElement | undefined>;
}

/** What an endpoint may do with its channel. */
export interface EndpointChannel extends AppChannel {
  readonly name: string;
  readonly ctx: ProcessContext;
  readonly services: ChannelServices;
  readonly spec: ChannelSpec;
  readonly profile: CallerProfile;
  readonly view: ChannelView;
  partner: Pid | undefined;
  /** switch_channel_set_caller_extension + CS_EXECUTE (an endpoint that routes by itself). */
  setExtension(extension: Extension): Promise<void>;
}

/** What a channel asks of its endpoint (switch_io_routines + the endpoint's state handlers). */
export interface Endpoint {
  /** The endpoint's handler for `state`; return false to veto the standard behaviour. */
  onState?(ch: EndpointChannel, state: ChannelStateName): Promise<boolean | undefined> | boolean | undefined;
  /** Tell the far end (answer, progress, ringing); false: it refused. */
  indicate?(ch: EndpointChannel, message: Indication): Promise<boolean> | boolean;
  /** Send one DTMF digit (`duration` in samples) to the far end (io_routines' send_dtmf). */
  /** `source`: the digit's switch_dtmf_source_t as it came (a loopback's other half reports it). */
  sendDtmf?(ch: EndpointChannel, digit: string, duration: number, source: DtmfSource): void;
  /** SWITCH_MESSAGE_INDICATE_RESPOND (the `respond` application): `<code> [<reason>]` to the far end. */
  respond?(ch: EndpointChannel, data: string): Promise<void> | void;
  /**
   * SWITCH_MESSAGE_INDICATE_HOLD / _UNHOLD: the far end is told (mod_sofia re-INVITEs it); true when
   * the endpoint marks the leg holding, so its call state becomes HELD / UNHELD.
   */
  hold?(ch: EndpointChannel, on: boolean): boolean;
  /** switch_core_session_receive_message for chat/chat's messages (INFO, MESSAGE, DISPLAY, …); false: it failed. */
  message?(ch: EndpointChannel, message: ChannelMessage): boolean;
  /** SWITCH_MESSAGE_INDICATE_DEFLECT / _REDIRECT: the far end is sent to `uri`; the answer is the message's string_reply. */
  deflect?(ch: EndpointChannel, message: DeflectMessage): Promise<string | undefined>;
}

/** What an endpoint interface is asked when a dial string names it (its outgoing_channel). */
export interface OutgoingRequest {
  readonly ctx: ProcessContext;
  readonly services: ChannelServices;
  /** The dial string's data after `<endpoint>/` (`service` when empty). */
  readonly destination: string;
  /** The leg's originate variables. */
  variable(name: string): string | undefined;
  /** The same variables in order (what an endpoint keeps of them, as mod_dptools' pickup does). */
  readonly vars: readonly (readonly [string, string])[];
  /** Makes a session named `name` and destroys it at once (null/cause-X). */
  abandon(name: string): Promise<void>;
  /** Whom the leg is dialled for: the calling channel, or the API's profile (an endpoint that originates itself, as `user/`). */
  readonly from?: { readonly caller: OriginateCaller } | { readonly api: OriginateApiProfile };
}

/**
 * A new outgoing channel (its name and endpoint), a channel that already runs (`session`: the
 * winner of an originate the endpoint ran itself, as `user/` does), or the cause the originate fails with.
 */
export type OutgoingChannel =
  | { readonly name: string; readonly endpoint: Endpoint }
  | { readonly session: { readonly uuid: string; readonly pid: Pid } }
  | { readonly cause: number };

/** An endpoint module's interface (switch_endpoint_interface_t): makes outgoing channels. */
export interface EndpointInterface {
  outgoingChannel(req: OutgoingRequest): OutgoingChannel | Promise<OutgoingChannel>;
}

const MAX_STACKS = 32;

/** Requests a channel answers from its state alone, without a step of its machine. */
export type ChannelRead =
  /** `index`: an item of an array variable (switch_channel_get_variable_dup's idx). */
  | { readonly op: 'getvar'; readonly name: string; readonly index?: number }
  | { readonly op: 'setvar'; readonly name: string; readonly value: string | undefined }
  | { readonly op: 'variables' }
  /**
   * The channel data as [name, value] pairs: all of it (variables too), or only the basic headers;
   * `profilePrefix`: the caller profile under that prefix first (switch_caller_profile_event_set_data).
   */
  | { readonly op: 'data'; readonly basic: boolean; readonly profilePrefix?: string }
  /** The caller profile (for the caller's `Other-Leg-*`). */
  | { readonly op: 'profile' }
  /** The bridged partner's uuid, if any. */
  | { readonly op: 'partner' }
  | { readonly op: 'mediaUp' }
  /** What this channel hands a bridge's other leg through `bridge_export_vars`. */
  | { readonly op: 'bridgeExports' }
  /** What the JSON CDR shows of the channel (ChannelRecord). */
  | { readonly op: 'record' };

const READS: ReadonlySet<string> = new Set<ChannelRead['op']>([
  'getvar',
  'setvar',
  'variables',
  'data',
  'profile',
  'partner',
  'mediaUp',
  'bridgeExports',
  'record',
]);
export const isChannelRead = (req: { readonly op: string }): req is ChannelRead => READS.has(req.op);

/**
 * The channel whose `${cmd args}` expansion runs an API command: it waits for the output, so a
 * command on it gets its reads answered at once (`${uuid_getvar ${uuid} x}` works) and finds no
 * channel for anything else, rather than waiting on it.
 */
export interface BusyChannel {
  readonly uuid: string;
  read(req: ChannelRead): unknown;
}

/** switch_is_moh: `silence` and `indicate_hold` are no music. */
function isHoldMusic(stream: string): boolean {
  const s = stream.toLowerCase();
  return s !== '' && s !== 'silence' && s !== 'indicate_hold';
}

type Item = ChannelEvent | (() => void | Promise<void>);

/** A running application: how to end it (undefined once asked), and whether CF_BREAK ends it. */
type RunningApp = { interrupt: (() => void | Promise<void>) | undefined; readonly breakable?: boolean | undefined };

const TIME_FIELDS: Record<string, keyof ProfileTimes> = {
  answered: 'answered',
  progress: 'progress',
  progress_media: 'progressMedia',
  hungup: 'hungup',
};

export class Channel implements EndpointChannel, HookChannel, BusyChannel {
  readonly uuid: string;
  #name: string;
  readonly core: SwitchCore;
  partner: Pid | undefined;
  destroyed = false;
  #snap: Snapshot;
  readonly #variables = newVariables();
  #profile: CallerProfile;
  #times: ProfileTimes;
  readonly #queue: Item[] = [];
  #inHandlers = false;
  #destroyQueued = false;
  #crashed = false;
  #originating: boolean;
  #dialplanFlag = false;
  #verboseEvents = false;
  #extension: Extension | undefined;
  /** sendmsg xferext: the extension CS_ROUTING takes instead of hunting the dialplan. */
  #queuedExtension: Extension | undefined;
  #appIndex = 0;
  /** One slot per running application, outermost first (an app run inside park sits above it). */
  readonly #running: RunningApp[] = [];
  /** CF_BREAK: asked for, not yet taken by a breakable application. */
  #break = false;
  /** Made on first use: most channels never receive a digit. */
  #dtmf: DtmfQueue | undefined;
  /** DTMF hooks (switch_core_event_hook_add_recv_dtmf / _send_dtmf); made on first use. */
  #dtmfHooks: DtmfHook[] | undefined;
  /** CF_INTERCEPTED: an `intercept` took this leg while it was dialling; its originate fails PICKED_OFF. */
  intercepted = false;
  /** CF_ZOMBIE_EXEC (uuid_zombie_exec): at hangup, the extension's remaining applications get their turn (those with SAF_ZOMBIE_EXEC run). */
  zombieExec = false;
  /** CF_XFER_ZOMBIE (uuid_xfer_zombie): as a bridge peer whose caller left, it parks for 3 s instead of hanging up. */
  xferZombie = false;
  /** CF_REUSE_CALLER_PROFILE (reuse_caller_profile): a session transfer changes the caller profile in place. */
  reuseCallerProfile = false;
  /** CF_DROP_DTMF (uuid_drop_dtmf): digits sent to the endpoint are dropped, or replaced by the masking digits / file. */
  dropDtmf = false;
  /** State-change hooks (switch_core_event_hook_add_state_change); made on first use. */
  #stateHooks: ((state: ChannelStateName) => boolean | Promise<boolean>)[] | undefined;
  /** Applications queued by `queueExecute` (sendmsg execute), run at the next safe point. */
  readonly #pending: (QueuedExecute | QueuedCommand)[] = [];
  /** Event-locked queued applications running (sendmsg `event-lock`): nothing queued runs nested meanwhile. */
  #locked = 0;
  /** Queued applications running (CF_BROADCAST), and whether `stopBroadcast` asked them to end (CF_STOP_BROADCAST). */
  #broadcasts = 0;
  #stopBroadcast = false;
  /** The partner hears hold music while a `hold-bleg` application runs here (CF_HOLD_BLEG). */
  #partnerOnHold = false;
  #parked = false;
  /** How many applications ran (park's own slot the last) when park began: ones nested above it read digits themselves. */
  #parkDepth = 0;
  /**
   * The bridged partner and whether this leg is the bridge's originator (A); `app`: the bridge
   * application runs it (switch_ivr_multi_threaded_bridge inside the app), and ends it.
   */
  /** Made on first use: most channels are never bridged. */
  #bridge: Bridge | undefined;
  /** Originates watching this leg (switch_ivr_originate's loop), told of each status change. */
  #watchers: { pid: Pid; tag: number; last: string }[] | undefined;
  /** The originator's / originatee's profile; `Other-Leg-*` shows the one set last. */
  #originator: CallerProfile | undefined;
  #originatee: CallerProfile | undefined;
  #otherLeg: OtherLeg | undefined;
  #lastResult = true;
  /** Every application executed (its tail is last_app / last_arg), unless `disable_app_log`. */
  readonly #appLog: AppLogEntry[] = [];
  /** The caller profiles before the current one, newest first, and the current one's originator / originatee profiles. */
  readonly #pastProfiles: ProfileRecord[] = [];
  #originators: CallerProfile[] = [];
  #originatees: CallerProfile[] = [];
  /** CF_TIMESTAMP_SET. */
  #timestampsSet = false;
  /** The `event_count` of the channel's presence events (channel->event_count). */
  #presenceCount = 0;
  readonly #timers = new Map<number, () => void | Promise<void>>();
  #timerSeq = 0;

  constructor(
    readonly spec: ChannelSpec,
    readonly services: ChannelServices,
    readonly ctx: ProcessContext,
  ) {
    this.uuid = spec.uuid;
    this.#name = spec.name;
    this.core = services.core;
    this.partner = spec.partner;
    this.#originating = !!spec.originating;
    const now = this.core.nowUs();
    this.#times = { ...NO_TIMES, profileCreated: now, created: now };
    this.#profile = spec.profile;
    if (spec.otherLeg) this.setOtherLeg(spec.otherLeg);
    // the originate starts from `none`: only changes are reported
    if (spec.watcher) this.#watchers = [{ ...spec.watcher, last: 'none' }];
    for (const [n, v] of spec.variables) this.#variables.addHeader(n, v);
    [this.#snap] = channelInitial({ direction: spec.direction });
  }

  get profile(): CallerProfile {
    return { ...this.#profile, times: this.#times };
  }

  get name(): string {
    return this.#name;
  }

  /** switch_channel_set_name: the name and `channel_name` (the caller profile keeps the first). */
  setName(name: string): void {
    const old = this.#name;
    this.#name = name;
    this.setVariable('channel_name', name);
    this.core.log('NOTICE', `Rename Channel ${old}->${name} [${this.uuid}]`, this.uuid, LOG_SITES.renameChannel);
  }

  get view(): ChannelView {
    return viewOf(this.#snap.context);
  }

  get hungUp(): boolean {
    return this.#snap.context.hangupCalled;
  }

  /** switch_core_session_request + (for originate) the outgoing event; then the loop starts. */
  async start(): Promise<boolean> {
    if (!this.core.sessions.add(this.uuid, this.ctx.self, (from) => this.killed(from))) return false;
    this.#setCreationVariables(this.core.sessions.nextId());
    this.core.log('NOTICE', `New Channel ${this.name} [${this.uuid}]`, this.uuid, LOG_SITES.newChannel);
    await this.step({ type: 'SET_STATE', state: 'CS_INIT' });
    if (this.spec.outgoing) this.fire('CHANNEL_OUTGOING');
    // switch_ivr_originate runs a new leg's originate hooks before the leg's thread starts
    if (this.#originating) await this.runHooks('originate');
    return true;
  }

  /**
   * What every channel has from its creation on, ahead of the endpoint's and originate's own
   * (switch_channel_alloc: direction; switch_core_session_request_uuid: uuid, call_uuid,
   * session_id; the endpoint's switch_channel_set_name: channel_name). A call_uuid the originate
   * already gave (the caller's), or a channel_name the endpoint set later in its own variables
   * (sofia's, after the From ones), stays where it is.
   */
  #setCreationVariables(sessionId: number): void {
    const first: [string, string][] = [
      ['direction', this.spec.direction],
      ['uuid', this.uuid],
      ['call_uuid', this.uuid],
      ['session_id', String(sessionId)],
      ['channel_name', this.name],
    ];
    for (const [name, value] of first.reverse()) if (this.#variables.getHeader(name) === undefined) this.#variables.addHeader(name, value, 'top');
  }

  /** A session made and destroyed at once, never run (an endpoint that refuses after creating it). */
  async abandon(): Promise<void> {
    this.core.sessions.nextId();
    this.core.log('NOTICE', `New Channel ${this.name} [${this.uuid}]`, this.uuid, LOG_SITES.newChannel);
    await this.step({ type: 'DESTROY' });
  }

  // -- the machine ------------------------------------------------------------------------------

  async send(event: ChannelEvent): Promise<void> {
    await this.step(event);
  }

  async step(event: ChannelEvent): Promise<void> {
    const [next, actions] = channelTransition(this.#snap, event);
    this.#snap = next;
    for (const effect of effectsOf(actions)) {
      // a channel without a presence_id has no presence to send: it skips the effect and its turn
      if (effect.type === 'presence' && !this.variable('presence_id')) continue;
      await this.#perform(effect);
    }
  }

  async drain(): Promise<void> {
    for (let item = this.#queue.shift(); item !== undefined; item = this.#queue.shift()) {
      if (typeof item === 'function') await item();
      else await this.step(item);
    }
    if (this.#watchers) this.#tellWatchers();
    this.#bridge?.afterDrain();
  }

  async #perform(e: ChannelEffect): Promise<void> {
    switch (e.type) {
      case 'fire':
        this.fire(e.params.event, e.params.channel, e.params.pre);
        return;
      case 'log': {
        const s = this.core.sessions;
        const text = e.params.text.replaceAll('{name}', this.name).replaceAll('{cur}', String(s.count)).replaceAll('{tot}', String(s.sinceStartup));
        this.core.log(e.params.level, text, this.uuid, e.params.site);
        return;
      }
      case 'setVariable':
        this.#variables.addHeader(e.params.name, e.params.value);
        return;
      case 'markTime': {
        const field = TIME_FIELDS[e.params.time];
        if (field) this.#times = { ...this.#times, [field]: this.core.nowUs() };
        if (field === 'answered') heartbeatOnAnswer(this);
        return;
      }
      case 'indicate': {
        const ok = (await this.spec.endpoint.indicate?.(this, e.params.message)) ?? true;
        await this.step(ok ? { type: e.params.next } : { type: 'HANGUP', cause: Cause.INCOMPATIBLE_DESTINATION });
        return;
      }
      case 'result':
        this.#lastResult = e.params.ok;
        return;
      case 'executeOn':
        await executeOn(this, e.params.point);
        return;
      case 'apiOn':
        await apiOn(this, e.params.point);
        return;
      case 'next':
        await this.step(e.params.event);
        return;
      case 'interrupt':
        // innermost first: an application running inside park ends before park does
        for (const slot of [...this.#running].reverse()) {
          const interrupt = slot.interrupt;
          slot.interrupt = undefined;
          if (interrupt) this.#queue.push(interrupt);
        }
        return;
      case 'wake':
        if (!this.#inHandlers) this.#queue.push({ type: 'RUN' });
        return;
      case 'runHandlers':
        await this.#runHandlers(e.params.state);
        return;
      case 'threadDone':
        if (!this.#destroyQueued) {
          this.#destroyQueued = true;
          this.#queue.push({ type: 'DESTROY' });
        }
        return;
      case 'unregister':
        disableHeartbeat(this);
        this.core.logger.clearSession(this.uuid);
        this.core.sessions.remove(this.uuid);
        this.core.media.detach(this.uuid);
        return;
      case 'setTimestamps': {
        if (this.#timestampsSet) return;
        this.#timestampsSet = true;
        const lastApp = this.#appLog.at(-1);
        for (const [n, v] of timestampVariables({
          times: this.#times,
          profile: this.#profile,
          ...(lastApp ? { lastApp: lastApp.app, lastArg: lastApp.arg } : {}),
          utcOffsetMinutes: (ms) => this.core.utcOffsetMinutes(ms),
        }))
          this.#variables.addHeader(n, v ?? '');
        return;
      }
      case 'bridgeHangupVariables': {
        this.#bridge?.setPartnerVariable('last_bridge_hangup_cause', e.params.cause);
        const role = this.#bridge?.role;
        if (role) this.#variables.addHeader('last_bridge_role', role);
        return;
      }
      case 'presence':
        this.#presence(e.params);
        return;
    }
  }

  /** switch_channel_presence from an application (the `presence` application). */
  presence(u: PresenceUpdate): void {
    this.#presence({ ...u, channel: this.view });
  }

  /** switch_channel_perform_presence: PRESENCE_IN, when the channel has a presence_id. */
  #presence(u: PresenceUpdate & { readonly channel: ChannelView }): void {
    const post = presenceHeaders({ view: u.channel, direction: this.spec.direction, variable: (n) => this.variable(n) }, u, this.#presenceCount);
    if (post !== undefined) {
      this.#presenceCount++;
      this.fire('PRESENCE_IN', u.channel, undefined, post);
    }
    if (u.clearCallInfo) this.#variables.delHeader('presence_call_info');
  }

  // -- the state handlers -----------------------------------------------------------------------

  async #runHandlers(state: ChannelStateName): Promise<void> {
    const hooks = this.#stateHooks;
    if (hooks) {
      // a hook added while these run lands in the new list
      this.#stateHooks = [];
      for (const hook of hooks) if (await hook(state)) this.#stateHooks.push(hook);
    }
    if (state === 'CS_DESTROY') {
      this.destroyed = true;
      return;
    }
    this.#inHandlers = true;
    if (!(await this.#handle(state))) return;
    // switch_core_session_hangup_state / _reporting_state: the API hook after the state's handlers
    if (state === 'CS_HANGUP') await apiHook(this, 'api_hangup_hook');
    else if (state === 'CS_REPORTING') await apiHook(this, 'api_reporting_hook');
    await this.#handlersDone();
  }

  async #handlersDone(): Promise<void> {
    this.#inHandlers = false;
    await this.step({ type: 'HANDLED' });
    this.#queue.push({ type: 'RUN' });
  }

  /** The endpoint's handler, then the standard behaviour; true when the handlers are over. */
  async #handle(state: ChannelStateName): Promise<boolean> {
    if (this.#crashed) {
      if (state === 'CS_HANGUP') await this.spec.endpoint.onState?.(this, state);
      return true;
    }
    if ((await this.spec.endpoint.onState?.(this, state)) === false) return true;
    switch (state) {
      case 'CS_INIT':
        await this.step({ type: 'SET_STATE', state: 'CS_ROUTING' });
        return true;
      case 'CS_ROUTING':
        // originate's application handler: the new leg waits in CS_CONSUME_MEDIA
        if (this.#originating) await this.step({ type: 'SET_STATE', state: 'CS_CONSUME_MEDIA' });
        else await this.#route();
        return true;
      case 'CS_EXECUTE':
        // on from the application after the last one run: a channel back from a uuid_bridge goes
        // on with its extension (switch_core_standard_on_execute keeps current_application)
        return this.#nextApp();
      case 'CS_PARK':
        return this.#parkState();
      case 'CS_HANGUP':
        // the bridge ends first; a uuid_bridge originator waits for its peer to leave it
        if (this.#bridge && !(await this.#bridge.onHangup(() => this.#hangupHandled()))) return false;
        return this.#zombieApps();
      default:
        return true;
    }
  }

  async #route(): Promise<void> {
    const queued = this.#queuedExtension;
    if (queued) {
      // switch_channel_transfer_to_extension: routing uses the queued extension, no dialplan
      this.#queuedExtension = undefined;
      this.#sortCid();
      this.#useExtension(queued);
      await this.step({ type: 'SET_STATE', state: 'CS_EXECUTE' });
      return;
    }
    const dialplan = caseEqual(this.profile.dialplan ?? '', 'inline') ? INLINE_DIALPLAN : this.services.dialplan;
    const result = await this.#hunt(dialplan, this.profile);
    if (!result?.extension) {
      this.core.log('INFO', `No Route, Aborting`, this.uuid, LOG_SITES.noRoute);
      await this.step({ type: 'HANGUP', cause: Cause.NO_ROUTE_DESTINATION });
      return;
    }
    this.#sortCid();
    this.#useExtension(result.extension);
    await this.step({ type: 'SET_STATE', state: 'CS_EXECUTE' });
  }

  /**
   * switch_core_session_execute_exten's hunt: `profile` (a copy of the channel's with another
   * destination) through each of its comma-separated dialplans (`XML`, `inline`) until one finds
   * an extension; the channel's own profile is left as it is.
   */
  async huntExtension(profile: CallerProfile): Promise<Extension | undefined> {
    for (const name of separateString(profile.dialplan || 'XML', ',', 25)) {
      const colon = name.indexOf(':');
      const dpName = colon < 0 ? name : name.slice(0, colon);
      const dialplan = caseEqual(dpName, 'inline') ? INLINE_DIALPLAN : caseEqual(dpName, 'XML') ? this.services.dialplan : undefined;
      const found = dialplan ? (await this.#hunt(dialplan, profile))?.extension : undefined;
      if (found) return found;
    }
    return undefined;
  }

  /** The number of applications running nested in each other (the EXECUTE log's depth). */
  get stackDepth(): number {
    return this.#running.length;
  }

  #hunt(dialplan: Dialplan | undefined, profile: CallerProfile) {
    return dialplan?.hunt({
      profile,
      channelName: this.name,
      expansionVariable: (n, i) => this.expansionVariable(n, i),
      api: (command, args) => this.services.api?.(command, args, this),
      variable: (n) => this.variable(n),
      setVariable: (n, v) => this.setVariable(n, v),
      pushVariable: (n, v) => this.#variables.addHeader(n, v, 'push'),
      deleteVariablesWithPrefix: (prefix) => {
        for (const h of [...this.#variables.headers]) if (h.name.toLowerCase().startsWith(prefix.toLowerCase())) this.#variables.delHeader(h.name);
      },
      executeInline: (app, data) => executeInline(this, app, data),
      log: (level, text) => this.core.log(level, text, this.uuid),
      requestParams: () => {
        const params = this.core.bus.create('REQUEST_PARAMS');
        this.addChannelData(params);
        addProfileHeaders(params, profile, 'Hunt');
        return params;
      },
    });
  }

  /** switch_core_standard_on_execute: the extension's applications in order. */
  async #nextApp(): Promise<boolean> {
    for (;;) {
      if (this.hungUp || this.#snap.context.state !== 'CS_EXECUTE') return true;
      if (this.#pending.length > 0) {
        if (
          !(await this.#runPending(async () => {
            if (await this.#nextApp()) await this.#handlersDone();
          }))
        )
          return false;
        continue;
      }
      const app = this.#extension?.applications[this.#appIndex++];
      if (!app) {
        this.core.log('NOTICE', `${this.name} has executed the last dialplan instruction, hanging up.`, this.uuid, LOG_SITES.lastInstruction);
        await this.step({ type: 'HANGUP', cause: Cause.NORMAL_CLEARING });
        return true;
      }
      const finished = await this.execute(app.application, app.data, async () => {
        if (await this.#nextApp()) await this.#handlersDone();
      });
      if (!finished) return false;
    }
  }

  /** switch_core_standard_on_hangup with CF_ZOMBIE_EXEC: the rest of the extension, in order; true when it is over. */
  async #zombieApps(): Promise<boolean> {
    while (this.zombieExec) {
      const app = this.#extension?.applications[this.#appIndex++];
      if (!app) return true;
      const finished = await this.execute(app.application, app.data, () => this.#hangupHandled());
      if (!finished) return false;
    }
    return true;
  }

  /** The rest of CS_HANGUP's handlers after one of them waited. */
  async #hangupHandled(): Promise<void> {
    if (!(await this.#zombieApps())) return;
    await apiHook(this, 'api_hangup_hook');
    await this.#handlersDone();
  }

  hasApplication(name: string): boolean {
    return this.services.applications.has(name.toLowerCase());
  }

  /**
   * switch_core_session_exec: CHANNEL_EXECUTE, the application, CHANNEL_EXECUTE_COMPLETE. True
   * when it finished at once; else `then` runs when it does.
   */
  async execute(name: string, rawData: string, then: () => Promise<void>, appUuid: string = randomUUID(), appUuidName?: string): Promise<boolean> {
    const app = this.services.applications.get(name.toLowerCase());
    if (!app) {
      this.core.log('ERR', `Invalid Application ${name}`, this.uuid, LOG_SITES.invalidApplication);
      await this.step({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
      return true;
    }
    if (this.hungUp && !app.zombieExec) return true;
    if (app.needsMedia && this.spec.direction === 'inbound' && !this.mediaUp) await this.step({ type: 'PRE_ANSWER' });
    const data = switchTrue(this.variable('app_disable_expand_variables')) ? rawData : await this.expand(rawData);
    if (!switchTrue(this.variable('disable_app_log'))) this.#appLog.push({ app: app.name, arg: data, stamp: this.core.nowUs() });
    this.setVariable('current_application', app.name);
    this.setVariable('current_application_data', data);
    this.setVariable('current_application_response', undefined);
    this.core.log('INFO', `EXECUTE [depth=${this.#running.length}] ${this.name} ${app.name}(${data})`, this.uuid, LOG_SITES.execute);
    this.fire('CHANNEL_EXECUTE', this.view, undefined, [
      ['Application', app.name],
      ['Application-Data', data],
      ['Application-UUID', appUuid],
      ...(appUuidName ? ([['Application-UUID-Name', appUuidName]] as const) : []),
    ]);
    let completed = false;
    let running = true;
    const slot: RunningApp = { interrupt: undefined, breakable: app.breakable };
    this.#running.push(slot);
    const done = async () => {
      if (completed) return;
      completed = true;
      slot.interrupt = undefined;
      this.#running.splice(this.#running.indexOf(slot), 1);
      this.fire('CHANNEL_EXECUTE_COMPLETE', this.view, undefined, [
        ['Application', app.name],
        ['Application-Data', data],
        ['Application-Response', this.variable('current_application_response') ?? '_none_'],
        ['Application-UUID', appUuid],
        ...(appUuidName ? ([['Application-UUID-Name', appUuidName]] as const) : []),
      ]);
      if (!running) await then();
    };
    const interrupter = await app.run(this, data, done);
    running = false;
    if (completed) return true;
    slot.interrupt = interrupter ?? undefined;
    if (this.hungUp && slot.interrupt) {
      this.#queue.push(slot.interrupt);
      slot.interrupt = undefined;
    }
    return false;
  }

  /**
   * switch_channel_expand_variables on this channel: `${cmd args}` runs the command (one on this
   * channel itself finds none: the channel waits for its output).
   */
  async expand(text: string, variable = (n: string, i: number) => this.expansionVariable(n, i)): Promise<string> {
    if (!text.includes('$')) return text;
    const expanded = expandWithApi(text, variable, async (command, args) => this.services.api?.(command, args, this));
    return typeof expanded === 'string' ? expanded : await expanded;
  }

  /** Both hooks of a point, as originate and the bridge run them (channel/hooks.ts); true when there was one. */
  async runHooks(point: HookPoint): Promise<boolean> {
    const executed = await executeOn(this, point);
    return (await apiOn(this, point)) || executed;
  }

  locateLanguage(lang: string, params: SwitchEvent): Promise<XmlElement | undefined> {
    return this.services.locateLanguage?.(lang, params) ?? Promise.resolve(undefined);
  }

  /** Only the point's `execute_on_*` applications (a tone detector's hit runs no API hooks). */
  runExecuteOn(point: HookPoint): Promise<boolean> {
    return executeOn(this, point);
  }

  /** The channel's variables, in order (HookChannel). */
  get variableHeaders(): readonly EventHeader[] {
    return this.#variables.headers;
  }

  /** An API command in a process of its own (HookChannel): its output. */
  api(command: string, args: string): Promise<string | undefined> | undefined {
    return this.services.api?.(command, args);
  }

  /**
   * Runs the queued applications one after the other; false when one is waiting (`then` runs
   * once the queue is done).
   */
  async #runPending(then: () => Promise<void>): Promise<boolean> {
    for (let next = this.#pending.shift(); next !== undefined; next = this.#pending.shift()) {
      if ('run' in next) {
        await next.run();
        continue;
      }
      if (next.loops === 0) {
        next.ran?.();
        continue;
      }
      const finished = await this.#runLoops(next, 1, async () => {
        if (await this.#runPending(then)) await then();
      });
      if (!finished) return false;
    }
    return true;
  }

  /**
   * switch_ivr_parse_event's execute loop from iteration `x` (1-based): `current_loop` /
   * `total_loops` set around it, another pass while `loops` allows (negative: forever), the
   * channel is up and the pass took at least 0.5 s. False when a pass is waiting (`resume` runs
   * once the loop is over).
   */
  async #runLoops(item: QueuedExecute, x: number, resume: () => Promise<void>): Promise<boolean> {
    if (x === 1) this.#broadcastStarts(item);
    for (; ; x++) {
      const b4 = this.ctx.now();
      if (item.lock) this.#locked++;
      this.setVariable('current_loop', String(x));
      this.setVariable('total_loops', String(item.loops));
      const again = () => (x < item.loops || item.loops < 0) && !this.hungUp && !this.#stopBroadcast && this.ctx.now() - b4 >= 500;
      const passOver = () => {
        if (item.lock) this.#locked--;
        const more = again();
        if (!more) {
          this.setVariable('current_loop', undefined);
          this.setVariable('total_loops', undefined);
          this.#broadcastEnds();
          item.ran?.();
        }
        return more;
      };
      const finished = await this.execute(
        item.name,
        item.data,
        async () => {
          if (passOver() && !(await this.#runLoops(item, x + 1, resume))) return;
          await resume();
        },
        item.uuid,
        item.uuidName,
      );
      if (!finished) return false;
      if (!passOver()) return true;
    }
  }

  /**
   * switch_ivr_parse_event before the loop: CF_STOP_BROADCAST cleared; with `hold-bleg`, a bridged
   * partner hears this leg's hold music while this runs, if it has some.
   */
  #broadcastStarts(item: QueuedExecute): void {
    this.#broadcasts++;
    this.#stopBroadcast = false;
    if (!item.holdBleg || this.#partnerOnHold) return;
    const music = this.#holdMusic();
    if (music && isHoldMusic(music)) this.#partnerOnHold = !!this.#bridge?.holdMusicToPartner(music);
  }

  /** switch_ivr_parse_event after the loop: the partner's hold music stops. */
  #broadcastEnds(): void {
    this.#broadcasts--;
    if (this.#partnerOnHold && this.#broadcasts === 0) {
      this.#partnerOnHold = false;
      this.#bridge?.stopPartnerBroadcast();
    }
  }

  /** switch_channel_stop_broadcast: no more passes of the running queued application, and a break. */
  stopBroadcast(): void {
    if (this.#broadcasts === 0) return;
    this.#stopBroadcast = true;
    this.breakMedia();
  }

  /** CF_BREAK: the running application ends if it is breakable, else the next breakable one does at once. */
  breakMedia(): void {
    this.#break = true;
    const slot = this.#running.at(-1);
    const interrupt = slot?.interrupt;
    if (slot?.breakable && interrupt) {
      slot.interrupt = undefined;
      this.#queue.push(interrupt);
    }
  }

  takeBreak(): boolean {
    const taken = this.#break;
    this.#break = false;
    return taken;
  }

  /**
   * uuid_break: with `all`, the queued applications are dropped (switch_core_session_flush_private_events);
   * a running broadcast stops, else CF_BREAK.
   */
  uuidBreak(all: boolean): void {
    if (all) this.#pending.length = 0;
    if (this.#broadcasts > 0) this.stopBroadcast();
    else this.breakMedia();
  }

  /** switch_channel_get_hold_music: `temp_hold_music`, else `hold_music`, expanded. */
  #holdMusic(): string | undefined {
    const raw = this.variable('temp_hold_music') || this.variable('hold_music');
    return raw ? (expandWithoutApi(raw, (n, i) => this.expansionVariable(n, i)) ?? raw) : undefined;
  }

  /**
   * sendmsg `execute`: queue an application. A parked channel runs it at once, nested inside
   * park (no CHANNEL_UNPARK), and so does a bridged leg, inside the bridge — unless an
   * event-locked one is running; a channel in its extension runs it before the next application;
   * otherwise it waits for one of those (spec §2.5 c).
   */
  async queueExecute(name: string, data: string, opts: QueueOptions = {}): Promise<void> {
    this.#pending.push({
      name,
      data,
      uuid: opts.appUuid,
      uuidName: opts.appUuidName,
      loops: opts.loops ?? 1,
      lock: !!opts.lock,
      holdBleg: !!opts.holdBleg,
      ran: opts.ran,
    });
    // a bridged leg runs it at once too: audio_bridge_thread parses the leg's queued events
    if (!(this.#parked || this.bridgePartner !== undefined) || this.#locked !== 0) return;
    // switch_ivr_parse_all_events: no deeper than SWITCH_MAX_STACKS; the execute stays queued
    if (this.#running.length > MAX_STACKS) {
      this.core.log('ERR', `Error ${this.name} too many stacked extensions [depth=${this.#running.length}]`, this.uuid, LOG_SITES.tooManyExtensions);
      return;
    }
    if (await this.#runPending(() => this.#parkResumes())) await this.#parkResumes();
  }

  /**
   * Park's loop runs again once the applications executed from it are done: it dequeues (and so
   * drops) the digits they left queued, as switch_ivr_park does.
   */
  async #parkResumes(): Promise<void> {
    if (this.#parked && this.#running.length <= this.#parkDepth) this.flushDtmf();
  }

  /**
   * A sendmsg `hangup` or `xferext`: at once, unless an event-locked application is running —
   * CF_EVENT_LOCK keeps switch_core_session_dequeue_private_event from taking the next message —
   * then once it is done, in order with the executes queued meanwhile.
   */
  async privateCommand(run: () => Promise<void>): Promise<void> {
    if (this.#locked === 0) await run();
    else this.#pending.push({ run });
  }

  /** The bridged partner's uuid, if any. */
  get bridgePartner(): string | undefined {
    return this.#bridge?.partner;
  }

  /** switch_core_session_receive_message with DEFLECT / REDIRECT: the endpoint's reply; none on a channel already down or an endpoint without it. */
  async deflect(message: DeflectMessage): Promise<string | undefined> {
    if (this.hungUp) return undefined;
    return this.spec.endpoint.deflect?.(this, message);
  }

  /** The `respond` application's message to the endpoint; false when the endpoint has no such thing (no SIP). */
  async respond(data: string): Promise<boolean> {
    const respond = this.spec.endpoint.respond;
    if (!respond) return false;
    await respond(this, data);
    return true;
  }

  /**
   * switch_core_session_send_dtmf: the digit goes to the endpoint; false once the channel is down.
   * `hooked`: one a bridged partner passes on, which the send hooks see first (a swallowed digit
   * counts as sent).
   */
  sendDtmf(digit: string, duration: number, hooked = false, source: DtmfSource = 'UNKNOWN'): boolean {
    if (this.hungUp) return false;
    if (this.dropDtmf) {
      this.#maskDtmf();
      return true;
    }
    if (hooked && this.#dtmfSwallowed(digit, 'send', source, duration)) return true;
    this.spec.endpoint.sendDtmf?.(this, digit, duration, source);
    return true;
  }

  /** switch_core_session_send_dtmf under CF_DROP_DTMF: the masking file is broadcast to the leg, the masking digits sent in the digit's place. */
  #maskDtmf(): void {
    const file = this.variable('drop_dtmf_masking_file');
    if (file) void this.queueExecute('playback', file, { lock: true });
    const digits = this.variable('drop_dtmf_masking_digits');
    if (!digits) return;
    this.dropDtmf = false;
    for (const d of digits) if (isDtmf(d)) this.sendDtmf(d, this.core.control.defaultDtmfDuration);
    this.dropDtmf = true;
  }

  addDtmfHook(hook: DtmfHook): () => void {
    const hooks = (this.#dtmfHooks ??= []);
    hooks.push(hook);
    return () => {
      const i = hooks.indexOf(hook);
      if (i >= 0) hooks.splice(i, 1);
    };
  }

  /** The DTMF hooks in order; true when one swallowed the digit. */
  #dtmfSwallowed(digit: string, direction: 'recv' | 'send', source: DtmfSource, duration: number): boolean {
    for (const hook of [...(this.#dtmfHooks ?? [])]) if (!hook(digit, direction, source, duration)) return true;
    return false;
  }

  aside<T>(work: (ctx: ProcessContext) => Promise<T>, then?: (value: T) => void | Promise<void>): void {
    const id = then ? this.expect(then as (value: unknown) => void | Promise<void>) : undefined;
    const self = this.ctx.self;
    this.ctx.spawn(async (pctx) => {
      try {
        const value = await work(pctx);
        if (id !== undefined) pctx.send(self, { channelTimer: id, value });
      } catch (err) {
        this.core.log('ERR', `${this.name} work aside failed: ${String(err)}`, this.uuid);
      }
    });
  }

  /**
   * A digit from the far end: the DTMF event at once (switch_channel_dequeue_dtmf's), then where
   * FreeSWITCH's readers would take it: a bridged leg passes it on to its partner; an application
   * reading digits (read, play_and_get_digits, playback) gets it; park drops it (switch_ivr_park's
   * loop dequeues them), but not while an application runs nested in park (sendmsg execute): park's
   * loop is not running then; otherwise it waits in the channel's queue for the next reader.
   */
  receiveDtmf(digit: string, duration: number, source: DtmfSource = 'UNKNOWN'): void {
    if (this.destroyed) return;
    // switch_channel_queue_dtmf: a digit a hook swallows is never queued, so never dequeued as DTMF
    if (source !== 'APP' && this.#dtmfHooks && this.#dtmfSwallowed(digit, 'recv', source, duration)) return;
    // `sensitive_dtmf` marks the digit DTMF_FLAG_SENSITIVE: dequeued, it fires no DTMF event, and
    // switch_core_session_send_dtmf drops it, so a bridge does not pass it on; readers still get it
    const sensitive = switchTrue(this.variable('sensitive_dtmf'));
    if (!sensitive) {
      this.fire('DTMF', this.view, undefined, [
        ['DTMF-Digit', digit],
        ['DTMF-Duration', String(duration)],
        ['DTMF-Source', source],
      ]);
    }
    // an application running inside the bridge (a broadcast: soft_hold, playback) reads the digits itself
    if (this.#bridge?.partner !== undefined && !this.#dtmf?.reading) {
      const end = sensitive ? undefined : this.#bridge.passDtmf(digit, duration, source);
      if (end) this.#queue.push(end);
    } else if (this.#dtmf?.reading || !this.#parked || this.#running.length > this.#parkDepth) this.#digits.add(digit);
  }

  get #digits(): DtmfQueue {
    this.#dtmf ??= new DtmfQueue((work) => this.#queue.push(work));
    return this.#dtmf;
  }

  /**
   * switch_core_event_hook_add_state_change: `hook` runs in the channel's process each time it takes
   * up a state, before the state's handlers, for as long as it returns true.
   */
  addStateHook(hook: (state: ChannelStateName) => boolean | Promise<boolean>): void {
    (this.#stateHooks ??= []).push(hook);
  }

  /** An application reads the channel's digits (channel/dtmf_queue.ts); returns the end of reading. */
  readDtmf(reader: DtmfReader): () => void {
    return this.#digits.read(reader);
  }

  /** Waits for a digit in the channel's queue without taking it (channel/dtmf_queue.ts); returns the end of waiting. */
  watchDtmf(watcher: () => void | Promise<void>): () => void {
    return this.#digits.watch(watcher);
  }

  /** switch_channel_flush_dtmf. */
  flushDtmf(): void {
    this.#dtmf?.flush();
  }

  /**
   * switch_ivr_hold / switch_ivr_unhold: the endpoint is told; one that marks the leg holding (SIP)
   * makes its call state HELD / UNHELD, the others (loopback, null) never do, so for them unhold
   * fails. Hold plays the hold music to a bridged partner and fires CHANNEL_HOLD; unhold stops it
   * and fires CHANNEL_UNHOLD.
   */
  async hold(mode: 'on' | 'off' | 'toggle'): Promise<boolean> {
    const held = this.view.callState === 'HELD';
    if (mode === 'toggle') {
      if (held) return this.hold('off');
      return this.view.callState === 'ACTIVE' || this.view.callState === 'UNHELD' ? this.hold('on') : true;
    }
    if (mode === 'on' && held) {
      this.core.log('WARNING', 'Call is already on hold. No need to hold again.', this.uuid);
      return false;
    }
    if (mode === 'off' && !held) {
      this.core.log('WARNING', 'Call is not on hold. No need to unhold.', this.uuid);
      return false;
    }
    if (this.spec.endpoint.hold?.(this, mode === 'on')) await this.step({ type: 'SET_CALLSTATE', callState: mode === 'on' ? 'HELD' : 'UNHELD' });
    const music = this.#holdMusic();
    if (mode === 'on' && music) this.#bridge?.holdMusicToPartner(music);
    else this.#bridge?.stopPartnerBroadcast();
    this.fire(mode === 'on' ? 'CHANNEL_HOLD' : 'CHANNEL_UNHOLD');
    return true;
  }

  /**
   * The far end put the call on hold or took it off (switch_core_media_toggle_hold, from a phone's
   * re-INVITE): an answered leg is marked holding — call state HELD, CHANNEL_HOLD — and its bridged
   * partner hears the hold music (`hold_music`, else local_stream://moh; none for `silence`); off:
   * the partner's music stops, then UNHELD and CHANNEL_UNHOLD. Nothing happens when it is already so.
   */
  async legHolding(on: boolean): Promise<void> {
    const holding = this.view.callState === 'HELD';
    if (on === holding || (on && !this.view.answered)) return;
    if (!on) this.#bridge?.stopPartnerBroadcast();
    await this.step({ type: 'SET_CALLSTATE', callState: on ? 'HELD' : 'UNHELD' });
    this.fire(on ? 'CHANNEL_HOLD' : 'CHANNEL_UNHOLD');
    this.#presence({ ...holdPresence(on, this.variable('presence_call_info')), channel: this.view });
    const music = this.#holdMusic() ?? 'local_stream://moh';
    if (on && music.toLowerCase() !== 'silence') this.#bridge?.holdMusicToPartner(music);
  }

  /** Park tells the channel it is parked (a safe point for queued applications) or no longer. */
  async parked(on: boolean): Promise<void> {
    this.#parked = on;
    this.#parkDepth = this.#running.length;
    if (on && this.#locked === 0) await this.#runPending(async () => {});
  }

  // -- data -------------------------------------------------------------------------------------

  /** The snapshots' lookup of global variables, made once (every event takes a snapshot). */
  readonly #globalVariable = (name: string): string | undefined => this.core.globals.get(name);

  snapshot(view: ChannelView = this.view): ChannelSnapshot {
    const codec = this.spec.codec;
    return {
      view,
      uuid: this.uuid,
      name: this.name,
      direction: this.spec.direction,
      variables: this.#variables,
      profile: this.profile,
      globals: this.#globalVariable,
      dialplanFlag: this.#dialplanFlag,
      verboseEvents: this.#verboseEvents,
      ...(this.#otherLeg ? { otherLeg: this.#otherLeg } : {}),
      ...(this.#originator ? { originatorProfile: this.#originator } : {}),
      ...(this.#originatee ? { originateeProfile: this.#originatee } : {}),
      ...(codec ? { readCodec: codec, writeCodec: codec } : {}),
    };
  }

  fire(
    type: EventTypeName,
    view: ChannelView = this.view,
    pre?: readonly (readonly [string, string])[],
    post?: readonly (readonly [string, string])[],
  ): void {
    const event = this.core.bus.create(type);
    for (const [n, v] of pre ?? []) event.addHeader(n, v);
    this.#addData(event, this.snapshot(view));
    for (const [n, v] of post ?? []) event.addHeader(n, v);
    this.core.fire(event);
  }

  addChannelData(event: SwitchEvent): void {
    this.#addData(event, this.snapshot());
  }

  /** switch_channel_event_set_data; `fsctl verbose_events on` puts the variables on every event. */
  #addData(event: SwitchEvent, snapshot: ChannelSnapshot): void {
    addChannelData(event, snapshot, { globalVerboseEvents: this.core.control.verboseEvents });
  }

  variable(name: string): string | undefined {
    return channelVariable(this.snapshot(), name);
  }

  /** A read (ChannelRead): what the channel's process answers at once, also while it waits. */
  read(req: ChannelRead): unknown {
    switch (req.op) {
      case 'getvar':
        return req.index === undefined ? this.variable(req.name) : channelVariable(this.snapshot(), req.name, req.index);
      case 'setvar':
        this.setVariable(req.name, req.value);
        return true;
      case 'variables':
        return this.variables();
      case 'bridgeExports':
        return this.#bridging.exports();
      case 'data': {
        const event = newVariables();
        if (req.profilePrefix !== undefined) addProfileHeaders(event, this.profile, req.profilePrefix);
        (req.basic ? addBasicChannelData : addChannelData)(event, this.snapshot());
        return event.headers.map((h) => [h.name, h.value]);
      }
      case 'profile':
        return this.profile;
      case 'partner':
        return this.bridgePartner;
      case 'mediaUp':
        return this.mediaUp;
      case 'record':
        return this.record();
    }
  }

  /** The channel as its JSON CDR shows it. */
  record(): ChannelRecord {
    const current: ProfileRecord = {
      profile: this.profile,
      ...(this.#extension ? { extension: extensionRecord(this.#extension, this.#appIndex) } : {}),
      originators: this.#originators,
      originatees: this.#originatees,
    };
    return {
      name: this.name,
      state: this.view.state,
      direction: this.spec.direction,
      variables: this.variables(),
      appLog: [...this.#appLog],
      callflow: [current, ...this.#pastProfiles],
    };
  }

  setVariable(name: string, value: string | undefined): void {
    this.#variables.addHeader(name, value ?? '');
  }

  variables(): [string, string][] {
    return this.#variables.headers.map((h) => [h.name, h.value]);
  }

  /** What `${name}` expands to on this channel (item `index` of an array when ≥ 0). */
  expansionVariable(name: string, index: number): string | undefined {
    return channelVariable(this.snapshot(), name, index);
  }

  after(ms: number, fn: () => void | Promise<void>): () => void {
    const id = ++this.#timerSeq;
    this.#timers.set(id, fn);
    const ref = this.ctx.sendAfter(Math.max(0, Math.round(ms)), this.ctx.self, { channelTimer: id });
    return () => {
      if (this.#timers.delete(id)) this.ctx.cancelTimer(ref);
    };
  }

  /** A timer message of `after` (or the answer an `expect` waits for). */
  timer(id: number, value?: unknown): void {
    const fn = this.#timers.get(id) as ((value: unknown) => void | Promise<void>) | undefined;
    this.#timers.delete(id);
    if (fn) this.#queue.push(() => fn(value));
  }

  // -- requests from outside --------------------------------------------------------------------

  get #bridging(): Bridge {
    this.#bridge ??= new Bridge(this);
    return this.#bridge;
  }

  /** switch_channel_set_originator/originatee_caller_profile. */
  setOtherLeg(other: OtherLeg): void {
    if (other.type === 'originator') {
      this.#originator = other.profile;
      this.#originators = [other.profile, ...this.#originators];
    } else {
      this.#originatee = other.profile;
      this.#originatees = [other.profile, ...this.#originatees];
    }
    this.#otherLeg = other;
  }

  /** Where this leg is, as an originate dialling it sees it (LegReport's status). */
  get legStatus(): LegStatus {
    const c = this.#snap.context;
    if (c.hangupCalled || this.destroyed) return 'down';
    return c.answered ? 'answered' : c.early ? 'early' : c.ringReady ? 'ring' : 'none';
  }

  #tellWatchers(): void {
    const status = this.legStatus;
    const down = status === 'down';
    const cause = down ? this.#snap.context.hangupCause || Cause.NORMAL_CLEARING : 0;
    for (const w of this.#watchers ?? []) {
      if (w.last === status) continue;
      w.last = status;
      this.ctx.send(w.pid, { originateLeg: w.tag, uuid: this.uuid, status, cause } satisfies LegReport);
    }
    if (down) this.#watchers = undefined;
  }

  /**
   * The leg won an originate run inside another's endpoint (`user/`): from now on the outer
   * originate watches it, and is told where it is at once.
   */
  handOverTo(watcher: { readonly pid: Pid; readonly tag: number }): void {
    this.#watchers = [{ ...watcher, last: '' }];
    this.#tellWatchers();
  }

  /** CF_EARLY_OK (uuid_early_ok) on a leg being dialled: the originates watching it stop ignoring early media. */
  allowEarlyMedia(): void {
    const status = this.legStatus;
    for (const w of this.#watchers ?? [])
      this.ctx.send(w.pid, { originateLeg: w.tag, uuid: this.uuid, status, cause: 0, earlyOk: true } satisfies LegReport);
  }

  /**
   * Runs `fn` in this process when a `{ channelTimer: id, value }` message arrives (the answer of
   * a process this channel started, such as the bridge application's originate).
   */
  expect(fn: (value: unknown) => void | Promise<void>): number {
    const id = ++this.#timerSeq;
    this.#timers.set(id, fn as () => void | Promise<void>);
    return id;
  }

  /**
   * switch_channel_sort_cid when originate gives the leg its extension: an outbound leg not yet
   * flipped swaps caller and callee id (`pre_transfer_caller_id_*`, `channel_cid_flipped`), fires
   * CALL_UPDATE and logs the flip (switch_channel_flip_cid).
   */
  #sortCid(): void {
    if (this.spec.direction !== 'outbound' || this.#dialplanFlag) return;
    this.#dialplanFlag = true;
    const p = this.#profile;
    let next: CallerProfile = p;
    if (p.calleeIdName !== undefined) {
      this.setVariable('pre_transfer_caller_id_name', p.callerIdName);
      next = { ...next, callerIdName: p.calleeIdName, calleeIdName: this.#bridge?.partner ? '' : p.callerIdName };
    }
    if (p.calleeIdNumber !== undefined) {
      this.setVariable('pre_transfer_caller_id_number', p.callerIdNumber);
      next = { ...next, callerIdNumber: p.calleeIdNumber, calleeIdNumber: this.#bridge?.partner ? '' : p.callerIdNumber };
    }
    this.#profile = next;
    this.setVariable('channel_cid_flipped', 'yes');
    const partner = this.#bridge?.partner;
    this.fire('CALL_UPDATE', this.view, undefined, [['Direction', 'RECV'], ...(partner ? ([['Bridged-To', partner]] as const) : [])]);
    this.core.log(
      'INFO',
      `${this.name} Flipping CID from "${this.variable('pre_transfer_caller_id_name') ?? ''}" <${this.variable('pre_transfer_caller_id_number') ?? ''}> to "${next.callerIdName ?? ''}" <${next.callerIdNumber ?? ''}>`,
      this.uuid,
      LOG_SITES.flipCid,
    );
  }

  /** uuid_answer: true when the answer request succeeded. */
  async answer(): Promise<boolean> {
    this.#lastResult = true;
    await this.step({ type: 'ANSWER' });
    return this.#lastResult;
  }

  get mediaUp(): boolean {
    const c = this.#snap.context;
    return c.answered || c.early;
  }

  /** uuid_bridge, one leg (channel/bridge.ts). */
  bridgeJoin(other: string, originator: boolean, otherProfile?: CallerProfile, exports: Exports = []): Promise<Exports> {
    return this.#bridging.join(other, originator, otherProfile, exports);
  }

  /** The originator's CHANNEL_BRIDGE (uuid_bridge). */
  bridged(): void {
    this.#bridging.bridged();
  }

  /** The bridge application (channel/bridge.ts). */
  bridge(dial: string, done: () => void | Promise<void>): Promise<() => void | Promise<void>> {
    return this.#bridging.app(dial, done);
  }

  /** A bridge from the running application to a session already up (channel/bridge.ts `session`). */
  bridgeSession(other: SessionPeer, end: (peerHungUp: boolean, cause: number) => void | Promise<void>): Promise<() => Promise<void>> {
    return this.#bridging.session(other, end);
  }

  bridgePeer(other: string, otherName: string, inner = false, exports: Exports = []): Promise<void> {
    return this.#bridging.peer(other, otherName, inner, exports);
  }

  /** What this channel hands a bridge's other leg through `bridge_export_vars`. */
  bridgeExports(): Exports {
    return this.#bridging.exports();
  }

  partnerGone(from: string, cause: number, answered: boolean, early = false, hungUp = true, reply = false): Promise<void> {
    return this.#bridging.partnerGone(from, cause, answered, early, hungUp, reply);
  }

  partnerAnswered(from: string): Promise<void> {
    return this.#bridging.partnerAnswered(from);
  }

  transferPartner(destination: string, dialplan: string | undefined, context: string | undefined, silent: boolean): Promise<boolean> {
    return this.#bridging.transferPartner(destination, dialplan, context, silent);
  }

  /** switch_channel_set_bridge_time. */
  markBridged(): void {
    this.#times = { ...this.#times, bridged: this.core.nowUs() };
  }

  /** The machine's context (state, answered, early) as of now. */
  get context(): ChannelContextView {
    return this.#snap.context;
  }

  /** A variable pushed as one more item of an array variable (at its end, or with `unshift` at its start). */
  pushVariable(name: string, value: string, stack: 'push' | 'unshift' = 'push'): void {
    this.#variables.addHeader(name, value, stack);
  }

  /** switch_channel_set_profile_var (channel/profile_var.ts). */
  setProfileVar(name: string, value: string | undefined): void {
    this.#profile = withProfileVar(this.#profile, name, value);
  }

  /** The privacy application's caller-profile flags (SWITCH_CPF_SCREEN, _HIDE_NAME, _HIDE_NUMBER). */
  setProfileFlags(flags: { readonly screen?: boolean; readonly hideName?: boolean; readonly hideNumber?: boolean }): void {
    this.#profile = { ...this.#profile, ...flags };
  }

  /** switch_xml_locate_user_merged by `id`: undefined when the directory has no such user. */
  locateUser(id: string, domain: string): Promise<DirectoryUser | undefined> {
    return this.services.locateUser?.(id, domain) ?? Promise.resolve(undefined);
  }

  /** CF_VERBOSE_EVENTS (the verbose_events application): every event of the channel carries its variables. */
  setVerboseEvents(): void {
    this.#verboseEvents = true;
  }

  /**
   * Work running beside the state handlers (an originate's group_confirm on this leg, a thread of
   * its own in FreeSWITCH): a hangup (or a transfer, or park) ends it as it ends an application,
   * through `interrupt`. The returned function takes it off once it is over.
   */
  beside(interrupt: () => void | Promise<void>): () => void {
    const slot: RunningApp = { interrupt };
    this.#running.push(slot);
    return () => {
      const i = this.#running.indexOf(slot);
      if (i >= 0) this.#running.splice(i, 1);
    };
  }

  /** switch_channel_pass_callee_id from another leg: its callee id name and number, those not empty. */
  takeCalleeId(name: string | undefined, number: string | undefined): void {
    this.#profile = { ...this.#profile, ...(name ? { calleeIdName: name } : {}), ...(number ? { calleeIdNumber: number } : {}) };
  }

  /** The leg is no longer an originate leg parked in CS_CONSUME_MEDIA. */
  stopOriginating(): void {
    this.#originating = false;
    this.#watchers = undefined;
  }

  /** uuid_pre_answer: true when the pre-answer request succeeded. */
  async preAnswer(): Promise<boolean> {
    this.#lastResult = true;
    await this.step({ type: 'PRE_ANSWER' });
    return this.#lastResult;
  }

  /** exec_after_bridge_app: the extension becomes this one application, run from the start (CF_RESET). */
  resetExtension(application: string, data: string): void {
    this.#useExtension({ name: application, number: application, applications: [{ application, data }] });
  }

  /** Originate's last step: a one-application extension (`&app(arg)`) and CS_EXECUTE. */
  async setExtension(extension: Extension): Promise<void> {
    this.stopOriginating();
    this.#sortCid();
    this.#useExtension(extension);
    await this.step({ type: 'SET_STATE', state: 'CS_EXECUTE' });
  }

  /** A new extension, run from its first application. */
  #useExtension(extension: Extension): void {
    this.#extension = extension;
    this.#appIndex = 0;
  }

  /**
   * switch_channel_set_caller_profile with a clone of the profile (switch_caller_profile_dup): the
   * old one, with its extension and other legs, goes into the call flow; the new one has the next
   * index, fresh times, `changes` and the transfer source (returned), which names the new profile's
   * own uuid (its `uuid_str`, not the channel's).
   */
  #stepProfile(changes: Partial<CallerProfile>, source: (profileUuid: string) => string): string {
    const index = String(Number(this.#profile.profileIndex ?? '1') + 1);
    const times = transferTimes(this.#times, this.core.nowUs());
    const ext = extensionRecord(this.#extension, this.#appIndex);
    this.#pastProfiles.unshift({
      profile: { ...this.#profile, times: times.old },
      ...(ext ? { extension: ext } : {}),
      originators: this.#originators,
      originatees: this.#originatees,
    });
    this.#originators = [];
    this.#originatees = [];
    this.#times = times.next;
    const transferSource = this.#transferSource(source);
    this.#profile = { ...this.#profile, ...changes, profileIndex: index, transferSource };
    return transferSource;
  }

  /** `<epoch>:<profile uuid>:…`, the caller profile's transfer_source. */
  #transferSource(source: (profileUuid: string) => string): string {
    return `${Math.floor(this.core.nowUs() / 1e6)}:${source(this.core.newUuid())}`;
  }

  #noteTransfer(transferSource: string): void {
    this.pushVariable('transfer_history', transferSource);
    this.setVariable('transfer_source', transferSource);
  }

  /** Originate to `<exten> [dialplan] [context]`: a new caller profile and routing again. */
  async #transfer(destination: string, dialplan: string, context: string): Promise<void> {
    this.stopOriginating();
    // switch_ivr_session_transfer: the new profile's rdnis is the old destination
    const rdnis = this.#profile.destinationNumber;
    const changes = { destinationNumber: destination, dialplan, context, rdnis };
    const source = (id: string) => `${id}:bl_xfer:${destination}/${context}/${dialplan}`;
    let transferSource: string;
    if (this.reuseCallerProfile) {
      transferSource = this.#transferSource(source);
      this.#profile = { ...this.#profile, ...changes, transferSource };
    } else transferSource = this.#stepProfile(changes, source);
    await this.step({ type: 'SET_STATE', state: 'CS_ROUTING' });
    this.#noteTransfer(transferSource);
  }

  /**
   * switch_ivr_uuid_bridge's bookkeeping on this leg, bridged to `other`: `original_destination_number`,
   * `original_caller_id_name` / `_number` from the profile as it was, then a new profile taking `ids`
   * (the originator: the originatee's callee id; the originatee: the originator's caller id) and a
   * `<epoch>:<profile uuid>:uuid_br:<other>` transfer source.
   */
  uuidBridgeProfile(other: string, ids: Partial<CallerProfile>): void {
    const p = this.#profile;
    this.setVariable('original_destination_number', p.destinationNumber);
    this.setVariable('original_caller_id_name', p.callerIdName);
    this.setVariable('original_caller_id_number', p.callerIdNumber);
    this.#noteTransfer(this.#stepProfile(ids, (id) => `${id}:uuid_br:${other}`));
  }

  /**
   * switch_ivr_session_transfer's loop guard: `max_session_transfers`, else `max_forwards`, less
   * one (70 when neither is set) is stored back; at 0 the channel hangs up EXCHANGE_ROUTING_ERROR
   * and is not transferred.
   */
  async #forwardAllowed(): Promise<boolean> {
    let name = 'max_session_transfers';
    let value = this.variable(name);
    if (!value) {
      name = 'max_forwards';
      value = this.variable(name);
    }
    const left = value ? atoi(value) - 1 : 70;
    if (left <= 0) {
      await this.step({ type: 'HANGUP', cause: Cause.EXCHANGE_ROUTING_ERROR });
      return false;
    }
    this.setVariable(name, String(left));
    return true;
  }

  /**
   * switch_ivr_session_transfer (uuid_transfer, the transfer application, transfer_after_bridge,
   * transfer_on_fail): `temp_hold_music` cleared, the `execute_on_blind_transfer` hooks, a new
   * caller profile, CS_ROUTING requested, and the running applications (park, …) ended, innermost
   * first. A missing dialplan or context is `force_transfer_dialplan` / `_context`, else the
   * profile's (an `inline` dialplan does not count), else XML / default; a missing extension is
   * `service`.
   */
  async redirect(destination: string, dialplan?: string, context?: string, silent = false): Promise<void> {
    if (!(await this.#forwardAllowed())) return;
    this.setVariable('temp_hold_music', undefined);
    await executeOn(this, 'blind_transfer');
    const p = this.#profile;
    const dp = dialplan || this.variable('force_transfer_dialplan') || (caseEqual(p.dialplan ?? '', 'inline') ? '' : p.dialplan) || 'XML';
    const ctx = context || this.variable('force_transfer_context') || p.context || 'default';
    await this.#bridge?.leave(silent);
    await this.#transfer(destination || 'service', dp, ctx);
    this.interruptAll();
  }

  /** sendmsg xferext: CS_ROUTING with a ready extension, the running applications ended. */
  async transferToExtension(extension: Extension): Promise<void> {
    this.stopOriginating();
    this.#queuedExtension = extension;
    await this.step({ type: 'SET_STATE', state: 'CS_ROUTING' });
    this.interruptAll();
  }

  /** uuid_park (switch_ivr_park_session): CS_PARK requested, the running applications ended. */
  async parkSession(): Promise<void> {
    await this.step({ type: 'SET_STATE', state: 'CS_PARK' });
    this.interruptAll();
  }

  /**
   * The leg leaves its bridge without telling the partner, as a state change with CF_TRANSFER
   * breaks switch_ivr_bridge's loop (switch_ivr_intercept_session parking a bridged target).
   */
  async leaveBridge(): Promise<void> {
    await this.#bridge?.leave(true);
  }

  /** Ends the running applications, innermost first. */
  interruptAll(): void {
    for (const slot of [...this.#running].reverse()) {
      const interrupt = slot.interrupt;
      slot.interrupt = undefined;
      if (interrupt) this.#queue.push(interrupt);
    }
  }

  /** CS_PARK's standard handler: switch_ivr_park without an application (no CHANNEL_EXECUTE). */
  async #parkState(): Promise<boolean> {
    const timeout = takeParkTimeout(
      (n) => this.variable(n),
      (n, v) => this.setVariable(n, v),
    );
    this.fire('CHANNEL_PARK');
    const slot: RunningApp = { interrupt: undefined };
    const cancel = timeout ? this.after(timeout.ms, () => this.step({ type: 'HANGUP', cause: timeout.cause })) : () => {};
    slot.interrupt = async () => {
      cancel();
      const i = this.#running.indexOf(slot);
      if (i >= 0) this.#running.splice(i, 1);
      this.#parked = false;
      this.fire('CHANNEL_UNPARK');
      await this.#handlersDone();
    };
    this.#running.push(slot);
    if (this.hungUp) this.interruptAll();
    else await this.parked(true);
    return false;
  }

  /**
   * The process was killed (no terminate ran; the reaper calls this from its own process): fire
   * on the channel's behalf what its hangup would have fired — CHANNEL_HANGUP with cause CRASH,
   * CHANNEL_HANGUP_COMPLETE, CHANNEL_DESTROY — from its last data, skipping what it fired itself
   * before it died; a bridge partner is told from `from`. Nothing here may use the dead process
   * (no state handlers, hooks, or messages sent as it).
   */
  killed(from: Where): void {
    if (this.destroyed) return;
    this.#crashed = true;
    const last = this.view;
    const hungUp = this.hungUp;
    const hangupCause = last.hangupCause || Cause.CRASH;
    if (!this.#variables.getHeader('hangup_cause')) {
      this.setVariable('hangup_cause', causeName(hangupCause));
      this.setVariable('hangup_cause_q850', String(causeQ850(hangupCause)));
    }
    const down: ChannelView = { ...last, state: 'CS_HANGUP', callState: 'HANGUP', hangupCause };
    if (!hungUp) this.fire('CHANNEL_HANGUP', { ...last, state: 'CS_HANGUP', hangupCause });
    this.#bridge?.killed(from, hangupCause);
    if (last.state !== 'CS_DESTROY')
      this.fire('CHANNEL_HANGUP_COMPLETE', { ...down, state: 'CS_REPORTING', running: 'CS_REPORTING' }, undefined, [
        ['Hangup-Cause', causeName(hangupCause)],
      ]);
    this.fire('CHANNEL_DESTROY', { ...down, state: 'CS_DESTROY', running: 'CS_REPORTING' });
    this.destroyed = true;
  }

  /** The process is ending without having been destroyed (a crash, or a shutdown): hang up and run the loop to its end. */
  async crash(reason: unknown, cause: number): Promise<void> {
    this.#crashed = true;
    this.#queue.length = 0;
    this.#running.length = 0;
    this.#inHandlers = false;
    for (const id of [...this.#timers.keys()]) this.#timers.delete(id);
    const level = cause === Cause.CRASH ? 'CRIT' : 'NOTICE';
    this.core.log(level, `${this.name} ended without hangup (${String(reason)}): hangup ${causeName(cause)}`, this.uuid);
    await this.step({ type: 'HANGUP', cause });
    // no state handler of the bridge runs now: the partner is told here
    this.#bridge?.killed(this.ctx, cause);
    await this.step({ type: 'HANDLED' });
    this.#queue.push({ type: 'RUN' });
    for (let guard = 0; !this.destroyed && guard < 100; guard++) {
      await this.drain();
      if (!this.destroyed) this.#queue.push({ type: 'RUN' });
    }
    this.core.sessions.remove(this.uuid);
    this.core.media.detach(this.uuid);
    if (this.#watchers) this.#tellWatchers();
  }
}
