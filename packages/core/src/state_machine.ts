/**
 * StateMachine: an xstate v5 machine hosted in a process. The machine stays a plain xstate
 * machine; its transitions stay pure and the process performs the effects.
 *
 *   message ──toEvent──▶ event ──transition(machine, snapshot, event)──▶ [next, actions]   (pure)
 *                                                                          │
 *   the process: snapshot = next; execute(actions) with the ProcessContext ◀┘             (effects)
 *
 * Built on GenServer (the snapshot is the GenServer state, so `sys.getState` returns it):
 * - messages (handleInfo) and casts are events: the message itself when it is an object with a
 *   string `type`, else whatever the `toEvent` option maps it to (`undefined` drops it);
 * - `StateMachine.call(ctx, pid, event)` transitions and replies with the next snapshot;
 * - custom actions run in the process. An implementation written with `effect(...)` receives the
 *   ProcessContext (send, spawn, link, ...); the `actions` option can also implement (or override)
 *   actions by type with the same signature, so a machine can be defined without the runtime;
 * - built-in actions: delayed `raise` (that is how `after` works) and `sendTo(self, ..., { delay })`
 *   become timers on the runtime clock (`ctx.sendAfter`), `cancel` cancels them, `emit` calls the
 *   `onEmit` option, `log` is ignored; `sendTo` another actor, `spawnChild`/`invoke` and
 *   `stopChild` have no meaning here (children are processes) and stop the process with
 *   `{unsupported_action, Type}` rather than be dropped silently;
 * - a final state stops the process with reason `normal` (the machine's output is in the last
 *   snapshot, which `terminate` and sys see); an error snapshot stops it with the error as reason.
 */
import { atom, t, type Pid } from '@beamline/etf';
import {
  initialTransition,
  transition,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type EventFromLogic,
  type EventObject,
  type InputFrom,
  type SnapshotFrom,
} from 'xstate';
import { GenServer, GenServerLoop, type CallResult, type From, type InitResult, type NoReplyResult } from './gen_server.ts';
import type { Dest, ProcessContext, TimerRef } from './internal/basics/types.ts';
import { isContext, type Timeout, type Where } from './internal/gen.ts';
import { BadArg } from './internal/basics/errors.ts';
import { start } from './internal/proc_lib.ts';

type Ctx = ProcessContext;
type Result = NoReplyResult<AnyMachineSnapshot>;

/** The args an xstate action implementation gets (`{ context, event, self, system }`). */
export interface ActionInfo {
  context: any;
  event: any;
  [k: string]: unknown;
}

export type EffectFn<P = any> = (ctx: Ctx, info: ActionInfo, params: P) => void;

export interface StateMachineOptions<M extends AnyStateMachine = AnyStateMachine> {
  /** Registered name. */
  name?: string;
  /** Link to the starting process (default true when started from a process context). */
  link?: boolean;
  /** The machine's input (for `initialTransition`). */
  input?: InputFrom<M>;
  /** Maps a message that is not already an event; return `undefined` to drop the message. */
  toEvent?: (msg: unknown) => EventObject | undefined;
  /** Implementations by action type; they win over the machine's own. */
  actions?: Record<string, EffectFn>;
  /** Receives what the machine `emit`s. */
  onEmit?: (ctx: Ctx, event: EventObject) => void;
}

// -- effect(): an xstate action implementation that runs with the hosting process' context ----

const EFFECT = Symbol('beamline.effect');

type EffectAction<P> = ((info: any, params: P) => void) & { readonly [EFFECT]: EffectFn<P> };

/**
 * Wraps an effectful action so it gets the ProcessContext of the process hosting the machine:
 * `setup({ actions: { notify: effect((ctx, { context }) => ctx.send(context.peer, 'hi')) } })`.
 * The hosting process calls `fn` with its context; run in a bare xstate actor (no process to
 * act from) it throws.
 */
export function effect<P = any>(fn: EffectFn<P>): (info: any, params: P) => void {
  const action = (() => {
    throw new Error('effect() action run outside a StateMachine process');
  }) as unknown as EffectAction<P>;
  return Object.assign(action, { [EFFECT]: fn });
}

// -- the process ------------------------------------------------------------------------------

