/**
 * switch_ivr_session_transfer's bookkeeping: the loop guard (`max_session_transfers`, else
 * `max_forwards`, 70 when unset; EXCHANGE_ROUTING_ERROR at zero), `transfer_history` /
 * `transfer_source` and the new profile's Transfer-Source (DECISIONS #426); uuid_kill's cause.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { setup } from './switch_helpers.ts';

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';

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

  it("transfer_history gains <epoch>:<the new profile's uuid>:bl_xfer:<exten>/<context>/<dialplan>, transfer_source is the last; events carry Caller-Transfer-Source", async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
    await t.settle();
    await t.sw.api(`uuid_transfer ${U1} 1000 XML default`);
    await t.settle();
    await t.sw.api(`uuid_transfer ${U1} 1001`);
    await t.settle();
    const source = await t.sw.api(`uuid_getvar ${U1} transfer_source`);
    // switch_caller_profile_dup gives each profile a uuid_str of its own: not the channel's, new at each transfer
    const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
    expect(source).toMatch(new RegExp(`^\\d+:${UUID}:bl_xfer:1001/default/XML$`));
    const history = await t.sw.api(`uuid_getvar ${U1} transfer_history`);
    const [, first] = new RegExp(`^ARRAY::\\d+:(${UUID}):bl_xfer:1000/default/XML\\|:${source}$`).exec(history) ?? [];
    const second = source.split(':')[1];
    expect([first === undefined, first === U1, second === U1, first === second]).toEqual([false, false, false, false]);
    const dump = await t.sw.api(`uuid_dump ${U1}`);
    expect(dump).toContain(`\nCaller-Transfer-Source: ${source.replaceAll(':', '%3A')}\n`);
    await t.sw.stop();
    await t.rt.stop();
  });

  it("uuid_bridge: each leg keeps original_* of its profile, steps to a new one with a <epoch>:<uuid>:uuid_br:<other> transfer source; the originatee takes the originator's caller id", async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
    await t.sw.originate(`{origination_uuid=${U2}}null/2 &park()`);
    await t.settle();
    const dump = async (uuid: string) => {
      const out = await t.sw.api(`uuid_dump ${uuid}`);
      const header = (name: string) => decodeURIComponent(new RegExp(`\\n${name}: ([^\\n]*)\\n`).exec(out)?.[1] ?? '-');
      return ['Caller-Caller-ID-Name', 'Caller-Caller-ID-Number', 'Caller-Destination-Number', 'Caller-Profile-Index', 'Other-Type'].map(header);
    };
    const [name1, number1, dest1] = await dump(U1);
    const [name2, number2, dest2] = await dump(U2);
    expect([number1, number2]).toEqual(['1', '2']);
    expect(await t.sw.api(`uuid_bridge ${U1} ${U2}`)).toBe(`+OK ${U2}\n`);
    await t.settle();
    const get = (uuid: string, name: string) => t.sw.api(`uuid_getvar ${uuid} ${name}`);
    const originals = async (uuid: string) => [
      await get(uuid, 'original_caller_id_name'),
      await get(uuid, 'original_caller_id_number'),
      await get(uuid, 'original_destination_number'),
    ];
    expect(await originals(U1)).toEqual([name1, number1, dest1]);
    expect(await originals(U2)).toEqual([name2, number2, dest2]);
    expect(await get(U1, 'uuid_bridge')).toBe(U2);
    expect(await get(U2, 'uuid_bridge')).toBe('_undef_');
    const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
    expect(await get(U1, 'transfer_source')).toMatch(new RegExp(`^\\d+:${UUID}:uuid_br:${U2}$`));
    expect(await get(U2, 'transfer_source')).toMatch(new RegExp(`^\\d+:${UUID}:uuid_br:${U1}$`));
    expect(await get(U1, 'transfer_history')).toBe(await get(U1, 'transfer_source'));
    // a new profile each (index 2); the originatee shows the originator's caller id
    expect(await dump(U1)).toEqual([name1, '1', dest1, '2', 'originatee']);
    expect(await dump(U2)).toEqual([name1, '1', dest2, '2', 'originator']);
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
