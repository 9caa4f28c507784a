/**
 * The channel state machine as pure xstate v5 logic (switch_channel.c, switch_core_state_machine.c).
 *
 * The machine's state value is the channel's *requested* state (`Channel-State-Number`); the
 * context also holds the *running* state (`Channel-State`: the state whose handlers the channel's
 * own process is executing), the call state, the answer flags and the hangup cause. Transitions
 * decide with guards; their actions are descriptions of effects (`ChannelEffect`), which the
 * process hosting the machine performs in order. Nothing here runs a timer or touches a process:
 * `initialTransition(channelMachine, input)` and `transition(channelMachine, snapshot, event)`
 * give the next snapshot and the effects.
 *
 * The hosting process drives the state loop as FreeSWITCH's session thread does:
 *
 *   requested ≠ running ──RUN──▶ CHANNEL_STATE …, runHandlers(S) ──(handlers; they may send
 *   SET_STATE, HANGUP, …)──HANDLED──▶ the state's standard follow-up (CHANNEL_CREATE after
 *   CS_INIT, CS_HANGUP → CS_REPORTING → CHANNEL_HANGUP_COMPLETE → CS_DESTROY, threadDone)
 *   threadDone ──DESTROY──▶ unregister, CHANNEL_DESTROY, CHANNEL_STATE(CS_DESTROY)
 *
 * Answer, pre-answer and ring-ready come in two steps, as in FreeSWITCH: ANSWER (an application
 * or API asks) tells the endpoint first (`indicate`); when the endpoint accepts, the host sends
 * the `next` event (MARK_ANSWERED, which is also what an endpoint sends when the far end answers
 * an outbound leg); when it refuses, HANGUP with INCOMPATIBLE_DESTINATION.
 *
 * Every `fire` effect carries the channel's state fields as they are at that point of the
 * transition (so CHANNEL_ANSWER already says answered while its call state is still the old one);
 * the host adds the rest of the channel data (channel/data.ts) when it performs the effect.
 * `log` texts contain `{name}` (and `{cur}`/`{tot}`, the session counts) for the host to fill in.
 */
import { type TransitionConfig, setup } from 'xstate';
import type { EventTypeName } from '../events/types.ts';
import { LOG_SITES, type LogSite } from '../log/sites.ts';
import { Cause, causeName, causeQ850 } from './causes.ts';
import type { HookPoint } from './hooks.ts';
import { PRESENCE_SITES, type PresenceUpdate } from './presence.ts';
import {
  type CallDirection,
  type CallStateName,
  type ChannelStateName,
  REQUESTABLE_STATES,
  type RequestableState,
  callStateNumber,
  isDownState,
} from './states.ts';

// -- the data ---------------------------------------------------------------------------------

/** The channel's state fields, as the channel-data headers show them. */
export interface ChannelView {
  /** Requested state (`Channel-State-Number`). */
  readonly state: RequestableState;
  /** Running state (`Channel-State`); CS_NONE until the channel's process first ran a state. */
  readonly running: ChannelStateName;
  readonly callState: CallStateName;
  readonly answered: boolean;
  readonly early: boolean;
  readonly ringReady: boolean;
  /** 0 until a cause is set. */
  readonly hangupCause: number;
}

export interface ChannelContext extends ChannelView {
  readonly direction: CallDirection;
  /** hangup() was called (only the first call counts). */
  readonly hangupCalled: boolean;
  /** The leg is holding (CHANNEL_HOLD fired, CHANNEL_UNHOLD not yet). */
  readonly held: boolean;
}

export interface ChannelInput {
  readonly direction: CallDirection;
}

