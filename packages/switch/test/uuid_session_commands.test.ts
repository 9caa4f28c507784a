/**
 * Session heartbeats (enable_heartbeat_events, enable_heartbeat, sched_heartbeat,
 * uuid_session_heartbeat), uuid_fileman on a playing file, uuid_loglevel, uuid_zombie_exec,
 * uuid_xfer_zombie and uuid_early_ok, on null and loopback legs with the runtime's test clock.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AudioFrame, MediaPort } from '../src/index.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { type HeartbeatChannel, enableHeartbeat } from '../src/channel/heartbeat.ts';
import { linearToUlaw } from '../src/media/g711.ts';
import { type Setup, bridgedNulls, callNull, parkedNull, setup, stopSetup } from './switch_helpers.ts';

let t: Setup | undefined;
afterEach(async () => {
  if (t) await stopSetup(t);
  t = undefined;
});

/** Advances the test clock `ms` in `step` ms steps, settling after each. */
async function run(s: Setup, ms: number, step = 10): Promise<void> {
  for (let left = ms; left > 0; left -= step) {
    await s.clock.advance(Math.min(step, left));
    await s.settle();
  }
}

const heartbeats = (s: Setup) => s.sub.take().filter((e) => e.type === 'SESSION_HEARTBEAT');

describe('session heartbeats', () => {
  it('enable_heartbeat_events set before answer: a SESSION_HEARTBEAT with the channel data every 2 s (+1 frame) while up', async () => {
    t = await setup();
    const reply = await t.sw.originate('{enable_heartbeat_events=2}null/1 &park()');
    const leg = /^\+OK (\S+)\n$/.exec(reply)?.[1] ?? '';
    await t.settle();
    t.sub.take();
    await run(t, 2010, 201);
    expect(heartbeats(t)).toEqual([]);
    await run(t, 20);
    const first = heartbeats(t);
    expect(first.length).toBe(1);
    expect(first[0]?.getHeader('Unique-ID')).toBe(leg);
    expect(first[0]?.getHeader('Channel-State')).toBe('CS_EXECUTE');
    expect(first[0]?.getHeader('variable_enable_heartbeat_events')).toBe('2');
    await run(t, 2020, 101);
    expect(heartbeats(t).length).toBe(1);
    await t.sw.api(`uuid_kill ${leg}`);
    await t.settle();
    await run(t, 5000, 500);
    expect(heartbeats(t)).toEqual([]);
  });

  it('uuid_session_heartbeat: seconds start the media heartbeat, 0 means 60 (as FreeSWITCH), `off` stops it; its replies', async () => {
    t = await setup();
    const leg = await parkedNull(t);
    expect(await t.sw.api(`uuid_session_heartbeat ${leg} 1`)).toBe('+OK\n');
    t.sub.take();
    await run(t, 3100, 100);
    expect(heartbeats(t).length).toBe(3);
    expect(await t.sw.api(`uuid_session_heartbeat ${leg} off`)).toBe('+OK\n');
    await run(t, 3000, 500);
    expect(heartbeats(t)).toEqual([]);
    expect(await t.sw.api(`uuid_session_heartbeat ${leg} 0`)).toBe('+OK\n');
    await run(t, 59_000, 1000);
    expect(heartbeats(t)).toEqual([]);
    await run(t, 1100, 100);
    expect(heartbeats(t).length).toBe(1);
    expect(await t.sw.api(`uuid_session_heartbeat ${leg}`)).toBe('-USAGE: uuid_session_heartbeat <uuid> [sched] [0|<seconds>]\n');
    expect(await t.sw.api(`uuid_session_heartbeat ${leg} sched`)).toBe('-USAGE: uuid_session_heartbeat <uuid> [sched] [0|<seconds>]\n');
    expect(await t.sw.api('uuid_session_heartbeat 00000000-0000-4000-8000-000000000000 5')).toBe(
      '-ERR Cannot locate session. USAGE: uuid_session_heartbeat <uuid> [sched] [0|<seconds>]\n',
    );
  });

  it('sched keeps the session’s duration: with none it fires once at once; after enable 3 it fires every 3 s whatever seconds it is given', async () => {
    t = await setup();
    const leg = await parkedNull(t);
    t.sub.take();
    expect(await t.sw.api(`uuid_session_heartbeat ${leg} sched 5`)).toBe('+OK\n');
    await run(t, 10);
    expect(heartbeats(t).length).toBe(1);
    await run(t, 10_000, 500);
    expect(heartbeats(t)).toEqual([]);
    await t.sw.api(`uuid_session_heartbeat ${leg} 3`);
    expect(await t.sw.api(`uuid_session_heartbeat ${leg} sched 9`)).toBe('+OK\n');
    await run(t, 2990, 130);
    expect(heartbeats(t)).toEqual([]);
    await run(t, 10);
    expect(heartbeats(t).length).toBe(1);
    await run(t, 3000, 100);
    expect(heartbeats(t).length).toBe(1);
  });

  it('the enable_heartbeat application, with heartbeat_fire_on_set: the first one on the next frame; a bad argument logs the usage', async () => {
    t = await setup({
      dialplan: staticDialplan({
        default: {
          '7000': [['answer'], ['set', 'heartbeat_fire_on_set=true'], ['enable_heartbeat', '4'], ['park']],
          '7001': [['answer'], ['enable_heartbeat', '-1'], ['park']],
        },
      }),
    });
    const leg = await callNull(t, '7000');
    expect(leg).toMatch(/-/);
    await run(t, 20);
    expect(heartbeats(t).length).toBe(1);
    await run(t, 4000, 100);
    expect(heartbeats(t)).toEqual([]);
    await run(t, 20);
    expect(heartbeats(t).length).toBe(1);
    await callNull(t, '7001', 2);
    expect(t.logs).toContain('ERR Usage: [0|<seconds>]');
  });
});

