/**
 * mod_local_stream: one shared player per directory, heard by every channel that plays
 * `local_stream://<name>` — all at the same sample, a late one where the stream is; its files in
 * order, looping, a second of silence at each pass; shuffle; chimes; the hold music; a stream
 * that is not there. The stream starts with the switch (t = 0 on the test clock), so its first
 * packet of music is the one of tick 50 (1 s).
 */
import { GenServer, supervisionTree } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localStreams } from '../src/local_stream/module.ts';
import { Playlist } from '../src/local_stream/playlist.ts';
import { parseXml } from '../src/config/xml.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import {
  type Heard,
  PACKETS,
  advance,
  directory,
  listenOn,
  musicDir,
  packetId,
  sequence,
  streamConf,
  taggedSamples,
  wavFile,
} from './local_stream_helpers.ts';
import { type Setup, bridgedNulls, parkedNull, setup, stopSetup } from './switch_helpers.ts';

/** Three files of 10 packets in `moh/8000`. */
async function threeFiles(options: Parameters<typeof setup>[0] = {}, params: Record<string, string> = {}): Promise<Setup & { music: string }> {
  const music = musicDir({ '01.wav': 1, '02.wav': 2, '03.wav': 3 });
  const t = await setup({ confDir: streamConf(directory('moh/8000', music, params)), ...options });
  return { ...t, music };
}

/**
 * What tick k of a directory of three 10-packet files gives (from the stream's start): a pass is
 * 50 ticks of silence, then each file's packets and one silent tick after each.
 */
function expectedAt(k: number): number | undefined {
  const pass = 50 + 3 * (PACKETS + 1);
  const at = k % pass;
  if (at < 50) return undefined;
  const file = Math.floor((at - 50) / (PACKETS + 1));
  const packet = (at - 50) % (PACKETS + 1);
  return packet === PACKETS ? undefined : packetId(file + 1, packet);
}

const timeline = (heard: readonly Heard[]) => heard.map((h) => `${h.t}:${h.id ?? '-'}`);
const expectedTimeline = (heard: readonly Heard[]) => heard.map((h) => `${h.t}:${expectedAt(h.t / 20) ?? '-'}`);

async function play(t: Setup, uuid: string, file = 'local_stream://moh'): Promise<void> {
  await t.sw.api(`uuid_broadcast ${uuid} ${file} aleg`);
  await t.settle();
}

const completes = (t: Setup, uuid: string) =>
  t.sub
    .take()
    .filter((e) => e.getHeader('Unique-ID') === uuid && /^(PLAYBACK_|CHANNEL_EXECUTE_COMPLETE)/.test(e.type))
    .map((e) => (e.type === 'CHANNEL_EXECUTE_COMPLETE' ? `${e.type} ${e.getHeader('Application-Response')}` : e.type));