export type ChannelEvent =
  /** switch_channel_set_state: request a state (checked against the allowed transitions). */
  | { type: 'SET_STATE'; state: RequestableState }
  /** The channel's process takes up the requested state (switch_channel_set_running_state). */
  | { type: 'RUN' }
  /** The running state's handlers have returned. */
  | { type: 'HANDLED' }
  /** The session is torn down (switch_core_session_destroy). */
  | { type: 'DESTROY' }
  | { type: 'HANGUP'; cause: number }
  | { type: 'ANSWER' }
  | { type: 'PRE_ANSWER' }
  | { type: 'RING_READY' }
  | { type: 'MARK_ANSWERED' }
  | { type: 'MARK_PRE_ANSWERED' }
  | { type: 'MARK_RING_READY' }
  /**
   * The rest of a mark once its hooks have run (the call state, the result): a transition of its
   * own, so that what the hooks' applications fire shows the call state as it still is.
   */
  | { type: 'MARK_DONE'; op: ChannelOperation }
  | { type: 'SET_CALLSTATE'; callState: CallStateName }
  | { type: 'MARK_HOLD'; on: boolean };

export type LogLevelName = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERR' | 'CRIT' | 'ALERT' | 'CONSOLE';
export type ProfileTime = 'answered' | 'progress' | 'progress_media' | 'hungup';
export type Indication = 'ANSWER' | 'PROGRESS' | 'RINGING';
export type ChannelOperation = 'answer' | 'pre_answer' | 'ring_ready';

export interface FireParams {
  readonly event: EventTypeName;
  readonly channel: ChannelView;
  /** Event-specific headers placed before the channel data. */
  readonly pre?: readonly (readonly [string, string])[];
}

/** What a transition asks the hosting process to do, in order. */
export type ChannelEffect =
  /** Create the event, add `pre`, the channel data (from `channel` + the host's data), fire it. */
  | { type: 'fire'; params: FireParams }
  | { type: 'log'; params: { level: LogLevelName; text: string; site: LogSite } }
  | { type: 'setVariable'; params: { name: string; value: string } }
  /**
   * At hangup, when the channel is in a bridge (switch_channel_perform_hangup):
   * `last_bridge_hangup_cause` on the partner, `last_bridge_role` (originator / originatee) on itself.
   */
  | { type: 'bridgeHangupVariables'; params: { cause: string } }
  /** Stamp a caller-profile time with the current time. */
  | { type: 'markTime'; params: { time: ProfileTime } }
  /** switch_channel_set_timestamps: the *_stamp/*_epoch/duration/billsec… variables. */
  | { type: 'setTimestamps'; params?: undefined }
  /** A presence update (fired only when the channel has a presence_id). */
  | { type: 'presence'; params: PresenceUpdate & { readonly channel: ChannelView } }
  /** Tell the endpoint; on success send `next`, on refusal HANGUP(INCOMPATIBLE_DESTINATION). */
  | { type: 'indicate'; params: { message: Indication; next: 'MARK_ANSWERED' | 'MARK_PRE_ANSWERED' | 'MARK_RING_READY' } }
  /** The outcome of an answer / pre_answer / ring_ready request. */
  | { type: 'result'; params: { op: ChannelOperation; ok: boolean } }
  /** switch_channel_execute_on: the `execute_on_<point>*` variables' applications. */
  | { type: 'executeOn'; params: { point: HookPoint } }
  /** switch_channel_api_on: the `api_on_<point>*` variables' API commands. */
  | { type: 'apiOn'; params: { point: HookPoint } }
  /** Perform `event` next (the machine's own follow-up, as MARK_DONE). */
  | { type: 'next'; params: { event: ChannelEvent } }
  /** Break whatever the channel is running (SWITCH_SIG_KILL): park ends, media apps stop. */
  | { type: 'interrupt'; params?: undefined }
  /** The requested state changed: wake the channel's process so it RUNs it. */
  | { type: 'wake'; params?: undefined }
  /** Run the state's handler chain (endpoint, application handlers, standard behaviour), then HANDLED. */
  | { type: 'runHandlers'; params: { state: ChannelStateName } }
  /** The state loop is over (CS_DESTROY requested): destroy the session (send DESTROY). */
  | { type: 'threadDone'; params?: undefined }
  /** Remove the session from the session table (uuid_exists is false from here on). */
  | { type: 'unregister'; params?: undefined };

