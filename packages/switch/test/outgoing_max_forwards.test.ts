/**
 * switch_core_session_outgoing_channel's loop guard: a leg dialled for a session gets the
 * caller's `max_forwards` less one (70 when the caller has none); at zero the leg is refused with
 * EXCHANGE_ROUTING_ERROR. An originate without a caller sets nothing.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { setup, stopSetup as stop } from './switch_helpers.ts';

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';

async function start() {
  return setup({
    dialplan: staticDialplan({
      default: {
        '1000': [['bridge', `{origination_uuid=${U2}}null/peer`], ['set', 'after=${originate_disposition}'], ['park']],
      },
    }),
  });
}

describe('max_forwards on an outbound leg (switch_core_session_outgoing_channel)', () => {
  it("the bridged leg gets the caller's max_forwards less one; 70 when the caller has none", async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${U1},max_forwards=5}null/1 1000`);
    await t.settle();
    // the originate's transfer into 1000 counted the caller down to 4 first
    expect(await t.sw.api(`uuid_getvar ${U1} max_forwards`)).toBe('4');
    expect(await t.sw.api(`uuid_getvar ${U2} max_forwards`)).toBe('3');
    await t.sw.api('hupall');
    await t.settle();
    await t.sw.originate(`{origination_uuid=${U1}}null/1 &bridge({origination_uuid=${U2}}null/peer)`);
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${U2} max_forwards`)).toBe('70');
    await stop(t);
  });

  it('at max_forwards=1 the leg is refused with EXCHANGE_ROUTING_ERROR; a dial-string value does not win', async () => {
    const t = await start();
    t.sub.take();
    await t.sw.originate(`{origination_uuid=${U1},max_forwards=1}null/1 &bridge({origination_uuid=${U2}}null/peer)`);
    await t.settle();
    const hangup = t.sub.take().find((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === U1);
    expect(hangup?.getHeader('variable_originate_disposition')).toBe('EXCHANGE_ROUTING_ERROR');
    expect(await t.sw.api(`uuid_exists ${U2}`)).toBe('false');
    await t.sw.api('hupall');
    await t.settle();
    await t.sw.originate(`{origination_uuid=${U1},max_forwards=9}null/1 &bridge({origination_uuid=${U2},max_forwards=50}null/peer)`);
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${U2} max_forwards`)).toBe('8');
    // an originate API call has no session: nothing is counted
    expect(await t.sw.api(`uuid_getvar ${U1} max_forwards`)).toBe('9');
    await stop(t);
  });
});
