/**
 * conference.conf as mod_conference reads it: `<profiles>` (conference_new's params), a profile an
 * XML-fetch binding serves with conference_function's params, and `<caller-controls>` groups
 * (conference_member_bind_controls, opened again for each member) matched as the digit parser does.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conferenceGlobals } from '../src/conference/globals.ts';
import type { XmlFetchRequest } from '../src/config/xml_fetch.ts';
import { parseXml } from '../src/config/xml.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { comfortNoise } from '../src/conference/mix.ts';
import { DigitMachine } from '../src/conference/digit_machine.ts';
import { linearToUlaw, ulawToLinear } from '../src/media/g711.ts';
import { confWith, profile } from './conference_conf_helpers.ts';
import { actions, conferenceEvents, join, lastHeard, leg, tick } from './conference_helpers.ts';
import { type Setup, at, setup } from './switch_helpers.ts';

/** `digits` received from the leg's far end, then the channel given time to act on them. */
async function press(t: Setup, uuid: string, digits: string): Promise<void> {
  expect(await t.sw.api(`uuid_recv_dtmf ${uuid} ${digits}`)).toBe(`+OK ${uuid} received DTMF ${digits}.\n`);
  await t.settle();
}

const PROFILES = `<profiles>
${profile('default', { domain: '$${domain}', 'energy-level': '250', 'comfort-noise': '3000' })}
${profile('loud', { energy_level: '500', 'Comfort-Noise': 'false', 'energy-level': '-7', 'caller-id-name': 'Room' })}
</profiles>`;