// -- the allowed transitions (switch_channel_perform_set_state) --------------------------------

const EVERYTHING: readonly RequestableState[] = REQUESTABLE_STATES;

/**
 * Spec §2.2 / switch_channel_perform_set_state: the states each state may request. A request for
 * the current state is a no-op; once a channel is down (CS_HANGUP or later) a request for an
 * earlier state is ignored silently; anything else not listed is refused with a WARNING.
 */
export const ALLOWED_TRANSITIONS: { readonly [S in RequestableState]: readonly RequestableState[] } = {
  CS_NEW: EVERYTHING,
  CS_RESET: EVERYTHING,
  CS_INIT: ['CS_EXCHANGE_MEDIA', 'CS_SOFT_EXECUTE', 'CS_ROUTING', 'CS_EXECUTE', 'CS_PARK', 'CS_CONSUME_MEDIA', 'CS_HIBERNATE', 'CS_RESET'],
  CS_ROUTING: ['CS_EXCHANGE_MEDIA', 'CS_EXECUTE', 'CS_SOFT_EXECUTE', 'CS_PARK', 'CS_CONSUME_MEDIA', 'CS_HIBERNATE', 'CS_RESET'],
  CS_EXECUTE: ['CS_EXCHANGE_MEDIA', 'CS_SOFT_EXECUTE', 'CS_ROUTING', 'CS_PARK', 'CS_CONSUME_MEDIA', 'CS_HIBERNATE', 'CS_RESET'],
  CS_SOFT_EXECUTE: ['CS_EXCHANGE_MEDIA', 'CS_ROUTING', 'CS_EXECUTE', 'CS_PARK', 'CS_CONSUME_MEDIA', 'CS_HIBERNATE', 'CS_RESET'],
  CS_EXCHANGE_MEDIA: ['CS_SOFT_EXECUTE', 'CS_ROUTING', 'CS_EXECUTE', 'CS_PARK', 'CS_CONSUME_MEDIA', 'CS_HIBERNATE', 'CS_RESET'],
  CS_PARK: ['CS_EXCHANGE_MEDIA', 'CS_ROUTING', 'CS_EXECUTE', 'CS_SOFT_EXECUTE', 'CS_HIBERNATE', 'CS_RESET', 'CS_CONSUME_MEDIA'],
  CS_CONSUME_MEDIA: ['CS_EXCHANGE_MEDIA', 'CS_ROUTING', 'CS_EXECUTE', 'CS_SOFT_EXECUTE', 'CS_HIBERNATE', 'CS_RESET', 'CS_PARK'],
  CS_HIBERNATE: ['CS_EXCHANGE_MEDIA', 'CS_INIT', 'CS_ROUTING', 'CS_EXECUTE', 'CS_SOFT_EXECUTE', 'CS_PARK', 'CS_CONSUME_MEDIA', 'CS_RESET'],
  CS_HANGUP: ['CS_REPORTING', 'CS_DESTROY'],
  CS_REPORTING: ['CS_DESTROY'],
  CS_DESTROY: [],
};

/** The outcome of requesting `to` in `from`: `noop` (same state), `ignored` (earlier state once down). */
export function transitionVerdict(from: RequestableState, to: RequestableState): 'allowed' | 'noop' | 'ignored' | 'refused' {
  if (from === to) return 'noop';
  if (isDownState(from) && REQUESTABLE_STATES.indexOf(to) < REQUESTABLE_STATES.indexOf(from)) return 'ignored';
  return ALLOWED_TRANSITIONS[from].includes(to) ? 'allowed' : 'refused';
}

// -- effect descriptions ----------------------------------------------------------------------

type Ctx = ChannelContext;

export function viewOf(c: Ctx): ChannelView {
  return {
    state: c.state,
    running: c.running,
    callState: c.callState,
    answered: c.answered,
    early: c.early,
    ringReady: c.ringReady,
    hangupCause: c.hangupCause,
  };
}

