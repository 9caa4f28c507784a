/**
 * `conference bridge:<name>:<dial string>` (src/conference/bridge_to.ts): the caller makes a
 * two-party conference, dials its peer into it, and the first of the two to leave ends it.
 */
import { describe, expect, it } from 'vitest';
import type { SwitchEvent } from '../src/index.ts';
import { parseConferenceData } from '../src/conference/application.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { confWith, profile } from './conference_conf_helpers.ts';
import { MAINT, actions, conferenceEvents, leg, tick, uuid } from './conference_helpers.ts';
import { type Setup, setup, stopSetup } from './switch_helpers.ts';

const A = uuid(1);
const B = uuid(5);
/** The caller, null/1, runs extension 3000 (the `conference` application, then `set` and `park` if it goes on). */
const withExtension = (data: string, vars = '') =>
  setup({
    dialplan: staticDialplan({ default: { '3000': [['conference', data], ['set', 'after_conference=yes'], ['park']] } }),
  }).then(async (t) => {
    leg(t, 1);
    leg(t, 5);
    expect(await t.sw.originate(`{origination_uuid=${A}${vars}}null/1 3000 XML default`)).toBe(`+OK ${A}\n`);
    await t.settle();
    return t;
  });

const hangups = (events: SwitchEvent[]) =>
  events.filter((e) => e.type === 'CHANNEL_HANGUP').map((e) => `${e.getHeader('Unique-ID') === A ? 'A' : 'B'} ${e.getHeader('Hangup-Cause')}`);
const who = (e: SwitchEvent) => (e.getHeader('Unique-ID') === A ? 'A' : e.getHeader('Unique-ID') === B ? 'B' : '');
const addedBy = (events: SwitchEvent[]) =>
  conferenceEvents(events)
    .filter((e) => e.getHeader('Action') === 'add-member')
    .map(who)
    .sort();
const listLine = async (t: Setup) => (await t.sw.api('conference list summary')).trim();

