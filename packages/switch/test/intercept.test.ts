/**
 * intercept (switch_ivr_intercept_session): A dials B, which rings (a null leg that never answers);
 * C runs `intercept` and takes B's place.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { setup } from './switch_helpers.ts';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';

async function start() {
  const t = await setup({
    dialplan: staticDialplan({
      default: {
        icp: [['intercept', A], ['set', 'after=1'], ['park']],
        icp_b: [['intercept', `-bleg ${B}`], ['park']],
        icp_none: [['intercept', 'nosuch'], ['set', 'after=1'], ['park']],
        icp_usage: [['intercept', '-bleg'], ['park']],
        icp_unanswered: [['set', 'intercept_unanswered_only=true'], ['intercept', A], ['set', 'after=1'], ['park']],
      },
    }),
  });
  // A is answered (a null leg), dialling B, which rings
  expect(await t.sw.originate(`{origination_uuid=${A}}null/1 &bridge({origination_uuid=${B},null_enable_auto_answer=false}null/2)`)).toBe(
    `+OK ${A}\n`,
  );
  await t.settle();
  t.sub.take();
  const who = (e: SwitchEvent) => ({ [A]: 'A', [B]: 'B', [C]: 'C' })[e.getHeader('Unique-ID') ?? ''] ?? '?';
  return { ...t, who };
}

describe('intercept', () => {
  for (const [exten, how] of [
    ['icp', '<uuid> of the dialling leg'],
    ['icp_b', '-bleg <uuid> of the ringing leg'],
  ] as const) {
    it(`${how}: the ringing leg is hung up PICKED_OFF, the dialling one fails PICKED_OFF and is bridged to the interceptor`, async () => {
      const t = await start();
      expect(await t.sw.originate(`{origination_uuid=${C}}null/3 ${exten} XML default`)).toBe(`+OK ${C}\n`);
      await t.settle();
      const events = t.sub.take();
      const hangups = events.filter((e) => e.type === 'CHANNEL_HANGUP').map((e) => `${t.who(e)} ${e.getHeader('Hangup-Cause')}`);
      expect(hangups).toEqual(['B PICKED_OFF']);
      expect(t.logs).toContain('INFO Originate Failed.  Cause: PICKED_OFF');
      expect((await t.sw.api(`uuid_getvar ${A} originate_failed_cause`)).trim()).toBe('PICKED_OFF');
      const bridge = events.find((e) => e.type === 'CHANNEL_BRIDGE');
      expect([bridge && t.who(bridge), bridge?.getHeader('Bridge-A-Unique-ID'), bridge?.getHeader('Bridge-B-Unique-ID')]).toEqual(['C', C, A]);
      // A's bridge application ended (its dialling cancelled) and A parked; C's intercept ended with the bridge
      const trail = (leg: string) =>
        events
          .filter((e) => ['CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_PARK', 'CHANNEL_BRIDGE'].includes(e.type) && t.who(e) === leg)
          .map((e) => `${e.type} ${e.getHeader('Application') ?? ''}`.trim());
      expect(trail('A')).toEqual(['CHANNEL_EXECUTE_COMPLETE bridge', 'CHANNEL_PARK']);
      expect(trail('C')).toEqual(['CHANNEL_EXECUTE_COMPLETE intercept', 'CHANNEL_BRIDGE']);
      expect([t.sw.core.media.routeOf(C), t.sw.core.media.routeOf(A)]).toEqual([A, C]);
      expect((await t.sw.api(`uuid_getvar ${A} signal_bond`)).trim()).toBe(C);
      expect((await t.sw.api(`uuid_getvar ${C} after`)).trim()).toBe('_undef_');
      await t.sw.stop();
      await t.rt.stop();
    });
  }

  it('no such channel: DEBUG `no uuid`, the dialplan goes on; -bleg without a uuid: the usage', async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${C}}null/3 icp_none XML default`);
    await t.sw.originate(`null/4 icp_usage XML default`);
    await t.settle();
    expect(t.logs).toContain('DEBUG no uuid nosuch');
    expect(t.logs).toContain('ERR Usage: [-bleg] <uuid>');
    expect((await t.sw.api(`uuid_getvar ${C} after`)).trim()).toBe('1');
    expect(t.sub.take().some((e) => e.type === 'CHANNEL_HANGUP' && t.who(e) === 'B')).toBe(false);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('intercept_unanswered_only: an answered target is left alone', async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${C}}null/3 icp_unanswered XML default`);
    await t.settle();
    expect((await t.sw.api(`uuid_getvar ${C} after`)).trim()).toBe('1');
    expect(t.sub.take().some((e) => e.type === 'CHANNEL_HANGUP')).toBe(false);
    await t.sw.stop();
    await t.rt.stop();
  });
});
