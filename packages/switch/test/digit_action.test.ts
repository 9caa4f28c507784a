/**
 * bind_digit_action, digit_action_set_realm, clear_digit_action (mod_dptools' digit actions on
 * switch_ivr_dmachine). The binding channel is a loopback B half: digits "dialled" on it are sent
 * to its A half with uuid_send_dtmf and arrive as from a phone. For the `peer` parser it is bridged
 * to a null leg (P), whose digits (uuid_recv_dtmf) the bridge passes on to it.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { at, setup } from './switch_helpers.ts';

const L = '11111111-1111-4111-8111-111111111111';
const P = '22222222-2222-4222-8222-222222222222';

type App = [string, string?];

async function start(apps: App[], then: App[] = [['park']]) {
  const t = await setup({
    dialplan: staticDialplan({
      default: {
        da: [['answer'], ...apps, ...then],
        moved: [['set', 'moved=yes'], ['park']],
      },
    }),
  });
  expect(await t.sw.originate(`{origination_uuid=${L}}loopback/da &park()`)).toBe(`+OK ${L}\n`);
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
  /** The DTMF events and the applications started, in order. */
  const trace = () =>
    t.sub
      .take()
      .filter((e) => e.type === 'DTMF' || e.type === 'CHANNEL_EXECUTE')
      .map((e) =>
        e.type === 'DTMF'
          ? `${who(e)} DTMF ${e.getHeader('DTMF-Digit')} ${e.getHeader('DTMF-Source')}`
          : `${who(e)} ${e.getHeader('Application')} ${e.getHeader('Application-Data') ?? ''}`.trim(),
      );
  const getvar = async (uuid: string, name: string) => (await t.sw.api(`uuid_getvar ${uuid} ${name}`)).trim();
  const stop = async () => {
    await t.sw.stop();
    await t.rt.stop();
  };
  return { ...t, b, dial, dialFromPartner, trace, getvar, stop };
}

describe('digits through a bridge to a loopback', () => {
  it("a partner's digit reaches the loopback's other half with its source (switch_core_session_send_dtmf copies it; mod_loopback queues it)", async () => {
    const t = await start([], [['bridge', `{origination_uuid=${P}}null/2`]]);
    await t.dialFromPartner('4');
    expect(t.trace()).toEqual(['P DTMF 4 APP', 'L DTMF 4 APP']);
    await t.stop();
  });
});

