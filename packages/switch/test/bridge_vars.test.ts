/**
 * What a bridge carries across and leaves behind, where mod_dptools and switch_ivr decide (an audit
 * of calls through the dialplan against the C): switch_channel_process_export (export_vars and the
 * `nolocal:` names), switch_ivr_originate's originated_legs / originating_leg_uuid,
 * `hangup_after_bridge=explicit`, base_set's `<name>,<value>`, multiset's switch_split, and
 * `presence` run inline.
 */
import { describe, expect, it } from 'vitest';
import { parseXml } from '../src/config/xml.ts';
import { staticDialplan, xmlDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { type Setup, bridgedNulls, setup, stopSetup as stop } from './switch_helpers.ts';

type Plan = Record<string, [string, string?][]>;

async function start(plan: Plan): Promise<Setup> {
  return setup({ dialplan: staticDialplan({ default: plan }) });
}

async function call(t: Setup, dest: string): Promise<string> {
  const uuid = /^\+OK ([0-9a-f-]{36})\n$/.exec(await t.sw.originate(`null/caller ${dest}`))?.[1];
  if (uuid === undefined) throw new Error('originate failed');
  await t.settle();
  return uuid;
}

const peerOf = (events: SwitchEvent[]) => events.find((e) => e.type === 'CHANNEL_CREATE' && e.getHeader('Channel-Name') === 'null/peer');

describe('a bridge and its variables', () => {
  it('exports reach the B-leg with export_vars, a nolocal: / _nolocal_ name without its prefix; the legs name each other (originated_legs, originating_leg_uuid)', async () => {
    const t = await start({
      exp: [
        ['export', 'x_a=1'],
        ['export', 'nolocal:x_b=2'],
        ['export', '_nolocal_x_c=3'],
        ['bridge', '{callee_id_name=Bob,callee_id_number=2002}null/peer'],
      ],
    });
    t.sub.take();
    const a = await call(t, 'exp');
    const b = peerOf(t.sub.take())?.getHeader('Unique-ID') as string;
    expect(b).toBeDefined();
    const get = (uuid: string, name: string) => t.sw.api(`uuid_getvar ${uuid} ${name}`);
    expect([await get(b, 'x_a'), await get(b, 'x_b'), await get(b, 'x_c')]).toEqual(['1', '2', '3']);
    expect([await get(b, 'nolocal:x_b'), await get(b, '_nolocal_x_c')]).toEqual(['_undef_', '_undef_']);
    expect(await get(b, 'export_vars')).toBe('x_a,nolocal:x_b,_nolocal_x_c');
    // the A-leg keeps the names as exported
    expect([await get(a, 'x_a'), await get(a, 'nolocal:x_b'), await get(a, 'x_b')]).toEqual(['1', '2', '_undef_']);
    expect(await get(b, 'originating_leg_uuid')).toBe(a);
    expect(await get(a, 'originated_legs')).toBe(`${b};Bob;2002`);
    await stop(t);
  });

  it("hangup_after_bridge=explicit hangs the caller up with the peer's cause after the bridge, before the rest of its extension; its UNBRIDGE has bridge_hangup_cause and no bridge_to", async () => {
    const t = await start({
      explicit: [['set', 'hangup_after_bridge=explicit'], ['bridge', 'null/peer'], ['set', 'after=1'], ['park']],
      plain: [['bridge', 'null/peer'], ['set', 'after=1'], ['park']],
    });
    t.sub.take();
    const a = await call(t, 'explicit');
    const b = peerOf(t.sub.take())?.getHeader('Unique-ID') as string;
    expect(await t.sw.api(`uuid_kill ${b} USER_BUSY`)).toBe('+OK\n');
    await t.settle();
    const events = t.sub.take();
    const hangup = events.find((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === a);
    expect(hangup?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    // the caller's UNBRIDGE: bridge_to already cleared, bridge_hangup_cause already set
    const unbridge = events.find((e) => e.type === 'CHANNEL_UNBRIDGE' && e.getHeader('Unique-ID') === a);
    expect([unbridge?.getHeader('variable_bridge_to'), unbridge?.getHeader('variable_bridge_hangup_cause')]).toEqual([undefined, 'USER_BUSY']);
    expect(hangup?.getHeader('variable_after')).toBeUndefined();
    // without it, the caller goes on
    const a2 = await call(t, 'plain');
    const b2 = peerOf(t.sub.take())?.getHeader('Unique-ID') as string;
    await t.sw.api(`uuid_kill ${b2} USER_BUSY`);
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${a2} after`)).toBe('1');
    await stop(t);
  });

  it('hupall hangs up both legs of a bridge with its cause (switch_core_session_hupall marks every session before any acts)', async () => {
    const t = await start({ pair: [['bridge', 'null/peer']] });
    t.sub.take();
    const a = await call(t, 'pair');
    const b = peerOf(t.sub.take())?.getHeader('Unique-ID') as string;
    expect(await t.sw.api('hupall')).toBe('+OK hangup all channels with cause MANAGER_REQUEST\n');
    await t.settle();
    const causes = t.sub
      .take()
      .filter((e) => e.type === 'CHANNEL_HANGUP')
      .map((e) => [e.getHeader('Unique-ID'), e.getHeader('Hangup-Cause')]);
    expect(causes).toEqual(
      expect.arrayContaining([
        [a, 'MANAGER_REQUEST'],
        [b, 'MANAGER_REQUEST'],
      ]),
    );
    expect(causes).toHaveLength(2);
    await stop(t);
  });

  it("a bridged caller killed from outside waits for its peer: the peer hangs up NORMAL_CLEARING before the caller's UNBRIDGE; each leg's causes cross (switch_ivr_multi_threaded_bridge, switch_channel_perform_hangup)", async () => {
    const t = await start({ pair: [['bridge', 'null/peer'], ['set', 'after=1'], ['park']] });
    t.sub.take();
    const a = await call(t, 'pair');
    const b = peerOf(t.sub.take())?.getHeader('Unique-ID') as string;
    expect(await t.sw.api(`uuid_kill ${a} USER_BUSY`)).toBe('+OK\n');
    await t.settle();
    const events = t.sub.take().filter((e) => e.getHeader('Unique-ID') === a || e.getHeader('Unique-ID') === b);
    const leg = (e: SwitchEvent) => (e.getHeader('Unique-ID') === a ? 'A' : 'B');
    const order = events
      .filter((e) => ['CHANNEL_HANGUP', 'CHANNEL_UNBRIDGE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP_COMPLETE'].includes(e.type))
      .map((e) => `${leg(e)} ${e.type} ${e.getHeader('Hangup-Cause')}`);
    expect(order.slice(0, 4)).toEqual([
      'A CHANNEL_HANGUP USER_BUSY',
      'B CHANNEL_HANGUP NORMAL_CLEARING',
      'A CHANNEL_UNBRIDGE USER_BUSY',
      'A CHANNEL_EXECUTE_COMPLETE USER_BUSY',
    ]);
    expect(order.slice(4).sort()).toEqual(['A CHANNEL_HANGUP_COMPLETE USER_BUSY', 'B CHANNEL_HANGUP_COMPLETE NORMAL_CLEARING']);
    const find = (who: string, type: string) => events.find((e) => leg(e) === who && e.type === type);
    const vars = (e: SwitchEvent | undefined) =>
      ['bridge_to', 'last_bridge_hangup_cause', 'bridge_hangup_cause'].map((n) => e?.getHeader(`variable_${n}`));
    expect(vars(find('A', 'CHANNEL_HANGUP'))).toEqual([b, undefined, undefined]);
    expect(vars(find('A', 'CHANNEL_UNBRIDGE'))).toEqual([undefined, 'NORMAL_CLEARING', 'NORMAL_CLEARING']);
    expect(vars(find('A', 'CHANNEL_HANGUP_COMPLETE'))).toEqual([undefined, 'NORMAL_CLEARING', 'NORMAL_CLEARING']);
    expect(vars(find('B', 'CHANNEL_HANGUP'))).toEqual([undefined, 'USER_BUSY', undefined]);
    expect(vars(find('B', 'CHANNEL_HANGUP_COMPLETE'))).toEqual([undefined, 'USER_BUSY', 'USER_BUSY']);
    expect(find('A', 'CHANNEL_HANGUP_COMPLETE')?.getHeader('variable_after')).toBeUndefined();
    await stop(t);
  });

  for (const how of ['uuid_park', 'uuid_transfer'] as const)
    it(`a bridged caller moved away (${how}) waits for its peer too: the peer hangs up NORMAL_CLEARING before the caller's UNBRIDGE, which has bridge_hangup_cause`, async () => {
      const t = await start({ pair: [['bridge', 'null/peer'], ['park']], elsewhere: [['park']] });
      t.sub.take();
      const a = await call(t, 'pair');
      const b = peerOf(t.sub.take())?.getHeader('Unique-ID') as string;
      expect(await t.sw.api(how === 'uuid_park' ? `uuid_park ${a}` : `uuid_transfer ${a} elsewhere`)).toMatch(/^\+OK/);
      await t.settle();
      const events = t.sub.take().filter((e) => e.getHeader('Unique-ID') === a || e.getHeader('Unique-ID') === b);
      const order = events
        .filter((e) => ['CHANNEL_HANGUP', 'CHANNEL_UNBRIDGE', 'CHANNEL_PARK'].includes(e.type))
        .map((e) => `${e.getHeader('Unique-ID') === a ? 'A' : 'B'} ${e.type}`);
      expect(order).toEqual(['B CHANNEL_HANGUP', 'A CHANNEL_UNBRIDGE', 'A CHANNEL_PARK']);
      const unbridge = events.find((e) => e.type === 'CHANNEL_UNBRIDGE');
      expect([unbridge?.getHeader('variable_bridge_hangup_cause'), unbridge?.getHeader('variable_last_bridge_hangup_cause')]).toEqual([
        'NORMAL_CLEARING',
        'NORMAL_CLEARING',
      ]);
      expect(await t.sw.api(`uuid_exists ${a}`)).toBe('true');
      await stop(t);
    });

  it("uuid_bridge's originator hung up waits for its peer too: the peer's HANGUP comes before the originator's UNBRIDGE, which carries the peer's causes", async () => {
    const t = await setup();
    const { a, b } = await bridgedNulls(t);
    expect(await t.sw.api(`uuid_kill ${a} USER_BUSY`)).toBe('+OK\n');
    await t.settle();
    const events = t.sub.take().filter((e) => e.getHeader('Unique-ID') === a || e.getHeader('Unique-ID') === b);
    const leg = (e: SwitchEvent) => (e.getHeader('Unique-ID') === a ? 'A' : 'B');
    const order = events
      .filter((e) => ['CHANNEL_HANGUP', 'CHANNEL_UNBRIDGE'].includes(e.type))
      .map((e) => `${leg(e)} ${e.type} ${e.getHeader('Hangup-Cause')}`);
    expect(order).toEqual(['A CHANNEL_HANGUP USER_BUSY', 'B CHANNEL_HANGUP NORMAL_CLEARING', 'A CHANNEL_UNBRIDGE USER_BUSY']);
    const unbridge = events.find((e) => e.type === 'CHANNEL_UNBRIDGE');
    expect([unbridge?.getHeader('variable_last_bridge_hangup_cause'), unbridge?.getHeader('variable_bridge_hangup_cause')]).toEqual([
      'NORMAL_CLEARING',
      'NORMAL_CLEARING',
    ]);
    const complete = (who: string) => events.find((e) => leg(e) === who && e.type === 'CHANNEL_HANGUP_COMPLETE');
    expect(complete('A')?.getHeader('variable_last_bridge_hangup_cause')).toBe('NORMAL_CLEARING');
    expect(complete('B')?.getHeader('variable_bridge_hangup_cause')).toBe('USER_BUSY');
    expect(events.filter((e) => e.type === 'CHANNEL_DESTROY')).toHaveLength(2);
    await stop(t);
  });

  it('originated_legs and originate_causes pile up over the bridges of a call; preserve_originated_vars=false clears them as each originate starts (switch_ivr_originate)', async () => {
    const twice: [string, string?][] = [['bridge', 'null/peer'], ['bridge', 'null/peer'], ['park']];
    const t = await start({ keep: twice, clear: [['set', 'preserve_originated_vars=false'], ...twice] });
    const lists = async (dest: string) => {
      t.sub.take();
      const a = await call(t, dest);
      const peers: string[] = [];
      for (let i = 0; i < 2; i++) {
        const b = peerOf(t.sub.take())?.getHeader('Unique-ID') as string;
        peers.push(b);
        await t.sw.api(`uuid_kill ${b}`);
        await t.settle();
      }
      const get = (n: string) => t.sw.api(`uuid_getvar ${a} ${n}`);
      return { peers, legs: await get('originated_legs'), causes: await get('originate_causes') };
    };
    const kept = await lists('keep');
    expect(kept.legs).toBe(`ARRAY::${kept.peers[0]};;|:${kept.peers[1]};;`);
    expect(kept.causes).toBe(`ARRAY::${kept.peers[0]};NONE|:${kept.peers[1]};NONE`);
    const cleared = await lists('clear');
    expect([cleared.legs, cleared.causes]).toEqual([`${cleared.peers[1]};;`, `${cleared.peers[1]};NONE`]);
    await stop(t);
  });

  it('bridge_pre_execute_aleg_app / _bleg_app: each leg runs its application as the bridge starts (switch_ivr_multi_threaded_bridge, audio_bridge_thread); `app::arg` without data', async () => {
    const t = await start({
      pre: [
        ['set', 'bridge_pre_execute_aleg_app=set'],
        ['set', 'bridge_pre_execute_aleg_data=a_ran=yes'],
        ['set', 'bridge_pre_execute_bleg_app=set::b_ran=yes'],
        ['bridge', 'null/peer'],
        ['park'],
      ],
    });
    t.sub.take();
    const a = await call(t, 'pre');
    const events = t.sub.take();
    const b = peerOf(events)?.getHeader('Unique-ID') as string;
    const get = (uuid: string, name: string) => t.sw.api(`uuid_getvar ${uuid} ${name}`);
    expect([await get(a, 'a_ran'), await get(b, 'b_ran'), await get(a, 'b_ran')]).toEqual(['yes', 'yes', '_undef_']);
    expect([await get(a, 'bridge_pre_execute_app'), await get(b, 'bridge_pre_execute_app')]).toEqual(['set', 'set::b_ran=yes']);
    const ran = events.filter((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'set' && e.getHeader('Unique-ID') === b);
    expect(ran.map((e) => e.getHeader('Application-Data'))).toEqual(['b_ran=yes']);
    expect(t.logs).toContain('DEBUG null/peer Bridge execute app set::b_ran=yes((null))');
    await stop(t);
  });

  it('set takes <name>,<value> when there is no =; multiset splits as switch_separate_string (quotes, runs of blanks)', async () => {
    const t = await start({ vars: [['set', 'a,1'], ['set', 'b=2,3'], ['multiset', "c='x y'   d=4 e,5"], ['park']] });
    const uuid = await call(t, 'vars');
    const get = (name: string) => t.sw.api(`uuid_getvar ${uuid} ${name}`);
    expect([await get('a'), await get('b'), await get('c'), await get('d'), await get('e')]).toEqual(['1', '2,3', 'x y', '4', '5']);
    await stop(t);
  });

  it('presence runs inline (SAF_ROUTING_EXEC): its PRESENCE_IN fires during the hunt, before the extension runs', async () => {
    const xml = `<section name="dialplan"><context name="default"><extension name="p"><condition field="destination_number" expression="^pres$">
      <action application="presence" data="busy On-the-phone" inline="true"/><action application="park"/>
    </condition></extension></context></section>`;
    const t = await setup({ dialplan: xmlDialplan(parseXml(xml, 'test.xml')) });
    t.sub.take();
    await t.sw.originate('{presence_id=1000@example.com}null/caller pres');
    await t.settle();
    const events = t.sub.take();
    const presence = events.findIndex((e) => e.type === 'PRESENCE_IN' && e.getHeader('rpid') === 'busy');
    const parked = events.findIndex((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'park');
    expect([presence >= 0, presence < parked]).toEqual([true, true]);
    expect(t.logs).not.toContain('ERR This application cannot be executed inline');
    await stop(t);
  });

  it("bridge_export hands variables across the bridge (check_bridge_export): the caller's list reaches the peer, nolocal: names without the prefix; a value naming a variable is refused but listed", async () => {
    const t = await start({
      bx: [
        ['bridge_export', 'bx_a=1'],
        ['bridge_export', 'nolocal:bx_b=2'],
        ['bridge_export', 'bx_bad=\\${caller_id_name}'],
        ['bridge', 'null/peer'],
      ],
    });
    t.sub.take();
    const a = await call(t, 'bx');
    const b = peerOf(t.sub.take())?.getHeader('Unique-ID') as string;
    expect(b).toBeDefined();
    const get = (uuid: string, name: string) => t.sw.api(`uuid_getvar ${uuid} ${name}`);
    expect([await get(b, 'bx_a'), await get(b, 'bx_b'), await get(b, 'nolocal:bx_b')]).toEqual(['1', '2', '_undef_']);
    expect(await get(b, 'bridge_export_vars')).toBe('bx_a,nolocal:bx_b,bx_bad');
    // not an originate export: export_vars is untouched
    expect(await get(b, 'export_vars')).toBe('_undef_');
    expect([await get(a, 'bx_a'), await get(a, 'nolocal:bx_b'), await get(a, 'bx_bad')]).toEqual(['1', '2', '_undef_']);
    expect(t.logs).toContain('CRIT Invalid data (${bx_bad} contains a variable)');
    await stop(t);
  });

  it("a peer's bridge_export_vars reach the caller first and replace the caller's own list, so the caller's exports stay home (check_bridge_export's order)", async () => {
    const t = await start({
      both: [
        ['bridge_export', 'mine=1'],
        ['bridge', '{bridge_export_vars=theirs,theirs=9}null/peer'],
      ],
    });
    t.sub.take();
    const a = await call(t, 'both');
    const b = peerOf(t.sub.take())?.getHeader('Unique-ID') as string;
    const get = (uuid: string, name: string) => t.sw.api(`uuid_getvar ${uuid} ${name}`);
    expect([await get(a, 'theirs'), await get(a, 'bridge_export_vars')]).toEqual(['9', 'theirs']);
    expect([await get(b, 'mine'), await get(b, 'bridge_export_vars')]).toEqual(['_undef_', 'theirs']);
    await stop(t);
  });

  it('uuid_bridge hands bridge_export_vars across too, from the leg that was bridged to the originator and on', async () => {
    const t = await start({ wait: [['park']], exporter: [['bridge_export', 'ub=7'], ['park']] });
    const a = await call(t, 'exporter');
    const b = await call(t, 'wait');
    expect(await t.sw.api(`uuid_bridge ${b} ${a}`)).toBe(`+OK ${a}\n`);
    await t.settle();
    const get = (uuid: string, name: string) => t.sw.api(`uuid_getvar ${uuid} ${name}`);
    expect([await get(b, 'ub'), await get(b, 'bridge_export_vars')]).toEqual(['7', 'ub']);
    await stop(t);
  });
});
