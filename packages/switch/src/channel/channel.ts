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
import { randomUUID } from 'node:crypto';
import { type From, GenServer, type ProcessContext } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { initialTransition, transition } from 'xstate';
import type { Application, AppChannel } from '../applications/types.ts';
import type { SwitchCore } from '../core/core.ts';
import type { Dialplan } from '../dialplan/dialplan.ts';
import { expandVariables } from '../dialplan/expand.ts';
import type { Extension } from '../dialplan/xml_match.ts';
import type { EventTypeName } from '../events/types.ts';
import type { SwitchEvent } from '../events/event.ts';
import { Cause, causeName } from './causes.ts';
import { type ChannelSnapshot, type CodecInfo, addChannelData } from './data.ts';
import { type ChannelEffect, type ChannelEvent, type ChannelView, type Indication, channelMachine, effectsOf, viewOf } from './machine.ts';
import { type CallerProfile, NO_TIMES, type ProfileTimes, addProfileHeaders } from './profile.ts';
import type { CallDirection, ChannelStateName } from './states.ts';
import { channelVariable, newVariables } from './variables.ts';

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
}

/** What every channel of a switch shares. */
export interface ChannelServices {
  readonly core: SwitchCore;
  readonly applications: ReadonlyMap<string, Application>;
  readonly dialplan?: Dialplan;
  /** Starts another channel under the channel supervisor (loopback's B leg). */
  startChannel(ctx: ProcessContext, spec: ChannelSpec): Promise<Pid>;
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
}

/** What a channel asks of its endpoint (switch_io_routines + the endpoint's state handlers). */
export interface Endpoint {
  /** The endpoint's handler for `state`; return false to veto the standard behaviour. */
  onState?(ch: EndpointChannel, state: ChannelStateName): Promise<boolean | undefined> | boolean | undefined;
  /** Tell the far end (answer, progress, ringing); false: it refused. */
  indicate?(ch: EndpointChannel, message: Indication): Promise<boolean> | boolean;
}

export type OriginateOutcome = { readonly ok: true } | { readonly ok: false; readonly cause: number };

type Snapshot = ReturnType<typeof initialTransition<typeof channelMachine>>[0];
type Item = ChannelEvent | (() => void | Promise<void>);

const TIME_FIELDS: Record<string, keyof ProfileTimes> = {
  answered: 'answered',
  progress: 'progress',
  progress_media: 'progressMedia',
  hungup: 'hungup',
};

export class Channel implements EndpointChannel {
  readonly uuid: string;
  readonly name: string;
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
  #extension: Extension | undefined;
  /** sendmsg xferext: the extension CS_ROUTING takes instead of hunting the dialplan. */
  #queuedExtension: Extension | undefined;
  #appIndex = 0;
  /** One slot per running application, outermost first (an app run inside park sits above it). */
  readonly #running: { interrupt: (() => void | Promise<void>) | undefined }[] = [];
  /** Applications queued by `queueExecute` (sendmsg execute), run at the next safe point. */
  readonly #pending: { name: string; data: string; uuid: string | undefined }[] = [];
  #parked = false;
  /** The bridged partner (uuid_bridge) and whether this leg is the bridge's originator (A). */
  #bridge: { other: string; originator: boolean } | undefined;
  #waiters: From[] = [];
  #lastResult = true;
  readonly #timers = new Map<number, () => void | Promise<void>>();
  #timerSeq = 0;

