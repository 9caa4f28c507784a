/**
 * A channel's own presence (switch_channel_perform_presence): a channel with a presence_id fires
 * PRESENCE_IN after its CS_ROUTING handlers (`CS_ROUTING`), at answer (`answered`) and after its
 * CS_HANGUP handlers (`CS_HANGUP`, or `cancelled` for a leg that lost the race), each with the
 * channel data, then proto … event_count and the calling site; a channel without one fires none.
 * When the far end holds the call (switch_core_media_toggle_hold) it says `hold` / `unhold`.
 */
import { GenServer } from '@beamline/core';
import { describe, expect, it } from 'vitest';
import type { SwitchEvent } from '../src/index.ts';
import { type Setup, row, setup, stopSetup } from './switch_helpers.ts';

/** The event's own headers: those after the channel data (from `proto` on). */
function own(e: SwitchEvent): [string, string][] {
  const i = e.headers.findIndex((h) => h.name === 'proto');
  return i < 0 ? [] : e.headers.slice(i).map((h) => [h.name, h.value]);
}

const sent = (status: string, state: string, count: number, site: [string, string, string]): [string, string][] => [
  ['proto', 'any'],
  ['login', 'src/switch_channel.c'],
  ['from', '1001@example.com'],
  ['rpid', 'unknown'],
  ['status', status],
  ['event_type', 'presence'],
  ['alt_event_type', 'dialog'],
  ['presence-call-info-state', state],
  ['presence-call-direction', 'outbound'],
  ['event_count', String(count)],
  ['Presence-Calling-File', site[0]],
  ['Presence-Calling-Function', site[1]],
  ['Presence-Calling-Line', site[2]],
];
const CHECK: [string, string, string] = ['src/switch_core_state_machine.c', 'check_presence', '521'];
const ANSWERED: [string, string, string] = ['src/switch_channel.c', 'switch_channel_perform_mark_answered', '3906'];

/** `originate <vars>loopback/1000 &park()` (1000 answers and parks), then uuid_kill: the A leg's events. */
async function call(t: Setup, vars: string, cause = ''): Promise<SwitchEvent[]> {
  const a = /^\+OK ([0-9a-f-]{36})\n$/.exec(await t.sw.originate(`${vars}loopback/1000 &park()`))?.[1] as string;
  await t.settle();
  expect(await t.sw.api(`uuid_kill ${a}${cause ? ` ${cause}` : ''}`)).toBe('+OK\n');
  await t.settle();
  return t.sub.take().filter((e) => e.getHeader('Unique-ID') === a);
}

