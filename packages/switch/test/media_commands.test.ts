import { describe, expect, it } from 'vitest';
import { broadcastLegs, broadcastTarget } from '../src/api/media_commands.ts';
import { type Setup, bridgedNulls, parkedNull, setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

/** `<type>[ <Application>]` of the events of `uuid`. */
function trace(t: Setup, uuid: string): string[] {
  return t.sub
    .take()
    .filter((e) => e.getHeader('Unique-ID') === uuid && e.type !== 'API')
    .map((e) => `${e.type}${e.getHeader('Application') ? ` ${e.getHeader('Application')}` : ''}`);
}

describe('uuid_broadcast, uuid_send_dtmf, uuid_hold: parsing (mod_commands, switch_ivr_broadcast)', () => {
  it('legs: none given is aleg with hold music to the other leg; each keyword is looked for anywhere, holdb takes bleg back', () => {
    expect(broadcastLegs(undefined)).toEqual({ aleg: true, bleg: false, holdBleg: true });
    expect(broadcastLegs('both')).toEqual({ aleg: true, bleg: true, holdBleg: false });
    expect(broadcastLegs('BLEG')).toEqual({ aleg: false, bleg: true, holdBleg: false });
    expect(broadcastLegs('aleg')).toEqual({ aleg: true, bleg: false, holdBleg: false });
    expect(broadcastLegs('holdb')).toEqual({ aleg: false, bleg: false, holdBleg: true });
    expect(broadcastLegs('both,holdb')).toEqual({ aleg: true, bleg: false, holdBleg: true });
    expect(broadcastLegs('nothing')).toEqual({ aleg: false, bleg: false, holdBleg: false });
  });

  it('app::arg names the application, else the path is played; app!cause hangs up after', () => {
    expect(broadcastTarget('/tmp/x.wav')).toEqual({ app: 'playback', arg: '/tmp/x.wav' });
    expect(broadcastTarget('local_stream://moh')).toEqual({ app: 'playback', arg: 'local_stream://moh' });
    expect(broadcastTarget('sleep::500')).toEqual({ app: 'sleep', arg: '500' });
    expect(broadcastTarget('playback::tone_stream://%(100,0,350)')).toEqual({ app: 'playback', arg: 'tone_stream://%(100,0,350)' });
    expect(broadcastTarget('sleep!user_busy::10')).toEqual({ app: 'sleep', arg: '10', hangupCause: 'user_busy' });
    expect(broadcastTarget('sleep!::10')).toEqual({ app: 'sleep', arg: '10', hangupCause: 'normal_clearing' });
  });
});

describe('uuid_broadcast', () => {
  it('queues the application on a parked leg, which runs it inside park; usage and unknown uuid', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    t.sub.take();
    expect(await t.sw.api(`uuid_broadcast ${uuid} playback::silence_stream://200`)).toBe('+OK Message sent\n');
    await t.settle();
    expect(trace(t, uuid)).toEqual(['CHANNEL_EXECUTE playback', 'PLAYBACK_START']);
    await t.clock.advance(200);
    await t.settle();
    expect(trace(t, uuid)).toEqual(['PLAYBACK_STOP', 'CHANNEL_EXECUTE_COMPLETE playback']);
    expect(await t.sw.api(`uuid_broadcast ${uuid}`)).toBe('-USAGE: <uuid> <path> [aleg|bleg|holdb|both]\n');
    expect(await t.sw.api('uuid_broadcast')).toBe('-USAGE: <uuid> <path> [aleg|bleg|holdb|both]\n');
    expect(await t.sw.api('uuid_broadcast 4a0f9c36-0000-4000-8000-000000000000 x.wav')).toBe('-ERR invalid uuid\n');
    // a legs word naming no leg queues nothing, and still answers +OK
    expect(await t.sw.api(`uuid_broadcast ${uuid} x.wav nowhere`)).toBe('+OK Message sent\n');
    await t.settle();
    expect(trace(t, uuid)).toEqual([]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a plain path is played; app!cause runs the application, then hangs up with the cause', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    t.sub.take();
    await t.sw.api(`uuid_broadcast ${uuid} /tmp/prompt.wav`);
    await t.settle();
    const started = t.sub.take().find((e) => e.type === 'CHANNEL_EXECUTE');
    expect(started?.getHeader('Application')).toBe('playback');
    expect(started?.getHeader('Application-Data')).toBe('/tmp/prompt.wav');
    await t.clock.advance(1000);
    await t.settle();
    t.sub.take();
    expect(await t.sw.api(`uuid_broadcast ${uuid} sleep!user_busy::10`)).toBe('+OK Message sent\n');
    await t.clock.advance(10);
    await t.settle();
    const evs = t.sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
    const names = evs.map((e) => `${e.type}${e.getHeader('Application') ? ` ${e.getHeader('Application')}` : ''}`);
    expect(names.slice(0, 4)).toEqual(['CHANNEL_EXECUTE sleep', 'CHANNEL_EXECUTE_COMPLETE sleep', 'CHANNEL_EXECUTE hangup', 'CHANNEL_HANGUP']);
    expect(evs.find((e) => e.type === 'CHANNEL_HANGUP')?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('on bridged legs it runs inside the bridge: aleg (default), bleg, both, holdb (none); the bridge stays up', async () => {
    const t = await setup();
    const { a, b } = await bridgedNulls(t);
    const legs = async (word: string) => {
      expect(await t.sw.api(`uuid_broadcast ${a} playback::silence_stream://50${word}`)).toBe('+OK Message sent\n');
      await t.clock.advance(50);
      await t.settle();
      const evs = t.sub.take().filter((e) => e.type === 'CHANNEL_EXECUTE');
      return evs.map((e) => (e.getHeader('Unique-ID') === a ? 'A' : 'B')).join('');
    };
    expect(await legs('')).toBe('A');
    // holdb only asks for hold music on the other leg: no leg is named, nothing runs
    expect(await legs(' holdb')).toBe('');
    expect(await legs(' aleg,holdb')).toBe('A');
    expect(await legs(' aleg')).toBe('A');
    expect(await legs(' bleg')).toBe('B');
    expect(await legs(' both')).toBe('BA');
    expect(await t.sw.api(`uuid_getvar ${a} signal_bond`)).toBe(b);
    expect(await t.sw.api(`uuid_getvar ${b} signal_bond`)).toBe(a);
    expect(trace(t, a)).toEqual([]);
    // single quotes keep a path with blanks one word (switch_separate_string)
    expect(await t.sw.api(`uuid_broadcast ${b} 'log::INFO hello there' aleg`)).toBe('+OK Message sent\n');
    await t.settle();
    expect(t.logs).toContain('INFO hello there');
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('the broadcast application (broadcast_function)', () => {
  it('broadcasts to both legs of its own call by default, to its own leg with hold music on the other for holdb; BROADCAST_SENT', async () => {
    const t = await setup();
    const { a, b } = await bridgedNulls(t);
    const run = async (data: string) => {
      expect(await t.sw.sendExecute(a, 'broadcast', data)).toBe(true);
      await t.settle();
      await t.clock.advance(60);
      await t.settle();
      const events = t.sub.take();
      response = events
        .find((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application') === 'broadcast')
        ?.getHeader('Application-Response');
      return events
        .filter((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'playback')
        .map((e) => `${e.getHeader('Unique-ID') === a ? 'A' : 'B'} ${e.getHeader('Application-Data')}`)
        .sort();
    };
    let response: string | undefined;
    expect(await run('silence_stream://50')).toEqual(['A silence_stream://50', 'B silence_stream://50']);
    expect(response).toBe('BROADCAST_SENT');
    const held = await run('silence_stream://50 holdb');
    expect(held).toContain('A silence_stream://50');
    expect(held).not.toContain('B silence_stream://50');
    expect(await run('silence_stream://50 aleg extra')).toEqual([]);
    expect(t.logs).toContain('ERR invalid args for broadcast app [silence_stream://50 aleg extra]');
    expect(await t.sw.api(`uuid_getvar ${b} signal_bond`)).toBe(a);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('hold music (switch_ivr_broadcast of hold_music to the other leg)', () => {
  async function bridged(globals: Record<string, string>) {
    const t = await setup({ globals: Object.entries(globals) });
    const { a, b } = await bridgedNulls(t);
    /** `<A|B> <type> <Application-Data>` of the executes since the last look. */
    const executes = () =>
      t.sub
        .take()
        .filter((e) => e.type === 'CHANNEL_EXECUTE' || e.type === 'CHANNEL_EXECUTE_COMPLETE')
        .map((e) => `${e.getHeader('Unique-ID') === a ? 'A' : 'B'} ${e.type} ${e.getHeader('Application-Data')}`);
    return { t, a, b, executes };
  }

  it('uuid_broadcast on a bridged leg (default legs): the other leg hears hold music until the application ends', async () => {
    const { t, a, executes } = await bridged({ hold_music: 'local_stream://moh' });
    expect(await t.sw.api(`uuid_broadcast ${a} playback::silence_stream://300`)).toBe('+OK Message sent\n');
    await t.settle();
    // A does not wait for the music to start (FreeSWITCH waits up to 5 s for it; DECISIONS.md #87)
    expect(executes()).toEqual(['A CHANNEL_EXECUTE silence_stream://300', 'B CHANNEL_EXECUTE local_stream://moh']);
    await t.clock.advance(300);
    await t.settle();
    expect(executes()).toEqual(['A CHANNEL_EXECUTE_COMPLETE silence_stream://300', 'B CHANNEL_EXECUTE_COMPLETE local_stream://moh']);
    // stopped for good: no second pass of the loop
    await t.clock.advance(5000);
    await t.settle();
    expect(executes()).toEqual([]);
    // aleg alone, or no hold music (or `silence`): the other leg hears nothing
    await t.sw.api(`uuid_broadcast ${a} playback::silence_stream://300 aleg`);
    await t.clock.advance(300);
    await t.settle();
    expect(executes()).toEqual(['A CHANNEL_EXECUTE silence_stream://300', 'A CHANNEL_EXECUTE_COMPLETE silence_stream://300']);
    await t.sw.stop();
    await t.rt.stop();
    const quiet = await bridged({ hold_music: 'silence' });
    await quiet.t.sw.api(`uuid_broadcast ${quiet.a} playback::silence_stream://300`);
    await quiet.t.clock.advance(300);
    await quiet.t.settle();
    expect(quiet.executes().filter((x) => x.startsWith('B'))).toEqual([]);
    await quiet.t.sw.stop();
    await quiet.t.rt.stop();
  });

  it('uuid_hold: the partner hears the hold music in a loop', async () => {
    const { t, a, b, executes } = await bridged({ hold_music: 'local_stream://moh' });
    expect(await t.sw.api(`uuid_hold ${a}`)).toBe('+OK Success\n');
    await t.settle();
    for (let i = 0; i < 2; i++) {
      await t.clock.advance(1000);
      await t.settle();
    }
    expect(executes().filter((x) => x === 'B CHANNEL_EXECUTE local_stream://moh')).toHaveLength(3);
    expect(await t.sw.api(`uuid_getvar ${b} current_loop`)).toBe('3');
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('uuid_break', () => {
  const played = (t: Setup, uuid: string) =>
    t.sub
      .take()
      .filter((e) => e.getHeader('Unique-ID') === uuid && e.type.startsWith('CHANNEL_EXECUTE') && e.getHeader('Application') !== 'park')
      .map(
        (e) =>
          `${e.type} ${e.getHeader('Application-Data')}${e.type === 'CHANNEL_EXECUTE_COMPLETE' ? ` ${e.getHeader('Application-Response')}` : ''}`,
      );

  it('ends a running playback (FILE PLAYED) and leaves park running; usage, unknown uuid, the `break` alias', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    t.sub.take();
    await t.sw.api(`uuid_broadcast ${uuid} playback::silence_stream://5000`);
    await t.settle();
    expect(await t.sw.api(`uuid_break ${uuid}`)).toBe('+OK\n');
    await t.settle();
    expect(played(t, uuid)).toEqual(['CHANNEL_EXECUTE silence_stream://5000', 'CHANNEL_EXECUTE_COMPLETE silence_stream://5000 FILE PLAYED']);
    // still parked: the next broadcast runs at once, nested in park
    await t.sw.api(`uuid_broadcast ${uuid} playback::silence_stream://100`);
    await t.settle();
    expect(played(t, uuid)).toEqual(['CHANNEL_EXECUTE silence_stream://100']);
    expect(await t.sw.api('uuid_break')).toBe('-USAGE: <uuid> [all]\n');
    expect(await t.sw.api('uuid_break 4a0f9c36-0000-4000-8000-000000000000')).toBe('-ERR No such channel!\n');
    expect(await t.sw.api(`break ${uuid}`)).toBe('+OK\n');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('with nothing to break, the next playback ends at once (CF_BREAK stays set until taken)', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    expect(await t.sw.api(`uuid_break ${uuid}`)).toBe('+OK\n');
    t.sub.take();
    await t.sw.api(`uuid_broadcast ${uuid} playback::silence_stream://5000`);
    await t.settle();
    expect(played(t, uuid)).toEqual(['CHANNEL_EXECUTE silence_stream://5000', 'CHANNEL_EXECUTE_COMPLETE silence_stream://5000 FILE PLAYED']);
    // taken: the one after plays in full
    await t.sw.api(`uuid_broadcast ${uuid} playback::silence_stream://300`);
    await t.settle();
    expect(played(t, uuid)).toEqual(['CHANNEL_EXECUTE silence_stream://300']);
    await t.clock.advance(300);
    await t.settle();
    expect(played(t, uuid)).toEqual(['CHANNEL_EXECUTE_COMPLETE silence_stream://300 FILE PLAYED']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('all drops the queued applications too; both breaks the bridged partner as well', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    t.sub.take();
    await t.sw.api(`uuid_broadcast ${uuid} playback::silence_stream://5000`);
    await t.sw.api(`uuid_broadcast ${uuid} playback::silence_stream://6000`);
    await t.settle();
    expect(await t.sw.api(`uuid_break ${uuid} all`)).toBe('+OK\n');
    await t.clock.advance(7000);
    await t.settle();
    expect(played(t, uuid)).toEqual(['CHANNEL_EXECUTE silence_stream://5000', 'CHANNEL_EXECUTE_COMPLETE silence_stream://5000 FILE PLAYED']);
    await t.sw.stop();
    await t.rt.stop();

    const b = await setup();
    const { a: a1, b: a2 } = await bridgedNulls(b);
    await b.sw.api(`uuid_broadcast ${a1} playback::silence_stream://5000 both`);
    await b.settle();
    b.sub.take();
    expect(await b.sw.api(`uuid_break ${a1} both`)).toBe('+OK\n');
    await b.settle();
    const completes = b.sub.take().filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE');
    expect(completes.map((e) => e.getHeader('Unique-ID')).sort()).toEqual([a1, a2].sort());
    await b.sw.stop();
    await b.rt.stop();
  });

  it('a looping broadcast (hold music) stops for good', async () => {
    const t = await setup({ globals: [['hold_music', 'local_stream://moh']] });
    const { a, b } = await bridgedNulls(t);
    await t.sw.api(`uuid_hold ${a}`);
    await t.clock.advance(1500);
    await t.settle();
    t.sub.take();
    expect(await t.sw.api(`uuid_break ${b}`)).toBe('+OK\n');
    await t.clock.advance(5000);
    await t.settle();
    expect(played(t, b)).toEqual(['CHANNEL_EXECUTE_COMPLETE local_stream://moh FILE PLAYED']);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('uuid_send_dtmf', () => {
  it('a null leg keeps the digits; last_dtmf_duration counts each digit and a 250 ms pause', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    expect(await t.sw.api(`uuid_send_dtmf ${uuid} 12`)).toBe(`+OK ${uuid} sent DTMF 12.\n`);
    expect(await t.sw.api(`uuid_getvar ${uuid} null_channel_dtmf_queued`)).toBe('12');
    // 2000 samples (250 ms) a digit by default, plus 250 ms each
    expect(await t.sw.api(`uuid_getvar ${uuid} last_dtmf_duration`)).toBe('1000');
    // @ms sets the duration of a group's digits; characters that are no DTMF are skipped
    expect(await t.sw.api(`uuid_send_dtmf ${uuid} 3x@100+#`)).toBe(`+OK ${uuid} sent DTMF 3x@100+#.\n`);
    expect(await t.sw.api(`uuid_getvar ${uuid} null_channel_dtmf_queued`)).toBe('123#');
    expect(await t.sw.api(`uuid_getvar ${uuid} last_dtmf_duration`)).toBe(String(100 + 250 + 250 + 250));
    expect(await t.sw.api(`uuid_send_dtmf ${uuid} xyz`)).toBe('-ERR Operation failed\n');
    expect(await t.sw.api(`uuid_send_dtmf ${uuid} ${'1'.repeat(100)}`)).toBe('-ERR Operation failed\n');
    expect(t.logs).toContain('ERR Attempt to send very large dtmf string ignored!');
    expect(await t.sw.api(`uuid_send_dtmf ${uuid}`)).toBe('-USAGE: <uuid> <dtmf_data>\n');
    expect(await t.sw.api('uuid_send_dtmf 4a0f9c36-0000-4000-8000-000000000000 1')).toBe('-ERR Cannot locate session!\n');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a loopback leg sends them to its other half, which fires DTMF events', async () => {
    const t = await setup();
    const a = UUID.exec(await t.sw.originate('loopback/1000 &park()'))?.[1] as string;
    await t.settle();
    t.sub.take();
    expect(await t.sw.api(`uuid_send_dtmf ${a} 5*`)).toBe(`+OK ${a} sent DTMF 5*.\n`);
    await t.settle();
    const dtmf = t.sub.take().filter((e) => e.type === 'DTMF');
    expect(
      dtmf.map((e) => [e.getHeader('Channel-Name'), e.getHeader('DTMF-Digit'), e.getHeader('DTMF-Duration'), e.getHeader('DTMF-Source')]),
    ).toEqual([
      ['loopback/1000-b', '5', '2000', 'UNKNOWN'],
      ['loopback/1000-b', '*', '2000', 'UNKNOWN'],
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('uuid_send_dtmf under fsctl durations', () => {
  it('default_dtmf_duration sets the digits without @ms; max_dtmf_duration caps them with the warning', async () => {
    const t = await setup();
    const a = UUID.exec(await t.sw.originate('loopback/1000 &park()'))?.[1] as string;
    await t.settle();
    expect(await t.sw.api('fsctl default_dtmf_duration 4000')).toBe('+OK default dtmf duration: 4000\n');
    expect(await t.sw.api('fsctl max_dtmf_duration 3000')).toBe('+OK max dtmf duration: 3000\n');
    t.sub.take();
    expect(await t.sw.api(`uuid_send_dtmf ${a} 7`)).toBe(`+OK ${a} sent DTMF 7.\n`);
    await t.settle();
    const durations = t.sub
      .take()
      .filter((e) => e.type === 'DTMF')
      .map((e) => e.getHeader('DTMF-Duration'));
    expect(durations).toEqual(['3000']);
    expect(t.logs.filter((l) => l.endsWith(' EXCESSIVE DTMF DIGIT [7] LEN [4000]'))).toHaveLength(1);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('DTMF across a bridge (audio_bridge_thread)', () => {
  it('a bridged leg passes the digits it receives on to its partner, unless bridge_filter_dtmf is set', async () => {
    for (const filter of [false, true]) {
      const t = await setup();
      const vars = filter ? '{bridge_filter_dtmf=true}' : '';
      await t.sw.originate(`${vars}loopback/1000 &bridge(null/2)`);
      await t.settle();
      const evs = t.sub.take();
      const uuidOf = (name: string) => evs.find((e) => e.getHeader('Channel-Name') === name)?.getHeader('Unique-ID') as string;
      const b = uuidOf('loopback/1000-b');
      const peer = uuidOf('null/2');
      expect(await t.sw.api(`uuid_getvar ${uuidOf('loopback/1000-a')} signal_bond`)).toBe(peer);
      expect(await t.sw.api(`uuid_send_dtmf ${b} 7#`)).toBe(`+OK ${b} sent DTMF 7#.\n`);
      await t.settle();
      // the A half hears them (DTMF events), and hands them to the bridged null leg
      expect(
        t.sub
          .take()
          .filter((e) => e.type === 'DTMF')
          .map((e) => `${e.getHeader('Channel-Name')} ${e.getHeader('DTMF-Digit')}`),
      ).toEqual(['loopback/1000-a 7', 'loopback/1000-a #']);
      expect(await t.sw.api(`uuid_getvar ${peer} null_channel_dtmf_queued`)).toBe(filter ? '_undef_' : '7#');
      await t.sw.stop();
      await t.rt.stop();
    }
  });
});

describe('uuid_hold', () => {
  it('fires CHANNEL_HOLD; null and loopback legs never become HELD, so off fails; unknown uuids succeed', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    t.sub.take();
    expect(await t.sw.api(`uuid_hold ${uuid}`)).toBe('+OK Success\n');
    await t.settle();
    const held = t.sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
    expect(held.map((e) => e.type)).toEqual(['CHANNEL_HOLD']);
    expect(held[0]?.getHeader('Channel-Call-State')).toBe('ACTIVE');
    expect(await t.sw.api(`uuid_hold toggle ${uuid}`)).toBe('+OK Success\n');
    await t.settle();
    expect(trace(t, uuid)).toEqual(['CHANNEL_HOLD']);
    expect(await t.sw.api(`uuid_hold off ${uuid}`)).toBe('-ERR Operation failed\n');
    expect(t.logs).toContain('WARNING Call is not on hold. No need to unhold.');
    expect(await t.sw.api('uuid_hold 4a0f9c36-0000-4000-8000-000000000000')).toBe('+OK Success\n');
    expect(await t.sw.api('uuid_hold off')).toBe('+OK Success\n');
    expect(await t.sw.api('uuid_hold')).toBe('-USAGE: [off|toggle] <uuid> [<display>]\n-ERR Operation failed\n');
    expect(await t.sw.api('help uuid_hold')).toBe('uuid_hold,[off|toggle] <uuid> [<display>],Place call on hold,mod_commands\n');
    await t.sw.stop();
    await t.rt.stop();
  });
});