describe('profiles', () => {
  it('the static conf’s profile sets energy-level and comfort-noise (names in any case, `_` for `-`); a profile it lacks is `none`', async () => {
    const t = await setup({ confDir: confWith(PROFILES) });
    const a = await join(t, 1);
    const [create] = conferenceEvents(t.sub.take()) as [SwitchEvent];
    expect([create.getHeader('Conference-Profile-Name'), create.getHeader('Conference-Domain')]).toEqual(['default', 'example.org']);
    expect(await t.sw.api('conference room list')).toMatch(/;hear\|speak;0;0;250\n$/);
    // alone and nobody talking: the comfort noise of level 3000 (the tick at 20 ms)
    await tick(t);
    expect(a.heard.map((f) => [...f.payload])).toEqual([[...comfortNoise(3000, 1_725_358_272_020_000)].map(linearToUlaw)]);

    // a negative energy-level is 0; comfort-noise false: silence is -1s
    t.sub.take();
    const b = await join(t, 2, 'quiet@loud');
    expect(conferenceEvents(t.sub.take())[0]?.getHeader('Conference-Profile-Name')).toBe('loud');
    expect(await t.sw.api('conference quiet list')).toMatch(/;hear\|speak;0;0;0\n$/);
    await tick(t);
    expect(lastHeard(b)).toBe(ulawToLinear(linearToUlaw(-1)));

    t.sub.take();
    await join(t, 3, 'other@nosuch');
    const [none] = conferenceEvents(t.sub.take()) as [SwitchEvent];
    expect([none.getHeader('Conference-Profile-Name'), none.getHeader('Conference-Domain')]).toEqual(['none', 'cluecon.com']);
    expect(await t.sw.api('conference other list')).toMatch(/;0\n$/);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('an XML-fetch binding serves conference.conf: asked with conference_name, profile_name and Fetch-Call-UUID, then again for the controls', async () => {
    const t = await setup({ confDir: confWith(PROFILES) });
    const asked: XmlFetchRequest[] = [];
    t.sw.conf.xmlBindings.bind('erl', ['configuration'], async (r) => {
      asked.push(r);
      if (r.params?.getHeader('profile_name') !== 'served' && r.params?.getHeader('Conf-Profile') !== 'served') return undefined;
      return parseXml(
        `<document type="freeswitch/xml"><section name="configuration"><configuration name="conference.conf">
        <caller-controls><group name="served"><control action="mute" digits="4"/></group></caller-controls>
        <profiles>${profile('served', { 'energy-level': '700', 'caller-controls': 'served' })}</profiles>
        </configuration></section></document>`,
      );
    });
    const a = await join(t, 1, 'room@served');
    expect(await t.sw.api('conference room list')).toMatch(/;700\n$/);
    expect(asked.map((r) => [r.section, r.tagName, r.keyName, r.keyValue])).toEqual([
      ['configuration', 'configuration', 'name', 'conference.conf'],
      ['configuration', 'configuration', 'name', 'conference.conf'],
    ]);
    const params = (r: XmlFetchRequest | undefined) =>
      r?.params?.headers
        .filter((h) => !h.name.startsWith('Event-') && !h.name.startsWith('Core-') && !h.name.startsWith('FreeSWITCH-'))
        .map((h) => [h.name, h.value]);
    expect(asked[0]?.params?.getHeader('Event-Name')).toBe('COMMAND');
    expect(params(asked[0])).toEqual([
      ['conference_name', 'room'],
      ['profile_name', 'served'],
      ['Fetch-Call-UUID', a.uuid],
    ]);
    expect(asked[1]?.params?.getHeader('Event-Name')).toBe('REQUEST_PARAMS');
    expect(params(asked[1])).toEqual([
      ['Conf-Name', 'room'],
      ['Conf-Profile', 'served'],
      ['Action', 'request-controls'],
      ['Controls', 'served'],
      ['Fetch-Call-UUID', a.uuid],
    ]);
    // the served group binds 4
    await join(t, 2, 'room@served');
    t.sub.take();
    await press(t, a.uuid, '4');
    expect(actions(t.sub.take())).toEqual(['mute-member 1']);
    // the binding passes on another profile: the static XML's
    await join(t, 3, 'plain@loud');
    expect(await t.sw.api('conference plain list')).toMatch(/;0\n$/);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('member-flags and conference-flags; auto-record (expanded on the newest member); terminate-on-silence; endconf-grace-time', async () => {
    const recordings = mkdtempSync(joinPath(tmpdir(), 'conf-rec-'));
    const t = await setup({
      confDir: confWith(`<profiles>
${profile('flagged', { 'member-flags': 'deaf', 'conference-flags': 'audio-always', 'auto-record': `${recordings}/\${conference_name}-\${caller_id_number}.wav` })}
${profile('idle', { 'terminate-on-silence': '2' })}
${profile('graced', { 'endconf-grace-time': '1' })}
</profiles>`),
    });
    await join(t, 1, 'room@flagged');
    expect(await t.sw.api('conference room list')).toMatch(/;speak;0;0;0\n$/);
    expect(await t.sw.api('conference list summary')).toMatch(/ flags: audio_always\|running\|/);
    t.sub.take();
    await tick(t);
    const started = conferenceEvents(t.sub.take()).find((e) => e.getHeader('Action') === 'start-recording');
    const path = joinPath(recordings, 'room-1.wav');
    expect(started?.getHeader('Path')).toBe(path);
    const first = conferenceGlobals(t.sw.core)?.find('room')?.members[0];
    expect(await t.sw.api(`uuid_getvar ${first?.uuid} conference_recording`)).toBe(path);
    expect(t.logs).toContain(`INFO Auto recording file: ${path}`);

    // two in, nobody talking: the third second after they joined ends it
    await join(t, 2, 'idle@idle');
    await join(t, 3, 'idle@idle');
    t.sub.take();
    await at(t, 2000);
    expect(actions(t.sub.take()).filter((x) => x.startsWith('conference-'))).toEqual([]);
    await at(t, 3020);
    expect(actions(t.sub.take()).filter((x) => x.startsWith('conference-'))).toEqual(['conference-destroy']);
    expect(t.logs).toContain('INFO Conference has been idle for over 2 seconds, terminating');

    // the mandatory member leaves: the conference outlives it by the grace time
    const mandatory = await join(t, 4, 'graced@graced+flags{mandatory_member_endconf}');
    await join(t, 5, 'graced@graced');
    await t.sw.api(`uuid_kill ${mandatory.uuid}`);
    await t.settle();
    t.sub.take();
    await at(t, 4000);
    expect(await t.sw.api('conference graced count')).toBe('1');
    await at(t, 5100);
    expect(actions(t.sub.take()).filter((x) => x.startsWith('conference-'))).toEqual(['conference-destroy']);
    await t.sw.stop();
    await t.rt.stop();
  });
});

const CONTROLS = `<caller-controls>
  <group name="custom">
    <control action="mute" digits="5"/>
    <control action="energy up" digits="*"/>
    <control action="hangup" digits="*0"/>
    <control action="vol talk up" digits="12"/>
    <control action="transfer" digits="7" data="1000 XML default"/>
  </group>
  <group name="mods">
    <control action="Deaf Mute" digits="9"/>
  </group>
</caller-controls>
<profiles>
${profile('default', { 'caller-controls': 'custom', 'moderator-controls': 'mods' })}
${profile('nogroup', { 'caller-controls': 'absent' })}
</profiles>`;

describe('caller controls from conference.conf', () => {
  it('the profile’s group: its digits, a sequence waiting for its next digit (ivr-dtmf-timeout), the moderator’s group', async () => {
    const t = await setup({
      confDir: confWith(CONTROLS),
      dialplan: staticDialplan({ default: { '3000': [['conference', 'room'], ['set', 'after_conference=yes'], ['park']] } }),
    });
    await join(t, 1);
    const b = leg(t, 2);
    await t.sw.originate(`{origination_uuid=${b.uuid}}null/2 3000`);
    await t.settle();
    const mod = await join(t, 3, 'room+flags{moderator}');
    t.sub.take();
    expect(t.logs).toContain("DEBUG null/2 binding '5' to 'mute'");
    // vanilla's 0 is not bound here; 5 is
    await press(t, b.uuid, '0');
    await press(t, b.uuid, '5');
    expect(actions(t.sub.take())).toEqual(['mute-member 2']);
    // `*` is bound and starts `*0`: it waits for the next digit, then 500 ms
    await press(t, b.uuid, '*');
    expect(actions(t.sub.take())).toEqual([]);
    await tick(t, 25);
    expect(actions(t.sub.take()).filter((x) => !x.startsWith('floor'))).toEqual(['energy-level 2']);
    expect(await t.sw.api(`uuid_getvar ${b.uuid} conference_last_matching_digits`)).toBe('*');
    // `1` then `2`: vol talk up; `8` starts nothing and is dropped
    await press(t, b.uuid, '812');
    expect(actions(t.sub.take())).toEqual(['volume-level 2']);
    // the moderator has its own group
    await press(t, mod.uuid, '5');
    await press(t, mod.uuid, '9');
    expect(actions(t.sub.take())).toEqual(['mute-member 3', 'deaf-member 3']);
    // `*0` at once: hangup, and B's dialplan goes on
    await press(t, b.uuid, '*0');
    expect(actions(t.sub.take())).toEqual(['del-member 2']);
    expect(await t.sw.api(`uuid_getvar ${b.uuid} after_conference`)).toBe('yes');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a group the conf lacks, or a conf without caller-controls, binds nothing (logged as FreeSWITCH logs it)', async () => {
    const t = await setup({ confDir: confWith(CONTROLS) });
    const a = await join(t, 1, 'room@nogroup');
    await join(t, 2, 'room@nogroup');
    t.sub.take();
    await press(t, a.uuid, '50');
    expect(actions(t.sub.take())).toEqual([]);
    expect(t.logs).toContain("ERR Can't find group 'absent' in caller-controls section of conference.conf");
    await t.sw.stop();
    await t.rt.stop();

    const u = await setup({ confDir: confWith(`<profiles>${profile('default', {})}</profiles>`) });
    const c = await join(u, 1);
    await join(u, 2);
    u.sub.take();
    await press(u, c.uuid, '0');
    expect(actions(u.sub.take())).toEqual([]);
    expect(u.logs).toContain("ERR Can't find caller-controls in conference.conf");
    await u.sw.stop();
    await u.rt.stop();
  });

  it('the digit parser: a longer binding seen before the exact one does not make it wait; `=` never waits; a rebinding replaces the action', async () => {
    const fired: string[] = [];
    const timers: (() => void)[] = [];
    const machine = new DigitMachine(
      500,
      (_ms, fn) => {
        timers.push(() => void fn());
        return () => {};
      },
      (digits, action) => {
        fired.push(`${digits}:${action}`);
      },
    );
    machine.bind('11', 'a');
    machine.bind('1', 'b');
    machine.bind('2', 'c');
    machine.bind('=2', 'never');
    machine.bind('23', 'd');
    machine.bind('2', 'e');
    expect(machine.bind('~\\d+', 'regex')).toBe(false);
    await machine.feed('1');
    await machine.feed('2');
    expect(fired).toEqual(['1:b']);
    // `2` waits for `23`: its timeout fires it
    timers.at(-1)?.();
    expect(fired).toEqual(['1:b', '2:e']);
  });
});
