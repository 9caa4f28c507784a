/**
 * Who conference.conf keeps out (conference_function): the pin — prompt, digits, bad-pin-sound,
 * pin-retries, the moderator pin, `+<pin>` and `supplied_pin` —, max-members with its sound, and a
 * locked conference's locked-sound. A caller gives the pin when it is inbound or has
 * `conference_enforce_security=true` (the null legs here are outbound, so they set it).
 */
import { describe, expect, it } from 'vitest';
import type { SwitchEvent } from '../src/index.ts';
import { confWith, playbacks, profile, tone } from './conference_conf_helpers.ts';
import { MAINT, actions, join, leg } from './conference_helpers.ts';
import { type Setup, at, setup } from './switch_helpers.ts';

const PIN_SOUND = tone(440, 200);
const BAD_PIN_SOUND = tone(480, 100);
const CONF = confWith(`<profiles>
${profile('secure', { pin: '1234', 'moderator-pin': '98765', 'pin-sound': PIN_SOUND, 'bad-pin-sound': BAD_PIN_SOUND, 'pin-retries': '2' })}
${profile('small', { 'max-members': '2', 'max-members-sound': tone(500, 100), 'locked-sound': tone(600, 100) })}
</profiles>`);

/** A null leg with conference_enforce_security=true (plus `vars`) into `conference(<data>)`. */
async function caller(t: Setup, n: number, data: string, vars = ''): Promise<string> {
  const l = leg(t, n);
  await t.sw.originate(`{origination_uuid=${l.uuid},conference_enforce_security=true${vars}}null/${n} &conference(${data})`);
  await t.settle();
  return l.uuid;
}

/** The conference actions (but the floor's), the channel's playbacks and its hangup, in order. */
const trace = (events: SwitchEvent[], uuid: string) =>
  events.flatMap((e) => {
    if (e.subclass === MAINT) return e.getHeader('Action') === 'floor-change' ? [] : [e.getHeader('Action') ?? ''];
    if (e.getHeader('Unique-ID') !== uuid) return [];
    if (e.type === 'CHANNEL_HANGUP') return [`hangup ${e.getHeader('Hangup-Cause')}`];
    return e.type === 'PLAYBACK_START' || e.type === 'PLAYBACK_STOP' ? playbacks([e], uuid) : [];
  });