describe('conference bridge:', () => {
  it('parsing: the name, pin and profile come before the first `:`, the dial string keeps its own `@`, `+` and `:`', () => {
    expect(parseConferenceData('bridge:room@wide:sofia/gw/+15551234@host:5060')).toEqual({
      name: 'room',
      profile: 'wide',
      pin: '',
      flags: undefined,
      bridge: true,
      bridgeTo: 'sofia/gw/+15551234@host:5060',
    });
    expect(parseConferenceData('BRIDGE:_uuid_:none+flags{mute}')).toMatchObject({ name: '_uuid_', bridgeTo: 'none', flags: 'mute' });
    const noDial = parseConferenceData('bridge:room');
    expect([noDial.bridge, noDial.name, 'bridgeTo' in noDial]).toEqual([true, 'room', false]);
  });

  it('`_uuid_`: the conference is named by the caller’s uuid; the answered peer and the caller are both in it', async () => {
    const t = await withExtension(`bridge:_uuid_:{origination_uuid=${B}}null/5`);
    const events = t.sub.take();
    expect(actions(events).slice(0, 1)).toEqual(['conference-create']);
    expect(conferenceEvents(events)[0]?.getHeader('Conference-Name')).toBe(A);
    expect(addedBy(events)).toEqual(['A', 'B']);
    expect(await t.sw.api(`conference ${A} count`)).toBe('2');
    await tick(t);
    expect(await listLine(t)).toBe(
      `+OK Conference ${A} (2 members rate: 8000 flags: running|answered|enforce_min|bridge_to|dynamic|exit_sound|enter_sound|json_status)`,
    );
    expect(await t.sw.api(`uuid_getvar ${A} conference_name`)).toBe(A);
    expect(await t.sw.api(`uuid_getvar ${B} conference_name`)).toBe(A);
    // the caller was answered once its peer was
    expect(events.some((e) => e.type === 'CHANNEL_ANSWER' && who(e) === 'A')).toBe(true);
    // the peer was dialled by the caller, with the profile's caller id
    const add = conferenceEvents(events).find((e) => e.getHeader('Action') === 'add-member' && who(e) === 'B');
    expect(add?.getHeader('Other-Leg-Unique-ID')).toBe(A);
    // (running its extension flipped it: the id it was dialled with shows as its callee id)
    expect([add?.getHeader('Caller-Callee-ID-Name'), add?.getHeader('Caller-Callee-ID-Number')]).toEqual(['conference', '0000000000']);
    await stopSetup(t);
  });

  it('an inbound caller is only pre-answered while it dials, answered once its peer answered; it gives no pin, hears no enter sound', async () => {
    const t = await setup({
      confDir: confWith(`<profiles>${profile('default', { pin: '1234', 'member-enter-sound': 'tone_stream://%(100,0,700)' })}</profiles>`),
      dialplan: staticDialplan({ default: { '3000': [['conference', `bridge:pair:{origination_uuid=${B}}null/5`]] } }),
    });
    leg(t, 5);
    expect(await t.sw.originate('loopback/3000 &park()')).toMatch(/^\+OK /);
    await t.settle();
    const events = t.sub.take();
    const caller = events.find((e) => e.type === 'CHANNEL_CREATE' && e.getHeader('Call-Direction') === 'inbound')?.getHeader('Unique-ID');
    const of = (type: string, id: string | undefined) => events.findIndex((e) => e.type === type && e.getHeader('Unique-ID') === id);
    expect(of('CHANNEL_PROGRESS_MEDIA', caller)).toBeGreaterThanOrEqual(0);
    expect(of('CHANNEL_PROGRESS_MEDIA', caller)).toBeLessThan(of('CHANNEL_ANSWER', B));
    expect(of('CHANNEL_ANSWER', B)).toBeLessThan(of('CHANNEL_ANSWER', caller));
    // a member at once (the peer, which joins as any outbound leg, hears the enter sound first)
    const added = conferenceEvents(events).filter((e) => e.getHeader('Action') === 'add-member');
    expect(added.map((e) => e.getHeader('Unique-ID'))).toEqual([caller]);
    await tick(t, 30);
    expect(await t.sw.api('conference pair count')).toBe('2');
    await stopSetup(t);
  });

  it('an explicit name and profile; the peer leaving ends the conference and hangs the caller up', async () => {
    const t = await withExtension(`bridge:pair@default:{origination_uuid=${B}}null/5`);
    expect(await t.sw.api('conference pair count')).toBe('2');
    await tick(t);
    t.sub.take();
    await t.sw.api(`uuid_kill ${B}`);
    await t.settle();
    await tick(t);
    const events = t.sub.take().filter((e) => e.subclass === MAINT || e.type === 'CHANNEL_HANGUP');
    expect(events.map((e) => `${e.getHeader('Action') ?? e.type} ${who(e)}`)).toEqual([
      'CHANNEL_HANGUP B',
      'del-member B',
      'CHANNEL_HANGUP A',
      'floor-change ',
      'del-member A',
      'conference-destroy ',
    ]);
    expect(hangups(events)).toEqual(['B NORMAL_CLEARING', 'A NORMAL_CLEARING']);
    expect(await t.sw.api('conference pair count')).toBe('-ERR Conference pair not found\n');
    await stopSetup(t);
  });

  it('the caller leaving hangs the peer up', async () => {
    const t = await withExtension(`bridge:pair:{origination_uuid=${B}}null/5`);
    await tick(t);
    t.sub.take();
    await t.sw.api(`uuid_kill ${A}`);
    await t.settle();
    await tick(t);
    const events = t.sub.take();
    expect(hangups(events)).toEqual(['A NORMAL_CLEARING', 'B NORMAL_CLEARING']);
    // the peer joined first (member 1), the caller once its dial returned (member 2)
    expect(actions(events)).toEqual(['floor-change', 'del-member 2', 'del-member 1', 'conference-destroy']);
    await stopSetup(t);
  });

  it('with hangup_after_conference=false the caller left by its peer goes on in its dialplan', async () => {
    const t = await withExtension(`bridge:pair:{origination_uuid=${B}}null/5`, ',hangup_after_conference=false');
    await tick(t);
    t.sub.take();
    await t.sw.api(`uuid_kill ${B}`);
    await t.settle();
    await tick(t);
    const events = t.sub.take();
    expect(hangups(events)).toEqual(['B NORMAL_CLEARING']);
    expect(events.some((e) => e.type === 'CHANNEL_PARK' && who(e) === 'A')).toBe(true);
    expect(await t.sw.api(`uuid_getvar ${A} after_conference`)).toBe('yes');
    await stopSetup(t);
  });

  it('a failing dial: the caller is hung up with its cause, the empty conference is destroyed', async () => {
    const t = await withExtension('bridge:pair:error/user_busy');
    await tick(t);
    const events = t.sub.take();
    expect(t.logs).toContain('ERR Cannot create outgoing channel, cause: USER_BUSY');
    expect(hangups(events)).toEqual(['A USER_BUSY']);
    expect(actions(events)).toEqual(['conference-create', 'conference-destroy']);
    expect(await t.sw.api('conference list')).toBe('+OK No active conferences.\n');
    await stopSetup(t);
  });

  it('`none` dials nobody: the caller waits alone, the first to join makes two, and either leaving ends it', async () => {
    const t = await withExtension('bridge:pair:none');
    expect(await t.sw.api('conference pair count')).toBe('1');
    expect(await listLine(t)).toBe('+OK Conference pair (1 member rate: 8000 flags: running|bridge_to|dynamic|exit_sound|enter_sound|json_status)');
    expect(await t.sw.originate(`{origination_uuid=${B}}null/5 &conference(pair)`)).toBe(`+OK ${B}\n`);
    await t.settle();
    expect(await t.sw.api('conference pair count')).toBe('2');
    t.sub.take();
    await t.sw.api(`uuid_kill ${B}`);
    await t.settle();
    await tick(t);
    expect(hangups(t.sub.take())).toEqual(['B NORMAL_CLEARING', 'A NORMAL_CLEARING']);
    await stopSetup(t);
  });

  it('a conference of that name already there: ERR, the caller is not a member and its dialplan goes on', async () => {
    const t = await setup({
      dialplan: staticDialplan({ default: { '3000': [['conference', 'bridge:pair:none'], ['set', 'after_conference=yes'], ['park']] } }),
    });
    leg(t, 1);
    leg(t, 5);
    expect(await t.sw.originate(`{origination_uuid=${B}}null/5 &conference(pair)`)).toBe(`+OK ${B}\n`);
    await t.settle();
    expect(await t.sw.originate(`{origination_uuid=${A}}null/1 3000 XML default`)).toBe(`+OK ${A}\n`);
    await t.settle();
    expect(t.logs).toContain('ERR Conference pair already exists!');
    expect(await t.sw.api('conference pair count')).toBe('1');
    expect(await t.sw.api(`uuid_getvar ${A} after_conference`)).toBe('yes');
    await stopSetup(t);
  });

  it('no `:` after the name is a config error; an empty name makes no conference', async () => {
    const t = await withExtension('bridge:pair');
    expect(t.logs).toContain('CRIT Config Error!');
    expect(await t.sw.api(`uuid_getvar ${A} after_conference`)).toBe('yes');
    const u = await withExtension('bridge::none');
    expect(u.logs).toContain('ERR Invalid Record! no name.');
    expect(await u.sw.api('conference list')).toBe('+OK No active conferences.\n');
    await stopSetup(t);
    await stopSetup(u);
  });
});
