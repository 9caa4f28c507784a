/**
 * bind_meta_app / unbind_meta_app (switch_ivr_bind_dtmf_meta_session). The binding channel is a
 * loopback B half bridged to a null leg (P): digits "dialled" on it are sent to its A half with
 * uuid_send_dtmf (they arrive as from a phone); P's digits (uuid_recv_dtmf) are passed on to it by
 * the bridge, which is the `b` direction.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { at, parkedNull, setup } from './switch_helpers.ts';

const L = '11111111-1111-4111-8111-111111111111';
const P = '22222222-2222-4222-8222-222222222222';

async function start(binds: string[]) {
  const t = await setup({
    dialplan: staticDialplan({
      default: {
        meta: [
          ['answer'],
          ['set', 'hold_music=silence_stream://-1'],
          ...binds.map((b): [string, string] => ['bind_meta_app', b]),
          ['bridge', `{origination_uuid=${P}}null/2`],
        ],
      },
    }),
  });
  expect(await t.sw.originate(`{origination_uuid=${L}}loopback/meta &park()`)).toBe(`+OK ${L}\n`);
  await t.settle();
  const b = (await t.sw.api(`uuid_getvar ${L} other_loopback_leg_uuid`)).trim();
  t.sub.take();
  /** Digits from the B half's far end. */
  const dial = async (digits: string) => {
    expect(await t.sw.api(`uuid_send_dtmf ${L} ${digits}`)).toMatch(/^\+OK/);
    await t.settle();
  };
  /** Digits P's far end sends: the bridge passes them on to the B half. */
  const dialFromPartner = async (digits: string) => {
    expect(await t.sw.api(`uuid_recv_dtmf ${P} ${digits}`)).toMatch(/^\+OK/);
    await t.settle();
  };
  const who = (e: SwitchEvent) => (e.getHeader('Unique-ID') === b ? 'B' : e.getHeader('Unique-ID') === P ? 'P' : 'L');
  /** DTMF events on the B half and the applications started, in order. */
  const trace = () =>
    t.sub
      .take()
      .filter((e) => (e.type === 'DTMF' && who(e) === 'B') || e.type === 'CHANNEL_EXECUTE')
      .map((e) =>
        e.type === 'DTMF'
          ? `${who(e)} DTMF ${e.getHeader('DTMF-Digit')}`
          : `${who(e)} ${e.getHeader('Application')} ${e.getHeader('Application-Data')}`,
      );
  const queuedOnP = async () => (await t.sw.api(`uuid_getvar ${P} null_channel_dtmf_queued`)).trim();
  return { ...t, b, dial, dialFromPartner, trace, queuedOnP };
}

