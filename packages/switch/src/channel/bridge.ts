/**
 * A channel's bridges (switch_ivr_bridge.c, mod_dptools' bridge): the leg it is bridged to and
 * whether it is the bridge's originator (A); `uuid_bridge`'s join; the `bridge` application
 * (originate from the channel in a process of its own, then switch_ivr_multi_threaded_bridge);
 * the end of a bridge when either leg hangs up or is transferred. Partners talk by cast only, so
 * two bridged channels never wait on each other.
 */
import { GenServer, type ProcessContext, type Where } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import type { SwitchCore } from '../core/core.ts';
import type { EventTypeName } from '../events/types.ts';
import { hasVariableReference, switchTrue } from '../internal/strings.ts';
import { LOG_SITES } from '../log/sites.ts';
import { Cause, causeName } from './causes.ts';
import { DIALSTATUS, handleCause } from './handle_cause.ts';
import type { HookPoint } from './hooks.ts';
import type { ChannelContext, ChannelEvent, ChannelView } from './machine.ts';
import { type OriginateCancel, type OriginateRequest, type OriginateResult, type OriginateWinner, originateCallerOf } from './originate_types.ts';
import { type CallerProfile, cloneProfile } from './profile.ts';
import type { SessionPeer } from './session_peer.ts';
import type { DtmfSource } from './dtmf_queue.ts';
import { type Exports, exportedVariables } from './exports.ts';

/** What the bridge needs of its channel. */
export interface BridgeHost {
  readonly uuid: string;
  readonly name: string;
  readonly ctx: ProcessContext;
  readonly core: SwitchCore;
  readonly services: { originate?(ctx: ProcessContext, req: OriginateRequest): Promise<OriginateResult> };
  readonly hungUp: boolean;
  /** CF_INTERCEPTED: an `intercept` took this leg; its dialling ends PICKED_OFF (cleared once seen). */
  intercepted: boolean;
  /** CF_XFER_ZOMBIE (uuid_xfer_zombie): a peer whose caller left is not hung up, transferred or parked after the bridge. */
  readonly xferZombie: boolean;
  readonly view: ChannelView;
  readonly context: ChannelContext;
  readonly profile: CallerProfile;
  step(event: ChannelEvent): Promise<void>;
  fire(type: EventTypeName, view?: ChannelView, pre?: readonly (readonly [string, string])[], post?: readonly (readonly [string, string])[]): void;
  variable(name: string): string | undefined;
  setVariable(name: string, value: string | undefined): void;
  pushVariable(name: string, value: string): void;
  setOtherLeg(other: { readonly type: 'originator' | 'originatee'; readonly profile: CallerProfile }): void;
  /** switch_ivr_uuid_bridge's original_* variables, stepped profile and transfer source (channel.ts). */
  uuidBridgeProfile(other: string, ids: Partial<CallerProfile>): void;
  /** switch_channel_pass_callee_id from another leg. */
  takeCalleeId(name: string | undefined, number: string | undefined): void;
  /** Runs `fn` in the channel's process when `{ channelTimer: id, value }` arrives. */
  expect(fn: (value: unknown) => void | Promise<void>): number;
  markBridged(): void;
  interruptAll(): void;
  /** switch_ivr_park_session. */
  parkSession(): Promise<void>;
  /** switch_ivr_session_transfer. */
  redirect(destination: string, dialplan?: string, context?: string): Promise<void>;
  stopOriginating(): void;
  /** The `execute_on_<point>` and `api_on_<point>` hooks (channel/hooks.ts); true when there was one. */
  runHooks(point: HookPoint): Promise<boolean>;
  /** The extension becomes this one application, run from the start (CF_RESET). */
  resetExtension(application: string, data: string): void;
  /** An execute queued on the leg (switch_core_session_execute_application_async). */
  queueExecute(name: string, data: string, opts: { readonly lock?: boolean }): Promise<void>;
}

type AppEnd = (cause: number, answered: boolean, early: boolean, hungUp: boolean) => Promise<void>;

type BridgeState = {
  other: string;
  originator: boolean;
  app?: AppEnd;
  peerAnswered?: boolean;
  terminateKeys?: string | undefined;
  /** switch_ivr_multi_threaded_bridge's input_callback on this leg's digits: false ends the bridge. */
  inputCallback?: ((digit: string) => boolean) | undefined;
  /** CF_INNER_BRIDGE on a peer: the bridge's end leaves it as it is (no hangup, park or transfer after it). */
  inner?: boolean;
  /**
   * This leg's end of the bridge waits for the peer to leave CS_EXCHANGE_MEDIA
   * (switch_ivr_multi_threaded_bridge): the peer's answer goes here.
   */
  leaving?: AppEnd;
};

export class Bridge {
  /**
   * The partner and whether this leg is the originator; `app`: the bridge application runs it, and
   * ends it (`peerAnswered`: whether the peer has answered); `terminateKeys`: the bridge
   * application's `bridge_terminate_key` of this leg.
   */
  #bridged: BridgeState | undefined;
  /** A peer that had only early media: its answer answers the caller (audio_bridge_thread). */
  #answerOnAnswer = false;
  readonly #ch: BridgeHost;

