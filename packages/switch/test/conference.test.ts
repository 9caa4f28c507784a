/**
 * mod_conference's first subset (src/conference/): the `conference` application, the mixer and
 * its talking detector on the runtime clock, the conference::maintenance events, the `conference`
 * API command. Members are null legs with a recorder attached as their media port: what the
 * recorder gets is what the member hears; `say` is what its far end sends.
 */
import { kill } from '@beamline/core';
import { describe, expect, it } from 'vitest';
import type { SwitchEvent } from '../src/index.ts';
import { parseConferenceData } from '../src/conference/application.ts';
import { combineFlagVar, setMemberFlags, type MemberFlag } from '../src/conference/flags.ts';
import { comfortNoise, mix } from '../src/conference/mix.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { linearToUlaw, ulawToLinear } from '../src/media/g711.ts';
import { share } from '../../../tools/sipp/audio.ts';
import { type Leg, MAINT, MEMBER_FLAGS_TAIL, actions, conferenceEvents, headersFrom, join, lastHeard, leg, tick } from './conference_helpers.ts';
import { setup } from './switch_helpers.ts';

describe('the conference application and its events', () => {
  it('the first member creates the conference, the last one out marks it, the next tick destroys it', async () => {
    const t = await setup();
    const a = await join(t, 1);
    let events = t.sub.take();
    expect(
      events.filter((e) => e.type === 'CHANNEL_EXECUTE' || e.subclass === MAINT).map((e) => e.getHeader('Action') ?? e.getHeader('Application')),
    ).toEqual(['conference', 'conference-create', 'add-member']);
    const [create, add] = conferenceEvents(events) as [SwitchEvent, SwitchEvent];
    const confUuid = create.getHeader('Conference-Unique-ID') ?? '';
    expect(confUuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(headersFrom(create, 'Event-Subclass')).toEqual([
      ['Event-Subclass', MAINT],
      ['Conference-Name', 'room'],
      ['Conference-Domain', 'cluecon.com'],
      ['Conference-Size', '0'],
      ['Conference-Ghosts', '0'],
      ['Conference-Profile-Name', 'default'],
      ['Conference-Unique-ID', confUuid],
      ['Action', 'conference-create'],
    ]);
    // the conference's headers, Floor, the channel's basic data (no variables), the member's flags
    expect(headersFrom(add, 'Conference-Name').slice(0, 8)).toEqual([
      ['Conference-Name', 'room'],
      ['Conference-Domain', 'cluecon.com'],
      ['Conference-Size', '1'],
      ['Conference-Ghosts', '0'],
      ['Conference-Profile-Name', 'default'],
      ['Conference-Unique-ID', confUuid],
      ['Floor', 'false'],
      ['Channel-State', 'CS_EXECUTE'],
    ]);
    expect(add.getHeader('Unique-ID')).toBe(a.uuid);
    expect(add.getHeader('Caller-Caller-ID-Number')).toBe('1');
    expect(add.headers.some((h) => h.name.startsWith('variable_'))).toBe(false);
    expect(headersFrom(add, 'Video')).toEqual([...MEMBER_FLAGS_TAIL({ id: 1 }), ['Action', 'add-member']]);
    for (const [name, value] of [
      ['conference_name', 'room'],
      ['conference_member_id', '1'],
      ['conference_moderator', 'false'],
      ['conference_ghost', 'false'],
      ['conference_uuid', confUuid],
      ['app_session_uuid', confUuid],
      ['conference_call_key', 'conference_room_cluecon.com_1'],
    ])
      expect(await t.sw.api(`uuid_getvar ${a.uuid} ${name}`)).toBe(value);

    // the first tick gives the floor to the only member
    await tick(t);
    const [floor] = conferenceEvents(t.sub.take()) as [SwitchEvent];
    expect(headersFrom(floor, 'Action').slice(0, 3)).toEqual([
      ['Action', 'floor-change'],
      ['Old-ID', 'none'],
      ['Conference-Name', 'room'],
    ]);
    expect(headersFrom(floor, 'Floor')[0]).toEqual(['Floor', 'true']);
    expect(headersFrom(floor, 'Video').slice(-2)).toEqual([
      ['Current-Energy', '0'],
      ['New-ID', '1'],
    ]);

    const b = await join(t, 2);
    expect(actions(t.sub.take())).toEqual(['add-member 2']);
    expect(await t.sw.api(`uuid_kill ${a.uuid}`)).toBe('+OK\n');
    await t.settle();
    events = t.sub.take();
    // the holder is out of the list when the floor changes, so it is not named
    const floorAway = conferenceEvents(events)[0];
    expect([floorAway?.getHeader('Old-ID'), floorAway?.getHeader('New-ID'), floorAway?.getHeader('Conference-Size')]).toEqual(['none', 'none', '2']);
    expect(
      events
        .filter((e) => e.subclass === MAINT || e.type.startsWith('CHANNEL_EXECUTE') || e.type === 'CHANNEL_HANGUP')
        .map((e) => e.getHeader('Action') ?? e.type),
    ).toEqual(['CHANNEL_HANGUP', 'floor-change', 'del-member', 'CHANNEL_EXECUTE_COMPLETE']);
    expect(conferenceEvents(events)[1]?.getHeader('Conference-Size')).toBe('1');
    await tick(t);
    expect(conferenceEvents(t.sub.take()).map((e) => `${e.getHeader('Action')} ${e.getHeader('New-ID')}`)).toEqual(['floor-change 2']);

    await t.sw.api(`uuid_kill ${b.uuid}`);
    await t.settle();
    expect(actions(t.sub.take())).toEqual(['floor-change', 'del-member 2']);
    // marked, still listed until its process ends at the next tick
    expect(await t.sw.api('conference list')).toBe(
      '+OK Conference room (0 members rate: 8000 flags: destruct|running|answered|enforce_min|dynamic|exit_sound|enter_sound|json_status)\n',
    );
    expect(await t.sw.api('conference room list')).toBe('-ERR Conference room not found\n');
    await tick(t);
    const destroy = conferenceEvents(t.sub.take());
    expect(destroy.map((e) => headersFrom(e, 'Conference-Name'))).toEqual([
      [
        ['Conference-Name', 'room'],
        ['Conference-Domain', 'cluecon.com'],
        ['Conference-Size', '0'],
        ['Conference-Ghosts', '0'],
        ['Conference-Profile-Name', 'default'],
        ['Conference-Unique-ID', confUuid],
        ['Action', 'conference-destroy'],
      ],
    ]);
    expect(await t.sw.api('conference list')).toBe('+OK No active conferences.\n');
    expect(t.sw.core.media.routeOf(b.uuid)).toBeUndefined();
    await t.sw.stop();
    await t.rt.stop();
  });

  it('an inbound leg is pre-answered before CHANNEL_EXECUTE and answered after the conference is made', async () => {
    const t = await setup({ dialplan: staticDialplan({ default: { '4000': [['conference', 'room']] } }) });
    expect(await t.sw.originate('loopback/4000 &park()')).toMatch(/^\+OK /);
    await t.settle();
    const b = (e: SwitchEvent) => e.getHeader('Channel-Name') === 'loopback/4000-b';
    const seen = t.sub
      .take()
      .filter((e) => (b(e) && ['CHANNEL_PROGRESS_MEDIA', 'CHANNEL_EXECUTE', 'CHANNEL_ANSWER'].includes(e.type)) || e.subclass === MAINT)
      .map((e) => e.getHeader('Action') ?? e.getHeader('Application') ?? e.type);
    expect(seen).toEqual(['CHANNEL_PROGRESS_MEDIA', 'conference', 'conference-create', 'CHANNEL_ANSWER', 'add-member']);
    expect(await t.sw.api('conference list')).toMatch(/^\+OK Conference room \(1 member rate: 8000 flags: running\|answered\|enforce_min\|dynamic\|/);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('member ids come from one pool for every conference (next_member_id); a channel joining again keeps its id', async () => {
    const t = await setup({
      dialplan: staticDialplan({ default: { '3000': [['conference', 'one'], ['conference', 'two'], ['park']] } }),
    });
    const a = await join(t, 1, 'one');
    const b = await join(t, 2, 'two');
    expect(await t.sw.api('conference one list')).toMatch(/^1;null\/1;/);
    expect(await t.sw.api('conference two list')).toMatch(/^2;null\/2;/);
    const c = leg(t, 3);
    await t.sw.originate(`{origination_uuid=${c.uuid}}null/3 3000`);
    await t.settle();
    expect(await t.sw.api('conference one list')).toMatch(/^3;null\/3;.*\n1;null\/1;/);
    expect(await t.sw.api('conference one kick 3')).toBe('+OK kicked 3\n');
    await t.settle();
    // the dialplan went on into `two`, where the channel is member 3 again
    expect(await t.sw.api('conference two list')).toMatch(/^3;null\/3;.*\n2;null\/2;/);
    expect([a.uuid, b.uuid]).toHaveLength(2);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('profiles: `default` is vanilla’s (energy 100); an unknown one is FreeSWITCH’s `none` (energy 0, no comfort noise)', async () => {
    const t = await setup({ globals: [['confvar_region', 'eu']] });
    const a = await join(t, 1, 'quiet@nosuch');
    const [create] = conferenceEvents(t.sub.take()) as [SwitchEvent];
    expect(create.getHeader('Conference-Profile-Name')).toBe('none');
    // confvar_* globals are the conference's variables, in every event
    expect(headersFrom(create, 'Conference-Unique-ID').slice(1)).toEqual([
      ['region', 'eu'],
      ['Action', 'conference-create'],
    ]);
    expect(await t.sw.api('conference quiet list')).toMatch(/;hear\|speak;0;0;0\n$/);
    // energy level 0: every packet is heard, talking or not — but never a muted member's
    const b = await join(t, 2, 'quiet@nosuch+flags{mute}');
    const c = await join(t, 3, 'quiet@nosuch');
    a.say(0xf0);
    b.say(0xab);
    await tick(t);
    expect(lastHeard(c)).toBe(120);
    expect(actions(t.sub.take()).filter((x) => x.startsWith('start'))).toEqual([]);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('mixing, every 20 ms', () => {
  it('each member hears the sum of the others’ packets, never its own, clipped to 16 bits', async () => {
    const t = await setup();
    const [a, b, c] = [await join(t, 1), await join(t, 2), await join(t, 3)];
    // μ-law 0xab = 5116, 0xc0 = 1884, 0x4c = -1116: all loud enough to talk at once
    a.say(0xab);
    b.say(0xc0);
    c.say(0x4c);
    await tick(t);
    // A: 1884 - 1116 = 768 (μ-law 780); B: 5116 - 1116 = 4000 (4092); C: 5116 + 1884 = 7000 (6908)
    expect([lastHeard(a), lastHeard(b), lastHeard(c)]).toEqual([780, 4092, 6908]);
    expect(a.heard).toHaveLength(1);
    // B alone: A and C hear it, B hears its own packet taken out (0)
    b.say(0xc0);
    await tick(t);
    expect([lastHeard(a), lastHeard(b), lastHeard(c)]).toEqual([1884, 0, 1884]);
    // 0x80 = 32124 twice: 64248 is clipped to 32767 (μ-law 32124)
    a.say(0x80);
    b.say(0x80);
    await tick(t);
    expect([lastHeard(a), lastHeard(b), lastHeard(c)]).toEqual([32124, 32124, 32124]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('nobody talking: everyone hears comfort noise (the default profile); a member alone is not mixed', async () => {
    const t = await setup();
    const a = await join(t, 1);
    a.say(0xc0);
    await tick(t);
    // the tick at 20 ms: FreeSWITCH's generator seeded with the clock's microseconds
    const noise = [...comfortNoise(1400, 1_725_358_272_020_000)];
    expect(Math.max(...noise.map(Math.abs))).toBeLessThan(24);
    expect(new Set(noise).size).toBeGreaterThan(10);
    // alone, its own packet is not even buffered (that needs two members): it hears the noise
    expect(a.heard.map((f) => [...f.payload])).toEqual([noise.map(linearToUlaw)]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a muted member is not heard; a deaf member hears nothing (packets of -1)', async () => {
    const t = await setup();
    const [a, b, c] = [await join(t, 1), await join(t, 2, 'room+flags{mute}'), await join(t, 3)];
    expect(await t.sw.api('conference room list')).toBe(
      `3;null/3;${c.uuid};Outbound Call;3;hear|speak;0;0;100\n2;null/2;${b.uuid};Outbound Call;2;hear;0;0;100\n1;null/1;${a.uuid};Outbound Call;1;hear|speak;0;0;100\n`,
    );
    t.sub.take();
    b.say(0xab);
    c.say(0xc0);
    await tick(t);
    // B (muted by its flags) does not count: A hears only C
    expect([lastHeard(a), lastHeard(b), lastHeard(c)]).toEqual([1884, 1884, 0]);
    expect(actions(t.sub.take())).toEqual(['start-talking 3', 'floor-change 3']);

    expect(await t.sw.api('conference room unmute 2')).toBe('+OK unmute 2\n');
    expect(await t.sw.api('conference room mute 3')).toBe('+OK mute 3\n');
    expect(actions(t.sub.take())).toEqual(['unmute-member 2', 'mute-member 3']);
    b.say(0xab);
    c.say(0xc0);
    await tick(t);
    expect([lastHeard(a), lastHeard(b), lastHeard(c)]).toEqual([5116, 0, 5116]);
    // B's average passed 300 while the holder's (C's, zeroed by the mute) is under 100: B takes the floor
    const floor = conferenceEvents(t.sub.take());
    expect(floor.map((e) => `${e.getHeader('Action')} ${e.getHeader('Old-ID') ?? ''}-${e.getHeader('New-ID') ?? ''}`)).toEqual([
      'start-talking -',
      'floor-change 3-2',
    ]);

    expect(await t.sw.api('conference room deaf 1')).toBe('+OK deaf 1\n');
    const deaf = conferenceEvents(t.sub.take());
    expect(headersFrom(deaf[0] as SwitchEvent, 'Video')).toEqual([...MEMBER_FLAGS_TAIL({ id: 1, hear: false }), ['Action', 'deaf-member']]);
    a.say(0xc0);
    b.say(0xab);
    await tick(t);
    // A hears -1s (μ-law 0x7F); B and C still hear A
    expect([...(a.heard.at(-1)?.payload ?? [])]).toEqual(new Array(160).fill(0x7f));
    expect([lastHeard(a), lastHeard(b), lastHeard(c)]).toEqual([0, 1884, 6908]);
    expect(await t.sw.api('conference room undeaf 1')).toBe('+OK undeaf 1\n');
    b.say(0xab);
    await tick(t);
    expect(lastHeard(a)).toBe(5116);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a member’s audio goes to the conference only, audio routed to it is held off; a killed channel is taken out at the next tick', async () => {
    const t = await setup();
    const [a, b] = [await join(t, 1), await join(t, 2)];
    t.sub.take();
    const media = t.sw.core.media;
    expect(media.routeOf(a.uuid)).toBe('conference:room:1');
    // another channel's audio routed to A (as a bridge would) does not reach it
    media.route('x', a.uuid);
    media.deliver('x', { codec: 'PCMU', payload: new Uint8Array(160).fill(0xc0), samples: 160 });
    expect(a.heard).toHaveLength(0);
    // what A says reaches B only through the mix, a tick later
    a.say(0xab);
    expect(b.heard).toHaveLength(0);
    await tick(t);
    expect([lastHeard(a), lastHeard(b)]).toEqual([0, 5116]);
    // the floor: to the first member looked at (the newest) when nobody has it, then in the same
    // tick to A, whose average passed 300 while the new holder's was zeroed
    expect(actions(t.sub.take())).toEqual(['start-talking 1', 'floor-change 2', 'floor-change 1']);
    const pid = t.sw.core.sessions.get(b.uuid);
    if (pid) t.rt.exit(pid, kill);
    await t.settle();
    expect(actions(t.sub.take())).toEqual([]);
    await tick(t);
    expect(actions(t.sub.take())).toEqual(['del-member 2']);
    expect(await t.sw.api('conference room count')).toBe('1');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('the pure mixer: sum less one’s own, deaf -1s, the silence packet when nobody gave one', () => {
    const p = (v: number) => new Int16Array(160).fill(v);
    const out = mix(
      [
        { read: p(1000), hears: true },
        { read: p(-3000), hears: true },
        { read: undefined, hears: true },
        { read: p(30000), hears: false },
      ],
      () => p(7),
    );
    expect(out.map((o) => o[0])).toEqual([27000, 31000, 28000, -1]);
    expect(
      mix(
        [
          { read: p(5), hears: true },
          { read: p(32000), hears: true },
          { read: p(32000), hears: true },
        ],
        () => p(7),
      ).map((o) => o[0]),
    ).toEqual([32767, 32005, 32005]);
    expect(
      mix(
        [
          { read: undefined, hears: true },
          { read: undefined, hears: false },
        ],
        () => p(7),
      ).map((o) => o[0]),
    ).toEqual([7, -1]);
  });
});

describe('talking detection (energy level 100, hangover 40, hangunder 5)', () => {
  it('a loud packet starts talking at once; 40 quiet ones stop it', async () => {
    const t = await setup();
    const [a, b] = [await join(t, 1), await join(t, 2)];
    await tick(t);
    t.sub.take();
    b.say(0xc0);
    await tick(t);
    const [start] = conferenceEvents(t.sub.take()) as [SwitchEvent];
    expect(headersFrom(start, 'Video')).toEqual([...MEMBER_FLAGS_TAIL({ id: 2, talking: true, current: 1884 }), ['Action', 'start-talking']]);
    expect(lastHeard(a)).toBe(1884);
    expect(await t.sw.api('conference room list')).toMatch(/^2;.*;hear\|speak\|talking\|floor;0;0;100\n1;.*;hear\|speak;0;0;100\n$/);
    for (let i = 1; i < 40; i++) {
      b.say(0xff);
      await tick(t);
    }
    expect(actions(t.sub.take())).toEqual([]);
    // quiet packets are still heard while talking lasts
    expect(lastHeard(a)).toBe(0);
    b.say(0xff);
    await tick(t);
    const [stop] = conferenceEvents(t.sub.take()) as [SwitchEvent];
    // every talking packet had the same score: no talking-* statistics (their delta average is 0)
    expect(headersFrom(stop, 'Video')).toEqual([...MEMBER_FLAGS_TAIL({ id: 2 }), ['Action', 'stop-talking']]);
    b.say(0xff);
    await tick(t);
    expect(a.heard.at(-1)?.payload.some((x) => x !== 0xff)).toBe(true);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a packet just over the level needs five (hangunder) and is heard from the fifth; varying scores give talking-* statistics; no packets count as comfort noise', async () => {
    const t = await setup();
    const [a, b] = [await join(t, 1), await join(t, 2)];
    await tick(t);
    t.sub.take();
    // 0xe8 = 244: over 100 but less than 400 over it
    for (let i = 1; i <= 4; i++) {
      b.say(0xe8);
      await tick(t);
      expect(a.heard.at(-1)?.payload.every((x) => x === 0xe8)).toBe(false);
    }
    expect(actions(t.sub.take())).toEqual([]);
    b.say(0xe8);
    await tick(t);
    expect(actions(t.sub.take())).toEqual(['start-talking 2']);
    expect(lastHeard(a)).toBe(244);
    b.say(0xd0); // 876
    await tick(t);
    b.say(0xe8);
    await tick(t);
    // 40 ticks with no packet from B
    await tick(t, 39);
    expect(actions(t.sub.take())).toEqual([]);
    await tick(t);
    const [stop] = conferenceEvents(t.sub.take()) as [SwitchEvent];
    // scores 876 and 244 while talking: two gated packets, deltas |876-244| + |244-876|
    expect(headersFrom(stop, 'talking-gate-hits')).toEqual([
      ['talking-gate-hits', '2'],
      ['talking-total-packets', '2'],
      ['talking-duration-ms', '40'],
      ['talking-average-energy', '560.000000'],
      ['talking-delta-average', '632.000000'],
      ['talking-hit-on-percent', '100.000000'],
      ['talking-non-hit-ratio', '50.000000'],
      ['talking-hit-off-percent', '50.000000'],
      ['talking-hit-off-differential', '50.000000'],
      ['Action', 'stop-talking'],
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('the conference API command', () => {
  const HELP = [
    '\t\tcount',
    '\t\tlist [delim <string>]|[count]',
    '\t\tenergy <member_id|all|last|non_moderator> [<newval>]',
    '\t\tvolume_in <member_id|all|last|non_moderator> [<newval>]',
    '\t\tvolume_out <member_id|all|last|non_moderator> [<newval>]',
    '\t\tplay <file_path> [async|<member_id> [nomux]]',
    '\t\tpause [<member_id>]',
    '\t\tsay <text>',
    '\t\tsaymember <member_id> <text>',
    '\t\tstop <[current|all|async|last]> [<member_id>]',
    '\t\tkick <[member_id|all|last|non_moderator]> [<optional sound file>]',
    '\t\thup <[member_id|all|last|non_moderator]>',
    '\t\tmute <[member_id|all]|last|non_moderator> [<quiet>]',
    '\t\ttmute <[member_id|all]|last|non_moderator> [<quiet>]',
    '\t\tunmute <[member_id|all]|last|non_moderator> [<quiet>]',
    '\t\tdeaf <[member_id|all]|last|non_moderator>',
    '\t\tundeaf <[member_id|all]|last|non_moderator>',
    '\t\tlock',
    '\t\tunlock',
    '\t\tdial <endpoint_module_name>/<destination> <callerid number> <callerid name>',
    '\t\tbgdial <endpoint_module_name>/<destination> <callerid number> <callerid name>',
    '\t\trecord <filename>',
    '\t\tchkrecord <confname>',
    '\t\tnorecord <[filename|all]>',
    '\t\tpause <filename>',
    '\t\tresume <filename>',
    '\t\trecording [start|stop|check|pause|resume] [<filename>|all]',
  ].join('\n');

  it('without a conference: help, list, count, an unknown name', async () => {
    const t = await setup();
    expect(await t.sw.api('conference')).toBe(`${HELP}\n`);
    expect(await t.sw.api('conference help')).toBe(`${HELP}\n`);
    expect(await t.sw.api('conference list')).toBe('+OK No active conferences.\n');
    expect(await t.sw.api('conference count')).toBe('0');
    expect(await t.sw.api('conference nosuch list')).toBe('-ERR Conference nosuch not found\n');
    expect(await t.sw.api('conference nosuch')).toBe('-ERR Conference nosuch not found\n');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('list (delim, pretty, summary, count), count, and each member subcommand’s reply', async () => {
    const t = await setup();
    const [a, b, c] = [await join(t, 1), await join(t, 2, 'room+flags{moderator}'), await join(t, 3)];
    await tick(t);
    t.sub.take();
    const line = (l: Leg, n: number, flags: string, d = ';') => [n, `null/${n}`, l.uuid, 'Outbound Call', n, flags, 0, 0, 100].join(d);
    const lines = `${line(c, 3, 'hear|speak|floor')}\n${line(b, 2, 'hear|speak|moderator')}\n${line(a, 1, 'hear|speak')}\n`;
    const header = '+OK Conference room (3 members rate: 8000 flags: running|answered|enforce_min|dynamic|exit_sound|enter_sound|json_status)\n';
    expect(await t.sw.api('conference room list')).toBe(lines);
    expect(await t.sw.api('conference list')).toBe(header + lines);
    expect(await t.sw.api('conference list summary')).toBe(header);
    expect(await t.sw.api('conference list delim ,')).toBe(header + lines.replaceAll(';', ','));
    expect(await t.sw.api('conference room list delim "|"')).toBe(
      `${line(c, 3, 'hear|speak|floor', '|')}\n${line(b, 2, 'hear|speak|moderator', '|')}\n${line(a, 1, 'hear|speak', '|')}\n`,
    );
    expect(await t.sw.api('conference room list pretty')).toBe('3) Outbound Call (3)\n2) Outbound Call (2)\n1) Outbound Call (1)\n');
    expect(await t.sw.api('conference room list count')).toBe('3');
    expect(await t.sw.api('conference room count')).toBe('3');
    expect(await t.sw.api('conference count')).toBe('1');
    expect(await t.sw.api('conference room')).toBe("Conference command, not specified.\nTry 'help'\n");
    expect(await t.sw.api('conference room bogus')).toBe("-ERR Conference command 'bogus' not found.\n");

    expect(await t.sw.api('conference room mute')).toBe('mute <[member_id|all]|last|non_moderator> [<quiet>]');
    expect(await t.sw.api('conference room mute 9')).toBe('-ERR Non-Existant ID 9\n');
    expect(await t.sw.api('conference room mute all')).toBe('+OK mute 3\n+OK mute 2\n+OK mute 1\n');
    expect(await t.sw.api('conference room unmute non_moderator')).toBe('+OK unmute 3\nSkipping moderator (member id 2).\n+OK unmute 1\n');
    expect(await t.sw.api('conference room tmute last')).toBe('+OK mute 3\n');
    expect(await t.sw.api('conference room tmute 3 quiet')).toBe('+OK unmute 3\n');
    expect(await t.sw.api('conference room deaf conference_member_id=2')).toBe('+OK deaf 2\n');
    expect(await t.sw.api('conference room undeaf nobody=here')).toBe('-ERR Non-Existant member\n');
    expect(await t.sw.api('conference room undeaf 2')).toBe('+OK undeaf 2\n');
    expect(actions(t.sub.take())).toEqual([
      'mute-member 3',
      'mute-member 2',
      'mute-member 1',
      'unmute-member 3',
      'unmute-member 1',
      'mute-member 3',
      'unmute-member 3',
      'deaf-member 2',
      'undeaf-member 2',
    ]);
    expect(await t.sw.api('conference room list')).toBe(
      `${line(c, 3, 'hear|speak|floor')}\n${line(b, 2, 'hear|moderator')}\n${line(a, 1, 'hear|speak')}\n`,
    );

    expect(await t.sw.api('conference room energy 1')).toBe('Energy 1 = 100\n');
    expect(await t.sw.api('conference room energy 1 up')).toBe('Energy 1 = 300\n');
    expect(await t.sw.api('conference room energy 1 down')).toBe('Energy 1 = 100\n');
    expect(await t.sw.api('conference room energy 1 2500')).toBe('Energy 1 = 2500\n');
    const energy = conferenceEvents(t.sub.take());
    expect(energy.map((e) => headersFrom(e, 'Current-Energy'))).toEqual(
      [300, 100, 2500].map((v) => [
        ['Current-Energy', '0'],
        ['Action', 'energy-level-member'],
        ['Energy-Level', String(v)],
      ]),
    );

    expect(await t.sw.api('conference room hup 1')).toBe('+OK hup 1\n');
    await t.settle();
    expect(actions(t.sub.take())).toEqual(['hup-member 1', 'del-member 1']);
    // hup ends the application, as kick does; `&conference(room)` had nothing after it, so the call is over
    expect(await t.sw.api(`uuid_exists ${a.uuid}`)).toBe('false');
    expect(await t.sw.api('conference room kick all')).toBe('+OK kicked 3\n+OK kicked 2\n');
    await t.settle();
    // FreeSWITCH's API thread fires every kick before the members' threads notice
    expect(actions(t.sub.take())).toEqual(['kick-member 3', 'kick-member 2', 'floor-change', 'del-member 3', 'del-member 2']);
    await tick(t);
    expect(actions(t.sub.take())).toEqual(['conference-destroy']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('kick ends the member’s application and the dialplan goes on; a hangup takes a member out', async () => {
    const t = await setup({
      dialplan: staticDialplan({ default: { '3000': [['conference', 'room'], ['set', 'after_conference=yes'], ['park']] } }),
    });
    const a = await join(t, 1);
    const b = leg(t, 2);
    await t.sw.originate(`{origination_uuid=${b.uuid}}null/2 3000`);
    await t.settle();
    const c = await join(t, 3);
    t.sub.take();
    expect(await t.sw.api('conference room kick 2')).toBe('+OK kicked 2\n');
    await t.settle();
    const events = t.sub.take().filter((e) => e.subclass === MAINT || e.type.startsWith('CHANNEL_EXECUTE') || e.type === 'CHANNEL_PARK');
    expect(
      events.map((e) => `${e.type === 'CUSTOM' ? e.getHeader('Action') : e.type} ${e.getHeader('Application') ?? e.getHeader('Member-ID') ?? ''}`),
    ).toEqual([
      'kick-member 2',
      'del-member 2',
      'CHANNEL_EXECUTE_COMPLETE conference',
      'CHANNEL_EXECUTE set',
      'CHANNEL_EXECUTE_COMPLETE set',
      'CHANNEL_EXECUTE park',
      'CHANNEL_PARK ',
    ]);
    expect(await t.sw.api(`uuid_getvar ${b.uuid} after_conference`)).toBe('yes');
    // its audio no longer goes to the conference, the conference no longer writes to it
    expect(t.sw.core.media.routeOf(b.uuid)).toBeUndefined();
    const before = b.heard.length;
    await tick(t);
    expect(b.heard).toHaveLength(before);
    expect(await t.sw.api('conference room kick 2')).toBe('-ERR Non-Existant ID 2\n');
    expect(actions(t.sub.take())).toEqual(['floor-change 3']);

    expect(await t.sw.api(`uuid_kill ${c.uuid}`)).toBe('+OK\n');
    await t.settle();
    expect(actions(t.sub.take())).toEqual(['floor-change', 'del-member 3']);
    expect(await t.sw.api('conference room list')).toMatch(new RegExp(`^1;null/1;${a.uuid};`));
    expect(await t.sw.api('conference room count')).toBe('1');
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('playing files into a conference', () => {
  it('play: everyone hears the file mixed in, play-file then play-file-done with its length; a file with no source is not found', async () => {
    const t = await setup();
    const a = await join(t, 1);
    const b = await join(t, 2);
    t.sub.take();
    expect(await t.sw.api('conference room play tone_stream://%(100,0,1000)')).toBe('+OK (play) Playing file tone_stream://%(100,0,1000)\n');
    const play = conferenceEvents(t.sub.take()).at(-1);
    expect(headersFrom(play as SwitchEvent, 'Action').slice(0, 3)).toEqual([
      ['Action', 'play-file'],
      ['File', 'tone_stream://%(100,0,1000)'],
      ['Async', 'false'],
    ]);
    const from = [a.heard.length, b.heard.length];
    await tick(t, 6);
    // five packets of 1 kHz for both, then the file is done
    for (const [i, l] of [a, b].entries()) {
      const samples = l.heard.slice(from[i], (from[i] ?? 0) + 5).flatMap((f) => [...f.payload].map(ulawToLinear));
      expect(share(samples, 1000)).toBeGreaterThan(0.9);
    }
    const done = conferenceEvents(t.sub.take()).find((e) => e.getHeader('Action') === 'play-file-done');
    expect(['seconds', 'milliseconds', 'samples', 'File', 'Async'].map((n) => done?.getHeader(n))).toEqual([
      '0',
      '100',
      '800',
      'tone_stream://%(100,0,1000)',
      undefined,
    ]);
    expect(await t.sw.api('conference room play /no/such/file.wav')).toBe('-ERR (play) File: /no/such/file.wav not found.\n');
    // async: a second async file ends the first (play-file-done, Async true)
    await t.sw.api('conference room play tone_stream://%(1000,0,500) async');
    await t.sw.api('conference room play tone_stream://%(1000,0,700) async');
    const replaced = conferenceEvents(t.sub.take()).filter((e) => e.getHeader('Action') !== 'play-file');
    expect(replaced.map((e) => [e.getHeader('Action'), e.getHeader('File'), e.getHeader('Async'), e.getHeader('samples')])).toEqual([
      ['play-file-done', 'tone_stream://%(1000,0,500)', 'true', '0'],
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('member flags', () => {
  it('an endconf member leaving ends the conference: the others are hung up (unless hangup_after_conference=false) before conference-destroy', async () => {
    const t = await setup({
      dialplan: staticDialplan({ default: { '3000': [['conference', 'room'], ['set', 'after_conference=yes'], ['park']] } }),
    });
    const a = await join(t, 1, 'room+flags{endconf}');
    const b = await join(t, 2);
    const c = leg(t, 3);
    await t.sw.originate(`{origination_uuid=${c.uuid},hangup_after_conference=false}null/3 3000`);
    await t.settle();
    t.sub.take();
    await t.sw.api(`uuid_kill ${a.uuid}`);
    await t.settle();
    expect(actions(t.sub.take())).toEqual(['del-member 1']);
    await tick(t);
    const events = t.sub.take().filter((e) => e.subclass === MAINT || e.type === 'CHANNEL_HANGUP' || e.type === 'CHANNEL_PARK');
    expect(
      events.map(
        (e) => `${e.getHeader('Action') ?? e.type} ${e.getHeader('Unique-ID') === b.uuid ? 'B' : e.getHeader('Unique-ID') === c.uuid ? 'C' : ''}`,
      ),
    ).toEqual(['del-member C', 'CHANNEL_PARK C', 'CHANNEL_HANGUP B', 'del-member B', 'conference-destroy ']);
    expect(events[2]?.getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('mintwo: once two were in, one leaving ends the conference; mute-detect: a muted member who talks fires mute-detect and is not heard', async () => {
    const t = await setup();
    const a = await join(t, 1, 'room+flags{mintwo}');
    const b = await join(t, 2, 'room+flags{mute|mute-detect}');
    const c = await join(t, 3);
    await tick(t);
    t.sub.take();
    b.say(0xab);
    await tick(t);
    const detected = conferenceEvents(t.sub.take());
    // the floor does not ask whether a member may speak: B's average passed 300
    expect(actions(detected)).toEqual(['mute-detect 2', 'floor-change 2']);
    const [detect] = detected as [SwitchEvent];
    expect(headersFrom(detect, 'Video')).toEqual([
      ...MEMBER_FLAGS_TAIL({ id: 2, speak: false, talking: true, current: 5116 }).map(([n, v]) => (n === 'Mute-Detect' ? [n, 'true'] : [n, v])),
      ['Action', 'mute-detect'],
    ]);
    expect(a.heard.at(-1)?.payload.every((x) => x === 0xab)).toBe(false);
    await t.sw.api(`uuid_kill ${c.uuid}`);
    await t.sw.api(`uuid_kill ${b.uuid}`);
    await t.settle();
    expect(await t.sw.api('conference list summary')).toMatch(/^\+OK Conference room \(1 member rate: 8000 flags: destruct\|/);
    await tick(t);
    const events = t.sub.take().filter((e) => e.subclass === MAINT || e.type === 'CHANNEL_HANGUP');
    expect(events.map((e) => e.getHeader('Action') ?? `${e.type} ${e.getHeader('Unique-ID') === a.uuid ? 'A' : ''}`)).toEqual([
      'CHANNEL_HANGUP ',
      'del-member',
      'CHANNEL_HANGUP ',
      'floor-change',
      'del-member',
      'CHANNEL_HANGUP A',
      'del-member',
      'conference-destroy',
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('join-only with no conference: rejected-join-only and a hangup; with one, a member like any other', async () => {
    const t = await setup();
    const a = leg(t, 1);
    await t.sw.originate(`{origination_uuid=${a.uuid}}null/1 &conference(room@default+flags{join-only})`);
    await t.settle();
    const events = t.sub.take();
    const [rejected] = conferenceEvents(events) as [SwitchEvent];
    expect(rejected.getHeader('Unique-ID')).toBe(a.uuid);
    expect(headersFrom(rejected, 'Caller-Privacy-Hide-Number').slice(1)).toEqual([
      ['Conference-Name', 'room'],
      ['Conference-Profile-Name', 'default'],
      ['Action', 'rejected-join-only'],
    ]);
    expect(events.find((e) => e.type === 'CHANNEL_HANGUP')?.getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');
    expect(t.logs).toContain('NOTICE Cannot create a conference since join-only flag is set');
    await join(t, 2);
    await join(t, 3, 'room+flags{join-only}');
    expect(await t.sw.api('conference room count')).toBe('2');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('conference_member_flags (and conference_member_flags_<flag>=true) add to the +flags{} list; conference_max_members', async () => {
    const t = await setup();
    const a = leg(t, 1);
    await t.sw.originate(
      `{origination_uuid=${a.uuid},conference_member_flags=mute,conference_member_flags_deaf=true,conference_max_members=2}null/1 &conference(room+flags{moderator})`,
    );
    await t.settle();
    expect(await t.sw.api('conference room list')).toBe(`1;null/1;${a.uuid};Outbound Call;1;moderator;0;0;100\n`);
    await join(t, 2);
    const c = leg(t, 3);
    await t.sw.originate(`{origination_uuid=${c.uuid}}null/3 &conference(room)`);
    await t.settle();
    expect(t.logs).toContain('NOTICE Conference room is full.');
    expect(await t.sw.api('conference room count')).toBe('2');
    expect(t.sub.take().some((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Unique-ID') === c.uuid)).toBe(true);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('parsing: the application’s argument and the flag lists', () => {
    expect(parseConferenceData('  sales@wideband+1234+flags{mute|deaf}')).toEqual({
      name: 'sales',
      profile: 'wideband',
      pin: '1234',
      flags: 'mute|deaf',
      bridge: false,
    });
    expect(parseConferenceData('a@b@c')).toEqual({ name: 'a@b', profile: 'c', pin: '', flags: undefined, bridge: false });
    expect(parseConferenceData('room+flags{moderator')).toMatchObject({ name: 'room', flags: 'moderator' });
    expect(parseConferenceData('bridge:room:null/1')).toMatchObject({ bridge: true });
    const f = new Set<MemberFlag>(['CAN_SEE']);
    setMemberFlags('mute,deaf|moderator|nonsense|ghost', f);
    expect([...f].sort()).toEqual(['CAN_BE_SEEN', 'CAN_SEE', 'GHOST', 'MOD']);
    expect(
      combineFlagVar(
        [
          ['conference_member_flags_mute', 'true'],
          ['Conference_Member_Flags', 'deaf'],
          ['conference_member_flags_ghost', 'false'],
        ],
        'conference_member_flags',
      ),
    ).toBe('(null)|mute|deaf');
  });
});
