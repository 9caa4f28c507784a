/**
 * mod_dptools' att_xfer on null legs: the transferee (B) called the transferor (A) with the bridge
 * application; A runs `att_xfer` as bind_meta_app would (a broadcast, B on hold music) and dials
 * the target (C). A's digits come by uuid_recv_dtmf, as from its phone.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { at, setup, stopSetup } from './switch_helpers.ts';

const B = '11111111-1111-4111-8111-111111111111';
const A = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';
const NAMES: Record<string, string> = { [A]: 'A', [B]: 'B', [C]: 'C' };

async function start() {
  const t = await setup({
    dialplan: staticDialplan({
      default: {
        call: [['answer'], ['set', 'hold_music=silence_stream://-1'], ['bridge', `{origination_uuid=${A}}null/2`]],
      },
    }),
  });
  expect(await t.sw.originate(`{origination_uuid=${B}}null/1 call XML default`)).toBe(`+OK ${B}\n`);
  await t.settle();
  t.sub.take();
  const getvar = async (uuid: string, name: string) => (await t.sw.api(`uuid_getvar ${uuid} ${name}`)).trim();
  /** `att_xfer <dial>` on A as a meta key runs it. */
  const attXfer = async (dial: string) => {
    expect(await t.sw.api(`uuid_broadcast ${A} att_xfer::${dial} aleg`)).toMatch(/^\+OK/);
    await t.settle();
  };
  const press = async (digit: string) => {
    expect(await t.sw.api(`uuid_recv_dtmf ${A} ${digit}`)).toMatch(/^\+OK/);
    await t.settle();
  };
  const bridges = (events: SwitchEvent[], type = 'CHANNEL_BRIDGE') =>
    events
      .filter((e) => e.type === type)
      .map((e) => `${NAMES[e.getHeader('Bridge-A-Unique-ID') ?? ''] ?? '?'}-${NAMES[e.getHeader('Bridge-B-Unique-ID') ?? ''] ?? '?'}`);
  const up = async (uuid: string) => (await t.sw.api(`uuid_exists ${uuid}`)).trim() === 'true';
  return { ...t, getvar, attXfer, press, bridges, up };
}

