/**
 * Call pickup groups (mod_dptools' `pickup/` endpoint and `pickup` application): callers (answered
 * null legs) dial `pickup/<group>` legs, most beside a null leg that only rings; C runs `pickup`
 * and takes the group's oldest leg: the originate swaps that leg for C, and the caller is bridged
 * to C.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { type Setup, setup, stopSetup } from './switch_helpers.ts';

const A = 'a0000000-0000-4000-8000-000000000001';
const A2 = 'a0000000-0000-4000-8000-000000000002';
const A3 = 'a0000000-0000-4000-8000-000000000003';
const R = 'b0000000-0000-4000-8000-000000000001';
const R2 = 'b0000000-0000-4000-8000-000000000002';
const P = 'c0000000-0000-4000-8000-000000000001';
const P2 = 'c0000000-0000-4000-8000-000000000002';
const P3 = 'c0000000-0000-4000-8000-000000000003';
const C = 'd0000000-0000-4000-8000-000000000001';

const NAMES: Record<string, string> = { [A]: 'A', [A2]: 'A2', [A3]: 'A3', [R]: 'R', [R2]: 'R2', [P]: 'P', [P2]: 'P2', [P3]: 'P3', [C]: 'C' };
const who = (e: SwitchEvent) => NAMES[e.getHeader('Unique-ID') ?? ''] ?? '?';
const ringing = (uuid: string) => `[origination_uuid=${uuid},null_enable_auto_answer=false]null/2`;
const pickupLeg = (uuid: string, group: string, vars = '') => `[origination_uuid=${uuid}${vars}]pickup/${group}`;

async function start(): Promise<Setup> {
  return setup({
    dialplan: staticDialplan({ default: { none: [['pickup', 'nosuch'], ['set', 'after=1'], ['park']], usage: [['pickup', ''], ['park']] } }),
  });
}

/** The caller `uuid` (an answered null leg) bridges to `dial`; the originate is left running. */
async function dial(t: Setup, uuid: string, dial: string, vars = ''): Promise<void> {
  expect(await t.sw.originate(`{origination_uuid=${uuid}${vars}}null/1 &bridge(${dial})`)).toBe(`+OK ${uuid}\n`);
  await t.settle();
}

/** C (Carol, 3003) runs `pickup <group>`. */
async function pick(t: Setup, group: string, vars = ''): Promise<void> {
  const cid = 'origination_callee_id_name=Carol,origination_callee_id_number=3003';
  expect(await t.sw.originate(`{origination_uuid=${C},${cid}${vars}}null/3 &pickup(${group})`)).toBe(`+OK ${C}\n`);
  await t.settle();
}

const hangups = (events: SwitchEvent[]) => events.filter((e) => e.type === 'CHANNEL_HANGUP').map((e) => `${who(e)} ${e.getHeader('Hangup-Cause')}`);
const getvar = async (t: Setup, uuid: string, name: string) => (await t.sw.api(`uuid_getvar ${uuid} ${name}`)).trim();

