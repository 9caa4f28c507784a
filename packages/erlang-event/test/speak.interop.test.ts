/**
 * `speak` sent from a real erl with sendmsg, as an Erlang application reads text to a caller: the
 * switch's mod_tts_commandline runs its command (a node script writing a 440 Hz WAV), the call's
 * far end hears that tone, and the erl handler gets the application's CHANNEL_EXECUTE_COMPLETE.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AudioFrame, ulawToLinear } from '@beamline/switch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { share } from '../../../tools/sipp/audio.ts';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

const UUID = '5eea0000-1111-4222-8333-944455556666';
const SCRIPT = `import { appendFileSync, writeFileSync } from 'node:fs';
const [log, file, text, voice] = process.argv.slice(2);
appendFileSync(log, JSON.stringify({ text, voice }) + '\\n');
const n = 3200;
const out = Buffer.alloc(44 + n * 2);
out.write('RIFF', 0); out.writeUInt32LE(36 + n * 2, 4); out.write('WAVE', 8); out.write('fmt ', 12);
out.writeUInt32LE(16, 16); out.writeUInt16LE(1, 20); out.writeUInt16LE(1, 22); out.writeUInt32LE(8000, 24);
out.writeUInt32LE(16000, 28); out.writeUInt16LE(2, 32); out.writeUInt16LE(16, 34); out.write('data', 36); out.writeUInt32LE(n * 2, 40);
for (let i = 0; i < n; i++) out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * Number(voice) * i) / 8000)), 44 + i * 2);
writeFileSync(file, out);
`;

let rig: Rig;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beamline-speak-'));
  writeFileSync(join(dir, 'tone.mjs'), SCRIPT);
  writeFileSync(join(dir, 'calls.log'), '');
  const command = `${process.execPath} ${join(dir, 'tone.mjs')} ${join(dir, 'calls.log')} \${file} \${text} \${voice}`;
  writeFileSync(
    join(dir, 'freeswitch.xml'),
    `<document type="freeswitch/xml"><section name="configuration"><configuration name="tts_commandline.conf"><settings><param name="command" value="${command}"/></settings></configuration></section></document>`,
  );
  rig = await startRig('speak', {}, { confDir: dir });
  await rig.shell(ERL_DEFS);
  await rig.shell(`A = Coll(), H = Coll(), ok = Do(H, register_event_handler), ok = Do(H, {event, 'CHANNEL_EXECUTE_COMPLETE'})`);
});
afterAll(async () => {
  await rig?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sh = (e: string, timeoutMs?: number) => rig.shell(e, timeoutMs);

describe('speak from erl', () => {
  it('sendmsg execute speak: the command’s audio reaches the caller, CHANNEL_EXECUTE_COMPLETE reaches erl', async () => {
    expect(await sh(`Do(A, {api, originate, "{origination_uuid=${UUID}}null/1 &park()"})`)).toBe(`{ok,"+OK ${UUID}\\n"}`);
    const frames: AudioFrame[] = [];
    rig.fs.sw.core.media.attach(UUID, { codec: 'PCMU', write: (f) => frames.push(f) });
    const args = "tts_commandline|440|Hello from Erlang, it's me";
    expect(
      await sh(`Do(A, {sendmsg, "${UUID}", [{"call-command", "execute"}, {"execute-app-name", "speak"}, {"execute-app-arg", "${args}"}]})`),
    ).toBe('ok');
    expect(
      await sh(
        `length([x || {event, [_ | Hs]} <- WaitEv(H, 1), proplists:get_value("Application", Hs) =:= "speak", proplists:get_value("Unique-ID", Hs) =:= "${UUID}"])`,
        5000,
      ),
    ).toBe('1');
    expect(JSON.parse(readFileSync(join(dir, 'calls.log'), 'utf8'))).toEqual({ text: "Hello from Erlang, it's me", voice: '440' });
    const tone = frames.filter((f) => share([...f.payload].map(ulawToLinear), 440) > 0.8).length;
    expect(tone).toBeGreaterThanOrEqual(18);
  });
});
