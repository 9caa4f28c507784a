/**
 * Text to speech on calls: mod_tts_commandline's command run for `speak`, `playback say:`,
 * `playback tts://`, and the conference's `say` / `saymember`; what the far end heard is the
 * command's WAV (a tone whose frequency is the voice).
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { AudioFrame } from '../src/index.ts';
import { join } from './conference_helpers.ts';
import { profile } from './conference_conf_helpers.ts';
import { type TtsConf, advance, toneFrames, ttsConf, until } from './speech_helpers.ts';
import { type Setup, setup, stopSetup } from './switch_helpers.ts';

const U1 = '11111111-1111-4111-8111-111111111111';

let t: Setup | undefined;
let conf: TtsConf | undefined;

afterEach(async () => {
  if (t) await stopSetup(t);
  if (conf) rmSync(conf.dir, { recursive: true, force: true });
  t = undefined;
  conf = undefined;
});

/** A switch on `c`'s conf dir and a parked null call U1 whose far end keeps what it hears. */
async function parkedCall(c: TtsConf, vars = ''): Promise<{ t: Setup; frames: AudioFrame[] }> {
  conf = c;
  t = await setup({ confDir: c.dir });
  expect(await t.sw.originate(`{origination_uuid=${U1}${vars}}null/1 &park()`)).toBe(`+OK ${U1}\n`);
  await t.settle();
  const frames: AudioFrame[] = [];
  t.sw.core.media.attach(U1, { codec: 'PCMU', write: (f) => frames.push(f) });
  t.sub.take();
  return { t, frames };
}

const completed = (s: Setup, app: string) => s.sub.take().filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application') === app);

