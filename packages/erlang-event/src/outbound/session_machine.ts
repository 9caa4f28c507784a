/**
 * One attached call (spec §3.2–§3.4, §4.6) as a pure xstate machine; a `CallSession` process
 * (outbound/sessions.ts) hosts it and implements its effects.
 *
 *   waiting_for_pid ──pid──▶ attached.announcing ──call_data──▶ attached.live
 *        │ after PID_TIMEOUT (5 s): pidTimedOut (hang up DESTINATION_OUT_OF_ORDER) ──▶ done
 *   attached ──destroyed / handler exit (keep)──▶ draining ──▶ done   (call_hangup last)
 *   any ──unload (the module stops)──▶ draining when the call is gone or the policy hangs it up, else done (orphaned)
 *
 * Until `{call, Event}` is sent the call's events wait in a bounded queue (context.queue); after
 * it each goes out at once as `{call_event, …}`. The outbound-exit-policy (DECISIONS.md) decides
 * what a handler's exit or the loss of its node does to a call the `erlang` application parked;
 * a `handlecall` attachment keeps the original's behaviour (the call is never hung up for it).
 * A handler given by registered name is watched with a monitor of `{Name, Node}` (watchHandler):
 * its DOWN is a handler exit, as a linked pid's EXIT is.
 */
import type { Atom, Pid, Term } from '@beamline/etf';
import { assign, setup } from 'xstate';

export type ExitPolicy = 'keep' | 'hangup' | 'respawn';
export type AttachKind = 'registered' | 'get_pid' | 'rpc' | 'handlecall';

export interface SessionInput {
  readonly uuid: string;
  readonly kind: AttachKind;
  /** A registered name or pid known at once (registered, handlecall); undefined: ask for one. */
  readonly handler?: Pid | Atom;
  /** Parked by the `erlang` application: the exit policy applies. */
  readonly outbound: boolean;
  readonly policy: ExitPolicy;
  readonly pidTimeoutMs: number;
  readonly queueCapacity: number;
}

export interface SessionContext extends SessionInput {
  readonly queue: readonly Term[];
  readonly lost: number;
}

export type SessionEvent =
  | { readonly type: 'pid'; readonly pid: Pid }
  | { readonly type: 'call_data'; readonly headers: readonly (readonly [string, string])[] | undefined }
  | { readonly type: 'event'; readonly term: Term }
  | { readonly type: 'purge' }
  | { readonly type: 'destroyed' }
  | { readonly type: 'handler_exit' }
  | { readonly type: 'listener_down' }
  /** The module is stopping; `callGone`: the call is destroyed or hung up already. */
  | { readonly type: 'unload'; readonly callGone: boolean }
  | { readonly type: 'detach' };

const hasFactory = ({ context }: { context: SessionContext }) => context.kind === 'get_pid' || context.kind === 'rpc';
const policy =
  (p: ExitPolicy) =>
  ({ context }: { context: SessionContext }) =>
    context.outbound && context.policy === p;