  constructor(
    readonly spec: ChannelSpec,
    readonly services: ChannelServices,
    readonly ctx: ProcessContext,
  ) {
    this.uuid = spec.uuid;
    this.name = spec.name;
    this.core = services.core;
    this.partner = spec.partner;
    this.#originating = !!spec.originating;
    const now = this.core.nowUs();
    this.#times = { ...NO_TIMES, profileCreated: now, created: now };
    this.#profile = spec.profile;
    for (const [n, v] of spec.variables) this.#variables.addHeader(n, v);
    [this.#snap] = initialTransition(channelMachine, { direction: spec.direction });
  }

  get profile(): CallerProfile {
    return { ...this.#profile, times: this.#times };
  }

  get view(): ChannelView {
    return viewOf(this.#snap.context);
  }

  get hungUp(): boolean {
    return this.#snap.context.hangupCalled;
  }

  /** switch_core_session_request + (for originate) the outgoing event; then the loop starts. */
  async start(): Promise<boolean> {
    if (!this.core.sessions.add(this.uuid, this.ctx.self)) return false;
    this.core.sessions.nextId();
    this.core.log('NOTICE', `New Channel ${this.name} [${this.uuid}]`, this.uuid);
    await this.step({ type: 'SET_STATE', state: 'CS_INIT' });
    if (this.spec.outgoing) this.fire('CHANNEL_OUTGOING');
    return true;
  }

  /** A session made and destroyed at once, never run (an endpoint that refuses after creating it). */
  async abandon(): Promise<void> {
    this.core.sessions.nextId();
    this.core.log('NOTICE', `New Channel ${this.name} [${this.uuid}]`, this.uuid);
    await this.step({ type: 'DESTROY' });
  }

  // -- the machine ------------------------------------------------------------------------------

  async send(event: ChannelEvent): Promise<void> {
    await this.step(event);
  }

  async step(event: ChannelEvent): Promise<void> {
    const [next, actions] = transition(channelMachine, this.#snap, event);
    this.#snap = next;
    for (const effect of effectsOf(actions)) await this.#perform(effect);
  }

  async drain(): Promise<void> {
    for (let item = this.#queue.shift(); item !== undefined; item = this.#queue.shift()) {
      if (typeof item === 'function') await item();
      else await this.step(item);
    }
    this.#answerWaiters();
  }

  async #perform(e: ChannelEffect): Promise<void> {
    switch (e.type) {
      case 'fire':
        this.fire(e.params.event, e.params.channel, e.params.pre);
        return;
      case 'log': {
        const s = this.core.sessions;
        const text = e.params.text.replaceAll('{name}', this.name).replaceAll('{cur}', String(s.count)).replaceAll('{tot}', String(s.sinceStartup));
        this.core.log(e.params.level, text, this.uuid);
        return;
      }
      case 'setVariable':
        this.#variables.addHeader(e.params.name, e.params.value);
        return;
      case 'markTime': {
        const field = TIME_FIELDS[e.params.time];
        if (field) this.#times = { ...this.#times, [field]: this.core.nowUs() };
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
        this.core.sessions.remove(this.uuid);
        return;
      // not simulated yet: bridged partners, presence, the *_stamp/*_epoch variables
      case 'setPartnerVariable':
      case 'presence':
      case 'setTimestamps':
        return;
    }
  }

  // -- the state handlers -----------------------------------------------------------------------

  async #runHandlers(state: ChannelStateName): Promise<void> {
    if (state === 'CS_DESTROY') {
      this.destroyed = true;
      return;
    }
    this.#inHandlers = true;
    if (await this.#handle(state)) await this.#handlersDone();
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
    if (state === 'CS_HANGUP') this.#unbridge();
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
        this.#appIndex = 0;
        return this.#nextApp();
      case 'CS_PARK':
        return this.#parkState();
      default:
        return true;
    }
  }

  async #route(): Promise<void> {
    const queued = this.#queuedExtension;
    if (queued) {
      // switch_channel_transfer_to_extension: routing uses the queued extension, no dialplan
      this.#queuedExtension = undefined;
      this.#extension = queued;
      await this.step({ type: 'SET_STATE', state: 'CS_EXECUTE' });
      return;
    }
    const dialplan = this.services.dialplan;
    const result = await dialplan?.hunt({
      profile: this.profile,
      channelName: this.name,
      expand: (text) => this.expand(text),
      variable: (n) => this.variable(n),
      setVariable: (n, v) => this.setVariable(n, v),
      pushVariable: (n, v) => this.#variables.addHeader(n, v, 'push'),
      deleteVariablesWithPrefix: (prefix) => {
        for (const h of [...this.#variables.headers]) if (h.name.toLowerCase().startsWith(prefix.toLowerCase())) this.#variables.delHeader(h.name);
      },
      executeInline: (app, data) => this.core.log('WARNING', `inline application ${app}(${data}) not supported yet`, this.uuid),
      log: (level, text) => this.core.log(level, text, this.uuid),
      requestParams: () => {
        const params = this.core.bus.create('REQUEST_PARAMS');
        this.addChannelData(params);
        addProfileHeaders(params, this.profile, 'Hunt');
        return params;
      },
    });
    if (!result?.extension) {
      this.core.log('NOTICE', `No Route, Aborting`, this.uuid);
      await this.step({ type: 'HANGUP', cause: Cause.NO_ROUTE_DESTINATION });
      return;
    }
    this.#extension = result.extension;
    await this.step({ type: 'SET_STATE', state: 'CS_EXECUTE' });
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
        await this.step({ type: 'HANGUP', cause: Cause.NORMAL_CLEARING });
        return true;
      }
      const finished = await this.execute(app.application, app.data, async () => {
        if (await this.#nextApp()) await this.#handlersDone();
      });
      if (!finished) return false;
    }
  }

  /**
   * switch_core_session_exec: CHANNEL_EXECUTE, the application, CHANNEL_EXECUTE_COMPLETE. True
   * when it finished at once; else `then` runs when it does.
   */
  async execute(name: string, rawData: string, then: () => Promise<void>, appUuid: string = randomUUID()): Promise<boolean> {
    const app = this.services.applications.get(name.toLowerCase());
    if (!app) {
      this.core.log('ERR', `Invalid Application ${name}`, this.uuid);
      await this.step({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
      return true;
    }
    if (this.hungUp && !app.zombieExec) return true;
    const data = this.expand(rawData);
    this.setVariable('current_application', app.name);
    this.setVariable('current_application_data', data);
    this.setVariable('current_application_response', undefined);
    this.fire('CHANNEL_EXECUTE', this.view, undefined, [
      ['Application', app.name],
      ['Application-Data', data],
      ['Application-UUID', appUuid],
    ]);
    let completed = false;
    let running = true;
    const slot: { interrupt: (() => void | Promise<void>) | undefined } = { interrupt: undefined };
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
   * Runs the queued applications one after the other; false when one is waiting (`then` runs
   * once the queue is done).
   */
  async #runPending(then: () => Promise<void>): Promise<boolean> {
    for (let next = this.#pending.shift(); next !== undefined; next = this.#pending.shift()) {
      const finished = await this.execute(
        next.name,
        next.data,
        async () => {
          if (await this.#runPending(then)) await then();
        },
        next.uuid,
      );
      if (!finished) return false;
    }
    return true;
  }

  /**
   * sendmsg `execute`: queue an application. A parked channel runs it at once, nested inside
   * park (no CHANNEL_UNPARK); a channel in its extension runs it before the next application;
   * otherwise it waits for one of those (spec §2.5 c).
   */
  async queueExecute(name: string, data: string, appUuid?: string): Promise<void> {
    this.#pending.push({ name, data, uuid: appUuid });
    if (this.#parked) await this.#runPending(async () => {});
  }

  /** Park tells the channel it is parked (a safe point for queued applications) or no longer. */
  async parked(on: boolean): Promise<void> {
    this.#parked = on;
    if (on) await this.#runPending(async () => {});
  }

  // -- data -------------------------------------------------------------------------------------

  snapshot(view: ChannelView = this.view): ChannelSnapshot {
    const codec = this.spec.codec;
    return {
      view,
      uuid: this.uuid,
      name: this.name,
      direction: this.spec.direction,
      variables: this.#variables,
      profile: this.profile,
      globals: (n) => this.core.globals.get(n),
      dialplanFlag: this.#dialplanFlag,
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
    addChannelData(event, this.snapshot(view));
    for (const [n, v] of post ?? []) event.addHeader(n, v);
    this.core.fire(event);
  }

  addChannelData(event: SwitchEvent): void {
    addChannelData(event, this.snapshot());
  }

  variable(name: string): string | undefined {
    return channelVariable(this.snapshot(), name);
  }

  setVariable(name: string, value: string | undefined): void {
    this.#variables.addHeader(name, value ?? '');
  }

  variables(): [string, string][] {
    return this.#variables.headers.map((h) => [h.name, h.value]);
  }

  expand(text: string): string {
    if (!text.includes('$')) return text;
    return expandVariables(text, { variable: (n, i) => channelVariable(this.snapshot(), n, i) });
  }

  after(ms: number, fn: () => void | Promise<void>): () => void {
    const id = ++this.#timerSeq;
    this.#timers.set(id, fn);
    const ref = this.ctx.sendAfter(Math.max(0, Math.round(ms)), this.ctx.self, { channelTimer: id });
    return () => {
      if (this.#timers.delete(id)) this.ctx.cancelTimer(ref);
    };
  }

  /** A timer message of `after`. */
  timer(id: number): void {
    const fn = this.#timers.get(id);
    this.#timers.delete(id);
    if (fn) this.#queue.push(fn);
  }

  // -- requests from outside --------------------------------------------------------------------

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

  /**
   * uuid_bridge, one leg: the running applications end, the leg goes to CS_EXCHANGE_MEDIA and
   * fires the synthetic CHANNEL_EXECUTE (Application uuid_bridge, Application-Data the other uuid).
   */
  async bridgeJoin(other: string, originator: boolean): Promise<void> {
    this.#bridge = { other, originator };
    this.setVariable('signal_bond', other);
    this.setVariable('bridge_uuid', other);
    this.fire('CHANNEL_EXECUTE', this.view, undefined, [
      ['Application', 'uuid_bridge'],
      ['Application-Data', other],
    ]);
    await this.step({ type: 'SET_STATE', state: 'CS_EXCHANGE_MEDIA' });
    this.#interruptAll();
  }

  /** The originator's CHANNEL_BRIDGE. */
  bridged(): void {
    if (!this.#bridge?.originator) return;
    this.fire('CHANNEL_BRIDGE', this.view, [
      ['Bridge-A-Unique-ID', this.uuid],
      ['Bridge-B-Unique-ID', this.#bridge.other],
    ]);
  }

  /** This leg hangs up: the bridge ends (CHANNEL_UNBRIDGE on the originator) and the partner is told. */
  #unbridge(): void {
    const b = this.#bridge;
    if (!b) return;
    this.#bridge = undefined;
    if (b.originator) this.#fireUnbridge(b.other);
    const pid = this.core.sessions.get(b.other);
    if (pid) {
      const msg = { op: 'unbridged', from: this.uuid, cause: this.view.hangupCause || Cause.NORMAL_CLEARING, answered: this.#snap.context.answered };
      GenServer.cast(this.ctx, pid, msg);
    }
  }

  #fireUnbridge(other: string): void {
    this.fire('CHANNEL_UNBRIDGE', this.view, [
      ['Bridge-A-Unique-ID', this.uuid],
      ['Bridge-B-Unique-ID', other],
    ]);
  }

  /**
   * The partner hung up (switch_ivr_bridge's end of bridge): the originator's partner hanging up
   * after answering, with hangup_after_bridge=true, hangs the originator up with its cause, else
   * the originator returns to CS_EXECUTE; the other leg of an originator that hung up is hung up
   * with the same cause.
   */
  async partnerGone(from: string, cause: number, answered: boolean): Promise<void> {
    const b = this.#bridge;
    if (!b || b.other !== from || this.hungUp) return;
    this.#bridge = undefined;
    if (!b.originator) {
      await this.step({ type: 'HANGUP', cause });
      return;
    }
    this.#fireUnbridge(from);
    const hab = this.variable('hangup_after_bridge');
    if (answered && hab !== undefined && /^(yes|on|true|t|enabled|active|allow|[1-9]\d*)$/i.test(hab)) await this.step({ type: 'HANGUP', cause });
    else await this.step({ type: 'SET_STATE', state: 'CS_EXECUTE' });
  }

  /** uuid_pre_answer: true when the pre-answer request succeeded. */
  async preAnswer(): Promise<boolean> {
    this.#lastResult = true;
    await this.step({ type: 'PRE_ANSWER' });
    return this.#lastResult;
  }

  /** Originate waits for answer or early media, or the leg's end. */
  waitAnswer(from: From): void {
    this.#waiters.push(from);
    this.#answerWaiters();
  }

  #answerWaiters(): void {
    if (this.#waiters.length === 0) return;
    const c = this.#snap.context;
    let outcome: OriginateOutcome | undefined;
    if (c.hangupCalled || this.destroyed) outcome = { ok: false, cause: c.hangupCause || Cause.NORMAL_CLEARING };
    else if (c.answered || c.early) outcome = { ok: true };
    if (!outcome) return;
    for (const w of this.#waiters) w.reply(outcome);
    this.#waiters = [];
  }

  /** Originate's last step: a one-application extension (`&app(arg)`) and CS_EXECUTE. */
  async setExtension(extension: Extension): Promise<void> {
    this.#originating = false;
    this.#dialplanFlag = true;
    this.#extension = extension;
    await this.step({ type: 'SET_STATE', state: 'CS_EXECUTE' });
  }

  /** Originate to `<exten> [dialplan] [context]`: a new caller profile and routing again. */
  async transfer(destination: string, dialplan: string, context: string): Promise<void> {
    this.#originating = false;
    this.#dialplanFlag = true;
    const index = String(Number(this.#profile.profileIndex ?? '1') + 1);
    this.#profile = { ...this.#profile, destinationNumber: destination, dialplan, context, profileIndex: index };
    await this.step({ type: 'SET_STATE', state: 'CS_ROUTING' });
  }

  /**
   * uuid_transfer (switch_ivr_session_transfer): a new caller profile, CS_ROUTING requested, and
   * the running applications (park, …) ended, innermost first.
   */
  async redirect(destination: string, dialplan: string, context: string): Promise<void> {
    await this.transfer(destination, dialplan, context);
    this.#interruptAll();
  }

  /** sendmsg xferext: CS_ROUTING with a ready extension, the running applications ended. */
  async transferToExtension(extension: Extension): Promise<void> {
    this.#originating = false;
    this.#queuedExtension = extension;
    await this.step({ type: 'SET_STATE', state: 'CS_ROUTING' });
    this.#interruptAll();
  }

  /** uuid_park (switch_ivr_park_session): CS_PARK requested, the running applications ended. */
  async parkSession(): Promise<void> {
    await this.step({ type: 'SET_STATE', state: 'CS_PARK' });
    this.#interruptAll();
  }

  #interruptAll(): void {
    for (const slot of [...this.#running].reverse()) {
      const interrupt = slot.interrupt;
      slot.interrupt = undefined;
      if (interrupt) this.#queue.push(interrupt);
    }
  }

  /** CS_PARK's standard handler: switch_ivr_park without an application (no CHANNEL_EXECUTE). */
  async #parkState(): Promise<boolean> {
    this.fire('CHANNEL_PARK');
    const slot: { interrupt: (() => void | Promise<void>) | undefined } = { interrupt: undefined };
    slot.interrupt = async () => {
      const i = this.#running.indexOf(slot);
      if (i >= 0) this.#running.splice(i, 1);
      this.#parked = false;
      this.fire('CHANNEL_UNPARK');
      await this.#handlersDone();
    };
    this.#running.push(slot);
    if (this.hungUp) this.#interruptAll();
    else await this.parked(true);
    return false;
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
    await this.step({ type: 'HANDLED' });
    this.#queue.push({ type: 'RUN' });
    for (let guard = 0; !this.destroyed && guard < 100; guard++) {
      await this.drain();
      if (!this.destroyed) this.#queue.push({ type: 'RUN' });
    }
    this.core.sessions.remove(this.uuid);
    this.#answerWaiters();
  }
}
