/**
 * mod_valet_parking: null calls park in lots with `valet_park` and are retrieved by another call
 * to the same slot; `valet_info`'s XML, the `valet_parking::info` events and the `proto: park`
 * presence; auto in / out, the timeout back to the orbit extension, the exit digits, a bridged
 * leg carrying its partner into a slot, `ask`, and the PRESENCE_PROBE answer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { type Setup, at, bridgedNulls, setup, stopSetup } from './switch_helpers.ts';

const P = 'a0000000-0000-4000-8000-000000000001';
const P2 = 'a0000000-0000-4000-8000-000000000002';
const R = 'b0000000-0000-4000-8000-000000000001';

const NAMES: Record<string, string> = { [P]: 'P', [P2]: 'P2', [R]: 'R' };
const who = (e: SwitchEvent) => NAMES[e.getHeader('Unique-ID') ?? ''] ?? '?';

/** The announcement and the full / empty lot macros, as FreeSWITCH's vanilla en phrases have them (files renamed). */
const CONF = `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="languages">
    <language name="en" say-module="en" sound-prefix="/snd">
      <phrases><macros>
        <macro name="valet_announce_ext">
          <input pattern="^([^:]+):(\\d+)$"><match><action function="play-file" data="valet/slot-$2.wav"/></match></input>
        </macro>
        <macro name="valet_lot_full"><input pattern="^$"><match><action function="play-file" data="valet/full.wav"/></match></input></macro>
        <macro name="valet_lot_empty"><input pattern="^$"><match><action function="play-file" data="valet/empty.wav"/></match></input></macro>
      </macros></phrases>
    </language>
  </section>
</document>`;

async function start(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'valet-'));
  writeFileSync(join(dir, 'freeswitch.xml'), CONF);
  const t = await setup({
    confDir: dir,
    dialplan: staticDialplan({
      default: {
        park101: [['valet_park', 'lotA 101']],
        park102: [['valet_park', 'lotA 102']],
        parkB: [['valet_park', 'lotB 7']],
        in: [['valet_park', 'lotA auto in 100 101'], ['set', 'after=1'], ['park']],
        out: [['valet_park', 'lotA auto out 100 101'], ['set', 'after=1'], ['park']],
        orbit: [
          ['set', 'valet_parking_timeout=3'],
          ['set', 'valet_parking_orbit_exten=back'],
          ['valet_park', 'lotA 101'],
        ],
        pound: [['set', 'valet_parking_orbit_exit_key=5'], ['valet_park', 'lotA 101'], ['set', 'after=1'], ['park']],
        exitkey: [
          ['set', 'valet_parking_orbit_exit_key=5'],
          ['set', 'valet_parking_orbit_exten=back'],
          ['valet_park', 'lotA 102'],
        ],
        back: [['set', 'came_back=1'], ['park']],
        moh: [
          ['set', 'hold_music=tone_stream://%(1000,0,440)'],
          ['valet_park', 'lotA 103'],
        ],
        vmoh: [
          ['set', 'hold_music=tone_stream://%(1000,0,440)'],
          ['set', 'valet_hold_music=tone_stream://%(500,0,350)'],
          ['valet_park', 'lotA 104'],
        ],
        usage: [['valet_park', 'lotA'], ['set', 'after=1'], ['park']],
        ask: [['valet_park', 'lotA ask 1 3 2000 silence_stream://10']],
      },
    }),
  });
  rmSync(dir, { recursive: true, force: true });
  return t;
}

async function call(t: Setup, uuid: string, exten: string): Promise<void> {
  expect(await t.sw.originate(`{origination_uuid=${uuid}}null/1 ${exten} XML default`)).toBe(`+OK ${uuid}\n`);
  await t.settle();
}

const valet = (events: SwitchEvent[]) =>
  events
    .filter((e) => e.type === 'CUSTOM' && e.getHeader('Event-Subclass') === 'valet_parking::info')
    .map((e) =>
      [who(e), e.getHeader('Action'), e.getHeader('Valet-Lot-Name'), e.getHeader('Valet-Extension'), e.getHeader('Bridge-To-UUID')]
        .filter(Boolean)
        .join(' '),
    );
const presence = (events: SwitchEvent[]) =>
  events
    .filter((e) => e.type === 'PRESENCE_IN' && e.getHeader('proto') === 'park')
    .map((e) => `${e.getHeader('from')} ${e.getHeader('force-status')}`);
