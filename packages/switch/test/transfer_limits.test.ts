/**
 * switch_ivr_session_transfer's bookkeeping: the loop guard (`max_session_transfers`, else
 * `max_forwards`, 70 when unset; EXCHANGE_ROUTING_ERROR at zero), `transfer_history` /
 * `transfer_source` and the new profile's Transfer-Source (DECISIONS #426); uuid_kill's cause.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { setup } from './switch_helpers.ts';

const U1 = '11111111-1111-4111-8111-111111111111';

async function start() {
  return setup({
    dialplan: staticDialplan({
      default: {
        '1000': [['park']],
        '1001': [['park']],
        // a dialplan that transfers to itself: only the loop guard ends it
        '7000': [['transfer', '7000']],
      },
    }),
  });
}

describe('transfer bookkeeping (switch_ivr_session_transfer)', () => {
  it('max_forwards counts down; at 1 a transfer hangs up EXCHANGE_ROUTING_ERROR instead', async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${U1},max_forwards=3}null/1 &park()`);
    await t.settle();
    expect(await t.sw.api(`uuid_transfer ${U1} 1000`)).toBe('+OK\n');
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${U1} max_forwards`)).toBe('2');
    expect(await t.sw.api(`uuid_transfer ${U1} 1000`)).toBe('+OK\n');
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${U1} max_forwards`)).toBe('1');
    t.sub.take();
    await t.sw.api(`uuid_transfer ${U1} 1000`);
    await t.settle();
    const hangup = t.sub.take().find((e) => e.type === 'CHANNEL_HANGUP');
    expect(hangup?.getHeader('Hangup-Cause')).toBe('EXCHANGE_ROUTING_ERROR');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('max_session_transfers wins over max_forwards; with neither, a transfer sets max_forwards to 70', async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${U1},max_session_transfers=5,max_forwards=1}null/1 &park()`);
    await t.settle();
    await t.sw.api(`uuid_transfer ${U1} 1000`);
    await t.settle();
    expect([await t.sw.api(`uuid_getvar ${U1} max_session_transfers`), await t.sw.api(`uuid_getvar ${U1} max_forwards`)]).toEqual(['4', '1']);
    await t.sw.api(`uuid_kill ${U1}`);
    await t.settle();
    await t.sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
    await t.settle();
    await t.sw.api(`uuid_transfer ${U1} 1000`);
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${U1} max_forwards`)).toBe('70');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a dialplan that transfers to itself ends after 70 transfers with EXCHANGE_ROUTING_ERROR', async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${U1}}null/1 7000`);
    await t.settle();
    const events = t.sub.take();
    const hangup = events.find((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === U1);
    expect(hangup?.getHeader('Hangup-Cause')).toBe('EXCHANGE_ROUTING_ERROR');
    // the originate's own transfer to 7000 sets 70, then 69 by the dialplan count it down to 1;
    // the 70th run of the transfer application is refused
    const runs = events.filter((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'transfer' && e.getHeader('Unique-ID') === U1);
    expect(runs).toHaveLength(70);
    expect(hangup?.getHeader('variable_max_forwards')).toBe('1');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('transfer_history gains <epoch>:<uuid>:bl_xfer:<exten>/<context>/<dialplan>, transfer_source is the last; events carry Caller-Transfer-Source', async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
    await t.settle();
    await t.sw.api(`uuid_transfer ${U1} 1000 XML default`);
    await t.settle();
    await t.sw.api(`uuid_transfer ${U1} 1001`);
    await t.settle();
    const source = await t.sw.api(`uuid_getvar ${U1} transfer_source`);
    expect(source).toMatch(new RegExp(`^\\d+:${U1}:bl_xfer:1001/default/XML$`));
    const history = await t.sw.api(`uuid_getvar ${U1} transfer_history`);
    expect(history).toMatch(new RegExp(`^ARRAY::\\d+:${U1}:bl_xfer:1000/default/XML\\|:${source}$`));
    const dump = await t.sw.api(`uuid_dump ${U1}`);
    expect(dump).toContain(`\nCaller-Transfer-Source: ${source.replaceAll(':', '%3A')}\n`);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('uuid_kill: the cause is everything after the first space, as kill_function reads it', async () => {
    const t = await start();
    const causes: string[] = [];
    for (const arg of ['USER_BUSY', 'user_busy', 'USER_BUSY extra', ' USER_BUSY', '17']) {
      await t.sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
      await t.settle();
      t.sub.take();
      expect(await t.sw.api(`uuid_kill ${U1} ${arg}`)).toBe('+OK\n');
      await t.settle();
      causes.push(
        t.sub
          .take()
          .find((e) => e.type === 'CHANNEL_HANGUP')
          ?.getHeader('Hangup-Cause') ?? 'none',
      );
    }
    expect(causes).toEqual(['USER_BUSY', 'USER_BUSY', 'NORMAL_CLEARING', 'NORMAL_CLEARING', 'USER_BUSY']);
    await t.sw.stop();
    await t.rt.stop();
  });
});