describe('pickup', () => {
  it('takes the oldest ringing leg of its group (not another group’s): the leg PICKED_OFF, the other legs LOSE_RACE, the caller bridged to the picker', async () => {
    const t = await start();
    await dial(t, A3, pickupLeg(P3, 'other'));
    await dial(t, A, `${ringing(R)},${pickupLeg(P, 'grp')}`);
    await dial(t, A2, pickupLeg(P2, 'grp'));
    const before = t.sub.take();
    // the pickup leg never rings: nothing tells the caller it rings
    expect(before.filter((e) => e.type.startsWith('CHANNEL_PROGRESS')).map(who)).toEqual([]);
    expect(before.filter((e) => e.type === 'CHANNEL_CREATE' && who(e).startsWith('P')).map((e) => e.getHeader('Channel-Name'))).toEqual([
      'pickup/other',
      'pickup/grp',
      'pickup/grp',
    ]);
    await pick(t, 'grp');
    const events = t.sub.take();
    expect(hangups(events).sort()).toEqual(['P PICKED_OFF', 'R LOSE_RACE']);
    const bridge = events.find((e) => e.type === 'CHANNEL_BRIDGE');
    expect([bridge && who(bridge), bridge?.getHeader('Bridge-B-Unique-ID')]).toEqual(['A', C]);
    expect([t.sw.core.media.routeOf(A), t.sw.core.media.routeOf(C)]).toEqual([C, A]);
    expect([await getvar(t, A, 'signal_bond'), await getvar(t, C, 'signal_bond')]).toEqual([C, A]);
    // the others still wait: A2's leg is next in grp, A3's in its own group
    expect([t.sw.core.sessions.has(P2), t.sw.core.sessions.has(P3)]).toEqual([true, true]);
    expect(await t.sw.api(`uuid_kill ${C}`)).toBe('+OK\n');
    await pick(t, 'grp');
    expect(hangups(t.sub.take())).toContain('P2 PICKED_OFF');
    expect(await getvar(t, A2, 'signal_bond')).toBe(C);
    expect(t.sw.core.sessions.has(P3)).toBe(true);
    await stopSetup(t);
  });

  it('the picker: the leg’s originate variables, its caller id (its own becomes the callee id, CALL_UPDATE), picked_up_uuid, execute_on_pickup; the caller sees the picker as callee', async () => {
    const t = await start();
    const cid = ',origination_caller_id_name=Alice,origination_caller_id_number=1001';
    await dial(t, A, `{team=sales}${ringing(R)},${pickupLeg(P, 'grp', `,note=hi,execute_on_pickup=set:hooked=yes${cid}`)}`);
    t.sub.take();
    await pick(t, 'grp');
    const events = t.sub.take();
    // C's last CALL_UPDATE (the first is its caller id flipped as the originate gave it &pickup)
    const update = events.filter((e) => e.type === 'CALL_UPDATE' && who(e) === 'C').at(-1);
    expect([update?.getHeader('Direction'), update?.getHeader('Bridged-To')]).toEqual(['RECV', undefined]);
    expect(
      ['Caller-Caller-ID-Name', 'Caller-Caller-ID-Number', 'Caller-Callee-ID-Name', 'Caller-Callee-ID-Number'].map((h) => update?.getHeader(h)),
    ).toEqual(['Alice', '1001', 'Carol', '3003']);
    expect(await Promise.all(['team', 'note', 'picked_up_uuid', 'hooked', 'caller_id_name', 'callee_id_name'].map((n) => getvar(t, C, n)))).toEqual([
      'sales',
      'hi',
      P,
      'yes',
      'Alice',
      'Carol',
    ]);
    expect([await getvar(t, A, 'callee_id_name'), await getvar(t, A, 'callee_id_number')]).toEqual(['Carol', '3003']);
    // the leg itself: no CDR, swapped for C
    const gone = events.find((e) => e.type === 'CHANNEL_HANGUP' && who(e) === 'P');
    expect([gone?.getHeader('variable_process_cdr'), gone?.getHeader('variable_channel_swap_uuid')]).toEqual(['false', C]);
    expect(t.logs).toContain('DEBUG Swapping null/3 for pickup/grp');
    // C's dialplan stopped at pickup (it hibernated) and the bridge took it
    const trail = events
      .filter((e) => who(e) === 'C' && e.type.startsWith('CHANNEL_'))
      .map((e) => `${e.type} ${e.getHeader('Application') ?? e.getHeader('Channel-State')}`);
    expect(trail.slice(trail.indexOf('CHANNEL_EXECUTE pickup'))).toEqual([
      'CHANNEL_EXECUTE pickup',
      'CHANNEL_EXECUTE_COMPLETE pickup',
      'CHANNEL_STATE CS_HIBERNATE',
      'CHANNEL_EXECUTE set',
      'CHANNEL_EXECUTE_COMPLETE set',
      'CHANNEL_STATE CS_EXCHANGE_MEDIA',
    ]);
    await stopSetup(t);
  });

  it('each leg joining or leaving a group sends its presence (PRESENCE_IN, proto pickup)', async () => {
    const t = await start();
    await dial(t, A, pickupLeg(P, 'grp'));
    await dial(t, A2, pickupLeg(P2, 'grp'));
    await pick(t, 'grp');
    await t.sw.api(`uuid_kill ${A2}`);
    await t.settle();
    const presence = t.sub
      .take()
      .filter((e) => e.type === 'PRESENCE_IN')
      .map((e) =>
        ['login', 'force-status', 'rpid', 'unique-id', 'channel-state', 'answer-state', 'event_count'].map((h) => e.getHeader(h)).join(' '),
      );
    expect(presence).toEqual([
      'grp@freeswitch.local Active (1 call) active grp CS_ROUTING confirmed 0',
      'grp@freeswitch.local Active (2 calls) active grp CS_ROUTING confirmed 1',
      'grp@freeswitch.local Active (1 call) active grp CS_ROUTING confirmed 2',
      'grp@freeswitch.local Idle unknown grp@freeswitch.local CS_HANGUP terminated 3',
    ]);
    await stopSetup(t);
  });

  it('an empty group: nothing happens, nothing is logged, the dialplan goes on; no key: the usage', async () => {
    const t = await start();
    await dial(t, A, pickupLeg(P, 'grp'));
    expect(await t.sw.originate(`{origination_uuid=${C}}null/3 none XML default`)).toBe(`+OK ${C}\n`);
    await t.sw.originate('null/4 usage XML default');
    await t.settle();
    expect(await getvar(t, C, 'after')).toBe('1');
    const from = t.logs.findIndex((l) => l.includes('pickup(nosuch)'));
    expect(
      t.logs.slice(
        from + 1,
        t.logs.findIndex((l) => l.includes('set(after=1)')),
      ),
    ).toEqual([]);
    expect(t.logs).toContain('WARNING Missing data.  Usage: pickup [<key>]');
    expect(t.sw.core.sessions.has(P)).toBe(true);
    await stopSetup(t);
  });

  it('only pickup legs left (the others hung up): the originate ends, they hang up NO_PICKUP', async () => {
    const t = await start();
    await dial(t, A, `${ringing(R)},${pickupLeg(P, 'grp')}`);
    t.sub.take();
    await t.sw.api(`uuid_kill ${R} USER_BUSY`);
    await t.settle();
    // the originate fails with its first leg's cause, and the caller hangs up with it
    const events = t.sub.take();
    expect(hangups(events)).toEqual(['R USER_BUSY', 'P NO_PICKUP', 'A USER_BUSY']);
    const a = events.find((e) => e.type === 'CHANNEL_HANGUP' && who(e) === 'A');
    expect(a?.getHeader('variable_originate_causes')).toBe(`ARRAY::${R};USER_BUSY|:${P};NO_PICKUP`);
    await stopSetup(t);
  });

  it('a leg that wins after a pickup leg hangs it up NO_PICKUP; one before it does not (LOSE_RACE)', async () => {
    const t = await start();
    const answering = (uuid: string) => `[origination_uuid=${uuid},null_auto_answer_delay=1000]null/2`;
    await dial(t, A, `${pickupLeg(P, 'grp')},${answering(R)}`);
    await dial(t, A2, `${answering(R2)},${pickupLeg(P2, 'grp')}`);
    t.sub.take();
    await t.clock.advance(1000);
    await t.settle();
    expect(hangups(t.sub.take()).sort()).toEqual(['P NO_PICKUP', 'P2 LOSE_RACE']);
    expect([await getvar(t, A, 'signal_bond'), await getvar(t, A2, 'signal_bond')]).toEqual([R, R2]);
    await stopSetup(t);
  });

  it('a parked call picks up through sendmsg execute (an Erlang client’s way): it leaves park and is bridged', async () => {
    const t = await start();
    await dial(t, A, pickupLeg(P, 'grp'));
    expect(await t.sw.originate(`{origination_uuid=${C}}null/3 &park()`)).toBe(`+OK ${C}\n`);
    await t.settle();
    t.sub.take();
    const execute: [string, string][] = [
      ['call-command', 'execute'],
      ['execute-app-name', 'pickup'],
      ['execute-app-arg', 'grp'],
    ];
    expect(await t.sw.sendmsg(C, execute)).toBe('ok');
    await t.settle();
    const events = t.sub.take();
    expect(hangups(events)).toEqual(['P PICKED_OFF']);
    expect(
      events.filter((e) => who(e) === 'C' && /CHANNEL_(UNPARK|STATE)/.test(e.type)).map((e) => `${e.type} ${e.getHeader('Channel-State')}`),
    ).toEqual(['CHANNEL_UNPARK CS_EXECUTE', 'CHANNEL_STATE CS_HIBERNATE', 'CHANNEL_STATE CS_EXCHANGE_MEDIA']);
    expect([await getvar(t, A, 'signal_bond'), await getvar(t, C, 'picked_up_uuid')]).toEqual([C, P]);
    await stopSetup(t);
  });

  it('an originate without a caller (the API) to pickup/: it answers +OK with the picker, which runs the originate’s application', async () => {
    const t = await start();
    const reply = t.sw.originate(`{origination_uuid=${P}}pickup/grp &park()`);
    await t.settle();
    await pick(t, 'grp');
    expect(await reply).toBe(`+OK ${C}\n`);
    await t.settle();
    const events = t.sub.take();
    expect(hangups(events)).toEqual(['P PICKED_OFF']);
    expect(events.filter((e) => e.type === 'CHANNEL_PARK').map(who)).toEqual(['C']);
    await stopSetup(t);
  });
});
