/**
 * switchd's hold music: the generated melody written at start-up where the default conf's
 * local_stream.conf looks, so `local_stream://moh` plays music on a machine with no music package.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime, TestClock } from '@beamline/core';
import { type AudioFrame, startSwitch, ulawToLinear } from '@beamline/switch';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONF_DIR } from '../src/index.ts';
import { HOLD_MUSIC_FILE, melody, writeHoldMusic } from '../src/hold_music.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchd-temp-'));
  dirs.push(dir);
  return dir;
}

describe('hold music', () => {
  it('writes one 8 kHz 16-bit WAV of the melody into <temp_dir>/music/8000, once', () => {
    const temp = tempDir();
    const dir = writeHoldMusic(temp);
    expect(dir).toBe(join(temp, 'music', '8000'));
    const bytes = readFileSync(join(dir, HOLD_MUSIC_FILE));
    expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect([bytes.readUInt16LE(22), bytes.readUInt32LE(24), bytes.readUInt16LE(34)]).toEqual([1, 8000, 16]);
    expect(bytes.length).toBe(44 + melody().length * 2);
    writeHoldMusic(temp);
    expect(readdirSync(dir)).toEqual([HOLD_MUSIC_FILE]);
  });

  it('the default conf streams it as moh/8000 and default; local_stream://moh plays it', async () => {
    const temp = tempDir();
    writeHoldMusic(temp);
    const clock = new TestClock();
    const rt = new Runtime({ clock, logger: null });
    const sw = await startSwitch(rt, { confDir: DEFAULT_CONF_DIR, globals: [['temp_dir', temp]], timers: false });
    const music = join(temp, 'music', '8000');
    expect(await sw.api('local_stream show')).toBe(`default,${music}\nmoh/8000,${music}\n`);
    const uuid = /^\+OK (\S+)\n$/.exec(await sw.originate('null/1 &park()'))?.[1] ?? '';
    const heard: number[] = [];
    sw.core.media.attach(uuid, {
      codec: 'PCMU',
      write: (f: AudioFrame) => heard.push(Math.max(...[...f.payload].map((b) => Math.abs(ulawToLinear(b))))),
    });
    // hold_music is the conf's: what uuid_broadcast's other leg, hold and a held phone's partner hear
    expect(await sw.api('global_getvar hold_music')).toBe('local_stream://moh');
    await sw.api(`uuid_broadcast ${uuid} local_stream://moh aleg`);
    for (let t = 0; t < 2000; t += 20) {
      await clock.advance(20);
      await rt.settle();
    }
    expect(Math.max(...heard)).toBeGreaterThan(3000);
    await sw.stop();
    await rt.stop();
  });
});