describe('speak', () => {
  it('runs the command with the text, voice and rate as shell words and plays the WAV it wrote', async () => {
    const { t, frames } = await parkedCall(ttsConf());
    const text = `Hello, it's $HOME \`id\` "quoted" 600ms`;
    expect(await t.sw.sendExecute(U1, 'speak', `tts_commandline|440|${text}`)).toBe(true);
    await until(t, () => frames.length > 0);
    await advance(t, 800);
    expect(conf?.calls()).toEqual([{ text, voice: '440', rate: '8000' }]);
    // 600 ms of 440 Hz (resampled from the script's 16 kHz), then nothing more
    expect(frames.length).toBeGreaterThanOrEqual(29);
    expect(frames.length).toBeLessThanOrEqual(31);
    expect(toneFrames(frames, 440)).toBeGreaterThanOrEqual(28);
    const events = t.sub.take();
    expect(events.filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE').map((e) => e.getHeader('Application'))).toEqual(['speak']);
    expect(events.filter((e) => e.type.startsWith('PLAYBACK'))).toEqual([]);
  });

  it('takes the engine and voice from tts_engine / tts_voice when the data is only text; `*` is spelled out', async () => {
    const { t, frames } = await parkedCall(ttsConf(), ',tts_engine=tts_commandline,tts_voice=880');
    await t.sw.sendExecute(U1, 'speak', 'press * or # 200ms');
    await until(t, () => frames.length > 0);
    await advance(t, 300);
    expect(conf?.calls()).toEqual([{ text: 'press star or pound 200ms', voice: '880', rate: '8000' }]);
    expect(toneFrames(frames, 880)).toBeGreaterThanOrEqual(9);
  });

  it('a playback terminator ends it (barge-in), other digits do not; playback_terminator_used says which', async () => {
    const { t, frames } = await parkedCall(ttsConf());
    await t.sw.sendExecute(U1, 'speak', 'tts_commandline|440|a long one 5000ms');
    await until(t, () => frames.length > 0);
    await advance(t, 200);
    await t.sw.api(`uuid_recv_dtmf ${U1} 1`);
    await advance(t, 200);
    expect(completed(t, 'speak')).toEqual([]);
    await t.sw.api(`uuid_recv_dtmf ${U1} *`);
    await advance(t, 40);
    expect(completed(t, 'speak')).toHaveLength(1);
    const heard = frames.length;
    await advance(t, 500);
    expect(frames.length).toBe(heard);
    expect(heard).toBeLessThan(40);
    expect(await t.sw.api(`uuid_getvar ${U1} playback_terminator_used`)).toBe('*');
  });

  it('without an engine hangs the call up (DESTINATION_OUT_OF_ORDER); an unknown engine is logged', async () => {
    const { t } = await parkedCall(ttsConf());
    await t.sw.sendExecute(U1, 'speak', 'nope|v|Hi');
    await t.settle();
    expect(t.logs.filter((l) => l.startsWith('ERR'))).toEqual(['ERR Invalid speech module [nope]!', 'ERR Invalid TTS module nope[v]!']);
    expect(completed(t, 'speak')).toHaveLength(1);
    await t.sw.sendExecute(U1, 'speak', 'Hello');
    await t.settle();
    expect(t.logs).toContain('ERR Invalid Params! [NULL][NULL][Hello]');
    const hangup = t.sub.take().find((e) => e.type === 'CHANNEL_HANGUP');
    expect(hangup?.getHeader('Hangup-Cause')).toBe('DESTINATION_OUT_OF_ORDER');
  });

  it('a command the shell cannot run, or one that writes no WAV, is logged and speaks nothing', async () => {
    const { t, frames } = await parkedCall(ttsConf('beamline-no-such-tts-command ${text}'));
    await t.sw.sendExecute(U1, 'speak', 'tts_commandline|v|Hi');
    await until(t, () => completed(t, 'speak').length > 0);
    expect(t.logs.filter((l) => l.startsWith('ERR'))).toEqual(["ERR Failed to execute command: beamline-no-such-tts-command 'Hi'"]);
    await stopSetup(t);
    rmSync(conf?.dir ?? '', { recursive: true, force: true });
    const again = await parkedCall(ttsConf('exit 3'));
    await again.t.sw.sendExecute(U1, 'speak', 'tts_commandline|v|Hi');
    await until(again.t, () => completed(again.t, 'speak').length > 0);
    expect(again.t.logs.filter((l) => l.startsWith('ERR')).map((l) => l.replace(/[0-9a-f-]{36}/, 'UUID'))).toEqual([
      expect.stringMatching(/^ERR Failed to open file: .*\/UUID\.tmp\.wav$/),
    ]);
    expect(frames).toEqual([]);
  });
});

describe('speak, interrupted', () => {
  it('a hangup while the command runs ends speak at once; the command is killed', async () => {
    const c = ttsConf();
    try {
      const { t } = await parkedCall(ttsConf(`sleep 1; ${c.command}`));
      await t.sw.sendExecute(U1, 'speak', 'tts_commandline|440|never');
      await t.settle();
      const started = Date.now();
      await t.sw.api(`uuid_kill ${U1}`);
      await until(t, () => completed(t, 'speak').length > 0, 3000);
      expect(Date.now() - started).toBeLessThan(700);
      await new Promise((r) => setTimeout(r, 1300));
      expect(c.calls()).toEqual([]);
    } finally {
      rmSync(c.dir, { recursive: true, force: true });
    }
  });
});

describe('say: and tts:// files', () => {
  it('playback say:<text> speaks with tts_engine / tts_voice, without PLAYBACK events', async () => {
    const { t, frames } = await parkedCall(ttsConf(), ',tts_engine=tts_commandline,tts_voice=660');
    await t.sw.sendExecute(U1, 'playback', 'say:good morning 300ms');
    await until(t, () => frames.length > 0);
    await advance(t, 400);
    expect(conf?.calls().map((c) => c.text)).toEqual(['good morning 300ms']);
    expect(toneFrames(frames, 660)).toBeGreaterThanOrEqual(14);
    const events = t.sub.take();
    expect(events.filter((e) => e.type.startsWith('PLAYBACK'))).toEqual([]);
    expect(events.find((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE')?.getHeader('Application-Response')).toBe('FILE PLAYED');
  });

  it('playback tts://<engine>|<voice>|<text> plays as a file (PLAYBACK_START / _STOP); one that cannot be spoken is not found', async () => {
    const { t, frames } = await parkedCall(ttsConf());
    const file = 'tts://tts_commandline|550|hi there 300ms';
    await t.sw.sendExecute(U1, 'playback', file);
    await until(t, () => frames.length > 0);
    await advance(t, 400);
    expect(toneFrames(frames, 550)).toBeGreaterThanOrEqual(14);
    const events = t.sub.take();
    expect(events.filter((e) => e.type.startsWith('PLAYBACK')).map((e) => `${e.type} ${e.getHeader('Playback-File-Path')}`)).toEqual([
      `PLAYBACK_START ${file}`,
      `PLAYBACK_STOP ${file}`,
    ]);
    await t.sw.sendExecute(U1, 'playback', 'tts://tts_commandline|only two');
    await t.settle();
    const done = t.sub.take().find((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE');
    expect(done?.getHeader('Application-Response')).toBe('FILE NOT FOUND');
  });

  it('play_and_get_digits speaks a tts:// prompt, and a digit ends it', async () => {
    const { t, frames } = await parkedCall(ttsConf());
    await t.sw.sendExecute(U1, 'play_and_get_digits', '1 1 1 2000 # tts://tts_commandline|440|enter_3000ms silence_stream://250 got \\d');
    await until(t, () => frames.length > 0);
    await advance(t, 100);
    await t.sw.api(`uuid_recv_dtmf ${U1} 7`);
    await advance(t, 100);
    expect(await t.sw.api(`uuid_getvar ${U1} got`)).toBe('7');
    expect(frames.length).toBeLessThan(20);
  });
});

describe('show', () => {
  it('lists tts_commandline as a speech interface of mod_tts_commandline once tts_commandline.conf is there', async () => {
    conf = ttsConf();
    t = await setup({ confDir: conf.dir });
    expect(await t.sw.api('show interfaces')).toContain('\nspeech,tts_commandline,mod_tts_commandline\n');
    expect(await t.sw.api('show module mod_tts_commandline')).toBe(
      'type,name,ikey,filename\nspeech,tts_commandline,mod_tts_commandline,/mod_tts_commandline.so\n\n1 total.\n',
    );
    await stopSetup(t);
    rmSync(conf.dir, { recursive: true, force: true });
    conf = ttsConf(null);
    t = await setup({ confDir: conf.dir });
    expect(await t.sw.api('show interfaces')).not.toContain('speech,');
  });
});

describe('conference say / saymember', () => {
  const room = (params: Record<string, string>) =>
    `<configuration name="conference.conf"><profiles>${profile('default', params)}</profiles></configuration>`;

  it('say speaks into the conference with the profile’s engine and voice; saymember to one member, `#voice#` choosing another', async () => {
    conf = ttsConf(undefined, room({ 'tts-engine': 'tts_commandline', 'tts-voice': '440' }));
    t = await setup({ confDir: conf.dir });
    const a = await join(t, 1, 'room@default');
    const b = await join(t, 2, 'room@default');
    t.sub.take();
    expect(await t.sw.api('conference room say welcome 300ms')).toBe('+OK (say) OK\n');
    await advance(t, 400);
    expect(toneFrames(a.heard, 440)).toBeGreaterThanOrEqual(14);
    expect(toneFrames(b.heard, 440)).toBeGreaterThanOrEqual(14);
    const speak = t.sub.take().filter((e) => e.getHeader('Action')?.startsWith('speak-text') || e.getHeader('Action') === 'play-file-done');
    expect(speak.map((e) => `${e.getHeader('Action')} ${e.getHeader('Text')}`)).toEqual(['speak-text welcome 300ms']);
    const [aBefore, bBefore] = [a.heard.length, b.heard.length];
    expect(await t.sw.api('conference room saymember 2 #880#just you 300ms')).toBe('+OK (saymember) OK\n');
    await advance(t, 400);
    expect(toneFrames(b.heard.slice(bBefore), 880)).toBeGreaterThanOrEqual(14);
    expect(toneFrames(a.heard.slice(aBefore), 880)).toBe(0);
    expect(conf.calls().map((c) => `${c.voice} ${c.text}`)).toEqual(['440 welcome 300ms', '880 just you 300ms']);
    expect(await t.sw.api('conference room saymember 9 hi')).toBe('-ERR (saymember) Unknown Member 9!\nsaymember <member_id> <text>');
  });

  it('play say:<text> is conference_say; play tts://… is spoken and played as a file (play-file-done at its end)', async () => {
    conf = ttsConf(undefined, room({ 'tts-engine': 'tts_commandline', 'tts-voice': '440' }));
    t = await setup({ confDir: conf.dir });
    const a = await join(t, 1, 'room@default');
    t.sub.take();
    expect(await t.sw.api('conference room play say:hi_200ms')).toBe('+OK (play) Playing file say:hi_200ms\n');
    await advance(t, 300);
    expect(toneFrames(a.heard, 440)).toBeGreaterThanOrEqual(9);
    const from = a.heard.length;
    const file = 'tts://tts_commandline|660|hey_200ms';
    expect(await t.sw.api(`conference room play ${file}`)).toBe(`+OK (play) Playing file ${file}\n`);
    await advance(t, 300);
    expect(toneFrames(a.heard.slice(from), 660)).toBeGreaterThanOrEqual(9);
    const done = t.sub.take().filter((e) => e.getHeader('Action') === 'play-file-done');
    expect(done.map((e) => e.getHeader('File'))).toEqual([file]);
    expect(await t.sw.api('conference room play tts://tts_commandline|only')).toBe('-ERR (play) File: tts://tts_commandline|only not found.\n');
  });

  it('a say: enter-sound is spoken into the conference; `play say:<text> <member>` to that member', async () => {
    conf = ttsConf(undefined, room({ 'tts-engine': 'tts_commandline', 'tts-voice': '440', 'enter-sound': 'say:entered_200ms' }));
    t = await setup({ confDir: conf.dir });
    const a = await join(t, 1, 'room@default');
    await join(t, 2, 'room@default');
    await until(t, () => toneFrames(a.heard, 440) > 0);
    await advance(t, 300);
    expect(toneFrames(a.heard, 440)).toBeGreaterThanOrEqual(9);
    const from = a.heard.length;
    expect(await t.sw.api('conference room play say:you_200ms 1')).toBe('+OK (play) Playing file say:you_200ms to member 1\n');
    await until(t, () => toneFrames(a.heard.slice(from), 440) > 0);
    await advance(t, 300);
    expect(toneFrames(a.heard.slice(from), 440)).toBeGreaterThanOrEqual(9);
    expect(conf.calls().map((c) => c.text)).toEqual(['entered_200ms', 'you_200ms']);
  });

  it('a say: member-enter-sound is spoken to the joining caller with the profile’s engine', async () => {
    conf = ttsConf(undefined, room({ 'tts-engine': 'tts_commandline', 'tts-voice': '770', 'member-enter-sound': 'say:hello_200ms' }));
    t = await setup({ confDir: conf.dir });
    const a = await join(t, 1, 'room@default');
    await until(t, () => toneFrames(a.heard, 770) > 0);
    await advance(t, 300);
    expect(toneFrames(a.heard, 770)).toBeGreaterThanOrEqual(9);
    expect(conf.calls().map((c) => c.text)).toEqual(['hello_200ms']);
  });

  it('without tts-engine: say is an error (`Missing TTS engine or voice`), saymember says nothing and succeeds', async () => {
    conf = ttsConf(undefined, room({}));
    t = await setup({ confDir: conf.dir });
    await join(t, 1, 'room@default');
    expect(await t.sw.api('conference room say hello')).toBe('-ERR (say) Error!\nsay <text>');
    expect(t.logs.at(-1)).toBe('ERR Missing TTS engine or voice');
    expect(await t.sw.api('conference room say')).toBe('-ERR (say) Error! No text.\nsay <text>');
    expect(await t.sw.api('conference room saymember 1 hello')).toBe('+OK (saymember) OK\n');
    expect(await t.sw.api('conference room saymember 1')).toBe('-ERR (saymember) No Text!\nsaymember <member_id> <text>');
    expect(conf.calls()).toEqual([]);
  });
});