describe('bind_meta_app', () => {
  it('*1 dialled by the channel runs the bound application on it (the partner on hold music meanwhile); both digits are swallowed', async () => {
    const t = await start(['1 a s set::meta_hit=yes']);
    expect(t.logs).toContain('INFO Bound A-Leg: *1 set::meta_hit=yes');
    await t.dial('*1');
    expect(t.trace()).toEqual(['B set meta_hit=yes', 'P playback silence_stream://-1']);
    expect(await t.queuedOnP()).toBe('_undef_');
    expect(t.logs).toContain("DEBUG loopback/meta-b Processing meta digit '1' [set::meta_hit=yes]");
    // an unbound key after the meta key: swallowed too, with the WARNING
    await t.dial('*2');
    expect(t.trace()).toEqual([]);
    expect(t.logs).toContain("WARNING loopback/meta-b Ignoring meta digit '2' not mapped");
    // the meta key twice: the second goes through; a plain digit goes through
    await t.dial('**3');
    expect(t.trace()).toEqual(['B DTMF *', 'B DTMF 3']);
    expect(await t.queuedOnP()).toBe('*3');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('more than 5 s after the meta key the next digit is not taken: ERR Meta digit timeout, and it goes through', async () => {
    const t = await start(['1 a a set::meta_hit=yes']);
    await t.dial('*');
    await at(t, t.clock.now() + 6000);
    await t.dial('1');
    expect(t.logs).toContain('ERR loopback/meta-b Meta digit timeout parsing 1');
    expect(t.trace()).toEqual(['B DTMF 1']);
    expect(await t.queuedOnP()).toBe('1');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('b: the partner dials it; `s` runs it on the partner, `o` on the binding channel; `1` unbinds after one use', async () => {
    const t = await start(['2 b s1 set::same=yes', '3 b o set::opposite=yes']);
    expect(t.logs).toContain('INFO Bound B-Leg: *2 set::same=yes');
    await t.dialFromPartner('*2');
    // hold-bleg on P: P's own hold music (it has none) would go to B
    expect(t.trace()).toEqual(['P set same=yes']);
    expect(t.logs).toContain("DEBUG loopback/meta-b Unbinding meta digit '2'");
    await t.dialFromPartner('*3');
    expect(t.trace()).toEqual(['B set opposite=yes', 'P playback silence_stream://-1']);
    await t.dialFromPartner('*2');
    expect(t.trace()).toEqual([]);
    expect(t.logs).toContain("WARNING loopback/meta-b Ignoring meta digit '2' not mapped");
    // a `b` binding is not dialled from the channel's own side
    await t.dial('*3');
    expect(t.trace()).toEqual(['B DTMF *', 'B DTMF 3']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('bind_meta_key, the usage, a key equal to the meta key; unbind_meta_app of one key and of all', async () => {
    const t = await setup({
      dialplan: staticDialplan({
        default: {
          b: [
            ['bind_meta_app', '1 a'],
            ['set', 'bind_meta_key=5'],
            ['bind_meta_app', '5 a s set::x=1'],
            ['bind_meta_app', '1 ab ab set::x=1'],
            ['unbind_meta_app', '1'],
            ['unbind_meta_app', 'A'],
            ['unbind_meta_app', ''],
            ['park'],
          ],
        },
      }),
    });
    await t.sw.originate(`{origination_uuid=${L}}null/1 b XML default`);
    await t.settle();
    const lines = t.logs.filter((l) => /Bind|Bound|Usage|Invalid|Cannot/.test(l));
    expect(lines).toEqual([
      'ERR Usage: <key> [a|b|ab] [a|b|o|s|i|1] <app>',
      'ERR Invalid key 5, same as META CHAR',
      'ERR Bind Error!',
      'ERR Cannot bind execute to multiple legs',
      'INFO Bound A-Leg: 51 set::x=1',
      'INFO Bound B-Leg: 51 set::x=1',
      'INFO UnBound A-Leg: 1',
      'ERR Invalid key 10',
      'INFO UnBound A-Leg: ALL',
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('after unbind_meta_app the meta key is an ordinary digit again', async () => {
    const t = await start(['1 a s set::meta_hit=yes']);
    await t.sw.api(`uuid_broadcast ${t.b} unbind_meta_app:: aleg`);
    await t.settle();
    t.sub.take();
    await t.dial('*1');
    expect(t.trace()).toEqual(['B DTMF *', 'B DTMF 1']);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('block_dtmf / unblock_dtmf (switch_ivr_block_dtmf_session)', () => {
  it('while blocked, digits from the far end and from the bridged partner are swallowed; unblock_dtmf lets them through again', async () => {
    const t = await start(['1 a s set::meta_hit=yes']);
    const lDigits = () =>
      t.sub
        .take()
        .filter((e) => e.type === 'DTMF' && e.getHeader('Unique-ID') === L)
        .map((e) => e.getHeader('DTMF-Digit'));
    expect(await t.sw.sendExecute(t.b, 'block_dtmf')).toBe(true);
    await t.settle();
    t.trace();
    await t.dial('12');
    expect(t.trace()).toEqual([]);
    expect(await t.queuedOnP()).toBe('_undef_');
    await t.dialFromPartner('3');
    expect(lDigits()).toEqual([]);
    expect(await t.sw.sendExecute(t.b, 'unblock_dtmf')).toBe(true);
    await t.settle();
    t.trace();
    await t.dial('4');
    expect(t.trace()).toEqual(['B DTMF 4']);
    expect(await t.queuedOnP()).toBe('4');
    await t.dialFromPartner('5');
    expect(lDigits()).toEqual(['5']);
    // blocking again works, and twice is the same as once
    expect(await t.sw.sendExecute(t.b, 'block_dtmf')).toBe(true);
    expect(await t.sw.sendExecute(t.b, 'block_dtmf')).toBe(true);
    await t.settle();
    t.trace();
    await t.dial('6');
    expect(t.trace()).toEqual([]);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('sensitive_dtmf (DTMF_FLAG_SENSITIVE)', () => {
  it('a channel with sensitive_dtmf fires no DTMF event and its bridge does not pass the digit on; a reader still gets it', async () => {
    const t = await start([]);
    const dtmf = () =>
      t.sub
        .take()
        .filter((e) => e.type === 'DTMF')
        .map((e) => `${e.getHeader('Unique-ID') === P ? 'P' : e.getHeader('Unique-ID') === L ? 'L' : 'B'} ${e.getHeader('DTMF-Digit')}`);
    await t.dialFromPartner('1');
    expect(dtmf()).toEqual(['P 1', 'L 1']);
    expect(await t.sw.api(`uuid_setvar ${P} sensitive_dtmf true`)).toBe('+OK\n');
    await t.dialFromPartner('2');
    expect(dtmf()).toEqual([]);
    // a reader on the sensitive channel gets the digits, still with no event
    const U = await parkedNull(t, 3);
    await t.sw.api(`uuid_setvar ${U} sensitive_dtmf true`);
    await t.sw.sendExecute(U, 'read', '2 2 silence got 5000 #');
    await t.settle();
    t.sub.take();
    await t.sw.api(`uuid_recv_dtmf ${U} 42`);
    await t.settle();
    expect(dtmf()).toEqual([]);
    expect(await t.sw.api(`uuid_getvar ${U} got`)).toBe('42');
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('uuid_drop_dtmf (CF_DROP_DTMF)', () => {
  it('drops the digits sent to the leg, or sends the masking digits instead; off lets them through; its replies', async () => {
    const t = await start([]);
    const lDigits = () =>
      t.sub
        .take()
        .filter((e) => e.type === 'DTMF' && e.getHeader('Unique-ID') === L)
        .map((e) => e.getHeader('DTMF-Digit'));
    const usage = '-USAGE: <uuid> [on | off ] [ mask_digits <digits> | mask_file <file>]\n';
    expect(await t.sw.api('uuid_drop_dtmf')).toBe(usage);
    expect(await t.sw.api(`uuid_drop_dtmf ${t.b} on`)).toBe(usage);
    expect(await t.sw.api('uuid_drop_dtmf nope on mask_digits 0')).toBe('-ERR No such channel nope!\n');
    expect(await t.sw.api(`uuid_drop_dtmf ${t.b} on mask_tone 0`)).toBe(usage);
    expect(await t.sw.api(`uuid_drop_dtmf ${t.b} on mask_digits 0`)).toBe(`+OK ${t.b} is dropping DTMF. mask_file: NONE mask_digits: 0\n`);
    expect(await t.sw.api(`uuid_getvar ${t.b} drop_dtmf`)).toBe('true');
    t.sub.take();
    // P's digits reach B through the bridge: B's endpoint (the loopback) sends the mask to L instead
    await t.dialFromPartner('5');
    expect(lDigits()).toEqual(['0']);
    expect(await t.sw.api(`uuid_drop_dtmf ${t.b} on mask_file x`)).toBe(`+OK ${t.b} is dropping DTMF. mask_file: x mask_digits: NONE\n`);
    expect(await t.sw.api(`uuid_drop_dtmf ${t.b} on mask_digits ''`)).toMatch(/^\+OK .* is dropping DTMF/);
    expect(await t.sw.api(`uuid_drop_dtmf ${t.b} off mask_digits 1`)).toBe(`+OK ${t.b} is not dropping DTMF. mask_file: NONE mask_digits: 1\n`);
    await t.dialFromPartner('6');
    expect(lDigits()).toEqual(['6']);
    await t.sw.stop();
    await t.rt.stop();
  });
});