const STATE_WORD: { readonly [S in ChannelStateName]: string } = {
  CS_NEW: 'NEW',
  CS_INIT: 'INIT',
  CS_ROUTING: 'ROUTING',
  CS_SOFT_EXECUTE: 'SOFT_EXECUTE',
  CS_EXECUTE: 'EXECUTE',
  CS_EXCHANGE_MEDIA: 'EXCHANGE_MEDIA',
  CS_PARK: 'PARK',
  CS_CONSUME_MEDIA: 'CONSUME_MEDIA',
  CS_HIBERNATE: 'HIBERNATE',
  CS_RESET: 'RESET',
  CS_HANGUP: 'HANGUP',
  CS_REPORTING: 'REPORTING',
  CS_DESTROY: 'DESTROY',
  CS_NONE: 'NONE',
};

const s = setup({
  types: {} as { context: ChannelContext; events: ChannelEvent; input: ChannelInput },
  // Effects are performed by the hosting process; here they only describe.
  actions: {
    fire: (_: unknown, _p: FireParams) => {},
    log: (_: unknown, _p: { level: LogLevelName; text: string; site: LogSite }) => {},
    setVariable: (_: unknown, _p: { name: string; value: string }) => {},
    bridgeHangupVariables: (_: unknown, _p: { cause: string }) => {},
    markTime: (_: unknown, _p: { time: ProfileTime }) => {},
    setTimestamps: () => {},
    presence: (_: unknown, _p: PresenceUpdate & { readonly channel: ChannelView }) => {},
    indicate: (_: unknown, _p: { message: Indication; next: 'MARK_ANSWERED' | 'MARK_PRE_ANSWERED' | 'MARK_RING_READY' }) => {},
    result: (_: unknown, _p: { op: ChannelOperation; ok: boolean }) => {},
    executeOn: (_: unknown, _p: { point: HookPoint }) => {},
    apiOn: (_: unknown, _p: { point: HookPoint }) => {},
    next: (_: unknown, _p: { event: ChannelEvent }) => {},
    interrupt: () => {},
    wake: () => {},
    runHandlers: (_: unknown, _p: { state: ChannelStateName }) => {},
    threadDone: () => {},
    unregister: () => {},
  },
  guards: {
    destroyed: ({ context }) => context.running === 'CS_DESTROY',
    requestIs: ({ event }, p: { state: RequestableState }) => event.type === 'SET_STATE' && event.state === p.state,
    requestVerdict: ({ event }, p: { from: RequestableState; verdict: 'noop' | 'ignored' }) =>
      event.type === 'SET_STATE' && transitionVerdict(p.from, event.state) === p.verdict,
    /** The requested state has not been taken up by the channel's process yet. */
    pending: ({ context }) => context.running !== context.state,
    runningIs: ({ context }, p: { state: ChannelStateName }) => context.running === p.state,
    /** Running and requested state are both `state`. */
    settledIn: ({ context }, p: { state: RequestableState }) => context.running === p.state && context.state === p.state,
    outbound: ({ context }) => context.direction === 'outbound',
    inbound: ({ context }) => context.direction === 'inbound',
    /** A hangup cause is set or the channel is down: answer/pre_answer/ring_ready fail. */
    hungUp: ({ context }) => context.hangupCause !== 0 || isDownState(context.state),
    answered: ({ context }) => context.answered,
    ringReadyOrAnswered: ({ context }) => context.ringReady || context.answered,
    earlyOrAnswered: ({ context }) => context.early || context.answered,
    holdUnchanged: ({ context, event }) => event.type === 'MARK_HOLD' && event.on === context.held,
    markDoneIs: ({ event }, p: { op: ChannelOperation }) => event.type === 'MARK_DONE' && event.op === p.op,
  },
});

const fire = (event: EventTypeName, pre?: (c: Ctx) => FireParams['pre']) =>
  ({
    type: 'fire',
    params: ({ context }: { context: Ctx }): FireParams =>
      pre ? { event, channel: viewOf(context), pre: pre(context) } : { event, channel: viewOf(context) },
  }) as const;

