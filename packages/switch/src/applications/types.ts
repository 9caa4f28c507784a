/** What an application sees of the channel running it (switch_application_interface). */
import type { DtmfSource } from '../channel/dtmf_queue.ts';
import type { HookPoint } from '../channel/hooks.ts';
import type { ChannelEvent, ChannelView } from '../channel/machine.ts';
import type { ChannelStateName } from '../channel/states.ts';
import type { SwitchCore } from '../core/core.ts';
import type { SwitchEvent } from '../events/event.ts';
import type { EventTypeName } from '../events/types.ts';

export interface AppChannel {
  readonly uuid: string;
  readonly name: string;
  readonly core: SwitchCore;
  /** A channel-machine event, performed at once (answer, hangup, …). */
  send(event: ChannelEvent): Promise<void>;
  variable(name: string): string | undefined;
  setVariable(name: string, value: string | undefined): void;
  /** Fires an event with the channel data (CHANNEL_PARK, …); `post`: headers after the channel data. */
  fire(type: EventTypeName, view?: ChannelView, pre?: readonly (readonly [string, string])[], post?: readonly (readonly [string, string])[]): void;
  /** Calls `fn` after `ms` on the runtime clock (from the channel's own process); returns a cancel. */
  after(ms: number, fn: () => void | Promise<void>): () => void;
  readonly hungUp: boolean;
  /** Adds the channel data (basic headers and variables) to `event`. */
  addChannelData(event: SwitchEvent): void;
  /** switch_ivr_session_transfer: a new destination, routing again, running applications ended. */
  redirect(destination: string, dialplan?: string, context?: string): Promise<void>;
  /** Park marks the channel parked: queued applications run nested inside it. */
  parked(on: boolean): Promise<void>;
  /** The `respond` application's message to the endpoint (a SIP response); false without one. */
  respond(data: string): Promise<boolean>;
  /** Transfers the bridged partner (`transfer -bleg/-both`); false when there is none. */
  transferPartner(destination: string, dialplan: string | undefined, context: string | undefined, silent: boolean): Promise<boolean>;
  /** The bridge application: dial, bridge, `done` when the bridge is over; returns the interrupter. */
  bridge(dial: string, done: () => void | Promise<void>): Promise<() => void | Promise<void>>;
  /** CF_BREAK: true, and cleared, when a break was asked for (a breakable application ends on it). */
  takeBreak(): boolean;
  /**
   * Reads the channel's digits (the queued ones first, then each as it comes, in the channel's
   * process) until the returned function is called.
   */
  readDtmf(reader: (digit: string) => void | Promise<void>): () => void;
  /** switch_channel_flush_dtmf: the queued digits are dropped. */
  flushDtmf(): void;
  /** switch_channel_queue_dtmf: a digit from the far end (the DTMF event, then whoever reads digits). */
  receiveDtmf(digit: string, duration: number, source?: DtmfSource): void;
  /** switch_core_session_execute_application_async: the application runs at the channel's next safe point. */
  queueExecute(name: string, data: string): Promise<void>;
  /** switch_channel_execute_on: the channel's `execute_on_<point>` applications. */
  runExecuteOn(point: HookPoint): Promise<boolean>;
  /** A state-change hook: runs in the channel's process as it takes up each state, while it returns true. */
  addStateHook(hook: (state: ChannelStateName) => boolean): void;
}

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
}