/**
 * An event the machine sends itself: a timer message for a delayed one (`token` makes a
 * cancelled-but-already-sent one stale), or token 0 for an immediate `sendTo(self)`.
 */
class Delayed {
  constructor(
    readonly id: string,
    readonly token: number,
    readonly event: EventObject,
  ) {}
}

interface ExecAction {
  type: string;
  info: any;
  params: any;
  exec: ((info: any, params: any) => void) | undefined;
}

class UnsupportedAction extends Error {
  constructor(readonly actionType: string) {
    super(`xstate action ${actionType} is not supported in a StateMachine process`);
  }
}

class MachineServer extends GenServer<AnyMachineSnapshot> {
  private timers = new Map<string, { token: number; ref: TimerRef }>();
  private nextToken = 1;
  private anonymous = 0;

  constructor(
    private readonly machine: AnyStateMachine,
    private readonly opts: StateMachineOptions,
  ) {
    super();
  }

  override init(_args: unknown, ctx: Ctx): InitResult<AnyMachineSnapshot> {
    let snapshot: AnyMachineSnapshot;
    let actions: ExecAction[];
    try {
      [snapshot, actions] = (initialTransition as (m: AnyStateMachine, input: unknown) => [AnyMachineSnapshot, ExecAction[]])(
        this.machine,
        this.opts.input,
      );
    } catch (e) {
      return { tag: 'stop', reason: e };
    }
    const stop = this.perform(ctx, snapshot, actions);
    if (stop !== undefined) return { tag: 'stop', reason: stop };
    return { tag: 'ok', state: snapshot };
  }

  override handleInfo(msg: unknown, snapshot: AnyMachineSnapshot, ctx: Ctx): Result {
    let event: EventObject | undefined;
    if (msg instanceof Delayed && msg.token === 0) {
      event = msg.event;
    } else if (msg instanceof Delayed) {
      const armed = this.timers.get(msg.id);
      if (armed === undefined || armed.token !== msg.token) return { tag: 'noreply', state: snapshot };
      this.timers.delete(msg.id);
      event = msg.event;
    } else {
      event = this.toEvent(msg);
    }
    if (event === undefined) return { tag: 'noreply', state: snapshot };
    return this.step(ctx, snapshot, event);
  }

  override handleCast(msg: unknown, snapshot: AnyMachineSnapshot, ctx: Ctx): Result {
    const event = this.toEvent(msg);
    if (event === undefined) return { tag: 'noreply', state: snapshot };
    return this.step(ctx, snapshot, event);
  }

  override handleCall(req: unknown, _from: From, snapshot: AnyMachineSnapshot, ctx: Ctx): CallResult<AnyMachineSnapshot, AnyMachineSnapshot> {
    const event = this.toEvent(req);
    if (event === undefined) return { tag: 'reply', reply: snapshot, state: snapshot };
    const r = this.step(ctx, snapshot, event);
    return r.tag === 'stop' ? { ...r, reply: r.state } : { tag: 'reply', reply: r.state, state: r.state };
  }

  override terminate(): void {
    this.timers.clear();
  }

  override describe(snapshot: AnyMachineSnapshot): Record<string, unknown> {
    return { machine: this.machine.id, value: snapshot.value, status: snapshot.status };
  }

  /** A message that is already an event (an object with a string `type`) is one; others go through `toEvent`. */
  private toEvent(msg: unknown): EventObject | undefined {
    if (msg !== null && typeof msg === 'object' && typeof (msg as { type?: unknown }).type === 'string') return msg as EventObject;
    return this.opts.toEvent?.(msg);
  }

  private step(ctx: Ctx, snapshot: AnyMachineSnapshot, event: EventObject): Result {
    if (snapshot.status !== 'active') return { tag: 'noreply', state: snapshot };
    let next: AnyMachineSnapshot;
    let actions: ExecAction[];
    try {
      [next, actions] = transition(this.machine, snapshot, event) as [AnyMachineSnapshot, ExecAction[]];
    } catch (e) {
      return { tag: 'stop', reason: e, state: snapshot };
    }
    const stop = this.perform(ctx, next, actions);
    if (stop !== undefined) return { tag: 'stop', reason: stop, state: next };
    return { tag: 'noreply', state: next };
  }