const log = (level: LogLevelName, site: LogSite, text: string | ((c: Ctx) => string)) =>
  ({ type: 'log', params: ({ context }: { context: Ctx }) => ({ level, site, text: typeof text === 'string' ? text : text(context) }) }) as const;

const result = (op: ChannelOperation, ok: boolean) => ({ type: 'result', params: { op, ok } }) as const;

/**
 * switch_channel_perform_set_callstate: nothing when unchanged or once HANGUP; else the new call
 * state, a DEBUG line and CHANNEL_CALLSTATE (pre: Original-Channel-Call-State, Channel-Call-State-Number).
 */
const setCallState = (to: CallStateName | ((c: Ctx, e: ChannelEvent) => CallStateName | undefined)) =>
  s.enqueueActions(({ context, event, enqueue }) => {
    const target = typeof to === 'function' ? to(context, event) : to;
    const from = context.callState;
    if (target === undefined || target === from || from === 'HANGUP') return;
    enqueue.assign({ callState: target });
    enqueue({ type: 'log', params: { level: 'DEBUG', site: LOG_SITES.callstateChange, text: `({name}) Callstate Change ${from} -> ${target}` } });
    enqueue({
      type: 'fire',
      params: {
        event: 'CHANNEL_CALLSTATE',
        channel: { ...viewOf(context), callState: target },
        pre: [
          ['Original-Channel-Call-State', from],
          ['Channel-Call-State-Number', String(callStateNumber(target))],
        ],
      },
    });
  });

/** The call state an inbound channel takes when it starts running `state` (before CHANNEL_STATE). */
const inboundCallState =
  (state: ChannelStateName) =>
  (c: Ctx): CallStateName | undefined => {
    if (c.direction !== 'inbound' || isDownState(state as RequestableState) || state === 'CS_NONE') return undefined;
    if (state === 'CS_ROUTING') return 'RINGING';
    if (c.answered) return 'ACTIVE';
    if (c.early) return 'EARLY';
    return undefined;
  };

/** An accepted state request: the new requested state, a DEBUG line, a default cause for CS_HANGUP, wake. */
const acceptState = (from: RequestableState, to: RequestableState) => [
  s.assign(({ context }) => ({
    state: to,
    hangupCause: to === 'CS_HANGUP' && context.hangupCause === 0 ? Cause.NORMAL_CLEARING : context.hangupCause,
  })),
  log('DEBUG', LOG_SITES.stateChange, `({name}) State Change ${from} -> ${to}`),
  { type: 'wake' } as const,
];

const executeOn = (point: HookPoint) => ({ type: 'executeOn', params: { point } }) as const;
const markDone = (op: ChannelOperation) => ({ type: 'next', params: { event: { type: 'MARK_DONE', op } } }) as const;
const apiOn = (point: HookPoint) => ({ type: 'apiOn', params: { point } }) as const;

const markAnswered = [
  { type: 'markTime', params: { time: 'answered' } } as const,
  s.assign({ answered: true }),
  fire('CHANNEL_ANSWER'),
  { type: 'setVariable', params: { name: 'endpoint_disposition', value: 'ANSWER' } } as const,
  log('NOTICE', LOG_SITES.answered, 'Channel [{name}] has been answered'),
  // the media hooks ran at pre-answer already when there was early media
  s.enqueueActions(({ context, enqueue }) => {
    enqueue(executeOn('answer'));
    if (!context.early) {
      enqueue(executeOn('media'));
      enqueue(apiOn('media'));
    }
    enqueue(apiOn('answer'));
  }),
  markDone('answer'),
];

const presence = (update: PresenceUpdate) =>
  ({ type: 'presence', params: ({ context }: { context: Ctx }) => ({ ...update, channel: viewOf(context) }) }) as const;

const answerDone = [presence({ status: 'answered', rpid: 'unknown', site: PRESENCE_SITES.answered }), setCallState('ACTIVE'), result('answer', true)];

