import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import {
  ALLOWED_TRANSITIONS,
  Cause,
  REQUESTABLE_STATES,
  answerState,
  channelMachine,
  effectsOf,
  stateNumber,
  type CallDirection,
  type ChannelEffect,
  type ChannelEvent,
  type RequestableState,
} from '../src/index.ts';

type Snapshot = ReturnType<typeof initialTransition<typeof channelMachine>>[0];

function start(direction: CallDirection): Snapshot {
  const [s, actions] = initialTransition(channelMachine, { direction });
  expect(actions).toEqual([]);
  return s;
}

/**
 * One event; checks the invariant that the state value is the requested state. A `next` effect
 * is performed at once as its event, as the channel does, its effects taking its place.
 */
function step(s: Snapshot, event: ChannelEvent): [Snapshot, ChannelEffect[]] {
  const [next, actions] = transition(channelMachine, s, event);
  expect(next.value).toBe(next.context.state);
  let snap = next;
  const effects: ChannelEffect[] = [];
  for (const e of effectsOf(actions)) {
    if (e.type !== 'next') {
      effects.push(e);
      continue;
    }
    const [after, more] = step(snap, e.params.event);
    snap = after;
    effects.push(...more);
  }
  return [snap, effects];
}

function drive(s: Snapshot, events: ChannelEvent[]): [Snapshot, ChannelEffect[]] {
  const all: ChannelEffect[] = [];
  for (const e of events) {
    const [next, effects] = step(s, e);
    s = next;
    all.push(...effects);
  }
  return [s, all];
}

/** A fired event as the spec's trace tables show it: name, Channel-State/-Number, call state, answer state. */
function rows(effects: ChannelEffect[]): string[] {
  return effects.flatMap((e) => {
    if (e.type !== 'fire') return [];
    const c = e.params.channel;
    return [`${e.params.event} ${c.running}/${stateNumber(c.state)} ${c.callState} ${answerState(c.state, c.answered, c.early)}`];
  });
}

/** Effects other than logs, in a compact form. */
function compact(effects: ChannelEffect[]): string[] {
  return effects.flatMap((e): string[] => {
    switch (e.type) {
      case 'log':
        return [];
      case 'fire':
        return [`fire ${e.params.event}${e.params.pre ? ` ${e.params.pre.map(([k, v]) => `${k}=${v}`).join(',')}` : ''}`];
      case 'setVariable':
        return [`${e.type} ${e.params.name}=${e.params.value}`];
      case 'bridgeHangupVariables':
        return [`${e.type} ${e.params.cause}`];
      case 'markTime':
        return [`markTime ${e.params.time}`];
      case 'presence':
        return [`presence ${e.params.status}`];
      case 'indicate':
        return [`indicate ${e.params.message} then ${e.params.next}`];
      case 'result':
        return [`result ${e.params.op} ${e.params.ok}`];
      case 'runHandlers':
        return [`runHandlers ${e.params.state}`];
      case 'executeOn':
      case 'apiOn':
        return [`${e.type} ${e.params.point}`];
      default:
        return [e.type];
    }
  });
}

const logs = (effects: ChannelEffect[]) => effects.flatMap((e) => (e.type === 'log' ? [`${e.params.level} ${e.params.text}`] : []));

/** A channel whose requested and running state is `state` (reached from CS_NEW, which may request anything). */
function runningIn(state: RequestableState, direction: CallDirection = 'inbound'): Snapshot {
  const [s] = drive(start(direction), [{ type: 'SET_STATE', state }, { type: 'RUN' }]);
  return s;
}