describe('the media heartbeat on its own', () => {
  it('a beat due once the call is down fires nothing and stops (the session reads no more frames)', () => {
    const timers: (() => void | Promise<void>)[] = [];
    const fired: string[] = [];
    const ch: HeartbeatChannel & { hungUp: boolean } = {
      uuid: 'u',
      name: 'null/1',
      hungUp: false,
      mediaUp: true,
      core: { log: () => {} },
      variable: () => undefined,
      fire: (type: string) => fired.push(type),
      after: (_ms: number, fn: () => void | Promise<void>) => {
        timers.push(fn);
        return () => {};
      },
    };
    enableHeartbeat(ch, 1);
    void timers.shift()?.();
    expect(fired).toEqual(['SESSION_HEARTBEAT']);
    ch.hungUp = true;
    void timers.shift()?.();
    expect(fired).toEqual(['SESSION_HEARTBEAT']);
    expect(timers).toEqual([]);
  });
});

function recorder(): MediaPort & { frames: AudioFrame[] } {
  const frames: AudioFrame[] = [];
  return { codec: 'PCMU', frames, write: (f) => frames.push(f) };
}

/** A mono 8 kHz 16-bit WAV: `ms` of the constant `value`, then as long of `then`. */
function twoPartWav(ms: number, value: number, then: number): Uint8Array {
  const data = new Uint8Array(Int16Array.from({ length: ms * 16 }, (_, i) => (i < ms * 8 ? value : then)).buffer);
  const head = new DataView(new ArrayBuffer(44));
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) head.setUint8(at + i, text.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  head.setUint32(4, 36 + data.length, true);
  ascii(8, 'WAVEfmt ');
  head.setUint32(16, 16, true);
  head.setUint16(20, 1, true);
  head.setUint16(22, 1, true);
  head.setUint32(24, 8000, true);
  head.setUint32(28, 16000, true);
  head.setUint16(32, 2, true);
  head.setUint16(34, 16, true);
  ascii(36, 'data');
  head.setUint32(40, data.length, true);
  return Uint8Array.from([...new Uint8Array(head.buffer), ...data]);
}