describe('bind_digit_action', () => {
  it('exec: the bound digits run the application on the channel (queued, as uuid_broadcast); they are swallowed; others come back as DTMF', async () => {
    const t = await start([['bind_digit_action', 'main,12,exec:set,hit=yes']]);
    expect(t.logs).toContain("INFO Digit parser DPTOOLS: Setting realm to 'main'");
    await t.dial('12');
    expect(t.trace()).toEqual(['B set hit=yes']);
    expect(await t.getvar(t.b, 'hit')).toBe('yes');
    expect(await t.getvar(t.b, 'last_matching_digits')).toBe('12');
    expect(t.logs).toContain('DEBUG loopback/da-b Digit match binding [exec:set][hit=yes]');
    // no binding starts with 5: it goes back to the channel at once, as an APP digit
    await t.dial('5');
    expect(t.trace()).toEqual(['B DTMF 5 APP']);
    expect(await t.getvar(t.b, 'last_non_matching_digits')).toBe('5');
    expect(t.logs).toContain('DEBUG loopback/da-b Digit NOT match binding [5]');
    // 1 then 3: no binding starts with 13, both digits come back
    await t.dial('13');
    expect(t.trace()).toEqual(['B DTMF 1 APP', 'B DTMF 3 APP']);
    await t.stop();
  });

  it('exec:transfer moves the call to another extension', async () => {
    const t = await start([['bind_digit_action', 'main,*9,exec:transfer,moved XML default']]);
    await t.dial('*9');
    expect(t.trace()).toEqual(['B transfer moved XML default', 'B set moved=yes', 'B park']);
    expect(await t.getvar(t.b, 'moved')).toBe('yes');
    await t.stop();
  });

  it('api: runs the API command with the value as its arguments; its output goes in bind_digit_action_api_result', async () => {
    const t = await start([
      ['bind_digit_action', 'main,1,api:eval,hello ${uuid}'],
      ['bind_digit_action', `main,2,api:uuid_setvar,${L} from_api yes`],
    ]);
    await t.dial('1');
    expect(await t.getvar(t.b, 'bind_digit_action_api_result')).toBe(`hello ${t.b}`);
    expect(await t.getvar(t.b, 'last_matching_digits')).toBe('1');
    await t.dial('2');
    expect(await t.getvar(L, 'from_api')).toBe('yes');
    expect(await t.getvar(t.b, 'bind_digit_action_api_result')).toBe('+OK');
    expect(t.trace()).toEqual([]);
    await t.stop();
  });

  it('~regex: a realm with only it fires as soon as it matches; ~regex~~repl hands on the substitution', async () => {
    const t = await start([
      ['bind_digit_action', 'one,~^\\d{3}$,exec:set,three=yes'],
      ['bind_digit_action', 'sub,~^9(\\d\\d)$~~x$1,exec:set,sub=yes'],
    ]);
    await t.dial('9');
    expect(t.trace()).toEqual([]);
    await t.dial('42');
    expect(t.trace()).toEqual(['B set sub=yes']);
    expect(await t.getvar(t.b, 'last_matching_digits')).toBe('x42');
    await t.stop();
  });

  it('a realm with a regex binding and an exact one: a match waits for the digit timeout (1500 ms by default)', async () => {
    const t = await start([
      ['bind_digit_action', 'main,~^\\d{3}$,exec:set,three=yes'],
      ['bind_digit_action', 'main,0,exec:set,zero=yes'],
    ]);
    const t0 = t.clock.now();
    await t.dial('123');
    await at(t, t0 + 1400);
    expect(t.trace()).toEqual([]);
    await at(t, t0 + 1700);
    expect(t.trace()).toEqual(['B set three=yes']);
    const t1 = t.clock.now();
    await t.dial('0');
    await at(t, t1 + 1400);
    expect(t.trace()).toEqual([]);
    await at(t, t1 + 1600);
    expect(t.trace()).toEqual(['B set zero=yes']);
    await t.stop();
  });

  it('the inter-digit timeout: `1` listed before `12` waits for a second digit, bind_digit_digit_timeout long', async () => {
    const t = await start([
      ['set', 'bind_digit_digit_timeout=500'],
      ['bind_digit_action', 'main,1,exec:set,one=yes'],
      ['bind_digit_action', 'main,12,exec:set,twelve=yes'],
    ]);
    await t.dial('12');
    expect(t.trace()).toEqual(['B set twelve=yes']);
    const t0 = t.clock.now();
    await t.dial('1');
    await at(t, t0 + 400);
    expect(t.trace()).toEqual([]);
    await at(t, t0 + 600);
    expect(t.trace()).toEqual(['B set one=yes']);
    // no binding matches once the timeout passed: the digits come back
    await t.dial('3');
    expect(t.trace()).toEqual(['B DTMF 3 APP']);
    await t.stop();
  });

  it('bind_digit_input_timeout: with no digits gathered, each time it passes the no-match callback runs with none', async () => {
    const t = await start([
      ['set', 'bind_digit_input_timeout=1000'],
      ['bind_digit_action', 'main,12,exec:set,twelve=yes'],
    ]);
    const t0 = t.clock.now();
    await at(t, t0 + 900);
    expect(t.logs.filter((l) => l.includes('Digit NOT match binding []'))).toHaveLength(0);
    await at(t, t0 + 2100);
    expect(t.logs.filter((l) => l.includes('Digit NOT match binding []'))).toHaveLength(2);
    expect(t.trace()).toEqual([]);
    await t.stop();
  });

  it('=digits fires at once although a longer binding could follow', async () => {
    const t = await start([
      ['bind_digit_action', 'main,=1,exec:set,one=yes'],
      ['bind_digit_action', 'main,12,exec:set,twelve=yes'],
    ]);
    await t.dial('1');
    expect(t.trace()).toEqual(['B set one=yes']);
    await t.stop();
  });

  it('digit_action_set_realm switches between realms; an unknown realm is an error', async () => {
    const t = await start([
      ['bind_digit_action', 'a,1,exec:set,realm=a'],
      ['bind_digit_action', 'b,1,exec:set,realm=b'],
    ]);
    await t.dial('1');
    expect(await t.getvar(t.b, 'realm')).toBe('b');
    await t.sw.api(`uuid_broadcast ${t.b} digit_action_set_realm::a aleg`);
    await t.settle();
    await t.dial('1');
    expect(await t.getvar(t.b, 'realm')).toBe('a');
    await t.sw.api(`uuid_broadcast ${t.b} digit_action_set_realm::nowhere aleg`);
    await t.settle();
    expect(t.logs).toContain("ERR Digit parser DPTOOLS: Error Setting realm to 'nowhere'");
    await t.stop();
  });

  it('clear_digit_action <realm>: no realm is active, digits wait for the timeout and come back; `all`: the parser is gone, digits pass at once', async () => {
    const t = await start([
      ['bind_digit_action', 'a,12,exec:set,realm=a'],
      ['clear_digit_action', 'a'],
    ]);
    expect(t.logs).toContain("WARNING Digit parser DPTOOLS: 'a' was the active realm, no realm currently selected.");
    const t0 = t.clock.now();
    await t.dial('1');
    expect(t.trace()).toEqual([]);
    await at(t, t0 + 1600);
    expect(t.trace()).toEqual(['B DTMF 1 APP']);
    // the realm's own digits match nothing now: back as soon as they are as long as the longest binding
    await t.dial('12');
    expect(t.trace()).toEqual(['B DTMF 1 APP', 'B DTMF 2 APP']);
    expect(await t.getvar(t.b, 'realm')).toBe('_undef_');
    await t.sw.api(`uuid_broadcast ${t.b} clear_digit_action::all aleg`);
    await t.settle();
    expect(t.logs).toContain('INFO Digit parser DPTOOLS: Clearing all realms');
    t.sub.take();
    await t.dial('1');
    expect(t.trace()).toEqual(['B DTMF 1 UNKNOWN']);
    await t.stop();
  });

  it('peer: the digits the bridged partner passes on are parsed; the event target `peer` runs the action on the partner', async () => {
    const t = await start(
      [
        ['set', 'hold_music=silence_stream://-1'],
        ['bind_digit_action', 'main,7,exec:set,on_partner=yes,peer,peer'],
      ],
      [['bridge', `{origination_uuid=${P}}null/2`]],
    );
    // the far end's own digits are not parsed by the peer parser
    await t.dial('7');
    expect(t.trace()).toEqual(['B DTMF 7 UNKNOWN']);
    await t.dialFromPartner('7');
    // P's own DTMF event (uuid_recv_dtmf), then the action on P (hold-bleg: P has no hold music for B)
    expect(t.trace()).toEqual(['P DTMF 7 APP', 'P set on_partner=yes']);
    expect(await t.getvar(P, 'last_matching_digits')).toBe('7');
    // not matched: noted on the partner, passed on to the B half's endpoint as the bridge would have
    await t.dialFromPartner('8');
    expect(await t.getvar(P, 'last_non_matching_digits')).toBe('8');
    expect(t.trace()).toEqual(['P DTMF 8 APP', 'L DTMF 8 APP']);
    // event target `both`: the partner first, then this leg, neither holding the other
    await t.sw.api(`uuid_broadcast ${t.b} bind_digit_action::main,9,exec:set,everywhere=yes,peer,both aleg`);
    await t.settle();
    t.sub.take();
    await t.dialFromPartner('9');
    expect(t.trace()).toEqual(['P DTMF 9 APP', 'P set everywhere=yes', 'B set everywhere=yes']);
    await t.stop();
  });

  it('exec: puts the bridged partner on hold music meanwhile; exec[H]: and exec[i]: do not', async () => {
    const t = await start(
      [
        ['set', 'hold_music=silence_stream://-1'],
        ['bind_digit_action', 'main,4,exec:set,held=yes'],
        ['bind_digit_action', 'main,5,exec[H]:set,unheld=yes'],
        ['bind_digit_action', 'main,6,exec[i]:set,inline=yes'],
      ],
      [['bridge', `{origination_uuid=${P}}null/2`]],
    );
    await t.dial('4');
    expect(t.trace()).toEqual(['B set held=yes', 'P playback silence_stream://-1']);
    await t.dial('5');
    expect(t.trace()).toEqual(['B set unheld=yes']);
    await t.dial('6');
    expect(t.trace()).toEqual(['B set inline=yes']);
    await t.stop();
  });

  it('the usage errors', async () => {
    const t = await start([
      ['bind_digit_action', ''],
      ['bind_digit_action', 'main,1'],
      ['digit_action_set_realm', ''],
      ['clear_digit_action', ''],
    ]);
    const lines = t.logs.filter((l) => /Syntax|no args/.test(l));
    expect(lines).toEqual([
      'WARNING Syntax Error, USAGE <realm>,<digits|~regex>,<string>[,<value>][,<dtmf target leg>][,<event target leg>]',
      'WARNING Syntax Error, USAGE <realm>,<digits|~regex>,<string>[,<value>][,<dtmf target leg>][,<event target leg>]',
      'WARNING Syntax Error, USAGE <realm>[,<target>]',
      'WARNING clear_digit_action called with no args',
    ]);
    await t.stop();
  });
});
