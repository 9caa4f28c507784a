/**
 * What the speech tests share: a conf dir whose tts_commandline.conf runs a small node script as
 * the TTS command — it notes its arguments and writes a 16 kHz WAV of a tone whose frequency is
 * the voice (a number) and whose length is the text's `<n>ms` (default 600 ms) — and ways to wait
 * for the real-time child process while the test clock stands.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AudioFrame } from '../src/index.ts';
import { ulawToLinear } from '../src/media/g711.ts';
import { share } from '../../../tools/sipp/audio.ts';
import type { Setup } from './switch_helpers.ts';

const TONE_SCRIPT = `import { appendFileSync, writeFileSync } from 'node:fs';
const [log, file, text, voice, rate] = process.argv.slice(2);
appendFileSync(log, JSON.stringify({ text, voice, rate }) + '\\n');
const freq = Number(voice) || 440;
const ms = Number(/(\\d+)ms/.exec(text)?.[1] ?? 600);
const sr = 16000;
const n = Math.floor((sr * ms) / 1000);
const out = Buffer.alloc(44 + n * 2);
out.write('RIFF', 0); out.writeUInt32LE(36 + n * 2, 4); out.write('WAVE', 8); out.write('fmt ', 12);
out.writeUInt32LE(16, 16); out.writeUInt16LE(1, 20); out.writeUInt16LE(1, 22); out.writeUInt32LE(sr, 24);
out.writeUInt32LE(sr * 2, 28); out.writeUInt16LE(2, 32); out.writeUInt16LE(16, 34); out.write('data', 36); out.writeUInt32LE(n * 2, 40);
for (let i = 0; i < n; i++) out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * freq * i) / sr)), 44 + i * 2);
writeFileSync(file, out);
`;

export interface TtsConf {
  readonly dir: string;
  /** The tone script's command line (for a conf that wraps it). */
  readonly command: string;
  /** The arguments the script was run with, in order. */
  calls(): { text: string; voice: string; rate: string }[];
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * A conf dir with tts_commandline.conf (`command`: the tone script unless given; `null`: no conf)
 * and `more` inside the configuration section (conference.conf, …).
 */
export function ttsConf(command?: string | null, more = ''): TtsConf {
  const dir = mkdtempSync(join(tmpdir(), 'beamline-tts-'));
  const script = join(dir, 'tone.mjs');
  const log = join(dir, 'calls.log');
  writeFileSync(script, TONE_SCRIPT);
  writeFileSync(log, '');
  const cmd = command ?? `${process.execPath} ${script} ${log} \${file} \${text} \${voice} \${rate}`;
  const tts =
    command === null
      ? ''
      : `<configuration name="tts_commandline.conf"><settings><param name="command" value="${escapeXml(cmd)}"/></settings></configuration>`;
  writeFileSync(
    join(dir, 'freeswitch.xml'),
    `<document type="freeswitch/xml">\n  <section name="configuration">\n    ${tts}\n${more}\n  </section>\n</document>\n`,
  );
  return {
    dir,
    command: cmd,
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

/** The clock moved 20 ms at a time, letting real time pass too, until `done()` (or `ms` of real time). */
export async function until(t: Setup, done: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) {
    await t.clock.advance(20);
    await t.settle();
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The clock moved `ms` in 20 ms steps. */
export async function advance(t: Setup, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 20) {
    await t.clock.advance(20);
    await t.settle();
  }
}

/** The frames that carry a `freq` Hz tone. */
export const toneFrames = (frames: readonly AudioFrame[], freq: number): number =>
  frames.filter((f) => share([...f.payload].map(ulawToLinear), freq) > 0.8).length;