  /** Executes the actions of one transition; returns a stop reason when the process must end. */
  private perform(ctx: Ctx, next: AnyMachineSnapshot, actions: ExecAction[]): unknown {
    try {
      for (const a of actions) this.execute(ctx, a);
    } catch (e) {
      if (e instanceof UnsupportedAction) return t(atom('unsupported_action'), e.actionType);
      return e;
    }
    if (next.status === 'done') return atom('normal');
    if (next.status === 'error') return (next as { error?: unknown }).error ?? atom('error');
    return undefined;
  }

  private execute(ctx: Ctx, a: ExecAction): void {
    switch (a.type) {
      case 'xstate.raise':
        // an undelayed raise was already handled inside the transition
        if (typeof a.params.delay === 'number') this.schedule(ctx, a.params.id, a.params.delay, a.params.event);
        return;
      case 'xstate.sendTo':
        if (a.params.to !== a.info.self) throw new UnsupportedAction(a.type);
        if (typeof a.params.delay === 'number') this.schedule(ctx, a.params.id, a.params.delay, a.params.event);
        else ctx.send(ctx.self, new Delayed('', 0, a.params.event)); // after the current event, like xstate
        return;
      case 'xstate.cancel': {
        const armed = this.timers.get(a.params.sendId);
        if (armed !== undefined) {
          this.timers.delete(a.params.sendId);
          ctx.cancelTimer(armed.ref);
        }
        return;
      }
      case 'xstate.emit':
        this.opts.onEmit?.(ctx, a.params.event);
        return;
      case 'xstate.log':
        return;
      case 'xstate.spawnChild':
      case 'xstate.stopChild':
        throw new UnsupportedAction(a.type);
    }
    const own = this.opts.actions?.[a.type];
    if (own !== undefined) {
      own(ctx, a.info, a.params);
      return;
    }
    if (a.exec === undefined) return; // declared but not implemented: xstate does nothing either
    const fx = (a.exec as Partial<EffectAction<unknown>>)[EFFECT];
    if (fx !== undefined) fx(ctx, a.info, a.params);
    else a.exec(a.info, a.params);
  }

  private schedule(ctx: Ctx, id: string | undefined, delay: number, event: EventObject): void {
    const key = id ?? `$anonymous.${this.anonymous++}`;
    const old = this.timers.get(key);
    if (old !== undefined) ctx.cancelTimer(old.ref);
    const token = this.nextToken++;
    const ref = ctx.sendAfter(delay, ctx.self, new Delayed(key, token, event));
    this.timers.set(key, { token, ref });
  }
}

declare const machineTypes: unique symbol;

/** A pid that remembers its machine, so `send` and `call` are typed by the machine's events. */
export type MachinePid<M extends AnyStateMachine = AnyStateMachine> = Pid & { readonly [machineTypes]?: M };

// -- API --------------------------------------------------------------------------------------

export const StateMachine = {
  /**
   * Starts a process hosting `machine` and waits for its initial transition (its actions run in
   * the process). Rejects with StartError when that transition fails.
   */
  start<M extends AnyStateMachine>(where: Where, machine: M, opts: StateMachineOptions<M> = {}): Promise<MachinePid<M>> {
    const link = opts.link ?? isContext(where);
    if (link && !isContext(where)) return Promise.reject(new BadArg('StateMachine.start: link needs a process context'));
    return start(
      where,
      (starter) => new GenServerLoop(new MachineServer(machine, opts as StateMachineOptions), undefined, starter, 'state_machine'),
      {
        name: opts.name,
        link,
      },
    ) as Promise<MachinePid<M>>;
  },

  /** Sends an event (an async message, like any other). */
  send<M extends AnyStateMachine>(where: Where, dest: MachinePid<M> | Dest, event: EventFromLogic<M>): void {
    where.send(dest, event);
  },

  /** Sends an event as a call; resolves with the snapshot after the transition. */
  call<M extends AnyStateMachine>(
    where: Where,
    dest: MachinePid<M> | Dest,
    event: EventFromLogic<M>,
    timeout: Timeout = 5000,
  ): Promise<SnapshotFrom<M>> {
    return GenServer.call<SnapshotFrom<M>>(where, dest, event, timeout);
  },
};