/** The presence events' own headers (from `proto` on). */
const parkPresence = (events: SwitchEvent[]) =>
  events
    .filter((e) => e.type === 'PRESENCE_IN' && e.getHeader('proto') === 'park')
    .map((e) => {
      const hs = e.headers.map((h) => `${h.name}: ${h.value}`);
      return hs.slice(hs.findIndex((h) => h.startsWith('proto:'))).join('|');
    });
const LOT_ACTIVE =
  'proto: park|login: lotA|from: lotA@freeswitch.local|force-status: Active (1 caller)|rpid: active|event_type: presence|alt_event_type: dialog|event_count: 0|unique-id: lotA|channel-state: CS_ROUTING|answer-state: confirmed|presence-call-direction: inbound';
const SLOT_HOLDING =
  'proto: park|login: 101|from: 101@freeswitch.local|force-status: Holding|rpid: active|event_type: presence|alt_event_type: dialog|event_count: 1|unique-id: 101|channel-state: CS_ROUTING|answer-state: confirmed|presence-call-direction: outbound';
const LOT_EMPTY =
  'proto: park|login: lotA|from: lotA@freeswitch.local|force-status: Empty|rpid: unknown|event_type: presence|alt_event_type: dialog|event_count: 2|unique-id: lotA|channel-state: CS_HANGUP|answer-state: terminated|presence-call-direction: inbound';
const SLOT_EMPTY =
  'proto: park|login: 101|from: 101@freeswitch.local|force-status: Empty|rpid: unknown|event_type: presence|alt_event_type: dialog|event_count: 3|unique-id: 101|channel-state: CS_HANGUP|answer-state: terminated|presence-call-direction: inbound';
const getvar = async (t: Setup, uuid: string, name: string) => (await t.sw.api(`uuid_getvar ${uuid} ${name}`)).trim();