describe('uuid_fileman', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true });
    dir = '';
  });

  /** A parked leg with a recorder for its far end, playing a 2 s file: a second of 1000s, a second of 500s (uuid_broadcast). */
  async function playing(): Promise<{ s: Setup; leg: string; port: ReturnType<typeof recorder> }> {
    dir = mkdtempSync(join(tmpdir(), 'beamline-fileman-'));
    writeFileSync(join(dir, 'two.wav'), twoPartWav(1000, 1000, 500));
    const s = await setup();
    t = s;
    const reply = await s.sw.originate(`{sound_prefix=${dir}}null/1 &park()`);
    const leg = /^\+OK (\S+)\n$/.exec(reply)?.[1] ?? '';
    await s.settle();
    const port = recorder();
    s.sw.core.media.attach(leg, port);
    await s.sw.api(`uuid_broadcast ${leg} two.wav aleg`);
    await s.settle();
    s.sub.take();
    return { s, leg, port };
  }

  const stops = (s: Setup) => s.sub.take().filter((e) => e.type === 'PLAYBACK_STOP');
  const allAre = (frames: AudioFrame[], value: number) => frames.length > 0 && frames.every((f) => f.payload.every((b) => b === linearToUlaw(value)));

  it('no file playing: -ERR No file handle!; no channel; usage', async () => {
    t = await setup();
    const leg = await parkedNull(t);
    expect(await t.sw.api(`uuid_fileman ${leg} pause`)).toBe('-ERR No file handle!\n');
    expect(await t.sw.api('uuid_fileman 00000000-0000-4000-8000-000000000000 pause')).toBe('-ERR No such channel!\n');
    expect(await t.sw.api(`uuid_fileman ${leg}`)).toBe('-USAGE: <uuid> <cmd>:<val>\n');
  });

  it('untouched, the playback ends after the file’s length as before', async () => {
    const { s } = await playing();
    await run(s, 1990);
    expect(stops(s)).toEqual([]);
    await run(s, 20);
    expect(stops(s).length).toBe(1);
  });

  it('pause holds the file (pause frames of -1, no end) until a second pause; the rest then plays', async () => {
    const { s, leg, port } = await playing();
    await run(s, 500);
    expect(await s.sw.api(`uuid_fileman ${leg} pause`)).toBe('+OK\n');
    await s.settle();
    port.frames.length = 0;
    await run(s, 3000);
    expect(stops(s)).toEqual([]);
    expect(allAre(port.frames.slice(2), -1)).toBe(true);
    expect(await s.sw.api(`uuid_fileman ${leg} pause`)).toBe('+OK\n');
    await s.settle();
    port.frames.length = 0;
    await run(s, 1400);
    // the file goes on where it stopped: the rest of the first second, then the second
    expect(allAre(port.frames.slice(2, 20), 1000)).toBe(true);
    expect(allAre(port.frames.slice(30), 500)).toBe(true);
    expect(stops(s)).toEqual([]);
    await run(s, 150);
    const [stop] = stops(s);
    expect(stop?.getHeader('Playback-Status')).toBe('done');
    expect(Number(stop?.getHeader('variable_playback_ms'))).toBeGreaterThanOrEqual(1990);
  });

  it('seek:+1000 skips a second (the end comes a second sooner); restart plays it from its start again', async () => {
    const { s, leg, port } = await playing();
    await run(s, 200);
    expect(await s.sw.api(`uuid_fileman ${leg} seek:+1000`)).toBe('+OK\n');
    await s.settle();
    port.frames.length = 0;
    await run(s, 700);
    // the audio moved with it: the second part plays at once
    expect(allAre(port.frames.slice(2), 500)).toBe(true);
    expect(stops(s)).toEqual([]);
    await run(s, 150);
    expect(stops(s).length).toBe(1);
    await s.sw.api(`uuid_broadcast ${leg} two.wav aleg`);
    await s.settle();
    await run(s, 1500);
    expect(await s.sw.api(`uuid_fileman ${leg} restart`)).toBe('+OK\n');
    await s.settle();
    port.frames.length = 0;
    await run(s, 500);
    expect(allAre(port.frames.slice(2), 1000)).toBe(true);
    await run(s, 1400);
    expect(stops(s)).toEqual([]);
    await run(s, 150);
    expect(stops(s).length).toBe(1);
  });

  it('stop ends the playback at once, as played (done); volume:2 makes the rest louder (switch_change_sln_volume 2.3×)', async () => {
    const { s, leg, port } = await playing();
    await run(s, 200);
    expect(await s.sw.api(`uuid_fileman ${leg} volume:2`)).toBe('+OK\n');
    await s.settle();
    port.frames.length = 0;
    await run(s, 200);
    expect(allAre(port.frames.slice(2), 2300)).toBe(true);
    expect(await s.sw.api(`uuid_fileman ${leg} stop`)).toBe('+OK\n');
    await run(s, 10);
    const [stop] = stops(s);
    expect(stop?.getHeader('Playback-Status')).toBe('done');
    expect(Number(stop?.getHeader('variable_playback_ms'))).toBeLessThan(500);
    expect(await s.sw.api(`uuid_fileman ${leg} stop`)).toBe('-ERR No file handle!\n');
  });
});