export const sessionMachine = setup({
  types: {} as { context: SessionContext; events: SessionEvent; input: SessionInput },
  delays: { PID_TIMEOUT: ({ context }) => context.pidTimeoutMs },
  guards: {
    handlerKnown: ({ context }) => context.handler !== undefined,
    respawn: ({ context }) => policy('respawn')({ context }) && hasFactory({ context }),
    hangup: ({ context }) => policy('hangup')({ context }) || (policy('respawn')({ context }) && !hasFactory({ context })),
    callFound: ({ event }) => event.type === 'call_data' && event.headers !== undefined,
    // the node is gone: no factory to ask again, so respawn hangs up as hangup does
    nodeLostHangup: ({ context }) => context.outbound && context.policy !== 'keep',
    watchedByName: ({ context }) => context.outbound && context.kind === 'registered' && context.handler !== undefined,
    callGone: ({ event }) => event.type === 'unload' && event.callGone,
  },
  actions: {
    // effects, implemented by the hosting process (sessions.ts)
    requestPid: () => {},
    linkHandler: () => {},
    watchHandler: () => {},
    fetchCallData: () => {},
    sendCall: (_: unknown, _p: { headers: readonly (readonly [string, string])[]; queue: readonly Term[] }) => {},
    sendEvent: (_: unknown, _p: { term: Term }) => {},
    sendCallHangup: () => {},
    hangupCall: () => {},
    pidTimedOut: () => {},
    orphan: () => {},
    lostEvents: (_: unknown, _p: { n: number }) => {},
    release: () => {},
    // pure
    setHandler: assign({ handler: ({ event }) => (event.type === 'pid' ? event.pid : undefined) }),
    forgetHandler: assign({ handler: () => undefined }),
    enqueue: assign(({ context, event }) => {
      if (event.type !== 'event') return {};
      if (context.queue.length >= context.queueCapacity) return { lost: context.lost + 1 };
      return { queue: [...context.queue, event.term] };
    }),
    clearQueue: assign({ queue: () => [] }),
  },
}).createMachine({
  id: 'erlang_call',
  context: ({ input }) => ({ ...input, queue: [], lost: 0 }),
  initial: 'start',
  exit: 'release',
  on: {
    purge: { actions: 'clearQueue' },
    detach: '.done',
  },
  states: {
    start: {
      always: [
        { guard: 'watchedByName', target: 'attached', actions: 'watchHandler' },
        { guard: 'handlerKnown', target: 'attached' },
        { target: 'waiting_for_pid' },
      ],
    },
    waiting_for_pid: {
      entry: 'requestPid',
      after: { PID_TIMEOUT: { target: 'done', actions: 'pidTimedOut' } },
      on: {
        pid: { target: 'attached', actions: ['setHandler', 'linkHandler'] },
        event: { actions: 'enqueue' },
        destroyed: 'done',
        listener_down: [
          { guard: 'nodeLostHangup', target: 'done', actions: ['orphan', 'hangupCall'] },
          { target: 'done', actions: 'orphan' },
        ],
        // no handler to tell yet: as the node's loss
        unload: [
          { guard: 'callGone', target: 'done' },
          { guard: 'nodeLostHangup', target: 'done', actions: ['orphan', 'hangupCall'] },
          { target: 'done', actions: 'orphan' },
        ],
      },
    },
    attached: {
      initial: 'announcing',
      on: {
        destroyed: 'draining',
        handler_exit: [
          { guard: 'respawn', target: 'waiting_for_pid', actions: ['sendCallHangup', 'forgetHandler'] },
          { guard: 'hangup', target: 'draining', actions: 'hangupCall' },
          { target: 'draining' },
        ],
        listener_down: [
          { guard: 'nodeLostHangup', target: 'done', actions: ['orphan', 'hangupCall'] },
          { target: 'done', actions: 'orphan' },
        ],
        // the node is still there: the handler is told its call ended (gone, or hung up by the policy)
        unload: [
          { guard: 'callGone', target: 'draining' },
          { guard: 'nodeLostHangup', target: 'draining', actions: 'hangupCall' },
          { target: 'done', actions: 'orphan' },
        ],
      },
      states: {
        announcing: {
          entry: 'fetchCallData',
          on: {
            event: { actions: 'enqueue' },
            call_data: [
              {
                guard: 'callFound',
                target: 'live',
                actions: [
                  {
                    type: 'sendCall',
                    params: ({ context, event }) => ({
                      headers: event.type === 'call_data' ? (event.headers ?? []) : [],
                      queue: context.queue,
                    }),
                  },
                  'clearQueue',
                ],
              },
              // the session is gone before `{call, …}`: dropped silently (no call, no call_hangup)
              { target: '#erlang_call.done' },
            ],
          },
        },
        live: {
          entry: { type: 'lostEvents', params: ({ context }) => ({ n: context.lost }) },
          on: { event: { actions: { type: 'sendEvent', params: ({ event }) => ({ term: event.type === 'event' ? event.term : [] }) } } },
        },
      },
    },
    draining: {
      // the queue was flushed when `{call, …}` went out; what is left to say is call_hangup
      entry: 'sendCallHangup',
      always: 'done',
    },
    done: { type: 'final' },
  },
});