const markPreAnswered = [
  log('NOTICE', LOG_SITES.preAnswer, 'Pre-Answer {name}!'),
  s.assign({ early: true }),
  { type: 'setVariable', params: { name: 'endpoint_disposition', value: 'EARLY MEDIA' } } as const,
  { type: 'markTime', params: { time: 'progress_media' } } as const,
  fire('CHANNEL_PROGRESS_MEDIA'),
  executeOn('pre_answer'),
  executeOn('media'),
  apiOn('pre_answer'),
  apiOn('media'),
  markDone('pre_answer'),
];

const markRingReady = [
  log('NOTICE', LOG_SITES.ringReady, 'Ring-Ready {name}!'),
  s.assign({ ringReady: true }),
  { type: 'markTime', params: { time: 'progress' } } as const,
  fire('CHANNEL_PROGRESS'),
  executeOn('ring'),
  apiOn('ring'),
  markDone('ring_ready'),
];

// -- per-state transitions ----------------------------------------------------------------------

type Transition = TransitionConfig<Ctx, ChannelEvent, ChannelEvent, never, any, any, never>;

const ignoreWhenDestroyed: Transition = { guard: 'destroyed' };

function setStateTransitions(from: RequestableState): Transition[] {
  const list: Transition[] = [ignoreWhenDestroyed, { guard: { type: 'requestVerdict', params: { from, verdict: 'noop' } } }];
  if (isDownState(from)) list.push({ guard: { type: 'requestVerdict', params: { from, verdict: 'ignored' } } });
  for (const to of ALLOWED_TRANSITIONS[from]) {
    if (to !== from) list.push({ guard: { type: 'requestIs', params: { state: to } }, target: to, actions: acceptState(from, to) });
  }
  list.push({
    actions: s.enqueueActions(({ event, enqueue }) => {
      if (event.type === 'SET_STATE')
        enqueue({
          type: 'log',
          params: { level: 'WARNING', site: LOG_SITES.invalidStateChange, text: `({name}) Invalid State Change ${from} -> ${event.state}` },
        });
    }),
  });
  return list;
}

/** switch_channel_perform_hangup: the first call moves the channel to CS_HANGUP directly. */
function hangupTransitions(from: RequestableState): Transition[] {
  if (isDownState(from)) return [ignoreWhenDestroyed, { actions: s.assign({ hangupCalled: true }) }];
  return [
    ignoreWhenDestroyed,
    {
      target: 'CS_HANGUP',
      actions: [
        s.assign(({ event }) => ({
          hangupCalled: true,
          state: 'CS_HANGUP' as const,
          hangupCause: event.type === 'HANGUP' ? event.cause : Cause.NORMAL_CLEARING,
        })),
        log('NOTICE', LOG_SITES.hangup, (c) => `Hangup {name} [${from}] [${causeName(c.hangupCause)}]`),
        {
          type: 'bridgeHangupVariables',
          params: ({ context }: { context: Ctx }) => ({ cause: causeName(context.hangupCause) }),
        },
        fire('CHANNEL_HANGUP'),
        { type: 'interrupt' },
        { type: 'wake' },
      ],
    },
  ];
}

/** The channel's process takes up `state` (switch_channel_perform_set_running_state + the state's entry work). */
function runTransitions(state: RequestableState): Transition[] {
  // the state loop ends once CS_DESTROY is requested
  if (state === 'CS_DESTROY') return [ignoreWhenDestroyed, { actions: { type: 'threadDone' } }];
  const actions: any[] = [
    log('DEBUG', LOG_SITES.runningStateChange, `({name}) Running State Change ${state} (Cur {cur} Tot {tot})`),
    s.assign({ running: state }),
    setCallState(inboundCallState(state)),
    fire('CHANNEL_STATE'),
  ];
  if (!isDownState(state)) actions.push(setCallState((c) => (c.callState === 'UNHELD' ? 'ACTIVE' : undefined)));
  if (state === 'CS_HANGUP') {
    // switch_core_session_hangup_state, before the handlers
    actions.push(
      { type: 'markTime', params: { time: 'hungup' } },
      { type: 'setVariable', params: ({ context }: { context: Ctx }) => ({ name: 'hangup_cause', value: causeName(context.hangupCause) }) },
      {
        type: 'setVariable',
        params: ({ context }: { context: Ctx }) => ({ name: 'hangup_cause_q850', value: String(causeQ850(context.hangupCause)) }),
      },
      { type: 'setTimestamps' },
      setCallState('HANGUP'),
    );
  }
  actions.push(log('DEBUG', LOG_SITES.state, `({name}) State ${STATE_WORD[state]}`));
  if (state !== 'CS_NEW') actions.push({ type: 'runHandlers', params: { state } });
  return [ignoreWhenDestroyed, { guard: 'pending', actions }];
}

