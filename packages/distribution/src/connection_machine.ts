/**
 * The lifecycle of one peer connection as an explicit xstate machine (pure transitions; the
 * hosting Connection performs every effect and feeds events back):
 *
 *   connecting ──TCP_UP──▶ handshaking ──HANDSHAKE_OK──▶ up ──DOWN──▶ down (final)
 *        │                     │  STEP (records the handshake step)
 *        └──────FAIL───────────┴──FAIL──▶ failed (final)
 *
 * An accepted socket starts in `handshaking` (input.initiator = false).
 */
import { assign, setup } from 'xstate';
import type { DownReason } from './transport.ts';
import type { HandshakeStep } from './handshake_steps.ts';

export interface ConnContext {
  initiator: boolean;
  peerName: string | undefined;
  step: HandshakeStep | undefined;
  failure: string | undefined;
  downReason: DownReason | undefined;
}

export type ConnEvent =
  | { type: 'TCP_UP' }
  | { type: 'STEP'; step: HandshakeStep }
  | { type: 'PEER_NAMED'; peerName: string }
  | { type: 'HANDSHAKE_OK'; peerName: string }
  | { type: 'FAIL'; failure: string }
  | { type: 'DOWN'; reason: DownReason };

export const connectionMachine = setup({
  types: {
    context: {} as ConnContext,
    events: {} as ConnEvent,
    input: {} as { initiator: boolean; peerName?: string },
  },
}).createMachine({
  id: 'dist_connection',
  initial: 'start',
  context: ({ input }) => ({ initiator: input.initiator, peerName: input.peerName, step: undefined, failure: undefined, downReason: undefined }),
  states: {
    start: {
      always: [{ guard: ({ context }) => context.initiator, target: 'connecting' }, { target: 'handshaking' }],
    },
    connecting: {
      on: {
        TCP_UP: 'handshaking',
        FAIL: { target: 'failed', actions: assign({ failure: ({ event }) => event.failure }) },
      },
    },
    handshaking: {
      on: {
        STEP: { actions: assign({ step: ({ event }) => event.step }) },
        PEER_NAMED: { actions: assign({ peerName: ({ event }) => event.peerName }) },
        HANDSHAKE_OK: { target: 'up', actions: assign({ peerName: ({ event }) => event.peerName }) },
        FAIL: { target: 'failed', actions: assign({ failure: ({ event }) => event.failure }) },
      },
    },
    up: {
      on: {
        DOWN: { target: 'down', actions: assign({ downReason: ({ event }) => event.reason }) },
      },
    },
    down: { type: 'final' },
    failed: { type: 'final' },
  },
});

export type ConnectionStateName = 'start' | 'connecting' | 'handshaking' | 'up' | 'down' | 'failed';
