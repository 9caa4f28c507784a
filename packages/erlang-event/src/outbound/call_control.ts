/**
 * The seam between the inbound dispatcher and the outbound half (call sessions: the `erlang`
 * application, `handlecall`, `session_*`, the `{Ref, Pid}` / `{rex, _}` handshake replies).
 * `OutboundCalls` (sessions.ts) implements it and is what `load(...)` uses unless `calls` is given;
 * `NO_CALL_CONTROL` answers as a module with no attached calls would.
 */
import type { Atom, Pid, Ref, Term } from '@beamline/etf';

/** The listener a call is attached through (one per peer node). */
export interface CallListener {
  readonly peer: string;
  /** Sends `term` to a pid or to `{Name, Peer}`. */
  send(to: Pid | Atom, term: Term): void;
  /** Sends a call's own message (`call`, `call_event`, `call_hangup`): after the reply of a command the listener is running. */
  deliver(to: Pid | Atom, term: Term): void;
}

export type HandlecallResult = 'ok' | 'badsession' | 'baduuid' | 'session_attach_failed';
export type SessionOp = 'session_event' | 'session_nixevent' | 'session_setevent' | 'session_noevents';

export interface CallControl {
  /** `{handlecall, UUID}` (handler = the sender pid) or `{handlecall, Name, UUID}` (handler = `{Name, Peer}`). */
  handlecall(listener: CallListener, uuid: string, handler: Pid | Atom): Promise<HandlecallResult>;
  /** session_* from `from`: `undefined` = no call attached to that pid (`{error, notlistening}`). */
  session(listener: CallListener, from: Pid, op: SessionOp, atoms: readonly Atom[]): Term | undefined;
  /** `{Ref, Pid}` (or `{rex, {Ref, Pid}}`) for a call waiting for its handler; false: nobody waits. */
  spawnReply(listener: CallListener, ref: Ref, pid: Pid): boolean;
  /** A pid linked to the module exited: calls it handled end (§4.6). */
  pidExited(listener: CallListener, pid: Pid): void;
  /** The peer went away: its calls are let go (§4.6, or the configured exit policy). */
  listenerDown(listener: CallListener): void;
  /** `erlang sessions <node>` / `erlang listeners`: the calls attached through this listener. */
  sessions(peer: string): readonly { uuid: string; state: string }[];
}

/** No outbound half: no call can be attached, no handshake is waited for. */
export const NO_CALL_CONTROL: CallControl = {
  handlecall: async () => 'session_attach_failed',
  session: () => undefined,
  spawnReply: () => false,
  pidExited: () => {},
  listenerDown: () => {},
  sessions: () => [],
};