describe('the pin', () => {
  it('the right pin: the prompt after 400 ms, its first digit ends it, the rest are collected; the caller is a member', async () => {
    const t = await setup({ confDir: CONF });
    const uuid = await caller(t, 1, 'room@secure');
    // the conference is made, the caller not yet in it
    expect(await t.sw.api('conference room count')).toBe('0');
    // the moderator pin is longer: `#` ends the digits
    expect(await t.sw.api(`uuid_recv_dtmf ${uuid} 1234#`)).toMatch(/^\+OK/);
    await at(t, 380);
    expect(trace(t.sub.take(), uuid)).toEqual(['conference-create']);
    await at(t, 500);
    expect(trace(t.sub.take(), uuid)).toEqual([`START ${PIN_SOUND}`, `STOP ${PIN_SOUND} break`, 'add-member']);
    expect(await t.sw.api('conference room list')).toMatch(new RegExp(`^1;null/1;${uuid};.*;hear\\|speak\\|floor;`));
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a wrong pin: bad-pin-sound (digits meanwhile dropped), the prompt again; no right pin in pin-retries tries: out, and the call hangs up', async () => {
    const t = await setup({ confDir: CONF });
    const uuid = await caller(t, 1, 'room@secure');
    // `#` ends the digits: 12 is wrong
    await t.sw.api(`uuid_recv_dtmf ${uuid} 12#`);
    await at(t, 600);
    expect(trace(t.sub.take(), uuid)).toEqual(['conference-create', `START ${PIN_SOUND}`, `STOP ${PIN_SOUND} break`]);
    // the bad-pin sound after its own 400 ms; a digit pressed during it is flushed after it
    await at(t, 850);
    await t.sw.api(`uuid_recv_dtmf ${uuid} 1`);
    await at(t, 1000);
    expect(trace(t.sub.take(), uuid)).toEqual([`START ${BAD_PIN_SOUND}`, `STOP ${BAD_PIN_SOUND} done`]);
    // the second prompt plays whole; nothing pressed in 10 s: wrong again, the last try
    await at(t, 1700);
    expect(trace(t.sub.take(), uuid)).toEqual([`START ${PIN_SOUND}`, `STOP ${PIN_SOUND} done`]);
    await at(t, 11_500);
    expect(trace(t.sub.take(), uuid)).toEqual([]);
    await at(t, 12_300);
    // nobody ever got in: the conference goes at its next tick
    expect(trace(t.sub.take(), uuid)).toEqual([
      `START ${BAD_PIN_SOUND}`,
      `STOP ${BAD_PIN_SOUND} done`,
      'hangup NORMAL_CLEARING',
      'conference-destroy',
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('the moderator pin makes a moderator; `+<pin>` replaces the profile’s; supplied_pin (X-ConfPin=) needs no prompt; an outbound leg is not asked', async () => {
    const t = await setup({ confDir: CONF });
    const mod = await caller(t, 1, 'room@secure');
    await t.sw.api(`uuid_recv_dtmf ${mod} 98765`);
    await at(t, 500);
    const added = t.sub.take().find((e) => e.getHeader('Action') === 'add-member');
    expect(added?.getHeader('Member-Type')).toBe('moderator');
    expect(await t.sw.api(`uuid_getvar ${mod} conference_moderator`)).toBe('true');

    const own = await caller(t, 2, 'room@secure+55');
    await t.sw.api(`uuid_recv_dtmf ${own} 1234#`);
    await at(t, 1000);
    expect(trace(t.sub.take(), own)).toEqual([`START ${PIN_SOUND}`, `STOP ${PIN_SOUND} break`]);
    // 1234 was wrong; the second prompt takes 55
    await at(t, 1500);
    expect(trace(t.sub.take(), own)).toEqual([`START ${BAD_PIN_SOUND}`, `STOP ${BAD_PIN_SOUND} done`]);
    await t.sw.api(`uuid_recv_dtmf ${own} 55#`);
    await at(t, 2000);
    expect(trace(t.sub.take(), own)).toEqual([`START ${PIN_SOUND}`, `STOP ${PIN_SOUND} break`, 'add-member']);

    const supplied = await caller(t, 3, 'room@secure', ',supplied_pin=sip:3000@example.org;X-ConfPin=1234;transport=udp');
    expect(trace(t.sub.take(), supplied)).toEqual(['add-member']);
    await join(t, 4, 'room@secure');
    expect(actions(t.sub.take())).toEqual(['add-member 4']);
    expect(await t.sw.api('conference room count')).toBe('4');
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('refusals', () => {
  it('max-members: a caller past it is refused (NOTICE … is full.) and hears max-members-sound; the application ends', async () => {
    const t = await setup({ confDir: CONF });
    await join(t, 1, 'room@small');
    await join(t, 2, 'room@small');
    const c = leg(t, 3);
    await t.sw.originate(`{origination_uuid=${c.uuid}}null/3 &conference(room@small)`);
    await t.settle();
    expect(t.logs).toContain('NOTICE Conference room is full.');
    await at(t, 600);
    const events = t.sub.take();
    expect(trace(events, c.uuid)).toEqual([
      'conference-create',
      'add-member',
      'add-member',
      `START ${tone(500, 100)}`,
      `STOP ${tone(500, 100)} done`,
      'hangup NORMAL_CLEARING',
    ]);
    expect(await t.sw.api('conference room count')).toBe('2');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a locked conference: the caller is refused (NOTICE … is locked.) and hears locked-sound', async () => {
    const t = await setup({ confDir: CONF });
    await join(t, 1, 'room@small');
    expect(await t.sw.api('conference room lock')).toBe('+OK room locked\n');
    const uuid = await caller(t, 2, 'room@small');
    expect(t.logs).toContain('NOTICE Conference room is locked.');
    await at(t, 600);
    expect(trace(t.sub.take(), uuid)).toEqual([
      'conference-create',
      'add-member',
      'lock',
      `START ${tone(600, 100)}`,
      `STOP ${tone(600, 100)} done`,
      'hangup NORMAL_CLEARING',
    ]);
    expect(await t.sw.api('conference room count')).toBe('1');
    await t.sw.stop();
    await t.rt.stop();
  });
});