function stateNode(state: RequestableState) {
  return {
    on: {
      SET_STATE: setStateTransitions(state),
      HANGUP: hangupTransitions(state),
      RUN: runTransitions(state),
    },
  };
}

/**
 * check_presence, after every state's handlers: after CS_ROUTING and CS_HANGUP the channel's
 * presence says the state's name (`cancelled` for a leg that lost the originate race).
 */
const checkPresence = s.enqueueActions(({ context, enqueue }) => {
  if (context.running !== 'CS_ROUTING' && context.running !== 'CS_HANGUP') return;
  const cancelled = context.hangupCause === Cause.LOSE_RACE;
  const update: PresenceUpdate = cancelled
    ? { status: 'cancelled', rpid: 'unknown', site: PRESENCE_SITES.checkPresence(true), clearCallInfo: true }
    : { status: context.running, rpid: 'unknown', site: PRESENCE_SITES.checkPresence(false) };
  enqueue({ type: 'presence', params: { ...update, channel: viewOf(context) } });
});

/** After the running state's handlers: CHANNEL_CREATE(+ORIGINATE), CS_HANGUP → CS_REPORTING → CS_DESTROY, check_presence. */
const handledTransitions: Transition[] = [
  ignoreWhenDestroyed,
  {
    guard: { type: 'runningIs', params: { state: 'CS_INIT' } },
    actions: [
      fire('CHANNEL_CREATE'),
      s.enqueueActions(({ context, enqueue }) => {
        if (context.direction === 'outbound') enqueue({ type: 'fire', params: { event: 'CHANNEL_ORIGINATE', channel: viewOf(context) } });
      }),
    ],
  },
  {
    guard: { type: 'settledIn', params: { state: 'CS_HANGUP' } },
    target: '.CS_REPORTING',
    actions: [...acceptState('CS_HANGUP', 'CS_REPORTING'), checkPresence],
  },
  {
    guard: { type: 'settledIn', params: { state: 'CS_REPORTING' } },
    target: '.CS_DESTROY',
    actions: [
      fire('CHANNEL_HANGUP_COMPLETE', (c) => [['Hangup-Cause', causeName(c.hangupCause)]]),
      ...acceptState('CS_REPORTING', 'CS_DESTROY'),
      { type: 'threadDone' },
    ],
  },
  {
    guard: { type: 'runningIs', params: { state: 'CS_REPORTING' } },
    actions: [fire('CHANNEL_HANGUP_COMPLETE', (c) => [['Hangup-Cause', causeName(c.hangupCause)]]), { type: 'threadDone' }],
  },
  { actions: checkPresence },
];

/** switch_core_session_perform_destroy + switch_core_session_destroy_state. */
const destroyTransitions: Transition[] = [
  ignoreWhenDestroyed,
  {
    actions: [
      log('NOTICE', LOG_SITES.closeChannel, (c) => `Close Channel {name} [${c.state}]`),
      { type: 'unregister' },
      fire('CHANNEL_DESTROY'),
      setCallState('DOWN'),
      log('DEBUG', LOG_SITES.runningStateChange, '({name}) Running State Change CS_DESTROY (Cur {cur} Tot {tot})'),
      s.assign({ running: 'CS_DESTROY' as const }),
      fire('CHANNEL_STATE'),
      log('DEBUG', LOG_SITES.state, '({name}) State DESTROY'),
      { type: 'runHandlers', params: { state: 'CS_DESTROY' } },
    ],
  },
];

