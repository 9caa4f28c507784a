/**
 * Acknowledged starts (OTP's proc_lib:start_link / init_ack) for supervised children.
 *
 * A behaviour's init runs inside spawn, so when a child's `start` returns its init is done, except
 * for an async init (a GenServer whose init returns a promise): then the pid comes back at once
 * and the init finishes later. For such children a start function returns `PendingStart`: the
 * supervisor then waits, without blocking its mailbox, until the child sends `InitAck` (ok,
 * ignore or error) or its 'EXIT' arrives, and only then starts the next child. So children start
 * strictly one after the other and an init that fails is a start failure
 * (`{shutdown, {failed_to_start_child, Id, Reason}}` at supervisor start). The supervisor uses the
 * same wait for a nested supervisor whose initial start is still in progress.
 *
 *   supervisor                       child
 *   start(ctx) ── spawnLink ──────▶  init(...)            (wrapped to acknowledge)
 *   job: wait  ◀── InitAck(ok | ignore | error) ──┘
 */
import { Pid } from '@beamline/etf';
import { normal } from './atoms.ts';
import { ExitError } from './errors.ts';
import { GenServer, GenServerProcess } from './gen_server.ts';
import type { ProcessBehaviour, ProcessContext, SpawnOptions } from './types.ts';

/** What a start function returns for a child that will acknowledge its own start. */
export class PendingStart {
  constructor(readonly pid: Pid) {}
}

export type AckResult = { ok: true } | { ignore: true } | { error: unknown };

/** The message an acknowledging child sends to the process that started it. */
export class InitAck {
  constructor(
    readonly pid: Pid,
    readonly result: AckResult,
  ) {}
}

function thenable(x: unknown): x is Promise<unknown> {
  return x !== null && typeof x === 'object' && typeof (x as Promise<unknown>).then === 'function';
}

/** The ack for an init that threw: `ignore` (exit normal) or `{error, Reason}`. */
export function failedAck(e: unknown): AckResult {
  const reason = e instanceof ExitError ? e.reason : e;
  return reason === normal ? { ignore: true } : { error: reason };
}

/**
 * Spawns `code` linked to the calling process and makes it send `InitAck` to the caller when its
 * `init` has finished (or failed). `code` must be a fresh behaviour instance: its init is wrapped.
 */
export function startAcked(ctx: ProcessContext, code: ProcessBehaviour, opts?: SpawnOptions): PendingStart {
  const starter = ctx.self;
  const init = code.init?.bind(code);
  code.init = (c: ProcessContext) => {
    const ack = (r: AckResult) => c.send(starter, new InitAck(c.self, r));
    let r: void | Promise<void>;
    try {
      r = init?.(c);
    } catch (e) {
      ack(failedAck(e));
      throw e;
    }
    if (thenable(r)) {
      return r.then(
        () => ack({ ok: true }),
        (e: unknown) => {
          ack(failedAck(e));
          throw e;
        },
      );
    }
    ack({ ok: true });
  };
  return new PendingStart(ctx.spawnLink(code, opts));
}

/**
 * `GenServer.start(ctx, server, args, { link: true })` as an acknowledged start: the supervisor
 * waits for `init` (an `{ stop }` result or a throw fails the start; `ignore` is ignore).
 */
export function startGenServerAcked<S>(
  ctx: ProcessContext,
  server: GenServer<S, any, any, any> | (new () => GenServer<S, any, any, any>),
  args?: unknown,
  opts: { name?: string; trapExit?: boolean } = {},
): PendingStart {
  const impl = typeof server === 'function' ? new server() : server;
  return startAcked(ctx, new GenServerProcess<S>(impl, args), { name: opts.name, trapExit: opts.trapExit });
}