describe('valet_park', () => {
  it('parks a call in a slot (hold event, presence, valet_info) and a call to the slot retrieves it', async () => {
    const t = await start();
    await call(t, P, 'park101');
    let events = t.sub.take();
    expect(valet(events)).toEqual(['P hold lotA 101']);
    const hold = events.find((e) => e.getHeader('Action') === 'hold');
    // the three valet headers, then the channel data
    const names = hold?.headers.map((h) => h.name) ?? [];
    const first = names.indexOf('Valet-Lot-Name');
    expect(names.slice(first, first + 4)).toEqual(['Valet-Lot-Name', 'Valet-Extension', 'Action', 'Channel-State']);
    expect(hold?.getHeader('variable_valet_lot_extension')).toBeUndefined();
    expect(parkPresence(events)).toEqual([LOT_ACTIVE, SLOT_HOLDING]);
    expect(presence(events)).toEqual(['lotA@freeswitch.local Active (1 caller)', '101@freeswitch.local Holding']);
    expect(await getvar(t, P, 'valet_lot_extension')).toBe('101');
    expect(await t.sw.api('valet_info')).toBe(`<lots>\n  <lot name="lotA">\n    <extension uuid="${P}">101</extension>\n  </lot>\n</lots>\n`);
    await call(t, R, 'park101');
    events = t.sub.take();
    expect(valet(events)).toEqual([`P bridge lotA 101 ${R}`, 'P exit lotA 101']);
    expect(parkPresence(events)).toEqual([LOT_EMPTY, SLOT_EMPTY]);
    const bridge = events.find((e) => e.type === 'CHANNEL_BRIDGE');
    expect([bridge?.getHeader('Bridge-A-Unique-ID'), bridge?.getHeader('Bridge-B-Unique-ID')]).toEqual([P, R]);
    expect(await getvar(t, R, 'signal_bond')).toBe(P);
    expect(await t.sw.api('valet_info')).toBe('<lots>\n  <lot name="lotA">\n  </lot>\n</lots>\n');
    await stopSetup(t);
  });

  it('valet_info [<lot>]: every lot, or the one named (in any case); hangup of a parked call leaves its slot', async () => {
    const t = await start();
    await call(t, P, 'park101');
    await call(t, P2, 'parkB');
    const lotB = `  <lot name="lotB">\n    <extension uuid="${P2}">7</extension>\n  </lot>\n`;
    expect(await t.sw.api('valet_info LOTB')).toBe(`<lots>\n${lotB}</lots>\n`);
    expect(await t.sw.api('valet_info nosuch')).toBe('<lots>\n</lots>\n');
    t.sub.take();
    await t.sw.api(`uuid_kill ${P}`);
    await t.settle();
    const events = t.sub.take();
    expect(valet(events)).toEqual(['P exit lotA 101']);
    expect(presence(events)).toEqual(['lotA@freeswitch.local Empty', '101@freeswitch.local Empty']);
    expect(await t.sw.api('valet_info')).toBe(`<lots>\n  <lot name="lotA">\n  </lot>\n${lotB}</lots>\n`);
    await stopSetup(t);
  });

  it('auto in: the first free slot, announced (valet_announce_ext); a full lot plays valet_lot_full and the dialplan goes on', async () => {
    const t = await start();
    await call(t, P, 'in');
    await at(t, 4000);
    let events = t.sub.take();
    const played = (es: SwitchEvent[]) => es.filter((e) => e.type === 'PLAYBACK_START').map((e) => `${who(e)} ${e.getHeader('Playback-File-Path')}`);
    expect(played(events)).toEqual(['P /snd/valet/slot-100.wav', 'P silence_stream://-1']);
    // the hold event comes after the announcement
    expect(valet(events)).toEqual(['P hold lotA 100']);
    await call(t, P2, 'in');
    await at(t, 8000);
    await call(t, R, 'in');
    await at(t, 10000);
    events = t.sub.take();
    expect(valet(events)).toEqual(['P2 hold lotA 101']);
    expect(played(events)).toContain('R /snd/valet/full.wav');
    expect(t.logs).toContain('ERR null/1 lot is full.');
    expect(await getvar(t, R, 'after')).toBe('1');
    expect(await t.sw.api('valet_info lotA')).toBe(
      `<lots>\n  <lot name="lotA">\n    <extension uuid="${P}">100</extension>\n    <extension uuid="${P2}">101</extension>\n  </lot>\n</lots>\n`,
    );
    await stopSetup(t);
  });

  it('auto out: the longest-parked call of the range is retrieved; an empty lot plays valet_lot_empty', async () => {
    const t = await start();
    await call(t, P2, 'park101');
    await at(t, 2000);
    await call(t, P, 'out');
    expect(valet(t.sub.take())).toEqual(['P2 hold lotA 101', `P2 bridge lotA 101 ${P}`, 'P2 exit lotA 101']);
    expect(await getvar(t, P, 'signal_bond')).toBe(P2);
    // the left ticket goes at the next sweep (check_timeouts: at most every 5 s, as a valet_park starts)
    await at(t, 6000);
    await call(t, R, 'out');
    await at(t, 8000);
    expect(t.logs).toContain('ERR null/1 lot is empty.');
    expect(await getvar(t, R, 'after')).toBe('1');
    await stopSetup(t);
  });

  it('valet_parking_timeout with valet_parking_orbit_exten: the call leaves the slot for the orbit extension', async () => {
    const t = await start();
    await call(t, P, 'orbit');
    await at(t, 2900);
    expect(await getvar(t, P, 'came_back')).toBe('_undef_');
    await at(t, 3200);
    expect(valet(t.sub.take())).toEqual(['P hold lotA 101', 'P exit lotA 101']);
    expect(await getvar(t, P, 'came_back')).toBe('1');
    expect(await t.sw.api('valet_info')).toBe('<lots>\n  <lot name="lotA">\n  </lot>\n</lots>\n');
    await stopSetup(t);
  });

  it('# leaves the slot and the dialplan goes on; the orbit exit key transfers to the orbit extension; other digits are ignored', async () => {
    const t = await start();
    await call(t, P, 'pound');
    await t.sw.api(`uuid_recv_dtmf ${P} 1`);
    await at(t, 1000);
    expect(await getvar(t, P, 'after')).toBe('_undef_');
    await t.sw.api(`uuid_recv_dtmf ${P} #`);
    await at(t, 2000);
    expect(await getvar(t, P, 'after')).toBe('1');
    await call(t, P2, 'exitkey');
    await t.sw.api(`uuid_recv_dtmf ${P2} 5`);
    await at(t, 3000);
    expect(valet(t.sub.take())).toEqual(['P hold lotA 101', 'P exit lotA 101', 'P2 hold lotA 102', 'P2 exit lotA 102']);
    expect(await getvar(t, P2, 'came_back')).toBe('1');
    expect(t.logs).toContain("ERR valet_on_dtmf() - transferring session to 'back (null) default'");
    await stopSetup(t);
  });

  it('auto in on a bridged leg carries its partner into the slot (valet_ticket) and hangs itself up', async () => {
    const t = await start();
    const { a, b } = await bridgedNulls(t);
    await t.sw.api(`uuid_setvar ${a} valet_announce_slot false`);
    expect(await t.sw.sendExecute(a, 'valet_park', 'lotA auto in 100 101')).toBe(true);
    await at(t, 3000);
    const events = t.sub.take();
    expect(events.filter((e) => e.type === 'CHANNEL_HANGUP').map((e) => [e.getHeader('Unique-ID'), e.getHeader('Hangup-Cause')])).toEqual([
      [a, 'NORMAL_CLEARING'],
    ]);
    expect(
      events.filter((e) => e.getHeader('Event-Subclass') === 'valet_parking::info').map((e) => [e.getHeader('Unique-ID'), e.getHeader('Action')]),
    ).toEqual([[b, 'hold']]);
    expect(await getvar(t, b, 'valet_ticket')).toBe('_undef_');
    expect(await getvar(t, b, 'valet_hold_music')).toBe('silence_stream://-1');
    expect(await t.sw.api('valet_info')).toBe(`<lots>\n  <lot name="lotA">\n    <extension uuid="${b}">100</extension>\n  </lot>\n</lots>\n`);
    await stopSetup(t);
  });

  it('ask: the slot is read as digits ending in #', async () => {
    const t = await start();
    await call(t, P, 'ask');
    await t.sw.api(`uuid_recv_dtmf ${P} 12#`);
    await at(t, 500);
    expect(valet(t.sub.take())).toEqual(['P hold lotA 12']);
    await stopSetup(t);
  });

  it('bad data: the usage, the dialplan goes on', async () => {
    const t = await start();
    await call(t, P, 'usage');
    expect(t.logs).toContain('ERR Usage: <lotname> <extension>|[ask [<min>] [<max>] [<to>] [<prompt>]|auto [in|out] [min] [max]]');
    expect(await getvar(t, P, 'after')).toBe('1');
    await stopSetup(t);
  });

  it('a PRESENCE_PROBE for park+<lot>@<domain> or park+<slot>@<domain> is answered with its state', async () => {
    const t = await start();
    await call(t, P, 'park101');
    t.sub.take();
    const probe = (to: string) => {
      const e = t.sw.events.create('PRESENCE_PROBE');
      e.addHeader('to', to);
      e.addHeader('sub-call-id', 'cid-1');
      t.sw.core.fire(e);
    };
    probe('park+lotA@example.com');
    probe('park+101@example.com');
    probe('park+999@example.com');
    probe('sip:1000@example.com');
    await t.settle();
    const answers = t.sub
      .take()
      .filter((e) => e.type === 'PRESENCE_IN')
      .map((e) => [e.getHeader('login'), e.getHeader('from'), e.getHeader('force-status'), e.getHeader('rpid'), e.getHeader('call-id')].join(' '));
    expect(answers).toEqual([
      'lotA lotA@example.com Active (1 caller) active cid-1',
      '101 101@example.com Holding  cid-1',
      '999 999@example.com Empty unknown cid-1',
    ]);
    await stopSetup(t);
  });

  it('is registered as mod_valet_parking registers it (show api / show application)', async () => {
    const t = await start();
    const head = 'name,description,syntax,ikey\n';
    expect(await t.sw.api('show api valet_info')).toBe(`${head}valet_info,Valet Parking Info,[<lot name>],mod_valet_parking\n\n1 total.\n`);
    expect(await t.sw.api('show application valet_park')).toBe(
      `${head}valet_park,valet_park,<lotname> <extension>|[ask [<min>] [<max>] [<to>] [<prompt>]|auto [in|out] [min] [max]],mod_valet_parking\n\n1 total.\n`,
    );
    await stopSetup(t);
  });

  it('the music: valet_hold_music, else the hold music, else silence — played again as it ends', async () => {
    const t = await start();
    await call(t, P, 'moh');
    await call(t, P2, 'vmoh');
    await call(t, R, 'park101');
    await at(t, 1200);
    const played = t.sub
      .take()
      .filter((e) => e.type === 'PLAYBACK_START')
      .map((e) => `${who(e)} ${e.getHeader('Playback-File-Path')}`);
    expect(played).toEqual([
      'P tone_stream://%(1000,0,440)',
      'P2 tone_stream://%(500,0,350)',
      'R silence_stream://-1',
      'P2 tone_stream://%(500,0,350)',
      'P tone_stream://%(1000,0,440)',
      'P2 tone_stream://%(500,0,350)',
    ]);
    await stopSetup(t);
  });
});
