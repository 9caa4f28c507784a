/**
 * What an inbound handler sees of its listener (one per peer node). The families under inbound/
 * take a message term and this context and return the reply (or `undefined`: no reply).
 */
import type { ProcessContext } from '@beamline/core';
import type { Pid, Term } from '@beamline/etf';
import type { Switch } from '@beamline/switch';
import type { ErlangEventConfig } from '../config.ts';
import type { CallControl } from '../outbound/call_control.ts';
import type { FetchBindings } from '../fetch/bindings.ts';
import type { EventHandlers } from '../handlers/events.ts';
import type { LogHandler } from '../handlers/logs.ts';

export interface InboundContext {
  readonly config: ErlangEventConfig;
  readonly sw: Switch;
  /** The peer node's name. */
  readonly peer: string;
  /** The module's pid (getpid); the target of `{Ref, Pid}` / `{rex, _}` replies. */
  readonly fsPid: Pid;
  /** The listener process. */
  readonly ctx: ProcessContext;
  readonly events: EventHandlers;
  readonly logs: LogHandler;
  readonly calls: CallControl;
  /** XML-fetch bindings (`bind`, `fetch_reply`). */
  readonly fetch: FetchBindings;
  /** The module links to `pid` (LINK from FsPid), so its exit comes back as cleanup. */
  link(pid: Pid): void;
  /** Send `term` to `to` (a later message, e.g. bgapi's result). */
  send(to: Pid, term: Term): void;
  /** After the reply: close the connection (`exit`, ACL denial). */
  closeAfterReply(): void;
}

/** What a handler gives back: a reply term, or nothing to send. */
export type Reply = Term | undefined;