describe('uuid_loglevel, uuid_zombie_exec, uuid_early_ok', () => {
  it('uuid_loglevel raises the hard log level for that session’s lines only (-b: the bridged partner too); its replies', async () => {
    t = await setup();
    const leg = await parkedNull(t, 1);
    const other = await parkedNull(t, 2);
    t.sw.core.logger.setLevel(3);
    const lines = () => t?.logs.filter((l) => l.startsWith('INFO') && l.includes('setting session heartbeat')).length;
    await t.sw.api(`uuid_session_heartbeat ${leg} 5`);
    expect(lines()).toBe(0);
    expect(await t.sw.api(`uuid_loglevel ${leg} debug`)).toBe('+OK\n');
    await t.sw.api(`uuid_session_heartbeat ${leg} 5`);
    expect(lines()).toBe(1);
    // the other session keeps the hard level
    await t.sw.api(`uuid_session_heartbeat ${other} 5`);
    expect(lines()).toBe(1);
    expect(await t.sw.api(`uuid_loglevel ${leg} loud`)).toBe('-ERR Invalid log level!\n');
    expect(await t.sw.api(`uuid_loglevel ${leg}`)).toBe('-USAGE: <uuid> <level>\n');
    expect(await t.sw.api('uuid_loglevel nope debug')).toBe('-ERR No such channel nope!\n');
  });

  it('the session_loglevel application does what uuid_loglevel does, on its own channel; a bad level is an error', async () => {
    t = await setup();
    const leg = await parkedNull(t, 1);
    const other = await parkedNull(t, 2);
    t.sw.core.logger.setLevel(3);
    const lines = () => t?.logs.filter((l) => l.startsWith('INFO') && l.includes('setting session heartbeat')).length;
    expect(await t.sw.sendExecute(leg, 'session_loglevel', 'debug')).toBe(true);
    await t.settle();
    await t.sw.api(`uuid_session_heartbeat ${leg} 5`);
    expect(lines()).toBe(1);
    await t.sw.api(`uuid_session_heartbeat ${other} 5`);
    expect(lines()).toBe(1);
    t.sw.core.logger.setLevel(7);
    await t.sw.sendExecute(leg, 'session_loglevel', 'Info');
    await t.sw.sendExecute(leg, 'session_loglevel', 'loud');
    await t.sw.sendExecute(leg, 'session_loglevel', '');
    await t.settle();
    expect(t.logs).toContain('DEBUG Setting log level "INFO" on session');
    expect(t.logs).toContain('ERR Invalid log level: loud');
    expect(t.logs).toContain('ERR No log level specified');
    expect(await t.sw.api(`uuid_exists ${leg}`)).toBe('true');
  });

  it('uuid_loglevel -b sets the bridged partner’s level too', async () => {
    t = await setup();
    const a = await parkedNull(t, 1);
    const b = await parkedNull(t, 2);
    await t.sw.api(`uuid_bridge ${a} ${b}`);
    await t.settle();
    t.sw.core.logger.setLevel(3);
    expect(await t.sw.api(`uuid_loglevel ${a} -b info`)).toBe('+OK\n');
    await t.sw.api(`uuid_session_heartbeat ${b} 5`);
    expect(t.logs.filter((l) => l.startsWith('INFO') && l.includes('setting session heartbeat')).length).toBe(1);
  });

  it('uuid_zombie_exec: at hangup the rest of the extension runs (zombie_exec applications only); without it nothing does', async () => {
    t = await setup({
      dialplan: staticDialplan({
        default: {
          '8000': [['answer'], ['park'], ['set', 'after_hangup=yes'], ['playback', 'silence_stream://100'], ['log', 'INFO zombie was here']],
        },
      }),
    });
    const plain = await callNull(t, '8000', 1);
    const zombie = await callNull(t, '8000', 2);
    expect(await t.sw.api(`uuid_zombie_exec ${zombie}`)).toBe('+OK MMM Brains...\n');
    expect(await t.sw.api('uuid_zombie_exec nope')).toBe('-ERR no such session\n');
    t.sub.take();
    await t.sw.api(`uuid_kill ${plain}`);
    await t.sw.api(`uuid_kill ${zombie}`);
    await t.settle();
    const complete = t.sub.take().filter((e) => e.type === 'CHANNEL_HANGUP_COMPLETE');
    const of = (u: string) => complete.find((e) => e.getHeader('Unique-ID') === u);
    expect(of(plain)?.getHeader('variable_after_hangup')).toBeUndefined();
    expect(of(zombie)?.getHeader('variable_after_hangup')).toBe('yes');
    expect(t.logs.filter((l) => l === 'INFO zombie was here').length).toBe(1);
  });

  it('the set_zombie_exec application does what uuid_zombie_exec does; park_state parks the channel as uuid_park does', async () => {
    t = await setup({
      dialplan: staticDialplan({
        default: {
          z: [['answer'], ['set_zombie_exec'], ['park'], ['set', 'after_hangup=yes'], ['log', 'INFO zombie was here']],
          p: [['answer'], ['park_state'], ['set', 'after_park=yes']],
        },
      }),
    });
    const zombie = await callNull(t, 'z', 1);
    expect(t.logs).toContain('DEBUG null/1 MMM Brains....');
    t.sub.take();
    await t.sw.api(`uuid_kill ${zombie}`);
    await t.settle();
    const complete = t.sub.take().find((e) => e.type === 'CHANNEL_HANGUP_COMPLETE');
    expect(complete?.getHeader('variable_after_hangup')).toBe('yes');
    expect(t.logs).toContain('INFO zombie was here');
    const parked = await callNull(t, 'p', 2);
    const events = t.sub.take().filter((e) => e.getHeader('Unique-ID') === parked);
    expect(events.some((e) => e.type === 'CHANNEL_PARK')).toBe(true);
    expect(await t.sw.api(`uuid_getvar ${parked} after_park`)).toBe('_undef_');
    expect(await t.sw.api(`uuid_exists ${parked}`)).toBe('true');
  });

  it('uuid_early_ok on a leg being dialled with ignore_early_media: the originate takes its early media; replies', async () => {
    t = await setup({
      dialplan: staticDialplan({ default: { '3000': [['pre_answer'], ['park']] } }),
    });
    const A = 'aaaaaaaa-1111-4111-8111-111111111111';
    let reply: string | undefined;
    void t.sw.originate(`{ignore_early_media=true,origination_uuid=${A},originate_timeout=10}loopback/3000 &park()`).then((r) => {
      reply = r;
    });
    await run(t, 500);
    expect(reply).toBeUndefined();
    expect(await t.sw.api(`uuid_early_ok ${A}`)).toBe('');
    await run(t, 100);
    expect(reply).toBe(`+OK ${A}\n`);
    expect(await t.sw.api('uuid_early_ok nope')).toBe('-ERROR\n');
  });
});