  constructor(ch: BridgeHost) {
    this.#ch = ch;
  }

  get #state(): BridgeState | undefined {
    return this.#bridged;
  }

  /**
   * The audio follows the bridge: this leg's far end is heard by the partner while they are
   * bridged. An originatee leaving its bridge has its own call_uuid back (the end of
   * switch_ivr_multi_threaded_bridge); it takes the originator's when bridged (`peer`, `join`).
   */
  set #state(next: BridgeState | undefined) {
    const media = this.#ch.core.media;
    const uuid = this.#ch.uuid;
    const was = this.#bridged;
    if (was) media.unroute(uuid, was.other);
    if (next) media.route(uuid, next.other);
    this.#bridged = next;
    if (was && !was.originator && was !== next) this.#ch.setVariable('call_uuid', uuid);
  }

  /** The bridged partner's uuid, if any. */
  get partner(): string | undefined {
    return this.#state?.other;
  }

  /** CF_BRIDGE_ORIGINATOR / CF_BRIDGED as switch_channel_perform_hangup reads them for `last_bridge_role`. */
  get role(): 'originator' | 'originatee' | undefined {
    const b = this.#state;
    return b === undefined ? undefined : b.originator ? 'originator' : 'originatee';
  }

  /** After the channel's queue is drained: a peer that just answered tells its caller. */
  afterDrain(): void {
    if (this.#answerOnAnswer && this.#ch.context.answered) this.#tellPartnerAnswered();
  }

  /**
   * uuid_bridge, one leg: the running applications end, the leg goes to CS_EXCHANGE_MEDIA and
   * fires the synthetic CHANNEL_EXECUTE (Application uuid_bridge, Application-Data the other uuid).
   * It takes what the other leg hands it (`exports`) and answers what it hands on (check_bridge_export).
   */
  async join(other: string, originator: boolean, otherProfile?: CallerProfile, exports: Exports = []): Promise<Exports> {
    // a leg bridged elsewhere leaves that bridge first, even one an application made: its old partner sees it transferred away
    if (this.#state && this.#state.other !== other) await this.leave(false, true);
    const handOn = this.#exchangeExports(exports);
    this.#state = { other, originator };
    if (!originator) this.#ch.setVariable('call_uuid', other);
    this.#ch.markBridged();
    if (originator) this.#ch.setVariable('uuid_bridge', other);
    if (otherProfile) {
      if (otherProfile.chanName) this.#ch.setVariable('bridge_channel', otherProfile.chanName);
      // a new profile each, then the originator shows the other leg as originatee, the other as originator
      this.#ch.uuidBridgeProfile(
        other,
        originator
          ? { calleeIdName: otherProfile.calleeIdName, calleeIdNumber: otherProfile.calleeIdNumber }
          : { callerIdName: otherProfile.callerIdName, callerIdNumber: otherProfile.callerIdNumber },
      );
      this.#ch.setOtherLeg({ type: originator ? 'originatee' : 'originator', profile: cloneProfile(otherProfile) });
    }
    this.#ch.setVariable('signal_bond', other);
    this.#ch.setVariable('bridge_uuid', other);
    this.#ch.setVariable('bridge_to', other);
    this.#ch.setVariable('last_bridge_to', other);
    this.#ch.fire('CHANNEL_EXECUTE', this.#ch.view, undefined, [
      ['Application', 'uuid_bridge'],
      ['Application-Data', other],
    ]);
    await this.#ch.step({ type: 'SET_STATE', state: 'CS_EXCHANGE_MEDIA' });
    this.#ch.interruptAll();
    await this.#bridgeStart();
    return handOn;
  }

  /**
   * The bridge application (audio_bridge_function): originate from this channel in a process of
   * its own, then bridge to the winner as switch_ivr_multi_threaded_bridge does; the application
   * ends when the bridge does. The caller's `pre_originate` hooks run first, its `post_originate`
   * ones when the originate is over. Returns the interrupter (this leg hangs up or is transferred).
   */
  async app(dial: string, done: () => void | Promise<void>): Promise<() => void | Promise<void>> {
    const originate = this.#ch.services.originate;
    /** `leaving`: this leg's bridge is over, and it waits for the peer to leave it. */
    let phase: 'dialing' | 'bridged' | 'leaving' | 'over' = 'dialing';
    /** The caller hung up or was moved (transfer, park) while the legs were being dialled. */
    let cancelled = false;
    const finish = async () => {
      if (phase === 'over') return;
      phase = 'over';
      await done();
    };
    const onResult = async (value: unknown) => {
      const r = value as OriginateResult;
      if (phase !== 'dialing') return;
      await this.#ch.runHooks('post_originate');
      if (r.ok && (this.#ch.hungUp || cancelled)) {
        // the caller went away while the winner answered
        GenServer.cast(this.#ch.ctx, r.winner.pid, { op: 'hangup', cause: Cause.ORIGINATOR_CANCEL });
      }
      for (const c of r.causes) this.#ch.pushVariable('originate_causes', c);
      if (!r.ok || this.#ch.hungUp || cancelled) {
        // switch_ivr_originate: an intercepted caller's originate fails PICKED_OFF
        const cause = this.#ch.intercepted ? Cause.PICKED_OFF : r.ok ? Cause.ORIGINATOR_CANCEL : r.cause;
        this.#ch.intercepted = false;
        await this.#originateFailed(cause, cancelled);
        await finish();
        return;
      }
      phase = 'bridged';
      await this.#bridgeWinner(r.winner, ownEnd);
    };
    /** The end of this application's bridge; the bridge state is this application's while it holds it. */
    const ownEnd: AppEnd = async (cause, answered, early, hungUp) => {
      if (phase !== 'bridged') return;
      phase = 'over';
      const b = this.#state;
      this.#state = undefined;
      this.#ended(cause, hungUp);
      await this.#bridgeOver();
      if (b) this.#fireUnbridge(b.other);
      await this.#callerEnd(cause, answered, early);
      await done();
    };
    if (!originate) {
      this.#ch.core.log('ERR', 'originate is not available', this.#ch.uuid);
      void Promise.resolve().then(finish);
      return () => finish();
    }
    await this.#ch.runHooks('pre_originate');
    const id = this.#ch.expect(onResult);
    const self = this.#ch.ctx.self;
    const req = this.#originateRequest(dial);
    const engine: Pid = this.#ch.ctx.spawn(async (pctx) => {
      let result: OriginateResult;
      try {
        result = await originate(pctx, req);
      } catch (err) {
        this.#ch.core.log('ERR', `originate failed: ${String(err)}`, req.caller?.uuid);
        result = { ok: false, cause: Cause.DESTINATION_OUT_OF_ORDER, causes: [] };
      }
      pctx.send(self, { channelTimer: id, value: result });
    });
    return () => {
      if (phase === 'dialing') {
        // switch_ivr_originate notices the caller is gone: ORIGINATOR_CANCEL; the app ends with its answer
        cancelled = true;
        this.#ch.ctx.send(engine, { originateCancel: Cause.ORIGINATOR_CANCEL } satisfies OriginateCancel);
        return;
      }
      if (phase === 'bridged') {
        // a uuid_bridge that took this leg elsewhere already ended this application's bridge
        const b = this.#state?.app === ownEnd ? this.#state : undefined;
        if (!b) return finish();
        this.#ch.setVariable('bridge_to', undefined);
        return this.#ch.runHooks('post_bridge').then(() => {
          // hung up, parked or transferred: switch_ivr_multi_threaded_bridge waits while the peer is
          // in CS_EXCHANGE_MEDIA; the peer hangs up (or parks, or is transferred) first
          phase = 'leaving';
          const hungUp = this.#ch.hungUp;
          const cause = hungUp ? this.#ch.view.hangupCause || Cause.NORMAL_CLEARING : Cause.NORMAL_CLEARING;
          b.leaving = this.#unbridgeWhenLeft(b, finish);
          if (!this.#tellPartner(b.other, cause, !hungUp, this.#ch.ctx, true)) return b.leaving(0, false, false, false);
        });
      }
    };
  }

  /** What the originate needs of this channel, copied: it runs in another process. */
  #originateRequest(dial: string): OriginateRequest {
    const { caller, exported } = originateCallerOf(this.#ch);
    return { dial, timeoutSec: 0, caller, baseVars: exported };
  }

  /**
   * The variables a failed originate leaves on the caller, then switch_channel_handle_cause —
   * not for a caller moved away meanwhile (CF_TRANSFER: park, transfer, intercept).
   */
  async #originateFailed(cause: number, moved = false): Promise<void> {
    const name = causeName(cause);
    this.#ch.core.log('INFO', `Originate Failed.  Cause: ${name}`, this.#ch.uuid, LOG_SITES.originateFailed);
    this.#ch.setVariable('originate_disposition', name);
    this.#ch.setVariable('DIALSTATUS', DIALSTATUS[name] ?? name);
    this.#ch.setVariable('originate_failed_cause', name);
    if (!this.#ch.hungUp && !moved) await this.#handleCause(cause);
  }

  /** switch_channel_handle_cause on the caller: go on, hang up with the cause, or transfer; true unless it goes on. */
  async #handleCause(cause: number): Promise<boolean> {
    const outcome = handleCause(cause, (n) => this.#ch.variable(n));
    if (outcome.action === 'continue') return false;
    if (outcome.action === 'hangup') await this.#ch.step({ type: 'HANGUP', cause });
    else await this.#ch.redirect(outcome.destination, outcome.dialplan, outcome.context);
    return true;
  }

  /** switch_ivr_originate's success with a caller, then switch_ivr_multi_threaded_bridge's start. */
  async #bridgeWinner(w: OriginateWinner, end: AppEnd): Promise<void> {
    const c = this.#ch.context;
    // the peer's callee id goes to the caller before its answer or pre-answer
    if (w.profile && (w.status === 'answered' || w.status === 'early')) this.#ch.takeCalleeId(w.profile.calleeIdName, w.profile.calleeIdNumber);
    if (w.status === 'answered' && !c.answered) await this.#ch.step({ type: 'ANSWER' });
    else if (w.status === 'early' && !c.answered && !c.early) await this.#ch.step({ type: 'PRE_ANSWER' });
    this.#ch.setVariable('originate_disposition', 'call accepted');
    // as switch_ivr_originate: an answered peer gives EARLY, one with early media ANSWER
    this.#ch.setVariable('DIALSTATUS', w.status === 'answered' ? 'EARLY' : 'ANSWER');
    const exports = this.#exchangeExports(w.bridgeExports);
    if (w.profile) this.#ch.setOtherLeg({ type: 'originatee', profile: cloneProfile(w.profile) });
    this.#ch.setVariable('signal_bond', w.uuid);
    this.#ch.setVariable('originate_signal_bond', undefined);
    this.#state = {
      other: w.uuid,
      originator: true,
      app: end,
      peerAnswered: w.status === 'answered',
      terminateKeys: this.#ch.variable('bridge_terminate_key'),
    };
    this.#ch.markBridged();
    this.#ch.fire('CHANNEL_BRIDGE', this.#ch.view, [
      ['Bridge-A-Unique-ID', this.#ch.uuid],
      ['Bridge-B-Unique-ID', w.uuid],
    ]);
    this.#setBridgeVariables(w.uuid, w.profile?.chanName ?? '');
    this.#preExecuteVariables(w.pid);
    GenServer.cast(this.#ch.ctx, w.pid, { op: 'bridgePeer', other: this.#ch.uuid, otherName: this.#ch.name, exports });
    await this.#bridgeStart();
  }

  /**
   * switch_ivr_multi_threaded_bridge from a running application to a session already up (mod_fifo's
   * consumer and its caller): this leg is the originator, the other is told to join as peer.
   * `end` runs once when the bridge is over — the peer left (`peerHungUp`: it hung up, with
   * `cause`), this leg's `bridge_terminate_key` ended it, or the returned interrupter did (this leg
   * hung up or was moved). Unlike the bridge application nothing after-bridge (park, transfer,
   * hangup) happens here: the application decides.
   */
  async session(other: SessionPeer, end: (peerHungUp: boolean, cause: number) => void | Promise<void>): Promise<() => Promise<void>> {
    let over = false;
    const close = async (): Promise<string | undefined> => {
      // not a bridge a uuid_bridge put in this one's place
      const b = this.#state?.app === appEnd ? this.#state : undefined;
      if (b) this.#state = undefined;
      this.#ch.setVariable('bridge_to', undefined);
      await this.#ch.runHooks('post_bridge');
      if (b) this.#fireUnbridge(b.other);
      return b?.other;
    };
    const appEnd: AppEnd = async (cause, _answered, _early, hungUp) => {
      if (over) return;
      over = true;
      await close();
      await end(hungUp, cause);
    };
    const exports = this.#exchangeExports(other.bridgeExports ?? []);
    if (other.profile) this.#ch.setOtherLeg({ type: 'originatee', profile: cloneProfile(other.profile) });
    this.#state = {
      other: other.uuid,
      originator: true,
      app: appEnd,
      peerAnswered: true,
      terminateKeys: other.terminateKeys ?? this.#ch.variable('bridge_terminate_key'),
      inputCallback: other.inputCallback,
    };
    this.#ch.markBridged();
    this.#ch.fire('CHANNEL_BRIDGE', this.#ch.view, [
      ['Bridge-A-Unique-ID', this.#ch.uuid],
      ['Bridge-B-Unique-ID', other.uuid],
    ]);
    this.#setBridgeVariables(other.uuid, other.profile?.chanName ?? '');
    this.#preExecuteVariables(other.pid);
    GenServer.cast(this.#ch.ctx, other.pid, { op: 'bridgePeer', other: this.#ch.uuid, otherName: this.#ch.name, inner: other.inner, exports });
    await this.#bridgeStart();
    return async () => {
      if (over) return;
      over = true;
      const peer = this.#state?.app === appEnd ? this.#state.other : undefined;
      const cause = this.#ch.hungUp ? this.#ch.view.hangupCause || Cause.NORMAL_CLEARING : Cause.NORMAL_CLEARING;
      if (peer) this.#tellPartner(peer, cause, !this.#ch.hungUp);
      await close();
      await end(false, 0);
    };
  }

  /** The originatee's side of the bridge: the bridge variables and CS_EXCHANGE_MEDIA. */
  async peer(other: string, otherName: string, inner = false, exports: Exports = []): Promise<void> {
    if (this.#ch.hungUp) {
      this.#tellPartner(other, this.#ch.view.hangupCause || Cause.NORMAL_CLEARING, false);
      return;
    }
    this.#ch.stopOriginating();
    this.#takeExports(exports);
    this.#state = { other, originator: false, terminateKeys: this.#ch.variable('bridge_terminate_key'), inner };
    this.#answerOnAnswer = !this.#ch.context.answered;
    this.#ch.markBridged();
    this.#ch.setVariable('call_uuid', other);
    this.#setBridgeVariables(other, otherName);
    await this.#ch.step({ type: 'SET_STATE', state: 'CS_EXCHANGE_MEDIA' });
    await this.#bridgeStart();
  }

  /** What this leg hands a bridge's other leg through `bridge_export_vars`. */
  exports(): Exports {
    return exportedVariables((n) => this.#ch.variable(n), 'bridge_export_vars');
  }

  /**
   * check_bridge_export on the originator: the peer's list and the variables it names come first,
   * then this leg hands on its list as it now stands (so a peer's list replaces this leg's own).
   */
  #exchangeExports(fromPeer: Exports): Exports {
    this.#takeExports(fromPeer);
    return this.exports();
  }

  /** switch_channel_set_variable for each: a value that refers to a variable is refused. */
  #takeExports(pairs: Exports): void {
    for (const [name, value] of pairs) {
      if (hasVariableReference(value)) this.#ch.core.log('CRIT', `Invalid data (\${${name}} contains a variable)`, this.#ch.uuid);
      else this.#ch.setVariable(name, value);
    }
  }

  /**
   * switch_ivr_multi_threaded_bridge on the caller: its `bridge_pre_execute_aleg_app` (and
   * `_aleg_data`) become its own `bridge_pre_execute_app` / `_data`, its `_bleg_` ones the peer's.
   */
  #preExecuteVariables(peer: Pid): void {
    const pairs = (leg: 'aleg' | 'bleg'): [string, string][] => {
      const app = this.#ch.variable(`bridge_pre_execute_${leg}_app`);
      if (!app) return [];
      const data = this.#ch.variable(`bridge_pre_execute_${leg}_data`);
      return [['bridge_pre_execute_app', app], ...(data ? ([['bridge_pre_execute_data', data]] as [string, string][]) : [])];
    };
    for (const [name, value] of pairs('aleg')) this.#ch.setVariable(name, value);
    for (const [name, value] of pairs('bleg')) GenServer.cast(this.#ch.ctx, peer, { op: 'setvar', name, value });
  }

  /**
   * audio_bridge_thread's start on this leg: the `pre_bridge` hooks, then its
   * `bridge_pre_execute_app` (with `bridge_pre_execute_data`, or `app::arg`) queued as an
   * event-locked execute (switch_core_session_execute_application_async).
   */
  async #bridgeStart(): Promise<void> {
    await this.#ch.runHooks('pre_bridge');
    const app = this.#ch.variable('bridge_pre_execute_app');
    if (!app) return;
    let data = this.#ch.variable('bridge_pre_execute_data');
    this.#ch.core.log('DEBUG', `${this.#ch.name} Bridge execute app ${app}(${data ?? '(null)'})`, this.#ch.uuid);
    let name = app;
    const cut = app.indexOf('::');
    if (data === undefined && cut >= 0) [name, data] = [app.slice(0, cut), app.slice(cut + 2)];
    await this.#ch.queueExecute(name, data ?? '', { lock: true });
  }

  /** Both sides of a multi-threaded bridge name the other leg. */
  #setBridgeVariables(other: string, otherName: string): void {
    this.#ch.setVariable('bridge_to', other);
    this.#ch.setVariable('last_bridge_to', other);
    this.#ch.setVariable('bridge_channel', otherName);
    this.#ch.setVariable('bridge_uuid', other);
    this.#ch.setVariable('signal_bond', other);
  }

  /**
   * The end of switch_ivr_multi_threaded_bridge on the caller (the bridge app's, or uuid_bridge's
   * originator), after #ended: a peer that never answered →
   * switch_channel_handle_cause; then, for an answered (or early) peer: `park_after_bridge`
   * (`park_after_early_bridge`) parks, `transfer_after_bridge` (`…_early_…`) transfers
   * (`<exten>[:<dialplan>[:<context>]]`), `hangup_after_bridge` hangs up with the peer's cause
   * (`explicit`: before any of these, answered or not).
   * True when one of them took the channel.
   */
  async #callerEnd(peerCause: number, answered: boolean, early: boolean): Promise<boolean> {
    const cause = peerCause || Cause.NORMAL_CLEARING;
    const v = (n: string) => this.#ch.variable(n);
    if (this.#ch.hungUp) return true;
    if (!answered && (await this.#handleCause(cause))) return true;
    // `explicit`: hang up with the peer's cause whether or not it answered
    if (v('hangup_after_bridge')?.toLowerCase() === 'explicit') {
      await this.#ch.step({ type: 'HANGUP', cause });
      return true;
    }
    if (!answered && !early) return false;
    if ((answered && switchTrue(v('park_after_bridge'))) || switchTrue(v('park_after_early_bridge'))) {
      await this.#ch.parkSession();
      return true;
    }
    const xfer = (answered ? v('transfer_after_bridge') : undefined) ?? v('transfer_after_early_bridge');
    if (xfer !== undefined) {
      await this.#transferAfterBridge(xfer);
      return true;
    }
    if (answered && switchTrue(v('hangup_after_bridge'))) {
      await this.#ch.step({ type: 'HANGUP', cause });
      return true;
    }
    return false;
  }

  /** transfer_after_bridge: `<exten>[:<dialplan>[:<context>]]`, the variable cleared first. */
  async #transferAfterBridge(where: string): Promise<void> {
    this.#ch.setVariable('transfer_after_bridge', undefined);
    const [exten, dialplan, context] = where.split(':');
    if (!exten) {
      this.#ch.core.log('ERR', 'No extension specified.', this.#ch.uuid, LOG_SITES.noExtension);
      return;
    }
    await this.#ch.redirect(exten, dialplan, context);
  }

  /**
   * The end of audio_bridge_thread on a leg still up and not transferred: the `post_bridge` hooks,
   * then `exec_after_bridge_app` (with `exec_after_bridge_arg`) becomes the leg's extension; true
   * when it did.
   */
  async #bridgeOver(): Promise<boolean> {
    await this.#ch.runHooks('post_bridge');
    const app = this.#ch.variable('exec_after_bridge_app');
    if (!app || this.#ch.hungUp) return false;
    this.#ch.resetExtension(app, this.#ch.variable('exec_after_bridge_arg') ?? '');
    return true;
  }

  /** The peer's side when its caller left (audio_bridge_on_exchange_media). */
  async #peerEnd(): Promise<void> {
    this.#ch.setVariable('bridge_to', undefined);
    if (this.#ch.xferZombie) return this.#parkOrphan();
    const v = (n: string) => this.#ch.variable(n);
    if (switchTrue(v('park_after_bridge'))) {
      await this.#ch.parkSession();
      return;
    }
    const xfer = v('transfer_after_bridge');
    if (xfer !== undefined) {
      await this.#transferAfterBridge(xfer);
      return;
    }
    if (this.#ch.context.answered) {
      await this.#ch.step({ type: 'HANGUP', cause: Cause.NORMAL_CLEARING });
      return;
    }
    // an orphan with hooks is not hung up: it parks for 3 s unless a hook moved it
    if (!(await this.#ch.runHooks('orphaned_bleg'))) await this.#ch.step({ type: 'HANGUP', cause: Cause.ORIGINATOR_CANCEL });
    else await this.#parkOrphan();
  }

  /** A peer left in CS_EXCHANGE_MEDIA parks for 3 s (then hangs up, unless something takes it meanwhile). */
  async #parkOrphan(): Promise<void> {
    if (this.#ch.view.state !== 'CS_EXCHANGE_MEDIA' || this.#ch.hungUp) return;
    this.#ch.setVariable('park_timeout', '3');
    await this.#ch.step({ type: 'SET_STATE', state: 'CS_PARK' });
  }

  #partnerPid(): Pid | undefined {
    return this.#state ? this.#ch.core.sessions.get(this.#state.other) : undefined;
  }

  #tellPartnerAnswered(): void {
    this.#answerOnAnswer = false;
    const pid = this.#partnerPid();
    if (pid) GenServer.cast(this.#ch.ctx, pid, { op: 'partnerAnswered', from: this.#ch.uuid });
  }

  /**
   * audio_bridge_thread: a digit this leg received goes on to the partner's endpoint, unless the
   * leg has `bridge_filter_dtmf` set; one of the leg's `bridge_terminate_key` digits (the bridge
   * application's) is not passed on but ends the bridge: the returned work, for the channel to run.
   */
  passDtmf(digit: string, duration: number, source: DtmfSource): (() => Promise<void>) | undefined {
    if (this.#state?.terminateKeys?.includes(digit)) return () => this.#endedByDtmf();
    const callback = this.#state?.inputCallback;
    if (callback && !callback(digit)) return () => this.#endedByDtmf();
    const pid = this.#partnerPid();
    if (pid && !switchTrue(this.#ch.variable('bridge_filter_dtmf'))) GenServer.cast(this.#ch.ctx, pid, { op: 'sendDtmf', digit, duration, source });
    return undefined;
  }

  /**
   * mod_dptools' bridge_on_dtmf broke this leg's bridge loop: the partner is told the leg left (a
   * peer then hangs up, unless park or transfer after the bridge); the caller's bridge application
   * ends as when its peer leaves, and its dialplan goes on; a peer that pressed it hangs up.
   */
  async #endedByDtmf(): Promise<void> {
    const b = this.#state;
    if (!b) return;
    this.#ch.core.log('DEBUG', `${this.#ch.name} ended call via DTMF`, this.#ch.uuid);
    if (b.app) {
      // the caller's switch_ivr_multi_threaded_bridge waits for the peer to leave first
      const app = b.app;
      b.leaving = (cause, _answered, _early, hungUp) => app(cause, b.peerAnswered ?? false, !b.peerAnswered, hungUp);
      if (!this.#tellPartner(b.other, 0, true, this.#ch.ctx, true)) await b.leaving(0, false, false, false);
      return;
    }
    this.#tellPartner(b.other, 0, true);
    this.#state = undefined;
    if (await this.#bridgeOver()) await this.#ch.step({ type: 'SET_STATE', state: 'CS_EXECUTE' });
    else await this.#peerEnd();
  }

  /** switch_ivr_broadcast of `stream` to the partner, played in a loop until stopped; false when there is no partner. */
  holdMusicToPartner(stream: string): boolean {
    const pid = this.#partnerPid();
    if (!pid) return false;
    GenServer.cast(this.#ch.ctx, pid, { op: 'execute', application: 'playback', data: stream, loops: -1, lock: true });
    return true;
  }

  /** switch_channel_stop_broadcast on the partner. */
  stopPartnerBroadcast(): void {
    const pid = this.#partnerPid();
    if (pid) GenServer.cast(this.#ch.ctx, pid, { op: 'stopBroadcast' });
  }

  /**
   * switch_channel_set_variable_partner: the partner is switch_channel_get_partner_uuid's
   * (`signal_bond`, else `originate_signal_bond`), which outlives the bridge; the partner gets it
   * before it hears of the bridge's end.
   */
  setPartnerVariable(name: string, value: string): void {
    const other = this.#ch.variable('signal_bond') || this.#ch.variable('originate_signal_bond');
    const pid = other ? this.#ch.core.sessions.get(other) : undefined;
    if (pid) GenServer.cast(this.#ch.ctx, pid, { op: 'setvar', name, value });
  }

  /** The bridged peer answered after early media: answer this leg too, once. */
  async partnerAnswered(from: string): Promise<void> {
    if (this.#state?.other !== from) return;
    this.#state.peerAnswered = true;
    if (this.#ch.hungUp || this.#ch.context.answered) return;
    await this.#ch.step({ type: 'ANSWER' });
  }

  /**
   * The partner learns this leg left the bridge (hung up with `cause`, or transferred); `reply`:
   * it answers the same way once it has left the bridge itself. False when there is no partner.
   */
  #tellPartner(other: string, cause: number, transferred: boolean, from: Where = this.#ch.ctx, reply = false): boolean {
    const pid = this.#ch.core.sessions.get(other);
    if (!pid) return false;
    const c = this.#ch.context;
    const msg = { op: 'unbridged', from: this.#ch.uuid, cause, answered: c.answered, early: c.early, hungUp: !transferred, reply };
    GenServer.cast(from, pid, msg);
    return true;
  }

  /**
   * This leg's process was killed (Channel.killed, DECISIONS #347): the bridge ends as onHangup
   * ends it — CHANNEL_UNBRIDGE on the originator, the partner told — but the `post_bridge` hooks,
   * which run in the leg's own process, are not run, and the notice goes from `from`.
   */
  killed(from: Where, cause: number): void {
    const b = this.#state;
    if (!b) return;
    this.#state = undefined;
    if (b.originator) this.#fireUnbridge(b.other);
    this.#tellPartner(b.other, cause, false, from);
  }

  /** The originator's CHANNEL_BRIDGE. */
  bridged(): void {
    if (!this.#state?.originator) return;
    this.#ch.fire('CHANNEL_BRIDGE', this.#ch.view, [
      ['Bridge-A-Unique-ID', this.#ch.uuid],
      ['Bridge-B-Unique-ID', this.#state.other],
    ]);
  }

  /**
   * This leg hangs up: the bridge ends (the `post_bridge` hooks, CHANNEL_UNBRIDGE on the
   * originator) and the partner is told. A uuid_bridge originator is in
   * switch_ivr_multi_threaded_bridge, which waits while the peer is in CS_EXCHANGE_MEDIA: false
   * then, and `resume` runs once the peer has answered (partnerGone).
   */
  async onHangup(resume: () => Promise<void>): Promise<boolean> {
    const b = this.#state;
    if (!b) return true;
    this.#ch.setVariable('bridge_to', undefined);
    await this.#ch.runHooks('post_bridge');
    const cause = this.#ch.view.hangupCause || Cause.NORMAL_CLEARING;
    if (b.originator && !b.app && this.#tellPartner(b.other, cause, false, this.#ch.ctx, true)) {
      b.leaving = this.#unbridgeWhenLeft(b, resume);
      return false;
    }
    this.#state = undefined;
    if (b.originator) this.#fireUnbridge(b.other);
    this.#tellPartner(b.other, cause, false);
    return true;
  }

  /**
   * A bridged leg is transferred away: the bridge ends for both (switch_ivr_session_transfer);
   * `silent` (CF_REDIRECT on both legs, `-both`): the partner, transferred next, is not told.
   * The bridge application's own leg ends its bridge from the app's interrupter.
   */
  async leave(silent: boolean, evenApplication = false): Promise<void> {
    const b = this.#state;
    if (!b || (b.app && !evenApplication)) return;
    this.#state = undefined;
    this.#ch.setVariable('bridge_to', undefined);
    await this.#ch.runHooks('post_bridge');
    if (b.originator) this.#fireUnbridge(b.other);
    if (!silent) this.#tellPartner(b.other, 0, true);
  }

  /**
   * The transfer application's `-bleg` / `-both`: transfers the partner (signal_bond) with the
   * same destination; false when there is none.
   */
  async transferPartner(destination: string, dialplan: string | undefined, context: string | undefined, silent: boolean): Promise<boolean> {
    const other = this.#ch.variable('signal_bond');
    const pid = other ? this.#ch.core.sessions.get(other) : undefined;
    if (!pid) return false;
    try {
      await GenServer.call(this.#ch.ctx, pid, { op: 'redirect', destination, dialplan, context, silent });
    } catch {
      return false;
    }
    return true;
  }

  /**
   * The caller's side of a bridge that is over, before its CHANNEL_UNBRIDGE: audio_bridge_thread
   * clears `bridge_to`, then switch_ivr_multi_threaded_bridge sets `bridge_hangup_cause` from the
   * peer's cause.
   */
  #ended(peerCause: number, peerHungUp: boolean): void {
    this.#ch.setVariable('bridge_to', undefined);
    if (peerHungUp) this.#ch.setVariable('bridge_hangup_cause', causeName(peerCause || Cause.NORMAL_CLEARING));
  }

  /** A waiting leg's end of the bridge once the peer has left it: the causes crossed, CHANNEL_UNBRIDGE, then `then`. */
  #unbridgeWhenLeft(b: BridgeState, then: () => void | Promise<void>): AppEnd {
    return async (peerCause, _answered, _early, peerHungUp) => {
      this.#state = undefined;
      this.#ended(peerCause, peerHungUp);
      this.#fireUnbridge(b.other);
      await then();
    };
  }

  #fireUnbridge(other: string): void {
    this.#ch.fire('CHANNEL_UNBRIDGE', this.#ch.view, [
      ['Bridge-A-Unique-ID', this.#ch.uuid],
      ['Bridge-B-Unique-ID', other],
    ]);
  }

  /**
   * The partner hung up (switch_ivr_bridge's end of bridge): the originator's partner hanging up
   * after answering, with hangup_after_bridge=true, hangs the originator up with its cause, else
   * the originator returns to CS_EXECUTE; the other leg of an originator that hung up is hung up
   * with the same cause.
   */
  async partnerGone(from: string, cause: number, answered: boolean, early: boolean, hungUp: boolean, reply = false): Promise<void> {
    const b = this.#state;
    if (b?.other === from && b.leaving) {
      // this leg's bridge is over and waited for this answer
      await b.leaving(hungUp ? cause : 0, answered, early, hungUp);
      return;
    }
    if (b?.other === from && b.app && this.#ch.hungUp) {
      // the partner's notice came before this leg's own hangup ended the application's bridge
      await b.app(hungUp ? cause : 0, answered, early, hungUp);
      return;
    }
    if (!reply) return this.#partnerGone(b, from, cause, answered, early, hungUp);
    try {
      await this.#partnerGone(b, from, cause, answered, early, hungUp);
    } finally {
      // the caller waited for this leg to leave CS_EXCHANGE_MEDIA (even if that failed here), then
      // set its cause here as bridge_hangup_cause (switch_ivr_multi_threaded_bridge)
      if (hungUp) this.#ch.setVariable('bridge_hangup_cause', causeName(cause));
      this.#tellPartner(from, this.#ch.view.hangupCause || Cause.NORMAL_CLEARING, !this.#ch.hungUp);
    }
  }

  async #partnerGone(b: BridgeState | undefined, from: string, cause: number, answered: boolean, early: boolean, hungUp: boolean): Promise<void> {
    if (!b || b.other !== from || this.#ch.hungUp) return;
    if (b.app) {
      await b.app(hungUp ? cause : 0, answered, early, hungUp);
      return;
    }
    this.#state = undefined;
    if (b.inner) {
      // audio_bridge_on_exchange_media with CF_INNER_BRIDGE: the application that bridged it decides what comes next
      this.#ch.setVariable('bridge_to', undefined);
      await this.#ch.runHooks('post_bridge');
      return;
    }
    const execAfter = await this.#bridgeOver();
    if (!b.originator) {
      // exec_after_bridge_app moved it to CS_EXECUTE: no park, transfer or hangup after the bridge
      if (execAfter) await this.#ch.step({ type: 'SET_STATE', state: 'CS_EXECUTE' });
      else await this.#peerEnd();
      return;
    }
    // uuid_bridge's originator: the end of the bridge, then back to CS_EXECUTE (uuid_bridge_on_soft_execute)
    this.#ended(hungUp ? cause : 0, hungUp);
    this.#fireUnbridge(from);
    if (!(await this.#callerEnd(hungUp ? cause : 0, answered, early))) await this.#ch.step({ type: 'SET_STATE', state: 'CS_EXECUTE' });
  }
}