describe('channel presence (switch_channel_perform_presence)', () => {
  it('ring → answer → hangup: CS_ROUTING (progressing), answered (active), CS_HANGUP (idle), where the C fires them', async () => {
    const t = await setup();
    const leg = await call(t, '{presence_id=1001@example.com}');
    const trace = leg.map((e) => (e.type === 'PRESENCE_IN' ? `${row(e)} ${e.getHeader('status')}` : row(e)));
    // after the routing handlers (CS_CONSUME_MEDIA already requested), before CHANNEL_CALLSTATE ACTIVE, after CS_REPORTING is requested
    expect(trace.slice(4, 10)).toEqual([
      'CHANNEL_STATE CS_ROUTING/2 DOWN ringing',
      'PRESENCE_IN CS_ROUTING/7 DOWN ringing CS_ROUTING',
      'CHANNEL_STATE CS_CONSUME_MEDIA/7 DOWN ringing',
      'CHANNEL_ANSWER CS_CONSUME_MEDIA/7 DOWN answered',
      'PRESENCE_IN CS_CONSUME_MEDIA/7 DOWN answered answered',
      'CHANNEL_CALLSTATE CS_CONSUME_MEDIA/7 ACTIVE answered',
    ]);
    expect(trace.slice(-6, -3)).toEqual([
      'CHANNEL_CALLSTATE CS_HANGUP/10 HANGUP hangup',
      'PRESENCE_IN CS_HANGUP/11 HANGUP hangup CS_HANGUP',
      'CHANNEL_STATE CS_REPORTING/11 HANGUP hangup',
    ]);
    const presence = leg.filter((e) => e.type === 'PRESENCE_IN');
    expect(presence.map(own)).toEqual([
      sent('CS_ROUTING', 'progressing', 0, CHECK),
      sent('answered', 'active', 1, ANSWERED),
      sent('CS_HANGUP', 'idle', 2, CHECK),
    ]);
    // the channel data comes first, as with every channel event
    const names = presence[0].headers.map((h) => h.name);
    expect(names.indexOf('Channel-State')).toBeGreaterThan(0);
    expect(names.indexOf('Channel-State')).toBeLessThan(names.indexOf('proto'));
    expect(presence[0].getHeader('Channel-Presence-ID')).toBe('1001@example.com');
    await stopSetup(t);
  });

  it('presence_call_info and presence_privacy add their headers', async () => {
    const t = await setup();
    const leg = await call(t, '{presence_id=1001@example.com,presence_call_info=appearance-index=2,presence_privacy=true}');
    const first = leg.find((e) => e.type === 'PRESENCE_IN') as SwitchEvent;
    const names = own(first).map(([n]) => n);
    expect(names.slice(7, 10)).toEqual(['presence-call-info-state', 'presence-call-info', 'presence-call-direction']);
    expect(first.getHeader('presence-call-info')).toBe('appearance-index=2');
    expect(names.at(-1)).toBe('Presence-Privacy');
    expect(first.getHeader('Presence-Privacy')).toBe('true');
    await stopSetup(t);
  });

  it('a leg that lost the race (LOSE_RACE) says cancelled at hangup, then loses presence_call_info', async () => {
    const t = await setup();
    const leg = await call(t, '{presence_id=1001@example.com,presence_call_info=appearance-index=2}', 'LOSE_RACE');
    const last = leg.filter((e) => e.type === 'PRESENCE_IN').at(-1) as SwitchEvent;
    expect(own(last).filter(([n]) => /^(status|presence-call-info|Presence-Calling-Line)$/.test(n))).toEqual([
      ['status', 'cancelled'],
      ['presence-call-info', 'appearance-index=2'],
      ['Presence-Calling-Line', '518'],
    ]);
    const complete = leg.find((e) => e.type === 'CHANNEL_HANGUP_COMPLETE') as SwitchEvent;
    expect(complete.getHeader('variable_presence_call_info')).toBeUndefined();
    expect(complete.getHeader('variable_presence_id')).toBe('1001@example.com');
    await stopSetup(t);
  });

  it('the far end holding the call: hold (held) after CHANNEL_HOLD, unhold (active) after CHANNEL_UNHOLD; hold-private on a private line', async () => {
    const t = await setup();
    const a = /^\+OK ([0-9a-f-]{36})\n$/.exec(await t.sw.originate('{presence_id=1001@example.com}loopback/1000 &park()'))?.[1] as string;
    await t.settle();
    t.sub.take();
    const pid = t.sw.core.sessions.get(a);
    if (!pid) throw new Error('no channel');
    const holding = async (on: boolean) => {
      GenServer.cast(t.rt, pid, { op: 'legHolding', on });
      await t.settle();
      return t.sub
        .take()
        .filter((e) => e.getHeader('Unique-ID') === a && /^(CHANNEL_(UN)?HOLD|PRESENCE_IN)$/.test(e.type))
        .map((e) =>
          e.type === 'PRESENCE_IN'
            ? `${e.getHeader('status')} ${e.getHeader('presence-call-info-state')} ${e.getHeader('Presence-Calling-Line')}`
            : e.type,
        );
    };
    expect(await holding(true)).toEqual(['CHANNEL_HOLD', 'hold held 6516']);
    expect(await holding(false)).toEqual(['CHANNEL_UNHOLD', 'unhold active 6626']);
    expect(await t.sw.api(`uuid_setvar ${a} presence_call_info appearance-index=1;Private`)).toBe('+OK\n');
    expect(await holding(true)).toEqual(['CHANNEL_HOLD', 'hold-private held-private 6516']);
    await stopSetup(t);
  });

  it('a channel without presence_id fires no PRESENCE_IN', async () => {
    const t = await setup();
    const leg = await call(t, '');
    expect(leg.some((e) => e.type === 'CHANNEL_ANSWER')).toBe(true);
    expect(leg.some((e) => e.type === 'PRESENCE_IN')).toBe(false);
    await stopSetup(t);
  });
});