// Spec §2.2, written out independently of the implementation's table.
const ALL = REQUESTABLE_STATES;
const SPEC: Record<RequestableState, readonly RequestableState[]> = {
  CS_NEW: ALL,
  CS_RESET: ALL,
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
const DOWN: readonly RequestableState[] = ['CS_HANGUP', 'CS_REPORTING', 'CS_DESTROY'];

describe('requested state changes (spec §2.2)', () => {
  it('the exported table is the spec table', () => {
    for (const from of ALL) expect([...ALLOWED_TRANSITIONS[from]].sort(), from).toEqual([...SPEC[from]].sort());
  });

  for (const from of ALL) {
    it(`from ${from}: every request is allowed, a no-op, ignored or refused as the spec says`, () => {
      const [base] = step(start('inbound'), { type: 'SET_STATE', state: from });
      expect(base.value).toBe(from);
      for (const to of ALL) {
        const [next, effects] = step(base, { type: 'SET_STATE', state: to });
        const label = `${from} -> ${to}`;
        if (to === from) {
          expect(next.value, label).toBe(from);
          expect(effects, label).toEqual([]);
        } else if (DOWN.includes(from) && ALL.indexOf(to) < ALL.indexOf(from)) {
          expect(next.value, label).toBe(from);
          expect(effects, label).toEqual([]);
        } else if (SPEC[from].includes(to)) {
          expect(next.value, label).toBe(to);
          expect(logs(effects), label).toEqual([`DEBUG ({name}) State Change ${from} -> ${to}`]);
          expect(compact(effects), label).toEqual(['wake']);
        } else {
          expect(next.value, label).toBe(from);
          expect(next.context, label).toEqual(base.context);
          expect(logs(effects), label).toEqual([`WARNING ({name}) Invalid State Change ${from} -> ${to}`]);
          expect(compact(effects), label).toEqual([]);
        }
      }
    });
  }

  it('CS_HANGUP requested from CS_NEW defaults the cause to NORMAL_CLEARING and fires nothing', () => {
    const [s, effects] = step(start('inbound'), { type: 'SET_STATE', state: 'CS_HANGUP' });
    expect(s.context.hangupCause).toBe(Cause.NORMAL_CLEARING);
    expect(rows(effects)).toEqual([]);
    // hangup() afterwards does nothing: the channel is already down
    const [, more] = step(s, { type: 'HANGUP', cause: Cause.USER_BUSY });
    expect(more).toEqual([]);
  });

  it('an ordinary state cannot request CS_HANGUP (hangup() is the way)', () => {
    const [s, effects] = step(runningIn('CS_EXECUTE'), { type: 'SET_STATE', state: 'CS_HANGUP' });
    expect(s.value).toBe('CS_EXECUTE');
    expect(logs(effects)).toEqual(['WARNING ({name}) Invalid State Change CS_EXECUTE -> CS_HANGUP']);
  });
});

describe('running states and CHANNEL_STATE (spec §2.3)', () => {
  it('RUN takes up the requested state once; CHANNEL_STATE shows it', () => {
    const [s1, e1] = step(start('outbound'), { type: 'SET_STATE', state: 'CS_INIT' });
    expect(s1.context.running).toBe('CS_NONE');
    expect(compact(e1)).toEqual(['wake']);
    const [s2, e2] = step(s1, { type: 'RUN' });
    expect(s2.context.running).toBe('CS_INIT');
    expect(rows(e2)).toEqual(['CHANNEL_STATE CS_INIT/1 DOWN ringing']);
    expect(compact(e2)).toEqual(['fire CHANNEL_STATE', 'runHandlers CS_INIT']);
    expect(logs(e2)).toEqual(['DEBUG ({name}) Running State Change CS_INIT (Cur {cur} Tot {tot})', 'DEBUG ({name}) State INIT']);
    const [, e3] = step(s2, { type: 'RUN' });
    expect(e3).toEqual([]);
  });

  it('inbound: entering CS_ROUTING sets RINGING before CHANNEL_STATE, even when answered', () => {
    const [s1, e1] = step(runningIn('CS_INIT'), { type: 'SET_STATE', state: 'CS_ROUTING' });
    expect(rows(e1)).toEqual([]);
    const [s2, e2] = step(s1, { type: 'RUN' });
    expect(rows(e2)).toEqual(['CHANNEL_CALLSTATE CS_ROUTING/2 RINGING ringing', 'CHANNEL_STATE CS_ROUTING/2 RINGING ringing']);
    expect(compact(e2)[0]).toBe('fire CHANNEL_CALLSTATE Original-Channel-Call-State=DOWN,Channel-Call-State-Number=2');
    const [answered] = drive(s2, [
      { type: 'MARK_ANSWERED' },
      { type: 'SET_STATE', state: 'CS_EXECUTE' },
      { type: 'RUN' },
      { type: 'SET_STATE', state: 'CS_ROUTING' },
    ]);
    const [, e3] = step(answered, { type: 'RUN' });
    expect(rows(e3)).toEqual(['CHANNEL_CALLSTATE CS_ROUTING/2 RINGING answered', 'CHANNEL_STATE CS_ROUTING/2 RINGING answered']);
  });

  it('inbound: another state sets ACTIVE when answered, EARLY when early', () => {
    const [early] = drive(runningIn('CS_PARK'), [
      { type: 'MARK_PRE_ANSWERED' },
      { type: 'SET_CALLSTATE', callState: 'DOWN' },
      { type: 'SET_STATE', state: 'CS_EXECUTE' },
    ]);
    expect(rows(step(early, { type: 'RUN' })[1])).toEqual(['CHANNEL_CALLSTATE CS_EXECUTE/4 EARLY early', 'CHANNEL_STATE CS_EXECUTE/4 EARLY early']);
  });

  it('outbound channels get no call state from state changes', () => {
    const [s] = drive(runningIn('CS_INIT', 'outbound'), [{ type: 'SET_STATE', state: 'CS_ROUTING' }]);
    expect(rows(step(s, { type: 'RUN' })[1])).toEqual(['CHANNEL_STATE CS_ROUTING/2 DOWN ringing']);
  });

  it('UNHELD becomes ACTIVE when the next state starts running', () => {
    const [s] = drive(runningIn('CS_EXECUTE', 'outbound'), [
      { type: 'SET_CALLSTATE', callState: 'UNHELD' },
      { type: 'SET_STATE', state: 'CS_PARK' },
    ]);
    expect(rows(step(s, { type: 'RUN' })[1])).toEqual(['CHANNEL_STATE CS_PARK/6 UNHELD ringing', 'CHANNEL_CALLSTATE CS_PARK/6 ACTIVE ringing']);
  });

  it('HANDLED after CS_INIT fires CHANNEL_CREATE, and CHANNEL_ORIGINATE for outbound legs', () => {
    const [inb] = drive(runningIn('CS_INIT'), [{ type: 'SET_STATE', state: 'CS_ROUTING' }]);
    expect(rows(step(inb, { type: 'HANDLED' })[1])).toEqual(['CHANNEL_CREATE CS_INIT/2 DOWN ringing']);
    const [out] = drive(runningIn('CS_INIT', 'outbound'), [{ type: 'SET_STATE', state: 'CS_ROUTING' }]);
    expect(rows(step(out, { type: 'HANDLED' })[1])).toEqual(['CHANNEL_CREATE CS_INIT/2 DOWN ringing', 'CHANNEL_ORIGINATE CS_INIT/2 DOWN ringing']);
  });

  it('call-state changes to the same value, or away from HANGUP, are suppressed', () => {
    const s = runningIn('CS_EXECUTE');
    expect(step(s, { type: 'SET_CALLSTATE', callState: 'DOWN' })[1]).toEqual([]);
    const [held, e] = step(s, { type: 'SET_CALLSTATE', callState: 'HELD' });
    expect(compact(e)).toEqual(['fire CHANNEL_CALLSTATE Original-Channel-Call-State=DOWN,Channel-Call-State-Number=5']);
    expect(logs(e)).toEqual(['DEBUG ({name}) Callstate Change DOWN -> HELD']);
    const [hung] = drive(held, [{ type: 'HANGUP', cause: 16 }, { type: 'RUN' }]);
    expect(hung.context.callState).toBe('HANGUP');
    expect(step(hung, { type: 'SET_CALLSTATE', callState: 'DOWN' })[1]).toEqual([]);
  });
});

describe('answer, pre-answer, ring-ready (spec §2.4)', () => {
  it('ring-ready: inbound tells the endpoint first, then CHANNEL_PROGRESS → RINGING', () => {
    const s = runningIn('CS_EXECUTE');
    const [s1, e1] = step(s, { type: 'RING_READY' });
    expect(compact(e1)).toEqual(['indicate RINGING then MARK_RING_READY']);
    const [s2, e2] = step(s1, { type: 'MARK_RING_READY' });
    expect(compact(e2)).toEqual([
      'markTime progress',
      'fire CHANNEL_PROGRESS',
      'executeOn ring',
      'apiOn ring',
      'fire CHANNEL_CALLSTATE Original-Channel-Call-State=DOWN,Channel-Call-State-Number=2',
      'result ring_ready true',
    ]);
    expect(logs(e2)).toEqual(['NOTICE Ring-Ready {name}!', 'DEBUG ({name}) Callstate Change DOWN -> RINGING']);
    expect(rows(e2)).toEqual(['CHANNEL_PROGRESS CS_EXECUTE/4 DOWN ringing', 'CHANNEL_CALLSTATE CS_EXECUTE/4 RINGING ringing']);
    // only once
    expect(compact(step(s2, { type: 'MARK_RING_READY' })[1])).toEqual(['result ring_ready false']);
  });

  it('ring-ready on an outbound leg marks at once; on an early or answered channel it succeeds silently', () => {
    expect(rows(step(runningIn('CS_CONSUME_MEDIA', 'outbound'), { type: 'RING_READY' })[1])).toEqual([
      'CHANNEL_PROGRESS CS_CONSUME_MEDIA/7 DOWN ringing',
      'CHANNEL_CALLSTATE CS_CONSUME_MEDIA/7 RINGING ringing',
    ]);
    const [early] = step(runningIn('CS_EXECUTE', 'outbound'), { type: 'MARK_PRE_ANSWERED' });
    expect(compact(step(early, { type: 'RING_READY' })[1])).toEqual(['result ring_ready true']);
  });

  it('pre-answer: CHANNEL_PROGRESS_MEDIA → EARLY, endpoint_disposition EARLY MEDIA', () => {
    const [s1, e1] = step(runningIn('CS_EXECUTE'), { type: 'PRE_ANSWER' });
    expect(compact(e1)).toEqual(['indicate PROGRESS then MARK_PRE_ANSWERED']);
    const [s2, e2] = step(s1, { type: 'MARK_PRE_ANSWERED' });
    expect(compact(e2)).toEqual([
      'setVariable endpoint_disposition=EARLY MEDIA',
      'markTime progress_media',
      'fire CHANNEL_PROGRESS_MEDIA',
      'executeOn pre_answer',
      'executeOn media',
      'apiOn pre_answer',
      'apiOn media',
      'fire CHANNEL_CALLSTATE Original-Channel-Call-State=DOWN,Channel-Call-State-Number=3',
      'result pre_answer true',
    ]);
    expect(logs(e2)[0]).toBe('NOTICE Pre-Answer {name}!');
    expect(rows(e2)).toEqual(['CHANNEL_PROGRESS_MEDIA CS_EXECUTE/4 DOWN early', 'CHANNEL_CALLSTATE CS_EXECUTE/4 EARLY early']);
    expect(compact(step(s2, { type: 'PRE_ANSWER' })[1])).toEqual(['result pre_answer true']);
  });

  it('answer (inbound): endpoint first, then CHANNEL_ANSWER already answered with the old call state, then ACTIVE', () => {
    const [s1, e1] = step(runningIn('CS_EXECUTE'), { type: 'ANSWER' });
    expect(compact(e1)).toEqual(['indicate ANSWER then MARK_ANSWERED']);
    expect(s1.context.answered).toBe(false);
    const [s2, e2] = step(s1, { type: 'MARK_ANSWERED' });
    expect(compact(e2)).toEqual([
      'markTime answered',
      'fire CHANNEL_ANSWER',
      'setVariable endpoint_disposition=ANSWER',
      'executeOn answer',
      'executeOn media',
      'apiOn media',
      'apiOn answer',
      'presence answered',
      'fire CHANNEL_CALLSTATE Original-Channel-Call-State=DOWN,Channel-Call-State-Number=4',
      'result answer true',
    ]);
    expect(logs(e2)).toEqual(['NOTICE Channel [{name}] has been answered', 'DEBUG ({name}) Callstate Change DOWN -> ACTIVE']);
    expect(rows(e2)).toEqual(['CHANNEL_ANSWER CS_EXECUTE/4 DOWN answered', 'CHANNEL_CALLSTATE CS_EXECUTE/4 ACTIVE answered']);
    expect(compact(step(s2, { type: 'ANSWER' })[1])).toEqual(['result answer true']);
    expect(compact(step(s2, { type: 'MARK_ANSWERED' })[1])).toEqual(['result answer true']);
  });

  it('the hooks run while the call state is the old one: MARK_ANSWERED ends with MARK_DONE as a step of its own', () => {
    const [s1] = step(runningIn('CS_EXECUTE'), { type: 'ANSWER' });
    const [s2, actions] = transition(channelMachine, s1, { type: 'MARK_ANSWERED' });
    expect(s2.context.answered).toBe(true);
    expect(s2.context.callState).toBe('DOWN');
    expect(effectsOf(actions).at(-1)).toEqual({ type: 'next', params: { event: { type: 'MARK_DONE', op: 'answer' } } });
    const [s3] = transition(channelMachine, s2, { type: 'MARK_DONE', op: 'answer' });
    expect(s3.context.callState).toBe('ACTIVE');
  });

  it('answer on an outbound leg is a silent success; the far end answering is MARK_ANSWERED', () => {
    const s = runningIn('CS_CONSUME_MEDIA', 'outbound');
    const [same, e] = step(s, { type: 'ANSWER' });
    expect(compact(e)).toEqual(['result answer true']);
    expect(same.context).toEqual(s.context);
    expect(rows(step(s, { type: 'MARK_ANSWERED' })[1])).toEqual([
      'CHANNEL_ANSWER CS_CONSUME_MEDIA/7 DOWN answered',
      'CHANNEL_CALLSTATE CS_CONSUME_MEDIA/7 ACTIVE answered',
    ]);
  });

  it('answer, pre-answer and ring-ready fail on a hung-up channel', () => {
    const [hung] = step(runningIn('CS_EXECUTE'), { type: 'HANGUP', cause: 16 });
    for (const [type, op] of [
      ['ANSWER', 'answer'],
      ['MARK_ANSWERED', 'answer'],
      ['PRE_ANSWER', 'pre_answer'],
      ['RING_READY', 'ring_ready'],
    ] as const) {
      expect(compact(step(hung, { type })[1]), type).toEqual([`result ${op} false`]);
    }
  });
});

describe('hangup (spec §2.4)', () => {
  it('HANGUP: cause, CHANNEL_HANGUP in the old running state with number 10, interrupt, wake; only the first counts', () => {
    const [s1] = step(runningIn('CS_EXECUTE'), { type: 'MARK_ANSWERED' });
    const [s2, e] = step(s1, { type: 'HANGUP', cause: Cause.NORMAL_CLEARING });
    expect(s2.value).toBe('CS_HANGUP');
    expect(s2.context.hangupCause).toBe(16);
    expect(logs(e)).toEqual(['NOTICE Hangup {name} [CS_EXECUTE] [NORMAL_CLEARING]']);
    expect(compact(e)).toEqual(['bridgeHangupVariables NORMAL_CLEARING', 'fire CHANNEL_HANGUP', 'interrupt', 'wake']);
    expect(rows(e)).toEqual(['CHANNEL_HANGUP CS_EXECUTE/10 ACTIVE hangup']);
    const [s3, again] = step(s2, { type: 'HANGUP', cause: Cause.USER_BUSY });
    expect(again).toEqual([]);
    expect(s3.context.hangupCause).toBe(16);
  });

  it('the channel then unwinds: HANGUP, REPORTING, HANGUP_COMPLETE, DESTROY, CHANNEL_STATE(CS_DESTROY)', () => {
    const [hung] = drive(runningIn('CS_EXECUTE'), [{ type: 'MARK_ANSWERED' }, { type: 'HANGUP', cause: 16 }]);
    const [h1, run] = step(hung, { type: 'RUN' });
    expect(compact(run)).toEqual([
      'fire CHANNEL_STATE',
      'markTime hungup',
      'setVariable hangup_cause=NORMAL_CLEARING',
      'setVariable hangup_cause_q850=16',
      'setTimestamps',
      'fire CHANNEL_CALLSTATE Original-Channel-Call-State=ACTIVE,Channel-Call-State-Number=7',
      'runHandlers CS_HANGUP',
    ]);
    const [h2, handled] = step(h1, { type: 'HANDLED' });
    expect(h2.value).toBe('CS_REPORTING');
    // check_presence after the CS_HANGUP handlers, once CS_REPORTING is requested
    expect(compact(handled)).toEqual(['wake', 'presence CS_HANGUP']);
    const [h3, run2] = step(h2, { type: 'RUN' });
    expect(compact(run2)).toEqual(['fire CHANNEL_STATE', 'runHandlers CS_REPORTING']);
    const [h4, handled2] = step(h3, { type: 'HANDLED' });
    expect(h4.value).toBe('CS_DESTROY');
    expect(compact(handled2)).toEqual(['fire CHANNEL_HANGUP_COMPLETE Hangup-Cause=NORMAL_CLEARING', 'wake', 'threadDone']);
    const [h5, destroy] = step(h4, { type: 'DESTROY' });
    expect(compact(destroy)).toEqual(['unregister', 'fire CHANNEL_DESTROY', 'fire CHANNEL_STATE', 'runHandlers CS_DESTROY']);
    expect(logs(destroy)[0]).toBe('NOTICE Close Channel {name} [CS_DESTROY]');
    expect(rows([...run, ...run2, ...handled2, ...destroy])).toEqual([
      'CHANNEL_STATE CS_HANGUP/10 ACTIVE hangup',
      'CHANNEL_CALLSTATE CS_HANGUP/10 HANGUP hangup',
      'CHANNEL_STATE CS_REPORTING/11 HANGUP hangup',
      'CHANNEL_HANGUP_COMPLETE CS_REPORTING/11 HANGUP hangup',
      'CHANNEL_DESTROY CS_REPORTING/12 HANGUP hangup',
      'CHANNEL_STATE CS_DESTROY/12 HANGUP hangup',
    ]);
    // destroyed: everything is ignored
    for (const ev of [{ type: 'RUN' }, { type: 'DESTROY' }, { type: 'ANSWER' }, { type: 'SET_STATE', state: 'CS_NEW' }] as ChannelEvent[]) {
      expect(step(h5, ev)[1], ev.type).toEqual([]);
    }
  });

  it('hangup_cause_q850 maps causes above 127 to 16', () => {
    const [hung] = step(runningIn('CS_PARK'), { type: 'HANGUP', cause: Cause.LOSE_RACE });
    const run = compact(step(hung, { type: 'RUN' })[1]);
    expect(run).toContain('setVariable hangup_cause=LOSE_RACE');
    expect(run).toContain('setVariable hangup_cause_q850=16');
  });

  it('a session destroyed before it ever ran still fires CHANNEL_DESTROY and CHANNEL_STATE(CS_DESTROY)', () => {
    const [, e] = step(start('outbound'), { type: 'DESTROY' });
    expect(rows(e)).toEqual(['CHANNEL_DESTROY CS_NONE/0 DOWN ringing', 'CHANNEL_STATE CS_DESTROY/0 DOWN ringing']);
  });

  it('requesting CS_DESTROY ends the state loop', () => {
    const [s] = step(runningIn('CS_PARK'), { type: 'HANGUP', cause: 16 });
    const [d] = step(s, { type: 'SET_STATE', state: 'CS_DESTROY' });
    expect(compact(step(d, { type: 'RUN' })[1])).toEqual(['threadDone']);
  });
});

describe('hold', () => {
  it('MARK_HOLD fires CHANNEL_HOLD / CHANNEL_UNHOLD on a change only', () => {
    const s = runningIn('CS_EXCHANGE_MEDIA');
    const [held, e1] = step(s, { type: 'MARK_HOLD', on: true });
    expect(compact(e1)).toEqual(['fire CHANNEL_HOLD']);
    expect(step(held, { type: 'MARK_HOLD', on: true })[1]).toEqual([]);
    expect(compact(step(held, { type: 'MARK_HOLD', on: false })[1])).toEqual(['fire CHANNEL_UNHOLD']);
  });
});

describe('whole traces (spec §2.5)', () => {
  it('(a) inbound call: routed, answered, hung up', () => {
    const [, effects] = drive(start('inbound'), [
      { type: 'SET_STATE', state: 'CS_INIT' },
      { type: 'RUN' },
      { type: 'SET_STATE', state: 'CS_ROUTING' }, // CS_INIT's standard handler
      { type: 'HANDLED' },
      { type: 'RUN' },
      { type: 'SET_STATE', state: 'CS_EXECUTE' }, // the dialplan found an extension
      { type: 'HANDLED' },
      { type: 'RUN' },
      { type: 'ANSWER' },
      { type: 'MARK_ANSWERED' }, // the endpoint accepted the answer
      { type: 'HANGUP', cause: Cause.NORMAL_CLEARING },
      { type: 'HANDLED' }, // the CS_EXECUTE handlers return (park ended)
      { type: 'RUN' },
      { type: 'HANDLED' },
      { type: 'RUN' },
      { type: 'HANDLED' },
      { type: 'DESTROY' },
    ]);
    expect(rows(effects)).toEqual([
      'CHANNEL_STATE CS_INIT/1 DOWN ringing',
      'CHANNEL_CREATE CS_INIT/2 DOWN ringing',
      'CHANNEL_CALLSTATE CS_ROUTING/2 RINGING ringing',
      'CHANNEL_STATE CS_ROUTING/2 RINGING ringing',
      'CHANNEL_STATE CS_EXECUTE/4 RINGING ringing',
      'CHANNEL_ANSWER CS_EXECUTE/4 RINGING answered',
      'CHANNEL_CALLSTATE CS_EXECUTE/4 ACTIVE answered',
      'CHANNEL_HANGUP CS_EXECUTE/10 ACTIVE hangup',
      'CHANNEL_STATE CS_HANGUP/10 ACTIVE hangup',
      'CHANNEL_CALLSTATE CS_HANGUP/10 HANGUP hangup',
      'CHANNEL_STATE CS_REPORTING/11 HANGUP hangup',
      'CHANNEL_HANGUP_COMPLETE CS_REPORTING/11 HANGUP hangup',
      'CHANNEL_DESTROY CS_REPORTING/12 HANGUP hangup',
      'CHANNEL_STATE CS_DESTROY/12 HANGUP hangup',
    ]);
  });

  it('(a) variant: no route — hangup in CS_ROUTING, call state RINGING → HANGUP', () => {
    const [, effects] = drive(start('inbound'), [
      { type: 'SET_STATE', state: 'CS_INIT' },
      { type: 'RUN' },
      { type: 'SET_STATE', state: 'CS_ROUTING' },
      { type: 'HANDLED' },
      { type: 'RUN' },
      { type: 'HANGUP', cause: Cause.NO_ROUTE_DESTINATION },
      { type: 'HANDLED' },
      { type: 'RUN' },
    ]);
    expect(rows(effects).slice(4)).toEqual([
      'CHANNEL_HANGUP CS_ROUTING/10 RINGING hangup',
      'CHANNEL_STATE CS_HANGUP/10 RINGING hangup',
      'CHANNEL_CALLSTATE CS_HANGUP/10 HANGUP hangup',
    ]);
  });

  it('(b1) originate null/1234 &park(): outbound leg up to CS_EXECUTE', () => {
    const [s0] = step(start('outbound'), { type: 'SET_STATE', state: 'CS_INIT' }); // by the endpoint
    expect(s0.context.running).toBe('CS_NONE'); // CHANNEL_OUTGOING (fired by originate) shows CS_NONE/1
    const [, effects] = drive(s0, [
      { type: 'RUN' },
      { type: 'SET_STATE', state: 'CS_ROUTING' },
      { type: 'HANDLED' },
      { type: 'RUN' },
      { type: 'SET_STATE', state: 'CS_CONSUME_MEDIA' }, // originate's routing handler
      { type: 'HANDLED' },
      { type: 'RUN' },
      { type: 'MARK_ANSWERED' }, // null auto-answers
      { type: 'SET_STATE', state: 'CS_EXECUTE' }, // originate gave it `park`
      { type: 'HANDLED' },
      { type: 'RUN' },
    ]);
    expect(rows(effects)).toEqual([
      'CHANNEL_STATE CS_INIT/1 DOWN ringing',
      'CHANNEL_CREATE CS_INIT/2 DOWN ringing',
      'CHANNEL_ORIGINATE CS_INIT/2 DOWN ringing',
      'CHANNEL_STATE CS_ROUTING/2 DOWN ringing',
      'CHANNEL_STATE CS_CONSUME_MEDIA/7 DOWN ringing',
      'CHANNEL_ANSWER CS_CONSUME_MEDIA/7 DOWN answered',
      'CHANNEL_CALLSTATE CS_CONSUME_MEDIA/7 ACTIVE answered',
      'CHANNEL_STATE CS_EXECUTE/4 ACTIVE answered',
    ]);
  });
});