describe('a local stream plays its directory', () => {
  it('files in order, a second of silence at each pass, one silent packet between files, looping', async () => {
    const t = await threeFiles();
    const a = await parkedNull(t, 1);
    const heard = listenOn(t, a);
    await play(t, a);
    await advance(t, 4000);
    expect(timeline(heard)).toEqual(expectedTimeline(heard));
    expect(sequence(heard).slice(0, 6)).toEqual([undefined, packetId(1, 0), packetId(1, 1), packetId(1, 2), packetId(1, 3), packetId(1, 4)]);
    // the second pass starts with the first file again
    expect(heard.filter((h) => h.id === packetId(1, 0)).map((h) => h.t)).toEqual([1000, 2660]);
    await stopSetup(t);
  });

  it('every listener hears the same packet at the same time; one who comes late hears the stream where it is', async () => {
    const t = await threeFiles();
    const a = await parkedNull(t, 1);
    const b = await parkedNull(t, 2);
    const heardA = listenOn(t, a);
    const heardB = listenOn(t, b);
    await play(t, a);
    await advance(t, 1100);
    await play(t, b);
    await advance(t, 1500);
    const atA = new Map(heardA.map((h) => [h.t, h.id]));
    const both = heardB.filter((h) => h.t > 1100);
    expect(both.length).toBeGreaterThan(50);
    expect(both.map((h) => `${h.t}:${h.id}`)).toEqual(both.map((h) => `${h.t}:${atA.get(h.t)}`));
    // B came in at packet 5 of the first file: it hears packet 6 next, not the file's start
    expect(heardB.find((h) => h.id !== undefined)).toEqual({ t: 1120, id: packetId(1, 6) });
    expect(await t.sw.api('local_stream show moh/8000')).toContain('  total:    2\n');
    await stopSetup(t);
  });

  it('runs without listeners: the first one, at 1.3 s, hears what plays then', async () => {
    const t = await threeFiles();
    const a = await parkedNull(t, 1);
    const heard = listenOn(t, a);
    await advance(t, 1300);
    await play(t, a);
    await advance(t, 200);
    expect(heard.find((h) => h.id !== undefined)).toEqual({ t: 1320, id: packetId(2, 5) });
    await stopSetup(t);
  });

  it('the listener leaves when its playback ends (total 0); a break ends it as FILE PLAYED', async () => {
    const t = await threeFiles();
    const a = await parkedNull(t, 1);
    listenOn(t, a);
    t.sub.take();
    await play(t, a);
    await advance(t, 200);
    expect(await t.sw.api('local_stream show moh/8000')).toContain('  total:    1\n');
    await t.sw.api(`uuid_break ${a}`);
    await t.settle();
    expect(await t.sw.api('local_stream show moh/8000')).toContain('  total:    0\n');
    expect(completes(t, a)).toEqual(['PLAYBACK_START', 'PLAYBACK_STOP', 'CHANNEL_EXECUTE_COMPLETE FILE PLAYED']);
    expect(t.logs).toContain('DEBUG Opening Stream [moh/8000] 8000hz');
    await stopSetup(t);
  });

  it('a .loc file plays the files it lists, in its place; a file that does not open is an ERR and a second of silence', async () => {
    const elsewhere = musicDir({ 'x.wav': 5, 'y.wav': 6 });
    const music = musicDir({ '01.wav': 1 });
    writeFileSync(join(music, '02.loc'), `${join(elsewhere, 'y.wav')}\r\n${join(elsewhere, 'x.wav')}\n`);
    writeFileSync(join(music, '03.txt'), 'not audio');
    const t = await setup({ confDir: streamConf(directory('moh/8000', music)) });
    const a = await parkedNull(t, 1);
    const heard = listenOn(t, a);
    await play(t, a);
    // 1 s, three files of 11 ticks, 1 s after 03.txt, 1 s at the new pass: the first file again at 3.66 s
    await advance(t, 3700);
    const files = sequence(heard)
      .filter((id): id is number => id !== undefined && id % 16 === 0)
      .map((id) => id / 16);
    expect(files.slice(0, 4)).toEqual([1, 6, 5, 1]);
    expect(t.logs).toContain(`ERR Can't open ${join(music, '03.txt')}`);
    await stopSetup(t);
  });
});

describe('shuffle', () => {
  it('skips 1…count entries ahead after each file (and before the first), never the same file twice in a row', () => {
    const dir = musicDir({ 'a.wav': 1, 'b.wav': 2, 'c.wav': 3, 'd.wav': 4 });
    const draws = [2, 1, 3, 4, 4, 2];
    const list = new Playlist({ location: dir, shuffle: true, log: () => {} }, () => draws.shift() ?? 1);
    const played: string[] = [];
    while (played.length < 5) {
      expect(list.startPass()).toBe(true);
      for (let e = list.next(); e; e = list.next()) {
        if (!('path' in e)) continue;
        played.push(e.path.slice(-5));
        list.played();
      }
    }
    // skip 2 → c; skip 1 → d, pass over; a; skip 3 → b c d; b (a was last); skip 4 → c d a, b is last again: d
    expect(played.slice(0, 4)).toEqual(['c.wav', 'a.wav', 'b.wav', 'd.wav']);
  });

  it('a shuffled stream: the files in the order its draws give, each pass after a second of silence', async () => {
    const music = musicDir({ 'a.wav': 1, 'b.wav': 2, 'c.wav': 3 });
    const t = await setup({ confDir: streamConf(directory('moh/8000', music, { shuffle: 'true' })) });
    const draws = [1, 2, 3, 1, 1];
    const streams = localStreams(t.sw.core);
    if (!streams) throw new Error('mod_local_stream did not load');
    streams.random = () => draws.shift() ?? 1;
    await t.sw.api('local_stream stop moh/8000');
    expect(await t.sw.api('local_stream start moh/8000')).toBe('+OK stream: moh/8000');
    expect(await t.sw.api('local_stream show moh/8000')).toContain('  shuffle:  true\n');
    const a = await parkedNull(t, 1);
    const heard = listenOn(t, a);
    await play(t, a);
    await advance(t, 8000, 100);
    // skip 1 → b; skip 2 → c, a; c (b was last); skip 3: a, b, (c was last); b; skip 1 → c; a
    const starts = heard.filter((h) => h.id !== undefined && h.id % 16 === 0).map((h) => (h.id ?? 0) / 16);
    expect(starts.slice(0, 4)).toEqual([2, 3, 2, 1]);
    await stopSetup(t);
  });
});

