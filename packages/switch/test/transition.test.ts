/**
 * The cached channel step (channel/transition.ts) against xstate's own `transition`: random walks
 * of channel events from both directions give the same state, context and effects at every step,
 * and a step taken twice from the same snapshot is the same object.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { channelInitial, channelTransition } from '../src/channel/transition.ts';
import { REQUESTABLE_STATES, channelMachine, effectsOf, type CallDirection, type ChannelEvent } from '../src/index.ts';

function randomEvent(next: () => number): ChannelEvent {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const kinds: ChannelEvent[] = [
    { type: 'RUN' },
    { type: 'HANDLED' },
    { type: 'ANSWER' },
    { type: 'PRE_ANSWER' },
    { type: 'RING_READY' },
    { type: 'MARK_ANSWERED' },
    { type: 'MARK_PRE_ANSWERED' },
    { type: 'MARK_RING_READY' },
    { type: 'MARK_HOLD', on: next() < 0.5 },
    { type: 'SET_CALLSTATE', callState: pick(['RINGING', 'EARLY', 'ACTIVE', 'HELD'] as const) },
    { type: 'HANGUP', cause: pick([16, 17, 19, 21]) },
    { type: 'SET_STATE', state: pick(REQUESTABLE_STATES) },
    { type: 'DESTROY' },
  ];
  return pick(kinds);
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('channelTransition', () => {
  it.each([1, 2, 3, 4, 5, 6])('walk %i matches xstate transition step by step', (seed) => {
    const next = lcg(seed);
    const direction: CallDirection = seed % 2 === 0 ? 'inbound' : 'outbound';
    let [ours] = channelInitial({ direction });
    let [theirs] = initialTransition(channelMachine, { direction });
    expect(ours.context).toEqual(theirs.context);
    for (let i = 0; i < 200; i++) {
      const event = randomEvent(next);
      const [o, oActions] = channelTransition(ours, event);
      const [t, tActions] = transition(channelMachine, theirs, event);
      expect(o.value).toEqual(t.value);
      expect(o.context).toEqual(t.context);
      expect(effectsOf(oActions)).toEqual(effectsOf(tActions));
      ours = o;
      theirs = t;
    }
  });

  it('the same step from the same snapshot is computed once', () => {
    const [s0] = channelInitial({ direction: 'inbound' });
    const a = channelTransition(s0, { type: 'SET_STATE', state: 'CS_INIT' });
    const b = channelTransition(s0, { type: 'SET_STATE', state: 'CS_INIT' });
    const c = channelTransition(s0, { type: 'SET_STATE', state: 'CS_ROUTING' });
    expect(b).toBe(a);
    expect(c[0]).not.toBe(a[0]);
    expect(channelInitial({ direction: 'inbound' })[0]).toBe(s0);
  });
});