export const channelMachine = s.createMachine({
  id: 'channel',
  initial: 'CS_NEW',
  context: ({ input }) => ({
    direction: input.direction,
    state: 'CS_NEW',
    running: 'CS_NONE',
    callState: 'DOWN',
    answered: false,
    early: false,
    ringReady: false,
    hangupCause: 0,
    hangupCalled: false,
    held: false,
  }),
  on: {
    HANDLED: handledTransitions,
    DESTROY: destroyTransitions,
    ANSWER: [
      ignoreWhenDestroyed,
      { guard: 'outbound', actions: result('answer', true) },
      { guard: 'hungUp', actions: result('answer', false) },
      { guard: 'answered', actions: result('answer', true) },
      { actions: { type: 'indicate', params: { message: 'ANSWER', next: 'MARK_ANSWERED' } } },
    ],
    MARK_ANSWERED: [
      ignoreWhenDestroyed,
      { guard: 'hungUp', actions: result('answer', false) },
      { guard: 'answered', actions: result('answer', true) },
      { actions: markAnswered },
    ],
    PRE_ANSWER: [
      ignoreWhenDestroyed,
      { guard: 'hungUp', actions: result('pre_answer', false) },
      { guard: 'earlyOrAnswered', actions: result('pre_answer', true) },
      { guard: 'inbound', actions: { type: 'indicate', params: { message: 'PROGRESS', next: 'MARK_PRE_ANSWERED' } } },
      { actions: markPreAnswered },
    ],
    MARK_PRE_ANSWERED: [ignoreWhenDestroyed, { guard: 'earlyOrAnswered', actions: result('pre_answer', false) }, { actions: markPreAnswered }],
    RING_READY: [
      ignoreWhenDestroyed,
      { guard: 'hungUp', actions: result('ring_ready', false) },
      { guard: 'earlyOrAnswered', actions: result('ring_ready', true) },
      { guard: 'inbound', actions: { type: 'indicate', params: { message: 'RINGING', next: 'MARK_RING_READY' } } },
      { actions: markRingReady },
    ],
    MARK_RING_READY: [ignoreWhenDestroyed, { guard: 'ringReadyOrAnswered', actions: result('ring_ready', false) }, { actions: markRingReady }],
    MARK_DONE: [
      ignoreWhenDestroyed,
      { guard: { type: 'markDoneIs', params: { op: 'answer' } }, actions: answerDone },
      { guard: { type: 'markDoneIs', params: { op: 'pre_answer' } }, actions: [setCallState('EARLY'), result('pre_answer', true)] },
      { actions: [setCallState('RINGING'), result('ring_ready', true)] },
    ],
    SET_CALLSTATE: [ignoreWhenDestroyed, { actions: setCallState((_, e) => (e.type === 'SET_CALLSTATE' ? e.callState : undefined)) }],
    MARK_HOLD: [
      ignoreWhenDestroyed,
      { guard: 'holdUnchanged' },
      {
        actions: s.enqueueActions(({ context, event, enqueue }) => {
          if (event.type !== 'MARK_HOLD') return;
          enqueue.assign({ held: event.on });
          enqueue({ type: 'fire', params: { event: event.on ? 'CHANNEL_HOLD' : 'CHANNEL_UNHOLD', channel: viewOf(context) } });
        }),
      },
    ],
  },
  states: Object.fromEntries(REQUESTABLE_STATES.map((st) => [st, stateNode(st)])) as Record<RequestableState, ReturnType<typeof stateNode>>,
});

/** The effects of a transition's actions, as plain objects (what `transition()` returned, minus xstate's bookkeeping). */
export function effectsOf(actions: readonly { type: string; params?: unknown }[]): ChannelEffect[] {
  return actions.map((a) => (a.params === undefined ? { type: a.type } : { type: a.type, params: a.params }) as ChannelEffect);
}
