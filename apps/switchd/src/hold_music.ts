/**
 * switchd's hold music. A fresh machine has no music package (FreeSWITCH's is
 * freeswitch-music-default), so at start-up switchd writes a short melody of its own — a few
 * seconds of generated tones, a 16-bit 8 kHz WAV — into `<temp_dir>/music/8000`, the folder
 * conf/autoload_configs/local_stream.conf.xml plays as `moh/8000` (and `default`). Generated, not
 * shipped: the repository holds no audio. `temp_dir` is FreeSWITCH's global of that name: switchd's
 * own folder under the system's temporary directory, one per user.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RATE = 8000;
/** C5 E5 G5 C6 G5 E5 (the stream's second of silence between passes is the rest). */
const NOTES = [523.25, 659.25, 783.99, 1046.5, 783.99, 659.25];
const NOTE_MS = 450;
/** About -14 dBFS: music under speech, not over it. */
const PEAK = 6500;

export const HOLD_MUSIC_FILE = 'beamline-chimes.wav';

/** switchd's `temp_dir`. */
export function switchdTempDir(): string {
  return join(tmpdir(), `beamline-switchd-${process.getuid?.() ?? 0}`);
}

/** The melody's samples: each note a sine with its octave, faded in and out so the notes do not click. */
export function melody(): Int16Array {
  const per = (RATE * NOTE_MS) / 1000;
  const out = new Int16Array(NOTES.length * per);
  NOTES.forEach((f, n) => {
    for (let i = 0; i < per; i++) {
      const t = i / RATE;
      const envelope = Math.sin((Math.PI * i) / per);
      const tone = (Math.sin(2 * Math.PI * f * t) + 0.3 * Math.sin(4 * Math.PI * f * t)) / 1.3;
      out[n * per + i] = Math.round(PEAK * envelope * tone);
    }
  });
  return out;
}

function wav(samples: Int16Array): Uint8Array {
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(36 + samples.length * 2, 4);
  head.write('WAVEfmt ', 8, 'ascii');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(RATE, 24);
  head.writeUInt32LE(RATE * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(samples.length * 2, 40);
  return Buffer.concat([head, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)]);
}

/**
 * The melody written into `<tempDir>/music/8000` unless it is there already (switchds starting at
 * once each write their own copy and rename it into place); the folder's path.
 */
export function writeHoldMusic(tempDir: string): string {
  const dir = join(tempDir, 'music', '8000');
  const file = join(dir, HOLD_MUSIC_FILE);
  const bytes = wav(melody());
  mkdirSync(dir, { recursive: true });
  let present: Buffer | undefined;
  try {
    present = readFileSync(file);
  } catch {
    present = undefined;
  }
  if (!present?.equals(bytes)) {
    const part = `${file}.${process.pid}.part`;
    writeFileSync(part, bytes);
    renameSync(part, file);
  }
  return dir;
}
