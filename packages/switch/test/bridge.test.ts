import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

async function twoLegs() {
  const t = await setup();
  const a = UUID.exec(await t.sw.originate('null/1 &park()'))?.[1] as string;
  const b = UUID.exec(await t.sw.originate('null/2 &park()'))?.[1] as string;
  await t.settle();
  t.sub.take();
  const who = (u: string) => (u === a ? 'A' : u === b ? 'B' : '?');
  const trace = () =>
    t.sub
      .take()
      .filter((e) => e.type !== 'API')
      .map(
        (e) =>
          `${who(e.getHeader('Unique-ID') ?? '')} ${e.type}${e.getHeader('Application') ? ` ${e.getHeader('Application')}` : ''}${e.type === 'CHANNEL_STATE' ? ` ${e.getHeader('Channel-State')}` : ''}`,
      );
  return { ...t, a, b, trace };
}

describe('uuid_bridge', () => {
  it('bridges two answered legs: parks end, synthetic CHANNEL_EXECUTE on both, CHANNEL_BRIDGE on A; B hangs up → UNBRIDGE, A back to CS_EXECUTE', async () => {
    const { sw, rt, settle, a, b, trace, sub } = await twoLegs();
    expect(await sw.api(`uuid_bridge ${a} ${b}`)).toBe(`+OK ${b}\n`);
    await settle();
    const t = trace();
    expect(t).toEqual([
      'A CHANNEL_EXECUTE uuid_bridge',
      'A CHANNEL_UNPARK',
      'A CHANNEL_EXECUTE_COMPLETE park',
      'A CHANNEL_STATE CS_EXCHANGE_MEDIA',
      'B CHANNEL_EXECUTE uuid_bridge',
      'B CHANNEL_UNPARK',
      'B CHANNEL_EXECUTE_COMPLETE park',
      'B CHANNEL_STATE CS_EXCHANGE_MEDIA',
      'A CHANNEL_BRIDGE',
    ]);
    expect(await sw.api(`uuid_getvar ${a} signal_bond`)).toBe(b);
    expect(await sw.api(`uuid_getvar ${a} bridge_channel`)).toBe('null/2');
    expect(await sw.api(`uuid_getvar ${b} bridge_channel`)).toBe('null/1');
    expect(await sw.api(`uuid_kill ${b} USER_BUSY`)).toBe('+OK\n');
    await settle();
    const end = trace();
    expect(end.indexOf('A CHANNEL_UNBRIDGE')).toBeGreaterThan(end.indexOf('B CHANNEL_HANGUP'));
    expect(end).toContain('A CHANNEL_STATE CS_EXECUTE');
    // A goes on with its extension after the park it was in: nothing is left, so it hangs up
    // (switch_core_standard_on_execute keeps current_application across the uuid_bridge)
    expect(end.indexOf('A CHANNEL_HANGUP')).toBeGreaterThan(end.indexOf('A CHANNEL_STATE CS_EXECUTE'));
    expect(await sw.api(`uuid_exists ${a}`)).toBe('false');
    void sub;
    await sw.stop();
    await rt.stop();
  });

  it('after the uuid_bridge ends, a leg goes on with the application after the one it was in, not from the first', async () => {
    const t = await setup({ dialplan: staticDialplan({ default: { cont: [['answer'], ['park'], ['set', 'after=1'], ['park']] } }) });
    const a = UUID.exec(await t.sw.originate('null/1 cont XML default'))?.[1] as string;
    const b = UUID.exec(await t.sw.originate('null/2 &park()'))?.[1] as string;
    await t.settle();
    expect(await t.sw.api(`uuid_bridge ${a} ${b}`)).toBe(`+OK ${b}\n`);
    await t.settle();
    expect(await t.sw.api(`uuid_kill ${b}`)).toBe('+OK\n');
    await t.settle();
    expect(await t.sw.api(`uuid_exists ${a}`)).toBe('true');
    expect(await t.sw.api(`uuid_getvar ${a} after`)).toBe('1');
    await t.sw.stop();
    await t.rt.stop();
  });

  it("B takes A's call_uuid while bridged and has its own back when the bridge ends (switch_ivr_multi_threaded_bridge)", async () => {
    const t = await setup({ dialplan: staticDialplan({ default: { away: [['set', 'after=1'], ['park']] } }) });
    const a = UUID.exec(await t.sw.originate('null/1 &park()'))?.[1] as string;
    const b = UUID.exec(await t.sw.originate('null/2 &park()'))?.[1] as string;
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${b} call_uuid`)).toBe(b);
    await t.sw.api(`uuid_bridge ${a} ${b}`);
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${b} call_uuid`)).toBe(a);
    expect(await t.sw.api(`uuid_dump ${b}`)).toContain(`Channel-Call-UUID: ${a}\n`);
    expect(await t.sw.api(`uuid_getvar ${a} call_uuid`)).toBe(a);
    // B transferred away ends the bridge; B lives on in the extension
    await t.sw.api(`uuid_transfer ${b} away XML default`);
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${b} after`)).toBe('1');
    expect(await t.sw.api(`uuid_getvar ${b} call_uuid`)).toBe(b);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('last_bridge_role at hangup: originator on the leg that bridged, originatee on the other (switch_channel_perform_hangup)', async () => {
    for (const [killed, role] of [
      ['A', 'originator'],
      ['B', 'originatee'],
    ] as const) {
      const { sw, rt, settle, a, b, sub } = await twoLegs();
      await sw.api(`uuid_bridge ${a} ${b}`);
      await settle();
      sub.take();
      const victim = killed === 'A' ? a : b;
      await sw.api(`uuid_kill ${victim}`);
      await settle();
      const hangups = sub.take().filter((e) => e.type === 'CHANNEL_HANGUP');
      expect(hangups.find((e) => e.getHeader('Unique-ID') === victim)?.getHeader('variable_last_bridge_role')).toBe(role);
      // the other leg hangs up after its bridge ended: no role
      expect(hangups.find((e) => e.getHeader('Unique-ID') !== victim)?.getHeader('variable_last_bridge_role')).toBeUndefined();
      await sw.stop();
      await rt.stop();
    }
  });

  it('each leg shows the other as Other-Leg-*: A (originator) the originatee B, B the originator A', async () => {
    const { sw, rt, settle, a, b, sub } = await twoLegs();
    await sw.api(`uuid_bridge ${a} ${b}`);
    await settle();
    const evs = sub.take();
    const bridge = evs.find((e) => e.type === 'CHANNEL_BRIDGE');
    expect(bridge?.getHeader('Event-Calling-Function')).toBe('switch_ivr_multi_threaded_bridge');
    expect([bridge?.getHeader('Other-Type'), bridge?.getHeader('Other-Leg-Unique-ID'), bridge?.getHeader('Other-Leg-Channel-Name')]).toEqual([
      'originatee',
      b,
      'null/2',
    ]);
    const bState = evs.find(
      (e) => e.type === 'CHANNEL_STATE' && e.getHeader('Unique-ID') === b && e.getHeader('Channel-State') === 'CS_EXCHANGE_MEDIA',
    );
    expect([bState?.getHeader('Other-Type'), bState?.getHeader('Other-Leg-Unique-ID')]).toEqual(['originator', a]);
    // the other leg's times as they were when its profile was copied (switch_caller_profile_dup's old_times)
    const aCreated = bridge?.getHeader('Caller-Channel-Created-Time');
    expect(Number(aCreated)).toBeGreaterThan(0);
    expect(bState?.getHeader('Other-Leg-Channel-Created-Time')).toBe(aCreated);
    expect(bState?.getHeader('Other-Leg-Channel-Answered-Time')).toBe(bridge?.getHeader('Caller-Channel-Answered-Time'));
    await sw.stop();
    await rt.stop();
  });

  it('A hangs up → B, left alone in CS_EXCHANGE_MEDIA, hangs up NORMAL_CLEARING (audio_bridge_on_exchange_media)', async () => {
    const { sw, rt, settle, a, b, sub } = await twoLegs();
    await sw.api(`uuid_bridge ${a} ${b}`);
    await settle();
    sub.take();
    await sw.api(`uuid_kill ${a} CALL_REJECTED`);
    await settle();
    const evs = sub.take();
    const unbridge = evs.findIndex((e) => e.type === 'CHANNEL_UNBRIDGE');
    expect(evs[unbridge]?.getHeader('Bridge-A-Unique-ID')).toBe(a);
    expect(evs[unbridge]?.getHeader('Bridge-B-Unique-ID')).toBe(b);
    const bHangup = evs.find((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === b);
    expect(bHangup?.getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');
    expect(bHangup?.getHeader('Channel-State')).toBe('CS_EXCHANGE_MEDIA');
    expect(await sw.api(`uuid_exists ${b}`)).toBe('false');
    await sw.stop();
    await rt.stop();
  });

  it('hangup_after_bridge=true on A: B hanging up hangs A up with the cause of B', async () => {
    const { sw, rt, settle, a, b } = await twoLegs();
    await sw.api(`uuid_setvar ${a} hangup_after_bridge true`);
    await sw.api(`uuid_bridge ${a} ${b}`);
    await settle();
    await sw.api(`uuid_kill ${b} USER_BUSY`);
    await settle();
    expect(await sw.api(`uuid_exists ${a}`)).toBe('false');
    await sw.stop();
    await rt.stop();
  });

  it('errors: usage, unknown uuids, fallback', async () => {
    const { sw, rt, a, b } = await twoLegs();
    expect(await sw.api('uuid_bridge')).toBe('-USAGE: <uuid> <other_uuid>\n');
    expect(await sw.api(`uuid_bridge ${a}`)).toBe('-USAGE: <uuid> <other_uuid>\n');
    expect(await sw.api(`uuid_bridge ${a} nope`)).toBe('-ERR Invalid uuid\n');
    expect(await sw.api(`uuid_bridge nope ${b}`)).toBe('-ERR Invalid uuid\n');
    expect(await sw.api(`uuid_bridge ${a} nope ${b}`)).toBe(`+OK ${b}\n`);
    await sw.stop();
    await rt.stop();
  });
});
