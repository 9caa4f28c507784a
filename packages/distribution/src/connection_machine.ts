/**
 * The lifecycle of one peer connection: a phase and a transition table, enforced in `step`.
 *
 *   connecting ──tcp_up──▶ handshaking ──handshake_ok──▶ up ──down──▶ down
 *        │                     │
 *        └───────fail──────────┴───────fail──────────▶ failed
 *
 * A dialled connection starts in `connecting`, an accepted socket in `handshaking`. `down` and
 * `failed` are final. Every phase change of a Connection (connection.ts) goes through `step`,
 * which returns the next phase or throws `IllegalTransition` for an event the current phase does
 * not accept: that is a bug in connection.ts, never a network condition (a late socket event on
 * a connection already down is filtered by Connection before it gets here).
 *
 * Why a table and not an xstate machine. The effects of this lifecycle are one straight async
 * sequence in connection.ts (dial; run the handshake steps of handshake_steps.ts; go up, or fail)
 * plus one teardown. A machine that decided them would return actions ("send the challenge",
 * "mark up") that Connection then dispatches on, cutting that sequence into callbacks while
 * deciding nothing the sequence does not already say; a machine that only records what
 * Connection already did (what this file used to be) decides nothing at all. What a machine does
 * add, one place that lists the legal transitions and refuses the others, is this table. The hot
 * path (frames in and out of an up connection) reads the phase as a plain field and never calls
 * into this module.
 */

export type ConnPhase = 'connecting' | 'handshaking' | 'up' | 'down' | 'failed';

/** `tcp_up`: the socket is connected; `handshake_ok`: the peer is authenticated; `fail`: the
 *  connect or the handshake failed; `down`: an up connection is torn down (any reason). */
export type ConnEvent = 'tcp_up' | 'handshake_ok' | 'fail' | 'down';

const TRANSITIONS: { readonly [P in ConnPhase]: { readonly [E in ConnEvent]?: ConnPhase } } = {
  connecting: { tcp_up: 'handshaking', fail: 'failed' },
  handshaking: { handshake_ok: 'up', fail: 'failed' },
  up: { down: 'down' },
  down: {},
  failed: {},
};

export class IllegalTransition extends Error {
  constructor(
    readonly phase: ConnPhase,
    readonly event: ConnEvent,
  ) {
    super(`connection: no transition on '${event}' in phase '${phase}'`);
    this.name = 'IllegalTransition';
  }
}

export function initialPhase(initiator: boolean): ConnPhase {
  return initiator ? 'connecting' : 'handshaking';
}

/** The phase after `event` in `phase`; throws IllegalTransition when the table has no entry. */
export function step(phase: ConnPhase, event: ConnEvent): ConnPhase {
  const next = TRANSITIONS[phase][event];
  if (next === undefined) throw new IllegalTransition(phase, event);
  return next;
}
