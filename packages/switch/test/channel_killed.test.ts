/**
 * A channel process killed (no terminate runs): the reaper fires on its behalf what a hangup
 * fires — CHANNEL_HANGUP (CRASH), CHANNEL_HANGUP_COMPLETE, CHANNEL_DESTROY — from its last data
 * (DECISIONS #347), so whatever follows calls by their events sees the call end.
 */
import { kill } from '@beamline/core';
import { describe, expect, it } from 'vitest';
import { bridgedNulls, crashApp, parkedNull, setup, stopSetup } from './switch_helpers.ts';

const END = ['CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY'];

describe('a killed channel process', () => {
  it('its end is fired for it: CHANNEL_HANGUP (CRASH), CHANNEL_HANGUP_COMPLETE, CHANNEL_DESTROY, with its last data', async () => {
    const t = await setup({ timers: false });
    const uuid = await parkedNull(t);
    await t.sw.api(`uuid_setvar ${uuid} mark before_kill`);
    t.sub.take();
    const pid = t.sw.core.sessions.get(uuid);
    expect(pid).toBeDefined();
    if (pid) t.rt.exit(pid, kill);
    await t.settle();
    const ends = t.sub.take().filter((e) => e.getHeader('Unique-ID') === uuid && END.includes(e.type));
    expect(ends.map((e) => e.type)).toEqual(END);
    const [hangup, complete, destroy] = ends;
    expect(hangup?.getHeader('Hangup-Cause')).toBe('CRASH');
    expect(hangup?.getHeader('Channel-State-Number')).toBe('10');
    expect(complete?.getHeader('Hangup-Cause')).toBe('CRASH');
    expect(complete?.getHeader('variable_hangup_cause')).toBe('CRASH');
    expect(complete?.getHeader('variable_hangup_cause_q850')).toBe('16'); // switch_channel_cause_q850: causes above 127 map to NORMAL_CLEARING
    expect(complete?.getHeader('Channel-Call-State')).toBe('HANGUP');
    for (const e of ends) {
      expect(e.getHeader('Channel-Name')).toBe('null/1');
      expect(e.getHeader('variable_mark')).toBe('before_kill');
    }
    expect(destroy?.getHeader('Channel-State-Number')).toBe('12');
    expect(await t.sw.api(`uuid_exists ${uuid}`)).toBe('false');
    expect(await t.sw.api('show channels count')).toMatch(/^0 total/m);
    await stopSetup(t);
  });

  it('a killed bridged leg ends its bridge: CHANNEL_UNBRIDGE on the originator, the partner is told and hung up as after any originator hangup (NORMAL_CLEARING, as uuid_kill of the originator gives it)', async () => {
    const t = await setup({ timers: false });
    const { a, b } = await bridgedNulls(t);
    t.sub.take();
    const pid = t.sw.core.sessions.get(a);
    if (pid) t.rt.exit(pid, kill);
    await t.settle();
    await t.settle();
    const events = t.sub.take();
    const seen = events.map((e) => `${e.type} ${e.getHeader('Unique-ID') === a ? 'a' : 'b'}`);
    const bEnd = events.find((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === b);
    expect(bEnd?.getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');
    expect(seen).toContain('CHANNEL_UNBRIDGE a');
    expect(seen.indexOf('CHANNEL_HANGUP a')).toBeLessThan(seen.indexOf('CHANNEL_UNBRIDGE a'));
    expect(seen).toContain('CHANNEL_DESTROY b');
    expect(await t.sw.api(`uuid_exists ${b}`)).toBe('false');
    await stopSetup(t);
  });
});

describe('a channel process that throws (hung up CRASH in terminate)', () => {
  for (const who of ['a', 'b'] as const)
    it(`ends its bridge too: the partner is told and hangs up, no channel is left (the ${who === 'a' ? 'originator' : 'peer'} throws)`, async () => {
      const t = await setup({ applications: [crashApp] });
      const legs = await bridgedNulls(t);
      const other = who === 'a' ? legs.b : legs.a;
      expect(await t.sw.sendExecute(legs[who], 'crash')).toBe(true);
      await t.settle();
      const events = t.sub.take();
      const hangup = (uuid: string) =>
        events.find((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === uuid)?.getHeader('Hangup-Cause');
      expect([hangup(legs[who]), hangup(other)]).toEqual(['CRASH', 'NORMAL_CLEARING']);
      expect(events.filter((e) => e.type === 'CHANNEL_UNBRIDGE').map((e) => e.getHeader('Unique-ID'))).toEqual([legs.a]);
      expect(await t.sw.api('show channels count')).toBe('\n0 total.\n');
      await stopSetup(t);
    });
});