describe('chimes', () => {
  it('every chime-freq seconds of music the chime plays over it (the music goes on underneath), then a silent packet', async () => {
    const music = musicDir({});
    writeFileSync(join(music, 'long.wav'), wavFile(taggedSamples(1, 120)));
    const chimes = musicDir({ 'chime.wav': 9 });
    const conf = directory('moh/8000', music, { 'chime-list': join(chimes, 'chime.wav'), 'chime-freq': '2' });
    const t = await setup({ confDir: streamConf(conf) });
    const a = await parkedNull(t, 1);
    const heard = listenOn(t, a);
    await play(t, a);
    await advance(t, 3400);
    const music98 = packetId(1, 98);
    const seq = sequence(heard);
    const at = seq.indexOf(music98);
    expect(seq.slice(at, at + 13)).toEqual([music98, ...Array.from({ length: PACKETS }, (_, p) => packetId(9, p)), undefined, packetId(1, 110)]);
    await stopSetup(t);
  });
});

describe('hold music', () => {
  it('a phone that holds the call with no hold_music: the partner hears local_stream://moh', async () => {
    const t = await threeFiles();
    const { a, b } = await bridgedNulls(t);
    const heard = listenOn(t, b);
    await advance(t, 1000);
    const pid = t.sw.core.sessions.get(a);
    if (!pid) throw new Error('no channel');
    GenServer.cast(t.rt, pid, { op: 'legHolding', on: true });
    await advance(t, 500);
    const music = heard.filter((h) => h.id !== undefined);
    expect(music.length).toBeGreaterThan(20);
    expect(timeline(music)).toEqual(expectedTimeline(music));
    expect(
      t.sub
        .take()
        .filter((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Unique-ID') === b)
        .map((e) => e.getHeader('Application-Data')),
    ).toEqual(['local_stream://moh']);
    await stopSetup(t);
  });

  it('hold (mod_dptools) with hold_music=local_stream://moh: the partner hears the stream until unhold', async () => {
    const t = await threeFiles({ globals: [['hold_music', 'local_stream://moh']] });
    const { a, b } = await bridgedNulls(t);
    const heard = listenOn(t, b);
    await advance(t, 1200);
    await t.sw.api(`uuid_broadcast ${a} hold:: aleg`);
    await advance(t, 400);
    const music = heard.filter((h) => h.id !== undefined);
    expect(music.length).toBeGreaterThan(10);
    expect(timeline(music)).toEqual(expectedTimeline(music));
    expect(await t.sw.api('local_stream show moh/8000')).toContain('  total:    1\n');
    await stopSetup(t);
  });
});

describe('ringback', () => {
  it('ringback=local_stream://moh: the caller hears the stream while the bridge dials', async () => {
    const C = '55555555-5555-4555-8555-555555555555';
    const dialplan = staticDialplan({
      default: {
        '5000': [
          ['set', 'ringback=local_stream://moh'],
          ['sleep', '100'],
          ['bridge', '{instant_ringback=true}[null_enable_auto_answer=false]null/2'],
        ],
      },
    });
    const t = await threeFiles({ dialplan });
    await t.sw.originate(`{origination_uuid=${C}}null/1 5000 XML default`);
    await t.settle();
    const heard = listenOn(t, C);
    await advance(t, 1500);
    const music = heard.filter((h) => h.id !== undefined);
    expect(music.length).toBeGreaterThan(10);
    expect(timeline(music)).toEqual(expectedTimeline(music));
    expect(await t.sw.api('local_stream show moh/8000')).toContain('  total:    1\n');
    await t.sw.api('hupall');
    await advance(t, 100);
    expect(await t.sw.api('local_stream show moh/8000')).toContain('  total:    0\n');
    await stopSetup(t);
  });
});

describe('a stream that is not there', () => {
  it("an unknown name: WARNING, then 'default' is tried", async () => {
    const music = musicDir({ '01.wav': 1 });
    const t = await setup({ confDir: streamConf(directory('default', music)) });
    const a = await parkedNull(t, 1);
    const heard = listenOn(t, a);
    await play(t, a, 'local_stream://jazz');
    await advance(t, 1200);
    expect(t.logs).toContain("WARNING Unknown source jazz, trying 'default'");
    expect(t.logs).toContain('DEBUG Opening Stream [default] 8000hz');
    expect(heard.some((h) => h.id === packetId(1, 0))).toBe(true);
    await stopSetup(t);
  });

  it('no default either: ERR Unknown source default; playback is FILE NOT FOUND at once, without PLAYBACK events', async () => {
    const t = await threeFiles();
    const a = await parkedNull(t, 1);
    t.sub.take();
    await play(t, a, 'local_stream://jazz');
    expect(t.logs).toContain("WARNING Unknown source jazz, trying 'default'");
    expect(t.logs).toContain('ERR Unknown source default');
    expect(completes(t, a)).toEqual(['CHANNEL_EXECUTE_COMPLETE FILE NOT FOUND']);
    // a name with `default` in it is not tried again
    const logged = t.logs.length;
    await t.sw.api(`uuid_broadcast ${a} loop_playback::+3\\slocal_stream://my_default aleg`);
    await t.settle();
    expect(t.logs.slice(logged).filter((l) => l.includes('Unknown source'))).toEqual(['ERR Unknown source my_default']);
    expect(completes(t, a)).toEqual(['CHANNEL_EXECUTE_COMPLETE FILE NOT FOUND']);
    await stopSetup(t);
  });

  it('without local_stream.conf the module is not loaded: local_stream:// is simulated, there is no local_stream command', async () => {
    const t = await setup();
    const a = await parkedNull(t, 1);
    t.sub.take();
    await play(t, a);
    await advance(t, 1000);
    expect(completes(t, a)).toEqual(['PLAYBACK_START', 'PLAYBACK_STOP', 'CHANNEL_EXECUTE_COMPLETE FILE PLAYED']);
    expect(await t.sw.api('local_stream show')).toBe('-ERR local_stream Command not found!\n');
    await stopSetup(t);
  });
});

describe('local_stream.conf', () => {
  it('the params launch_thread takes and refuses; a directory that cannot be read, a timer that does not exist', async () => {
    const music = musicDir({ '01.wav': 1 });
    const dirs = [
      directory('wide', music, { rate: '16000', channels: '2', interval: '30', prebuf: '100', volume: '99', shuffle: 'yes' }),
      directory('odd', music, { rate: '11025', channels: '3', interval: '25', prebuf: '-4' }),
      directory('nowhere', join(music, 'missing')),
      directory('posix', music, { 'timer-name': 'posix' }),
    ].join('\n');
    const t = await setup({ confDir: streamConf(dirs) });
    expect(await t.sw.api('local_stream show')).toBe(`wide,${music}\nodd,${music}\n`);
    expect(await t.sw.api('local_stream show wide')).toBe(
      `wide\n  location: ${music}\n  channels: 2\n  rate:     16000\n  interval: 30\n  samples:  480\n  prebuf:   1920\n  timer:    soft\n  total:    0\n  shuffle:  true\n  ready:    true\n  stopped:  false\n  reloading: false\n`,
    );
    expect(await t.sw.api('local_stream show odd')).toContain(
      '  channels: 1\n  rate:     8000\n  interval: 20\n  samples:  160\n  prebuf:   65536\n',
    );
    expect(t.logs).toContain('WARNING Interval must be multiple of 10 and less than 120, Using default of 20');
    expect(t.logs).toContain(`CONSOLE Can't open directory: ${join(music, 'missing')}`);
    expect(t.logs).toContain('ERR invalid timer posix!');
    expect(t.logs).toContain("CONSOLE Can't start timer.");
    await stopSetup(t);
  });
  it('local_stream.conf from an XML-fetch binding (switch_xml_open_cfg): start launches a stream the binding names', async () => {
    const t = await threeFiles();
    const fetched = musicDir({ '07.wav': 7 });
    const asked: string[] = [];
    t.sw.conf.xmlBindings.bind('erl', ['configuration'], async (r) => {
      asked.push(`${r.tagName} ${r.keyName}=${r.keyValue}`);
      return parseXml(`<section name="configuration"><configuration name="local_stream.conf">${directory('erl', fetched)}</configuration></section>`);
    });
    expect(await t.sw.api('local_stream start erl')).toBe('+OK stream: erl');
    expect(asked).toEqual(['configuration name=local_stream.conf']);
    expect(await t.sw.api('local_stream show')).toBe(`moh/8000,${t.music}\nerl,${fetched}\n`);
    // the binding's document has no moh/8000: nothing to launch
    await t.sw.api('local_stream stop moh/8000');
    expect(await t.sw.api('local_stream start moh/8000')).toBe('');
    await stopSetup(t);
  });
});

describe('the local_stream command', () => {
  const SYNTAX = '-USAGE: <show|start|reload|stop|hup> <local_stream_name>\n';

  it('show: the list, one stream as text or (as xml) XML, an unknown one; usage; nothing for a subcommand without a name', async () => {
    const t = await threeFiles();
    const m = t.music;
    expect(await t.sw.api('local_stream')).toBe(SYNTAX);
    expect(await t.sw.api('local_stream show')).toBe(`moh/8000,${m}\n`);
    const text = `moh/8000\n  location: ${m}\n  channels: 1\n  rate:     8000\n  interval: 20\n  samples:  160\n  prebuf:   65536\n  timer:    soft\n  total:    0\n  shuffle:  false\n  ready:    true\n  stopped:  false\n  reloading: false\n`;
    expect(await t.sw.api('local_stream show moh/8000')).toBe(text);
    // xml only as the fourth word (`show <name> as xml`, as the console completes it)
    expect(await t.sw.api('local_stream show moh/8000 xml')).toBe(text);
    expect(await t.sw.api('local_stream show moh/8000 as xml')).toBe(
      `<?xml version="1.0"?>\n<local_stream name="moh/8000">\n  <location>${m}</location>\n  <channels>1</channels>\n  <rate>8000</rate>\n  <interval>20<interval>\n  <samples>160</samples>\n  <prebuf>65536</prebuf>\n  <timer>soft</timer>\n  <total>0</total>\n  <shuffle>false</shuffle>\n  <ready>true</ready>\n  <stopped>false</stopped>\n</local_stream>\n`,
    );
    expect(await t.sw.api('local_stream show moh')).toBe('-ERR Cannot locate local_stream moh!\n');
    for (const sub of ['hup', 'stop', 'start', 'reload', 'vol', 'frob moh/8000', 'hup jazz', 'vol jazz 3'])
      expect(await t.sw.api(`local_stream ${sub}`)).toBe('');
    expect(await t.sw.api('help local_stream')).toContain(
      'local_stream,<show|start|reload|stop|hup> <local_stream_name>,manage local streams,mod_local_stream',
    );
    await stopSetup(t);
  });

  it('stop ends the stream and its listeners’ playback; start launches it again from the conf; start of a running one says so', async () => {
    const t = await threeFiles();
    const a = await parkedNull(t, 1);
    const heard = listenOn(t, a);
    t.sub.take();
    await play(t, a);
    await advance(t, 1100);
    expect(await t.sw.api('local_stream stop moh/8000')).toBe('+OK');
    await advance(t, 100);
    expect(completes(t, a)).toEqual(['PLAYBACK_START', 'PLAYBACK_STOP', 'CHANNEL_EXECUTE_COMPLETE FILE PLAYED']);
    const last = heard.length;
    await advance(t, 200);
    expect(heard.length).toBe(last);
    expect(await t.sw.api('local_stream show')).toBe('');
    expect(await t.sw.api('local_stream stop moh/8000')).toBe('-ERR Cannot locate local_stream moh/8000!\n');
    expect(await t.sw.api('local_stream reload moh/8000')).toBe('-ERR Cannot locate local_stream moh/8000!\n');
    expect(await t.sw.api('local_stream start jazz')).toBe('');
    expect(await t.sw.api('local_stream start moh/8000')).toBe('+OK stream: moh/8000');
    expect(await t.sw.api('local_stream start moh/8000')).toBe('+OK stream: moh/8000');
    // a stream launched now starts its own pass: a second of silence, then the first file
    const startedAt = t.clock.now();
    await play(t, a);
    await advance(t, 1200);
    expect(heard.slice(last).find((h) => h.id !== undefined)).toEqual({ t: startedAt + 1000, id: packetId(1, 0) });
    await stopSetup(t);
  });

  it('each stream is a process of its own, a transient child of the switch’s local_streams supervisor, until it is stopped', async () => {
    const t = await threeFiles();
    const streams = () => supervisionTree(t.rt, t.sw.supervisor)[0]?.children?.find((n) => n.id === 'local_streams')?.children ?? [];
    expect(streams().map((n) => `${n.type} ${n.restart}`)).toEqual(['worker transient']);
    const pid = streams()[0]?.pid as Pid;
    expect(t.rt.isAlive(pid)).toBe(true);
    await t.sw.api('local_stream stop moh/8000');
    await advance(t, 40);
    expect(t.rt.isAlive(pid)).toBe(false);
    expect(streams()).toEqual([]);
    await stopSetup(t);
  });

  it('hup: the file playing is cut, the next one starts', async () => {
    const t = await threeFiles();
    const a = await parkedNull(t, 1);
    const heard = listenOn(t, a);
    await play(t, a);
    await advance(t, 1100);
    expect(await t.sw.api('local_stream hup moh/8000')).toBe('+OK hup stream: moh/8000');
    await advance(t, 200);
    expect(sequence(heard)).toEqual([
      undefined,
      ...[0, 1, 2, 3, 4, 5].map((p) => packetId(1, p)),
      undefined,
      ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((p) => packetId(2, p)),
    ]);
    await stopSetup(t);
  });

  it('vol: the level (clamped to ±50, -50 is silence) and auto-volume, with the C’s errors', async () => {
    const t = await threeFiles();
    const a = await parkedNull(t, 1);
    const heard = listenOn(t, a);
    await play(t, a);
    expect(await t.sw.api('local_stream vol moh/8000')).toBe('+OK vol stream: moh/8000 is 0');
    expect(await t.sw.api('local_stream vol moh/8000 -60')).toBe('+OK vol stream: moh/8000 is -50');
    await advance(t, 1400);
    expect(heard.every((h) => h.id === undefined)).toBe(true);
    expect(await t.sw.api('local_stream vol moh/8000 auto:500:100')).toBe('+OK Auto-Volume stream: moh/8000 is 500/100');
    expect(await t.sw.api('local_stream vol moh/8000 auto:30000:-2')).toBe(
      '-ERR invalid auto-volume low-energy level for stream: moh/8000\n-ERR invalid auto-volume level for stream: moh/8000\n+OK vol stream: moh/8000 is -50',
    );
    await stopSetup(t);
  });

  it('reload: at the end of the pass, in full when nobody listens (launched again), else partly (the params read again)', async () => {
    const t = await threeFiles();
    const a = await parkedNull(t, 1);
    listenOn(t, a);
    await play(t, a);
    await advance(t, 1100);
    expect(await t.sw.api('local_stream reload moh/8000')).toBe('+OK');
    expect(await t.sw.api('local_stream show moh/8000')).toContain('  reloading: true\n');
    await advance(t, 1000);
    expect(t.logs).toContain('DEBUG Cannot stop local_stream://moh/8000 because it is in use.');
    expect(t.logs).toContain('DEBUG local_stream://moh/8000 partially reloaded.');
    expect(await t.sw.api('local_stream show moh/8000')).toContain(
      '  total:    1\n  shuffle:  false\n  ready:    true\n  stopped:  false\n  reloading: false\n',
    );
    await t.sw.api(`uuid_break ${a}`);
    expect(await t.sw.api('local_stream reload moh/8000')).toBe('+OK');
    await advance(t, 1500);
    expect(t.logs).toContain('DEBUG local_stream://moh/8000 fully reloaded.');
    expect(await t.sw.api('local_stream show')).toBe(`moh/8000,${t.music}\n`);
    await stopSetup(t);
  });
});

describe('names', () => {
  it('local_stream://moh finds moh/8000 (the channel’s rate) before moh; moh when moh/8000 is not running', async () => {
    const byRate = musicDir({ '01.wav': 1 });
    const plain = musicDir({ '04.wav': 4 });
    const t = await setup({ confDir: streamConf([directory('moh', plain), directory('moh/8000', byRate)].join('\n')) });
    const a = await parkedNull(t, 1);
    const heard = listenOn(t, a);
    await play(t, a);
    await advance(t, 1100);
    await t.sw.api(`uuid_break ${a}`);
    await play(t, a, 'local_stream://moh/8000');
    await t.sw.api('local_stream stop moh/8000');
    await advance(t, 20);
    await play(t, a);
    await advance(t, 100);
    expect(t.logs.filter((l) => l.includes('Opening Stream'))).toEqual([
      'DEBUG Opening Stream [moh/8000] 8000hz',
      'DEBUG Opening Stream [moh/8000] 8000hz',
      'DEBUG Opening Stream [moh] 8000hz',
    ]);
    const files = [...new Set(heard.filter((h) => h.id !== undefined).map((h) => Math.floor((h.id ?? 0) / 16)))];
    expect(files).toEqual([1, 4]);
    await stopSetup(t);
  });
});