describe('att_xfer', () => {
  it('the transferor hanging up bridges the transferee to the target', async () => {
    const t = await start();
    await t.attXfer(`{origination_uuid=${C}}null/3`);
    expect(await t.getvar(A, 'soft_holding_uuid')).toBe(B);
    expect(await t.getvar(A, 'bridge_uuid')).toBe(C);
    expect(t.bridges(t.sub.take())).toEqual(['A-C']);
    await t.sw.api(`uuid_kill ${A}`);
    await t.settle();
    const events = t.sub.take();
    console.log(
      events
        .map((e) => `${NAMES[e.getHeader('Unique-ID') ?? '']} ${e.type} ${e.getHeader('Application') ?? ''} ${e.getHeader('Channel-State')}`)
        .join('\n'),
      t.logs.slice(-30).join('\n'),
    );
    expect(t.bridges(events)).toEqual(['C-B']);
    // the inner bridge's end on A, and B's bridge application's bridge to A, which the uuid_bridge ended
    expect(t.bridges(events, 'CHANNEL_UNBRIDGE').sort()).toEqual(['A-C', 'B-A']);
    expect(await t.up(A)).toBe(false);
    expect(await t.up(B)).toBe(true);
    expect(await t.up(C)).toBe(true);
    expect(await t.getvar(C, 'att_xfer_result')).toBe('success');
    expect(await t.getvar(B, 'bridge_uuid')).toBe(C);
    expect(await t.getvar(C, 'bridge_uuid')).toBe(B);
    await stopSetup(t);
  });

  it('the cancel key hangs the target up and bridges the transferor back to the transferee; other digits reach the target', async () => {
    const t = await start();
    await t.sw.api(`uuid_setvar ${A} attxfer_cancel_key 5`);
    await t.attXfer(`{origination_uuid=${C}}null/3`);
    t.sub.take();
    await t.press('#');
    expect(await t.getvar(C, 'null_channel_dtmf_queued')).toBe('#');
    await t.press('5');
    const events = t.sub.take();
    expect(t.bridges(events)).toEqual(['A-B']);
    expect(events.some((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === C)).toBe(true);
    expect(t.logs).toContain('DEBUG null/2 ended call via DTMF');
    expect(await t.up(C)).toBe(false);
    expect(await t.getvar(A, 'att_xfer_result')).toBe('success');
    expect(await t.getvar(A, 'soft_holding_uuid')).toBe('_undef_');
    expect(await t.getvar(A, 'bridge_uuid')).toBe(B);
    expect(await t.getvar(B, 'bridge_uuid')).toBe(A);
    await stopSetup(t);
  });

  it("the hangup key (here the target's attxfer_hangup_key) hangs the transferor up: the transferee joins the target", async () => {
    const t = await start();
    await t.attXfer(`{origination_uuid=${C},attxfer_hangup_key=9}null/3`);
    t.sub.take();
    await t.press('*');
    expect(await t.getvar(C, 'null_channel_dtmf_queued')).toBe('*');
    await t.press('9');
    expect(t.bridges(t.sub.take())).toEqual(['C-B']);
    expect(await t.up(A)).toBe(false);
    expect(await t.getvar(B, 'bridge_uuid')).toBe(C);
    await stopSetup(t);
  });

  it('a target that does not answer leaves the transferor with the transferee, still bridged', async () => {
    const t = await start();
    await t.attXfer(`{origination_uuid=${C},originate_timeout=2,null_enable_auto_answer=false}null/3`);
    expect(await t.up(C)).toBe(true);
    await at(t, 3000);
    const events = t.sub.take();
    expect(await t.up(C)).toBe(false);
    expect(
      events.filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Unique-ID') === A).map((e) => e.getHeader('Application')),
    ).toEqual(['att_xfer']);
    expect(await t.getvar(A, 'signal_bond')).toBe(B);
    expect(await t.getvar(A, 'soft_holding_uuid')).toBe('_undef_');
    expect(await t.getvar(A, 'bridge_uuid')).toBe(B);
    expect(await t.up(A)).toBe(true);
    expect(await t.up(B)).toBe(true);
    // the bridge A–B goes on: A's digits reach B
    await t.press('7');
    expect(await t.getvar(B, 'null_channel_dtmf_queued')).toBe('7');
    await stopSetup(t);
  });

  it('an empty dial string fails at once: the transferor stays with the transferee', async () => {
    const t = await start();
    expect(await t.sw.api(`uuid_broadcast ${A} att_xfer:: aleg`)).toMatch(/^\+OK/);
    await t.settle();
    const events = t.sub.take();
    expect(
      events.filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Unique-ID') === A).map((e) => e.getHeader('Application')),
    ).toEqual(['att_xfer']);
    expect(await t.getvar(A, 'bridge_uuid')).toBe(B);
    expect(await t.up(A)).toBe(true);
    await stopSetup(t);
  });

  it('a uuid_bridge taking the transferor back during the consultation ends the inner bridge and keeps the new one', async () => {
    const t = await start();
    await t.attXfer(`{origination_uuid=${C}}null/3`);
    t.sub.take();
    expect(await t.sw.api(`uuid_bridge ${A} ${B}`)).toBe(`+OK ${B}\n`);
    await t.settle();
    expect(t.bridges(t.sub.take(), 'CHANNEL_UNBRIDGE')).toEqual(['A-C']);
    expect(await t.getvar(A, 'bridge_uuid')).toBe(B);
    await t.press('4');
    expect(await t.getvar(B, 'null_channel_dtmf_queued')).toBe('4');
    expect(await t.getvar(C, 'null_channel_dtmf_queued')).toBe('_undef_');
    await stopSetup(t);
  });

  it('the conference key gives the target three_way on the transferor, back with the transferee; the transferor leaving joins them', async () => {
    const t = await start();
    await t.attXfer(`{origination_uuid=${C}}null/3`);
    t.sub.take();
    await t.press('0');
    let events = t.sub.take();
    expect(t.bridges(events)).toEqual(['A-B']);
    const three = events
      .filter((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Unique-ID') === C)
      .map((e) => `${e.getHeader('Application')} ${e.getHeader('Application-Data')}`);
    expect(three).toEqual([`three_way ${A}`]);
    expect(await t.getvar(A, 'xfer_uuids')).toBe(`${C} ${B}`);
    expect(await t.getvar(B, 'xfer_uuids')).toBe(`${C} ${A}`);
    await t.sw.api(`uuid_kill ${A}`);
    await t.settle();
    events = t.sub.take();
    expect(t.bridges(events)).toEqual(['C-B']);
    expect(t.logs.some((l) => l.startsWith(`DEBUG \nHangup Command uuid_bridge(${C} ${B}):\n+OK`))).toBe(true);
    expect(await t.up(B)).toBe(true);
    expect(await t.up(C)).toBe(true);
    await stopSetup(t);
  });
});

describe('presence', () => {
  it('fires PRESENCE_IN with the given id, rpid and status after the channel data', async () => {
    const t = await setup({
      dialplan: staticDialplan({ default: { p: [['answer'], ['presence', 'busy On_the_phone 1001@example.com'], ['presence', 'away'], ['park']] } }),
    });
    expect(await t.sw.originate(`{origination_uuid=${A}}null/1 p XML default`)).toBe(`+OK ${A}\n`);
    await t.settle();
    const [e, ...more] = t.sub.take().filter((x) => x.type === 'PRESENCE_IN');
    expect(more).toHaveLength(0);
    expect(t.logs).toContain('ERR INVALID ARGS!');
    const names = e?.headers.map((h) => h.name) ?? [];
    const tail = names.slice(names.indexOf('proto'));
    expect(tail).toEqual([
      'proto',
      'login',
      'from',
      'rpid',
      'status',
      'event_type',
      'alt_event_type',
      'presence-call-info-state',
      'presence-call-direction',
      'event_count',
      'Presence-Calling-File',
      'Presence-Calling-Function',
      'Presence-Calling-Line',
    ]);
    expect(names.indexOf('Unique-ID')).toBeLessThan(names.indexOf('proto'));
    const h = (n: string) => e?.getHeader(n);
    expect([h('proto'), h('login'), h('from'), h('rpid'), h('status'), h('presence-call-info-state')]).toEqual([
      'any',
      'src/switch_channel.c',
      '1001@example.com',
      'busy',
      'On_the_phone',
      'active',
    ]);
    expect([h('Presence-Calling-File'), h('Presence-Calling-Function'), h('Presence-Calling-Line')]).toEqual([
      'src/mod/applications/mod_dptools/mod_dptools.c',
      'presence_function',
      '1462',
    ]);
    await stopSetup(t);
  });

  it('without an id uses presence_id; with neither nothing is fired', async () => {
    const t = await setup({
      dialplan: staticDialplan({
        default: { p: [['presence', 'unknown Ringing'], ['set', 'presence_id=2002@example.com'], ['presence', 'unknown Ringing'], ['park']] },
      }),
    });
    await t.sw.originate(`{origination_uuid=${A}}null/1 p XML default`);
    await t.settle();
    const fired = t.sub.take().filter((x) => x.type === 'PRESENCE_IN');
    expect(fired.map((x) => x.getHeader('from'))).toEqual(['2002@example.com']);
    await stopSetup(t);
  });
});
