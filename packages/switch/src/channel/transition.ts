/**
 * The channel machine's pure step, as xstate's `transition`/`initialTransition` but with one inert
 * actor scope made once. xstate's own functions build a throw-away actor (with its initial
 * snapshot and a fresh system) on every call, which was a third of a call's set-up time in
 * `pnpm bench switch`. Sharing the scope is safe because the machine spawns no children and a
 * step only collects the actions it would run (it never runs them), synchronously.
 */
import { type ActorScope, type ExecutableActionObject, createActor, type initialTransition } from 'xstate';
import { type ChannelEvent, type ChannelInput, channelMachine } from './machine.ts';

export type ChannelSnapshot = ReturnType<typeof initialTransition<typeof channelMachine>>[0];

let collected: ExecutableActionObject[] = [];
const self = createActor(channelMachine, { input: { direction: 'outbound' } });
const scope = {
  self,
  id: '',
  sessionId: '',
  logger: () => {},
  defer: () => {},
  emit: () => {},
  system: self.system,
  stopChild: () => {},
  actionExecutor: (action: ExecutableActionObject) => void collected.push(action),
} as unknown as ActorScope<ChannelSnapshot, ChannelEvent>;

function collecting(run: () => ChannelSnapshot): [ChannelSnapshot, ExecutableActionObject[]] {
  const outer = collected;
  const actions: ExecutableActionObject[] = [];
  collected = actions;
  try {
    return [run(), actions];
  } finally {
    collected = outer;
  }
}

/**
 * The machine's steps are pure functions of (snapshot, event) and its snapshots are immutable,
 * so each step is computed once: a snapshot reached from the same snapshot by the same event is
 * the same object, shared by every channel in that state. A call then costs a few map lookups
 * per step instead of xstate's microsteps and their garbage. Bounded: past MAX_CACHED entries,
 * new steps are computed and not kept.
 */
const MAX_CACHED = 20_000;
type Step = readonly [ChannelSnapshot, readonly ExecutableActionObject[]];
const steps = new WeakMap<ChannelSnapshot, Map<string, Step>>();
const initial = new Map<string, Step>();
let cached = 0;

/** The event's identity: its type, or all its fields when it has more (any new event kind stays exact). */
function eventKey(e: ChannelEvent): string {
  return Object.keys(e).length === 1 ? e.type : JSON.stringify(e);
}

/** `transition(channelMachine, snapshot, event)`; the actions are shared: read them, never change them. */
export function channelTransition(snapshot: ChannelSnapshot, event: ChannelEvent): Step {
  let bySnap = steps.get(snapshot);
  const key = eventKey(event);
  const hit = bySnap?.get(key);
  if (hit) return hit;
  const step = collecting(() => channelMachine.transition(snapshot, event, scope));
  if (cached < MAX_CACHED) {
    if (!bySnap) steps.set(snapshot, (bySnap = new Map()));
    bySnap.set(key, step);
    cached++;
  }
  return step;
}

/** `initialTransition(channelMachine, input)`. */
export function channelInitial(input: ChannelInput): Step {
  const hit = initial.get(input.direction);
  if (hit) return hit;
  const step = collecting(() => channelMachine.getInitialSnapshot(scope, input));
  initial.set(input.direction, step);
  return step;
}
