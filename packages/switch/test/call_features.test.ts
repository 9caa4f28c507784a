/**
 * mod_dptools' send_dtmf, hold, unhold and soft_hold on null legs (a null leg keeps the digits sent
 * to it in `null_channel_dtmf_queued`) and on a bridged pair.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { at, bridgedNulls, setup } from './switch_helpers.ts';

const A = '11111111-1111-4111-8111-111111111111';

const getvar = (t: Awaited<ReturnType<typeof setup>>, uuid: string, name: string) => t.sw.api(`uuid_getvar ${uuid} ${name}`);

describe('send_dtmf', () => {
  it('sends each digit to the endpoint, pauses 0.5 s at w, counts last_dtmf_duration per group, then completes', async () => {
    const t = await setup({ dialplan: staticDialplan({ default: { dtmf: [['send_dtmf', '12w3@100+4'], ['park']] } }) });
    expect(await t.sw.originate(`{origination_uuid=${A}}null/1 dtmf XML default`)).toBe(`+OK ${A}\n`);
    await t.settle();
    expect(await getvar(t, A, 'null_channel_dtmf_queued')).toBe('12');
    expect(await getvar(t, A, 'last_dtmf_duration')).toBe('_undef_');
    await at(t, 400);
    expect(await getvar(t, A, 'null_channel_dtmf_queued')).toBe('12');
    await at(t, 600);
    expect(await getvar(t, A, 'null_channel_dtmf_queued')).toBe('1234');
    // 4 × (100 ms + 250 ms) for the first group, the w included; then 250 + 250 for the 4
    expect(await getvar(t, A, 'last_dtmf_duration')).toBe('1900');
    const done = t.sub.take().filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application') === 'send_dtmf');
    expect(done.map((e) => e.getHeader('Application-Data'))).toEqual(['12w3@100+4']);
    expect(t.logs).toContain('DEBUG null/1 send dtmf\ndigit=3 ms=100 samples=800');
    expect(t.logs).toContain('DEBUG null/1 send dtmf\ndigit=4 ms=250 samples=2000');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('clips an excessive duration with the WARNING; a string over 99 characters is refused; a hangup in a pause ends it', async () => {
    const long = '1'.repeat(100);
    const t = await setup({
      dialplan: staticDialplan({ default: { big: [['send_dtmf', '5@30000'], ['send_dtmf', long], ['send_dtmf', 'W6'], ['park']] } }),
    });
    await t.sw.originate(`{origination_uuid=${A}}null/1 big XML default`);
    await t.settle();
    expect(t.logs).toContain('WARNING null/1 EXCESSIVE DTMF DIGIT [5] LEN [240000]');
    expect(t.logs).toContain('ERR Attempt to send very large dtmf string ignored!');
    expect(await getvar(t, A, 'last_dtmf_duration')).toBe(String((192000 + 2000) / 8));
    await t.sw.api(`uuid_kill ${A}`);
    await at(t, 2000);
    const events = t.sub.take();
    const completes = events.filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE').map((e) => e.getHeader('Application'));
    expect(completes).toEqual(['send_dtmf', 'send_dtmf', 'send_dtmf']);
    expect(events.some((e) => e.type === 'CHANNEL_DESTROY')).toBe(true);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('hold, unhold, soft_hold', () => {
  const playbacks = (events: SwitchEvent[], uuid: string) =>
    events
      .filter((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Unique-ID') === uuid && e.getHeader('Application') === 'playback')
      .map((e) => e.getHeader('Application-Data'));

  it('hold fires CHANNEL_HOLD and plays hold_music to the partner; a null leg is never HELD, so unhold only warns', async () => {
    const t = await setup();
    const { a, b } = await bridgedNulls(t);
    await t.sw.api(`uuid_setvar ${a} hold_music tone_stream://%(100,100,440)`);
    await t.sw.api(`uuid_broadcast ${a} hold:: aleg`);
    await t.settle();
    let events = t.sub.take();
    expect(events.filter((e) => e.getHeader('Unique-ID') === a && e.type === 'CHANNEL_HOLD')).toHaveLength(1);
    expect(playbacks(events, b)).toEqual(['tone_stream://%(100,100,440)']);
    await t.sw.api(`uuid_broadcast ${a} unhold:: aleg`);
    await t.settle();
    events = t.sub.take();
    // switch_ivr_unhold: not HELD (null legs never are), so it warns and changes nothing
    expect(t.logs).toContain('WARNING Call is not on hold. No need to unhold.');
    expect(events.filter((e) => e.type === 'CHANNEL_UNHOLD')).toHaveLength(0);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('soft_hold: the partner hears its hold music in a loop until the unhold key; other digits are dropped', async () => {
    const t = await setup();
    const { a, b } = await bridgedNulls(t);
    await t.sw.api(`uuid_setvar ${b} hold_music silence_stream://-1`);
    await t.sw.api(`uuid_broadcast ${a} soft_hold::5 aleg`);
    await t.settle();
    let events = t.sub.take();
    expect(playbacks(events, b)).toEqual(['silence_stream://-1']);
    await t.sw.api(`uuid_recv_dtmf ${a} 4`);
    await t.settle();
    expect(t.sub.take().some((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application') === 'soft_hold')).toBe(false);
    // the 4 went to soft_hold, not on to the partner
    expect(await getvar(t, b, 'null_channel_dtmf_queued')).toBe('_undef_');
    await t.sw.api(`uuid_recv_dtmf ${a} 5`);
    await t.settle();
    events = t.sub.take();
    expect(
      events
        .filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE')
        .map((e) => `${e.getHeader('Unique-ID') === a ? 'A' : 'B'} ${e.getHeader('Application')}`),
    ).toEqual(['A soft_hold', 'B playback']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('soft_hold without a bridge warns; without a key it logs the usage', async () => {
    const t = await setup({ dialplan: staticDialplan({ default: { sh: [['soft_hold', '1'], ['soft_hold', ''], ['park']] } }) });
    await t.sw.originate(`{origination_uuid=${A}}null/1 sh XML default`);
    await t.settle();
    expect(t.logs).toContain('WARNING Channel null/1 is not in a bridge');
    expect(t.logs).toContain('ERR Usage: <unhold key> [<moh_a>] [<moh_b>]');
    await t.sw.stop();
    await t.rt.stop();
  });
});
