/** Channel states, call states and answer states: names and numbers as switch_channel.c has them. */
import { atoi, caseEqual } from '../internal/strings.ts';

/** switch_channel_state_t in order (the index is the number). CS_NONE is never a requested state. */
export const CHANNEL_STATES = [
  'CS_NEW',
  'CS_INIT',
  'CS_ROUTING',
  'CS_SOFT_EXECUTE',
  'CS_EXECUTE',
  'CS_EXCHANGE_MEDIA',
  'CS_PARK',
  'CS_CONSUME_MEDIA',
  'CS_HIBERNATE',
  'CS_RESET',
  'CS_HANGUP',
  'CS_REPORTING',
  'CS_DESTROY',
  'CS_NONE',
] as const;

export type ChannelStateName = (typeof CHANNEL_STATES)[number];
/** A state that can be requested (everything but CS_NONE). */
export type RequestableState = Exclude<ChannelStateName, 'CS_NONE'>;

export const REQUESTABLE_STATES = CHANNEL_STATES.filter((s): s is RequestableState => s !== 'CS_NONE');

export function stateNumber(state: ChannelStateName): number {
  return CHANNEL_STATES.indexOf(state);
}

/** switch_channel_name_state: any case; an unknown name is CS_DESTROY (as in FreeSWITCH). */
export function parseState(name: string): ChannelStateName {
  return CHANNEL_STATES.find((s) => caseEqual(s, name)) ?? 'CS_DESTROY';
}

/** The channel is down: its requested state is CS_HANGUP or later (switch_channel_down_nosig). */
export function isDownState(state: ChannelStateName): boolean {
  return state === 'CS_HANGUP' || state === 'CS_REPORTING' || state === 'CS_DESTROY';
}

/** switch_channel_callstate_t in order (the index is the number). */
export const CALL_STATES = ['DOWN', 'DIALING', 'RINGING', 'EARLY', 'ACTIVE', 'HELD', 'RING_WAIT', 'HANGUP', 'UNHELD'] as const;

export type CallStateName = (typeof CALL_STATES)[number];

export function callStateNumber(state: CallStateName): number {
  return CALL_STATES.indexOf(state);
}

/** switch_channel_callstate2str: `UNKNOWN` for a number outside the table. */
export function callStateName(n: number): CallStateName | 'UNKNOWN' {
  return CALL_STATES[n] ?? 'UNKNOWN';
}

/**
 * switch_channel_str2callstate: a leading digit reads a number; else a name in any case; unknown
 * is DOWN (0).
 */
export function parseCallState(text: string): number {
  const c = text.charCodeAt(0);
  if (c > 47 && c < 58) return atoi(text);
  const i = CALL_STATES.findIndex((s) => caseEqual(s, text));
  return Math.max(0, i);
}

/** The `Answer-State` header's words. */
export type AnswerState = 'ringing' | 'early' | 'answered' | 'hangup';

/** hangup once the requested state is CS_HANGUP or later, else answered, early, ringing. */
export function answerState(state: ChannelStateName, answered: boolean, early: boolean): AnswerState {
  if (isDownState(state)) return 'hangup';
  if (answered) return 'answered';
  if (early) return 'early';
  return 'ringing';
}

export type CallDirection = 'inbound' | 'outbound';