describe('uuid_xfer_zombie', () => {
  it('a uuid_bridge peer whose caller hangs up parks for 3 s (park_timeout) instead of hanging up; its replies', async () => {
    t = await setup();
    expect(await t.sw.api('uuid_xfer_zombie')).toBe('-USAGE: <uuid>\n');
    expect(await t.sw.api('uuid_xfer_zombie nope')).toBe('-ERR Operation Failed\n');
    const { a, b } = await bridgedNulls(t);
    expect(await t.sw.api(`uuid_xfer_zombie ${b} extra`)).toBe('+OK Success\n');
    await t.sw.api(`uuid_kill ${a}`);
    await t.settle();
    expect(await t.sw.api(`uuid_exists ${b}`)).toBe('true');
    expect(t.sub.take().some((e) => e.type === 'CHANNEL_PARK' && e.getHeader('Unique-ID') === b)).toBe(true);
    await run(t, 2900, 100);
    expect(await t.sw.api(`uuid_exists ${b}`)).toBe('true');
    await run(t, 200, 100);
    expect(await t.sw.api(`uuid_exists ${b}`)).toBe('false');
  });

  it('without it, the answered peer hangs up NORMAL_CLEARING with its caller', async () => {
    t = await setup();
    const { a, b } = await bridgedNulls(t);
    await t.sw.api(`uuid_kill ${a}`);
    await t.settle();
    expect(await t.sw.api(`uuid_exists ${b}`)).toBe('false');
  });
});
